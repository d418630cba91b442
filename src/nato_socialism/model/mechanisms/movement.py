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
scarcity: M10) so the decomposition names the cause. Economic voting also punishes it for
unemployment rising above what people expected (last year's rate)::

    dS = -v * du          du: the year's change of unemployment, by cause

(structural relaxation and Okun shocks: M11; inflow beyond integration capacity: M7). So a
successful government gains support through performance even as lower unemployment lowers
grievance (the grievance term of S* above).

Sources: grievance x opportunity models of mobilization (Tarrow 1998; Gurr 1970); economic
voting (Lewis-Beck & Stegmaier 2000, 2013; Duch & Stevenson 2008); the essay's Lenin quotation for alliance breadth.
Values are assumptions with ranges (registry).
"""

from __future__ import annotations

from ..compiled import KP, clip, equation

#: Active participants brought out per organizer (share of population per movement share).
MOBILIZATION = 2.0
#: Support the movement can mobilize at most.
SUPPORT_CAP = 0.95
#: Bounds of the movement share of adults.
MOVEMENT_BOUNDS = (1e-5, 0.5)
#: Growth of GDP per head below which stagnation adds to grievance (log-points a year).
STAGNATION_GROWTH = 0.02


@equation
def grievance(unemployment, gini, growth, q):
    """Grievance index ``G`` (about 1 at 8 % unemployment, Gini 0.35 and 2 % growth)."""
    return (q[KP.grievance_unemployment] * unemployment + q[KP.grievance_inequality] * gini
            + q[KP.grievance_stagnation] * max(0.0, STAGNATION_GROWTH - growth))


@equation
def cohesion(breadth, q):
    """Coalition cohesion (0-1) given alliance breadth: ``1 - c_b * b``."""
    return 1.0 - q[KP.breadth_cohesion_cost] * breadth


@equation
def participation(movement, breadth, q):
    """Active participation share of the population: ``mobilization * cohesion * m``."""
    return MOBILIZATION * cohesion(breadth, q) * movement


@equation
def movement_change(movement, griev, democracy, socialist, q):
    """Logistic growth of the movement under grievance and freedom, minus attrition."""
    floor = q[KP.repression_freedom_floor]
    freedom = 1.0 if socialist else floor + (1 - floor) * democracy
    growth = q[KP.movement_growth_rate] * griev * freedom * movement * (1.0 - movement / q[KP.movement_capacity])
    return growth - q[KP.movement_decay] * movement


@equation
def bounded_movement(movement):
    """The movement share kept within :data:`MOVEMENT_BOUNDS`."""
    return clip(movement, MOVEMENT_BOUNDS[0], MOVEMENT_BOUNDS[1])


@equation
def support_change(support, movement, griev, breadth, q):
    """Support's move toward the level the movement and grievances can mobilize (``dS_M2``)."""
    ceiling = q[KP.support_ceiling] + q[KP.breadth_ceiling_gain] * breadth
    target = ceiling * movement / (movement + q[KP.movement_half_support]) + q[KP.grievance_support] * griev
    return q[KP.support_adjust_rate] * (min(target, SUPPORT_CAP) - support)


@equation
def living_standard_response(gap, socialist, q):
    """A socialist government's support change from one living-standard channel's gap (log-points)."""
    return q[KP.living_standard_support] * gap if socialist else 0.0


@equation
def unemployment_response(unemployment_change, socialist, q):
    """A socialist government's support change from one cause's change of unemployment (economic voting)."""
    return -q[KP.unemployment_voting] * unemployment_change if socialist else 0.0
