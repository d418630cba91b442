"""The EMA Workbench bridge: a stored run as EMA's ``(experiments, outcomes)``, and back.

>>> from ema_workbench.analysis import feature_scoring, pairs_plotting, plotting
>>> from nato_socialism import ema
>>> experiments, outcomes = ema.load("latest", results="results", series=False, never="after_end")  # doctest: +SKIP
>>> defined = {k: v for k, v in outcomes.items() if np.isfinite(v).all()}          # doctest: +SKIP
>>> feature_scoring.get_feature_scores_all(experiments, defined)                   # doctest: +SKIP
>>> pairs_plotting.pairs_scatter(experiments, outcomes, group_by="policy",
...                              outcomes_to_show=["poverty_years_830", "demsoc_share_end"])  # doctest: +SKIP
>>> experiments, outcomes = ema.load("latest", results="results")                  # doctest: +SKIP
>>> plotting.lines(experiments, outcomes, outcomes_to_show=["demsoc_share"], group_by="policy")  # doctest: +SKIP

:func:`load` gives what EMA's ``perform_experiments`` gives for the same design: one row per
(member, doctrine), in the run's doctrine order and then by member; the columns of
``experiments`` are the parameters the run sampled (fixed ones are constants, as in EMA),
the stored levers of a run saved by :func:`save`, then ``scenario`` (the member index: members
with the same index share parameters and random shocks, as EMA's scenarios do), ``policy``
(the doctrine) and ``model``, the last three categorical like EMA's. ``outcomes`` maps every
outcome of :data:`~nato_socialism.model.outcomes.OUTCOMES` to a 1-D array (NaN: never reached or
undefined, as the EMA adapter returns them; ``never="after_end"`` counts a year never reached
as the year after the run, as the paired comparisons do, so that only outcomes undefined for
some members, such as ``first_world_failure_rate``, keep NaN: scikit-learn based tools such as
feature scoring refuse NaN) and, with ``series``, every yearly series of the
stored ``series`` table to a 2-D array (rows x years) plus ``TIME`` (the years, one row per
experiment), which EMA's ``lines``, ``envelopes`` and ``kde_over_time`` plot over time.

:func:`save` stores the results of experiments run through the EMA adapter
(:func:`~nato_socialism.experiments.ema_adapter.ema_model`) as a run of kind ``ema``, so the
command line and the re-analysis tools (``results show``, ``sensitivity --run``,
``discover``) read them like any run.

This module is an interface (like the command line): it may import the experiments layer,
which never imports it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from .errors import UserError
from .model.outcomes import OUTCOMES

#: EMA's bookkeeping columns, in EMA's order.
EMA_COLUMNS = ("scenario", "policy", "model")
#: Name of the model column (the adapter's default model name).
MODEL_NAME = "natosocialism"
_KEYS = ("member", "doctrine", "seed_key")
_SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")


def _complete_run(store, run: str) -> tuple[str, dict]:
    run_id = store.resolve(run)
    meta = store.meta(run_id)
    if meta["kind"] == "optimize":
        raise UserError(f"run {run_id} is an optimization; its candidates are in its analysis tables, not members.")
    pending = store.pending(run_id)
    if pending:
        raise UserError(
            f"run {run_id} is incomplete ({pending} member-doctrine pairs missing); finish it with "
            f"`nato-socialism run --resume {run_id}` first."
        )
    return run_id, meta


def run_arrays(store, run: str, doctrines=None) -> tuple[str, dict, pd.DataFrame, pd.DataFrame]:
    """A complete run's experiments and outcomes, row-aligned on (doctrine in run order, member).

    Returns the run id, its metadata, the experiments table (varying inputs only, plus
    ``member`` and ``doctrine``) and the outcomes table (``member``, ``doctrine``, outcomes).
    """
    run_id, meta = _complete_run(store, run)
    order = list(meta["doctrines"])
    chosen = order if doctrines is None else list(doctrines)
    unknown = [d for d in chosen if d not in order]
    if unknown:
        raise UserError(f"run {run_id} has no doctrine {unknown[0]!r}; it ran {', '.join(order)}.")
    exp = store.read(run_id, "experiments")
    exp = exp[exp["doctrine"].isin(chosen)]
    inputs = [c for c in exp.columns if c not in _KEYS and exp[c].nunique(dropna=False) > 1]
    out = store.read(run_id, "outcomes")
    rank = {d: i for i, d in enumerate(order)}
    key = ["doctrine", "member"]
    exp = exp[key + inputs].sort_values(key, key=lambda s: s.map(rank) if s.name == "doctrine" else s)
    merged = exp.merge(out, on=key, how="left", validate="one_to_one", indicator=True)
    if (merged.pop("_merge") != "both").any():
        raise UserError(f"run {run_id} lacks outcomes of some members; its files may be damaged.")
    merged = merged.reset_index(drop=True)
    return run_id, meta, merged[["member", "doctrine", *inputs]], merged[["member", "doctrine", *OUTCOMES]]


def load(
    run: str = "latest",
    results: str | Path = "results",
    *,
    doctrines: list[str] | None = None,
    series: bool | list[str] = True,
    never: str = "nan",
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A stored run as EMA Workbench's ``(experiments, outcomes)`` (see the module docstring).

    Parameters
    ----------
    run
        Run id, unique prefix of one, or ``latest``.
    results
        Results directory.
    doctrines
        Only these doctrines (default: all of the run's, in run order).
    series
        ``True`` adds every yearly series as a 2-D outcome and ``TIME``; a list adds only those
        series; ``False`` gives scalar outcomes only (what EMA's feature scoring, PRIM and CART
        take directly).
    never
        ``"nan"`` (a year never reached is NaN) or ``"after_end"`` (it is ``start_year +
        horizon + 1``).

    Raises
    ------
    UserError
        If the run does not exist, is incomplete or is an optimization, or a doctrine or series
        name is unknown.
    """
    from .experiments.store import ResultStore

    if never not in ("nan", "after_end"):
        raise UserError(f"never must be 'nan' or 'after_end', not {never!r}.")
    store = ResultStore.open(results)
    run_id, meta, exp, out = run_arrays(store, run, doctrines)
    experiments = exp.drop(columns=["member", "doctrine"]).copy()
    experiments["scenario"] = pd.Categorical(exp["member"].to_numpy())
    experiments["policy"] = pd.Categorical(exp["doctrine"], categories=list(dict.fromkeys(exp["doctrine"])))
    experiments["model"] = pd.Categorical([MODEL_NAME] * len(exp))
    outcomes = {name: out[name].to_numpy(dtype=np.float64) for name in OUTCOMES}
    if never == "after_end":
        from .experiments.compare import comparable

        after = meta["start_year"] + meta["horizon"] + 1
        outcomes = {name: comparable(out[name], name, after) for name in OUTCOMES}
    if series is not False:
        outcomes.update(_series_arrays(store, run_id, exp, None if series is True else list(series)))
    return experiments, outcomes


def _series_arrays(store, run_id: str, exp: pd.DataFrame, names: list[str] | None) -> dict[str, np.ndarray]:
    """Each yearly series as (rows x years), rows aligned with ``exp`` (member, doctrine)."""
    frame = store.read(run_id, "series")
    if frame.empty:
        if names:
            raise UserError(f"run {run_id} stored no yearly series.")
        return {}
    available = [c for c in frame.columns if c not in ("doctrine", "member", "year")]
    names = available if names is None else names
    for name in names:
        if name not in available:
            from .errors import suggest

            raise UserError(f"run {run_id} has no series {name!r}.{suggest(name, available)}")
    years = np.sort(frame["year"].unique())
    rows = pd.MultiIndex.from_arrays([exp["doctrine"].to_numpy(), exp["member"].to_numpy()])
    frame = frame.set_index(["doctrine", "member", "year"])
    out = {}
    for name in names:
        wide = frame[name].unstack("year").reindex(index=rows, columns=years)
        out[name] = wide.to_numpy(dtype=np.float64)
    out["TIME"] = np.tile(years.astype(np.float64), (len(exp), 1))
    return out


# ---------------------------------------------------------------------- EMA results as a run
def _labels(experiments: pd.DataFrame) -> dict:
    """Doctrine label of each EMA policy: the doctrine lever's value when one policy runs one doctrine."""
    policies = list(dict.fromkeys(experiments["policy"].astype(str)))
    if "doctrine" in experiments.columns:
        pairs = experiments[["policy", "doctrine"]].astype(str).drop_duplicates()
        if len(pairs) != len(policies) or pairs["doctrine"].duplicated().any():
            raise UserError(
                "each EMA policy must run one doctrine and each doctrine appear in one policy; "
                "drop duplicated policies before saving."
            )
        labels = dict(zip(pairs["policy"], pairs["doctrine"], strict=True))
    else:
        labels = {p: p if not p[:1].isdigit() else f"policy_{p}" for p in policies}
    for label in labels.values():
        if not _SAFE.match(label):
            raise UserError(f"policy name {label!r} cannot name a stored doctrine; use letters, digits, _ . -")
    return labels


def save(experiments: pd.DataFrame, outcomes: dict, model, results: str | Path = "results") -> str:
    """Store EMA results of the adapter's model as a run of kind ``ema`` and return its id.

    ``experiments`` and ``outcomes`` are what ``perform_experiments`` returned for ``model``
    (from :func:`~nato_socialism.experiments.ema_adapter.ema_model`). Scenarios become members
    (the n-th distinct scenario is member n, its ``member`` uncertainty gives the random
    key), policies become doctrines (named by the ``doctrine`` lever when present, else by the
    policy name); every policy must have run every scenario once, as ``perform_experiments``
    does, so doctrines pair member by member like a run's. The custom controls of a
    ``levers="custom"`` model are kept as columns of the experiments table.

    Raises
    ------
    UserError
        If the tables do not come from the adapter's model or are not a full scenarios x
        policies design.
    """
    from .data import data_version
    from .experiments.ema_adapter import MemberFunction
    from .experiments.executors import scenario_from_json
    from .experiments.sampling import parameter_ranges
    from .experiments.store import ResultStore
    from .model.doctrines import CUSTOM_CONTROLS
    from .model.parameters import registry
    from .model.rng import member_keys

    function = getattr(model, "function", None)
    if not isinstance(function, MemberFunction):
        raise UserError("save takes the model made by nato_socialism.experiments.ema_adapter.ema_model.")
    missing = [c for c in ("scenario", "policy", "member") if c not in experiments.columns]
    missing += [o for o in OUTCOMES if o not in outcomes]
    if missing:
        raise UserError(f"the EMA results lack {', '.join(missing)}; pass perform_experiments' output unchanged.")
    n = len(experiments)
    if any(np.shape(outcomes[o]) != (n,) for o in OUTCOMES):
        raise UserError(f"every outcome must hold one value per experiment ({n}).")
    sc = scenario_from_json(function.scenario_json)
    labels = _labels(experiments)
    scenario_ids = experiments["scenario"].astype(str)
    member_of = {s: i for i, s in enumerate(dict.fromkeys(scenario_ids))}
    members = scenario_ids.map(member_of).to_numpy(dtype=np.int64)
    doctrine = experiments["policy"].astype(str).map(labels).to_numpy()
    grid = pd.crosstab(members, doctrine)
    if grid.shape != (len(member_of), len(labels)) or (grid.to_numpy() != 1).any():
        raise UserError("the EMA results are not a full design: every policy must run every scenario once.")
    ranges = parameter_ranges({**sc.fixed_parameters(), **sc.sampled_parameters()})
    for u in model.uncertainties:
        if u.name in ranges:
            ranges[u.name] = (float(u.lower_bound), float(u.upper_bound))
    values = {name: np.full(n, lo) for name, (lo, hi) in ranges.items()}
    for name in registry():
        if name in experiments.columns:
            values[name] = experiments[name].to_numpy(dtype=np.float64)
    ema_member = experiments["member"].to_numpy(dtype=np.int64)
    table = pd.DataFrame(
        {
            "member": members,
            "doctrine": doctrine,
            "seed_key": member_keys(sc.seed, ema_member),
            **values,
            "ema_member": ema_member,
            **{c: experiments[c].to_numpy(dtype=np.float64) for c in CUSTOM_CONTROLS if c in experiments.columns},
        }
    )
    frame = pd.DataFrame({"member": members, "doctrine": doctrine})
    for name in OUTCOMES:
        frame[name] = np.asarray(outcomes[name], dtype=np.float64)
    order = list(labels.values())
    store = ResultStore.create(results)
    size = len(member_of)
    meta = {
        "kind": "ema",
        "scenario_name": sc.name,
        "scenario": function.scenario_json,
        "parameters": ranges,
        "seed": sc.seed,
        "members": size,
        "horizon": sc.horizon,
        "start_year": sc.start_year,
        "doctrines": order,
        "chunk_plan": [[0, size]],
        "chunk_size": size,
        "keep_trajectories": 0,
        "data_version": data_version(function.data_dir),
        "data_dir": None if function.data_dir is None else str(Path(function.data_dir).resolve()),
        "command": "nato_socialism.ema.save",
        "extra": {"ema": {"policies": labels, "scenarios": len(member_of)}},
    }

    def by_doctrine(frame: pd.DataFrame):
        for d in order:
            yield d, frame[frame["doctrine"] == d].sort_values("member").reset_index(drop=True)

    with store.writer():
        run_id = store.create_run(meta, by_doctrine(table))
        started = time.time()
        worker = {"worker": "ema", "pid": None, "host": None}
        for d, part in by_doctrine(frame):
            tables = SimpleNamespace(outcomes=part, series=None, trajectories=None, why=None)
            store.write_chunk(run_id, d, 0, part["member"].to_numpy(), tables, worker, 1, started)
        store.finish(run_id, "complete")
    return run_id
