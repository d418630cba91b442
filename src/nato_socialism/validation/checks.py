"""Out-of-sample checks: what the hindcast produces that nothing in the model was set from.

The hindcast (:mod:`.hindcast`) starts the model from the panel world of 1990, with the
background parameters fitted on 1960-1989 only, and runs it to 2019. Each check below
compares one statistic of the simulated 1990-2019 world with the same statistic of the
panel over those years (V-Dem Regimes of the World and polyarchy, Maddison / World Bank GDP
per head, UN population; radical-right vote shares from ParlGov / V-Party; UNHCR refugees).
None of these figures was used to set a parameter, so agreement is evidence and a FAIL is a
finding. Only the background parameters (M11) are refitted on 1960-1989; the others keep
their registry ranges, a few of which come from later publications (e.g.
``refugee_cross_border_share`` from UNHCR 2023, which scales the model's refugee stock).

Each :class:`CheckSpec` states its tolerance **relative to the data figure**, with the
reason, in this file; they were written and committed before the model's figures were first
computed, and are not tuned. ``ratio`` checks pass when model / data lies in the tolerance,
``difference`` checks when model - data does. The model's figure is the members' median (the
pooled value for hazards, events / exposure over all members) with its 90 % interval over
members; the verdict reads the central figure.

Hazards count a country-year (t, t+1) when both regimes are known in the panel; the model's
figures use the same country-years, so countries missing in the data are left out on both
sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.parties import Politics
from . import panel_stats as ps
from .anchors import Anchor, Figure, fmt, model_figure

#: Label of these checks in the validation report.
LABEL = "out-of-sample"


@dataclass(frozen=True)
class CheckSpec:
    """A check's definition: what it measures and the tolerance stated before the model figure."""

    name: str
    description: str
    unit: str  # how figures are shown (:func:`.anchors.fmt`): "hazard", "share", "count", "pp", "level", "people"
    kind: str  # "ratio" (model / data) or "difference" (model - data)
    tolerance: tuple[float, float]
    reason: str


_FACTOR_TWO = ("a factor of two either way: the hazards were fitted on 1960-1989, when most of these "
               "countries were autocracies; a rate within a factor of two of the later window's is a "
               "usable forecast, one outside it is not")

SPECS: tuple[CheckSpec, ...] = (
    CheckSpec("breakdown_low_income", "yearly breakdown hazard of democracies below $6,210 (2021 PPP $; "
              "Przeworski's two lower bands), 1990-2018 country-years", "hazard", "ratio", (0.5, 2.0),
              _FACTOR_TWO + "; the data's 26 events give a 95 % interval of about x0.7 to x1.5 on their own"),
    CheckSpec("breakdown_high_income", "yearly breakdown hazard of democracies at or above $6,210 (2021 PPP $), "
              "1990-2018 country-years", "hazard", "ratio", (0.5, 2.0),
              _FACTOR_TWO + "; the data's 25 events give a 95 % interval of about x0.65 to x1.5 on their own"),
    CheckSpec("democratization_1990_2019", "yearly hazard that an autocracy (RoW < 2) becomes a democracy, "
              "1990-2018 country-years", "hazard", "ratio", (0.5, 2.0),
              _FACTOR_TWO + "; the third wave's end is inside this window, the fit window has none of it"),
    CheckSpec("regime_transitions", "regime changes (either way across RoW = 2) over 1990-2019, counted on the "
              "country-years the panel observes", "count", "ratio", (0.67, 1.5),
              "Poisson error of about 130 events is +-17 % (2 s.e.); the rest of the band allows for the model's "
              "regime categories not matching RoW's threshold exactly (assumption)"),
    CheckSpec("democracy_population_share_2019", "share of the world's population living in democracies "
              "(RoW >= 2) in 2019", "share", "difference", (-0.10, 0.10),
              "+-10 pp, chosen below India's weight (18 %) so that the check is informative: India's classification "
              "alone can make it fail"),
    CheckSpec("democracy_country_share_2019", "share of countries that are democracies (RoW >= 2) in 2019",
              "share", "difference", (-0.08, 0.08),
              "+-8 pp, about 14 of 175 countries; twice the binomial standard error of a share near one half"),
    CheckSpec("mean_democracy_2019", "mean V-Dem electoral democracy index (polyarchy, 0-1) over countries in 2019",
              "level", "difference", (-0.05, 0.05),
              "+-0.05 (assumption): under half the rise of the mean from 1990 to 2019 (+0.11 on these countries), "
              "so a trendless forecast fails it"),
    CheckSpec("growth_dispersion_1990_2019", "cross-country standard deviation of the log change of GDP per head "
              "from 1990 to 2019", "level", "ratio", (0.75, 1.33),
              "a quarter either way (assumption); the sampling error of a standard deviation over 189 countries is "
              "about +-10 % (2 s.e.)"),
    CheckSpec("growth_negative_share", "share of countries whose GDP per head was lower in 2019 than in 1990",
              "share", "difference", (-0.07, 0.07),
              "+-7 pp: twice the binomial standard error of a share near 13 % over 189 countries (+-5 pp) and 2 pp "
              "for the splice of the GDP series"),
    CheckSpec("world_growth_1990_2019", "population-weighted mean yearly growth of GDP per head, 1990-2019 "
              "(log-points per year)", "level", "difference", (-0.0075, 0.0075),
              "+-0.75 pp per year: about the 2 s.e. interval of frontier_growth fitted on 1960-1989"),
    CheckSpec("world_population_2019", "world population in 2019 (the 197 countries)", "people", "ratio",
              (0.96, 1.04), "+-4 % (assumption): about the error of 30-year projections of the world total"),
    CheckSpec("population_growth_gap", "yearly population growth 1990-2019 of the poorest quarter of countries "
              "(income in 1990) minus that of the richest quarter (log-points per year)", "level", "difference",
              (-0.004, 0.004),
              "+-0.4 pp per year (assumption), about a third of the gap; it tests the demographic transition"),
    CheckSpec("refugee_stock_2019", "refugees by origin under UNHCR's mandate in 2019, world total (model: the "
              "displaced abroad, refugee_cross_border_share of the displaced)", "people", "ratio", (0.5, 2.0),
              "a factor of two either way: a handful of wars sets the stock (Syria's refugees are a third of the "
              "2019 figure), and the stock fell to 10 million in 2000-2010 and doubled after; a model at the "
              "observed scale passes, one that lets displacement vanish or pile up does not"),
    CheckSpec("radical_right_rise", "change of the mean radical-right vote share from the last free election "
              "before 1990 to that of 2010-2019 (model: reactionary support, 1990 to 2019), countries with both "
              "elections in the party data", "pp", "ratio", (0.5, 2.0),
              "a factor of two either way of the data's rise; the model's reactionary support starts from the "
              "1980s elections, so only the change is compared"),
)


def spec(name: str) -> CheckSpec:
    """The specification named ``name``."""
    return next(s for s in SPECS if s.name == name)


def _bounds(s: CheckSpec, data: float) -> tuple[float, float]:
    """Absolute tolerance bounds for a data figure."""
    lo, hi = s.tolerance
    if s.kind == "ratio":
        return (lo * data, hi * data) if data >= 0 else (hi * data, lo * data)
    return (data + lo, data + hi)


def _check(s: CheckSpec, data: float, data_note: str, per_member: np.ndarray, pooled: float | None = None) -> Anchor:
    """An :class:`Anchor` record of a check: data figure, model figure, tolerance around the data."""
    tol_text = (f"x{s.tolerance[0]:g} to x{s.tolerance[1]:g} of the data" if s.kind == "ratio"
                else f"data {fmt(s.tolerance[0], s.unit)} to {fmt(s.tolerance[1], s.unit)}")
    return Anchor(
        name=s.name, description=s.description, label=LABEL,
        published=Figure(value=None, text="n/a"), source="out of sample: the panel is the truth",
        data=Figure(value=float(data), text=f"{fmt(data, s.unit)} ({data_note})"),
        model=model_figure(per_member, s.unit, pooled), unit=s.unit, tolerance=_bounds(s, data),
        tolerance_reason=f"{tol_text}: {s.reason}",
    )


def _transitions(regime: np.ndarray, observed: np.ndarray):
    """(democratic at t, breakdown, autocratic at t, exit) flags over (t, t+1) pairs, on observed pairs."""
    d0, d1 = regime[..., :-1, :], regime[..., 1:, :]
    ok = observed[:-1] & observed[1:]
    dem, aut = ok & (d0 == 1), ok & (d0 == 0)
    return dem, dem & (d1 == 0), aut, aut & (d1 == 1)


def _hazards(regime, income, observed, income_seen, edge):
    """Pooled and per-member breakdown (below / above ``edge``; years with a known income) and exit hazards."""
    dem, brk, aut, ex = _transitions(regime, observed)
    low = income[..., :-1, :] < edge
    high = ~low & income_seen[:-1]
    low = low & income_seen[:-1]
    axes = tuple(range(-2, 0))
    out = {}
    for name, events, exposure in (("below", brk & low, dem & low), ("above", brk & high, dem & high),
                                   ("exit", ex, aut)):
        e, x = events.sum(axis=axes), exposure.sum(axis=axes)
        out[name] = (float(np.sum(e) / np.sum(x)) if np.sum(x) else np.nan,
                     np.where(x > 0, e / np.maximum(x, 1), np.nan), int(np.sum(e)), int(np.sum(x)))
    out["transitions"] = (brk | ex).sum(axis=axes)
    return out


def run_checks(obs: dict[str, np.ndarray], members: dict[str, np.ndarray], start_politics: Politics,
               end_politics: Politics, end_reaction: np.ndarray, start_reaction: np.ndarray,
               refugees: tuple[float, np.ndarray]) -> list[Anchor]:
    """Every check of :data:`SPECS` on a hindcast.

    Parameters
    ----------
    obs
        Panel grids (years, countries) from :func:`.hindcast.observed`: ``log_gdppc``,
        ``log_population``, ``democracy``, ``regime`` (1 democracy, 0 not, NaN unknown).
    members
        The members' grids (members, years, countries) of the same variables (``regime`` 0/1).
    start_politics, end_politics
        Party data before the start year and for the last decade of the window.
    start_reaction, end_reaction
        The members' reactionary support (members, countries) in the first and last year.
    refugees
        The panel's world refugee stock in the last year and the members' (members,).
    """
    edge = ps.band_edges()[1]
    seen = ~np.isnan(obs["regime"])
    y_obs = np.exp(obs["log_gdppc"])
    y_seen = ~np.isnan(y_obs)
    data_h = _hazards(np.where(seen, obs["regime"], -1), np.where(y_seen, y_obs, 0.0), seen, y_seen, edge)
    model_h = _hazards(members["regime"], np.exp(members["log_gdppc"]), seen, y_seen, edge)
    checks = []
    for name, key in (("breakdown_low_income", "below"), ("breakdown_high_income", "above"),
                      ("democratization_1990_2019", "exit")):
        pooled, _, events, exposure = data_h[key]
        m_pooled, m_each, *_ = model_h[key]
        what = "breakdowns" if key != "exit" else "exits"
        per = "democracy-years" if key != "exit" else "autocracy-years"
        checks.append(_check(spec(name), pooled, f"{events} {what} / {exposure:,} {per}", m_each, m_pooled))
    checks.append(_check(spec("regime_transitions"), float(data_h["transitions"]),
                         f"{int(seen[-1].sum())} countries observed in 2019", model_h["transitions"].astype(float)))

    pop_obs, pop_model = np.exp(obs["log_population"][-1]), np.exp(members["log_population"][:, -1])
    ok = seen[-1] & ~np.isnan(pop_obs)
    share = float((pop_obs * obs["regime"][-1])[ok].sum() / pop_obs[ok].sum())
    m_share = (pop_model * members["regime"][:, -1])[:, ok].sum(1) / pop_model[:, ok].sum(1)
    checks.append(_check(spec("democracy_population_share_2019"), share, f"{ok.sum()} countries", m_share))
    checks.append(_check(spec("democracy_country_share_2019"), float(obs["regime"][-1][ok].mean()),
                         f"{ok.sum()} countries", members["regime"][:, -1][:, ok].mean(1)))
    dem_ok = ~np.isnan(obs["democracy"][-1])
    both_ends = dem_ok & ~np.isnan(obs["democracy"][0])
    checks.append(_check(spec("mean_democracy_2019"), float(obs["democracy"][-1][dem_ok].mean()),
                         f"{dem_ok.sum()} countries; the {both_ends.sum()} also observed in 1990: "
                         f"{obs['democracy'][0][both_ends].mean():.3f} then, "
                         f"{obs['democracy'][-1][both_ends].mean():.3f} in 2019",
                         members["democracy"][:, -1][:, dem_ok].mean(1)))

    g_obs = obs["log_gdppc"][-1] - obs["log_gdppc"][0]
    g_model = members["log_gdppc"][:, -1] - members["log_gdppc"][:, 0]
    gok = ~np.isnan(g_obs)
    checks.append(_check(spec("growth_dispersion_1990_2019"), float(g_obs[gok].std(ddof=1)), f"{gok.sum()} countries",
                         g_model[:, gok].std(axis=1, ddof=1)))
    checks.append(_check(spec("growth_negative_share"), float((g_obs[gok] < 0).mean()), f"{gok.sum()} countries",
                         (g_model[:, gok] < 0).mean(1)))
    years = obs["log_gdppc"].shape[0] - 1
    w = np.exp(obs["log_population"][0])
    wok = gok & ~np.isnan(w)
    checks.append(_check(spec("world_growth_1990_2019"), float((g_obs * w)[wok].sum() / w[wok].sum() / years),
                         f"{wok.sum()} countries, 1990 population weights",
                         (g_model[:, wok] * w[wok]).sum(1) / w[wok].sum() / years))
    pok = ~np.isnan(pop_obs)
    checks.append(_check(spec("world_population_2019"), float(pop_obs[pok].sum()), f"{pok.sum()} countries",
                         pop_model[:, pok].sum(1)))
    y0 = y_obs[0]
    lo_q, hi_q = np.nanpercentile(y0, [25, 75])
    poor, rich = y0 <= lo_q, y0 >= hi_q
    n_obs = (obs["log_population"][-1] - obs["log_population"][0]) / years
    n_model = (members["log_population"][:, -1] - members["log_population"][:, 0]) / years
    poor, rich = poor & ~np.isnan(n_obs), rich & ~np.isnan(n_obs)
    checks.append(_check(spec("population_growth_gap"), float(n_obs[poor].mean() - n_obs[rich].mean()),
                         f"{poor.sum()} poorest and {rich.sum()} richest countries by 1990 income",
                         n_model[:, poor].mean(1) - n_model[:, rich].mean(1)))
    checks.append(_check(spec("refugee_stock_2019"), refugees[0], "UNHCR, all origins", refugees[1]))
    both = ~start_politics.imputed & ~end_politics.imputed
    rise = float(end_politics.radical_right[both].mean() - start_politics.radical_right[both].mean())
    checks.append(_check(spec("radical_right_rise"), rise,
                         f"{both.sum()} countries: {100 * start_politics.radical_right[both].mean():.1f} % to "
                         f"{100 * end_politics.radical_right[both].mean():.1f} %",
                         end_reaction[:, both].mean(1) - start_reaction[:, both].mean(1)))
    return checks
