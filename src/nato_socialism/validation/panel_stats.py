"""Statistics of the country-year panel shared by the anchors, the calibration and the hindcast.

Everything here reads :func:`nato_socialism.data.panel.panel_series` (model units:
2021 PPP $, V-Dem codings) for present-day countries (former states under ``OWID_*`` codes
are left out: they never have income and V-Dem in the same year, and Maddison already gives
their successors over present-day borders).

Definitions (the same as the model's, so data and model figures are comparable):

* a **democracy-year** is a year with V-Dem Regimes of the World >= 2 (the model's rule for
  capitalist democracies at the start); a **breakdown** is RoW >= 2 in year t and < 2 in t+1;
* an **autocracy-year** has RoW < 2; an **exit** (democratization) is RoW < 2 in t and >= 2
  in t+1. Flickers across the threshold count each time, as in a yearly hazard model;
* **income bands** are Przeworski's $1,000 / $3,000 / $6,055 of 1985 PPP $, converted with
  the registry's ``ppp1985_to_2021`` (:func:`nato_socialism.model.mechanisms.background.income_band_edge`);
* **growth** is the yearly log change of GDP per head, clipped to +-0.3 like the model's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ..data.loader import PathLike
from ..data.panel import panel_series
from ..model.compiled import kernel_params
from ..model.mechanisms import background
from ..model.parameters import default_params

#: Band labels of Przeworski's income bands (1985 PPP $).
BAND_LABELS = ("< $1,000", "$1,001-3,000", "$3,001-6,055", "> $6,055")
#: Registry parameters of the breakdown hazard in each band.
BAND_PARAMETERS = ("breakdown_hazard_poor", "breakdown_hazard_lower", "breakdown_hazard_middle",
                   "breakdown_hazard_rich")
#: The model clips yearly growth of GDP per head to this range (M11).
GROWTH_CLIP = background.GROWTH_LIMIT
#: ... and natural population growth to this range.
POP_GROWTH_CLIP = background.POP_GROWTH_LIMITS
#: Reference income of ``pop_growth_base`` ($1,000, 2021 PPP).
POP_REFERENCE_INCOME = background.POP_REFERENCE_INCOME


def band_edges() -> tuple[float, float, float]:
    """Przeworski's band edges in 2021 PPP $, with the registry's default conversion factor."""
    q = kernel_params(default_params(1))[0]
    return tuple(float(background.income_band_edge(k, q)) for k in range(len(background.BAND_EDGES_1985)))


def income_band(income) -> np.ndarray:
    """Band index 0-3 of each income (2021 PPP $)."""
    return np.searchsorted(np.asarray(band_edges()), np.asarray(income, dtype=np.float64), side="right")


def pairs(data_dir: PathLike | None = None) -> pd.DataFrame:
    """Consecutive country-years (t, t+1) of present-day countries, with next-year values.

    Returns
    -------
    pandas.DataFrame
        ``iso3``, ``year`` (t) and, for ``population``, ``gdppc``, ``democracy`` and
        ``regime_row``, the value in t and in t+1 (suffix ``_next``), plus the yearly log
        growth ``growth`` (clipped to +-0.3) and ``pop_growth``. Rows exist only where t+1
        directly follows t in the panel.
    """
    s = panel_series(data_dir)
    s = s[~s["historical_entity"]].sort_values(["iso3", "year"], ignore_index=True)
    cols = ["population", "gdppc", "democracy", "regime_row"]
    nxt = s.groupby("iso3")[["year", *cols]].shift(-1)
    out = s[["iso3", "year", *cols]].copy()
    for c in cols:
        out[c + "_next"] = nxt[c]
    out = out[nxt["year"] == s["year"] + 1].reset_index(drop=True)
    out["growth"] = np.log(out["gdppc_next"] / out["gdppc"]).clip(-GROWTH_CLIP, GROWTH_CLIP)
    out["pop_growth"] = np.log(out["population_next"] / out["population"])
    return out


def window(frame: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Rows whose year t lies in [first, last] (transitions t -> t+1 start inside the window)."""
    return frame[(frame["year"] >= first) & (frame["year"] <= last)]


def regime_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``democratic``, ``breakdown``, ``autocratic`` and ``exit`` flags (rows with both regimes)."""
    f = frame.dropna(subset=["regime_row", "regime_row_next"]).copy()
    f["democratic"] = f["regime_row"] >= 2
    f["autocratic"] = ~f["democratic"]
    f["breakdown"] = f["democratic"] & (f["regime_row_next"] < 2)
    f["exit"] = f["autocratic"] & (f["regime_row_next"] >= 2)
    return f


def hazards_by_band(frame: pd.DataFrame) -> pd.DataFrame:
    """Breakdown and exit hazards of a window of :func:`pairs`, per Przeworski income band.

    Returns
    -------
    pandas.DataFrame
        One row per band: ``band``, ``label``, ``democracy_years``, ``breakdowns``,
        ``breakdown_hazard``, ``breakdown_se`` (binomial), ``breakdown_low95`` and
        ``breakdown_upper95`` (Wilson), and the same for ``autocracy_years``/``exits``.
    """
    f = regime_events(frame.dropna(subset=["gdppc"]))
    f["band"] = income_band(f["gdppc"])
    rows = []
    for b, label in enumerate(BAND_LABELS):
        g = f[f["band"] == b]
        row = {"band": b, "label": label}
        for kind, exposure, unit in (("breakdown", "democratic", "democracy_years"),
                                     ("exit", "autocratic", "autocracy_years")):
            h = hazard(g[exposure].sum(), g[kind].sum())
            row.update({unit: h["exposure"], kind + "s": h["events"],
                        **{f"{kind}_{k}": h[k] for k in ("hazard", "se", "low95", "upper95")}})
        rows.append(row)
    return pd.DataFrame(rows)


def hazard(exposure: int, events: int) -> dict:
    """Yearly hazard ``events / exposure`` with its binomial standard error and 95 % interval.

    The interval is Wilson's score interval (Wilson 1927; Brown, Cai & DasGupta 2001), which
    stays inside [0, 1] and has width where the Wald interval ``h +- 1.96 se`` collapses to a
    point (no event, or events every year); with no event its upper end is about ``3.84 / n``.
    """
    from statsmodels.stats.proportion import proportion_confint

    n, k = int(exposure), int(events)
    if not n:
        return {"exposure": 0, "events": k, "hazard": np.nan, "se": np.nan, "low95": np.nan, "upper95": np.nan}
    h = k / n
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return {"exposure": n, "events": k, "hazard": h, "se": float(np.sqrt(h * (1.0 - h) / n)),
            "low95": float(low) if k else 0.0, "upper95": float(high) if k < n else 1.0}


def pooled_hazard(frame: pd.DataFrame, kind: str) -> dict:
    """Pooled yearly hazard of ``kind`` ("breakdown" or "exit") over all incomes (see :func:`hazard`)."""
    f = regime_events(frame)
    return hazard(f["democratic" if kind == "breakdown" else "autocratic"].sum(), f[kind].sum())


@dataclass(frozen=True)
class Regression:
    """An OLS fit with country-clustered standard errors."""

    coef: np.ndarray
    se: np.ndarray
    residual_sd: float  # robust: 1.4826 x median absolute deviation
    n: int
    clusters: int
    cov: np.ndarray  # cluster-robust covariance of ``coef``
    residuals: np.ndarray


def ols(y, x, groups) -> Regression:
    """Least squares of y on x (x includes the constant) with cluster-robust (CR1) errors.

    Clustering by country allows for serial correlation of a country's yearly errors, which
    plain OLS errors would ignore (they would be far too small on a panel). The fit and the
    errors are statsmodels' (``cov_type="cluster"`` with its default small-sample correction
    ``G / (G - 1) x (n - 1) / (n - k)``, Cameron & Miller 2015).
    """
    import statsmodels.api as sm

    y = np.asarray(y, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    codes, _ = pd.factorize(np.asarray(groups))
    fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": codes})
    resid = fit.resid
    mad = np.median(np.abs(resid - np.median(resid)))
    return Regression(coef=np.asarray(fit.params), se=np.asarray(fit.bse), residual_sd=float(1.4826 * mad),
                      n=len(y), clusters=int(codes.max() + 1), cov=np.asarray(fit.cov_params()),
                      residuals=np.asarray(resid))


def frontier_series(frame: pd.DataFrame) -> pd.Series:
    """The income frontier by year: US GDP per head (the registry's ``frontier_income`` rule)."""
    us = frame[frame["iso3"] == "USA"].set_index("year")["gdppc"]
    return us


def growth_sample(frame: pd.DataFrame, frontier: pd.Series) -> pd.DataFrame:
    """Country-years with growth and the log gap to the frontier, ``gap = ln(frontier / y)``."""
    f = frame.dropna(subset=["growth"]).copy()
    f["gap"] = np.log(f["year"].map(frontier) / f["gdppc"])
    return f.dropna(subset=["gap"])


def growth_regression(frame: pd.DataFrame, frontier: pd.Series) -> Regression:
    """``growth = g_f + beta * ln(frontier / y)``: the model's growth equation (M11) on data.

    The intercept is the growth of a country at the frontier (``frontier_growth``), the slope
    the convergence rate (``convergence_rate``); the residual spread is ``growth_shock_sd``.
    """
    f = growth_sample(frame, frontier)
    return ols(f["growth"], np.column_stack([np.ones(len(f)), f["gap"]]), f["iso3"])


def population_sample(frame: pd.DataFrame) -> pd.DataFrame:
    """Country-years with population growth, last year's growth (``pop_growth_lag``) and income.

    Both growth rates are clipped like the model's; a row needs the country's previous
    consecutive year.
    """
    f = frame.dropna(subset=["pop_growth"]).sort_values(["iso3", "year"]).copy()
    f["pop_growth"] = f["pop_growth"].clip(*POP_GROWTH_CLIP)
    previous = f.groupby("iso3")[["year", "pop_growth"]].shift(1)
    f["pop_growth_lag"] = previous["pop_growth"].where(previous["year"] == f["year"] - 1)
    return f.dropna(subset=["pop_growth_lag", "gdppc"])


def population_regression(frame: pd.DataFrame, reference_year: int) -> Regression:
    """``n = c0 + phi * n_lag - c1 * ln(y / 1000) - c2 * (year - reference_year)`` (M11's population equation).

    The model's partial adjustment ``n = phi n_lag + (1 - phi) n*`` with the target
    ``n* = n0 - s ln(y / 1000) - trend (year - reference)`` is linear in these coefficients:
    ``c0 = (1 - phi) n0``, ``c1 = (1 - phi) s``, ``c2 = (1 - phi) trend``. Coefficients are
    returned as (c0, phi, c1, c2), signs as in the model. Observed growth includes net
    migration, which the model adds separately (M6); it nets out worldwide.
    """
    f = population_sample(frame)
    x = np.column_stack([np.ones(len(f)), f["pop_growth_lag"], -np.log(f["gdppc"] / POP_REFERENCE_INCOME),
                         -(f["year"] - reference_year)])
    return ols(f["pop_growth"], x, f["iso3"])


#: Lags of the growth residuals' autocovariance that identify the persistent growth regime:
#: from 2 (lag 1 also carries the short echo of a year's shock) to 15 (half the fit window).
REGIME_LAGS = range(2, 16)


def growth_regime(frame: pd.DataFrame, frontier: pd.Series, regression: Regression) -> tuple[float, float, int]:
    """Stationary s.d. and yearly persistence of the persistent part of growth (M11 growth regime).

    The growth regression's residuals are read as ``r = v + e``: ``v`` an AR(1) with
    persistence ``rho`` and stationary variance ``sd^2`` (a country's growth regime), ``e``
    a yearly shock. Their autocovariance at lag ``k >= 1`` is then ``sd^2 rho^k``; OLS of
    ``ln gamma(k)`` on ``k`` over :data:`REGIME_LAGS` (within countries, pooled) gives
    ``ln sd^2`` (intercept) and ``ln rho`` (slope). Lags with a non-positive autocovariance
    are left out. ``regression``: :func:`growth_regression` of the same ``frame`` (its residuals
    follow :func:`growth_sample`'s rows). Returns (sd, rho, country-years).
    """
    f = growth_sample(frame, frontier).assign(r=regression.residuals)
    grid = f.pivot(index="year", columns="iso3", values="r").to_numpy()
    gamma = []
    for k in REGIME_LAGS:
        a, b = grid[k:], grid[:-k]
        ok = ~np.isnan(a) & ~np.isnan(b)
        gamma.append(float(np.mean((a * b)[ok])) if ok.any() else np.nan)
    lags, gamma = np.array(REGIME_LAGS, dtype=float), np.array(gamma)
    ok = gamma > 0
    if ok.sum() < 3:
        return 0.0, 0.0, len(f)
    slope, intercept = np.polyfit(lags[ok], np.log(gamma[ok]), 1)
    return float(np.exp(intercept / 2)), float(min(np.exp(slope), 1.0)), len(f)


def democracy_changes(frame: pd.DataFrame) -> pd.Series:
    """Yearly changes of the democracy level in country-years that stay on one side of RoW = 2."""
    d = frame.dropna(subset=["democracy", "democracy_next", "regime_row", "regime_row_next"])
    same = (d["regime_row"] >= 2) == (d["regime_row_next"] >= 2)
    return (d["democracy_next"] - d["democracy"])[same]


def neighbour_frame(frame: pd.DataFrame, iso3: tuple[str, ...], neighbours: np.ndarray) -> pd.DataFrame:
    """Add each country's neighbours' mean democracy and democratic share in year t.

    Neighbours are those of the model's geography (present-day borders and nearest links);
    only neighbours observed in that year count.
    """
    f = frame[frame["iso3"].isin(iso3)].copy()
    pos = {c: i for i, c in enumerate(iso3)}
    w = sparse.csr_matrix(neighbours.astype(np.float64))
    out = []
    for _, g in f.groupby("year"):
        dem = np.full(len(iso3), np.nan)
        row = np.full(len(iso3), np.nan)
        idx = g["iso3"].map(pos).to_numpy()
        dem[idx] = g["democracy"].to_numpy()
        row[idx] = g["regime_row"].to_numpy()
        seen = ~np.isnan(dem)
        count = w @ seen.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_dem = (w @ np.where(seen, dem, 0.0)) / count
            seen_row = ~np.isnan(row)
            share = (w @ np.where(seen_row, row >= 2, False).astype(float)) / (w @ seen_row.astype(float))
        g = g.copy()
        g["neighbour_democracy"] = mean_dem[idx]
        g["neighbour_democratic_share"] = share[idx]
        out.append(g)
    return pd.concat(out, ignore_index=True)


def drift_regression(frame: pd.DataFrame) -> Regression:
    """``D(t+1) - D(t) = a + k * (neighbours' mean D - D)``: Brinks & Coppedge's drift on data."""
    f = frame.dropna(subset=["democracy", "democracy_next", "neighbour_democracy"])
    x = np.column_stack([np.ones(len(f)), f["neighbour_democracy"] - f["democracy"]])
    return ols(f["democracy_next"] - f["democracy"], x, f["iso3"])


#: Bins of the neighbours' democratic share for the diffusion figures.
SHARE_BINS = (0.0, 0.25, 0.5, 0.75, 1.0001)


def exits_by_neighbour_share(frame: pd.DataFrame) -> pd.DataFrame:
    """Exit (democratization) hazard of autocracy-years by neighbours' democratic share."""
    f = regime_events(frame.dropna(subset=["neighbour_democratic_share"]))
    f = f[f["autocratic"]]
    f["bin"] = np.digitize(f["neighbour_democratic_share"], SHARE_BINS[1:-1])
    rows = []
    for b in range(len(SHARE_BINS) - 1):
        g = f[f["bin"] == b]
        rows.append({"bin": f"{SHARE_BINS[b]:.0%}-{min(SHARE_BINS[b + 1], 1):.0%}", **hazard(len(g), g["exit"].sum())})
    return pd.DataFrame(rows)


#: Years (t) on which the neighbour term of the democratization hazard is fitted; the
#: ``democratization_neighbours`` check is computed on the years after it (out of sample).
NEIGHBOUR_FIT_WINDOW = (1950, 1989)
NEIGHBOUR_CHECK_WINDOW = (1990, 2022)


@dataclass(frozen=True)
class Logit:
    """A logit fit with country-clustered standard errors."""

    coef: np.ndarray
    se: np.ndarray
    ci95: np.ndarray  # (k, 2)
    n: int
    clusters: int
    events: int
    mean_x: float  # mean of the regressor over the sample


def democratization_neighbour_logit(frame: pd.DataFrame) -> Logit:
    """``P(exit) = sig(a + k * s_n)`` on the autocracy-years of a :func:`neighbour_frame`.

    ``s_n`` is the neighbours' democratic share (V-Dem RoW >= 2) in year t; standard errors
    are clustered by country (statsmodels ``Logit``, ``cov_type="cluster"``).
    """
    import statsmodels.api as sm

    f = regime_events(frame.dropna(subset=["neighbour_democratic_share"]))
    f = f[f["autocratic"]]
    x = sm.add_constant(f["neighbour_democratic_share"].to_numpy(dtype=np.float64), has_constant="add")
    y = f["exit"].to_numpy(dtype=np.float64)
    groups, _ = pd.factorize(f["iso3"])
    res = sm.Logit(y, x).fit(disp=0, cov_type="cluster", cov_kwds={"groups": groups})
    return Logit(np.asarray(res.params), np.asarray(res.bse), np.asarray(res.conf_int()), len(f),
                 int(groups.max() + 1), int(y.sum()), float(x[:, 1].mean()))
