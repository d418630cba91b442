"""M2 Movement growth and coalition support.

Movement (share of adults organized)::

    G  = a_u * u + a_g * gini + a_s * max(0, 0.02 - g)          grievance
    F  = f0 + (1 - f0) * D            (1 under democratic socialism)   freedom to organize
    dm = r * G * F * m * (1 - m / m_cap) - delta * m

Support (share of voters)::

    b        = alliance breadth control (0-1)
    cohesion = 1 - c_b * b
    S*       = min(0.95, (S_ceil + g_b * b) * m / (m + m_half) + k_G * G)
    dS_M2    = rho * (S* - S)

Active participation (used by M3's 3.5 % viability level) is
``mobilization * cohesion * m``. A socialist government's support also responds to the gap
between living standards and expectations, ``dS = sigma * (ln L - E[ln L])``, split by the
channel that moved living standards (income: M11, aid: M8, integration investment: M7,
scarcity: M10) so the decomposition names the cause.

Sources: grievance x opportunity models of mobilization (Tarrow 1998; Gurr 1970); economic
voting (Lewis-Beck & Stegmaier 2000); the essay's Lenin quotation for alliance breadth.
Values are assumptions with ranges (registry).
"""

from __future__ import annotations

import numpy as np

#: Organizers per active participant multiplier (people brought out per organizer).
MOBILIZATION = 2.0


def grievance(unemployment, gini, growth, p):
    """Grievance index (about 1 at 8 % unemployment, Gini 0.35 and 2 % growth)."""
    return (
        p.grievance_unemployment * unemployment
        + p.grievance_inequality * gini
        + p.grievance_stagnation * np.maximum(0.0, 0.02 - growth)
    )


def cohesion(breadth, p):
    """Coalition cohesion (0-1) given alliance breadth."""
    return 1.0 - p.breadth_cohesion_cost * breadth


def participation(movement, breadth, p):
    """Active participation share of the population."""
    return MOBILIZATION * cohesion(breadth, p) * movement


def movement_change(movement, griev, democracy, socialist, p):
    """Logistic growth of the movement under grievance and freedom, minus attrition."""
    freedom = np.where(socialist, 1.0, p.repression_freedom_floor + (1 - p.repression_freedom_floor) * democracy)
    growth = p.movement_growth_rate * griev * freedom * movement * (1.0 - movement / p.movement_capacity)
    return growth - p.movement_decay * movement


def support_change(support, movement, griev, breadth, p):
    """Support's move toward the level the movement and grievances can mobilize."""
    ceiling = p.support_ceiling + p.breadth_ceiling_gain * breadth
    target = ceiling * movement / (movement + p.movement_half_support) + p.grievance_support * griev
    return p.support_adjust_rate * (np.minimum(target, 0.95) - support)
