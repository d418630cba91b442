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

from ..compiled import DS, KP, equation, row_sum
from .living import log1p_or_zero


@equation
def budget(aid_share, gdp, priority, scratch):
    """One member's aid budget ``B = sum(aid * Y)`` and its budget-weighted mean priority.

    Row arrays over countries; ``scratch``: two spare rows.
    """
    for j in range(gdp.shape[0]):
        given = aid_share[j] * gdp[j]
        scratch[0, j] = given
        scratch[1, j] = given * priority[j]
    total = row_sum(scratch[0])
    return total, (row_sum(scratch[1]) / total if total > 0 else 0.0)


@equation
def allocate(aid_share, gdp, priority, pop, poverty, income, regime, q, scratch, received):
    """Aid received by every country of one member, as a share of its own GDP (into ``received``)."""
    total_budget, mean_priority = budget(aid_share, gdp, priority, scratch)
    for j in range(gdp.shape[0]):
        scratch[2, j] = need_weight(pop[j], poverty[j], income[j], regime[j] == DS, mean_priority, q)
    total = row_sum(scratch[2])
    for j in range(gdp.shape[0]):
        received[j] = received_share(total_budget, scratch[2, j], total, gdp[j])


@equation
def need_weight(pop, poverty, income, socialist, mean_priority, q):
    """A recipient's weight in the allocation: ``pop * poverty * (1 + prio * soc)`` below ``y_max``."""
    if income < q[KP.aid_recipient_max_income]:
        return pop * poverty * (1.0 + mean_priority * (1.0 if socialist else 0.0))
    return 0.0


@equation
def received_share(budget, weight, total_weight, gdp):
    """Aid received as a share of the recipient's own GDP: ``B * w / sum(w) / Y``."""
    received = budget * weight / total_weight if total_weight > 0 else 0.0
    return received / gdp


@equation
def growth_effect(received, q):
    """Extra growth (log-points per year) from aid received (share of GNI)."""
    return q[KP.aid_growth_effect] * received / (1.0 + received / q[KP.aid_saturation])


@equation
def consumption_log(aid_share, received, donor_cost, q):
    """Aid's channel of the living standard: ``ln(1 - given + c_share * received)``."""
    return log1p_or_zero(-(aid_share if donor_cost else 0.0) + q[KP.aid_consumption_share] * received)
