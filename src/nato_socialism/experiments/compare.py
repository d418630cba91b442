"""Summaries and paired comparisons of doctrines over an ensemble.

Doctrines run on common random numbers (same members, parameter draws and member seeds), so
for each member the difference between two doctrines is a paired difference. For each
doctrine and outcome we report the median with a 90 % interval (5th-95th percentile) over
members, the mean and the Monte Carlo standard error of the median (spread of the medians of
10 member batches / sqrt(10)); for each ordered pair (A, B) the median paired difference
A - B with its 90 % interval, P(A better than B) (ties count half) and its 90 % Wilson score
interval over members (Wilson 1927), which unlike the Wald interval ``p +- z sqrt(p (1 - p) / n)``
does not collapse to a point when every member (or none) favours A. Year outcomes that are
never reached count as later than any year of the run in comparisons; other nullable
outcomes compare only members where both are defined.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..model.outcomes import OUTCOMES

BATCHES = 10


def _batch_se(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    if len(values) < 2 * BATCHES:
        return float("nan")
    medians = [np.median(b) for b in np.array_split(values, BATCHES)]
    return float(np.std(medians, ddof=1) / np.sqrt(BATCHES))


def summarize(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per doctrine and outcome: n, reached, median, p05, p95, mean, mc_se."""
    rows = []
    for doctrine, group in outcomes.groupby("doctrine", sort=False):
        group = group.sort_values("member")
        for name, o in OUTCOMES.items():
            v = group[name].to_numpy(dtype=np.float64)
            ok = v[~np.isnan(v)]
            rows.append({
                "doctrine": doctrine, "outcome": name, "direction": o.direction, "unit": o.unit,
                "n": len(v), "reached": len(ok) / len(v) if len(v) else np.nan,
                "median": np.median(ok) if len(ok) else np.nan,
                "p05": np.percentile(ok, 5) if len(ok) else np.nan,
                "p95": np.percentile(ok, 95) if len(ok) else np.nan,
                "mean": ok.mean() if len(ok) else np.nan,
                "mc_se": _batch_se(v),
            })
    return pd.DataFrame(rows)


def comparable(values: pd.Series, name: str, never_year: float) -> np.ndarray:
    """Outcome values ready for paired comparison: a never-reached year counts as ``never_year``."""
    v = values.to_numpy(dtype=np.float64)
    if OUTCOMES[name].nullable and OUTCOMES[name].unit == "year":
        v = np.nan_to_num(v, nan=never_year)
    return v


def _wilson90(p: float, n: int) -> dict:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(p * n, n, alpha=0.10, method="wilson")
    return {"p_low": float(low) if p > 0 else 0.0, "p_high": float(high) if p < 1 else 1.0}


def compare(outcomes: pd.DataFrame, never_year: float) -> pd.DataFrame:
    """Paired comparisons for every ordered pair of doctrines and every outcome with a direction."""
    wide = {d: g.set_index("member").sort_index() for d, g in outcomes.groupby("doctrine", sort=False)}
    rows = []
    for a, b in itertools.permutations(wide, 2):
        ga, gb = wide[a], wide[b]
        common = ga.index.intersection(gb.index)
        ga, gb = ga.loc[common], gb.loc[common]  # once per pair, not once per outcome
        for name, o in OUTCOMES.items():
            if o.direction == "none":
                continue
            va = comparable(ga[name], name, never_year)
            vb = comparable(gb[name], name, never_year)
            ok = ~(np.isnan(va) | np.isnan(vb))
            d = va[ok] - vb[ok]
            n = int(ok.sum())
            if n == 0:
                rows.append({"a": a, "b": b, "outcome": name, "direction": o.direction, "n": 0})
                continue
            better = d > 0 if o.direction == "higher" else d < 0
            p = (better.sum() + 0.5 * (d == 0).sum()) / n
            rows.append({
                "a": a, "b": b, "outcome": name, "direction": o.direction, "n": n,
                "diff_median": float(np.median(d)), "diff_p05": float(np.percentile(d, 5)),
                "diff_p95": float(np.percentile(d, 95)), "diff_mean": float(d.mean()),
                "diff_mean_se": float(d.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan,
                "p_a_better": float(p), **_wilson90(p, n),
            })
    return pd.DataFrame(rows)
