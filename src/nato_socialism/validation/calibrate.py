"""Calibration of the background parameters (M11) on the country-year panel.

Simple, transparent estimators, each the model's own equation taken to the data
(:mod:`nato_socialism.validation.panel_stats` holds the data definitions):

* ``frontier_growth``, ``convergence_rate``: OLS of yearly growth of GDP per head on the log
  gap to the frontier (US GDP per head that year), ``g = g_f + beta ln(y_f / y)``; intercept
  and slope. ``growth_shock_sd``: robust spread (1.4826 MAD) of its residuals;
* ``pop_growth_base``, ``pop_growth_income_slope``, ``pop_growth_trend``: OLS of yearly
  population growth on ``-ln(y / 1000)`` and ``-(year - reference)``; the intercept is
  the growth at $1,000 in the reference year (the year after the fit window), restated for
  any later start year with the fitted trend;
* ``breakdown_hazard_*``: democracies' pooled breakdown hazard in each Przeworski band;
  ``democratization_hazard``: autocracies' pooled exit hazard (V-Dem RoW, see panel_stats).

Standard errors are clustered by country for the regressions (statsmodels) and binomial for
hazards; the spread's error is approximated by ``sd / sqrt(2 x countries)``. The registry
interval written by ``--accept`` is the estimate +- 2 standard errors for the regressions and
the spread, and the 95 % Wilson score interval for hazards (which, unlike +- 2 binomial
standard errors, does not shrink to a point with no event and stays above 0 with few
events); both are clipped to the parameter's validity bounds (its sign, and at most 1 for
probabilities), and the default is the estimate clipped the same way.

Errors are one-year-ahead prediction errors of each equation, in the fit window (in sample)
and in a later test window (out of sample), with the fitted values and with the registry's.
"""

from __future__ import annotations

import datetime as _dt
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import tomlkit
import tomlkit.exceptions

from .. import atomic
from ..data.loader import PathLike
from ..data.world import SNAPSHOT_YEAR
from ..errors import UserError
from ..model.compiled import evaluate, kernel_params
from ..model.mechanisms import background
from ..model.parameters import params_from_table
from ..model.registry import REGISTRY_PATH, Parameter, registry
from . import panel_stats as ps
from .runs import Progress

#: Parameters the calibration fits, in registry order.
CALIBRATED = (
    "frontier_growth", "convergence_rate", "growth_shock_sd", "growth_regime_sd", "growth_regime_persistence",
    "pop_growth_base", "pop_growth_income_slope", "pop_growth_trend", "pop_growth_persistence",
    "pop_growth_shock_sd", *ps.BAND_PARAMETERS, "democratization_hazard", "democracy_shock_sd",
)
#: Relative half-width of the interval of the growth regime's two estimates (assumption: the
#: two-step estimate has no standard error of its own).
REGIME_INTERVAL = 0.5
#: Source prefix of calibrated entries (the rest of the source keeps the literature reference).
SOURCE_PREFIX = "calibrated on panel"
_LITERATURE = "; literature: "
#: Transitions t -> t+1 exist for t up to 2022 (GDP per head ends in 2023).
FIRST_TRANSITION, LAST_TRANSITION = 1950, 2022


@dataclass(frozen=True)
class Estimate:
    """One fitted parameter.

    ``estimate`` and ``se`` are the raw fit; ``value`` is the estimate clipped to the
    parameter's validity bounds and ``low``/``high`` the interval (``interval`` says which)
    clipped the same way.
    """

    name: str
    estimate: float
    se: float
    value: float
    low: float
    high: float
    n: int
    method: str
    interval: str = "+-2 s.e."


@dataclass(frozen=True)
class Calibration:
    """Fitted background parameters and their prediction errors."""

    fit: tuple[int, int]
    test: tuple[int, int] | None
    reference_year: int  # the year pop_growth_base refers to
    estimates: dict[str, Estimate]
    errors: pd.DataFrame

    def at(self, start_year: int) -> dict[str, Estimate]:
        """The estimates for a run starting in ``start_year`` (pop_growth_base moved by the trend)."""
        shift = -self.estimates["pop_growth_trend"].value * (start_year - self.reference_year)
        base = self.estimates["pop_growth_base"]
        if start_year == self.reference_year:
            return dict(self.estimates)
        moved = replace(base, estimate=base.estimate + shift, value=base.value + shift, low=base.low + shift,
                        high=base.high + shift,
                        method=base.method + f", restated for {start_year} with the fitted trend")
        return {**self.estimates, "pop_growth_base": moved}

    def ranges(self, start_year: int) -> dict[str, tuple[float, float]]:
        """(low, high) of each fitted parameter for a run starting in ``start_year``."""
        return {k: (e.low, e.high) for k, e in self.at(start_year).items()}

    def values(self, start_year: int) -> dict[str, float]:
        """Point values of each fitted parameter for a run starting in ``start_year``."""
        return {k: e.value for k, e in self.at(start_year).items()}


def parse_window(text: str, option: str) -> tuple[int, int]:
    """Parse ``"1960:1989"`` into (1960, 1989), raising UserError for anything else."""
    parts = str(text).split(":")
    try:
        first, last = (int(x) for x in parts)
    except ValueError:
        raise UserError(f"{option} {text!r}: expected FIRST:LAST years, e.g. 1960:1989.") from None
    if last <= first:
        raise UserError(f"{option} {text!r}: the last year must come after the first.")
    return first, last


def default_test_window(fit_window: tuple[int, int]) -> tuple[int, int] | None:
    """The 30 years after the fit window, up to 2022 (the panel's last transition); None if under 5."""
    first, last = fit_window[1] + 1, min(LAST_TRANSITION, fit_window[1] + 30)
    return (first, last) if last - first >= 4 else None


def _clipped(name: str, estimate: float, se: float, n: int, method: str,
             interval: tuple[float, float] | None = None, kind: str = "95 % Wilson interval") -> Estimate:
    """An estimate with its value and interval (default +-2 se) clipped to the parameter's validity bounds.

    ``kind`` names a given ``interval``.
    """
    lo_b, hi_b = registry()[name].bounds
    low, high = interval if interval is not None else (estimate - 2.0 * se, estimate + 2.0 * se)
    kind = kind if interval is not None else "+-2 s.e."
    clip = lambda v: float(min(max(v, lo_b), hi_b))  # noqa: E731
    return Estimate(name=name, estimate=float(estimate), se=float(se), value=clip(estimate), low=clip(low),
                    high=clip(high), n=int(n), method=method, interval=kind)


def fit(frame: pd.DataFrame, first: int, last: int) -> tuple[dict[str, Estimate], int]:
    """Fit every calibrated parameter on the years [first, last] of :func:`panel_stats.pairs`.

    Returns the estimates and the reference year of ``pop_growth_base`` (``last + 1``).
    """
    data = ps.window(frame, first, last)
    frontier = ps.frontier_series(frame)
    out: dict[str, Estimate] = {}
    g = ps.growth_regression(data, frontier)
    method = f"OLS of yearly growth on ln(US GDP per head / y), {g.n} country-years, {g.clusters} countries"
    out["frontier_growth"] = _clipped("frontier_growth", g.coef[0], g.se[0], g.n, method + " (intercept)")
    out["convergence_rate"] = _clipped("convergence_rate", g.coef[1], g.se[1], g.n, method + " (slope)")
    out["growth_shock_sd"] = _clipped("growth_shock_sd", g.residual_sd, g.residual_sd / math.sqrt(2 * g.clusters),
                                      g.n, "1.4826 x MAD of the growth regression's residuals")
    sd, rho, n = ps.growth_regime(data, frontier, g)
    lags = f"{ps.REGIME_LAGS.start}-{ps.REGIME_LAGS.stop - 1}"
    method = (f"AR(1) part of the growth regression's residuals: OLS of ln autocovariance on lags {lags}, "
              f"{n} country-years; interval +-{REGIME_INTERVAL:.0%} (assumption)")
    for name, value in (("growth_regime_sd", sd), ("growth_regime_persistence", rho)):
        out[name] = _clipped(name, value, REGIME_INTERVAL * value / 2, n, method,
                             (value * (1 - REGIME_INTERVAL), value * (1 + REGIME_INTERVAL)),
                             kind=f"+-{REGIME_INTERVAL:.0%} (assumption)")
    ref = last + 1
    p = ps.population_regression(data, ref)
    method = (f"OLS of yearly population growth on last year's, -ln(y/1000) and -(year-{ref}), {p.n} country-years, "
              f"{p.clusters} countries")
    phi = p.coef[1]
    out["pop_growth_persistence"] = _clipped("pop_growth_persistence", phi, p.se[1], p.n,
                                             f"{method} (coefficient of last year's growth)")
    roles = (f"long-run growth at $1,000 in {ref}", "long-run income slope", "long-run yearly trend")
    for i, name in zip((0, 2, 3), ("pop_growth_base", "pop_growth_income_slope", "pop_growth_trend"), strict=True):
        # delta method for c / (1 - phi)
        grad = np.zeros(len(p.coef))
        grad[i], grad[1] = 1.0 / (1.0 - phi), p.coef[i] / (1.0 - phi) ** 2
        out[name] = _clipped(name, p.coef[i] / (1.0 - phi), math.sqrt(grad @ p.cov @ grad), p.n,
                             f"{method} ({roles[(0, 2, 3).index(i)]}: coefficient / (1 - persistence))")
    out["pop_growth_shock_sd"] = _clipped("pop_growth_shock_sd", p.residual_sd,
                                          p.residual_sd / math.sqrt(2 * p.clusters), p.n,
                                          "1.4826 x MAD of the population regression's residuals")
    bands = ps.hazards_by_band(data)
    for row, name in zip(bands.itertuples(), ps.BAND_PARAMETERS, strict=True):
        method = (f"pooled V-Dem breakdowns / democracy-years at {row.label} (1985 PPP $): "
                  f"{row.breakdowns} / {row.democracy_years}")
        if row.democracy_years == 0:
            raise UserError(f"Fit window {first}:{last} has no democracy-year in the band {row.label}.")
        out[name] = _clipped(name, row.breakdown_hazard, row.breakdown_se, row.democracy_years, method,
                             (row.breakdown_low95, row.breakdown_upper95))
    ex = ps.pooled_hazard(data, "exit")
    out["democratization_hazard"] = _clipped(
        "democratization_hazard", ex["hazard"], ex["se"], ex["exposure"],
        f"pooled V-Dem exits (RoW <2 -> >=2) / autocracy-years: {ex['events']} / {ex['exposure']}",
        (ex["low95"], ex["upper95"]),
    )
    dd = ps.democracy_changes(data)
    countries = data.loc[dd.index, "iso3"].nunique()
    out["democracy_shock_sd"] = _clipped(
        "democracy_shock_sd", float(dd.std()), float(dd.std()) / math.sqrt(2 * countries), len(dd),
        f"s.d. of yearly changes of V-Dem polyarchy within one side of RoW = 2, {len(dd)} country-years (the "
        "plain s.d.: half the changes are exactly 0, so the MAD would be 0)")
    return {k: out[k] for k in CALIBRATED}, ref


def prediction_errors(values: Mapping[str, float], pop_reference_year: int, frame: pd.DataFrame,
                      frontier: pd.Series) -> dict[str, float]:
    """One-year-ahead errors of the background equations with the given parameter values.

    Returns RMSE of growth and of population growth, mean log-loss per democracy-year and per
    autocracy-year, and predicted and observed numbers of breakdowns and exits.
    """
    defaults = {k: v.default for k, v in registry().items()}
    q = kernel_params(params_from_table({k: [values.get(k, v)] for k, v in defaults.items()}))
    g = ps.growth_sample(frame, frontier)
    # the equation takes logs of income; the growth regime (unobserved) at its mean, 0
    g_hat = evaluate(background.growth, q, np.log(g["gdppc"]), np.log(g["year"].map(frontier)), 0.0, 0.0)[0]
    n = ps.population_sample(frame)
    n_hat = evaluate(background.natural_population_growth, q, n["pop_growth_lag"], np.log(n["gdppc"]),
                     n["year"] - pop_reference_year, 0.0)[0]
    r = ps.regime_events(frame.dropna(subset=["gdppc"]))
    h_break = evaluate(background.breakdown_hazard, q, r["gdppc"])[0]
    dem, aut = r["democratic"].to_numpy(), r["autocratic"].to_numpy()
    return {
        "growth_rmse": float(np.sqrt(np.mean((g["growth"] - g_hat) ** 2))),
        "pop_growth_rmse": float(np.sqrt(np.mean((n["pop_growth"] - n_hat) ** 2))),
        "breakdown_logloss": _logloss(r["breakdown"].to_numpy()[dem], h_break[dem]),
        "breakdowns_predicted": float(h_break[dem].sum()),
        "breakdowns_observed": float(r["breakdown"].sum()),
        "exit_logloss": _logloss(r["exit"].to_numpy()[aut], np.full(aut.sum(), values["democratization_hazard"])),
        "exits_predicted": float(aut.sum() * values["democratization_hazard"]),
        "exits_observed": float(r["exit"].sum()),
    }


def _logloss(event: np.ndarray, prob: np.ndarray) -> float:
    p = np.clip(prob, 1e-6, 1 - 1e-6)
    return float(-np.mean(np.where(event, np.log(p), np.log1p(-p)))) if len(p) else math.nan


def calibrate(fit_window: tuple[int, int], test_window: tuple[int, int] | None = None,
              data_dir: PathLike | None = None, progress: Progress | None = None) -> Calibration:
    """Fit the background parameters on ``fit_window`` and measure errors in and out of sample.

    Parameters
    ----------
    fit_window, test_window
        Inclusive year ranges; transitions t -> t+1 with t in the window are used.
    data_dir
        Folder with the data files; ``None`` for the bundled ones.
    progress
        Called as ``progress(done, total, what)`` before each step and once at the end.

    Raises
    ------
    UserError
        If a window lies outside the panel (1950-2022 for transitions) or the windows overlap.
    """
    for w in (fit_window, test_window):
        if w is not None and (w[0] < FIRST_TRANSITION or w[1] > LAST_TRANSITION or w[1] - w[0] < 4):
            raise UserError(f"Window {w[0]}:{w[1]}: windows must lie within {FIRST_TRANSITION}:{LAST_TRANSITION} "
                            "and span at least 5 years.")
    if test_window is not None and test_window[0] <= fit_window[1]:
        raise UserError(f"The test window {test_window[0]}:{test_window[1]} must start after the fit window ends.")
    windows = [("in sample", fit_window)] + ([("out of sample", test_window)] if test_window else [])
    report = progress or (lambda done, total, what: None)
    total = 2 + len(windows)
    report(0, total, "reading the country-year panel")
    frame = ps.pairs(data_dir)
    frontier = ps.frontier_series(frame)
    report(1, total, f"fitting on {fit_window[0]}-{fit_window[1]}")
    estimates, ref = fit(frame, *fit_window)
    fitted = {k: e.value for k, e in estimates.items()}
    reg = {k: registry()[k].default for k in CALIBRATED}
    rows = []
    for i, (label, (a, b)) in enumerate(windows):
        report(2 + i, total, f"prediction errors {label} {a}-{b}")
        data = ps.window(frame, a, b)
        e_fit = prediction_errors(fitted, ref, data, frontier)
        e_reg = prediction_errors(reg, SNAPSHOT_YEAR, data, frontier)
        for metric in e_fit:
            rows.append({"window": f"{label} {a}-{b}", "metric": metric, "fitted": e_fit[metric],
                         "registry": e_reg[metric]})
    report(total, total, "calibration done")
    return Calibration(fit=fit_window, test=test_window, reference_year=ref, estimates=estimates,
                       errors=pd.DataFrame(rows))


def _number(v: float) -> float:
    """A fitted value as written: 4 significant digits."""
    return float(f"{v:.4g}")


def source_text(old_source: str, estimate: Estimate, window: tuple[int, int], date: str) -> str:
    """The new ``source`` of a calibrated entry; the literature reference is kept after it."""
    calibrated = old_source.startswith(SOURCE_PREFIX) and _LITERATURE in old_source
    literature = old_source.split(_LITERATURE, 1)[1] if calibrated else old_source
    return (f"{SOURCE_PREFIX} {window[0]}-{window[1]} on {date}: {estimate.method}; estimate "
            f"{estimate.estimate:.4g} (s.e. {estimate.se:.2g}), interval {estimate.interval} clipped to the "
            f"parameter's bounds{_LITERATURE}{literature}")


def _parse(text: str, where: str) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as err:
        raise UserError(f"{where} is not valid TOML: {err}.") from None


def rewrite_registry(text: str, calibration: Calibration, date: str, where: str = "the registry") -> str:
    """Return the registry text with the calibrated entries' default/low/high/source replaced.

    Only those four values of those entries change; comments, layout and other entries stay
    as they are (tomlkit). ``pop_growth_base`` is stated for runs starting in the snapshot year
    (the default start).
    """
    doc = _parse(text, where)
    for name, est in calibration.at(SNAPSHOT_YEAR).items():
        entry = doc.get(name)
        if not isinstance(entry, dict):
            raise UserError(f"{where} has no entry [{name}] to calibrate.")
        missing = sorted({"default", "low", "high", "source"} - set(entry))
        if missing:
            raise UserError(f"{where}: [{name}] lacks {', '.join(missing)}.")
        entry["default"], entry["low"], entry["high"] = _number(est.value), _number(est.low), _number(est.high)
        entry["source"] = source_text(str(entry["source"]), est, calibration.fit, date)
    return tomlkit.dumps(doc)


def check_registry_text(text: str, where: str) -> None:
    """Check that registry text parses into valid entries (default inside [low, high])."""
    try:
        raw = tomllib.loads(text)
        for name, entry in raw.items():
            p = Parameter(name=name, **entry)
            if not p.low <= p.default <= p.high:
                raise ValueError(f"{name}: default {p.default} outside [{p.low}, {p.high}]")
    except (tomllib.TOMLDecodeError, TypeError, ValueError) as err:
        raise UserError(f"The rewritten registry {where} would be invalid: {err}") from None


def scenario_text(text: str | None, calibration: Calibration, date: str, where: str = "the scenario") -> str:
    """Return scenario text whose ``[parameters]`` sample each calibrated parameter over its fitted interval.

    ``text`` is an existing scenario file (its comments, layout and other keys are kept;
    calibrated parameters it already sets are replaced) or None for a new file. Each value is
    written as ``[low, high]`` (the fitted interval, clipped to the parameter's bounds)
    with a comment giving the estimate, its standard error, the fit window and the date.
    """
    fit = f"{calibration.fit[0]}-{calibration.fit[1]}"
    if text is None:
        doc = tomlkit.document()
        doc.add(tomlkit.comment(f"Written by `nato-socialism calibrate --accept` on {date}: the background (M11)"))
        doc.add(tomlkit.comment(f"parameters fitted on the country-year panel {fit} are sampled over their"))
        doc.add(tomlkit.comment("fitted intervals (estimate +- 2 s.e., hazards 95 % Wilson; clipped to bounds)."))
        doc.add(tomlkit.comment("Every other key of a scenario file may be added (docs/scenarios.md)."))
        doc["description"] = f"Background parameters calibrated on the panel {fit} ({date})."
    else:
        doc = _parse(text, where)
    table = doc.get("parameters")
    if table is None:
        table = tomlkit.table()
        doc["parameters"] = table
    elif not isinstance(table, dict):
        raise UserError(f"{where}: parameters is not a table.")
    for name, est in calibration.at(SNAPSHOT_YEAR).items():
        value = tomlkit.array()
        value.extend([_number(est.low), _number(est.high)])
        value.comment(f"calibrated on panel {fit} on {date}: estimate {est.estimate:.4g} (s.e. {est.se:.2g})")
        table[name] = value
    return tomlkit.dumps(doc)


def accept(calibration: Calibration, path: PathLike, *, registry_file: bool = False, date: str | None = None) -> Path:
    """Write the fitted values into a scenario file (default) or a parameter registry file.

    A scenario file is created, or its ``[parameters]`` are updated (:func:`scenario_text`);
    a registry file (``registry_file=True``, e.g. a copy of ``model/parameters.toml``) gets
    new default/low/high/source values (:func:`rewrite_registry`). Comments are kept either
    way. The new text is checked (as a scenario, or as a registry) before it replaces the
    file atomically. Returns the path written.
    """
    path = Path(path)
    date = date or _dt.date.today().isoformat()
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name such as {path / 'calibrated.toml'}.")
    if registry_file and not path.is_file():
        raise UserError(f"Registry file not found: {path}.")
    try:
        old = path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"Cannot read {path}: {err}.") from None
    if registry_file:
        text = rewrite_registry(old, calibration, date, str(path))
        check_registry_text(text, str(path))
    else:
        from ..scenario.loading import loads_scenario

        text = scenario_text(old, calibration, date, str(path))
        loads_scenario(text, str(path), path.stem)
    try:
        atomic.atomic_write_text(path, text)
    except OSError as err:
        raise UserError(f"Cannot write {path}: {err.strerror or err}.") from None
    if path.resolve() == REGISTRY_PATH.resolve():
        registry.cache_clear()
    return path
