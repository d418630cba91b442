"""M4 Material basis of the outcome: democratic socialism or a bureaucratic class regime.

When a transition happens (M3), the probability that it yields a *democratic* socialism is::

    P_dem = sig(a0 + b * ln(y / 20000) + c * (D - 0.5) + k * peaceful)

with ``y`` GDP per head (2021 PPP $), ``D`` the V-Dem democracy level, ``peaceful`` 1 for
electoral or nonviolent transitions. Otherwise the transition degenerates at once into a
bureaucratic class regime. The essay: "Only advanced, developed countries have the material
basis for a socialism that is truly democratic"; ``b`` (``material_basis_effect``) encodes
how strong that basis is (strong under ``essay_premises``, weak under ``skeptic_premises``).

Sources: Lipset 1959; Przeworski et al. 2000 (income and democratic survival); Chenoweth &
Stephan 2011 (democracy after nonviolent campaigns). Values are assumptions with ranges.
"""

from __future__ import annotations

import math

from ..compiled import KP, equation, expit

REFERENCE_INCOME = 20000.0


@equation
def democratic_probability(income, democracy, peaceful, q):
    """Probability that a transition yields democratic socialism (``peaceful``: 1.0 or 0.0)."""
    logit = (q[KP.democratic_outcome_base] + q[KP.material_basis_effect] * math.log(income / REFERENCE_INCOME)
             + q[KP.democratic_norms_effect] * (democracy - 0.5) + q[KP.nonviolent_outcome_bonus] * peaceful)
    return expit(logit)
