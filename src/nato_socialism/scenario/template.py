"""The commented scenario template (``nato-socialism scenario new``): every key, documented, valid as is."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from nato_socialism import atomic
from nato_socialism.data.blocs import BLOC_IDS, OVERRIDABLE
from nato_socialism.errors import UserError
from nato_socialism.model.context import POLICY_EVENTS
from nato_socialism.model.doctrines import CUSTOM_CONTROLS, DOCTRINES, custom_values
from nato_socialism.model.parameters import registry
from nato_socialism.model.switches import MECHANISMS, TERMS

from .messages import describe, toml_value
from .schema import REGIME_NAMES, Scenario

# Parameters shown as examples in the template: (name, fix it or sample its plausible range).
_TEMPLATE_PARAMETERS = (
    ("aid_growth_effect", "fix"),
    ("init_moderate_left_weight", "range"),
    ("baseline_immigration_cap", "fix"),
)
# Example events of the template (uncommented, they form a valid scenario with the rest).
_TEMPLATE_EVENTS = (
    {"year": 2030, "country": "FRA", "kind": "transition"},
    {"year": 2028, "country": "HUN", "kind": "regime", "regime": "capitalist_autocracy"},
    {"year": 2035, "country": "DEU", "kind": "immigration_cap", "value": 0.004},
    {"year": 2040, "country": "IRL", "kind": "join_bloc", "bloc": "nato"},
)


def _commented(lines: Sequence[tuple[str, str]], prefix: str = "# ") -> list[str]:
    """Format (code, comment) pairs as ``prefix + code`` lines with aligned comments."""
    width = max(len(code) for code, _ in lines)
    return [f"{prefix}{code.ljust(width)}  # {comment}" for code, comment in lines]


def _prose(text: str, indent: str = "") -> list[str]:
    """Wrap a paragraph into comment lines of at most 92 characters."""
    return ["# " + line for line in textwrap.wrap(text, 90, subsequent_indent=indent)]


def scenario_template() -> str:
    """Return a commented scenario file documenting every key; as is, the default run.

    Top-level keys are set to their defaults; tables hold commented-out examples (the lists
    of doctrines, switches and controls come from the registries). Uncommenting every
    example still gives a valid scenario.
    """
    reg = registry()
    default = Scenario()
    out = _prose(
        "nato-socialism scenario file (TOML). Every key is optional; the values set below are "
        "the defaults. Check a file with `nato-socialism scenario check FILE`; "
        "docs/scenarios.md documents every key."
    )
    out += ["", '# name = "my_scenario"  # default: the file name without .toml']
    out += [f"description = {toml_value(default.description)}", ""]
    out += _commented(
        [
            (f"start_year = {default.start_year}", "1950 to 2023; only 2023 (the snapshot) runs"),
            (f"horizon = {default.horizon}", "years simulated, 1 to 300"),
            (f"members = {default.members}", "ensemble members (sampled futures), 1 to 1000000"),
            (f"seed = {default.seed}", "random seed, >= 0; same file and seed, same run"),
        ],
        prefix="",
    )

    out += ["", "# Doctrines to run, in order (at least one, each once):"]
    for name, doctrine in DOCTRINES.items():
        out += _prose(f"- {name}: {doctrine.summary}", "  ")
    out += [f"doctrines = {toml_value(list(default.doctrines))}", ""]

    out += _prose(
        "Model parameters. A number fixes the parameter in every member; [low, high] samples "
        "that range. Parameters not named are sampled over their plausible range. Values must "
        "lie inside the parameter's hard bounds (shares and probabilities: 0 to 1). "
        f"`nato-socialism params` lists all {len(reg)} parameters with default, plausible "
        "range, unit and source."
    )
    out.append("[parameters]")
    examples = []
    for name, how in _TEMPLATE_PARAMETERS:
        p = reg[name]
        value = [p.low, p.high] if how == "range" else p.default
        about = f"{p.mechanism}, {p.unit}; default {p.default:g}, plausible {p.low:g} to {p.high:g}"
        examples.append((f"{name} = {toml_value(value)}", about))
    out += [*_commented(examples), ""]

    out += _prose(
        "Mechanisms (M1 to M12) and named terms of them: false turns one off. A term is also "
        "off when its mechanism is."
    )
    out.append("[mechanisms]")
    switches = [
        (f"{switch} = true", f"{m}: {meaning}") for m, (switch, meaning) in MECHANISMS.items()
    ]
    switches += [(f"{term} = true", meaning) for term, meaning in TERMS.items()]
    out += [*_commented(switches), ""]

    out += _prose(
        "Controls of the custom doctrine, each within the range shown; unset controls keep the "
        "values shown (nato_first's)."
    )
    out.append("[controls.custom]")
    controls = []
    for name, value in custom_values(DOCTRINES["custom"].spec).items():
        low, high, meaning = CUSTOM_CONTROLS[name]
        controls.append((f"{name} = {toml_value(value)}", f"{low:g} to {high:g}: {meaning}"))
    controls.append(('targets = ["nato"]', f"bloc list, relocation targets instead of relocation_to_nato: "
                                           f"{', '.join(BLOC_IDS)}"))
    out += [*_commented(controls), ""]

    out += _prose(
        "Bloc membership overrides, one table per bloc: add = {ISO3 = year} makes a country a "
        "member from that year on; remove = {ISO3 = year} ends its membership from that year "
        f"on. Blocs: {', '.join(OVERRIDABLE)} (developing is always the rest). A bloc names a "
        "country once."
    )
    out += ["# [blocs.nato]", "# add = {UKR = 2035}", "# remove = {TUR = 2040}", ""]

    out += _prose(
        "Scheduled events, one [[events]] table each: year (start_year <= year < start_year + "
        "horizon), country (ISO3 code; `nato-socialism countries` lists them) and kind:"
    )
    out += _prose("- transition: the country becomes a democratic socialist republic that year;")
    out += _prose(f"- regime: the country gets regime = {describe(Literal[REGIME_NAMES])};", "  ")
    out += _prose(
        f"- {', '.join(POLICY_EVENTS)}: the country's control is fixed at value (a share, 0 to "
        "1) from that year on;",
        "  ",
    )
    out += _prose(
        '- join_bloc, leave_bloc: the country joins or leaves bloc = "<bloc id>", as in [blocs].',
        "  ",
    )
    for event in _TEMPLATE_EVENTS:
        out += ["# [[events]]", *(f"# {key} = {toml_value(value)}" for key, value in event.items())]
    return "\n".join(out) + "\n"


def write_scenario_template(path: str | Path, *, force: bool = False) -> Path:
    """Write :func:`scenario_template` to ``path`` atomically.

    Parameters
    ----------
    path
        File to write.
    force
        Overwrite an existing file.

    Raises
    ------
    UserError
        If the file exists and ``force`` is false, or its folder does not exist.
    """
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name such as {path / 'scenario.toml'}.")
    if path.exists() and not force:
        raise UserError(f"{path} already exists; pass --force to overwrite it.")
    if not path.parent.is_dir():
        raise UserError(f"Cannot write {path}: folder {path.parent} does not exist.")
    try:
        atomic.atomic_write_text(path, scenario_template())
    except OSError as err:
        raise UserError(f"Cannot write {path}: {err.strerror or err}.") from None
    return path
