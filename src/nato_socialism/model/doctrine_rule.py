"""The doctrine rule as compiled equations: requested controls from the observed state.

The rule and its six parameter sets are described in :mod:`nato_socialism.model.doctrines`
(which holds the data: :class:`~nato_socialism.model.doctrines.DoctrineSpec` and the named
doctrines); this module holds its equations, run by the first pass of the year
(:func:`nato_socialism.model.kernels.controls`). Per member and country::

    rate   = relocation_rate outside the target countries, 0 in them
    cap    = baseline_immigration_cap (bureaucratic, reactionary: CLOSED)
             democratic socialist, if cap_to_capacity is set:
             cap_to_capacity * C(pop, u, invest) / pop * clip(1 - (u - u_target) / 0.05, 0, 1)
    aid    = baseline_aid_share in first-world countries not closed, else 0
             democratic socialist, if aid_share is set: aid_share
    asylum = baseline_asylum_acceptance (bureaucratic, reactionary: 0)
             democratic socialist, if asylum_acceptance is set: asylum_acceptance
    invest, priority = the doctrine's, in democratic socialist republics; 0 elsewhere
    thin   = safety_margin > 0, democratic socialist, first world,
             S - max(theta_loss, R) < safety_margin
    where thin: cap, asylum *= safety_cut;   if any country is thin: aid *= safety_cut in every
    first-world democratic socialist republic

``C`` is M7's integration capacity (:func:`~nato_socialism.model.mechanisms.integration.capacity`).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from .compiled import BU, DS, KP, RE, clip, equation
from .doctrines import CLOSED, DoctrineSpec
from .mechanisms.integration import capacity

#: Positions of the doctrine's values in the vector of :func:`spec_vector` (``s[SPEC.name]``).
SPEC = namedtuple("SPEC", "relocation_rate has_cap cap_to_capacity unemployment_target integration_investment "
                          "has_aid aid_share aid_priority safety_margin safety_cut has_asylum asylum_acceptance"
                   )(*range(12))
#: Unemployment above the target over which the cap of a socialist republic falls to zero.
CUT_WIDTH = 0.05


def spec_vector(spec: DoctrineSpec) -> np.ndarray:
    """A doctrine's rule parameters as the float vector the compiled rule reads."""
    values = dict(
        relocation_rate=spec.relocation_rate,
        has_cap=spec.cap_to_capacity is not None,
        cap_to_capacity=spec.cap_to_capacity or 0.0,
        unemployment_target=spec.unemployment_target,
        integration_investment=spec.integration_investment,
        has_aid=spec.aid_share is not None,
        aid_share=spec.aid_share or 0.0,
        aid_priority=spec.aid_priority,
        safety_margin=spec.safety_margin,
        safety_cut=spec.safety_cut,
        has_asylum=spec.asylum_acceptance is not None,
        asylum_acceptance=spec.asylum_acceptance or 0.0,
    )
    return np.array([float(values[name]) for name in SPEC._fields])


@equation
def relocation_rate(target, s):
    """Share of organizers leaving a country this year: none from the target countries."""
    return 0.0 if target > 0 else s[SPEC.relocation_rate]


@equation
def closed(regime):
    """Bureaucratic and reactionary regimes admit almost no one and give no aid."""
    return regime == BU or regime == RE


@equation
def requested_cap(regime, pop, unemployment, s, q):
    """Immigration cap requested (share of population) before the safety cut."""
    if regime == DS and s[SPEC.has_cap] > 0:
        own = s[SPEC.cap_to_capacity] * capacity(pop, unemployment, s[SPEC.integration_investment], q) / pop
        return own * clip(1.0 - (unemployment - s[SPEC.unemployment_target]) / CUT_WIDTH, 0.0, 1.0)
    return CLOSED if closed(regime) else q[KP.baseline_immigration_cap]


@equation
def requested_aid(regime, first_world, s, q):
    """Aid requested (share of GDP) before the safety cut."""
    if regime == DS and s[SPEC.has_aid] > 0:
        return s[SPEC.aid_share]
    return q[KP.baseline_aid_share] if (first_world and not closed(regime)) else 0.0


@equation
def requested_asylum(regime, s, q):
    """Share of asylum seekers admitted (outside the cap) before the safety cut."""
    if regime == DS and s[SPEC.has_asylum] > 0:
        return s[SPEC.asylum_acceptance]
    return 0.0 if closed(regime) else q[KP.baseline_asylum_acceptance]


@equation
def own_policy(regime, value):
    """A control the doctrine sets in its own (democratic socialist) states only, 0 elsewhere."""
    return value if regime == DS else 0.0


@equation
def margin_thin(regime, first_world, support, reaction, s, q):
    """Whether a first-world socialist republic's coalition margin is below the safety margin."""
    if s[SPEC.safety_margin] > 0 and regime == DS and first_world:
        return support - max(q[KP.support_loss_threshold], reaction) < s[SPEC.safety_margin]
    return False


@equation
def request(regime, first_world, target, pop, unemployment, support, reaction, s, q,
            rate, cap, invest, aid, priority, asylum, thin):
    """Requested controls of one member, row by row over countries (into the last seven rows)."""
    any_thin = False
    for j in range(pop.shape[0]):
        r = regime[j]
        rate[j] = relocation_rate(target[j], s)
        cap[j] = requested_cap(r, pop[j], unemployment[j], s, q)
        aid[j] = requested_aid(r, first_world[j], s, q)
        invest[j] = own_policy(r, s[SPEC.integration_investment])
        priority[j] = own_policy(r, s[SPEC.aid_priority])
        asylum[j] = requested_asylum(r, s, q)
        thin[j] = margin_thin(r, first_world[j], support[j], reaction[j], s, q)
        any_thin = any_thin or thin[j]
    if any_thin:
        for j in range(pop.shape[0]):
            if thin[j]:
                cap[j] = cap[j] * s[SPEC.safety_cut]
                asylum[j] = asylum[j] * s[SPEC.safety_cut]
            if regime[j] == DS and first_world[j]:
                aid[j] = aid[j] * s[SPEC.safety_cut]
