"""Structural noise, the demographic transition, their estimators, CRPS and the out-of-sample checks.

Known answers worked by hand, estimators recovering the values a synthetic panel was made
with, and checks that pass when the model equals the data and fail when it does not.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from nato_socialism.model.compiled import kernel_params
from nato_socialism.model.mechanisms import background
from nato_socialism.model.parameters import default_params
from nato_socialism.validation import checks, panel_stats
from nato_socialism.validation.hindcast import crps_ensemble, crps_normal

Q = kernel_params(default_params(1))[0]


def _q(**values):
    p = default_params(1)
    for k, v in values.items():
        getattr(p, k)[:] = v
    return kernel_params(p)[0]


# ---------------------------------------------------------------- equations
def test_population_growth_without_persistence_or_shock_is_the_income_target():
    q = _q(pop_growth_persistence=0.0, pop_growth_shock_sd=0.0)
    target = background.population_growth_target(math.log(5000.0), 3.0, q)
    assert background.natural_population_growth(0.035, math.log(5000.0), 3.0, 1.7, q) == pytest.approx(target)
    # by hand: 0.027 - 0.0068 ln 5 - 0.0002 x 3 (registry defaults)
    assert target == pytest.approx(0.027 - 0.0068 * math.log(5.0) - 0.0006)


def test_population_growth_moves_from_its_own_rate_toward_the_target():
    q = _q(pop_growth_persistence=0.9, pop_growth_shock_sd=0.0)
    target = background.population_growth_target(math.log(40000.0), 0.0, q)
    n = background.natural_population_growth(0.03, math.log(40000.0), 0.0, 0.0, q)
    assert n == pytest.approx(0.9 * 0.03 + 0.1 * target)
    assert target < n < 0.03
    assert background.start_population_growth(float("nan"), math.log(40000.0), q) == pytest.approx(
        background.population_growth_target(math.log(40000.0), -1.0, q))
    assert background.start_population_growth(0.5, 0.0, q) == background.POP_GROWTH_LIMITS[1]


def test_growth_regime_is_stationary_with_its_sd_and_persistence():
    q = _q(growth_regime_sd=0.03, growth_regime_persistence=0.8)
    z = np.random.default_rng(1).standard_normal(60_000)
    v = np.empty_like(z)
    v[0] = background.growth_regime_start(z[0], q)
    for t in range(1, z.size):
        v[t] = background.growth_regime_next(v[t - 1], z[t], q)
    assert v.std() == pytest.approx(0.03, rel=0.05)
    assert np.corrcoef(v[1:], v[:-1])[0, 1] == pytest.approx(0.8, abs=0.02)
    g0 = background.growth(math.log(9000.0), math.log(75000.0), 0.0, 0.0, Q)
    assert background.growth(math.log(9000.0), math.log(75000.0), 0.02, 0.0, Q) == pytest.approx(g0 + 0.02)
    assert background.democracy_shock(2.0, _q(democracy_shock_sd=0.03)) == pytest.approx(0.06)


# ---------------------------------------------------------------- estimators
def _synthetic_panel(rho=0.8, sd_v=0.03, sd_e=0.04, phi=0.9, countries=160, years=45, seed=7):
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(countries):
        v = sd_v * rng.standard_normal()
        n = 0.02 + 0.005 * rng.standard_normal()
        y = float(rng.uniform(800, 30000))
        for t in range(years):
            v = rho * v + math.sqrt(1 - rho * rho) * sd_v * rng.standard_normal()
            target = 0.03 - 0.004 * math.log(y / 1000.0)
            n = phi * n + (1 - phi) * target + 0.001 * rng.standard_normal()
            rows.append({"iso3": f"C{c:03d}", "year": 1960 + t, "gdppc": y, "growth": 0.01 + v + sd_e *
                         rng.standard_normal(), "pop_growth": n})
    frame = pd.DataFrame(rows)
    frontier = pd.Series(40000.0, index=range(1960, 1960 + years))
    return frame, frontier


def test_growth_regime_estimator_recovers_a_known_ar1():
    frame, frontier = _synthetic_panel()
    sd, rho, n = panel_stats.growth_regime(frame, frontier, panel_stats.growth_regression(frame, frontier))
    assert n == len(frame)
    assert sd == pytest.approx(0.03, rel=0.2)
    assert rho == pytest.approx(0.8, abs=0.1)


def test_population_regression_recovers_the_partial_adjustment():
    frame, _ = _synthetic_panel()
    reg = panel_stats.population_regression(frame, 2005)
    c0, phi, c1 = reg.coef[:3]
    assert phi == pytest.approx(0.9, abs=0.02)
    assert c1 / (1 - phi) == pytest.approx(0.004, rel=0.3)  # long-run income slope
    assert reg.residual_sd == pytest.approx(0.001, rel=0.1)


# ---------------------------------------------------------------- CRPS
def test_crps_known_answers():
    # two members 0 and 1, observation 0: E|X - y| = 0.5, E|X - X'| = (0 + 1 + 1 + 0) / 4 = 0.5 -> 0.5 - 0.25
    assert crps_ensemble(np.array([0.0, 1.0]), np.array(0.0)) == pytest.approx(0.25)
    # one member: the absolute error
    assert crps_ensemble(np.array([[2.0]]), np.array([5.0]))[0] == pytest.approx(3.0)
    # normal at its mean, s.d. 1: 2 phi(0) - 1 / sqrt(pi)
    assert crps_normal(np.array(0.0), np.array(1.0), np.array(0.0)) == pytest.approx(
        2 * norm.pdf(0.0) - 1 / math.sqrt(math.pi))
    # a large ensemble of normal quantiles has the normal's CRPS
    members = norm.ppf((np.arange(4000) + 0.5) / 4000)[:, None]
    assert crps_ensemble(members, np.array([0.7]))[0] == pytest.approx(
        float(crps_normal(np.array(0.0), np.array(1.0), np.array(0.7))), rel=1e-3)


# ---------------------------------------------------------------- out-of-sample checks
def _world(years=30, countries=40, seed=3):
    rng = np.random.default_rng(seed)
    regime = (rng.random((years, countries)) < 0.5).astype(float)
    regime[:, ::7] = np.nan  # countries the panel does not observe
    log_gdppc = np.log(rng.uniform(1000, 40000, countries)) + np.cumsum(rng.normal(0.02, 0.05, (years, countries)), 0)
    log_pop = np.log(rng.uniform(1e6, 1e8, countries)) + np.cumsum(np.full((years, countries), 0.01), 0)
    democracy = rng.random((years, countries))
    obs = {"log_gdppc": log_gdppc, "log_population": log_pop, "democracy": democracy, "regime": regime}
    politics = SimpleNamespace(imputed=np.arange(countries) % 3 == 0, radical_right=rng.uniform(0, 0.1, countries))
    later = SimpleNamespace(imputed=politics.imputed, radical_right=politics.radical_right + 0.04)
    return obs, politics, later


def test_checks_pass_when_the_model_is_the_data_and_fail_when_it_is_not():
    obs, before, after = _world()
    members = {k: np.repeat(np.nan_to_num(v, nan=0.0)[None], 3, axis=0) for k, v in obs.items()}
    start, end = np.repeat(before.radical_right[None], 3, 0), np.repeat(after.radical_right[None], 3, 0)
    refugees = (2e7, np.full(3, 2e7))
    result = checks.run_checks(obs, members, before, after, end, start, refugees)
    assert [c.name for c in result] == [s.name for s in checks.SPECS]
    assert all(c.verdict == "PASS" for c in result), [(c.name, c.data.value, c.model.value) for c in result]
    for c in result:
        assert c.model.value == pytest.approx(c.data.value), c.name
    bigger = {**members, "log_population": members["log_population"] + math.log(1.1)}
    verdicts = {c.name: c.verdict for c in checks.run_checks(obs, bigger, before, after, end, start, refugees)}
    assert verdicts["world_population_2019"] == "FAIL"  # 10 % more people, tolerance 4 %
    assert verdicts["population_growth_gap"] == "PASS"  # the same growth everywhere
    flat = checks.run_checks(obs, members, before, after, start, start, (2e7, np.full(3, 5e6)))
    assert {c.name: c.verdict for c in flat}["radical_right_rise"] == "FAIL"  # no rise where the data rose 4 pp
    assert {c.name: c.verdict for c in flat}["refugee_stock_2019"] == "FAIL"  # a quarter of the stock


def test_check_tolerances_are_relative_to_the_data():
    ratio, diff = checks.spec("world_population_2019"), checks.spec("mean_democracy_2019")
    assert checks._bounds(ratio, 8e9) == pytest.approx((0.96 * 8e9, 1.04 * 8e9))
    assert checks._bounds(diff, 0.5) == pytest.approx((0.45, 0.55))
    assert len(checks.SPECS) >= 10 and len({s.name for s in checks.SPECS}) == len(checks.SPECS)
    assert all(s.reason and s.kind in ("ratio", "difference") for s in checks.SPECS)


# ---------------------------------------------------------------- coverage, PIT, recent growth
def test_band_coverage_nominal_share_and_rank_pit_are_calibrated_for_a_calibrated_ensemble():
    from nato_socialism.validation.hindcast import band_coverage, rank_pit

    # 40 members: band from the 3rd (ceil 2.05) to the 38th (floor 38.95) smallest, nominally 35/41
    members = np.arange(1.0, 41.0)[:, None]
    inside, nominal = band_coverage(members, np.array([2.5, 3.0, 38.0, 38.5]))
    assert nominal == pytest.approx(35 / 41) and inside.tolist() == [False, True, True, False]
    rng = np.random.default_rng(11)
    draws = rng.standard_normal((41, 20_000))  # the observation is one more draw from the same law
    inside, nominal = band_coverage(draws[:40], draws[40])
    assert inside.mean() == pytest.approx(nominal, abs=0.01)
    hist = np.histogram(rank_pit(draws[:40], draws[40]), bins=10, range=(0, 1))[0] / 20_000
    assert np.abs(hist - 0.1).max() < 0.01
    assert rank_pit(np.zeros((3, 1)), np.array([5.0]))[0] == pytest.approx((3 + np.random.default_rng(0).random(1)[0])
                                                                          / 4)


def test_recent_growth_nets_out_refugee_flows():
    from nato_socialism.data.panel import recent_population_growth

    rows = []
    for year, pop, asylum, origin in ((2018, 100.0, 0.0, 0.0), (2023, 110.0, 5.0, np.nan)):
        rows.append({"iso3": "AAA", "year": year, "population": pop, "refugees_asylum": asylum,
                     "refugees_origin": origin})
    rows.append({"iso3": "BBB", "year": 2023, "population": 50.0, "refugees_asylum": 0.0, "refugees_origin": 0.0})
    got = recent_population_growth(pd.DataFrame(rows), ("AAA", "BBB"), 2023)
    # (ln 110 - ln 100 - 5 / 100) / 5: the 5 received refugees do not count as natural growth
    assert got[0] == pytest.approx((math.log(1.1) - 0.05) / 5)
    assert math.isnan(got[1])  # no population in 2018


def test_baseline_spreads_grow_like_the_baselines_fit_window_errors():
    from nato_socialism.validation.hindcast import baseline_spreads

    rng = np.random.default_rng(5)
    walk = np.cumsum(rng.normal(0.0, 0.02, (31, 4000)), axis=0)  # random walks, s.d. 0.02 a year
    obs = {"log_gdppc": walk, "log_population": walk.copy(), "democracy": np.full((31, 4000), 0.5)}
    spreads = baseline_spreads(obs, horizon=29)
    persistence = spreads["persistence"]["log_gdppc"]
    # persistence's error h years ahead has s.d. 0.02 sqrt(h)
    assert persistence[1] == pytest.approx(0.02, rel=0.05)
    assert persistence[25] == pytest.approx(0.02 * 5, rel=0.1)
    # constant growth adds the error of a rate estimated from 15 years: wider than persistence
    assert (spreads["constant_growth"]["log_gdppc"][2:] > persistence[2:]).all()
    # a forecast without error has no spread
    assert (spreads["persistence"]["democracy"] == 0).all()
