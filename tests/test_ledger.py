"""Issue 12: the two-sided immigration ledger, the governing coalition, honest rivals.

Each new term: its sign, zero at the "no effect" edge of its range, and its place in the
"why" decomposition (M7 through the living-standard channel).
"""

import numpy as np
import pytest

from model_helpers import blocs, world
from nato_socialism.model.compiled import kernel_params
from nato_socialism.model.doctrines import DEFAULT_DOCTRINES, DOCTRINES, relocation_target
from nato_socialism.model.mechanisms import integration
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


@pytest.mark.xfail(strict=True, reason="measured on the merged model (realism): mean first-world reaction after 8 "
                                       "years is +0.001 pp higher with halved origin poverty (members -0.009 to "
                                       "+0.022 pp); the channel is below the noise of the other terms (docs/model.md)")
def test_halving_origin_poverty_lowers_first_world_reaction(poverty_runs):
    (_, full_r), (_, half_r) = poverty_runs
    assert half_r.mean() < full_r.mean(), (half_r, full_r)
