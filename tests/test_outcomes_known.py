"""Known answers for every outcome of ``model/outcomes.py`` on hand-built fixtures.

A chunk of 2 members over 3 years (4 yearly points: the start of 2030, 2031, 2032 and the end,
start_year 2030) with series and counters chosen so that each outcome can be worked out by
hand; the arithmetic is in the comment beside each expected value. Then the bookkeeping that
feeds the outcomes (``kernels.record`` for the world series, ``kernels.count_events`` for the
counters) on a 6-country world whose regimes are set by hand, so that "autocracy", "poverty
at $3.00 and $8.30", "reversion", "degeneration", "alternation" and the exposure of the rates
are checked against their definitions, not only their arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nato_socialism.model.outcomes import OUTCOMES, member_outcomes
from nato_socialism.model.simulate import COUNTERS, PRIMARY_BLOCS, SERIES, ChunkResult
from nato_socialism.model.state import Regime

START = 2030
B = 1e9


def _chunk(series: dict, counters: dict, bloc_share: np.ndarray) -> ChunkResult:
    members, points = bloc_share.shape[:2]
    full_series = {k: np.asarray(series.get(k, np.zeros((members, points))), dtype=np.float64) for k in SERIES}
    full_counters = {k: np.asarray(counters.get(k, np.zeros(members))) for k in COUNTERS}
    return ChunkResult(members=np.arange(members), series=full_series, bloc_share=bloc_share,
                       counters=full_counters)


def _bloc_turns(members_turn: list[dict[str, int | None]], points: int) -> np.ndarray:
    """Bloc shares that reach exactly 0.5 at the given yearly point (None: never), 0.4 before."""
    out = np.zeros((len(members_turn), points, len(PRIMARY_BLOCS)))
    for m, turns in enumerate(members_turn):
        for b, at in turns.items():
            j = PRIMARY_BLOCS.index(b)
            out[m, :, j] = 0.4
            if at is not None:
                out[m, at:, j] = 0.5
    return out


@pytest.fixture(scope="module")
def known() -> dict[str, np.ndarray]:
    series = {
        "world_pop": [[1 * B, 2 * B, 2 * B, 4 * B], [10 * B] * 4],
        "demsoc_share": [[0.00, 0.06, 0.30, 0.20], [0.10, 0.08, 0.05, 0.02]],
        "bureaucratic_share": [[0.2, 0.2, 0.1, 0.0], [0.3, 0.3, 0.3, 0.3]],
        "reactionary_share": [[0.5, 0.1, 0.2, 0.3], [0.0, 0.0, 0.4, 0.1]],
        "autocracy_share": [[0.9, 0.6, 0.3, 0.3], [0.5, 0.5, 0.8, 0.2]],
        "first_world_living": [[100, 110, 99, 121], [200, 180, 150, 160]],
        "world_living": [[1000, 2000, 3000, 4000], [5000, 4000, 4000, 7000]],
        "world_poverty": [[0.5, 0.4, 0.3, 0.2], [0.2, 0.1, 0.1, 0.1]],
        "world_poverty_upper": [[0.8, 0.7, 0.6, 0.5], [0.5, 0.4, 0.3, 0.3]],
        "displaced": [[5e6, 1e8, 2e8, 3e8], [0, 0, 0, 1e9]],
    }
    counters = {
        "transitions": [3, 0], "bureaucratic_outcomes": [1, 2], "reversions": [1, 0], "degenerations": [2, 0],
        "electoral_losses": [4, 0], "socialist_country_years": [40, 0],
        "first_world_reversions": [1, 0], "first_world_degenerations": [1, 0],
        "first_world_electoral_losses": [2, 0], "first_world_socialist_country_years": [25, 0],
        "deaths": [2.5e6, 0.0],
    }
    blocs = _bloc_turns([
        # member 0: periphery 2031, BRIC 2032, developing 2033 (the essay's order); BRICS+ exactly 0.5 at the start
        {"periphery": 1, "bric": 2, "developing": 3, "brics_plus": 0, "nato": None},
        # member 1: BRIC 2031 before the periphery 2032; developing never
        {"periphery": 2, "bric": 1, "developing": None, "brics_plus": None, "nato": None},
    ], 4)
    return member_outcomes(_chunk(series, counters, blocs), START)


def _check(out: dict, name: str, want: list) -> None:
    np.testing.assert_allclose(out[name], np.asarray(want, dtype=np.float64), rtol=1e-12, atol=1e-12,
                               err_msg=name)


EXPECTED = {
    # first yearly point with demsoc share >= the threshold; point i is the year 2030 + i
    "year_demsoc_5": [2031, 2030],  # m0: 0.06 at point 1; m1: 0.10 at point 0
    "year_demsoc_10": [2032, 2030],  # m0: 0.06 < 0.10, 0.30 at point 2; m1: exactly 0.10 counts
    "year_demsoc_25": [2032, np.nan],  # m1 never reaches 0.25
    "year_demsoc_50": [np.nan, np.nan],
    # sum over the 3 years (points 1..3) of share x population, in billions
    "demsoc_pop_years": [0.06 * 2 + 0.30 * 2 + 0.20 * 4, (0.08 + 0.05 + 0.02) * 10],  # 1.52, 1.5
    "demsoc_share_end": [0.20, 0.02],
    "demsoc_share_peak": [0.30, 0.10],  # the start counts: m1 peaks at its first point
    "bureaucratic_share_end": [0.0, 0.3],
    "bureaucratic_share_mean": [(0.2 + 0.1 + 0.0) / 3, 0.3],  # mean over points 1..3
    "reactionary_share_mean": [(0.1 + 0.2 + 0.3) / 3, (0.0 + 0.4 + 0.1) / 3],  # 0.2, 0.1667
    "reactionary_share_peak": [0.5, 0.4],
    "autocracy_share_mean": [(0.6 + 0.3 + 0.3) / 3, (0.5 + 0.8 + 0.2) / 3],  # 0.4, 0.5
    "transitions": [3, 0],
    "reactionary_reversions": [1, 0],
    "degenerations": [2, 0],
    "electoral_alternations": [4, 0],
    "bureaucratic_outcomes": [1, 2],
    # per 100 socialist country-years; undefined (NaN) without exposure
    "failure_rate": [100 * (1 + 2) / 40, np.nan],  # 7.5
    "socialist_years": [40, 0],
    "first_world_failure_rate": [100 * (1 + 1) / 25, np.nan],  # 8.0
    "first_world_reversion_rate": [100 * 1 / 25, np.nan],  # 4.0
    "first_world_degeneration_rate": [100 * 1 / 25, np.nan],  # 4.0
    "first_world_alternation_rate": [100 * 2 / 25, np.nan],  # 8.0
    "first_world_socialist_years": [25, 0],
    # 100 ln(end / start) / years: m0 100 ln(1.21) / 3 = 6.3540120; m1 100 ln(0.8) / 3 = -7.4381184
    "first_world_living_growth": [6.3540120, -7.4381184],
    # worst fall below the running peak: m0 99 / 110 - 1 = -0.1; m1 150 / 200 - 1 = -0.25
    "first_world_living_drawdown": [-0.1, -0.25],
    "world_living_mean": [(2000 + 3000 + 4000) / 3, (4000 + 4000 + 7000) / 3],  # 3000, 5000
    # share below the line x population over points 1..3, billions
    "poverty_years_300": [0.4 * 2 + 0.3 * 2 + 0.2 * 4, (0.1 + 0.1 + 0.1) * 10],  # 2.2, 3.0
    "poverty_years_830": [0.7 * 2 + 0.6 * 2 + 0.5 * 4, (0.4 + 0.3 + 0.3) * 10],  # 4.6, 10.0
    "displaced_person_years": [(1e8 + 2e8 + 3e8) / B, 1.0],  # headcounts over points 1..3, billions: 0.6, 1.0
    "deaths": [2.5, 0.0],  # millions
    "year_bloc_nato": [np.nan, np.nan],
    "year_bloc_bric": [2032, 2031],
    "year_bloc_brics_plus": [2030, np.nan],
    "year_bloc_periphery": [2031, 2032],
    "year_bloc_developing": [2033, np.nan],
    "essay_sequence": [1, 0],  # m0 periphery < BRIC < developing; m1 BRIC first
}


def test_every_outcome_has_a_known_answer():
    assert set(EXPECTED) == set(OUTCOMES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_outcome_known_answer(known, name):
    want = EXPECTED[name]
    if name.endswith("_living_growth"):
        np.testing.assert_allclose(known[name], want, rtol=0, atol=1e-7, err_msg=name)
    else:
        _check(known, name, want)


def test_growth_is_the_log_rate_per_year():
    # the hand value above is 100 ln(1.21) / 3 = 200 ln(1.1) / 3; not the compound rate 100 (1.21^(1/3) - 1) = 6.56
    assert 6.3540120 == pytest.approx(200 * math.log(1.1) / 3, abs=1e-7)


@pytest.mark.parametrize(("turns", "want"), [
    ({"periphery": 1, "bric": 2, "developing": 3}, 1),  # the essay's order
    ({"periphery": 1, "bric": 1, "developing": 1}, 1),  # the same year is not out of order
    ({"periphery": 3, "bric": None, "developing": None}, 1),  # only the periphery turns: not contradicted
    ({"periphery": None, "bric": None, "developing": None}, 0),  # the periphery must turn
    ({"periphery": None, "bric": 1, "developing": 2}, 0),
    ({"periphery": 1, "bric": None, "developing": 2}, 0),  # developing before BRIC (never = 2034)
    ({"periphery": 2, "bric": 3, "developing": 1}, 0),
])
def test_essay_sequence(turns, want):
    chunk = _chunk({"world_pop": np.ones((1, 4)), "first_world_living": np.ones((1, 4))}, {},
                   _bloc_turns([turns], 4))
    assert member_outcomes(chunk, START)["essay_sequence"][0] == want


# ---------------------------------------------------------------------------- the bookkeeping behind them
CD, CA, DS, BU, RE = (int(r) for r in Regime)


def test_world_series_from_country_values():
    """``kernels.record`` of a 6-country world, then the outcomes of a one-year run, by hand."""
    from nato_socialism.model import kernels

    # countries:     CD    CA    DS    BU    RE    DS
    pop = np.array([[10e6, 20e6, 30e6, 40e6, 50e6, 50e6]])
    regime = np.array([[CD, CA, DS, BU, RE, DS]], dtype=np.int8)
    living = np.array([[30000.0, 2000.0, 20000.0, 5000.0, 1000.0, 10000.0]])
    poverty = np.array([[0.0, 0.5, 0.0, 0.1, 0.6, 0.2]])  # share below $3.00 a day
    upper = np.array([[0.0, 0.9, 0.1, 0.5, 1.0, 0.6]])  # share below $8.30 a day
    displaced = np.array([[0.0, 1e6, 0.0, 0.0, 4e6, 0.0]])
    first_world = np.array([True, False, True, False, False, False])
    primary = np.array([0, 1, 0, 3, 3, 4], dtype=np.int64)  # nato, bric, nato, periphery, periphery, developing
    series = np.zeros((len(SERIES), 1, 2))
    bloc_share = np.zeros((1, 2, len(PRIMARY_BLOCS)))
    rows = np.empty((2, len(PRIMARY_BLOCS)))
    for t in (0, 1):  # the same world at the start and after the year
        kernels.record(t, pop, regime, living, poverty, upper, displaced, first_world, primary, len(PRIMARY_BLOCS),
                       series, bloc_share, rows)
    got = dict(zip(SERIES, series[:, 0, 1], strict=True))
    total = 200e6
    assert got["world_pop"] == total
    assert got["demsoc_share"] == pytest.approx(80e6 / total)  # the two DS countries: 30 + 50 = 80 M -> 0.4
    assert got["bureaucratic_share"] == pytest.approx(0.2)  # 40 / 200
    assert got["reactionary_share"] == pytest.approx(0.25)  # 50 / 200
    # autocracy = capitalist autocracy + bureaucratic + reactionary: (20 + 40 + 50) / 200; not CD, not DS
    assert got["autocracy_share"] == pytest.approx(0.55)
    assert got["first_world_demsoc_share"] == pytest.approx(0.75)  # first world CD 10 + DS 30: 30 / 40
    assert got["first_world_living"] == pytest.approx((30000 * 10 + 20000 * 30) / 40)  # 22,500
    # population-weighted: (10*30000 + 20*2000 + 30*20000 + 40*5000 + 50*1000 + 50*10000) / 200 = 8450
    assert got["world_living"] == pytest.approx(8450.0)
    # (20 * 0.5 + 40 * 0.1 + 50 * 0.6 + 50 * 0.2) / 200 = 54 / 200
    assert got["world_poverty"] == pytest.approx(0.27)
    # (20 * 0.9 + 30 * 0.1 + 40 * 0.5 + 50 * 1.0 + 50 * 0.6) / 200 = 121 / 200
    assert got["world_poverty_upper"] == pytest.approx(0.605)
    assert got["displaced"] == 5e6  # a headcount, summed
    # DS share per primary bloc: nato (10 CD + 30 DS) 0.75; bric 0; periphery 0 of 90; developing 50 of 50
    np.testing.assert_allclose(bloc_share[0, 1], [0.75, 0.0, 0.0, 0.0, 1.0])

    chunk = ChunkResult(members=np.arange(1), series={k: series[i] for i, k in enumerate(SERIES)},
                        bloc_share=bloc_share, counters={k: np.zeros(1) for k in COUNTERS})
    out = member_outcomes(chunk, START)
    assert out["autocracy_share_mean"][0] == pytest.approx(0.55)
    assert out["poverty_years_300"][0] == pytest.approx(54e6 / 1e9)  # one year: 0.27 x 200 M persons
    assert out["poverty_years_830"][0] == pytest.approx(121e6 / 1e9)
    assert out["demsoc_pop_years"][0] == pytest.approx(0.08)  # 80 M for one year
    assert out["displaced_person_years"][0] == pytest.approx(0.005)
    assert out["year_bloc_nato"][0] == START and out["year_bloc_developing"][0] == START
    assert np.isnan(out["year_bloc_periphery"][0])


def test_counters_from_regime_changes():
    """``kernels.count_events`` of one year of hand-set regime changes, then the rates, by hand."""
    from nato_socialism.model import kernels
    from nato_socialism.model.compiled import kernel_params
    from nato_socialism.model.parameters import params_from_table, registry

    #          0: DS->RE  1: DS->BU  2: DS->CD  3: CA->DS  4: DS->DS  5: CD->BU  6: DS->DS  7: BU->DS (re-entry)
    old = np.array([[DS, DS, DS, CA, DS, CD, DS, BU]], dtype=np.int8)
    new = np.array([[RE, BU, CD, DS, DS, BU, DS, DS]], dtype=np.int8)
    ev = kernels.EVENT
    event = np.array([[ev["electoral_loss"], ev["degeneration"], ev["electoral_loss"], ev["electoral_transition"],
                       ev["none"], ev["electoral_transition"], ev["none"], ev["re_entry"]]], dtype=np.int8)
    turmoil = np.zeros((1, 8))  # no violent event: no deaths
    pop = np.full((1, 8), 1e6)
    fw = np.array([True, False, True, False, True, False, False, False])
    counters = np.zeros((len(COUNTERS), 1))
    ever = np.zeros((1, 8), dtype=np.bool_)
    p = params_from_table({k: np.array([v.default]) for k, v in registry().items()})
    kernels.count_events(old, new, event, turmoil, pop, fw, fw, ever, kernel_params(p), counters)
    got = {k: counters[i, 0] for i, k in enumerate(COUNTERS)}
    assert got["reversions"] == 1 and got["first_world_reversions"] == 1  # country 0 (first world)
    assert got["degenerations"] == 1 and got["first_world_degenerations"] == 0  # country 1
    assert got["electoral_losses"] == 1 and got["first_world_electoral_losses"] == 1  # country 2: alternation
    assert got["transitions"] == 1  # country 3 only: a re-entry (7) is not a new transition
    assert got["bureaucratic_outcomes"] == 1  # country 5
    # exposure: countries democratic socialist at the end of the year: 3, 4, 6, 7; first world: 4
    assert got["socialist_country_years"] == 4 and got["first_world_socialist_country_years"] == 1
    assert got["deaths"] == 0.0

    chunk = ChunkResult(members=np.arange(1), series={k: np.ones((1, 2)) for k in SERIES},
                        bloc_share=np.zeros((1, 2, len(PRIMARY_BLOCS))), counters={k: counters[i] for i, k in
                                                                                    enumerate(COUNTERS)})
    out = member_outcomes(chunk, START)
    assert out["failure_rate"][0] == pytest.approx(100 * (1 + 1) / 4)  # (reversion + degeneration) per 100: 50
    assert out["first_world_reversion_rate"][0] == pytest.approx(100.0)  # 1 per 1 first-world socialist year
    assert out["first_world_degeneration_rate"][0] == 0.0
    assert out["first_world_alternation_rate"][0] == pytest.approx(100.0)
    assert out["first_world_failure_rate"][0] == pytest.approx(100.0)
    assert out["electoral_alternations"][0] == 1 and out["reactionary_reversions"][0] == 1
