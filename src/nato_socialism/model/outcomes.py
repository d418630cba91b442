"""Outcomes of the brief (section 4), per member, each with a declared direction.

Every outcome is computed from the yearly series and counters of
:class:`~nato_socialism.model.simulate.ChunkResult`. "Never" (a threshold not reached within
the horizon) is encoded as NaN (null in stored tables); summaries report the share of
members that reach it beside the median over those that do, and paired comparisons treat
"never" as later than any year of the run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .simulate import PRIMARY_BLOCS, ChunkResult


@dataclass(frozen=True)
class Outcome:
    """An outcome: name, direction ('higher', 'lower' or 'none' if descriptive), unit, meaning."""

    name: str
    direction: str
    unit: str
    doc: str
    nullable: bool = False


_O = Outcome
OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        _O("year_demsoc_25", "lower", "year", "first year democratic socialism governs 25 % of world population", True),
        _O("year_demsoc_50", "lower", "year", "first year democratic socialism governs 50 % of world population", True),
        _O("year_demsoc_90", "lower", "year", "first year democratic socialism governs 90 % of world population", True),
        _O("demsoc_share_end", "higher", "share", "world population share under democratic socialism at the end"),
        _O("demsoc_share_peak", "higher", "share", "peak world population share under democratic socialism"),
        _O("bureaucratic_share_end", "lower", "share",
           "world population share under bureaucratic class regimes at the end"),
        _O("bureaucratic_share_peak", "lower", "share", "peak world population share under bureaucratic class regimes"),
        _O("transitions", "none", "count", "transitions into democratic socialism"),
        _O("reversions", "lower", "count", "democratic socialist republics lost to reaction or voted out"),
        _O("degenerations", "lower", "count", "democratic socialisms degenerated into bureaucratic class regimes"),
        _O("bureaucratic_outcomes", "lower", "count", "transitions that ended at once in a bureaucratic class regime"),
        _O("first_world_breakdowns", "lower", "count",
           "reversions and degenerations of first-world socialist republics"),
        _O("first_world_years_lost", "lower", "billion person-years",
           "first-world population-years lost from democratic socialism after it was reached"),
        _O("first_world_stability", "higher", "share",
           "first-world socialist population-years kept / (kept + lost); null if no first-world transition", True),
        _O("first_world_living_growth", "higher", "%/year", "annual growth of the first world's living standard"),
        _O("first_world_living_drawdown", "higher", "share",
           "worst fall of the first world's living standard from its previous peak (0 = none, -0.1 = a 10 % fall)"),
        _O("world_poverty_end", "lower", "share", "world extreme-poverty share at the end"),
        _O("world_poverty_mean", "lower", "share", "mean world extreme-poverty share over the run"),
        _O("displaced_person_years", "lower", "billion person-years", "displaced person-years over the run"),
        *(
            _O(f"year_bloc_{b}", "lower", "year",
               f"first year half of the {b} bloc's population is democratic socialist", True)
            for b in PRIMARY_BLOCS
        ),
        _O("essay_sequence", "none", "0/1",
           "1 if the periphery turns (50 %) before BRIC and BRIC before the developing world, as the essay predicts"),
    )
}


def _first_year(series: np.ndarray, threshold: float, start_year: int) -> np.ndarray:
    reached = series >= threshold
    idx = reached.argmax(axis=1)
    return np.where(reached.any(axis=1), start_year + idx, np.nan).astype(np.float64)


def member_outcomes(chunk: ChunkResult, start_year: int) -> dict[str, np.ndarray]:
    """Every outcome for each member of a chunk: name -> (members,) float array."""
    s, c = chunk.series, chunk.counters
    out: dict[str, np.ndarray] = {}
    for pct in (25, 50, 90):
        out[f"year_demsoc_{pct}"] = _first_year(s["demsoc_share"], pct / 100.0, start_year)
    out["demsoc_share_end"] = s["demsoc_share"][:, -1]
    out["demsoc_share_peak"] = s["demsoc_share"].max(axis=1)
    out["bureaucratic_share_end"] = s["bureaucratic_share"][:, -1]
    out["bureaucratic_share_peak"] = s["bureaucratic_share"].max(axis=1)
    for k in ("transitions", "reversions", "degenerations", "bureaucratic_outcomes"):
        out[k] = c[k].astype(np.float64)
    out["first_world_breakdowns"] = c["first_world_reversions"] + c["first_world_degenerations"]
    held, lost = c["first_world_demsoc_pop_years"], c["first_world_lost_pop_years"]
    out["first_world_years_lost"] = lost / 1e9
    total = held + lost
    out["first_world_stability"] = np.divide(held, total, out=np.full_like(total, np.nan), where=total > 0)
    living = s["first_world_living"]
    years = living.shape[1] - 1
    out["first_world_living_growth"] = 100.0 * np.log(living[:, -1] / living[:, 0]) / years
    out["first_world_living_drawdown"] = (living / np.maximum.accumulate(living, axis=1) - 1.0).min(axis=1)
    out["world_poverty_end"] = s["world_poverty"][:, -1]
    out["world_poverty_mean"] = s["world_poverty"].mean(axis=1)
    out["displaced_person_years"] = s["displaced"][:, 1:].sum(axis=1) / 1e9
    turn = {}
    for i, b in enumerate(PRIMARY_BLOCS):
        turn[b] = _first_year(chunk.bloc_share[:, :, i], 0.5, start_year)
        out[f"year_bloc_{b}"] = turn[b]
    never = start_year + years + 1

    def t(b):
        return np.nan_to_num(turn[b], nan=never)

    out["essay_sequence"] = (
        ~np.isnan(turn["periphery"]) & (t("periphery") <= t("bric")) & (t("bric") <= t("developing"))
    ).astype(np.float64)
    assert set(out) == set(OUTCOMES)
    return out
