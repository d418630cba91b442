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

from ..compiled import DS, KP, csr_dot, csr_rows, equation, row_sum
from .scarcity import output


@equation
def neighbour_mean(indptr, indices, data, x, j):
    """Row-normalized neighbour average ``(W @ x)_j`` (``W`` in CSR form, rows sum to 1)."""
    return csr_dot(indptr, indices, data, x, j)


def neighbour_means(weights, x) -> np.ndarray:
    """:func:`neighbour_mean` of every country and member row of ``x`` (members, countries)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    out = np.empty_like(x)
    csr_rows(weights.indptr, weights.indices, weights.data, x, out)
    return out


@equation
def socialist_gdp_share(gdppc, scarcity, pop, regime, scratch):
    """``G_s`` of one member from its country rows (``scratch``: two spare rows)."""
    for j in range(pop.shape[0]):
        gdp = output(gdppc[j], scarcity[j]) * pop[j]
        scratch[0, j] = gdp
        scratch[1, j] = gdp if regime[j] == DS else 0.0
    return row_sum(scratch[1]) / row_sum(scratch[0])


@equation
def hazard_multiplier(share_neighbours, gdp_share, q):
    """Multiplier on transition hazards (``M5``): Hill curve in ``s_n`` plus the bloc's pull."""
    s2 = share_neighbours * share_neighbours
    h = q[KP.diffusion_half_share]
    return 1.0 + q[KP.diffusion_strength] * s2 / (s2 + h * h) + q[KP.superpower_pull] * gdp_share


@equation
def support_pull(share_neighbours, support, socialist, q):
    """Demonstration effect of socialist neighbours on support (``dS_M5``), outside republics."""
    return 0.0 if socialist else q[KP.diffusion_support] * share_neighbours * (1.0 - support)


@equation
def democracy_drift(neighbours_democracy, democracy, q):
    """Change of the democracy level toward the neighbours' mean."""
    return q[KP.democracy_drift] * (neighbours_democracy - democracy)
