"""M5 Diffusion and the pendulum: neighbours and the socialist bloc's weight pull others along.

Equations::

    s_n   = W @ 1[democratic socialist]                 neighbours' socialist share (row-normalized W)
    G_s   = sum(GDP of democratic socialist) / sum(GDP)  socialist share of world GDP
    M5    = 1 + k_n * s_n^2 / (s_n^2 + h^2) + k_s * G_s  hazard multiplier used by M3
    dS_M5 = k_d * s_n * (1 - S)                          demonstration effect on support
                                                         (outside democratic socialist republics)
    dD    = drift * (W @ D - D)                          democracy drifts to the neighbours' mean

The Hill curve (exponent 2) makes the neighbour effect S-shaped; because BRIC economies are
a large share of world GDP, their transitions raise ``G_s`` sharply: the essay's "pendulum
weight".

Sources: Cederman & Gleditsch 2004; Brinks & Coppedge 2006; Gleditsch & Ward 2006. Strengths
are assumptions with ranges.
"""

from __future__ import annotations

import numpy as np

from ..linalg import neighbour_mean, row_sum


def neighbour_share(weights, socialist):
    """Neighbours' share of democratic socialist countries (members, countries)."""
    return neighbour_mean(weights, socialist.astype(np.float64))


def socialist_gdp_share(gdp, socialist):
    """Socialist share of world GDP, shape (members, 1)."""
    return row_sum(np.where(socialist, gdp, 0.0)) / row_sum(gdp)


def hazard_multiplier(share_neighbours, gdp_share, p):
    """Multiplier on transition hazards."""
    s2 = share_neighbours * share_neighbours
    return 1.0 + p.diffusion_strength * s2 / (s2 + p.diffusion_half_share**2) + p.superpower_pull * gdp_share


def support_pull(share_neighbours, support, p):
    """Demonstration effect of socialist neighbours on support."""
    return p.diffusion_support * share_neighbours * (1.0 - support)


def democracy_drift(weights, democracy, p):
    """Change of democracy level toward the neighbours' mean."""
    return p.democracy_drift * (neighbour_mean(weights, democracy) - democracy)
