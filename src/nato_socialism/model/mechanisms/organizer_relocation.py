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

from ..compiled import KP, equation, row_sum


@equation
def adults(pop, q):
    """Adults of a country (people): ``A = adult_share * pop``."""
    return q[KP.adult_share] * pop


@equation
def leaving(rate, target, movement, adults):
    """Organizers leaving a country this year (people): ``r * m * A`` outside target countries."""
    return rate * (1.0 if target <= 0.0 else 0.0) * movement * adults


@equation
def destination_weight(target, adults):
    """Unnormalized share of the pool a country receives: ``tau * A``."""
    return target * adults


@equation
def pool(movement, pop, rate, target, q, scratch):
    """One member's pool of relocating organizers and total destination weight (row arrays in)."""
    for j in range(pop.shape[0]):
        a = adults(pop[j], q)
        scratch[0, j] = leaving(rate[j], target[j], movement[j], a)
        scratch[1, j] = destination_weight(target[j], a)
    return row_sum(scratch[0]), row_sum(scratch[1])


@equation
def relocation(movement, pop, rate, target, pool_size, total_weight, diminishing, q):
    """Change of a country's movement share: its gain from the pool minus its organizers leaving.

    ``pool_size`` and ``total_weight`` come from :func:`pool`; ``diminishing`` switches the
    ``1 + m / m_sat`` term.
    """
    a = adults(pop, q)
    share = destination_weight(target, a) / total_weight if total_weight > 0 else 0.0
    gain = q[KP.relocation_efficiency] * pool_size * share / a
    if diminishing:
        gain = gain / (1.0 + movement / q[KP.relocation_saturation])
    return gain - leaving(rate, target, movement, a) / a
