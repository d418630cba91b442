"""Hindcast: start the model from a past year of the panel and compare with what happened.

The model runs from the world of the start year (:func:`nato_socialism.data.panel_world.build_panel_world`)
under the status-quo doctrine with socialist movements switched off. The background
parameters (M11) are fitted on the years *before* the start (:mod:`.calibrate`; by default
the 30 years before it) and sampled in their fitted intervals; every other parameter is
sampled over the registry's range; the income frontier starts at US GDP per head of the start
year. Only what the panel records is judged:

* ``log_gdppc``: log GDP per head (2021 PPP $), error of the ensemble median;
* ``log_population``: log population, error of the ensemble median;
* ``democracy``: V-Dem electoral democracy (0-1), error of the ensemble median;
* ``regime``: democracy (RoW >= 2; in the model capitalist democracy or democratic socialism)
  or not, Brier score of the members' share of democracies.

Each is averaged over the years after the start (absolute errors) for every country with an
observation, then over countries (equal weights), overall and by UN region. Two naive
baselines are scored the same way: **persistence** (every value stays at its start level)
and **constant growth** (each country's own average yearly change over the fit window,
log-linear for GDP per head and population, linear for democracy clipped to [0, 1]; the
regime stays as it was). A country without a value at both ends of the fit window gets the
median of the countries' rates. Skill = 1 - error(model) / error(baseline): positive when
the model beats the baseline.

The uncertainty is scored too (:func:`_uncertainty`): coverage of the members' 90 % band and
the PIT histogram in the last year, and the CRPS over all years, for the model, for the same
members without structural noise, and for the baselines made probabilistic with the spread of
their own errors inside the fit window (:func:`baseline_spreads`). Over the 1990-2019 window
the out-of-sample checks of :mod:`.checks` run as well.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import atomic
from ..data.loader import PathLike
from ..data.panel import panel_series
from ..data.panel_world import LAST_YEAR, build_panel_world
from ..data.parties import build_politics
from ..errors import UserError
from ..model.mechanisms import scarcity
from ..model.parameters import registry
from ..model.simulate import simulate_members
from ..model.switches import Switches
from . import runs
from .anchors import Anchor
from .calibrate import Calibration, calibrate
from .checks import run_checks
from .runs import Progress

VARIABLES = ("log_gdppc", "log_population", "democracy", "regime")
#: Variables whose uncertainty is scored (coverage, CRPS, PIT).
UNCERTAIN = ("log_gdppc", "log_population", "democracy")
#: The window the out-of-sample checks (:mod:`.checks`) were written for.
CHECK_WINDOW = (1990, 2019)
#: PIT histogram bins (a calibrated forecast puts a tenth of the observations in each).
PIT_BINS = 10
#: What the documentation claims of the 1990-2019 hindcast, world level: (variable, baseline,
#: sign of the skill). Rendered in docs/validation.md with whether each holds, and asserted by
#: tests/test_validation_doc.py. Democracy against persistence is not claimed (a tie, ~0.00).
CLAIMED_SKILL_SIGNS = (
    ("log_gdppc", "persistence", 1), ("log_gdppc", "constant_growth", 1),
    ("log_population", "persistence", 1), ("log_population", "constant_growth", -1),
    ("democracy", "constant_growth", 1),
    ("regime", "persistence", 1), ("regime", "constant_growth", 1),
)
#: ... and of its uncertainty: (variable, other forecast, whether the model's CRPS is the lower).
#: Constant growth, with its own fit-window errors as spread, beats the model on population.
CLAIMED_CRPS = tuple(
    (var, other, not (var == "log_population" and other == "constant_growth (fit-window errors)"))
    for var in UNCERTAIN
    for other in ("model without structural noise", "persistence (fit-window errors)",
                  "constant_growth (fit-window errors)"))
#: The comparison run without structural noise: the same members (parameter draws and keys), the
#: noise switch off and no persistence of natural population growth, so the rate is the income
#: target as before issue 14 (the target's coefficients are this calibration's, not the old one's).
WITHOUT_NOISE = {"pop_growth_persistence": 0.0}
#: Coefficients of the one population regression, fixed at their estimates in a hindcast: they are
#: strongly correlated (base and trend about -0.8), so drawing them independently over their
#: intervals would make implausible members.
POPULATION_FIXED = ("pop_growth_base", "pop_growth_income_slope", "pop_growth_trend", "pop_growth_persistence")
BASELINES = ("persistence", "constant_growth")
#: Years of the default fit window before a hindcast's start.
FIT_YEARS = 30


@dataclass
class HindcastResult:
    """Errors and skill of one hindcast."""

    start: int
    end: int
    members: int
    seed: int
    calibration: Calibration
    per_country: pd.DataFrame  # iso3, name, region, variable, years, error_model, error_<baseline>, end values
    per_region: pd.DataFrame  # region, variable, countries, error_model, error_<baseline>, skill_vs_<baseline>
    uncertainty: pd.DataFrame  # variable, forecast, crps, coverage90, nominal, countries, pit_outer, pit_histogram
    checks: list[Anchor]  # the out-of-sample checks (only for CHECK_WINDOW)

    @property
    def coverage(self) -> dict[str, float]:
        """Share of end-year observations inside the members' 90 % band (:func:`band_coverage`), by variable."""
        u = self.uncertainty[self.uncertainty["forecast"] == "model"]
        return dict(zip(u["variable"], u["coverage90"], strict=True))

    @property
    def summary(self) -> pd.DataFrame:
        """The world rows of :attr:`per_region`."""
        return self.per_region[self.per_region["region"] == "World"].reset_index(drop=True)

    def notes(self) -> list[str]:
        """What the reader must know to read the figures."""
        f = self.calibration.fit
        return [
            f"Background parameters (M11) fitted on the panel {f[0]}-{f[1]}, before the hindcast's start "
            f"{self.start}; nothing after {f[1]} was used to set them.",
            f"Start: the panel world of {self.start}; status-quo doctrine; socialist movements off; "
            f"{self.members} members (seed {self.seed}).",
            "Unemployment, Gini, poverty and migrant stock start from the 2023 snapshot's values (the panel "
            "has no series; they move M6, M7 and M9); the error tables judge GDP per head, population, democracy "
            "and regime, the out-of-sample checks also refugee stocks and radical-right support.",
            "Only M11's parameters are refitted; the others keep their registry ranges (a few set from later "
            "publications). The population regression's four coefficients are fixed at their estimates (they "
            "are strongly correlated).",
            "Errors: mean absolute error over the years after the start, averaged over countries; regime: "
            "Brier score of P(democracy). Skill = 1 - error(model) / error(baseline).",
        ]

    def claims(self) -> list[tuple[str, bool]]:
        """Each documented claim (:data:`CLAIMED_SKILL_SIGNS`, :data:`CLAIMED_CRPS`) and whether it holds."""
        world = self.summary.set_index("variable")
        out = []
        for var, base, sign in CLAIMED_SKILL_SIGNS:
            skill = float(world.loc[var, f"skill_vs_{base}"])
            verb = "beats" if sign > 0 else "does not beat"
            out.append((f"the model {verb} {base.replace('_', ' ')} on {var} (world skill {skill:+.2f})",
                        bool(np.sign(skill) == sign)))
        u = self.uncertainty.set_index(["variable", "forecast"])["crps"]
        for var, other, lower in CLAIMED_CRPS:
            model, them = float(u[(var, "model")]), float(u[(var, other)])
            verb = "lower" if lower else "not lower"
            out.append((f"the model's CRPS on {var} ({model:.4f}) is {verb} than that of the {other} ({them:.4f})",
                        (model < them) == lower))
        return out

    def to_dict(self) -> dict:
        """JSON-ready summary (per-country errors are in the files)."""
        return {
            "start": self.start, "end": self.end, "members": self.members, "seed": self.seed,
            "fit": list(self.calibration.fit),
            "calibrated": {k: v for k, v in self.calibration.values(self.start).items()},
            "summary": self.summary.to_dict(orient="records"),
            "per_region": self.per_region.to_dict(orient="records"),
            "coverage": self.coverage,
            "uncertainty": self.uncertainty.to_dict(orient="records"),
            "checks": [c.to_dict() for c in self.checks],
            "claims": [{"claim": text, "holds": holds} for text, holds in self.claims()],
            "notes": self.notes(),
        }

    def write(self, out: PathLike) -> Path:
        """Store per-country and per-region errors (CSV and Parquet) and the summary (JSON) in ``out``."""
        out = Path(out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            for name, table in (("per_country", self.per_country), ("per_region", self.per_region)):
                atomic.atomic_write(out / f"{name}.csv", lambda fh, t=table: t.to_csv(fh, index=False, mode="wb"))
                atomic.atomic_write(out / f"{name}.parquet", lambda fh, t=table: t.to_parquet(fh, index=False))
            atomic.atomic_write_text(out / "summary.json", json.dumps(_jsonable(self.to_dict()), indent=2) + "\n")
        except OSError as err:
            raise UserError(f"Cannot write the hindcast's errors into {out}: {err.strerror or err}.") from None
        return out


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def default_fit_window(start: int) -> tuple[int, int]:
    """The fit window of a hindcast starting in ``start``: the 30 years before it (from 1950 at most)."""
    return max(1950, start - FIT_YEARS), start - 1


def observed(iso3: tuple[str, ...], first: int, last: int, data_dir: PathLike | None = None) -> dict[str, np.ndarray]:
    """Panel values by variable, arrays (years, countries) for years first..last (NaN: missing)."""
    s = panel_series(data_dir)
    s = s[s["iso3"].isin(iso3) & (s["year"] >= first) & (s["year"] <= last)]
    years = np.arange(first, last + 1)

    def grid(column):
        table = s.pivot(index="year", columns="iso3", values=column)
        return table.reindex(index=years, columns=list(iso3)).to_numpy(float)

    row = grid("regime_row")
    return {
        "log_gdppc": np.log(grid("gdppc")),
        "log_population": np.log(grid("population")),
        "democracy": grid("democracy"),
        "regime": np.where(np.isnan(row), np.nan, row >= 2),
    }


def _rates(obs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each country's average yearly change between its first and last observation in the window."""
    out = {}
    for var in ("log_gdppc", "log_population", "democracy"):
        x = obs[var]
        seen = ~np.isnan(x)
        years = np.arange(x.shape[0])[:, None] * np.ones(x.shape)
        first = np.where(seen, years, np.inf).min(0)
        last = np.where(seen, years, -np.inf).max(0)
        ok = (last - first) >= 5
        idx = np.arange(x.shape[1])
        lo = np.where(ok, x[np.where(ok, first, 0).astype(int), idx], np.nan)
        hi = np.where(ok, x[np.where(ok, last, 0).astype(int), idx], np.nan)
        rate = (hi - lo) / np.where(ok, last - first, 1.0)
        out[var] = np.where(ok, rate, np.nanmedian(rate))
    return out


def hindcast(start: int, end: int, members: int = 20, seed: int = 20240501,
             fit_window: tuple[int, int] | None = None, data_dir: PathLike | None = None,
             progress: Progress | None = None) -> HindcastResult:
    """Run a hindcast from ``start`` to ``end`` and score it against the panel and the baselines.

    Parameters
    ----------
    start, end
        First and last year; ``end`` <= 2023 (the panel's last year with GDP per head).
    members, seed
        Ensemble size and run seed.
    fit_window
        Years the background parameters are fitted on; default: the 30 years before ``start``.
        It must end before ``start``.
    data_dir
        Folder with the data files; ``None`` for the bundled ones.
    progress
        Called as ``progress(done, total, what)`` before each step and once at the end.

    Raises
    ------
    UserError
        For years outside the panel or a fit window that overlaps the hindcast.
    """
    fit_window = fit_window or default_fit_window(start)
    if end <= start or start < 1960 or end > LAST_YEAR:
        raise UserError(f"Hindcast {start}:{end}: needs 1960 <= start < end <= {LAST_YEAR}.")
    if fit_window[1] >= start:
        raise UserError(f"Fit window {fit_window[0]}:{fit_window[1]} must end before the hindcast's start {start}.")
    if members < 1:
        raise UserError("--members must be at least 1.")
    report = progress or (lambda done, total, what: None)
    total = 6
    report(0, total, f"fitting the background parameters on {fit_window[0]}-{fit_window[1]}")
    cal = calibrate(fit_window, None, data_dir)
    report(1, total, f"building the {start} world from the panel")
    world = build_panel_world(start, data_dir)
    frontier = float(np.asarray(world.gdppc)[world.iso3.index("USA")])
    values = cal.values(start)
    overrides = {**cal.ranges(start), **{k: values[k] for k in POPULATION_FIXED}, "frontier_income": frontier,
                 # fixed: the breakdown hazards were fitted on the bands of the default conversion
                 "ppp1985_to_2021": registry()["ppp1985_to_2021"].default}
    horizon = end - start
    p, keys, _ = runs.ensemble(members, seed, overrides)
    report(2, total, f"simulating {members} members {start}-{end}")
    model_members, tr = _simulate(world, p, keys, horizon, runs.MOVEMENTS_OFF)
    report(3, total, f"simulating {members} members {start}-{end} without structural noise")
    plain = dataclasses.replace(p, **{k: np.full_like(getattr(p, k), v) for k, v in WITHOUT_NOISE.items()})
    plain_members, _ = _simulate(world, plain, keys, horizon,
                                 Switches(runs.MOVEMENTS_OFF.off | {"background_structural_noise"}))
    report(4, total, "scoring against the panel and the baselines")
    model = _centre(model_members)
    obs = observed(world.iso3, start, end, data_dir)
    fit_obs = observed(world.iso3, *fit_window, data_dir)
    rates, spreads = _rates(fit_obs), baseline_spreads(fit_obs, horizon)
    t = np.arange(horizon + 1)[:, None]
    start_values = {k: v[0] for k, v in model.items()}  # the model's own start = the world's values
    start_values["regime"] = (np.asarray(world.regime_row) >= 2).astype(float)
    baselines = {
        "persistence": {k: np.broadcast_to(v, (horizon + 1, v.size)) for k, v in start_values.items()},
        "constant_growth": {
            "log_gdppc": start_values["log_gdppc"] + rates["log_gdppc"] * t,
            "log_population": start_values["log_population"] + rates["log_population"] * t,
            "democracy": np.clip(start_values["democracy"] + rates["democracy"] * t, 0.0, 1.0),
            "regime": np.broadcast_to(start_values["regime"], (horizon + 1, len(world.iso3))),
        },
    }
    per_country = _per_country(world, model, baselines, obs)
    per_region = _per_region(per_country)
    forecasts = {"model": model_members, "model without structural noise": plain_members}
    uncertainty = _uncertainty(forecasts, baselines, spreads, obs)
    checks = []
    report(5, total, "out-of-sample checks" if (start, end) == CHECK_WINDOW
           else f"no out-of-sample checks (they are written for {CHECK_WINDOW[0]}-{CHECK_WINDOW[1]})")
    if (start, end) == CHECK_WINDOW:
        frame = world.to_frame().reset_index()[["iso3", "region_un", "subregion_un"]]
        refugees = panel_series(data_dir).query("year == @end")["refugees_origin"].sum()
        model_refugees = tr["displaced"][:, -1].sum(1) * p.refugee_cross_border_share[:, 0]
        checks = run_checks(obs, model_members, world.politics, build_politics(frame, end + 1, data_dir),
                            tr["reaction"][:, -1], tr["reaction"][:, 0], (float(refugees), model_refugees))
    report(total, total, "hindcast done")
    return HindcastResult(start=start, end=end, members=members, seed=seed, calibration=cal,
                          per_country=per_country, per_region=per_region, uncertainty=uncertainty, checks=checks)


def _simulate(world, p, keys, horizon: int, switches):
    """The members' trajectories of the judged variables (members, years, countries), and all trajectories."""
    members = len(keys)
    ctx = runs.context(world, horizon, switches)
    chunk = simulate_members(ctx, world, p, keys, np.arange(members), runs.STATUS_QUO, keep=members)
    tr = chunk.trajectories
    return {
        "log_gdppc": np.log(scarcity.outputs(tr["gdppc"], tr["scarcity"])),
        "log_population": np.log(tr["pop"]),
        "democracy": tr["democracy"],
        "regime": runs.democratic(tr["regime"].astype(np.int8)).astype(float),
    }, tr


def _centre(members: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The ensemble's point forecast: the median (the members' share of democracies for the regime)."""
    return {k: (v.mean(0) if k == "regime" else np.median(v, axis=0)) for k, v in members.items()}


def baseline_spreads(fit_obs: dict[str, np.ndarray], horizon: int) -> dict[str, dict[str, np.ndarray]]:
    """The s.d. of each baseline's error h years ahead (h = 0..horizon), from a forecast inside the fit window.

    The baselines are issued at the middle of the fit window (constant growth with the rates of
    its first half) and scored on its second half; the root-mean-square error over countries at
    each h = 1..(half) is extended to the hindcast's horizon by the power law ``a h^b`` fitted
    to it (log-log OLS). So the spread grows as the baselines' errors did before the hindcast,
    rate changes included, and nothing after the fit window is used.
    """
    n = next(iter(fit_obs.values())).shape[0]
    half = n // 2
    rates = _rates({k: v[: half + 1] for k, v in fit_obs.items()})
    h = np.arange(1, n - half)
    out: dict[str, dict[str, np.ndarray]] = {b: {} for b in BASELINES}
    for var in UNCERTAIN:
        x = fit_obs[var]
        origin = x[half]
        forecasts = {"persistence": np.broadcast_to(origin, (h.size, origin.size)),
                     "constant_growth": origin + rates[var] * h[:, None]}
        for name, f in forecasts.items():
            if var == "democracy":
                f = np.clip(f, 0.0, 1.0)
            err = x[half + 1:] - f
            rms = np.sqrt(np.nanmean(err * err, axis=1))
            ok = np.isfinite(rms) & (rms > 0)
            steps = np.maximum(np.arange(horizon + 1), 1)
            if ok.sum() < 2:  # no error to extend (a window too short, or a perfect forecast)
                out[name][var] = np.zeros(horizon + 1)
                continue
            slope, intercept = np.polyfit(np.log(h[ok]), np.log(rms[ok]), 1)
            out[name][var] = np.exp(intercept) * steps ** slope
    return out


def crps_ensemble(members: np.ndarray, y: np.ndarray) -> np.ndarray:
    """CRPS of an ensemble (members on axis 0) for observations ``y``: E|X - y| - E|X - X'| / 2.

    The "energy" form with the members as an empirical distribution (Gneiting & Raftery 2007).
    """
    x = np.sort(members, axis=0)
    m = x.shape[0]
    first = np.abs(x - y).mean(0)
    # E|X - X'| of sorted values: sum_i (2i - m - 1) x_(i) * 2 / m^2
    weights = (2.0 * np.arange(1, m + 1) - m - 1).reshape((m,) + (1,) * (x.ndim - 1))
    second = 2.0 * (weights * x).sum(0) / (m * m)
    return first - second / 2.0


def crps_normal(mean: np.ndarray, sd: np.ndarray, y: np.ndarray) -> np.ndarray:
    """CRPS of a normal forecast (closed form, Gneiting & Raftery 2007)."""
    from scipy.stats import norm

    z = (y - mean) / sd
    return sd * (z * (2.0 * norm.cdf(z) - 1.0) + 2.0 * norm.pdf(z) - 1.0 / np.sqrt(np.pi))


def _uncertainty(forecasts, baselines, spreads, obs) -> pd.DataFrame:
    """Coverage of the 90 % band and PIT in the last year, CRPS over the years after the start.

    The baselines become probabilistic: normal around the point forecast with the s.d. of their
    own errors h years ahead in the fit window (:func:`baseline_spreads`).
    """
    from scipy.stats import norm

    rows = []
    for var in UNCERTAIN:
        y = obs[var]
        seen = ~np.isnan(y)
        ahead = seen.copy()
        ahead[0] = False
        end_seen = seen[-1]
        for name, members in forecasts.items():
            crps = crps_ensemble(members[var], np.where(seen, y, 0.0))
            inside, nominal = band_coverage(members[var][:, -1], y[-1])
            pit = rank_pit(members[var][:, -1], y[-1])
            rows.append(_row(var, name, crps[ahead], inside[end_seen], pit[end_seen], nominal))
        for name, base in baselines.items():
            mean = np.asarray(base[var], dtype=float)
            sd = np.maximum(spreads[name][var], 1e-9)[:, None] * np.ones_like(mean)
            crps = crps_normal(mean, sd, np.where(seen, y, 0.0))
            inside = np.abs(y[-1] - mean[-1]) <= norm.ppf(0.95) * sd[-1]
            rows.append(_row(var, f"{name} (fit-window errors)", crps[ahead], inside[end_seen],
                             norm.cdf((y[-1] - mean[-1]) / sd[-1])[end_seen], 0.9))
    return pd.DataFrame(rows)


def band_coverage(members: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Whether ``y`` lies in the members' 90 % band, and the band's nominal coverage.

    The band runs from the ``ceil(0.05 (m + 1))``-th to the ``floor(0.95 (m + 1))``-th smallest
    of the m members (axis 0); for a calibrated ensemble an observation falls inside with
    probability ``(hi - lo) / (m + 1)`` (about 85 % for 40 members, 90 % as m grows).
    """
    m = members.shape[0]
    lo_rank, hi_rank = math.ceil(0.05 * (m + 1)), math.floor(0.95 * (m + 1))
    x = np.sort(members, axis=0)
    inside = (y >= x[max(lo_rank, 1) - 1]) & (y <= x[min(hi_rank, m) - 1])
    return inside, max(min(hi_rank, m) - max(lo_rank, 1), 0) / (m + 1)


def rank_pit(members: np.ndarray, y: np.ndarray, seed: int = 0) -> np.ndarray:
    """Randomized rank PIT, ``(r + U (t + 1)) / (m + 1)``: uniform on [0, 1] for a calibrated ensemble.

    ``r``: members below ``y``, ``t``: members equal to it, ``U`` uniform (fixed seed, so the
    histogram is reproducible); the plain share of members below would pile up on the bin
    edges for a small ensemble.
    """
    m = members.shape[0]
    below, ties = (members < y).sum(0), (members == y).sum(0)
    u = np.random.default_rng(seed).random(np.shape(y))
    return (below + u * (ties + 1)) / (m + 1)


def _row(var: str, forecast: str, crps: np.ndarray, inside: np.ndarray, pit: np.ndarray, nominal: float) -> dict:
    hist = np.histogram(np.clip(pit, 0.0, 1.0), bins=PIT_BINS, range=(0.0, 1.0))[0]
    return {"variable": var, "forecast": forecast, "crps": float(crps.mean()), "coverage90": float(inside.mean()),
            "nominal": nominal, "countries": int(inside.size),
            "pit_outer": float((hist[0] + hist[-1]) / max(hist.sum(), 1)), "pit_histogram": hist.tolist()}


def _per_country(world, model, baselines, obs) -> pd.DataFrame:
    rows = []
    forecasts = {"model": model, **baselines}
    for var in VARIABLES:
        y = obs[var][1:]
        seen = ~np.isnan(y)
        n = seen.sum(0)
        cols = {}
        for name, f in forecasts.items():
            e = f[var][1:] - y
            loss = e * e if var == "regime" else np.abs(e)
            cols[f"error_{name}"] = np.where(n > 0, np.nansum(np.where(seen, loss, 0.0), 0) / np.maximum(n, 1), np.nan)
            cols[f"end_{name}"] = f[var][-1]
        cols["end_observed"] = obs[var][-1]
        frame = pd.DataFrame({"iso3": world.iso3, "name": world.name, "region": world.region_un, "variable": var,
                              "years": n, **cols, "start_imputed": _imputed(world, var)})
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def _imputed(world, var: str) -> np.ndarray:
    column = {"log_gdppc": "gdppc", "democracy": "democracy", "regime": "regime_row"}.get(var)
    return world.imputed[column].to_numpy() if column else np.zeros(len(world.iso3), dtype=bool)


def _per_region(per_country: pd.DataFrame) -> pd.DataFrame:
    f = per_country[per_country["years"] > 0]
    errors = [f"error_{n}" for n in ("model", *BASELINES)]
    parts = []
    for region, g in [("World", f), *f.groupby("region")]:
        agg = g.groupby("variable", sort=False)[errors].mean()
        agg["countries"] = g.groupby("variable", sort=False).size()
        agg.insert(0, "region", region)
        parts.append(agg.reset_index())
    out = pd.concat(parts, ignore_index=True)
    for b in BASELINES:
        out[f"skill_vs_{b}"] = 1.0 - out["error_model"] / out[f"error_{b}"]
    return out[["region", "variable", "countries", *errors, *(f"skill_vs_{b}" for b in BASELINES)]]
