"""Markdown report of the anchors and the hindcast (``docs/validation.md``, ``make validation``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .anchors import Anchor, fmt_range
from .calibrate import Calibration
from .hindcast import BASELINES, POPULATION_FIXED, HindcastResult

_VARIABLE_LABELS = {
    "log_gdppc": "log GDP per head",
    "log_population": "log population",
    "democracy": "democracy level (0-1)",
    "regime": "regime (Brier, democracy or not)",
}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _num(x: float, digits: int = 3) -> str:
    return "-" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


#: Labels counted as validation (the rest are input consistency).
VALIDATION_LABELS = ("emergent", "out-of-sample")


def split(checks: Sequence[Anchor]) -> tuple[list[Anchor], list[Anchor]]:
    """(validation, input consistency): emergent and out-of-sample checks, then the inputs."""
    validation = [a for a in checks if a.label in VALIDATION_LABELS]
    return validation, [a for a in checks if a.label not in VALIDATION_LABELS]


def headline(checks: Sequence[Anchor]) -> str:
    """The headline count: validation checks only."""
    validation, inputs = split(checks)
    passed = sum(a.verdict == "PASS" for a in validation)
    return (f"Validation: {passed} of {len(validation)} checks pass (emergent or out of sample). "
            f"Input consistency: {sum(a.verdict == 'PASS' for a in inputs)} of {len(inputs)} "
            "(figures a parameter was set from; they check the implementation, not the fit to the world).")


def anchors_markdown(anchors: Sequence[Anchor]) -> str:
    """The checks as a Markdown table, then one note per check."""
    lines = [
        "| check | label | published (source) | panel data | model [90 % interval] | tolerance | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for a in anchors:
        lines.append("| " + " | ".join(_cell(x) for x in (
            f"`{a.name}`", a.label, f"{a.published.text} ({a.source})", a.data.text, a.model.text,
            fmt_range(a.tolerance, a.unit), f"**{a.verdict}**")) + " |")
    lines += ["", "What each check measures:", ""]
    for a in anchors:
        lines.append(f"* `{a.name}` ({a.label}, {a.verdict}): {a.description}. "
                     f"Tolerance: {a.tolerance_reason}. {a.note}".rstrip())
    return "\n".join(lines) + "\n"


def calibration_markdown(cal: Calibration, start_year: int, fixed: Sequence[str] = ()) -> str:
    """The fitted parameters of a calibration, stated for runs starting in ``start_year``; ``fixed`` are not sampled."""
    lines = [
        "| parameter | estimate (s.e.) | value used | interval sampled | estimator |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, e in cal.at(start_year).items():
        sampled = "none (fixed at the value)" if name in fixed else f"{e.low:.4g} to {e.high:.4g}"
        lines.append(f"| `{name}` | {e.estimate:.4g} ({e.se:.2g}) | {e.value:.4g} | {sampled} | {_cell(e.method)} |")
    return "\n".join(lines) + "\n"


def hindcast_markdown(h: HindcastResult) -> str:
    """Skill table (world and regions) and the notes of a hindcast."""
    lines = [f"Hindcast {h.start}-{h.end}: " + " ".join(h.notes()), ""]
    head = ["region", "variable", "countries", "model error", *(f"{b} error" for b in BASELINES),
            *(f"skill vs {b}" for b in BASELINES)]
    lines += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in h.per_region.itertuples():
        lines.append("| " + " | ".join([
            r.region, _VARIABLE_LABELS[r.variable], str(r.countries), _num(r.error_model),
            *(_num(getattr(r, f"error_{b}")) for b in BASELINES),
            *(_num(getattr(r, f"skill_vs_{b}"), 2) for b in BASELINES)]) + " |")
    lines += ["", "What this documentation claims of this hindcast (asserted by `tests/test_validation_doc.py` "
              f"on the full {h.start}-{h.end} window):", ""]
    lines += [f"* {text}: {'holds' if holds else '**does not hold**'}" for text, holds in h.claims()]
    lines += ["", uncertainty_markdown(h), "",
              f"Background parameters used (fitted on {h.calibration.fit[0]}-{h.calibration.fit[1]}, "
              f"stated for {h.start}):", "", calibration_markdown(h.calibration, h.start, POPULATION_FIXED)]
    return "\n".join(lines)


def uncertainty_markdown(h: HindcastResult) -> str:
    """Coverage of the 90 % band, CRPS and PIT of the model and the baselines."""
    lines = [
        f"Calibration of the uncertainty: share of the {h.end} observations inside the 90 % band, with the share "
        "a calibrated forecast would put there (the band of m members runs from the ceil(0.05 (m+1))-th to the "
        "floor(0.95 (m+1))-th smallest member, nominally (hi - lo) / (m + 1); the normal forecast's 5-95 % band for "
        "the baselines); mean CRPS over the years after the start (lower is better; same units as the error "
        "table); and the PIT histogram of the last year (randomized rank PIT for the ensembles, in tenths: a "
        "calibrated forecast puts about a tenth in each, 20 % in the two outer tenths). The baselines are made "
        "probabilistic with their own errors: normal around the point forecast, with the s.d. their errors had h "
        "years ahead when issued in the middle of the fit window and scored on its second half (pooled over "
        "countries, extended to longer horizons by a power law in h). The model without structural noise is "
        "the same members with the switch `background_structural_noise` off and `pop_growth_persistence` = 0.",
        "",
        "| variable | forecast | countries | in the 90 % band | nominal | CRPS | PIT in the outer tenths "
        "| PIT histogram |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in h.uncertainty.itertuples():
        lines.append(f"| {_VARIABLE_LABELS[r.variable]} | {r.forecast} | {r.countries} | {100 * r.coverage90:.0f} % | "
                     f"{100 * r.nominal:.0f} % | {r.crps:.4f} | {100 * r.pit_outer:.0f} % | "
                     f"{' '.join(str(c) for c in r.pit_histogram)} |")
    return "\n".join(lines) + "\n"


def document(anchors: Sequence[Anchor], hindcast: HindcastResult | None, meta: dict) -> str:
    """The whole ``docs/validation.md``."""
    checks = [*anchors, *(hindcast.checks if hindcast is not None else [])]
    validation, inputs = split(checks)
    parts = [
        "# Validation",
        "",
        "Generated by `make validation` (`nato-socialism validate --markdown docs/validation.md`); do not edit "
        "by hand; `tests/test_validation_doc.py` regenerates it and fails when it is out of date. "
        + ", ".join(f"{k}: {v}" for k, v in meta.items()) + ".",
        "",
        "Checks come under two headings. **Validation** counts only what can fail: *emergent* figures the model "
        "produces from other parts, and *out-of-sample* figures of the 1990-2019 hindcast, whose background "
        "parameters (M11) were refitted on 1960-1989 only, against the panel's 1990-2019. **Input consistency** "
        "lists the figures a "
        "parameter was set from: agreement there is by construction and checks the implementation. Every "
        "tolerance is stated with its reason in the code (`src/nato_socialism/validation/anchors.py`, "
        "`src/nato_socialism/validation/checks.py`), was written before the model's figure was computed, and is "
        "not tuned; published ranges are shown as published. A FAIL is reported as it is, and "
        "`tests/test_validation_doc.py` pins every verdict, so a change that flips one is seen. Verdicts near "
        "a bound also flip with the seed (over 8 seeds, before the last changes: `regime_transitions`, "
        "`democracy_country_share_2019` and `growth_negative_share`).",
        "",
        "Przeworski's bands are in 1985 PPP $; the model's unit is 2021 PPP $. The bands are converted with the "
        "registry's `ppp1985_to_2021` (US GDP deflator 2021/1985).",
        "",
        headline(checks),
        "",
        "## Validation",
        "",
        anchors_markdown(validation),
        "## Input consistency",
        "",
        anchors_markdown(inputs),
    ]
    if hindcast is not None:
        parts += ["## Hindcast", "", hindcast_markdown(hindcast)]
    return "\n".join(parts)
