"""The scenario panel: what the form offers, and the scenario a submitted form makes.

A submitted form is checked by the code the CLI uses: the scenario is loaded by name or path
and given the form's members, years, seed and doctrines as :meth:`Scenario.with_overrides`
(what ``nato-socialism run --members ... --doctrine ...`` does), so a bad value gets the CLI's
message; slider values and custom doctrine controls are validated as the ``[parameters]``
and ``[controls.custom]`` tables of a scenario file are.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError

#: Sliders shown when the results directory holds no sensitivity run to rank parameters by.
#: An assumption (editorial choice, not a measured ranking): the parameters of the chain from
#: grievance to support to transition and back, which the model description puts at the
#: centre of the doctrines' differences; `nato-socialism sensitivity` replaces it by a ranking.
DEFAULT_SLIDERS = (
    "transition_support_threshold", "support_adjust_rate", "grievance_support", "electoral_transition_rate",
    "diffusion_strength", "movement_growth_rate", "reaction_immigration_effect", "reversion_rate",
)
#: How many parameters the panel offers as sliders.
SLIDERS = 8
#: Where the form names itself in validation messages of slider and control values.
FORM = "the dashboard's form"


def sliders(results: Path) -> tuple[list[dict], str]:
    """The slider parameters and where their ranking comes from.

    Ranked by the newest complete sensitivity run in ``results`` (its ``analysis/indices``
    table), else :data:`DEFAULT_SLIDERS`.
    """
    from ..model.registry import registry

    reg = registry()
    names, ranked_by = list(DEFAULT_SLIDERS), "a default list (no sensitivity run in this results directory)"
    found = _sensitivity_ranking(results)
    if found is not None:
        run_id, ranked = found
        names = [n for n in ranked if n in reg][:SLIDERS]
        ranked_by = f"sensitivity run {run_id}"
    out = []
    for name in names:
        p = reg[name]
        out.append({"name": name, "default": p.default, "low": p.low, "high": p.high, "unit": p.unit,
                    "source": p.source, "doc": p.doc, "mechanism": p.mechanism})
    return out, ranked_by


def _sensitivity_ranking(results: Path) -> tuple[str, list[str]] | None:
    from ..experiments.store import DB_NAME, ResultStore

    if not (Path(results) / DB_NAME).is_file():
        return None
    store = ResultStore.open(results)
    runs = store.runs()
    for run_id in runs[(runs["kind"] == "sensitivity") & (runs["status"] == "complete")]["run_id"]:
        path = store.run_dir(run_id) / "analysis" / "indices.parquet"
        if path.is_file():
            table = store.read_table(run_id, "indices")
            if {"rank", "parameter"} <= set(table.columns):
                return run_id, list(dict.fromkeys(table.sort_values("rank")["parameter"]))
    return None


def form_spec(results: Path) -> dict:
    """Everything the scenario panel offers: scenarios, doctrines, sliders, custom controls, defaults."""
    from ..model.doctrines import CUSTOM_CONTROLS, DOCTRINE_NAMES, DOCTRINES, custom_values
    from ..scenario import bundled_scenarios, load_scenario

    base = load_scenario("default")
    shown, ranked_by = sliders(results)
    defaults = custom_values(DOCTRINES["custom"].spec)
    return {
        "scenarios": bundled_scenarios(), "doctrines": list(DOCTRINE_NAMES), "default_doctrines": ["nato_first",
                                                                                                   "status_quo"],
        "members": 20, "years": 30, "seed": base.seed, "sliders": shown, "ranked_by": ranked_by,
        "controls": [{"name": k, "low": lo, "high": hi, "doc": doc, "default": defaults.get(k, lo)}
                     for k, (lo, hi, doc) in CUSTOM_CONTROLS.items()],
    }


def _whole(value, option: str) -> int | None:
    """An integer field as the CLI parses it, with its message (empty: not given)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise UserError(f"Invalid value for '{option}': Input should be a valid integer, unable to parse string as "
                        "an integer") from None


def _numbers(values, what: str) -> dict[str, float]:
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise UserError(f"{what} must be a table of name = number.")
    out = {}
    for name, v in values.items():
        try:
            out[str(name)] = float(v) if not isinstance(v, bool) else v
        except (TypeError, ValueError):
            out[str(name)] = v  # the scenario validation names the field and what it expected
    return out


def scenario_of(request: dict):
    """The validated scenario of a submitted form.

    ``request``: ``scenario`` (bundled name or TOML path), ``doctrines`` (list), ``members``,
    ``years``, ``seed``, ``parameters`` and ``controls`` (name -> value).

    Raises
    ------
    UserError
        With the CLI's message for a bad scenario, doctrine, member count, horizon or seed, and
        the scenario file's message for a bad slider or control value.
    """
    import typer

    from ..cli.common import load
    from ..cli.options import check_choice
    from ..scenario.schema import validate

    if not isinstance(request, dict):
        raise UserError("the form must be sent as a JSON object.")
    doctrines = request.get("doctrines")
    if doctrines is not None and (not isinstance(doctrines, list) or not doctrines):
        raise UserError("choose at least one doctrine.")
    try:
        check_choice("doctrine", [str(d) for d in doctrines or []])
    except typer.BadParameter as err:
        raise UserError(f"Invalid value for '--doctrine': {err.message}") from None
    sc = load(str(request.get("scenario") or "default"), members=_whole(request.get("members"), "--members"),
              horizon=_whole(request.get("years"), "--years"), seed=_whole(request.get("seed"), "--seed"),
              doctrines=[str(d) for d in doctrines] if doctrines else None)
    parameters = _numbers(request.get("parameters"), "parameters")
    controls = _numbers(request.get("controls"), "controls")
    if not parameters and not controls:
        return sc
    data = sc.model_dump(exclude_unset=True)
    data["parameters"] = {**data.get("parameters", {}), **parameters}
    data["controls"] = {"custom": {**data.get("controls", {}).get("custom", {}), **controls}}
    return validate(data, f"{sc.source} (with {FORM})")
