"""Run context: everything fixed during a run that the step needs besides state and parameters.

Built once from the :class:`~nato_socialism.data.world.World`, the blocs and the scenario's
events: country constants (inequality, structural unemployment, poverty calibration),
geography kernels (neighbour weights, migration distance kernels), bloc masks for every
simulated year, mechanism switches and scheduled events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .state import Regime
from .switches import Switches

#: Extreme-poverty line, $3.00 a day (2021 PPP) as a yearly consumption (World Bank 2025).
POVERTY_LINE = 3.00 * 365.0
#: Upper-middle-income poverty line, $8.30 a day (2021 PPP), yearly (World Bank 2025): an outcome
#: line at which doctrines differ (few stay below $3.00 by the end of a century of growth).
UPPER_POVERTY_LINE = 8.30 * 365.0
#: Consumption share of GDP per head used to turn income into a living standard.
CONSUMPTION_SHARE = 0.65
#: Distance scales (km) of the two migration kernels mixed by ``migration_long_distance_share``.
REGIONAL_KM, GLOBAL_KM = 1500.0, 8000.0
#: Policy controls an event can fix from a year on.
POLICY_EVENTS = ("aid_share", "immigration_cap", "integration_investment")


@dataclass(frozen=True)
class Blocmasks:
    """Bloc membership per simulated year: arrays (years + 1, countries) of bool."""

    nato: np.ndarray
    first_world: np.ndarray
    #: primary bloc code per year and country (index into ``primary_ids``)
    primary: np.ndarray
    primary_ids: tuple[str, ...]
    #: every bloc's membership per year and country (bloc id -> (years + 1, countries) bool)
    by_id: dict = None

    def year(self, t: int) -> dict[str, np.ndarray]:
        """Every bloc's membership in year index ``t``: bloc id -> (countries,) bool."""
        return {k: v[t] for k, v in self.by_id.items()}


@dataclass(frozen=True)
class Context:
    """Constants of one run (shared by all members)."""

    iso3: tuple[str, ...]
    start_year: int
    horizon: int
    gini: np.ndarray
    poverty_sigma: np.ndarray
    poverty_offset: np.ndarray
    structural_unemployment: np.ndarray
    neighbour_weights: sparse.csr_matrix  # row-normalized land/nearest neighbours
    refugee_kernel: sparse.csr_matrix  # row-normalized, neighbours weighted by 1/distance
    refugee_kernel_t: sparse.csr_matrix  # its transpose (hosts x origins), for inflows
    migration_kernels: np.ndarray  # (N, 2N): [regional | global] distance kernels, zero diagonal
    blocs: Blocmasks
    switches: Switches = field(default_factory=Switches)
    #: year index -> regime forced by a scheduled event (-1: none), shape (horizon, N)
    forced_regime: np.ndarray | None = None
    #: control name -> (horizon, N) values fixed by events (NaN: none)
    policy_override: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of countries."""
        return len(self.iso3)

    def year_index(self, year: int) -> int:
        """Index of a calendar year in the per-year arrays."""
        return year - self.start_year


def _row_normalize(m: sparse.csr_matrix) -> sparse.csr_matrix:
    rows = np.asarray(m.sum(axis=1)).ravel()
    rows[rows == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / rows) @ m)


def geography_kernels(neighbours: np.ndarray, distance_km: np.ndarray):
    """Neighbour weights, refugee kernel and the two migration distance kernels."""
    nb = sparse.csr_matrix(neighbours.astype(np.float64))
    inv_d = np.where(neighbours, 1.0 / np.maximum(distance_km, 100.0), 0.0)
    refugee = _row_normalize(sparse.csr_matrix(inv_d))
    kernels = np.hstack([np.exp(-distance_km / REGIONAL_KM), np.exp(-distance_km / GLOBAL_KM)])
    n = len(distance_km)
    kernels[np.arange(n), np.arange(n)] = 0.0
    kernels[np.arange(n), n + np.arange(n)] = 0.0
    return _row_normalize(nb), refugee, np.ascontiguousarray(kernels)


def initial_regime(row: np.ndarray, iso3: tuple[str, ...], bureaucratic: tuple[str, ...]) -> np.ndarray:
    """Regimes at the start: RoW >= 2 democracies, communist-party states bureaucratic, else autocracy."""
    regime = np.where(row >= 2, Regime.CAPITALIST_DEMOCRACY, Regime.CAPITALIST_AUTOCRACY).astype(np.int8)
    regime[np.isin(np.array(iso3), bureaucratic)] = Regime.BUREAUCRATIC
    return regime
