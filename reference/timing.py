"""Throughput of the reference implementations on the bundled world.

Both functions run the ``nato_first`` doctrine for ``members`` members (parameters drawn
uniformly within the registry ranges, fixed seed) over ``years`` years from the snapshot
year, and return simulated country-years per second (members x years x countries divided
by the wall time of the run; building the world and the context is not timed).
"""

from __future__ import annotations

import time
from functools import cache
from types import SimpleNamespace

import numpy as np

from nato_socialism.data import SNAPSHOT_YEAR, build_blocs, build_world
from nato_socialism.model.parameters import params_from_table, registry
from nato_socialism.model.rng import member_keys
from nato_socialism.model.simulate import build_context

from . import mesa_model, plain_loop

#: The ``nato_first`` doctrine rule (same values as
#: ``nato_socialism.model.doctrines.DOCTRINES["nato_first"].spec``; a test checks it).
NATO_FIRST = SimpleNamespace(
    relocation_rate=0.03, relocate_to="nato", targets=(), alliance_breadth=0.6, cap_to_capacity=1.0,
    unemployment_target=0.05, integration_investment=0.005, aid_share=0.007, aid_priority=2.0,
    asylum_acceptance=0.43,
    safety_margin=0.06, safety_cut=0.2,
)


@cache
def _world():
    world = build_world()
    return world, build_blocs(world)


def _setup(members: int, years: int, seed: int = 0):
    world, blocs = _world()
    ctx = build_context(world, blocs, SNAPSHOT_YEAR, years)
    rng = np.random.default_rng(seed)
    p = params_from_table({k: rng.uniform(q.low, q.high, members) for k, q in registry().items()})
    return ctx, world, p, member_keys(seed, range(members))


def _throughput(run, members: int, years: int) -> float:
    ctx, world, p, keys = _setup(members, years)
    start = time.perf_counter()
    run(ctx, world, p, keys, np.arange(members), NATO_FIRST, years)
    elapsed = time.perf_counter() - start
    return members * years * ctx.n / elapsed


def time_plain(members: int, years: int) -> float:
    """Country-years per second of :func:`reference.plain_loop.run`."""
    return _throughput(plain_loop.run, members, years)


def time_mesa(members: int, years: int) -> float:
    """Country-years per second of :func:`reference.mesa_model.run` (one Mesa model per member)."""
    return _throughput(mesa_model.run, members, years)
