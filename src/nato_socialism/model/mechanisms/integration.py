"""M7 Integration capacity and coalition erosion ("full employment first").

Newcomers join an unintegrated stock ``U`` (people). Each year::

    labour = clip(1 - u / u_slack, 0.1, 1)                labour demand for newcomers
    C      = pop * (k0 + k_inv * 100 * invest) * labour  integration capacity (people/year)
    I      = min(U + inflow, C) + n * rest                integrated this year (n: natural rate,
                                                          rest: stock left beyond capacity)
    U'     = U + inflow - I
    x      = max(0, inflow - C) / pop                     inflow beyond capacity (share)
    x~     = M12-perceived x
    dS_M7  = -eps * x~ / cohesion                         erosion of the governing coalition: of
                                                          socialist support where socialists govern
    du     = nu * x                                        unemployment pressure

The two-sided ledger: integrated newcomers (``I_rec``, those integrated in about the last
``contact_memory`` years, M9) add to the destination's living standard, and closed borders
forgo labour where it is scarce. M7's living-standard channel (log-points)::

    c7 = ln(1 - invest)                                   cost of integration investment
       + g_lab * L(u) * I_rec / pop                       labour supply (Jaumotte et al. 2016)
       + g_fis * I_rec / pop                              fiscal balance (OECD 2013; may be < 0)
       + g_age * w(y) * I_rec / pop                       ageing: younger newcomers
       - k_cb * w(y) * max(0, C - inflow) / pop           closed borders: unfilled labour demand
    w(y) = min(1, y / 40000)                              ageing and shortages are rich-country terms

Each term is a switch (``integration_labour_gain`` ...) and acts through the living-standard
gap against expectations (M12), so in the decomposition it shows as M7.

Beyond capacity, newcomers still integrate slowly on their own (children, years of work):
``n`` = ``natural_integration_rate``. ``invest`` is the integration-investment control
(share of GDP); its cost to living
standards, ``ln(1 - invest)``, is M7's living-standard channel. Low cohesion (a broad
alliance, M2) makes the coalition easier to erode.

Where socialists do not govern, inflow beyond capacity erodes the incumbent coalition
instead (not socialist support): ``incumbent_support`` (state) moves by the same term.

Sources: the essay ("coalition may begin to erode if they believe ... they are going to be
inundated"; "fully integrate the existing population into structures of full employment");
capacity and erosion strength are assumptions with wide ranges including negative values
(contact: Steinmayr 2021; Dustmann, Vasiljeva & Damm 2019 in the largest cities); the
ledger's sources are in the registry.
"""

from __future__ import annotations

from ..compiled import KP, clip, equation
from .living import log1p_or_zero

#: Labour demand for newcomers never falls below this share of its full-employment level.
LABOUR_DEMAND_FLOOR = 0.1
#: Cohesion below which erosion does not grow further.
COHESION_FLOOR = 0.2
#: Income at which ageing and labour shortages weigh fully (2021 PPP $).
RICH_INCOME = 40000.0


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


@equation
def rich_weight(income):
    """``w(y) = min(1, y / 40000)``: how much ageing and labour shortages matter at this income."""
    return min(1.0, income / RICH_INCOME)


@equation
def labour_gain(recent_share, unemployment, q):
    """Living-standard gain (log-points) from the labour of recently integrated newcomers."""
    return q[KP.immigration_labour_gain] * labour_demand(unemployment, q) * recent_share


@equation
def fiscal_gain(recent_share, q):
    """Living-standard gain (log-points) from the net fiscal balance of integrated newcomers."""
    return q[KP.immigration_fiscal_gain] * recent_share


@equation
def ageing_gain(recent_share, income, q):
    """Living-standard gain (log-points) of younger newcomers in ageing (rich) countries."""
    return q[KP.immigration_ageing_gain] * rich_weight(income) * recent_share


@equation
def closed_border_cost(inflow, cap, pop, income, q):
    """Living-standard loss (log-points, <= 0) from labour demand newcomers could fill but do not."""
    return -q[KP.closed_border_cost] * rich_weight(income) * max(0.0, cap - inflow) / pop


@equation
def incumbent_support(incumbent, support, reaction, erosion, q):
    """Next support of a non-socialist governing coalition: eroded, returning to ``1 - S - R``.

    ``I' = clip(I + k (1 - S - R - I) + erosion, 0, 1 - S - R)`` with ``k`` =
    ``incumbent_recovery_rate`` and ``erosion`` this year's :func:`erosion` (S, R after the year).
    """
    room = max(0.0, 1.0 - support - reaction)
    return clip(incumbent + q[KP.incumbent_recovery_rate] * (room - incumbent) + erosion, 0.0, room)


@equation
def integration_channel(invest, ledger):
    """M7's channel of the living standard: the investment's cost plus the immigration ledger."""
    return log1p_or_zero(-invest) + ledger
