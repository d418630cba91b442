"""Outcomes of the brief (section 4), per member, each with a declared direction.

Every outcome is computed from the yearly series and counters of
:class:`~nato_socialism.model.simulate.ChunkResult`. "Never" (a threshold not reached within
the horizon) is encoded as NaN (null in stored tables); summaries report the share of
members that reach it beside the median over those that do, and paired comparisons treat
"never" as later than any year of the run. Rates per 100 socialist country-years are
undefined (NaN) for a member with no such years; each is reported with its n beside an
unconditional companion (the exposure itself, ``*_socialist_years``).

Counts of failures are not scaled by exposure (a doctrine that founds no republic loses
none), so they are descriptive (direction ``none``); the rates carry the judgement.
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
#: Share thresholds of world population under democratic socialism (years to reach them).
SHARE_STEPS = (5, 10, 25, 50)
OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        *(
            _O(f"year_demsoc_{pct}", "lower", "year",
               f"first year democratic socialism governs {pct} % of world population", True)
            for pct in SHARE_STEPS
        ),
        _O("demsoc_pop_years", "higher", "billion person-years",
           "cumulative population-years under democratic socialism"),
        _O("demsoc_share_end", "higher", "share", "world population share under democratic socialism at the end"),
        _O("demsoc_share_peak", "higher", "share", "peak world population share under democratic socialism"),
        _O("bureaucratic_share_end", "lower", "share",
           "world population share under bureaucratic class regimes at the end"),
        _O("bureaucratic_share_mean", "lower", "share",
           "mean world population share under bureaucratic class regimes"),
        _O("reactionary_share_mean", "lower", "share", "mean world population share under reactionary regimes"),
        _O("reactionary_share_peak", "lower", "share", "peak world population share under reactionary regimes"),
        _O("autocracy_share_mean", "lower", "share",
           "mean world population share under any autocracy (capitalist, bureaucratic, reactionary)"),
        _O("transitions", "none", "count", "transitions into democratic socialism"),
        _O("reactionary_reversions", "none", "count", "democratic socialist republics lost to reactionary regimes"),
        _O("degenerations", "none", "count", "democratic socialisms degenerated into bureaucratic class regimes"),
        _O("electoral_alternations", "none", "count",
           "democratic socialist governments voted out (alternation, not a failure)"),
        _O("bureaucratic_outcomes", "none", "count", "transitions that ended at once in a bureaucratic class regime"),
        _O("failure_rate", "lower", "per 100 country-years",
           "(reactionary reversions + degenerations) per 100 socialist country-years; null without any", True),
        _O("socialist_years", "higher", "country-years", "democratic socialist country-years (exposure of the rates)"),
        _O("first_world_failure_rate", "lower", "per 100 country-years",
           "first-world (reactionary reversions + degenerations) per 100 first-world socialist country-years",
           True),
        _O("first_world_reversion_rate", "lower", "per 100 country-years",
           "first-world reactionary reversions per 100 first-world socialist country-years", True),
        _O("first_world_degeneration_rate", "lower", "per 100 country-years",
           "first-world degenerations per 100 first-world socialist country-years", True),
        _O("first_world_alternation_rate", "none", "per 100 country-years",
           "first-world electoral alternations per 100 first-world socialist country-years (not a failure)", True),
        _O("first_world_socialist_years", "higher", "country-years",
           "first-world democratic socialist country-years (exposure of the first-world rates)"),
        _O("first_world_living_growth", "higher", "%/year", "annual growth of the first world's living standard"),
        _O("first_world_living_drawdown", "higher", "share",
           "worst fall of the first world's living standard from its previous peak (0 = none, -0.1 = a 10 % fall)"),
        _O("world_living_mean", "higher", "2021 PPP $/year", "mean world living standard (consumption per head)"),
        _O("poverty_years_300", "lower", "billion person-years", "person-years below $3.00 a day (2021 PPP)"),
        _O("poverty_years_830", "lower", "billion person-years", "person-years below $8.30 a day (2021 PPP)"),
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


def _rate(events: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """Events per 100 exposure years; NaN where there is no exposure."""
    return np.divide(100.0 * events, exposure, out=np.full_like(exposure, np.nan, dtype=np.float64),
                     where=exposure > 0)


def _person_years(share: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """Billion person-years over the run's years (the yearly values after each year)."""
    return (share[:, 1:] * pop[:, 1:]).sum(axis=1) / 1e9


def member_outcomes(chunk: ChunkResult, start_year: int) -> dict[str, np.ndarray]:
    """Every outcome for each member of a chunk: name -> (members,) float array."""
    s, c = chunk.series, chunk.counters
    pop = s["world_pop"]
    out: dict[str, np.ndarray] = {}
    for pct in SHARE_STEPS:
        out[f"year_demsoc_{pct}"] = _first_year(s["demsoc_share"], pct / 100.0, start_year)
    out["demsoc_pop_years"] = _person_years(s["demsoc_share"], pop)
    out["demsoc_share_end"] = s["demsoc_share"][:, -1]
    out["demsoc_share_peak"] = s["demsoc_share"].max(axis=1)
    out["bureaucratic_share_end"] = s["bureaucratic_share"][:, -1]
    out["bureaucratic_share_mean"] = s["bureaucratic_share"][:, 1:].mean(axis=1)
    out["reactionary_share_mean"] = s["reactionary_share"][:, 1:].mean(axis=1)
    out["reactionary_share_peak"] = s["reactionary_share"].max(axis=1)
    out["autocracy_share_mean"] = s["autocracy_share"][:, 1:].mean(axis=1)
    out["transitions"] = c["transitions"].astype(np.float64)
    out["reactionary_reversions"] = c["reversions"].astype(np.float64)
    out["degenerations"] = c["degenerations"].astype(np.float64)
    out["electoral_alternations"] = c["electoral_losses"].astype(np.float64)
    out["bureaucratic_outcomes"] = c["bureaucratic_outcomes"].astype(np.float64)
    years_soc = c["socialist_country_years"].astype(np.float64)
    out["failure_rate"] = _rate(c["reversions"] + c["degenerations"], years_soc)
    out["socialist_years"] = years_soc
    fw_years = c["first_world_socialist_country_years"].astype(np.float64)
    out["first_world_failure_rate"] = _rate(c["first_world_reversions"] + c["first_world_degenerations"], fw_years)
    out["first_world_reversion_rate"] = _rate(c["first_world_reversions"], fw_years)
    out["first_world_degeneration_rate"] = _rate(c["first_world_degenerations"], fw_years)
    out["first_world_alternation_rate"] = _rate(c["first_world_electoral_losses"], fw_years)
    out["first_world_socialist_years"] = fw_years
    living = s["first_world_living"]
    years = living.shape[1] - 1
    out["first_world_living_growth"] = 100.0 * np.log(living[:, -1] / living[:, 0]) / years
    out["first_world_living_drawdown"] = (living / np.maximum.accumulate(living, axis=1) - 1.0).min(axis=1)
    out["world_living_mean"] = s["world_living"][:, 1:].mean(axis=1)
    out["poverty_years_300"] = _person_years(s["world_poverty"], pop)
    out["poverty_years_830"] = _person_years(s["world_poverty_upper"], pop)
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
