"""M6 Migration: economic emigration (the income hump), gravity destinations, refugees, caps.

Economic emigration from origin o (people per year)::

    hump(y) = (y / y_p)^beta * exp((beta / gamma) * (1 - (y / y_p)^gamma))
    E_o     = e_max * hump(y_o) * (1 + push * max(0, u_o - 0.05)) * pop_o

``hump`` peaks (= 1) at ``y_p`` and has elasticity ``beta * (1 - (y / y_p)^gamma)``: about
``beta`` (0.35) at low income, zero at the peak, negative beyond it (Clemens 2020).

Displacement: ``D_new = pop * (d_pov * poverty + d_turm * turmoil)``; the displaced stock
returns at ``r_ret`` a year. A share ``psi`` of the newly displaced cross a border; a share
``chi`` of those are hosted by neighbours (refugee kernel, uncapped); the rest join the
gravity flow.

Destinations (gravity, separable so it is a matrix product)::

    a_d    = (y_d / 20000)^alpha * L(u_d)                attractiveness (L: M7 labour demand)
    K      = (1 - t) K_regional + t K_global             K_x[o, d] = exp(-dist / lambda_x), zero diagonal
    F[o,d] = E_o * K[o, d] * a_d / Z_o,   Z = a @ K^T    desired flows
    in_d   = a_d * ((E / Z) @ K)_d
    acc_d  = min(1, cap_d * pop_d / in_d)               caps set by destination policy
    out_o  = (E_o / Z_o) * ((a * acc) @ K^T)_o           migrants refused by a cap ...

Migrants refused in this first round choose again, once, among destinations with room left,
with attractiveness scaled by the unused share of each cap (so an open border draws the
demand the closed ones turn away); those refused again stay home.

K is symmetric, so ``x @ K^T = x @ K``; the products run on the stacked
``[K_regional | K_global]`` with :func:`~nato_socialism.model.linalg.member_matmul`. People
are conserved: sum(out) = sum(acc * in) and the refugee kernel's rows sum to 1.

Sources: Clemens 2014, 2020 (hump); Berthiaume et al. 2021 (counter-evidence, hence the
curvature range); UNHCR Global Trends 2023 (cross-border and neighbour shares); gravity
models (Grogger & Hanson 2011). Rates are assumptions with ranges (registry).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..linalg import member_matmul
from . import integration

REFERENCE_INCOME = 20000.0


@dataclass(frozen=True)
class Flows:
    """Result of one year of migration (people, shape (members, countries))."""

    emigrants: np.ndarray  # economic and onward-refugee emigrants who left
    immigrants: np.ndarray  # admitted gravity immigrants
    refugees_out: np.ndarray  # refugees hosted by neighbours, by origin
    refugees_in: np.ndarray  # refugees hosted, by host
    displaced: np.ndarray  # new displaced stock (originating)

    @property
    def net(self) -> np.ndarray:
        """Net population change from migration."""
        return self.immigrants + self.refugees_in - self.emigrants - self.refugees_out

    @property
    def inflow(self) -> np.ndarray:
        """Everyone arriving (joins the unintegrated stock, M7)."""
        return self.immigrants + self.refugees_in


def hump(income, p):
    """Emigration propensity relative to its peak (1 at the peak income)."""
    x = income / p.emigration_peak_income
    beta, gamma = p.emigration_elasticity, p.emigration_hump_curvature
    return x**beta * np.exp((beta / gamma) * (1.0 - x**gamma))


def economic_emigration(income, unemployment, pop, p):
    """Desired economic emigrants per year (people)."""
    push = 1.0 + p.emigration_unemployment_push * np.maximum(0.0, unemployment - 0.05)
    return p.emigration_max_rate * hump(income, p) * push * pop


def _kernel_product(x, kernels, t):
    """Return x @ K with K the per-member mixture of the regional and global kernels."""
    n = x.shape[1]
    both = member_matmul(x, kernels)
    return (1.0 - t) * both[:, :n] + t * both[:, n:]


def allocate(desired, attract, room, kernels, t):
    """One round of gravity allocation under caps: (emigrants who left, immigrants admitted)."""
    z = _kernel_product(attract, kernels, t)
    per_z = np.divide(desired, z, out=np.zeros_like(desired), where=z > 0)
    demand = attract * _kernel_product(per_z, kernels, t)
    accept = np.where(demand > room, room / np.maximum(demand, 1e-300), 1.0)
    return per_z * _kernel_product(attract * accept, kernels, t), demand * accept


def migrate(pop, income, unemployment, poverty, turmoil, displaced, cap, ctx, p, switches) -> Flows:
    """One year of migration; returns the flows (population is updated by the caller)."""
    econ = economic_emigration(income, unemployment, pop, p) if switches.on("migration_economic") else 0.0 * pop
    if switches.on("migration_refugees"):
        new_displaced = pop * (p.displacement_poverty_rate * poverty + p.displacement_turmoil_rate * turmoil)
    else:
        new_displaced = np.zeros_like(pop)
    stock = displaced * (1.0 - p.displacement_return_rate) + new_displaced
    crossing = p.refugee_cross_border_share * new_displaced
    to_neighbours = p.refugee_neighbour_share * crossing
    refugees_in = np.ascontiguousarray((ctx.refugee_kernel_t @ np.ascontiguousarray(to_neighbours.T)).T)
    desired = econ + (crossing - to_neighbours)

    t = p.migration_long_distance_share
    kernels = ctx.migration_kernels
    labour = integration.labour_demand(unemployment, p)
    attract = (income / REFERENCE_INCOME) ** p.destination_income_elasticity * labour
    room = cap * pop if switches.on("migration_caps") else np.full_like(pop, np.inf)
    left, admitted = allocate(desired, attract, room, kernels, t)
    if switches.on("migration_caps"):
        # migrants refused everywhere try once more where room is left (e.g. an open border)
        free = np.maximum(room - admitted, 0.0)
        left2, admitted2 = allocate(desired - left, attract * free / np.maximum(room, 1e-300), free, kernels, t)
        left, admitted = left + left2, admitted + admitted2
    return Flows(
        emigrants=left,
        immigrants=admitted,
        refugees_out=to_neighbours,
        refugees_in=refugees_in,
        displaced=stock,
    )
