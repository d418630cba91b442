"""M8 Aid: donors pay from their living standard; recipients grow faster, with diminishing returns.

Per member and year::

    B      = sum_d aid_d * Y_d                         aid budget (Y: GDP, $)
    w_r    = pop_r * poverty_r * (1 + prio * soc_r)    need weights, recipients with y_r < y_max
    a_r    = B * w_r / sum(w) / Y_r                    aid received, share of GNI
    g_r   += gamma * a_r / (1 + a_r / a_sat)           growth effect (+0.35 pp per pp at low a)
    ln L  += ln(1 - aid + c_share * a_r)               aid channel of living standards: the
                                                       donor cost and the consumption reaching
                                                       recipients, in one term (a poor donor can
                                                       also receive)

``prio`` is the budget-weighted mean of the donors' ``aid_priority`` control; ``soc_r`` marks
democratic socialist recipients. Poverty and displacement fall through growth and
consumption (poverty is recomputed from living standards; displacement from poverty, M6).
A socialist donor government's support responds to its lower living standard (M2's
living-standard term, attributed to M8).

Sources: Galiani, Knack, Xu & Zou 2017 (+0.35 pp growth per pp aid/GNI); Clemens et al.
2012 (diminishing returns); OECD DAC 2023-2024 (0.37 %, 0.33 % of donor GNI).
"""

from __future__ import annotations

import numpy as np

from ..linalg import row_sum


def received_share(aid_share, gdp, pop, poverty, income, socialist, priority, p):
    """Aid received by each country, as a share of its own GDP."""
    budget = row_sum(aid_share * gdp)
    mean_prio = np.divide(row_sum(aid_share * gdp * priority), budget, out=np.zeros_like(budget), where=budget > 0)
    eligible = income < p.aid_recipient_max_income
    weight = np.where(eligible, pop * poverty * (1.0 + mean_prio * socialist), 0.0)
    total = row_sum(weight)
    received = np.divide(budget * weight, total, out=np.zeros_like(weight), where=total > 0)
    return received / gdp


def growth_effect(received, p):
    """Extra growth (log-points per year) from aid received (share of GNI)."""
    return p.aid_growth_effect * received / (1.0 + received / p.aid_saturation)


def consumption_log(aid_share, received, p, donor_cost: bool = True):
    """Aid's channel of the living standard, ln(1 - given + c_share * received)."""
    given = aid_share if donor_cost else 0.0
    return np.log1p(-given + p.aid_consumption_share * received)
