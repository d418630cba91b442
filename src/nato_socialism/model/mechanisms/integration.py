"""M7 Integration capacity and coalition erosion ("full employment first").

Newcomers join an unintegrated stock ``U`` (people). Each year::

    labour = clip(1 - u / u_slack, 0.1, 1)                labour demand for newcomers
    C      = pop * (k0 + k_inv * 100 * invest) * labour  integration capacity (people/year)
    I      = min(U + inflow, C) + n * rest                integrated this year (n: natural rate,
                                                          rest: stock left beyond capacity)
    U'     = U + inflow - I
    x      = max(0, inflow - C) / pop                     inflow beyond capacity (share)
    x~     = M12-perceived x
    dS_M7  = -eps * x~ / cohesion                         coalition erosion
    du     = nu * x                                        unemployment pressure

Beyond capacity, newcomers still integrate slowly on their own (children, years of work):
``n`` = ``natural_integration_rate``. ``invest`` is the integration-investment control
(share of GDP); its cost to living
standards, ``ln(1 - invest)``, is M7's living-standard channel. Low cohesion (a broad
alliance, M2) makes the coalition easier to erode.

Sources: the essay ("coalition may begin to erode if they believe ... they are going to be
inundated"; "fully integrate the existing population into structures of full employment");
capacity and erosion strength are assumptions with wide ranges (registry).
"""

from __future__ import annotations

from ..compiled import KP, clip, equation

#: Labour demand for newcomers never falls below this share of its full-employment level.
LABOUR_DEMAND_FLOOR = 0.1
#: Cohesion below which erosion does not grow further.
COHESION_FLOOR = 0.2


@equation
def labour_demand(unemployment, q):
    """Labour demand for newcomers ``L(u)``: 1 at full employment, 0.1 at and beyond the slack level."""
    return clip(1.0 - unemployment / q[KP.integration_unemployment_slack], LABOUR_DEMAND_FLOOR, 1.0)


@equation
def capacity(pop, unemployment, invest, q):
    """Integration capacity (people per year) with integration investment ``invest`` (share of GDP)."""
    base = q[KP.integration_capacity_base] + q[KP.integration_capacity_investment] * 100.0 * invest
    return pop * base * labour_demand(unemployment, q)


@equation
def integrate(unintegrated, inflow, cap, q):
    """(New unintegrated stock, integrated this year): capacity first, then the natural rate."""
    stock = unintegrated + inflow
    integrated = min(stock, cap)
    integrated = integrated + q[KP.natural_integration_rate] * (stock - integrated)
    return stock - integrated, integrated


@equation
def excess(inflow, cap):
    """Inflow beyond capacity (people)."""
    return max(0.0, inflow - cap)


@equation
def erosion(perceived_excess_share, cohesion, q):
    """Change of coalition support from perceived inflow beyond capacity (``dS_M7``)."""
    return -q[KP.erosion_strength] * perceived_excess_share / max(cohesion, COHESION_FLOOR)


@equation
def unemployment_pressure(excess_share, q):
    """Change of unemployment from inflow beyond capacity (share of population)."""
    return q[KP.excess_unemployment_effect] * excess_share
