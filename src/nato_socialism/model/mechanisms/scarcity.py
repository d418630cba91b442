"""M10 Post-revolution scarcity, degeneration and hysteresis.

At a transition into democratic socialism or a bureaucratic regime, output falls::

    s = shock * kind * (1 - G_s) + sanctions * (1 - G_s)   G_s: socialist share of world GDP (M5)

``kind`` is ``output_shock_electoral_factor`` for an electoral transition, 1 for a
nonviolent one (campaign, reform, degeneration, scheduled event) and
``output_shock_violent_factor`` for a violent campaign. A coalition voted out that returns by
election (M3 re-entry) opens no gap. The gap recovers with time constant ``tau (1 - k_b G_s)``:
``s' = s * exp(-1 / (tau (1 - k_b G_s)))``, faster with a larger socialist bloc. Actual output
is ``gdppc * (1 - s)``; the scarcity channel of living standards is ``ln(1 - s)``.

Material basis after the transition: a republic loses its democracy with the hazard of its
income band, in Przeworski's bands of the capitalist breakdown hazards (M11), lowered by its
democratic history (democracy level ``D`` above the 0.7 floor of democratic socialism)::

    h_frag = band(y) * exp(-k_h * (D - 0.7))

a share ``d`` of it as degeneration into a bureaucratic class regime, the rest as reversion
to a reactionary regime (M9's event). Degeneration::

    h_deg = d * h_frag + k * max(0, theta - L / E[L])

where ``L / E[L] = exp(gap)`` is the living standard against expectation (M12). Hysteresis:
a bureaucratic regime's reform hazard (M3) is multiplied by ``hysteresis`` < 1 — leaving a
bureaucratic regime is harder than entering it.

The essay: "We must manage the scarcity judiciously, so that we don't collapse below the
threshold from a socialist society ... to a bureaucratic class society". Sources for sizes:
post-transition output losses (Chile 1972-73; Eastern Europe 1990s), sanctions (Neuenkirch &
Neumeier 2015), civil wars (Collier 1999); breakdown by income band (Przeworski 2005);
democratic history (Przeworski et al. 2000; Svolik 2008). Values are assumptions with ranges.
"""

from __future__ import annotations

import math

import numpy as np

from ..compiled import KP, equation, kernel
from .background import income_band_edge

#: Kinds of transition that size the output shock.
ELECTORAL, NONVIOLENT, VIOLENT = 0, 1, 2
#: Democracy level at which a republic has no democratic history beyond the floor of democratic socialism.
HISTORY_REFERENCE = 0.7


@equation
def output(gdppc, scarcity):
    """Actual output per head under the output gap: ``gdppc * (1 - s)``."""
    return gdppc * (1.0 - scarcity)


@kernel
def _outputs(gdppc, scarcity, out):
    for m in range(gdppc.shape[0]):
        for j in range(gdppc.shape[1]):
            out[m, j] = output(gdppc[m, j], scarcity[m, j])


def outputs(gdppc: np.ndarray, scarcity: np.ndarray) -> np.ndarray:
    """:func:`output` of every element of two arrays of the same shape (e.g. (members, countries))."""
    gdppc, scarcity = np.broadcast_arrays(np.asarray(gdppc, dtype=np.float64), np.asarray(scarcity, dtype=np.float64))
    shape = gdppc.shape
    flat = [np.ascontiguousarray(a).reshape(-1, shape[-1] if shape else 1) for a in (gdppc, scarcity)]
    out = np.empty(flat[0].shape)
    _outputs(flat[0], flat[1], out)
    return out.reshape(shape)


@equation
def kind_factor(kind, by_kind, q):
    """Size of a transition's output shock relative to a nonviolent one (1 if ``by_kind`` is off)."""
    if not by_kind or kind == NONVIOLENT:
        return 1.0
    return q[KP.output_shock_electoral_factor] if kind == ELECTORAL else q[KP.output_shock_violent_factor]


@equation
def transition_shock(socialist_gdp_share, sanctions, kind, by_kind, q):
    """Output gap opened by a transition of a ``kind`` (``sanctions``: whether the capitalist world sanctions)."""
    weak = 1.0 - socialist_gdp_share
    return (q[KP.transition_output_shock] * kind_factor(kind, by_kind, q) * weak
            + (q[KP.sanctions_shock] * weak if sanctions else 0.0))


@equation
def recover(scarcity, socialist_gdp_share, bloc, q):
    """Output gap one year later (no gap: no exponential to compute); ``bloc``: the bloc shortens recovery."""
    if scarcity == 0.0:
        return scarcity
    tau = q[KP.scarcity_duration] * (1.0 - q[KP.scarcity_duration_bloc_effect] * socialist_gdp_share) if bloc \
        else q[KP.scarcity_duration]
    return scarcity * math.exp(-1.0 / tau)


@equation
def republic_breakdown_hazard(income, democracy, q):
    """Hazard that a democratic socialist republic loses its democracy (income band, democratic history)."""
    if income < income_band_edge(0, q):
        band = q[KP.republic_breakdown_poor]
    elif income < income_band_edge(1, q):
        band = q[KP.republic_breakdown_lower]
    elif income < income_band_edge(2, q):
        band = q[KP.republic_breakdown_middle]
    else:
        band = q[KP.republic_breakdown_rich]
    return band * math.exp(-q[KP.republic_democratic_history] * (democracy - HISTORY_REFERENCE))


@equation
def degeneration_hazard(gap_total, fragility, q):
    """Hazard that a democratic socialism degenerates into a bureaucratic class regime (``fragility``: h_frag)."""
    shortfall = max(0.0, q[KP.scarcity_threshold] - math.exp(gap_total))
    return q[KP.republic_breakdown_degeneration_share] * fragility + q[KP.degeneration_scarcity_rate] * shortfall


@equation
def reversion_part(fragility, q):
    """The part of a republic's breakdown hazard that leads to a reactionary regime (added to M9's reversion)."""
    return (1.0 - q[KP.republic_breakdown_degeneration_share]) * fragility
