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

import numpy as np
from scipy.special import expit


def immigration_term(unintegrated_share, unintegrated_share0, p):
    """Long-run reactionary support added by unintegrated immigration since the start."""
    return p.reaction_immigration_effect * (unintegrated_share - unintegrated_share0)


def contact_term(integrated_recent_share, p):
    """Long-run reactionary support removed by contact with integrated newcomers."""
    return -p.reaction_contact_effect * integrated_recent_share


def living_standard_push(gap_total, p):
    """Reactionary support gained this year from living standards below expectation."""
    return p.reaction_living_standard_effect * np.maximum(0.0, -gap_total)


def reversion_hazard(reaction, p):
    """Hazard that a democratic socialist republic falls to a reactionary regime."""
    return p.reversion_rate * expit((reaction - p.reaction_threshold) / 0.03)


def electoral_loss_hazard(support, p):
    """Hazard that a democratic socialist government is voted out."""
    return p.electoral_loss_rate * expit((p.support_loss_threshold - support) / 0.02)


def backsliding_hazard(reaction, p):
    """Hazard that a capitalist democracy backslides into a reactionary regime."""
    return p.backsliding_rate * expit((reaction - p.reaction_threshold) / 0.03)
