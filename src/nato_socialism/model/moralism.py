"""Moralist pressure (brief, section 3): requested versus applied controls.

After a socialist transition a moralist faction surges to strength ``mu = moralist_surge``
and decays at ``moralist_decay`` a year. It wants open borders (``moralist_open_cap``) and
sacrificial aid (``moralist_aid_share``). In a democratic socialist republic::

    applied = requested + mu * w * max(0, wanted - requested)      for the cap and aid
    frustration = mu * (gap_cap / wanted_cap + gap_aid / wanted_aid) / 2
    dS_moralism = -phi * frustration                              (gap = wanted - applied)

with ``w`` = ``moralist_influence``. So restraint is not free: the faction wins part of what
it wants and its frustration when
overruled costs the coalition support. The essay: "we may be surprised by the rush of
enthusiasm and the outpouring of moralism that accompanies a youthful socialist society, and
be overwhelmed by the sheer extent of restraint we are compelled to impose". Values are
assumptions with ranges (registry).
"""

from __future__ import annotations

from .compiled import KP, equation


@equation
def apply(cap, aid, mu, q):
    """(Applied cap, applied aid, frustration 0-1) from the requested cap and aid and the faction's strength."""
    wanted_cap, wanted_aid = q[KP.moralist_open_cap], q[KP.moralist_aid_share]
    cap_gap = max(0.0, wanted_cap - cap)
    aid_gap = max(0.0, wanted_aid - aid)
    won = mu * q[KP.moralist_influence]
    left = 1.0 - won
    frustration = mu * 0.5 * (left * cap_gap / wanted_cap + left * aid_gap / wanted_aid)
    return cap + won * cap_gap, aid + won * aid_gap, frustration


@equation
def support_cost(frustration, q):
    """Change of coalition support from the faction's frustration (``dS_moralism``)."""
    return -q[KP.moralist_frustration_cost] * frustration


@equation
def strength(previous, became_socialist, socialist, q):
    """Moralist strength at the end of a year: surges at a socialist transition, else decays once."""
    if not socialist:
        return 0.0
    return q[KP.moralist_surge] if became_socialist else previous * (1.0 - q[KP.moralist_decay])


@equation
def forced_strength(previous, became_socialist, socialist, q):
    """Moralist strength after a scheduled (forced) regime change at the start of a year.

    It surges where the country became socialist and is zero outside republics; it does not
    decay here (the yearly decay is applied once, by :func:`strength` at the end of the year).
    """
    if not socialist:
        return 0.0
    return q[KP.moralist_surge] if became_socialist else previous
