"""M1 Organizer relocation: socialists move to the doctrine's target countries.

Equations (per member, per year)::

    leaving_o   = r_o * m_o * A_o                      (organizers leaving non-target country o)
    pool        = sum_o leaving_o
    w_d         = tau_d * A_d / sum_d tau_d * A_d      (tau: relocation target weight, A: adults)
    dm_d        = eff * pool * w_d / A_d / (1 + m_d / m_sat)
    dm_o        = -r_o * m_o

``m`` is the movement share of adults, ``A = adult_share * pop``, ``r`` the relocation rate
control (zero in target countries), ``eff`` = ``relocation_efficiency`` and ``m_sat`` =
``relocation_saturation`` (diminishing returns: a destination's gain halves at m = m_sat).
Organizers are too few (< 0.1 % of adults) to be counted in population.

Source: the essay ("Socialists around the world should move to NATO countries and organize
there"); all parameter values are assumptions with ranges (see the registry).
"""

from __future__ import annotations

import numpy as np

from ..linalg import row_sum


def relocation(movement, pop, rate, target, p, diminishing: bool = True):
    """Return the change of movement share (members, countries) from relocation."""
    adults = p.adult_share * pop
    leaving = rate * (target <= 0.0) * movement * adults
    pool = row_sum(leaving)
    weight = target * adults
    total = row_sum(weight)
    share = np.divide(weight, total, out=np.zeros_like(weight), where=total > 0)
    gain = p.relocation_efficiency * pool * share / adults
    if diminishing:
        gain = gain / (1.0 + movement / p.relocation_saturation)
    return gain - leaving / adults
