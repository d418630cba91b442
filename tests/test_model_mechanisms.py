"""Direction and size of each mechanism, against the anchors of the brief (section 5)."""


import numpy as np
import pytest

from model_helpers import context
from nato_socialism.model import moralism
from nato_socialism.model.controls import Controls
from nato_socialism.model.mechanisms import (
    aid,
    background,
    delays,
    diffusion,
    integration,
    material_basis,
    migration,
    movement,
    organizer_relocation,
    reaction,
    scarcity,
    transition,
)
from nato_socialism.model.parameters import default_params, params_from_table, registry
from nato_socialism.model.switches import Switches

P = default_params(1)


def at(**values):
    """Default parameters with some replaced (one member)."""
    reg = registry()
    return params_from_table({k: np.array([values.get(k, p.default)]) for k, p in reg.items()})


def test_m1_relocation_moves_organizers_to_targets_with_diminishing_returns():
    pop = np.array([[1e8, 1e8, 1e8]])
    movement_share = np.array([[0.01, 0.01, 0.05]])
    target = np.array([[0.0, 1.0, 1.0]])
    rate = np.array([[0.05, 0.0, 0.0]])
    dm = organizer_relocation.relocation(movement_share, pop, rate, target, P)
    assert dm[0, 0] == pytest.approx(-0.05 * 0.01)
    assert dm[0, 1] > 0 and dm[0, 2] > 0
    assert dm[0, 1] > dm[0, 2]  # the saturated destination gains less
    flat = organizer_relocation.relocation(movement_share, pop, rate, target, P, diminishing=False)
    assert flat[0, 1] == pytest.approx(flat[0, 2])


def test_m2_breadth_raises_ceiling_and_lowers_cohesion():
    m, g = np.array([[0.03]]), np.array([[1.0]])
    narrow = movement.support_change(np.array([[0.3]]), m, g, np.array([[0.0]]), P)
    broad = movement.support_change(np.array([[0.3]]), m, g, np.array([[1.0]]), P)
    assert broad > narrow
    assert movement.cohesion(1.0, P) < movement.cohesion(0.0, P)
    assert movement.participation(0.03, 1.0, P) < movement.participation(0.03, 0.0, P)


def test_m2_movement_grows_with_grievance_and_freedom():
    m = np.array([[0.01]])
    low = movement.movement_change(m, np.array([[0.5]]), np.array([[0.8]]), np.array([[False]]), P)
    high = movement.movement_change(m, np.array([[2.0]]), np.array([[0.8]]), np.array([[False]]), P)
    repressed = movement.movement_change(m, np.array([[2.0]]), np.array([[0.1]]), np.array([[False]]), P)
    assert high > low and high > repressed


def test_m3_viability_near_3_5_percent_and_nonviolent_beats_violent():
    assert transition.viability(np.array([[0.035]]), P)[0, 0] == pytest.approx(0.5)
    assert transition.viability(np.array([[0.06]]), P)[0, 0] > 0.9
    assert transition.viability(np.array([[0.015]]), P)[0, 0] < 0.1
    u = np.linspace(0.0005, 0.9995, 2000)[None, :]
    nonviolent_type = np.zeros_like(u)  # u_type < share -> nonviolent
    violent_type = np.ones_like(u) * 0.9999
    _, s_nv = transition.campaign_outcome(nonviolent_type, u, P)
    _, s_v = transition.campaign_outcome(violent_type, u, P)
    assert s_nv.mean() == pytest.approx(0.53, abs=0.01)
    assert s_v.mean() == pytest.approx(0.25, abs=0.01)


def test_m4_material_basis_rises_with_income_and_norms():
    incomes = np.array([[2000.0, 10000.0, 50000.0]])
    p_dem = material_basis.democratic_probability(incomes, 0.5, 1.0, P)
    assert np.all(np.diff(p_dem) > 0)
    prob = material_basis.democratic_probability
    assert prob(20000.0, 0.9, 1.0, P) > prob(20000.0, 0.2, 1.0, P)
    strong, weak = at(material_basis_effect=1.8), at(material_basis_effect=0.2)
    gap_strong = prob(50000.0, 0.5, 1, strong) - prob(2000.0, 0.5, 1, strong)
    gap_weak = prob(50000.0, 0.5, 1, weak) - prob(2000.0, 0.5, 1, weak)
    assert gap_strong > gap_weak


def test_m5_diffusion_is_s_shaped_and_pendulum_weighs():
    s = np.linspace(0.0, 1.0, 101)[None, :]
    mult = diffusion.hazard_multiplier(s, 0.0, P)[0]
    d2 = np.diff(mult, 2)
    half = int(P.diffusion_half_share[0, 0] * 100)
    assert np.all(np.diff(mult) >= 0)
    assert np.all(d2[: half // 2] > 0) and np.all(d2[half + 10 :] < 0)  # convex, then concave
    assert diffusion.hazard_multiplier(0.0, 0.4, P) > diffusion.hazard_multiplier(0.0, 0.1, P)


def test_m6_emigration_hump_peaks_between_5000_and_10000():
    incomes = np.geomspace(500, 100000, 400)[None, :]
    for p in (P, at(emigration_peak_income=5000.0), at(emigration_peak_income=10000.0, emigration_hump_curvature=1.0)):
        h = migration.hump(incomes, p)[0]
        peak = incomes[0, h.argmax()]
        assert 5000 * 0.98 <= peak <= 10000 * 1.02
    # rising elasticity about +0.35 at low income (Clemens 2020)
    y1, y2 = 1000.0, 2000.0
    el = np.log(migration.hump(y2, P) / migration.hump(y1, P)) / np.log(y2 / y1)
    assert el == pytest.approx(0.35, abs=0.05)
    # and falling beyond ~$10,000
    assert migration.hump(20000.0, P) < migration.hump(10000.0, P)


def test_m6_migration_conserves_people_and_respects_caps():
    ctx = context(5)
    n = ctx.n
    rng = np.random.default_rng(3)
    pop = rng.uniform(1e5, 1e9, (3, n))
    income = rng.uniform(800, 90000, (3, n))
    u = rng.uniform(0.01, 0.2, (3, n))
    poverty = rng.uniform(0, 0.6, (3, n))
    cap = rng.uniform(0.0, 0.02, (3, n))
    p = default_params(3)
    flows = migration.migrate(pop, income, u, poverty, np.ones((3, n)), np.zeros((3, n)), cap, ctx, p, Switches())
    net = flows.net.sum(axis=1)
    assert np.all(np.abs(net) <= 1e-9 * pop.sum(axis=1))
    assert np.all(flows.immigrants <= cap * pop * (1 + 1e-9) + 1e-6)
    assert np.all(flows.emigrants >= 0) and np.all(flows.immigrants >= 0)


def test_m6_open_border_draws_demand_turned_away_elsewhere():
    ctx = context(5)
    n = ctx.n
    pop = np.full((1, n), 5e7)
    income = np.full((1, n), 3000.0)
    rich = np.array([ctx.iso3.index(c) for c in ("FRA", "DEU", "USA", "GBR")])
    income[0, rich] = 50000.0
    cap = np.full((1, n), 0.006)
    open_cap = cap.copy()
    open_cap[0, rich[0]] = 0.05
    args = (pop, income, np.full((1, n), 0.05), np.full((1, n), 0.2), np.zeros((1, n)), np.zeros((1, n)))
    closed = migration.migrate(*args, cap, ctx, P, Switches()).immigrants[0, rich[0]]
    opened = migration.migrate(*args, open_cap, ctx, P, Switches()).immigrants[0, rich[0]]
    assert opened > 2 * closed


def test_m7_inflow_beyond_capacity_erodes_support_more_when_larger():
    pop, u = np.array([[1e7]]), np.array([[0.05]])
    cap = integration.capacity(pop, u, np.array([[0.0]]), P)
    small = integration.integrate(np.array([[0.0]]), cap * 1.2, cap, P)[2] / pop
    large = integration.integrate(np.array([[0.0]]), cap * 3.0, cap, P)[2] / pop
    within = integration.integrate(np.array([[0.0]]), cap * 0.5, cap, P)[2] / pop
    assert within == 0
    e_small, e_large = integration.erosion(small, 1.0, P), integration.erosion(large, 1.0, P)
    assert e_large < e_small < 0
    assert integration.erosion(large, 0.5, P) < e_large  # low cohesion erodes faster
    # investment and full employment raise capacity
    assert integration.capacity(pop, u, np.array([[0.01]]), P) > cap
    assert integration.capacity(pop, np.array([[0.12]]), np.array([[0.0]]), P) < cap


def test_m8_aid_costs_donors_and_helps_recipients_with_diminishing_returns():
    assert aid.consumption_log(0.03, 0.0, P) < aid.consumption_log(0.007, 0.0, P) < 0
    assert aid.consumption_log(0.03, 0.0, P, donor_cost=False) == 0
    g1 = aid.growth_effect(0.01, P)[0, 0]
    assert g1 == pytest.approx(0.0035, rel=0.15)  # +1 pp aid/GNI -> ~ +0.35 pp growth (Galiani et al. 2017)
    marginal_low = aid.growth_effect(0.02, P) - aid.growth_effect(0.01, P)
    marginal_high = aid.growth_effect(0.21, P) - aid.growth_effect(0.20, P)
    assert marginal_high < 0.5 * marginal_low
    # allocation: all of the budget arrives, poorer recipients get more
    aid_share = np.array([[0.01, 0.0, 0.0]])
    gdp = np.array([[1e12, 1e10, 1e10]])
    pop = np.array([[1e7, 1e7, 1e7]])
    poverty = np.array([[0.0, 0.5, 0.1]])
    income = gdp / pop
    recv = aid.received_share(aid_share, gdp, pop, poverty, income, np.zeros((1, 3), bool), np.zeros((1, 3)), P)
    assert (recv * gdp).sum() == pytest.approx(1e10)
    assert recv[0, 1] > recv[0, 2] > 0 and recv[0, 0] == 0


@pytest.mark.parametrize("rho", [1.2, 1.6, 2.0])
def test_m9_refugee_share_anchor(rho):
    """+1 pp unintegrated (refugee) share moves long-run reaction by +1.2 to +2.0 pp (Dustmann et al. 2019)."""
    p = at(reaction_immigration_effect=rho)
    delta = reaction.immigration_term(0.03, 0.02, p) - reaction.immigration_term(0.02, 0.02, p)
    assert 100 * delta[0, 0] == pytest.approx(rho)
    assert 1.2 <= 100 * delta[0, 0] <= 2.0
    # the equilibrium of dR = k (R* - R) is R*, so the whole term shows in the long run
    r, target = 0.2, 0.2 + delta[0, 0]
    for _ in range(200):
        r += p.reaction_adjust_rate[0, 0] * (target - r)
    assert 100 * (r - 0.2) == pytest.approx(rho, rel=1e-6)
    assert reaction.contact_term(0.01, P) < 0


def test_m9_reversion_rises_with_reaction_and_loss_with_falling_support():
    assert reaction.reversion_hazard(0.5, P) > reaction.reversion_hazard(0.2, P)
    assert reaction.electoral_loss_hazard(0.3, P) > reaction.electoral_loss_hazard(0.55, P)
    assert reaction.backsliding_hazard(0.5, P) > reaction.backsliding_hazard(0.1, P)


def test_m10_scarcity_shock_smaller_with_strong_bloc_and_degeneration_rises_with_shortfall():
    assert scarcity.transition_shock(0.6, P) < scarcity.transition_shock(0.0, P)
    assert scarcity.transition_shock(0.0, P, sanctions=False) < scarcity.transition_shock(0.0, P)
    assert scarcity.recover(np.array([[0.1]]), P) < 0.1
    assert scarcity.degeneration_hazard(np.log(0.7), P) > scarcity.degeneration_hazard(0.0, P)
    # hysteresis: reform of a bureaucratic regime is harder than it would be without it
    assert transition.reform_hazard(1.0, 1.0, P) < P.reform_rate


def test_m11_breakdown_by_income_band_matches_przeworski_in_model_units():
    f = P.ppp1985_to_2021[0, 0]
    incomes = np.array([[800, 2000, 4500, 8000]]) * f  # 1985 PPP $ -> 2021 PPP $
    h = background.breakdown_hazard(incomes, P)[0]
    assert h[0] == pytest.approx(0.164) and h[1] == pytest.approx(0.056) and h[2] == pytest.approx(0.022)
    assert h[3] < 0.003
    flat = background.democratization_hazard(np.array([[1000.0, 50000.0]]), P)
    assert flat[0, 0] == flat[0, 1]
    assert background.natural_population_growth(1000.0, 0, P) > background.natural_population_growth(50000.0, 0, P)
    assert background.growth(2000.0, 0, 0.0, P) > background.growth(70000.0, 0, 0.0, P)


def test_m12_delays_smooth_and_switch_off():
    assert delays.smooth(0.0, 1.0, 5.0) == pytest.approx(0.2)
    assert delays.smooth(0.0, 1.0, 5.0, on=False) == 1.0


def test_moralist_pressure_moves_applied_toward_wanted_and_costs_support():
    shape = (1, 2)
    req = Controls(*(np.zeros(shape) for _ in range(7)))
    req = req.replace(immigration_cap=np.full(shape, 0.004), aid_share=np.full(shape, 0.007))
    mu = np.array([[0.0, 0.6]])
    applied, frustration = moralism.apply(req, mu, P)
    assert applied.immigration_cap[0, 0] == 0.004 and applied.immigration_cap[0, 1] > 0.004
    assert applied.aid_share[0, 1] > 0.007
    assert frustration[0, 0] == 0 and frustration[0, 1] > 0
    assert moralism.support_cost(frustration, P)[0, 1] < 0
    same, none = moralism.apply(req, mu, P, on=False)
    assert same is req and not none.any()
