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
bands of $1,000 / $3,000 / $6,055 in 1985 PPP $ converted by ``ppp1985_to_2021``), a
dictatorship exit to capitalist democracy flat in income (Przeworski & Limongi 1997) that
rises with the democratic share ``s_n`` of the neighbours (Gleditsch & Ward 2006)::

    h_dem = sig(logit(h0) + k_n * (s_n - 0.13))

(``k_n`` fitted on the panel's 1950-1989 autocracy-years, 0.13 their mean ``s_n``), and the collapse of
bureaucratic regimes into capitalist autocracies. The democracy level relaxes (30 % a year)
into the band each regime allows (e.g. at least 0.7 under democratic socialism, at most 0.2
under a bureaucratic regime).

Sources: Maddison Project 2023 (frontier growth); Barro & Sala-i-Martin 1992 (convergence);
UN WPP 2024 (population); Ball, Leigh & Loungani 2017 (Okun); Przeworski 2005; Przeworski &
Limongi 1997; Gleditsch & Ward 2006 and the V-Dem panel fit (neighbours).
"""

from __future__ import annotations

import math

import numpy as np

from ..compiled import KP, clip, equation, expit

#: Yearly growth of GDP per head is clipped to +- this (log-points).
GROWTH_LIMIT = 0.3
#: Natural population growth is clipped to this range (per year).
POP_GROWTH_LIMITS = (-0.015, 0.04)
#: Unemployment stays within these bounds (share of the labour force).
UNEMPLOYMENT_BOUNDS = (0.005, 0.5)
#: Income at which ``pop_growth_base`` holds (2021 PPP $).
POP_REFERENCE_INCOME = 1000.0
#: Przeworski's income bands (1985 PPP $).
BAND_EDGES_1985 = (1000.0, 3000.0, 6055.0)
#: Democracy-level floor and ceiling each regime imposes, by regime code; the level relaxes into them.
DEMOCRACY_FLOOR = np.array([0.42, 0.0, 0.7, 0.0, 0.0])
DEMOCRACY_CEILING = np.array([1.0, 0.5, 1.0, 0.2, 0.35])
DEMOCRACY_RELAX_RATE = 0.3
#: Mean democratic share of the neighbours over the autocracy-years of the fit (V-Dem panel, 1950-1989).
NEIGHBOUR_REFERENCE_SHARE = 0.13


_LOG_POP_REFERENCE_INCOME = math.log(POP_REFERENCE_INCOME)


@equation
def log_frontier(t, q):
    """Log of the frontier income at year offset t: ``ln y_f(t) = ln y_f0 + g_f * t``."""
    return math.log(q[KP.frontier_income]) + q[KP.frontier_growth] * t


@equation
def growth(log_gdppc, log_frontier_income, shock, q):
    """Growth of potential GDP per head before aid (log-points); ``shock`` ~ N(0, 1).

    Incomes enter as logarithms (computed once a year per country and shared with the other
    equations of income): ``ln(y_f / y) = ln y_f - ln y``.
    """
    g = (q[KP.frontier_growth] + q[KP.convergence_rate] * (log_frontier_income - log_gdppc)
         + q[KP.growth_shock_sd] * shock)
    return clip(g, -GROWTH_LIMIT, GROWTH_LIMIT)


@equation
def natural_population_growth(log_income, t, q):
    """Natural population growth rate (births minus deaths); ``log_income``: ``ln y``."""
    n = (q[KP.pop_growth_base] - q[KP.pop_growth_income_slope] * (log_income - _LOG_POP_REFERENCE_INCOME)
         - q[KP.pop_growth_trend] * t)
    return clip(n, POP_GROWTH_LIMITS[0], POP_GROWTH_LIMITS[1])


@equation
def unemployment_change(unemployment, structural, socialist, shock, q):
    """Change of unemployment from relaxation to its structural level and growth surprises (Okun)."""
    target = structural * (q[KP.socialist_full_employment] if socialist else 1.0)
    return (q[KP.unemployment_adjust_rate] * (target - unemployment)
            - q[KP.okun_coefficient] * q[KP.growth_shock_sd] * shock)


@equation
def bounded_unemployment(unemployment):
    """Unemployment kept within :data:`UNEMPLOYMENT_BOUNDS`."""
    return clip(unemployment, UNEMPLOYMENT_BOUNDS[0], UNEMPLOYMENT_BOUNDS[1])


@equation
def income_band_edge(k, q):
    """Przeworski's band edge ``k`` (0-2: $1,000, $3,000, $6,055 of 1985) in 2021 PPP $."""
    return BAND_EDGES_1985[k] * q[KP.ppp1985_to_2021]


@equation
def breakdown_hazard(income, q):
    """Yearly hazard that a capitalist democracy breaks down into a capitalist autocracy."""
    if income < income_band_edge(0, q):
        return q[KP.breakdown_hazard_poor]
    if income < income_band_edge(1, q):
        return q[KP.breakdown_hazard_lower]
    if income < income_band_edge(2, q):
        return q[KP.breakdown_hazard_middle]
    return q[KP.breakdown_hazard_rich]


@equation
def democratization_hazard(neighbour_share, q):
    """Yearly hazard that an autocracy becomes a capitalist democracy.

    Flat in income, rising with democratic neighbours (``neighbour_share``: their democratic
    share; the reference share leaves them out).
    """
    h0 = q[KP.democratization_hazard]
    shift = q[KP.democratization_neighbour_effect] * (neighbour_share - NEIGHBOUR_REFERENCE_SHARE)
    return expit(math.log(h0 / (1.0 - h0)) + shift)


@equation
def bureaucratic_collapse_hazard(income, q):
    """Yearly hazard that a bureaucratic regime collapses into a capitalist autocracy."""
    return q[KP.bureaucratic_collapse_hazard]


@equation
def democracy_toward_regime(democracy, regime):
    """Change of the democracy level toward the band of the current regime."""
    return DEMOCRACY_RELAX_RATE * (clip(democracy, DEMOCRACY_FLOOR[regime], DEMOCRACY_CEILING[regime]) - democracy)
