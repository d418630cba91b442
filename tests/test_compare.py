"""Known answers for every statistic of ``experiments/compare.py`` on hand-computed fixtures.

Each expected number is worked out by hand in the comment beside it (np.percentile's default
is linear interpolation: the q-th percentile of n sorted values sits at position q (n - 1)).
z = 1.6448536 is the two-sided 90 % normal quantile, z^2 = 2.7055435.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nato_socialism.experiments.compare import comparable, compare, summarize
from nato_socialism.model.outcomes import OUTCOMES

Z = 1.6448536
NEVER = 2124


def _frame(doctrines: dict[str, dict[str, list]], members: dict[str, list] | None = None) -> pd.DataFrame:
    """An outcomes table: every outcome 0 except those given, per doctrine (members 0.. unless given)."""
    rows = []
    for doctrine, given in doctrines.items():
        n = len(next(iter(given.values())))
        frame = pd.DataFrame({name: np.zeros(n) for name in OUTCOMES})
        for name, values in given.items():
            frame[name] = np.asarray(values, dtype=np.float64)
        frame.insert(0, "doctrine", doctrine)
        frame.insert(0, "member", (members or {}).get(doctrine, np.arange(n)))
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def _outcomes(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    return _frame({"nato_first": {"poverty_years_830": a}, "open_solidarity": {"poverty_years_830": b}})


def _pair(frame: pd.DataFrame, outcome: str, a: str = "nato_first") -> pd.Series:
    out = compare(frame, never_year=NEVER)
    return out[(out.a == a) & (out.outcome == outcome)].iloc[0]


def _summary(frame: pd.DataFrame, outcome: str, doctrine: str = "nato_first") -> pd.Series:
    out = summarize(frame)
    return out[(out.doctrine == doctrine) & (out.outcome == outcome)].iloc[0]


# ---------------------------------------------------------------------------- P(A better) and Wilson
def test_every_member_favours_a_yet_the_interval_has_width():
    row = _pair(_outcomes(np.full(20, 0.1), np.full(20, 0.2)), "poverty_years_830")  # lower is better
    assert row.p_a_better == 1 and row.p_high == 1
    # Wilson's lower end at p = 1: n / (n + z^2) = 20 / 22.7055435 = 0.8808422
    assert row.p_low == pytest.approx(0.8808422, abs=1e-6)
    other = _pair(_outcomes(np.full(20, 0.1), np.full(20, 0.2)), "poverty_years_830", a="open_solidarity")
    # p = 0: the interval is [0, z^2 / (n + z^2)] = [0, 2.7055435 / 22.7055435] = [0, 0.1191578]
    assert other.p_a_better == 0 and other.p_low == 0
    assert other.p_high == pytest.approx(0.1191578, abs=1e-6)


def test_wilson_interval_known_value_with_ties():
    a = np.array([0.1] * 12 + [0.3] * 5 + [0.2] * 3)  # 12 better, 5 worse, 3 ties -> p = 13.5 / 20
    row = _pair(_outcomes(a, np.full(20, 0.2)), "poverty_years_830")
    assert row.p_a_better == pytest.approx(0.675)
    z, n, p = Z, 20, 0.675
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert (row.p_low, row.p_high) == pytest.approx((centre - half, centre + half), abs=1e-6)


def test_higher_is_better_outcome_paired_differences_ties_and_interval():
    frame = _frame({"nato_first": {"demsoc_share_end": [0.3, 0.2, 0.5, 0.1]},
                    "open_solidarity": {"demsoc_share_end": [0.1, 0.2, 0.4, 0.3]}})
    row = _pair(frame, "demsoc_share_end")
    # d = A - B = [0.2, 0, 0.1, -0.2]; higher is better: 2 better, 1 tie, 1 worse
    assert row.n == 4 and row.direction == "higher"
    assert row.p_a_better == pytest.approx(0.625)  # (2 + 0.5) / 4
    # sorted d = [-0.2, 0, 0.1, 0.2]: median (0 + 0.1) / 2; p05 at position 0.15: -0.2 + 0.15 * 0.2;
    # p95 at position 2.85: 0.1 + 0.85 * 0.1; mean 0.1 / 4
    assert row.diff_median == pytest.approx(0.05)
    assert row.diff_p05 == pytest.approx(-0.17)
    assert row.diff_p95 == pytest.approx(0.185)
    assert row.diff_mean == pytest.approx(0.025)
    # deviations [0.175, -0.025, 0.075, -0.225], squares sum 0.0875; sd = sqrt(0.0875 / 3); se = sd / sqrt(4)
    assert row.diff_mean_se == pytest.approx(0.0853913, abs=1e-7)
    # Wilson at p = 0.625, n = 4: centre (0.625 + z^2/8) / (1 + z^2/4) = 0.9631929 / 1.6763859 = 0.5745652;
    # half z / 1.6763859 * sqrt(0.625 * 0.375 / 4 + z^2 / 64) = 0.9811903 * 0.3175970 = 0.3116231
    assert row.p_low == pytest.approx(0.2629421, abs=1e-6)
    assert row.p_high == pytest.approx(0.8861883, abs=1e-6)
    back = _pair(frame, "demsoc_share_end", a="open_solidarity")  # B - A = [-0.2, 0, -0.1, 0.2]
    assert back.p_a_better == pytest.approx(0.375)  # (1 + 0.5) / 4 = 1 - 0.625
    assert back.diff_median == pytest.approx(-0.05) and back.diff_mean == pytest.approx(-0.025)
    # the Wilson interval of 1 - p mirrors that of p: [1 - 0.8861883, 1 - 0.2629421]
    assert (back.p_low, back.p_high) == pytest.approx((0.1138117, 0.7370579), abs=1e-6)


def test_never_reached_year_counts_as_later_than_the_run():
    frame = _frame({"nato_first": {"year_demsoc_50": [2050, np.nan, np.nan, 2100]},
                    "open_solidarity": {"year_demsoc_50": [2060, 2080, np.nan, np.nan]}})
    row = _pair(frame, "year_demsoc_50")
    # never -> 2124: A = [2050, 2124, 2124, 2100], B = [2060, 2080, 2124, 2124]; d = [-10, 44, 0, -24]
    # earlier is better: members 0 and 3 favour A, member 2 (both never) is a tie -> (2 + 0.5) / 4
    assert row.n == 4 and row.p_a_better == pytest.approx(0.625)
    assert row.diff_median == pytest.approx(-5.0)  # sorted [-24, -10, 0, 44]: (-10 + 0) / 2
    assert row.diff_mean == pytest.approx(2.5)  # 10 / 4


def test_other_nullable_outcomes_compare_only_members_where_both_are_defined():
    frame = _frame({"nato_first": {"first_world_failure_rate": [1.0, np.nan, 2.0, 0.5]},
                    "open_solidarity": {"first_world_failure_rate": [2.0, 1.0, np.nan, 0.5]}})
    row = _pair(frame, "first_world_failure_rate")
    # members 0 and 3 only: d = [-1, 0]; lower is better: 1 better + 1 tie -> 1.5 / 2
    assert row.n == 2 and row.p_a_better == pytest.approx(0.75)
    assert row.diff_mean == pytest.approx(-0.5)
    assert row.diff_mean_se == pytest.approx(0.5)  # sd sqrt((0.25 + 0.25) / 1) / sqrt(2)
    # Wilson at p = 0.75, n = 2: centre (0.75 + z^2/4) / (1 + z^2/2) = 1.4263859 / 2.3527718 = 0.6062577;
    # half z / 2.3527717 * sqrt(0.1875 / 2 + z^2 / 16) = 0.6991131 * 0.5126855 = 0.3584252
    assert (row.p_low, row.p_high) == pytest.approx((0.2478325, 0.9646829), abs=1e-6)


def test_single_and_no_comparable_member():
    one = _frame({"nato_first": {"failure_rate": [1.0, np.nan]}, "open_solidarity": {"failure_rate": [3.0, 2.0]}})
    row = _pair(one, "failure_rate")
    assert row.n == 1 and row.p_a_better == 1.0 and row.diff_mean == -2.0  # 1 - 3
    assert np.isnan(row.diff_mean_se)  # no spread from one member
    none = _frame({"nato_first": {"failure_rate": [np.nan, np.nan]}, "open_solidarity": {"failure_rate": [3.0, 2.0]}})
    row = _pair(none, "failure_rate")
    assert row.n == 0 and np.isnan(row.p_a_better) and np.isnan(row.diff_median)


def test_pairs_use_common_members_in_member_order_whatever_the_row_order():
    frame = _frame({"nato_first": {"poverty_years_300": [5.0, 1.0, 2.0, 3.0]},
                    "open_solidarity": {"poverty_years_300": [2.0, 2.0, 2.0, 9.0]}},
                   members={"nato_first": [4, 1, 2, 3], "open_solidarity": [2, 1, 3, 0]})
    shuffled = frame.sample(frac=1.0, random_state=3)
    for f in (frame, shuffled):
        row = _pair(f, "poverty_years_300")
        # common members 1, 2, 3: A = [1, 2, 3], B = [2, 2, 2]; d = [-1, 0, 1] -> (1 + 0.5) / 3
        assert row.n == 3 and row.p_a_better == pytest.approx(0.5)
        assert row.diff_median == 0.0 and row.diff_mean == 0.0


def test_every_ordered_pair_and_only_outcomes_with_a_direction():
    frame = _frame({d: {"deaths": [1.0, 2.0]} for d in ("status_quo", "nato_first", "south_first")})
    out = compare(frame, never_year=NEVER)
    pairs = set(zip(out.a, out.b, strict=True))
    assert pairs == {(a, b) for a in ("status_quo", "nato_first", "south_first")
                     for b in ("status_quo", "nato_first", "south_first") if a != b}  # 3 x 2 ordered pairs
    judged = {n for n, o in OUTCOMES.items() if o.direction != "none"}
    assert set(out.outcome) == judged and len(out) == 6 * len(judged)
    assert "transitions" not in set(out.outcome) and "essay_sequence" not in set(out.outcome)


def test_comparable_fills_only_never_reached_years():
    assert list(comparable(pd.Series([2040.0, np.nan]), "year_bloc_bric", NEVER)) == [2040.0, 2124.0]
    rate = comparable(pd.Series([1.5, np.nan]), "failure_rate", NEVER)  # nullable, not a year
    assert rate[0] == 1.5 and np.isnan(rate[1])
    assert list(comparable(pd.Series([0.3, 0.0]), "deaths", NEVER)) == [0.3, 0.0]


# ---------------------------------------------------------------------------- summaries
def test_summary_of_a_nullable_year_reports_the_share_reached_beside_the_median():
    frame = _frame({"nato_first": {"year_demsoc_25": [2030, 2040, np.nan, 2050, np.nan]}})
    row = _summary(frame, "year_demsoc_25")
    assert row.n == 5 and row.reached == pytest.approx(0.6)  # 3 of 5 members reach it
    # over the 3 that do, sorted [2030, 2040, 2050]: median 2040, mean 2040,
    # p05 at position 0.1: 2030 + 0.1 * 10; p95 at position 1.9: 2040 + 0.9 * 10
    assert (row["median"], row["mean"], row.p05, row.p95) == pytest.approx((2040, 2040, 2031, 2049))
    assert row.direction == "lower" and row.unit == "year"
    assert np.isnan(row.mc_se)  # fewer than 2 x 10 members: no batch error


def test_summary_of_a_plain_outcome():
    frame = _frame({"nato_first": {"poverty_years_830": [0.4, 0.1, 0.3, 0.2]}})
    row = _summary(frame, "poverty_years_830")
    # sorted [0.1, 0.2, 0.3, 0.4]: median 0.25, mean 0.25, p05 0.1 + 0.15 * 0.1, p95 0.3 + 0.85 * 0.1
    assert (row.n, row.reached) == (4, 1.0)
    assert (row["median"], row["mean"], row.p05, row.p95) == pytest.approx((0.25, 0.25, 0.115, 0.385))


def test_monte_carlo_error_of_the_median_from_ten_member_batches():
    values = np.arange(20.0)  # member i has value i
    frame = _frame({"nato_first": {"deaths": values}})
    # batches of 2 members in member order: medians 0.5, 2.5, ..., 18.5 = 0.5 + 2k (k = 0..9);
    # sum (k - 4.5)^2 = 82.5, so their variance is 4 * 82.5 / 9 = 36.667; se = sqrt(36.667 / 10) = sqrt(11 / 3)
    assert _summary(frame, "deaths").mc_se == pytest.approx(1.9148542, abs=1e-7)
    # the batches follow member order, not row order
    shuffled = frame.sample(frac=1.0, random_state=1)
    assert _summary(shuffled, "deaths").mc_se == pytest.approx(1.9148542, abs=1e-7)
    # a never-reached member is dropped before batching: 20 reached values of 21 give the same error
    years = _frame({"nato_first": {"year_demsoc_5": [*(2030.0 + values), np.nan]}})
    assert _summary(years, "year_demsoc_5").mc_se == pytest.approx(1.9148542, abs=1e-7)
    # 19 reached values are fewer than 2 per batch: no error
    short = _frame({"nato_first": {"year_demsoc_5": [*(2030.0 + values[:19]), np.nan]}})
    assert np.isnan(_summary(short, "year_demsoc_5").mc_se)


def test_summary_keeps_doctrines_in_order_and_covers_every_outcome():
    frame = _frame({"south_first": {"deaths": [1.0]}, "nato_first": {"deaths": [2.0]}})
    out = summarize(frame)
    assert list(dict.fromkeys(out.doctrine)) == ["south_first", "nato_first"]
    assert len(out) == 2 * len(OUTCOMES) and set(out.outcome) == set(OUTCOMES)
    assert _summary(frame, "deaths", "south_first")["median"] == 1.0
    assert _summary(frame, "deaths", "nato_first")["median"] == 2.0
