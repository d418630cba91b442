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

import numpy as np


def labour_demand(unemployment, p):
    """Labour demand for newcomers, 1 at full employment, 0.1 at and beyond the slack level."""
    return np.clip(1.0 - unemployment / p.integration_unemployment_slack, 0.1, 1.0)


def capacity(pop, unemployment, invest, p):
    """Integration capacity (people per year)."""
    base = p.integration_capacity_base + p.integration_capacity_investment * 100.0 * invest
    return pop * base * labour_demand(unemployment, p)


def integrate(unintegrated, inflow, cap, p):
    """Return (new unintegrated stock, integrated this year, excess inflow in people)."""
    stock = unintegrated + inflow
    integrated = np.minimum(stock, cap)
    integrated = integrated + p.natural_integration_rate * (stock - integrated)
    return stock - integrated, integrated, np.maximum(0.0, inflow - cap)


def erosion(perceived_excess_share, cohesion, p):
    """Change of coalition support from perceived inflow beyond capacity."""
    return -p.erosion_strength * perceived_excess_share / np.maximum(cohesion, 0.2)
