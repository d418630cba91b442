"""M11 Background politics and economy: what happens when no movement acts.

Income (log-points per year)::

    y_f(t) = y_f0 * exp(g_f * t)                             frontier
    g      = clip(g_f + beta * ln(y_f / y) + sd * z, -0.3, 0.3) + g_aid
                                                             z ~ N(0, 1) per member, country, year

Population (natural growth, per year)::

    n = clip(n0 - slope * ln(y / 1000) - trend * t, -0.015, 0.04)

Unemployment relaxes to its structural level (lower under democratic socialism) and moves
with growth surprises (Okun)::

    du = theta * (u* - u) - okun * sd * z

Regime hazards without movements: democratic breakdown by income band (Przeworski 2005,
bands of $1,000 / $3,000 / $6,055 in 1985 PPP $ converted by ``ppp1985_to_2021``), a flat
dictatorship exit to capitalist democracy (Przeworski & Limongi 1997), and the collapse of
bureaucratic regimes into capitalist autocracies. The democracy level relaxes (30 % a year)
into the band each regime allows (e.g. at least 0.7 under democratic socialism, at most 0.2
under a bureaucratic regime).

Sources: Maddison Project 2023 (frontier growth); Barro & Sala-i-Martin 1992 (convergence);
UN WPP 2024 (population); Ball, Leigh & Loungani 2017 (Okun); Przeworski 2005; Przeworski &
Limongi 1997.
"""

from __future__ import annotations

import numpy as np


def frontier(t, p):
    """Frontier income at year offset t."""
    return p.frontier_income * np.exp(p.frontier_growth * t)


def growth(income, t, shock, p):
    """Growth of potential GDP per head before aid (log-points)."""
    g = p.frontier_growth + p.convergence_rate * np.log(frontier(t, p) / income) + p.growth_shock_sd * shock
    return np.clip(g, -0.3, 0.3)


def natural_population_growth(income, t, p):
    """Natural population growth rate (births minus deaths)."""
    n = p.pop_growth_base - p.pop_growth_income_slope * np.log(income / 1000.0) - p.pop_growth_trend * t
    return np.clip(n, -0.015, 0.04)


def unemployment_change(unemployment, structural, socialist, shock, p):
    """Change of unemployment from relaxation and growth surprises."""
    target = structural * np.where(socialist, p.socialist_full_employment, 1.0)
    return p.unemployment_adjust_rate * (target - unemployment) - p.okun_coefficient * p.growth_shock_sd * shock


def income_band_edges(p):
    """Przeworski's band edges ($1,000, $3,000, $6,055 of 1985) in 2021 PPP $."""
    return tuple(edge * p.ppp1985_to_2021 for edge in (1000.0, 3000.0, 6055.0))


#: Democracy-level bounds each regime imposes (floor, ceiling); the level relaxes into them.
REGIME_DEMOCRACY_BOUNDS = np.array([[0.42, 1.0], [0.0, 0.5], [0.7, 1.0], [0.0, 0.2], [0.0, 0.35]])
DEMOCRACY_RELAX_RATE = 0.3


def democracy_toward_regime(democracy, regime):
    """Change of the democracy level toward the bounds of the current regime."""
    bounds = REGIME_DEMOCRACY_BOUNDS[regime]
    return DEMOCRACY_RELAX_RATE * (np.clip(democracy, bounds[..., 0], bounds[..., 1]) - democracy)


def breakdown_hazard(income, p):
    """Yearly hazard that a capitalist democracy breaks down into a capitalist autocracy."""
    e1, e2, e3 = income_band_edges(p)
    return np.where(
        income < e1,
        p.breakdown_hazard_poor,
        np.where(
            income < e2,
            p.breakdown_hazard_lower,
            np.where(income < e3, p.breakdown_hazard_middle, p.breakdown_hazard_rich),
        ),
    )


def democratization_hazard(income, p):
    """Yearly hazard that an autocracy becomes a capitalist democracy (flat in income)."""
    return np.broadcast_to(p.democratization_hazard, income.shape)


def bureaucratic_collapse_hazard(income, p):
    """Yearly hazard that a bureaucratic regime collapses into a capitalist autocracy."""
    return np.broadcast_to(p.bureaucratic_collapse_hazard, income.shape)
