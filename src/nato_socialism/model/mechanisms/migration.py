"""M6 Migration: economic emigration (the income hump), gravity destinations, refugees, caps.

Economic emigration from origin o (people per year)::

    hump(y) = (y / y_p)^beta * exp((beta / gamma) * (1 - (y / y_p)^gamma))
    E_o     = e_max * hump(y_o) * (1 + push * max(0, u_o - 0.05)) * pop_o

``hump`` peaks (= 1) at ``y_p`` and has elasticity ``beta * (1 - (y / y_p)^gamma)``: about
``beta`` (0.35) at low income, zero at the peak, negative beyond it (Clemens 2020).

Displacement: ``D_new = pop * (d_pov * poverty + d_turm * turmoil)``; the displaced stock
returns at ``r_ret`` a year. A share ``psi`` of the newly displaced cross a border; a share
``chi`` of those are hosted by neighbours (refugee kernel, uncapped); the rest seek asylum
further away: they choose destinations by the same gravity model, and each destination
grants a share ``acc_d`` (its asylum-acceptance control) of the claims it receives, outside
its economic cap (one round, no cap); those refused stay displaced at home. So aid that
lowers poverty lowers displacement and the asylum inflow of the first world.

Destinations (gravity, separable so it is a matrix product)::

    a_d    = (y_d / 20000)^alpha * L(u_d)                attractiveness (L: M7 labour demand)
    K      = (1 - t) K_regional + t K_global             K_x[o, d] = exp(-dist / lambda_x), zero diagonal
    F[o,d] = E_o * K[o, d] * a_d / Z_o,   Z = a @ K^T    desired flows
    in_d   = a_d * ((E / Z) @ K)_d
    acc_d  = min(1, cap_d * pop_d / in_d)               caps set by destination policy
    out_o  = (E_o / Z_o) * ((a * acc) @ K^T)_o           migrants refused by a cap ...

Economic migrants refused in this first round choose again, once, among destinations with
room left, with attractiveness scaled by the unused share of each cap (so an open border
draws the demand the closed ones turn away); those refused again stay home. Then the asylum
round: ``in_d = a_d ((A / Z) @ K)_d``, admitted ``acc_d in_d``, left ``(A_o / Z_o) ((a acc) @
K)_o``.

K is symmetric, so ``x @ K^T = x @ K``; the products run on the stacked
``[K_regional | K_global]`` with :func:`~nato_socialism.model.linalg.member_matmul`. People
are conserved: sum(out) = sum(acc * in) and the refugee kernel's rows sum to 1.

Sources: Clemens 2014, 2020 (hump); Berthiaume et al. 2021 (counter-evidence, hence the
curvature range); UNHCR Global Trends 2023 (cross-border and neighbour shares); gravity
models (Grogger & Hanson 2011). Rates are assumptions with ranges (registry).
"""

from __future__ import annotations

import math

from ..compiled import KP, equation
from .integration import labour_demand

#: Income scale of destination attractiveness (2021 PPP $).
REFERENCE_INCOME = 20000.0
#: Unemployment below which it does not push emigration.
PUSH_UNEMPLOYMENT = 0.05
#: Guard against division by zero in the allocation (people).
_TINY = 1e-300


# ------------------------------------------------------------------------ origins
@equation
def hump(income, q):
    """Emigration propensity relative to its peak (1 at the peak income).

    ``(y / y_p)^beta * exp((beta / gamma) * (1 - (y / y_p)^gamma))``, computed as one
    exponential of ``beta ln x + (beta / gamma) (1 - x^gamma)`` with ``x = y / y_p``.
    """
    lx = math.log(income / q[KP.emigration_peak_income])
    beta, gamma = q[KP.emigration_elasticity], q[KP.emigration_hump_curvature]
    return math.exp(beta * lx + (beta / gamma) * (1.0 - math.exp(gamma * lx)))


@equation
def economic_emigration(income, unemployment, pop, q):
    """Desired economic emigrants per year (people)."""
    push = 1.0 + q[KP.emigration_unemployment_push] * max(0.0, unemployment - PUSH_UNEMPLOYMENT)
    return q[KP.emigration_max_rate] * hump(income, q) * push * pop


@equation
def new_displaced(pop, poverty, turmoil, q):
    """People newly displaced this year: ``pop * (d_pov * poverty + d_turm * turmoil)``."""
    return pop * (q[KP.displacement_poverty_rate] * poverty + q[KP.displacement_turmoil_rate] * turmoil)


@equation
def displaced_stock(displaced, new, q):
    """Displaced stock after returns and the newly displaced."""
    return displaced * (1.0 - q[KP.displacement_return_rate]) + new


@equation
def refugees(new, q):
    """(Refugees crossing a border, of whom hosted by neighbours) among the newly displaced."""
    crossing = q[KP.refugee_cross_border_share] * new
    return crossing, q[KP.refugee_neighbour_share] * crossing


@equation
def asylum_seekers(crossing, hosted):
    """Refugees not hosted by neighbours: they seek asylum further away (outside the economic caps)."""
    return crossing - hosted


@equation
def asylum_granted(acceptance):
    """Share of a destination's asylum claims granted: its asylum acceptance, within [0, 1]."""
    return min(max(acceptance, 0.0), 1.0)


# ------------------------------------------------------------------------ destinations
_LOG_REFERENCE_INCOME = math.log(REFERENCE_INCOME)


@equation
def attractiveness(log_income, unemployment, q):
    """Attractiveness of a destination: ``(y / 20000)^alpha * L(u)`` (``log_income``: ``ln y``)."""
    return (math.exp(q[KP.destination_income_elasticity] * (log_income - _LOG_REFERENCE_INCOME))
            * labour_demand(unemployment, q))


@equation
def room(cap, pop, caps):
    """Immigrants a destination admits at most (people); unlimited without caps."""
    return cap * pop if caps else math.inf


# ------------------------------------------------------------------------ one gravity round
@equation
def kernel_mix(t, regional, long_distance):
    """Product with the mixed kernel ``(1 - t) K_regional + t K_global`` from the two products."""
    return (1.0 - t) * regional + t * long_distance


@equation
def per_attraction(desired, z):
    """``E_o / Z_o``: an origin's desired emigrants per unit of attraction it sees (0 if none)."""
    return desired / z if z > 0 else 0.0


@equation
def acceptance(demand, room):
    """Share of a destination's demand it accepts: ``min(1, room / demand)``."""
    return room / max(demand, _TINY) if demand > room else 1.0


@equation
def second_round(room, admitted, desired, left, attract):
    """Inputs of the second round: (room left, emigrants refused, attractiveness scaled by room left)."""
    free = max(room - admitted, 0.0)
    return free, desired - left, attract * free / max(room, _TINY)


# ------------------------------------------------------------------------ the year's flows
@equation
def inflow(admitted, refugees_in):
    """Everyone arriving (joins the unintegrated stock, M7)."""
    return admitted + refugees_in


@equation
def net_migration(admitted, refugees_in, left, hosted_abroad):
    """Net population change from migration."""
    return admitted + refugees_in - left - hosted_abroad
