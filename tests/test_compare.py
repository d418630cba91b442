"""Paired comparisons: P(A better) with a Wilson interval that does not collapse at 0 or 1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nato_socialism.experiments.compare import compare
from nato_socialism.model.outcomes import OUTCOMES


def _outcomes(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    rows = []
    for doctrine, values in (("nato_first", a), ("open_solidarity", b)):
        frame = pd.DataFrame({name: np.zeros(len(values)) for name in OUTCOMES})
        frame["poverty_years_830"] = values
        frame.insert(0, "doctrine", doctrine)
        frame.insert(0, "member", np.arange(len(values)))
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def _row(frame: pd.DataFrame) -> pd.Series:
    out = compare(frame, never_year=2124)
    return out[(out.a == "nato_first") & (out.outcome == "poverty_years_830")].iloc[0]


def test_every_member_favours_a_yet_the_interval_has_width():
    z = 1.6448536  # 90 %
    row = _row(_outcomes(np.full(20, 0.1), np.full(20, 0.2)))  # lower poverty is better
    assert row.p_a_better == 1 and row.p_high == 1
    assert row.p_low == pytest.approx(20 / (20 + z**2), abs=1e-6)  # Wilson's lower end at p = 1


def test_wilson_interval_known_value_with_ties():
    a = np.array([0.1] * 12 + [0.3] * 5 + [0.2] * 3)  # 12 better, 5 worse, 3 ties -> p = 13.5 / 20
    row = _row(_outcomes(a, np.full(20, 0.2)))
    assert row.p_a_better == pytest.approx(0.675)
    z, n, p = 1.6448536, 20, 0.675
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert (row.p_low, row.p_high) == pytest.approx((centre - half, centre + half), abs=1e-6)
