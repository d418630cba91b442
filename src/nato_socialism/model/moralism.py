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

import numpy as np

from .controls import Controls


def strength(previous, became_socialist, socialist, p):
    """Moralist strength at the end of a year: surges at a socialist transition, else decays once."""
    mu = np.where(became_socialist, p.moralist_surge, previous * (1.0 - p.moralist_decay))
    return np.where(socialist, mu, 0.0)


def forced_strength(previous, became_socialist, socialist, p):
    """Moralist strength after a scheduled (forced) regime change at the start of a year.

    It surges where the country became socialist and is zero outside republics; it does not
    decay here (the yearly decay is applied once, by :func:`strength` at the end of the year).
    """
    mu = np.where(became_socialist, p.moralist_surge, previous)
    return np.where(socialist, mu, 0.0)


def apply(requested: Controls, mu, p, on: bool = True) -> tuple[Controls, np.ndarray]:
    """Applied controls and the faction's frustration (0-1)."""
    if not on:
        return requested, np.zeros_like(mu)
    cap_gap = np.maximum(0.0, p.moralist_open_cap - requested.immigration_cap)
    aid_gap = np.maximum(0.0, p.moralist_aid_share - requested.aid_share)
    won = mu * p.moralist_influence
    cap = requested.immigration_cap + won * cap_gap
    aid = requested.aid_share + won * aid_gap
    left = 1.0 - won
    frustration = mu * 0.5 * (left * cap_gap / p.moralist_open_cap + left * aid_gap / p.moralist_aid_share)
    return requested.replace(immigration_cap=cap, aid_share=aid), frustration


def support_cost(frustration, p):
    """Change of coalition support from the faction's frustration."""
    return -p.moralist_frustration_cost * frustration
