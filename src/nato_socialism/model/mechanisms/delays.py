"""M12 Time delays: expectations and perceptions adapt with first-order lags.

Each expectation reference ``E`` of a living-standard component ``x`` (log-points) and the
perceived excess immigration follow::

    E' = E + drift + (x - E) / tau        (drift = frontier growth for income, 0 otherwise)

with ``tau`` = ``expectation_time`` (living standards) or ``perception_time`` (immigration).
With M12 switched off, ``tau = 1``: people react to this year's values at once. Strategies
are therefore judged over decades: an aid shock hurts a government for about ``tau`` years,
immigration beyond capacity is felt with a lag and lingers.

Source: adaptive expectations (Cagan 1956; Nerlove 1958); the time constants are assumptions
with ranges.
"""

from __future__ import annotations

from ..compiled import KP, equation


@equation
def smooth(reference, value, tau, on, drift):
    """First-order lag of ``value``; ``value`` itself when delays are off (``on`` false)."""
    return reference + drift + (value - reference) / tau if on else value


@equation
def expectation(reference, value, on, q):
    """Next year's expectation of a living-standard channel (log-points)."""
    return smooth(reference, value, q[KP.expectation_time], on, 0.0)


@equation
def income_expectation(reference, value, on, growing, q):
    """Next year's expectation of income (log-points): it also drifts with frontier growth (if M11 is on)."""
    return smooth(reference, value, q[KP.expectation_time], on, q[KP.frontier_growth] if growing else 0.0)


@equation
def perception(reference, value, on, q):
    """Next year's perceived immigration beyond integration capacity (share of population)."""
    return smooth(reference, value, q[KP.perception_time], on, 0.0)
