"""M10 Post-revolution scarcity, degeneration and hysteresis.

At a transition into democratic socialism or a bureaucratic regime, output falls::

    s = shock * (1 - G_s) + sanctions * (1 - G_s)      G_s: socialist share of world GDP (M5)

and recovers with time constant ``tau``: ``s' = s * exp(-1 / tau)``. Actual output is
``gdppc * (1 - s)``; the scarcity channel of living standards is ``ln(1 - s)``.

Degeneration of a democratic socialism into a bureaucratic class regime::

    h_deg = base + k * max(0, theta - L / E[L])

where ``L / E[L] = exp(gap)`` is the living standard against expectation (M12). Hysteresis:
a bureaucratic regime's reform hazard (M3) is multiplied by ``hysteresis`` < 1 — leaving a
bureaucratic regime is harder than entering it.

The essay: "We must manage the scarcity judiciously, so that we don't collapse below the
threshold from a socialist society ... to a bureaucratic class society". Sources for sizes:
post-transition output losses (Chile 1972-73; Eastern Europe 1990s), sanctions (Neuenkirch &
Neumeier 2015). Values are assumptions with ranges.
"""

from __future__ import annotations

import math

import numpy as np

from ..compiled import KP, equation, kernel


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
def transition_shock(socialist_gdp_share, sanctions, q):
    """Output gap opened by a transition (``sanctions``: whether the capitalist world sanctions)."""
    weak = 1.0 - socialist_gdp_share
    return q[KP.transition_output_shock] * weak + (q[KP.sanctions_shock] * weak if sanctions else 0.0)


@equation
def recover(scarcity, q):
    """Output gap one year later (no gap: no exponential to compute)."""
    return scarcity * math.exp(-1.0 / q[KP.scarcity_duration]) if scarcity != 0.0 else scarcity


@equation
def degeneration_hazard(gap_total, q):
    """Hazard that a democratic socialism degenerates into a bureaucratic class regime."""
    shortfall = max(0.0, q[KP.scarcity_threshold] - math.exp(gap_total))
    return q[KP.degeneration_base_rate] + q[KP.degeneration_scarcity_rate] * shortfall
