"""Living standards and poverty: the channels through which M7, M8, M10 and M11 reach people.

The living standard (consumption per head, 2021 PPP $) is a product of channels, each the
log of one factor::

    ln L = ln 0.65 + ln y + ln(1 - s) + ln(1 - aid + c_share * a_recv) + ln(1 - invest)
           (M11 income, M10 scarcity, M8 aid, M7 integration investment)

M11's channel ``ln y`` is carried as a logarithm from the growth equation (``ln y' = ln y + g``).
People judge each channel against its expectation (M12): ``gap_k = channel_k - E_k``;
``gap = sum_k gap_k`` is what moves support (M2), reaction (M9) and degeneration (M10), and
each mechanism's part of a support or reaction change is its channel's share.

Extreme poverty (share below the $3.00 line) from a lognormal consumption distribution with
the country's Gini::

    sigma   = sqrt(2) * Phi^-1((G + 1) / 2)
    score   = ln(z / L) / sigma + sigma / 2 + offset
    poverty = Phi(score)

where the per-country ``offset`` (probit units) makes the start year match the data
(:func:`poverty_calibration`; it absorbs survey-versus-national-accounts gaps). The pass
computes the score; the step applies the normal CDF ``Phi`` to the whole array at once
(SciPy's ``ndtr``, several times faster than a scalar ``erfc`` per country).

Outcomes also report the share below the upper-middle-income line (``UPPER_POVERTY_LINE``,
$8.30 a day, World Bank 2025) with the same distribution and offset.

The line (``POVERTY_LINE``, $3.00 a day in 2021 PPP $, World Bank 2025) and the consumption
share of GDP (``CONSUMPTION_SHARE``, 0.65) are constants of :mod:`nato_socialism.model.context`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, ndtri

from ..compiled import equation
from ..context import CONSUMPTION_SHARE, POVERTY_LINE, UPPER_POVERTY_LINE

_LOG_CONSUMPTION_SHARE = math.log(CONSUMPTION_SHARE)
_LOG_POVERTY_LINE = math.log(POVERTY_LINE)
#: log of the upper poverty line (outcomes only).
_LOG_UPPER_POVERTY_LINE = math.log(UPPER_POVERTY_LINE)


@equation
def log1p_or_zero(x):
    """``ln(1 + x)``, skipping the logarithm where ``x`` is zero (most countries, most channels)."""
    return math.log1p(x) if x != 0.0 else x


@equation
def scarcity_channel(scarcity):
    """M10's channel: ``ln(1 - s)``."""
    return log1p_or_zero(-scarcity)


@equation
def log_living_standard(income, scarcity, aid, investment):
    """``ln L`` from the four channels (M8's is :func:`~nato_socialism.model.mechanisms.aid.consumption_log`)."""
    return _LOG_CONSUMPTION_SHARE + income + scarcity + aid + investment


@equation
def probit_below(log_line, log_living, sigma):
    """Probit of the share below a line (log of $ a year) before the offset: ``ln(z / L) / sigma + sigma / 2``."""
    return (log_line - log_living) / sigma + sigma / 2.0


@equation
def poverty_probit(log_living, sigma):
    """Probit of the extreme-poverty share before the country offset (the $3.00 line)."""
    return probit_below(_LOG_POVERTY_LINE, log_living, sigma)


@equation
def poverty_score(log_living, sigma, offset):
    """The extreme-poverty share's probit: ``poverty = Phi(score)`` at living standard ``exp(log_living)``."""
    return poverty_probit(log_living, sigma) + offset


def poverty(score: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Extreme-poverty share from its probit score: the normal CDF (vectorized, in place with ``out``)."""
    return ndtr(score, out=out)


@equation
def upper_poverty_score(log_living, sigma, offset):
    """Probit of the share below the $8.30 line, same distribution and offset (outcomes; ``Phi`` by :func:`poverty`)."""
    return probit_below(_LOG_UPPER_POVERTY_LINE, log_living, sigma) + offset


def poverty_calibration(gini: np.ndarray, poverty0: np.ndarray, consumption0: np.ndarray):
    """``(sigma, offset)`` per country: the lognormal's log-sd and the offset matching the start year."""
    sigma = math.sqrt(2.0) * ndtri((np.clip(gini, 0.15, 0.75) + 1.0) / 2.0)
    model0 = np.array([poverty_probit(math.log(c), s) for c, s in zip(consumption0.tolist(), sigma.tolist(),
                                                                         strict=True)])
    offset = ndtri(np.clip(poverty0, 1e-4, 0.95)) - model0
    return sigma, offset
