"""Chunking, blocks, threads and BLAS settings change no bit of a member's results."""

import numpy as np
import pytest

from model_helpers import context, keys, world
from nato_socialism.model import compiled, linalg
from nato_socialism.model.doctrines import DOCTRINES
from nato_socialism.model.parameters import params_from_table, registry, select_members
from nato_socialism.model.simulate import simulate_members


def _random_params(e, seed=5):
    rng = np.random.default_rng(seed)
    return params_from_table({k: rng.uniform(q.low, q.high, e) for k, q in registry().items()})


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 100, 128, 129, 197, 256, 300, 1000, 1024])
def test_pairwise_sum_is_numpys(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) * np.exp(rng.uniform(-20, 20, n))
    assert compiled.pairwise_sum(x, 0, n) == x.sum()


def test_member_matmul_row_depends_on_member_not_on_chunk_or_threads():
    from threadpoolctl import threadpool_limits

    ctx = context(2)
    rng = np.random.default_rng(3)
    e = 2 * linalg.BLOCK + 22  # three blocks, the last one partial
    x = rng.uniform(0, 1e6, (e, ctx.n)) * rng.uniform(0, 1, (e, 1))
    slots = linalg.member_slots(np.arange(e))
    full = linalg.member_matmul(x, ctx.migration_kernels, slots=slots)
    for size in (1, 7, 45, e):
        for start in range(0, e, size):
            rows = slice(start, min(e, start + size))
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
