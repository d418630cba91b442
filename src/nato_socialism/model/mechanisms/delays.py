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


def smooth(reference, value, tau, on: bool = True, drift=0.0):
    """First-order lag of ``value``; returns ``value`` itself when delays are off."""
    if not on:
        return value
    return reference + drift + (value - reference) / tau
