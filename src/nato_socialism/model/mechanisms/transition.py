"""M3 Transition: electoral transitions in democracies, campaigns in autocracies, reform.

Hazards (per year; ``sig(x) = 1 / (1 + exp(-x))``)::

    viable    = sig((P - v) / (0.2 v))          P: active participation (M2), v: 3.5 % level
    majority  = sig((S - theta) / 0.02)         S: support, theta: transition threshold
    h_elect   = rate_el * majority * viable * M5      capitalist democracies
    h_camp    = onset * viable * sig((S - 0.35) / 0.03) * M5
                                                 capitalist autocracies, reactionary regimes
    h_reform  = reform * hysteresis * viable * M5     bureaucratic regimes (M10's hysteresis)

A campaign is nonviolent with probability ``nonviolent_share``; it succeeds with
``nonviolent_success`` (53 %) or ``violent_success`` (25 %). A failed campaign costs the
movement and support ``campaign_failure_cost`` of their size. A violent campaign displaces
people (M6 turmoil). Successful transitions go to M4, which decides whether the outcome is
democratic socialism or a bureaucratic class regime.

Sources: Chenoweth & Stephan 2011 (success rates, 3.5 % viability); electoral timing and
onset rates are assumptions (registry).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def viability(participation, p):
    """Smooth indicator of active participation above the viability level."""
    return expit((participation - p.viability_participation) / (0.2 * p.viability_participation))


def electoral_hazard(support, viable, multiplier, p):
    """Yearly hazard of an electoral socialist transition in a capitalist democracy."""
    majority = expit((support - p.transition_support_threshold) / 0.02)
    return p.electoral_transition_rate * majority * viable * multiplier


def campaign_hazard(support, viable, multiplier, p):
    """Yearly hazard that a maximalist campaign starts in an autocracy."""
    return p.campaign_onset_rate * viable * expit((support - 0.35) / 0.03) * multiplier


def reform_hazard(viable, multiplier, p):
    """Yearly hazard that a bureaucratic regime is democratized from within (M10 hysteresis)."""
    return p.reform_rate * p.hysteresis * viable * multiplier


def campaign_outcome(u_type, u_success, p):
    """Whether campaigns are nonviolent and whether they succeed (boolean arrays)."""
    nonviolent = u_type < p.nonviolent_share
    success = u_success < np.where(nonviolent, p.nonviolent_success, p.violent_success)
    return nonviolent, success
