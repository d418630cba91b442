"""Issue 12: the two-sided immigration ledger, the governing coalition, honest rivals.

Each new term: its sign, zero at the "no effect" edge of its range, and its place in the
"why" decomposition (M7 through the living-standard channel).
"""

import numpy as np
import pytest

from model_helpers import blocs, world
from nato_socialism.model.compiled import KP, kernel_params
from nato_socialism.model.doctrines import DEFAULT_DOCTRINES, DOCTRINES, relocation_target
from nato_socialism.model.mechanisms import integration, migration
from nato_socialism.model.parameters import default_params, params_from_table, registry
from nato_socialism.model.rng import member_keys
from nato_socialism.model.simulate import build_context, initial_state
from nato_socialism.model.state import Regime
from nato_socialism.model.step import step
from nato_socialism.model.switches import Switches

REG = registry()
Q = kernel_params(default_params(1))[0]
LEDGER = {  # parameter -> switch
    "immigration_labour_gain": "integration_labour_gain",
    "immigration_fiscal_gain": "integration_fiscal_gain",
    "immigration_ageing_gain": "integration_ageing_gain",
    "closed_border_cost": "integration_closed_border_cost",
}


def at(**values):
    return kernel_params(params_from_table({k: np.array([values.get(k, p.default)]) for k, p in REG.items()}))[0]


def test_ranges_include_no_effect_and_the_negative_estimates():
    for name in LEDGER:
        assert REG[name].low <= 0.0 <= REG[name].high, name
    assert REG["immigration_fiscal_gain"].low < 0  # refugees can be a net fiscal cost
    for name in ("erosion_strength", "reaction_immigration_effect"):
        assert REG[name].low < 0 < REG[name].high, name  # contact / largest cities / hosting


def test_ledger_terms_signs_and_zero_at_range_edge():
    share, y = 0.02, 50000.0
    assert integration.labour_gain(share, 0.03, Q) > 0
    assert integration.labour_gain(share, 0.03, Q) > integration.labour_gain(share, 0.12, Q)  # labour demand
    assert integration.ageing_gain(share, y, Q) > integration.ageing_gain(share, 5000.0, Q) > 0
    assert integration.closed_border_cost(0.0, 1000.0, 1e5, y, Q) < 0
    assert integration.closed_border_cost(2000.0, 1000.0, 1e5, y, Q) == 0.0  # no shortage when filled
    assert integration.fiscal_gain(share, at(immigration_fiscal_gain=-0.05)) < 0
    zero = at(**{k: 0.0 for k in LEDGER})
    assert integration.labour_gain(share, 0.03, zero) == 0.0
    assert integration.fiscal_gain(share, zero) == 0.0
    assert integration.ageing_gain(share, y, zero) == 0.0
    assert integration.closed_border_cost(0.0, 1000.0, 1e5, y, zero) == 0.0


def test_erosion_can_be_a_gain_at_the_negative_end():
    assert integration.erosion(0.01, 1.0, Q) < 0
    assert integration.erosion(0.01, 1.0, at(erosion_strength=-0.5)) > 0
    assert integration.erosion(0.01, 1.0, at(erosion_strength=0.0)) == 0.0


def test_incumbent_support_erodes_and_recovers_within_the_room():
    q = Q
    low = integration.incumbent_support(0.4, 0.3, 0.2, -0.05, q)
    high = integration.incumbent_support(0.4, 0.3, 0.2, 0.0, q)
    assert low < high <= 0.5
    assert integration.incumbent_support(0.9, 0.3, 0.2, 0.0, q) <= 0.5


def _one_year(off=(), doctrine="nato_first", regime=None, **params):
    ctx = build_context(world(), blocs(), 2023, 2, Switches.without(*off))
    p = params_from_table({k: np.array([params.get(k, v.default)]) for k, v in REG.items()})
    keys = member_keys(5, range(1))
    state = initial_state(world(), ctx, p, keys)
    if regime is not None:
        state = state.replace(regime=np.full_like(state.regime, regime))
    return ctx, step(state, p, ctx, DOCTRINES[doctrine].spec, keys)


def test_each_ledger_term_appears_in_the_decomposition_as_m7():
    # with expectations at the start, a republic's M7 support change includes the ledger's gap
    values = dict(erosion_strength=0.0, immigration_fiscal_gain=0.04)  # fiscal: default 0 (no effect)
    _, on = _one_year(regime=int(Regime.DEMOCRATIC_SOCIALIST), **values)
    for switch in LEDGER.values():
        _, off = _one_year(off=(switch,), regime=int(Regime.DEMOCRATIC_SOCIALIST), **values)
        diff = on.support["M7"] - off.support["M7"]
        assert np.abs(diff).max() > 0, switch
        for k in ("M2", "M5", "M8", "M10", "M11"):
            np.testing.assert_array_equal(on.support[k], off.support[k])


def test_erosion_falls_on_the_governing_coalition_only():
    # nobody is socialist at the start: socialist support does not erode, the incumbents' does
    _, strong = _one_year(doctrine="open_solidarity", erosion_strength=2.5)
    _, none = _one_year(doctrine="open_solidarity", erosion_strength=0.0)
    assert not (strong.old_regime == Regime.DEMOCRATIC_SOCIALIST).any()
    np.testing.assert_array_equal(strong.support["M7"], none.support["M7"])
    inc_strong, inc_none = strong.state.incumbent_support, none.state.incumbent_support
    assert (inc_strong <= inc_none).all() and (inc_strong < inc_none).any()
    assert (inc_strong <= 1.0 - strong.state.support - strong.state.reaction + 1e-12).all()
    # where socialists govern, it is their support that erodes (and the incumbent is them)
    ds = int(Regime.DEMOCRATIC_SOCIALIST)
    _, strong = _one_year(doctrine="open_solidarity", regime=ds, erosion_strength=2.5)
    _, none = _one_year(doctrine="open_solidarity", regime=ds, erosion_strength=0.0)
    assert (strong.support["M7"] <= none.support["M7"]).all() and (strong.support["M7"] < none.support["M7"]).any()
    stays = strong.new_regime == ds
    np.testing.assert_array_equal(strong.state.incumbent_support[stays], strong.state.support[stays])


def test_honest_rivals():
    ctx = build_context(world(), blocs(), 2023, 1)
    masks = ctx.blocs.year(0)
    south = relocation_target(DOCTRINES["south_first"].spec, masks)
    iso = list(ctx.iso3)
    for code in ("IND", "BRA", "ZAF", "IDN", "MEX", "CUB"):
        assert south[iso.index(code)] > 0, code
    assert south[iso.index("BRA")] > south[iso.index("CUB")]  # free first (V-Dem puts India at RoW 1)
    assert (south[masks["first_world"]] == 0).all()
    breadth = {d.spec.alliance_breadth for d in DOCTRINES.values()}
    assert breadth == {0.6}
    invest = {name: d.spec.integration_investment for name, d in DOCTRINES.items()}
    assert invest["open_solidarity"] > invest["nato_first"]
    assert "custom" not in DEFAULT_DOCTRINES


def test_custom_targets_control():
    from nato_socialism.model.doctrines import custom_spec
    ctx = build_context(world(), blocs(), 2023, 1)
    spec = custom_spec({"targets": ["bric"]})
    target = relocation_target(spec, ctx.blocs.year(0))
    np.testing.assert_array_equal(target > 0, ctx.blocs.year(0)["bric"])


@pytest.mark.parametrize("switch", list(LEDGER.values()))
def test_ledger_switches_are_registered(switch):
    assert Switches.without(switch).on(switch) is False


def _poverty_run(factor, years=8, members=8):
    """First-world asylum+economic inflow in year 1 and mean first-world reaction after ``years``.

    Origin poverty (outside the first world) is scaled by ``factor`` at the start and in the
    calibration of every later year (the offset), members sampled over the default ranges.
    """
    import dataclasses

    from nato_socialism.experiments.sampling import latin_hypercube, parameter_ranges
    from nato_socialism.model.context import CONSUMPTION_SHARE
    from nato_socialism.model.mechanisms.living import poverty_calibration
    from nato_socialism.model.parameters import params_from_table

    w = world()
    ctx = build_context(w, blocs(), 2023, years)
    fw = ctx.blocs.first_world[0]
    pov = np.where(fw, w.poverty, w.poverty * factor)
    _, offset = poverty_calibration(w.gini, pov, w.gdppc * CONSUMPTION_SHARE)
    ctx = dataclasses.replace(ctx, poverty_offset=offset)
    table = latin_hypercube(members, 7, parameter_ranges())
    p = params_from_table({k: table[k].to_numpy() for k in REG})
    keys = member_keys(7, range(members))
    state = initial_state(w, ctx, p, keys)
    state = state.replace(poverty=np.broadcast_to(pov, state.pop.shape).copy())
    from nato_socialism.model.step import migration_flows
    res = step(state, p, ctx, DOCTRINES["status_quo"].spec, keys)
    flows = migration_flows(state.pop, state.gdppc, state.unemployment, state.poverty, state.turmoil,
                            state.displaced, res.applied.immigration_cap, p, ctx)
    inflow = ((flows.admitted + flows.refugees_in) * fw).sum(axis=1)
    for _ in range(years):
        state = res.state
        res = step(state, p, ctx, DOCTRINES["status_quo"].spec, keys)
    weight = state.pop * fw
    reaction = (res.state.reaction * weight).sum(axis=1) / weight.sum(axis=1)
    return inflow, reaction


@pytest.fixture(scope="module")
def poverty_runs():
    return _poverty_run(1.0), _poverty_run(0.5)


def test_halving_origin_poverty_lowers_first_world_inflow(poverty_runs):
    (full_in, _), (half_in, _) = poverty_runs
    assert (half_in < full_in).all(), (half_in, full_in)


def test_halving_origin_poverty_moves_first_world_reaction_less_than_its_noise(poverty_runs):
    """What docs/model.md claims: the reaction part of the channel is below the noise of the other terms.

    Its sign has flipped with every change of the draw (+0.001, -0.003, +0.002 pp); the paired
    mean difference stays within two standard errors of zero and below 0.05 pp in every member.
    """
    (_, full_r), (_, half_r) = poverty_runs
    d = half_r - full_r
    assert abs(d.mean()) <= 2 * d.std(ddof=1) / np.sqrt(d.size), d
    assert np.abs(d).max() < 0.0005, d


# ------------------------------------------------------------------ origin effects (M6)
ORIGIN = {"remittance_per_emigrant": "migration_remittances", "brain_drain_growth_effect": "migration_brain_drain"}


def test_origin_ranges_include_no_effect_and_brain_gain():
    assert REG["remittance_per_emigrant"].low == 0.0 < REG["remittance_per_emigrant"].default
    assert REG["brain_drain_growth_effect"].low < 0.0 < REG["brain_drain_growth_effect"].high  # brain gain / drain
    for switch in ORIGIN.values():
        assert Switches.without(switch).on(switch) is False
        assert Switches.without("migration").on(switch) is False


def test_origin_terms_signs_and_zero_at_range_edge():
    d, pop, y = 3e5, 1e7, 4000.0
    assert migration.remittance_gain(d, pop, y, Q) > 0
    assert migration.remittance_gain(d, pop, 2 * y, Q) < migration.remittance_gain(d, pop, y, Q)  # more where poor
    assert migration.remittance_gain(d, pop, y, at(remittance_per_emigrant=0.0)) == 0.0
    assert migration.brain_drain(d, pop, Q) < 0
    assert migration.brain_drain(d, pop, at(brain_drain_growth_effect=-0.02)) > 0  # brain gain
    assert migration.brain_drain(d, pop, at(brain_drain_growth_effect=0.0)) == 0.0
    assert migration.diaspora_next(d, 0.0, Q) < d
    assert migration.diaspora_next(d, 1e4, Q) == pytest.approx(d * (1 - Q[KP.diaspora_attrition]) + 1e4)


def _origin_year(off=(), regime=None, scale=2.0, **params):
    """One year from a state whose diaspora is ``scale`` times the initial one (so remittances open a gap)."""
    ctx = build_context(world(), blocs(), 2023, 2, Switches.without(*off))
    p = params_from_table({k: np.array([params.get(k, v.default)]) for k, v in REG.items()})
    keys = member_keys(5, range(1))
    state = initial_state(world(), ctx, p, keys)
    state = state.replace(diaspora=state.diaspora * scale)
    if regime is not None:
        state = state.replace(regime=np.full_like(state.regime, regime))
    return state, step(state, p, ctx, DOCTRINES["nato_first"].spec, keys)


def test_origin_terms_appear_in_the_decomposition():
    ds = int(Regime.DEMOCRATIC_SOCIALIST)
    _, on = _origin_year(regime=ds, erosion_strength=0.0)
    # remittances: M7's ledger channel (and through the total gap, M9's living-standard push)
    _, off = _origin_year(off=("migration_remittances",), regime=ds, erosion_strength=0.0)
    assert (on.support["M7"] > off.support["M7"]).any()
    assert (on.state.living > off.state.living).all()
    assert (on.state.poverty <= off.state.poverty).all() and (on.state.poverty < off.state.poverty).any()
    for k in ("M2", "M5", "M8", "M10", "M11"):
        np.testing.assert_array_equal(on.support[k], off.support[k])
    # brain drain: growth, so M11's income channel
    _, off = _origin_year(off=("migration_brain_drain",), regime=ds, erosion_strength=0.0)
    assert (on.state.gdppc < off.state.gdppc).all()
    assert (on.support["M11"] < off.support["M11"]).any()
    for k in ("M2", "M5", "M8", "M10"):
        np.testing.assert_array_equal(on.support[k], off.support[k])


def test_no_remittance_gap_at_the_start():
    # remittances at the start are expected (M12): switching them off changes no support in year 1
    ctx = build_context(world(), blocs(), 2023, 2)
    p = default_params(1)
    keys = member_keys(5, range(1))
    state = initial_state(world(), ctx, p, keys)
    res = step(state, p, ctx, DOCTRINES["nato_first"].spec, keys)
    ctx_off = build_context(world(), blocs(), 2023, 2, Switches.without("migration_remittances"))
    off = step(initial_state(world(), ctx_off, p, keys), p, ctx_off, DOCTRINES["nato_first"].spec, keys)
    np.testing.assert_array_equal(res.support["M7"], off.support["M7"])


def test_diaspora_stock_keeps_those_who_left():
    state, res = _origin_year(scale=1.0)
    from nato_socialism.model.step import migration_flows
    ctx = build_context(world(), blocs(), 2023, 2)
    p = default_params(1)
    flows = migration_flows(res.state.pop * 0 + state.pop, state.gdppc, state.unemployment, state.poverty,
                            state.turmoil, state.displaced, res.applied.immigration_cap, p, ctx)
    assert (res.state.diaspora >= 0).all()
    # D' - D (1 - a): this year's emigrants, never more than left the origin in total (world sum)
    arrived = res.state.diaspora - state.diaspora * (1 - Q[KP.diaspora_attrition])
    assert (arrived >= -1e-6).all()
    assert arrived.sum() == pytest.approx(flows.left.sum(), rel=0.05)  # flows here use pop before growth
    off = _origin_year(off=("migration",), scale=1.0)[1]
    np.testing.assert_array_equal(off.state.diaspora, state.diaspora)


def test_remittances_size_against_the_world_bank():
    """Size check, tolerance stated before computing: 2023 remittances to countries outside the first
    world within a factor 2 of 1.6 % of their GDP (World Bank/KNOMAD 2023: $656 bn over their ~$40 tn)."""
    ctx = build_context(world(), blocs(), 2023, 1)
    p = default_params(1)
    state = initial_state(world(), ctx, p, member_keys(5, range(1)))
    fw = ctx.blocs.first_world[0]
    sent = p.remittance_per_emigrant[0, 0] * state.diaspora[0]
    share = sent[~fw].sum() / (state.gdppc[0] * state.pop[0])[~fw].sum()
    assert 0.008 <= share <= 0.032, share


def adams_page_elasticity():
    """Median over non-first-world countries with >= 1 % extreme poverty of the relative fall of poverty
    when remittances per head rise 10 % (Adams & Page 2005: about 3.5 %)."""
    from scipy.special import ndtr

    from nato_socialism.model.compiled import evaluate
    from nato_socialism.model.mechanisms import living
    ctx = build_context(world(), blocs(), 2023, 1)
    p = default_params(1)
    q = kernel_params(p)
    state = initial_state(world(), ctx, p, member_keys(5, range(1)))
    y = state.gdppc[0]
    keep = (~ctx.blocs.first_world[0]) & (state.poverty[0] >= 0.01)
    drops = []
    for factor in (1.0, 1.1):
        r = evaluate(migration.remittance_gain, q, state.diaspora[0] * factor, state.pop[0], y)[0]
        log_l = np.log(living.CONSUMPTION_SHARE * y) + r
        drops.append(ndtr(np.array([living.poverty_score(a, s, o) for a, s, o in
                                    zip(log_l, ctx.poverty_sigma, ctx.poverty_offset, strict=True)])))
    return float(np.median((1 - drops[1] / drops[0])[keep]))


def test_remittances_poverty_elasticity_against_adams_page():
    """Tolerance stated before computing: within a factor 4 of Adams & Page's 3.5 % (0.875 % to 14 %).

    Measured: 0.92 % (the model has no growth or inequality channel of remittances, and every
    origin's diaspora starts at the same share of its population; docs/model.md)."""
    assert 0.00875 <= adams_page_elasticity() <= 0.14


# ------------------------------------------------------------------ deaths (item 4)
DEATH_RATES = ("violent_campaign_death_rate", "nonviolent_campaign_death_rate", "regime_collapse_death_rate")


def test_death_rates_by_kind_and_ranges():
    from nato_socialism.model.mechanisms import transition
    pop = 1e7
    violent = transition.event_deaths(pop, True, True, Q)
    nonviolent = transition.event_deaths(pop, True, False, Q)
    collapse = transition.event_deaths(pop, False, True, Q)
    assert violent > collapse > nonviolent > 0
    assert transition.event_deaths(pop, False, False, Q) == 0.0  # electoral, reform, backsliding, degeneration
    for name in DEATH_RATES:
        assert REG[name].high >= 10 * REG[name].low > 0, name  # at least an order of magnitude
    assert REG["violent_campaign_death_rate"].low > REG["nonviolent_campaign_death_rate"].high  # Chenoweth & Stephan


def test_deaths_outcome_counts_each_deadly_event_once():
    # with one rate for every deadly kind, deaths = rate * population after the year of each such event
    from nato_socialism.model.kernels import EVENT
    from nato_socialism.model.outcomes import member_outcomes
    from nato_socialism.model.simulate import simulate_members
    n, years, rate = 3, 30, 1e-3
    table = {k: np.full(n, v.default) for k, v in REG.items()}
    for name in ("reversion_rate", "campaign_onset_rate", "bureaucratic_collapse_hazard"):
        table[name] = np.full(n, REG[name].high)
    for name in DEATH_RATES:
        table[name] = np.full(n, rate)
    p = params_from_table(table)
    ctx = build_context(world(), blocs(), 2023, years)
    res = simulate_members(ctx, world(), p, member_keys(11, range(n)), np.arange(n), DOCTRINES["south_first"].spec,
                           keep=n)
    deadly = np.isin(res.trajectories["event"][:, :years],
                     [EVENT[k] for k in ("campaign", "reversion", "collapse", "breakdown")])
    want = rate * (res.trajectories["pop"][:, 1:] * deadly).sum(axis=(1, 2))
    assert deadly.sum() > 0
    got = member_outcomes(res, 2023)["deaths"] * 1e6
    np.testing.assert_allclose(got, want, rtol=1e-9)
