"""Invariants over whole runs: finite values, shares in [0, 1], people conserved, decomposition exact."""

import numpy as np
import pytest

from model_helpers import context, corner_params, keys, world
from nato_socialism.model.doctrines import DOCTRINE_NAMES, DOCTRINES
from nato_socialism.model.simulate import TRAJECTORY_VARIABLES, simulate_members
from nato_socialism.model.step import CONTRIBUTIONS

SHARES = ("democracy", "movement", "support", "reaction", "unemployment", "poverty", "moralist", "scarcity")


@pytest.fixture(scope="module")
def corner_runs():
    """Every doctrine, 100 years, members at all-low, all-high and 20 random corners."""
    ctx = context(100)
    p = corner_params(20)
    n = p.adult_share.shape[0]
    return {d: simulate_members(ctx, world(), p, keys(n), np.arange(n), DOCTRINES[d].spec, keep=n)
            for d in DOCTRINE_NAMES}


@pytest.mark.parametrize("doctrine", DOCTRINE_NAMES)
def test_no_nan_or_inf_and_shares_bounded_at_range_corners(corner_runs, doctrine):
    run = corner_runs[doctrine]
    for name in TRAJECTORY_VARIABLES:
        x = run.trajectories[name]
        assert np.isfinite(x).all(), f"{name} not finite"
    for name in SHARES:
        x = run.trajectories[name]
        assert x.min() >= 0.0 and x.max() <= 1.0, name
    t = run.trajectories
    assert (t["support"] + t["reaction"] <= 1.0 + 1e-12).all()
    assert t["movement"].min() >= 1e-5 and t["movement"].max() <= 0.5  # also after failed campaigns
    assert (t["pop"] > 0).all() and (t["gdppc"] > 0).all()
    for series in run.series.values():
        assert np.isfinite(series).all()
    assert ((run.bloc_share >= 0) & (run.bloc_share <= 1)).all()


@pytest.mark.parametrize("doctrine", ["nato_first", "open_solidarity"])
def test_decomposition_sums_to_the_change_without_residual(corner_runs, doctrine):
    run = corner_runs[doctrine]
    for target in ("support", "reaction"):
        parts = run.why[target]  # (members, years, contributions, countries)
        total = parts.sum(axis=2)
        change = np.diff(run.trajectories[target], axis=1)
        np.testing.assert_allclose(total, change, rtol=0, atol=1e-9)
    assert "clip" in CONTRIBUTIONS and len(CONTRIBUTIONS) == len(set(CONTRIBUTIONS))


def test_clipping_is_a_named_contribution_when_it_happens():
    """Support and reaction must share one electorate: reaction beyond 1 - support is clipped, by name."""
    from nato_socialism.model.parameters import default_params
    from nato_socialism.model.simulate import initial_state
    from nato_socialism.model.step import step

    ctx = context(5)
    p = default_params(2)
    state = initial_state(world(), ctx, p, keys(2))
    state = state.replace(support=np.full_like(state.support, 0.97), reaction=np.full_like(state.reaction, 0.6))
    res = step(state, p, ctx, DOCTRINES["status_quo"].spec, keys(2))
    clip = res.reaction["clip"]
    assert clip.min() < -0.1  # reaction pushed back under 1 - support
    total = sum(res.reaction.values())
    np.testing.assert_allclose(total, res.state.reaction - state.reaction, atol=1e-12)
    assert (res.state.support + res.state.reaction <= 1 + 1e-12).all()


def test_migration_conserves_people_over_a_run():
    """With births and deaths switched off (M11 off), world population is constant."""
    from nato_socialism.model.switches import Switches

    ctx = context(30, Switches.without("background"))
    p = corner_params(3)
    n = p.adult_share.shape[0]
    run = simulate_members(ctx, world(), p, keys(n), np.arange(n), DOCTRINES["open_solidarity"].spec)
    pop = run.series["world_pop"]
    np.testing.assert_allclose(pop, pop[:, :1] * np.ones_like(pop), rtol=1e-9)


def _country_not_socialist(ctx, state, skip=()):
    """Index of a country that is in no member a democratic socialist republic at the start."""
    from nato_socialism.model.state import Regime

    for i in range(ctx.n):
        if i not in skip and not (state.regime[:, i] == Regime.DEMOCRATIC_SOCIALIST).any():
            return i
    raise AssertionError("no such country")


def test_moralists_decay_once_in_a_year_with_a_scheduled_event():
    """A scheduled transition elsewhere does not make an existing republic's moralists decay twice."""
    from nato_socialism.model.parameters import default_params
    from nato_socialism.model.simulate import Events, initial_state
    from nato_socialism.model.state import Regime
    from nato_socialism.model.step import step
    from nato_socialism.model.switches import Switches

    soc = int(Regime.DEMOCRATIC_SOCIALIST)
    p = default_params(4)
    probe = initial_state(world(), context(5), p, keys(4))
    first = _country_not_socialist(context(5), probe)
    second = _country_not_socialist(context(5), probe, skip=(first,))
    # no way out of a republic (M9 reversion and electoral loss, M10 degeneration are off)
    events = Events(regimes=((2023, first, soc), (2025, second, soc)))
    ctx = context(5, Switches.without("reaction", "scarcity"), events)
    state = initial_state(world(), ctx, p, keys(4))
    keep = 1.0 - p.moralist_decay[:, 0]
    spec = DOCTRINES["status_quo"].spec
    k = keys(4)
    moralist = []
    for _ in range(5):
        res = step(state, p, ctx, spec, k)
        assert (res.state.regime[:, first] == soc).all()
        moralist.append(res.state.moralist[:, first])
        state = res.state
    # the first republic surges in its forced year and decays once a year from then on,
    # also in 2025, when the second country is forced
    np.testing.assert_array_equal(moralist[0], p.moralist_surge[:, 0] * keep)
    for year in range(1, 5):
        np.testing.assert_array_equal(moralist[year], moralist[year - 1] * keep)
    assert (moralist[-1] > 0).all()


def test_a_forced_country_keeps_its_forced_regime_that_year():
    """No regime hazard in the year of a scheduled event: the regime holds and the event is 'forced'."""
    from nato_socialism.model.simulate import Events, initial_state
    from nato_socialism.model.state import Regime
    from nato_socialism.model.step import EVENT, step

    p = corner_params(20)
    e = p.adult_share.shape[0]
    probe = initial_state(world(), context(3), p, keys(e))
    i = _country_not_socialist(context(3), probe)
    code = int(Regime.CAPITALIST_AUTOCRACY)
    ctx = context(3, events=Events(regimes=((2024, i, code),)))
    state = initial_state(world(), ctx, p, keys(e))
    spec = DOCTRINES["open_solidarity"].spec
    state = step(state, p, ctx, spec, keys(e)).state
    res = step(state, p, ctx, spec, keys(e))
    assert (res.old_regime[:, i] == code).all()
    assert (res.new_regime[:, i] == code).all()
    assert (res.event[:, i] == EVENT["forced"]).all()


@pytest.mark.parametrize(
    ("kind", "year"), [("regime", 2022), ("regime", 2033), ("regime", 2040), ("policy", 2022), ("policy", 1990)]
)
def test_scheduled_event_outside_the_run_is_refused(kind, year):
    """A library caller gets a ValueError naming the event and the valid years, not an IndexError.

    (A policy event after the end is accepted: it applies from its year on, so within the run
    it has no effect.)
    """
    from nato_socialism.model.simulate import Events

    if kind == "regime":
        events = Events(regimes=((year, 0, 2),))
    else:
        events = Events(policies=((year, 0, "aid_share", 0.01),))
    with pytest.raises(ValueError, match=rf"{kind} event \(year {year}, country {world().iso3[0]}.*2023-2032"):
        context(10, events=events)
    assert context(10, events=Events(regimes=((2032, 0, 2),), policies=((2023, 0, "aid_share", 0.01),)))


def test_a_step_without_decomposition_gives_the_same_year():
    """``decompose=False`` (runs that keep no "why" table) changes nothing but the parts it leaves out."""
    from nato_socialism.model.simulate import initial_state
    from nato_socialism.model.step import step

    ctx = context(3)
    p = corner_params(4)
    e = p.adult_share.shape[0]
    state = initial_state(world(), ctx, p, keys(e))
    full = step(state, p, ctx, DOCTRINES["nato_first"].spec, keys(e))
    lean = step(state, p, ctx, DOCTRINES["nato_first"].spec, keys(e), decompose=False)
    for name, x in full.state.arrays().items():
        assert np.array_equal(x, getattr(lean.state, name)), name
    assert set(lean.support) == set(lean.reaction) == {"clip"}
    np.testing.assert_array_equal(lean.support["clip"], full.support["clip"])
    np.testing.assert_array_equal(lean.reaction["clip"], full.reaction["clip"])
