"""M9 Reactionary destabilization: support for reaction, reversion and backsliding.

Reactionary support ``R`` (share of voters) moves toward a long-run level::

    R*    = R0 + rho_imm * (U/pop - U0/pop0) - rho_c * I_rec / pop
    dR    = kappa * (R* - R)  +  rho_ls * max(0, -gap)

``U`` is the unintegrated stock (M7), ``I_rec`` the newcomers integrated recently (contact;
``I_rec' = I_rec * (1 - 1/memory) + integrated``, so contact fades as newcomers become
neighbours), ``gap`` the living-standard gap against expectations (M12). ``R0`` is each
country's starting level less its starting immigration term, so the model reproduces the
start and the anchor is a marginal effect: +1 pp unintegrated share -> +rho_imm pp.
The living-standard part is attributed, in the decomposition, to the mechanism that moved
living standards (M7, M8, M10, M11), in proportion to its share of the gap.

Regime hazards (per year)::

    socialist republic -> reactionary regime:  rev * sig((R - theta_R) / 0.03)
    socialist republic -> capitalist democracy (voted out): loss * sig((theta_S - S) / 0.02)
    capitalist democracy -> reactionary regime: back * sig((R - theta_R) / 0.03)

Sources: Dustmann, Vasiljeva & Damm 2019 (+1 pp refugees -> +1.2 to +2.0 pp); Steinmayr
2021 (contact); Funke, Schularick & Trebesch 2016 (crises and the far right). Thresholds and
hazards are assumptions with ranges.
"""

from __future__ import annotations

from ..compiled import KP, equation, expit

#: Logistic scales of the reaction and support thresholds of the regime hazards.
REACTION_SCALE, SUPPORT_SCALE = 0.03, 0.02


@equation
def recent_contact(integrated_recent, integrated, q):
    """Newcomers integrated recently (people): ``I_rec * (1 - 1 / memory) + integrated``."""
    return integrated_recent * (1.0 - 1.0 / q[KP.contact_memory]) + integrated


@equation
def immigration_term(unintegrated_share, unintegrated_share0, q):
    """Long-run reactionary support added by unintegrated immigration since the start."""
    return q[KP.reaction_immigration_effect] * (unintegrated_share - unintegrated_share0)


@equation
def contact_term(integrated_recent_share, q):
    """Long-run reactionary support removed by contact with integrated newcomers."""
    return -q[KP.reaction_contact_effect] * integrated_recent_share


@equation
def adjustment(target, reaction, q):
    """Reactionary support's move toward its long-run level ``R*`` (``dR_M9``)."""
    return q[KP.reaction_adjust_rate] * (target - reaction)


@equation
def living_standard_push(gap_total, q):
    """Reactionary support gained this year from living standards below expectation."""
    return q[KP.reaction_living_standard_effect] * max(0.0, -gap_total)


@equation
def push_part(push, gap, gap_total):
    """The part of the push attributed to one living-standard channel: its share of a negative gap."""
    return push * gap / gap_total if gap_total < 0 else 0.0


@equation
def reversion_hazard(reaction, q):
    """Hazard that a democratic socialist republic falls to a reactionary regime."""
    return q[KP.reversion_rate] * expit((reaction - q[KP.reaction_threshold]) / REACTION_SCALE)


@equation
def electoral_loss_hazard(support, q):
    """Hazard that a democratic socialist government is voted out."""
    return q[KP.electoral_loss_rate] * expit((q[KP.support_loss_threshold] - support) / SUPPORT_SCALE)


@equation
def backsliding_hazard(reaction, q):
    """Hazard that a capitalist democracy backslides into a reactionary regime."""
    return q[KP.backsliding_rate] * expit((reaction - q[KP.reaction_threshold]) / REACTION_SCALE)
