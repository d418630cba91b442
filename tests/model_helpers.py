"""Small builders shared by the model tests."""

from __future__ import annotations

from functools import cache

import numpy as np

from nato_socialism.data import build_blocs, build_world
from nato_socialism.model.parameters import params_from_table, registry
from nato_socialism.model.rng import member_keys
from nato_socialism.model.simulate import build_context
from nato_socialism.model.switches import Switches


@cache
def world():
    return build_world()


@cache
def blocs():
    return build_blocs(world())


def context(horizon=20, switches=None, events=None):
    return build_context(world(), blocs(), 2023, horizon, switches or Switches(), events)


def corner_params(n_random=20, seed=0):
    """Members at every parameter's low bound, at every high bound, and at random corners."""
    reg = registry()
    rng = np.random.default_rng(seed)
    cols = {}
    for name, p in reg.items():
        corners = rng.integers(0, 2, n_random)
        cols[name] = np.concatenate([[p.low, p.high], np.where(corners == 1, p.high, p.low)])
    return params_from_table(cols)


def keys(n, seed=1):
    return member_keys(seed, range(n))
