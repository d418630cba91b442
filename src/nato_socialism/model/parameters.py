"""Parameter registry and the typed, frozen parameter record used by the model.

The registry (``parameters.toml`` beside this module) lists every parameter once: default,
plausible low/high, unit, source and meaning. Everything else that needs parameters (the
ensemble sampler, SALib problems, pymoo bounds, EMA uncertainties, ``params`` CLI, the
docs table) is generated from it.

In a run each parameter holds one value per ensemble member: :class:`Params` stores arrays
of shape ``(members, 1)`` so they broadcast against ``(members, countries)`` state arrays.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

REGISTRY_PATH = Path(__file__).with_name("parameters.toml")


@dataclass(frozen=True)
class Parameter:
    """One registry entry."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    source: str
    mechanism: str
    doc: str

    @property
    def bounds(self) -> tuple[float, float]:
        """Hard validity bounds (any value a scenario may set must lie inside).

        Non-negative unless the plausible range goes below zero; at most 1 for shares and
        probabilities (unit containing 'share' or 'probability' with a range inside [0, 1]).
        """
        lower = -np.inf if self.low < 0 else 0.0
        bounded = self.high <= 1.0 and ("share" in self.unit or "probability" in self.unit)
        return lower, 1.0 if bounded else np.inf

    @property
    def is_assumption(self) -> bool:
        """True when no published figure backs the default."""
        return self.source.startswith("assumption")


@cache
def registry() -> Mapping[str, Parameter]:
    """Return the registry, in file order (which groups parameters by mechanism)."""
    with REGISTRY_PATH.open("rb") as fh:
        raw = tomllib.load(fh)
    out: dict[str, Parameter] = {}
    for name, entry in raw.items():
        p = Parameter(name=name, **entry)
        if not p.low <= p.default <= p.high:
            raise ValueError(f"{REGISTRY_PATH}: {name}: default {p.default} outside [{p.low}, {p.high}]")
        out[name] = p
    return out


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
