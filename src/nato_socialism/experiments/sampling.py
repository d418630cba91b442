"""Parameter sampling for ensembles: a Latin hypercube over the registry's ranges.

Each parameter is fixed (a scenario gives a number), sampled in a scenario range (a
``[low, high]`` pair) or sampled in the registry's plausible range (default). The design is
drawn once per run from the run seed (McKay, Beckman & Conover 1979; ``scipy.stats.qmc``), so
a member's parameters do not depend on how the ensemble is later chunked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..model.parameters import registry

#: Spawn key of the parameter-design stream, far from member indices.
DESIGN_STREAM = 1 << 40


def parameter_ranges(overrides: Mapping[str, float | Sequence[float]] | None = None) -> dict[str, tuple[float, float]]:
    """(low, high) of every parameter after scenario overrides; low == high means fixed."""
    overrides = overrides or {}
    out = {}
    for name, p in registry().items():
        v = overrides.get(name)
        if v is None:
            out[name] = (p.low, p.high)
        elif isinstance(v, int | float):
            out[name] = (float(v), float(v))
        else:
            out[name] = (float(v[0]), float(v[1]))
    return out


def latin_hypercube(members: int, seed: int, ranges: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """One row per member, one column per parameter (in registry order)."""
    names = list(ranges)
    sampled = [k for k in names if ranges[k][0] != ranges[k][1]]
    columns = {k: np.full(members, ranges[k][0]) for k in names}
    if sampled:
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DESIGN_STREAM,)))
        unit = qmc.LatinHypercube(d=len(sampled), rng=rng).random(members)
        for j, k in enumerate(sampled):
            low, high = ranges[k]
            columns[k] = low + unit[:, j] * (high - low)
    table = pd.DataFrame(columns)
    table.index.name = "member"
    return table
