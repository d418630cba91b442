"""The compiled step equals the array formulas bit for bit; chunking, blocks and threads change no bit."""

import numpy as np
import pytest

from model_helpers import context, corner_params, keys, world
from nato_socialism.model import kernels, linalg, step_numpy
from nato_socialism.model import step as fast
from nato_socialism.model.doctrines import DOCTRINE_NAMES, DOCTRINES
from nato_socialism.model.parameters import params_from_table, registry, select_members
from nato_socialism.model.simulate import Events, initial_state, simulate_members
from nato_socialism.model.state import Regime
from nato_socialism.model.switches import Switches

SWITCH_SETS = (
    (),
    ("migration_caps", "moralism", "delays", "aid_donor_cost", "reaction_living_standard"),
    ("aid", "scarcity", "integration", "background", "movement_breadth"),
    ("diffusion", "reaction", "movement", "organizer_relocation", "transition_campaigns", "material_basis"),
    ("migration", "diffusion_neighbours", "scarcity_sanctions", "aid_recipient_growth", "integration_erosion"),
)


def _random_params(e, seed=5):
    rng = np.random.default_rng(seed)
    return params_from_table({k: rng.uniform(q.low, q.high, e) for k, q in registry().items()})


def _assert_same(a, b):
    for name, x in a.state.arrays().items():
        assert np.array_equal(x, getattr(b.state, name)), name
    assert a.state.year == b.state.year
    for part in ("support", "reaction"):
        for c, x in getattr(a, part).items():
            assert np.array_equal(x, getattr(b, part)[c]), (part, c)
    for kind in ("requested", "applied"):
        for c, x in getattr(a, kind).arrays().items():
            assert np.array_equal(x, getattr(getattr(b, kind), c)), (kind, c)
    for name in ("event", "old_regime", "new_regime", "aid_received", "displaced_new"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


@pytest.mark.parametrize("off", SWITCH_SETS)
def test_compiled_step_equals_array_step(off):
    ctx = context(12, Switches.without(*off))
    p = _random_params(18) if off else corner_params(16)
    e = p.adult_share.shape[0]
    k = keys(e)
    for doctrine in DOCTRINE_NAMES:
        state = initial_state(world(), ctx, p, k)
        for _ in range(12):
            a = step_numpy.step(state, p, ctx, DOCTRINES[doctrine].spec, k)
            b = fast.step(state, p, ctx, DOCTRINES[doctrine].spec, k)
            _assert_same(a, b)
            state = a.state


def test_compiled_step_equals_array_step_with_scheduled_events():
    events = Events(regimes=((2024, 3, int(Regime.DEMOCRATIC_SOCIALIST)), (2025, 10, int(Regime.REACTIONARY))),
                    policies=((2024, 5, "aid_share", 0.02), (2025, 7, "immigration_cap", 0.05),
                              (2025, 9, "integration_investment", 0.01)))
    ctx = context(6, events=events)
    p = _random_params(10, seed=7)
    k = keys(10)
    state = initial_state(world(), ctx, p, k)
    for _ in range(6):
        a = step_numpy.step(state, p, ctx, DOCTRINES["nato_first"].spec, k)
        b = fast.step(state, p, ctx, DOCTRINES["nato_first"].spec, k)
        _assert_same(a, b)
        state = a.state


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 100, 128, 129, 197, 256, 300, 1000, 1024])
def test_pairwise_sum_is_numpys(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) * np.exp(rng.uniform(-20, 20, n))
    assert kernels.pairwise_sum(x, 0, n) == x.sum()


def test_member_matmul_row_depends_on_member_not_on_chunk_or_threads():
    from threadpoolctl import threadpool_limits

    ctx = context(2)
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1e6, (45, ctx.n)) * rng.uniform(0, 1, (45, 1))
    slots = linalg.member_slots(np.arange(45))
    full = linalg.member_matmul(x, ctx.migration_kernels, slots=slots)
    for size in (1, 7, 45):
        for start in range(0, 45, size):
            rows = slice(start, min(45, start + size))
            part = linalg.member_matmul(x[rows], ctx.migration_kernels, slots=slots[rows])
            assert np.array_equal(part, full[rows]), size
    with threadpool_limits(2, user_api="blas"):  # the caller's thread setting does not matter
        assert np.array_equal(linalg.member_matmul(x, ctx.migration_kernels, slots=slots), full)
    np.testing.assert_allclose(full, x @ ctx.migration_kernels, rtol=1e-13)


def test_member_blocks_and_threads_change_no_bit():
    e = 40
    p, k = _random_params(e, seed=11), keys(e)
    ctx = context(15)
    spec = DOCTRINES["open_solidarity"].spec

    def run(rows, **kw):
        return simulate_members(ctx, world(), select_members(p, rows), k[rows], np.arange(e)[rows], spec, keep=3, **kw)

    full = run(slice(0, e), block=16, threads=2)
    for size, kw in ((1, {}), (7, {"threads": 1}), (e, {"block": 128, "threads": 1})):
        for start in range(0, e, size):
            rows = slice(start, min(e, start + size))
            part = run(rows, **kw)
            for name in full.series:
                assert np.array_equal(full.series[name][rows], part.series[name]), (size, name)
            for name in full.counters:
                assert np.array_equal(full.counters[name][rows], part.counters[name]), (size, name)
            assert np.array_equal(full.bloc_share[rows], part.bloc_share)
            kept = min(3, rows.stop - rows.start) if start < 3 else 0
            if kept:
                for name in ("support", "pop", "regime"):
                    assert np.array_equal(full.trajectories[name][start:start + kept], part.trajectories[name][:kept])
