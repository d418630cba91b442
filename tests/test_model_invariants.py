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
    state = initial_state(world(), ctx, p)
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
