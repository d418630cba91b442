"""Numbers as short text, shared by the interfaces (terminal tables, the HTML report)."""

from __future__ import annotations

import math


def fmt(value: float | None, unit: str = "") -> str:
    """Compact text of a value in a unit: years whole, shares and probabilities in %, persons in millions."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "never" if unit == "year" else "-"
    if unit == "year":
        return f"{value:.0f}"
    if unit in ("share", "probability"):
        return f"{100 * value:.1f}%"
    if unit == "persons":
        return f"{value / 1e6:,.2f} M"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def summary_cell(row, outcome) -> str:
    """``median [p05, p95]`` of a summary row (``experiments.compare.summarize``).

    A nullable outcome that some members never reach gets the share that do.
    """
    unit = outcome.unit
    cell = f"{fmt(row['median'], unit)} [{fmt(row['p05'], unit)}, {fmt(row['p95'], unit)}]"
    if outcome.nullable and row["reached"] < 1:
        cell += f" ({100 * row['reached']:.0f}% reach)"
    return cell


def pair_cell(row) -> str:
    """Mean paired difference ± 90 % Monte Carlo interval and P(A better) of a comparison row."""
    if row["n"] == 0:
        return "-"
    return f"Δ {fmt(row['diff_mean'])} ±{fmt(1.645 * row['diff_mean_se'])}  P={row['p_a_better']:.2f}"
