"""Direction and size of each mechanism's equations, against the anchors of the brief (section 5).

The functions tested are the compiled scalar equations the step runs, called from Python.
"""

import math

import numpy as np
import pytest

from model_helpers import context, keys, world
from nato_socialism.model import moralism
from nato_socialism.model.compiled import evaluate, kernel_params
from nato_socialism.model.mechanisms import (
    aid,
    background,
    delays,
    diffusion,
    integration,
    living,
    material_basis,
    migration,
    movement,
    organizer_relocation,
    reaction,
    scarcity,
    transition,
)
from nato_socialism.model.parameters import default_params, params_from_table, registry
from nato_socialism.model.state import Regime
from nato_socialism.model.step import controls, migration_flows
from nato_socialism.model.switches import Switches

Q = kernel_params(default_params(1))[0]
DS = int(Regime.DEMOCRATIC_SOCIALIST)


def at(**values):
    """Default parameters with some replaced: one member's parameter row."""
    reg = registry()
    return kernel_params(params_from_table({k: np.array([values.get(k, p.default)]) for k, p in reg.items()}))[0]


def test_m1_relocation_moves_organizers_to_targets_with_diminishing_returns():
    pop = np.array([1e8, 1e8, 1e8])
    share = np.array([0.01, 0.01, 0.05])
    target = np.array([0.0, 1.0, 1.0])
    rate = np.array([0.05, 0.0, 0.0])
    pool, total = organizer_relocation.pool(share, pop, rate, target, Q, np.empty((2, 3)))

    def dm(i, diminishing=True):
        return organizer_relocation.relocation(share[i], pop[i], rate[i], target[i], pool, total, diminishing, Q)

    assert dm(0) == pytest.approx(-0.05 * 0.01)
    assert dm(1) > 0 and dm(2) > 0
    assert dm(1) > dm(2)  # the saturated destination gains less
    assert dm(1, False) == pytest.approx(dm(2, False))
    # without diminishing returns the destinations gain the organizers who left, times the efficiency
    gained = sum(dm(i, False) * organizer_relocation.adults(pop[i], Q) for i in (1, 2))
    assert gained == pytest.approx(default_params(1).relocation_efficiency[0, 0] * pool)


def test_m2_breadth_raises_ceiling_and_lowers_cohesion():
    narrow = movement.support_change(0.3, 0.03, 1.0, 0.0, Q)
    broad = movement.support_change(0.3, 0.03, 1.0, 1.0, Q)
    assert broad > narrow
    assert movement.cohesion(1.0, Q) < movement.cohesion(0.0, Q)
    assert movement.participation(0.03, 1.0, Q) < movement.participation(0.03, 0.0, Q)


def test_m2_movement_grows_with_grievance_and_freedom():
    low = movement.movement_change(0.01, 0.5, 0.8, False, Q)
    high = movement.movement_change(0.01, 2.0, 0.8, False, Q)
    repressed = movement.movement_change(0.01, 2.0, 0.1, False, Q)
    assert high > low and high > repressed
    assert movement.grievance(0.08, 0.35, 0.02, Q) == pytest.approx(1.0, abs=0.3)


def test_m3_viability_near_3_5_percent_and_nonviolent_beats_violent():
    assert transition.viability(0.035, Q) == pytest.approx(0.5)
    assert transition.viability(0.06, Q) > 0.9
    assert transition.viability(0.015, Q) < 0.1
    u = np.linspace(0.0005, 0.9995, 2000)
    nonviolent = [transition.campaign_outcome(0.0, x, Q) for x in u]  # u_type < share: nonviolent
    violent = [transition.campaign_outcome(0.9999, x, Q) for x in u]
    assert all(nv for nv, _ in nonviolent) and not any(nv for nv, _ in violent)
    assert np.mean([s for _, s in nonviolent]) == pytest.approx(0.53, abs=0.01)
    assert np.mean([s for _, s in violent]) == pytest.approx(0.25, abs=0.01)
    assert transition.failed_campaign_movement(1e-5, Q) == movement.MOVEMENT_BOUNDS[0]


def test_m4_material_basis_rises_with_income_and_norms():
    prob = material_basis.democratic_probability
    p_dem = [prob(y, 0.5, 1.0, Q) for y in (2000.0, 10000.0, 50000.0)]
    assert np.all(np.diff(p_dem) > 0)
    assert prob(20000.0, 0.9, 1.0, Q) > prob(20000.0, 0.2, 1.0, Q)
    strong, weak = at(material_basis_effect=1.8), at(material_basis_effect=0.2)
    gap_strong = prob(50000.0, 0.5, 1.0, strong) - prob(2000.0, 0.5, 1.0, strong)
    gap_weak = prob(50000.0, 0.5, 1.0, weak) - prob(2000.0, 0.5, 1.0, weak)
    assert gap_strong > gap_weak


def test_m5_diffusion_is_s_shaped_and_pendulum_weighs():
    s = np.linspace(0.0, 1.0, 101)
    mult = evaluate(diffusion.hazard_multiplier, Q[None], s, 0.0)[0]
    d2 = np.diff(mult, 2)
    half = int(default_params(1).diffusion_half_share[0, 0] * 100)
    assert np.all(np.diff(mult) >= 0)
    assert np.all(d2[: half // 2] > 0) and np.all(d2[half + 10 :] < 0)  # convex, then concave
    assert diffusion.hazard_multiplier(0.0, 0.4, Q) > diffusion.hazard_multiplier(0.0, 0.1, Q)
    assert diffusion.support_pull(0.5, 0.3, True, Q) == 0.0 < diffusion.support_pull(0.5, 0.3, False, Q)


def test_m5_neighbour_means_are_row_normalized_products():
    ctx = context(2)
    x = np.random.default_rng(1).uniform(0, 1, (3, ctx.n))
    np.testing.assert_allclose(diffusion.neighbour_means(ctx.neighbour_weights, x),
                               (ctx.neighbour_weights @ x.T).T, rtol=1e-13)


def test_m6_emigration_hump_peaks_between_5000_and_10000():
    incomes = np.geomspace(500, 100000, 400)
    for q in (Q, at(emigration_peak_income=5000.0), at(emigration_peak_income=10000.0, emigration_hump_curvature=1.0)):
        h = evaluate(migration.hump, q[None], incomes)[0]
        peak = incomes[h.argmax()]
        assert 5000 * 0.98 <= peak <= 10000 * 1.02
    # rising elasticity about +0.35 at low income (Clemens 2020)
    el = math.log(migration.hump(2000.0, Q) / migration.hump(1000.0, Q)) / math.log(2.0)
    assert el == pytest.approx(0.35, abs=0.05)
    # and falling beyond ~$10,000
    assert migration.hump(20000.0, Q) < migration.hump(10000.0, Q)
    y_p = default_params(1).emigration_peak_income[0, 0]
    assert migration.hump(y_p, Q) == pytest.approx(1.0)


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
    flows = migration_flows(pop, income, u, poverty, np.ones((3, n)), np.zeros((3, n)), cap, p, ctx)
    net = flows.net.sum(axis=1)
    assert np.all(np.abs(net) <= 1e-9 * pop.sum(axis=1))
    # asylum is outside the caps: with no one granted asylum, the caps bind every admission
    closed = migration_flows(pop, income, u, poverty, np.ones((3, n)), np.zeros((3, n)), cap, p, ctx,
                             asylum_acceptance=np.zeros((3, n)))
    assert np.all(closed.admitted <= cap * pop * (1 + 1e-9) + 1e-6)
    assert np.abs(closed.net.sum(axis=1)).max() <= 1e-9 * pop.sum(axis=1).min()
    assert (flows.admitted > closed.admitted * (1 + 1e-9)).any()  # asylum adds admissions beyond the caps
    assert np.all(flows.left >= 0) and np.all(flows.admitted >= 0)


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
    p = default_params(1)
    closed = migration_flows(*args, cap, p, ctx).admitted[0, rich[0]]
    opened = migration_flows(*args, open_cap, p, ctx).admitted[0, rich[0]]
    assert opened > 2 * closed
    no_caps = context(5, Switches.without("migration_caps"))
    assert migration_flows(*args, cap, p, no_caps).admitted[0, rich[0]] > opened


def test_m7_inflow_beyond_capacity_erodes_support_more_when_larger():
    pop, u = 1e7, 0.05
    cap = integration.capacity(pop, u, 0.0, Q)
    small = integration.excess(cap * 1.2, cap) / pop
    large = integration.excess(cap * 3.0, cap) / pop
    assert integration.excess(cap * 0.5, cap) == 0
    stock, integrated = integration.integrate(0.0, cap * 3.0, cap, Q)
    assert stock + integrated == pytest.approx(cap * 3.0) and integrated > cap
    e_small, e_large = integration.erosion(small, 1.0, Q), integration.erosion(large, 1.0, Q)
    assert e_large < e_small < 0
    assert integration.erosion(large, 0.5, Q) < e_large  # low cohesion erodes faster
    # investment and full employment raise capacity
    assert integration.capacity(pop, u, 0.01, Q) > cap
    assert integration.capacity(pop, 0.12, 0.0, Q) < cap


def test_m8_aid_costs_donors_and_helps_recipients_with_diminishing_returns():
    assert aid.consumption_log(0.03, 0.0, True, Q) < aid.consumption_log(0.007, 0.0, True, Q) < 0
    assert aid.consumption_log(0.03, 0.0, False, Q) == 0
    g1 = aid.growth_effect(0.01, Q)
    assert g1 == pytest.approx(0.0035, rel=0.15)  # +1 pp aid/GNI -> ~ +0.35 pp growth (Galiani et al. 2017)
    marginal_low = aid.growth_effect(0.02, Q) - aid.growth_effect(0.01, Q)
    marginal_high = aid.growth_effect(0.21, Q) - aid.growth_effect(0.20, Q)
    assert marginal_high < 0.5 * marginal_low
    # allocation: all of the budget arrives, poorer recipients get more
    aid_share = np.array([0.01, 0.0, 0.0])
    gdp = np.array([1e12, 1e10, 1e10])
    pop = np.array([1e7, 1e7, 1e7])
    poverty = np.array([0.0, 0.5, 0.1])
    recv = np.empty(3)
    aid.allocate(aid_share, gdp, np.zeros(3), pop, poverty, gdp / pop, np.zeros(3, np.int8), Q, np.empty((3, 3)), recv)
    assert (recv * gdp).sum() == pytest.approx(1e10)
    assert recv[1] > recv[2] > 0 and recv[0] == 0
    # priority favours socialist recipients
    soc = np.array([0, 0, DS], np.int8)
    aid.allocate(aid_share, gdp, np.full(3, 3.0), pop, poverty, gdp / pop, soc, Q, np.empty((3, 3)), recv)
    assert recv[2] > recv[1] * 0.1 / 0.5


@pytest.mark.parametrize("rho", [1.2, 1.6, 2.0])
def test_m9_refugee_share_anchor(rho):
    """+1 pp unintegrated (refugee) share moves long-run reaction by +1.2 to +2.0 pp (Dustmann et al. 2019)."""
    q = at(reaction_immigration_effect=rho)
    delta = reaction.immigration_term(0.03, 0.02, q) - reaction.immigration_term(0.02, 0.02, q)
    assert 100 * delta == pytest.approx(rho)
    # the equilibrium of dR = k (R* - R) is R*, so the whole term shows in the long run
    r, target = 0.2, 0.2 + delta
    for _ in range(200):
        r += reaction.adjustment(target, r, q)
    assert 100 * (r - 0.2) == pytest.approx(rho, rel=1e-6)
    assert reaction.contact_term(0.01, Q) < 0


def test_m9_reversion_rises_with_reaction_and_loss_with_falling_support():
    assert reaction.reversion_hazard(0.5, Q) > reaction.reversion_hazard(0.2, Q)
    assert reaction.electoral_loss_hazard(0.3, Q) > reaction.electoral_loss_hazard(0.55, Q)
    assert reaction.backsliding_hazard(0.5, Q) > reaction.backsliding_hazard(0.1, Q)
    push = reaction.living_standard_push(-0.1, Q)
    parts = [reaction.push_part(push, g, -0.1) for g in (-0.06, -0.05, 0.01)]
    assert sum(parts) == pytest.approx(push) and reaction.push_part(push, -0.1, 0.2) == 0.0


def test_m10_scarcity_shock_smaller_with_strong_bloc_and_degeneration_rises_with_shortfall():
    nv = scarcity.NONVIOLENT
    assert scarcity.transition_shock(0.6, True, nv, True, Q) < scarcity.transition_shock(0.0, True, nv, True, Q)
    assert scarcity.transition_shock(0.0, False, nv, True, Q) < scarcity.transition_shock(0.0, True, nv, True, Q)
    assert scarcity.recover(0.1, 0.0, True, Q) < 0.1 and scarcity.recover(0.0, 0.0, True, Q) == 0.0
    assert scarcity.degeneration_hazard(math.log(0.7), 0.01, Q) > scarcity.degeneration_hazard(0.0, 0.01, Q)
    # hysteresis: reform of a bureaucratic regime is harder than it would be without it
    assert transition.reform_hazard(1.0, 1.0, Q) < default_params(1).reform_rate[0, 0]
    np.testing.assert_array_equal(scarcity.outputs(np.array([[2.0, 4.0]]), np.array([[0.5, 0.0]])), [[1.0, 4.0]])


def test_m11_breakdown_by_income_band_matches_przeworski_in_model_units():
    f = default_params(1).ppp1985_to_2021[0, 0]
    h = [background.breakdown_hazard(y * f, Q) for y in (800, 2000, 4500, 8000)]  # 1985 PPP $ -> 2021 PPP $
    assert h[0] == pytest.approx(0.164) and h[1] == pytest.approx(0.056) and h[2] == pytest.approx(0.022)
    assert h[3] < 0.003
    npg = background.natural_population_growth
    assert npg(0.01, math.log(1000.0), 0, 0.0, Q) > npg(0.01, math.log(50000.0), 0, 0.0, Q)
    frontier, growth = background.log_frontier(0, Q), background.growth
    assert growth(math.log(2000.0), frontier, 0.0, 0.0, Q) > growth(math.log(70000.0), frontier, 0.0, 0.0, Q)
    assert growth(math.log(10.0), frontier, 0.0, 50.0, Q) == background.GROWTH_LIMIT
    assert background.democracy_toward_regime(0.9, DS) == 0.0 < background.democracy_toward_regime(0.5, DS)


def test_m12_delays_smooth_and_switch_off():
    assert delays.smooth(0.0, 1.0, 5.0, True, 0.0) == pytest.approx(0.2)
    assert delays.smooth(0.0, 1.0, 5.0, False, 0.0) == 1.0
    assert delays.income_expectation(0.0, 0.0, True, True, Q) == pytest.approx(default_params(1).frontier_growth[0, 0])


def test_living_standard_and_poverty():
    log_living = living.log_living_standard(math.log(10000.0), 0.0, 0.0, 0.0)
    assert math.exp(log_living) == pytest.approx(6500.0)
    scores = np.array([living.poverty_score(x, 0.8, 0.0) for x in (log_living, log_living - 1.0)])
    rich, poor = living.poverty(scores)
    assert 0 < rich < poor < 1
    sigma, offset = living.poverty_calibration(np.array([0.3, 0.5]), np.array([0.1, 0.3]), np.array([2000.0, 900.0]))
    back = [living.poverty_score(math.log(c), s, o) for c, s, o in zip((2000.0, 900.0), sigma, offset, strict=True)]
    np.testing.assert_allclose(living.poverty(np.array(back)), [0.1, 0.3], rtol=1e-12)


def test_moralist_pressure_moves_applied_toward_wanted_and_costs_support():
    cap, aid_, frustration = moralism.apply(0.004, 0.007, 0.0, Q)
    assert (cap, aid_, frustration) == (0.004, 0.007, 0.0)
    cap, aid_, frustration = moralism.apply(0.004, 0.007, 0.6, Q)
    assert cap > 0.004 and aid_ > 0.007 and frustration > 0
    assert moralism.support_cost(frustration, Q) < 0
    assert moralism.strength(0.5, False, False, Q) == 0.0
    assert moralism.forced_strength(0.5, False, True, Q) == 0.5 > moralism.strength(0.5, False, True, Q)


def test_status_quo_controls_at_the_start():
    from nato_socialism.model.doctrines import CLOSED, DOCTRINES
    from nato_socialism.model.simulate import initial_state

    ctx = context(3)
    p = default_params(2)
    state = initial_state(world(), ctx, p, keys(2))
    requested, applied = controls(state, p, ctx, DOCTRINES["status_quo"].spec)
    closed = np.isin(state.regime, (int(Regime.BUREAUCRATIC), int(Regime.REACTIONARY)))
    assert (requested.immigration_cap[closed] == CLOSED).all()
    assert (requested.immigration_cap[~closed] == p.baseline_immigration_cap[0, 0]).all()
    np.testing.assert_array_equal(applied.aid_share, requested.aid_share)  # no republic, no moralists


# ---------------------------------------------------------- issue 13: new terms (sign, no effect at the range edge)
def test_m2_economic_voting_punishes_rising_unemployment_only_for_a_socialist_government():
    assert movement.unemployment_response(0.01, True, Q) == pytest.approx(-0.5 * 0.01)
    assert movement.unemployment_response(-0.01, True, Q) > 0.0
    assert movement.unemployment_response(0.01, False, Q) == 0.0
    none = at(unemployment_voting=registry()["unemployment_voting"].low)
    assert movement.unemployment_response(0.01, True, none) == 0.0


def test_m10_output_shock_by_kind_electoral_smaller_violent_larger_and_no_effect_at_one():
    shock = {k: scarcity.transition_shock(0.0, False, k, True, Q)
             for k in (scarcity.ELECTORAL, scarcity.NONVIOLENT, scarcity.VIOLENT)}
    assert shock[scarcity.ELECTORAL] < shock[scarcity.NONVIOLENT] < shock[scarcity.VIOLENT]
    assert scarcity.transition_shock(0.0, False, scarcity.VIOLENT, False, Q) == shock[scarcity.NONVIOLENT]
    flat = at(output_shock_electoral_factor=registry()["output_shock_electoral_factor"].high,
              output_shock_violent_factor=registry()["output_shock_violent_factor"].low)
    assert len({scarcity.transition_shock(0.0, False, k, True, flat) for k in range(3)}) == 1


def test_m10_recovery_faster_with_a_larger_bloc_and_unchanged_at_zero_effect():
    assert scarcity.recover(0.1, 0.5, True, Q) < scarcity.recover(0.1, 0.0, True, Q)
    assert scarcity.recover(0.1, 0.5, False, Q) == scarcity.recover(0.1, 0.0, True, Q)
    none = at(scarcity_duration_bloc_effect=0.0)
    assert scarcity.recover(0.1, 0.5, True, none) == scarcity.recover(0.1, 0.0, True, none)


def test_m10_republic_breakdown_falls_with_income_and_democratic_history():
    f = default_params(1).ppp1985_to_2021[0, 0]
    h = [scarcity.republic_breakdown_hazard(y * f, 0.7, Q) for y in (800, 2000, 4500, 8000)]
    assert h[0] > h[1] > h[2] > h[3] and h[0] == pytest.approx(0.164)
    assert scarcity.republic_breakdown_hazard(8000 * f, 0.9, Q) < h[3]
    flat = at(**{f"republic_breakdown_{b}": 0.005 for b in ("poor", "lower", "middle", "rich")},
              republic_democratic_history=0.0)
    assert len({scarcity.republic_breakdown_hazard(y * f, d, flat) for y in (800, 8000) for d in (0.7, 1.0)}) == 1
    # the breakdown hazard is split between degeneration and reversion
    assert scarcity.degeneration_hazard(0.0, 0.1, Q) + scarcity.reversion_part(0.1, Q) == pytest.approx(0.1)


def test_m11_democratization_rises_with_democratic_neighbours_and_is_flat_without_the_effect():
    ref = background.NEIGHBOUR_REFERENCE_SHARE
    assert background.democratization_hazard(ref, Q) == pytest.approx(Q[registry_index("democratization_hazard")])
    assert background.democratization_hazard(0.8, Q) > background.democratization_hazard(0.0, Q)
    none = at(democratization_neighbour_effect=0.0)
    assert background.democratization_hazard(0.8, none) == pytest.approx(background.democratization_hazard(0.0, none))


def registry_index(name):
    return list(registry()).index(name)
