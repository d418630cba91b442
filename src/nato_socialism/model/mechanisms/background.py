"""M11 Background politics and economy: what happens when no movement acts.

Income (log-points per year)::

    y_f(t) = y_f0 * exp(g_f * t)                             frontier
    g      = clip(g_f + beta * ln(y_f / y) + v + sd * z, -0.3, 0.3) + g_aid
    v'     = rho_v * v + sqrt(1 - rho_v^2) * sd_v * z_v      growth regime
                                                             z, z_v ~ N(0, 1) per member, country, year

The growth regime ``v`` is the persistent part of a country's growth (structural noise: a
run of good or bad decades), an AR(1) with stationary s.d. ``sd_v`` that starts from its
stationary distribution; ``sd_v`` and ``rho_v`` come from the autocovariance of the panel's
growth residuals at lags 2-15 (``calibrate``), cf. Easterly, Kremer, Pritchett & Summers
1993 (growth persists little across decades) and Pritchett 2000 (growth regimes).

Population (natural growth, per year): a demographic transition by partial adjustment. Each
country's rate moves from its own recent rate toward a target that falls with income and
time (fertility falls with income, UN WPP 2024)::

    n* = n0 - slope * ln(y / 1000) - trend * t
    n' = clip(phi * n + (1 - phi) * n* + sd_n * z_n, -0.015, 0.04)

``n`` starts at the country's observed growth of the five years before the start year
(the income target where the panel lacks it). ``phi``, ``sd_n`` are fitted on the panel
(OLS of yearly population growth on last year's; ``calibrate``); with ``phi = 0`` and
``sd_n = 0`` the rate is the target itself.

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
under a bureaucratic regime), and moves by a yearly shock ``sd_d * z_d`` (structural noise;
``sd_d`` the s.d. of V-Dem polyarchy's yearly changes within one side of RoW = 2).

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
def growth(log_gdppc, log_frontier_income, regime, shock, q):
    """Growth of potential GDP per head before aid (log-points); ``regime``: the growth regime, ``shock`` ~ N(0, 1).

    Incomes enter as logarithms (computed once a year per country and shared with the other
    equations of income): ``ln(y_f / y) = ln y_f - ln y``.
    """
    g = (q[KP.frontier_growth] + q[KP.convergence_rate] * (log_frontier_income - log_gdppc) + regime
         + q[KP.growth_shock_sd] * shock)
    return clip(g, -GROWTH_LIMIT, GROWTH_LIMIT)


@equation
def growth_regime_start(shock, q):
    """A growth regime drawn from its stationary distribution; ``shock`` ~ N(0, 1)."""
    return q[KP.growth_regime_sd] * shock


@equation
def growth_regime_next(regime, shock, q):
    """Next year's growth regime (AR(1) with stationary s.d. ``growth_regime_sd``); ``shock`` ~ N(0, 1)."""
    rho = q[KP.growth_regime_persistence]
    return rho * regime + math.sqrt(1.0 - rho * rho) * q[KP.growth_regime_sd] * shock


@equation
def population_growth_target(log_income, t, q):
    """The income target of natural population growth, ``n0 - slope ln(y / 1000) - trend t``."""
    return (q[KP.pop_growth_base] - q[KP.pop_growth_income_slope] * (log_income - _LOG_POP_REFERENCE_INCOME)
            - q[KP.pop_growth_trend] * t)


@equation
def natural_population_growth(previous, log_income, t, shock, q):
    """Natural population growth rate (births minus deaths) this year; ``previous``: last year's rate.

    ``log_income``: ``ln y``; ``shock`` ~ N(0, 1).
    """
    phi = q[KP.pop_growth_persistence]
    n = (phi * previous + (1.0 - phi) * population_growth_target(log_income, t, q)
         + q[KP.pop_growth_shock_sd] * shock)
    return clip(n, POP_GROWTH_LIMITS[0], POP_GROWTH_LIMITS[1])


@equation
def start_population_growth(recent, log_income, q):
    """Natural growth of the year before the start: the observed recent rate, else the income target."""
    n = population_growth_target(log_income, -1.0, q) if math.isnan(recent) else recent
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
def democracy_shock(shock, q):
    """Yearly structural shock to the democracy level; ``shock`` ~ N(0, 1)."""
    return q[KP.democracy_shock_sd] * shock


@equation
def democracy_toward_regime(democracy, regime):
    """Change of the democracy level toward the band of the current regime."""
    return DEMOCRACY_RELAX_RATE * (clip(democracy, DEMOCRACY_FLOOR[regime], DEMOCRACY_CEILING[regime]) - democracy)
