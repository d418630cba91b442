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

Deaths (an outcome; no feedback on the dynamics): a campaign kills ``k_v pop`` if violent,
``k_nv pop`` if nonviolent (successful or not); a violent regime change that is not a campaign
(reactionary reversion, collapse, democratic breakdown) kills ``k_c pop``; electoral
transitions, reforms, backsliding and degeneration kill no one here.

Sources: Chenoweth & Stephan 2011 (success rates, 3.5 % viability; nonviolent campaigns are
far less lethal); Lacina & Gleditsch 2005 and UCDP (battle deaths); electoral timing, onset
rates and the death rates are assumptions with ranges (registry).
"""

from __future__ import annotations

from ..compiled import KP, equation, expit
from .movement import bounded_movement

#: Support level around which autocracies' campaign onset turns on, and its logistic scale.
CAMPAIGN_SUPPORT, CAMPAIGN_SCALE = 0.35, 0.03
#: Logistic scale of the electoral majority around the transition threshold.
MAJORITY_SCALE = 0.02


@equation
def event_deaths(pop, campaign, violent, q):
    """Deaths of a year's regime event (people): by kind of event, a share of the population."""
    if campaign:
        return pop * (q[KP.violent_campaign_death_rate] if violent else q[KP.nonviolent_campaign_death_rate])
    return pop * q[KP.regime_collapse_death_rate] if violent else 0.0


@equation
def viability(participation, q):
    """Smooth indicator of active participation above the viability level."""
    v = q[KP.viability_participation]
    return expit((participation - v) / (0.2 * v))


@equation
def electoral_hazard(support, viable, multiplier, q):
    """Yearly hazard of an electoral socialist transition in a capitalist democracy."""
    majority = expit((support - q[KP.transition_support_threshold]) / MAJORITY_SCALE)
    return q[KP.electoral_transition_rate] * majority * viable * multiplier


@equation
def campaign_hazard(support, viable, multiplier, q):
    """Yearly hazard that a maximalist campaign starts in an autocracy or reactionary regime."""
    return q[KP.campaign_onset_rate] * viable * expit((support - CAMPAIGN_SUPPORT) / CAMPAIGN_SCALE) * multiplier


@equation
def reform_hazard(viable, multiplier, q):
    """Yearly hazard that a bureaucratic regime is democratized from within (M10 hysteresis)."""
    return q[KP.reform_rate] * q[KP.hysteresis] * viable * multiplier


@equation
def campaign_outcome(u_type, u_success, q):
    """Whether a campaign is nonviolent and whether it succeeds, from two uniform draws."""
    nonviolent = u_type < q[KP.nonviolent_share]
    success = u_success < (q[KP.nonviolent_success] if nonviolent else q[KP.violent_success])
    return nonviolent, success


@equation
def failed_campaign_support(support, q):
    """Change of support after a failed campaign (``dS_M3``)."""
    return -q[KP.campaign_failure_cost] * support


@equation
def failed_campaign_movement(movement, q):
    """The movement share after a failed campaign (kept within its bounds)."""
    return bounded_movement(movement * (1.0 - q[KP.campaign_failure_cost]))
