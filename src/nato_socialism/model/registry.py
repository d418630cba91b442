"""The parameter registry: every parameter once, with default, plausible range, unit, source and meaning.

``parameters.toml`` beside this module holds the entries. This module needs only the
standard library, so listing parameters (``nato-socialism params``) starts fast;
:mod:`.parameters` builds the per-member arrays the model uses.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
        lower = -math.inf if self.low < 0 else 0.0
        bounded = self.high <= 1.0 and ("share" in self.unit or "probability" in self.unit)
        return lower, 1.0 if bounded else math.inf

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
