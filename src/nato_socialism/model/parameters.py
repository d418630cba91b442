"""The typed, frozen parameter record used by the model, built from the parameter registry.

The registry (:mod:`.registry`, ``parameters.toml`` beside this module) lists every parameter
once: default, plausible low/high, unit, source and meaning. Everything else that needs
parameters (the ensemble sampler, SALib problems, pymoo bounds, EMA uncertainties, ``params``
CLI, the docs table) is generated from it; this module re-exports it.

In a run each parameter holds one value per ensemble member: :class:`Params` stores arrays
of shape ``(members, 1)`` so they broadcast against ``(members, countries)`` state arrays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from .registry import REGISTRY_PATH, Parameter, registry

__all__ = ["REGISTRY_PATH", "Parameter", "Params", "default_params", "params_from_table", "registry", "select_members"]


def _params_class() -> type:
    fields = [(name, np.ndarray) for name in registry()]
    cls = dataclasses.make_dataclass("Params", fields, frozen=True)
    cls.__doc__ = (
        "Parameter values of an ensemble: one attribute per registry entry, each an array "
        "of shape (members, 1)."
    )
    cls.__module__ = __name__
    return cls


Params = _params_class()


def params_from_table(values: Mapping[str, np.ndarray]) -> Params:
    """Build a :class:`Params` record from per-member value columns (missing -> default)."""
    reg = registry()
    n = None
    for v in values.values():
        n = len(np.atleast_1d(v))
        break
    n = n or 1
    cols = {}
    for name, p in reg.items():
        col = np.asarray(values.get(name, np.full(n, p.default)), dtype=np.float64).reshape(-1, 1)
        if col.shape[0] != n:
            raise ValueError(f"parameter {name}: {col.shape[0]} values for {n} members")
        cols[name] = col
    return Params(**cols)


def default_params(members: int = 1) -> Params:
    """Every parameter at its default, for ``members`` identical members."""
    return params_from_table({name: np.full(members, p.default) for name, p in registry().items()})


def select_members(params: Params, rows: slice | np.ndarray) -> Params:
    """The parameter record of a subset of members (a chunk)."""
    return Params(**{f.name: getattr(params, f.name)[rows] for f in dataclasses.fields(params)})
