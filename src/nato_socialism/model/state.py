"""Ensemble state: arrays shaped (members, countries), plus the regime codes.

The state is a frozen record; :func:`nato_socialism.model.step.step` returns a new one each
year. Units: people for ``pop``, ``unintegrated``, ``integrated_recent``, ``displaced`` and ``diaspora``;
constant 2021 PPP $ for ``gdppc`` and ``living``; shares in [0, 1] for everything else
except ``years_in_regime`` (years) and the log-point expectation references.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class Regime(IntEnum):
    """Regime categories of the brief (section 1)."""

    CAPITALIST_DEMOCRACY = 0
    CAPITALIST_AUTOCRACY = 1
    DEMOCRATIC_SOCIALIST = 2
    BUREAUCRATIC = 3
    REACTIONARY = 4


REGIME_LABELS = {
    Regime.CAPITALIST_DEMOCRACY: "capitalist democracy",
    Regime.CAPITALIST_AUTOCRACY: "capitalist autocracy",
    Regime.DEMOCRATIC_SOCIALIST: "democratic socialist",
    Regime.BUREAUCRATIC: "bureaucratic class regime",
    Regime.REACTIONARY: "reactionary regime",
}

#: Ruling communist-party states that start as bureaucratic class regimes (brief, section 1).
BUREAUCRATIC_AT_START = ("CHN", "CUB", "LAO", "PRK", "VNM")


@dataclass(frozen=True)
class State:
    """State of every member and country at the start of ``year``."""

    year: int
    pop: np.ndarray
    gdppc: np.ndarray  # potential output per head; actual output is gdppc * (1 - scarcity)
    democracy: np.ndarray
    regime: np.ndarray  # int8 codes of Regime
    movement: np.ndarray
    support: np.ndarray
    incumbent_support: np.ndarray  # the governing coalition's support (= support where socialists govern; M7)
    reaction: np.ndarray
    unemployment: np.ndarray
    unintegrated: np.ndarray
    integrated_recent: np.ndarray  # newcomers integrated in about the last contact_memory years (M9)
    displaced: np.ndarray  # people displaced from this country, not yet returned
    diaspora: np.ndarray  # emigrants of this country living abroad (people; M6 origin effects)
    poverty: np.ndarray
    living: np.ndarray  # consumption per head
    years_in_regime: np.ndarray
    moralist: np.ndarray  # strength of the moralist faction (section 3 of the brief)
    scarcity: np.ndarray  # post-transition output gap (M10)
    aid_received: np.ndarray  # aid received last year, share of own GDP (M8)
    growth: np.ndarray  # last year's growth of GDP per head (log-points)
    # M12 expectation references (log-points) of the living-standard components
    expected_income: np.ndarray
    expected_aid: np.ndarray
    expected_investment: np.ndarray
    expected_scarcity: np.ndarray
    perceived_excess: np.ndarray  # perceived immigration beyond integration capacity (share of pop)
    turmoil: np.ndarray  # 1 after a violent campaign, collapse, breakdown or reversion last year (M6)
    lost_office: np.ndarray  # 1 while a capitalist democracy's socialist coalition is out after losing an election (M3)
    growth_regime: np.ndarray  # persistent part of growth, log-points per year (M11 structural noise)
    pop_growth: np.ndarray  # last year's natural population growth rate (M11 demographic transition)
    # per-member constants set at initialization (M9's reference levels)
    reaction_base: np.ndarray
    unintegrated_share0: np.ndarray

    @property
    def members(self) -> int:
        """Number of ensemble members."""
        return self.pop.shape[0]

    def replace(self, **changes) -> State:
        """A copy with some fields replaced."""
        return dataclasses.replace(self, **changes)

    def arrays(self) -> dict[str, np.ndarray]:
        """The (members, countries) arrays by name."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "year"}

    def select(self, rows) -> State:
        """The state of a subset of members."""
        return State(year=self.year, **{k: v[rows] for k, v in self.arrays().items()})
