"""Figure functions: stored tables in, a plotly figure out.

Every public function here is pure: it takes tables as stored (or as reduced by
:mod:`~nato_socialism.report.data`) and returns a :class:`plotly.graph_objects.Figure` with a
title and axis titles; nothing reads the store or the model. Each is a thin wrapper around a
``*_spec`` function that builds the same figure as a plain dict (what the report writes: far
faster than plotly's validated objects). The functions iterate the registries (outcomes,
series quantities, country variables, mechanisms), so a new outcome or series appears without
changes here. For notebooks::

    from nato_socialism.report import load_run_data, figures
    rd = load_run_data("results", "latest")
    figures.fan_chart(rd.series_quantiles, "demsoc_share", "world").show()
    figures.world_map(rd.country_summary, "p_democratic_socialist", "nato_first", 2073).show()

(Inside a notebook plotly fetches the map geometry from its CDN; the written report inlines it.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..experiments.recorder import COUNTRY_VARIABLES, regime_column
from ..experiments.series import QUANTITIES, SCOPE_LABELS
from ..formatting import fmt
from ..model.outcomes import OUTCOMES
from ..model.state import REGIME_LABELS, Regime

#: Fixed doctrine colours (Okabe-Ito, colour-blind safe), so a doctrine looks the same everywhere.
DOCTRINE_COLORS = {
    "nato_first": "#0072B2", "open_solidarity": "#D55E00", "one_country": "#009E73",
    "south_first": "#CC79A7", "status_quo": "#666666", "custom": "#E69F00",
}
_EXTRA_COLORS = ("#56B4E9", "#F0E442", "#000000", "#882255")
REGIME_COLORS = {
    Regime.CAPITALIST_DEMOCRACY: "#9ecae1", Regime.CAPITALIST_AUTOCRACY: "#bdbdbd",
    Regime.DEMOCRATIC_SOCIALIST: "#d62728", Regime.BUREAUCRATIC: "#6a3d9a", Regime.REACTIONARY: "#3b3b3b",
}
#: Bloc order of the essay's prediction (brief section 4): the periphery democracies, then BRIC, then the rest.
ESSAY_ORDER = ("periphery", "bric", "developing")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
#: The plotly template of every figure (the report ships it once for all).
TEMPLATE = "plotly_white"


# ---------------------------------------------------------------------------------------- helpers
def as_figure(spec: dict):
    """A plotly Figure of a figure spec (plain dict)."""
    import plotly.graph_objects as go

    layout = {**spec["layout"], "template": TEMPLATE}
    return go.Figure({"data": spec["data"], "layout": layout})


def doctrine_color(doctrine: str, doctrines: Sequence[str] = ()) -> str:
    """Colour of a doctrine (stable across figures)."""
    if doctrine in DOCTRINE_COLORS:
        return DOCTRINE_COLORS[doctrine]
    extra = [d for d in doctrines if d not in DOCTRINE_COLORS]
    return _EXTRA_COLORS[extra.index(doctrine) % len(_EXTRA_COLORS)] if doctrine in extra else "#444444"


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def _spec(data: list, layout: dict, title: str, height: int = 520) -> dict:
    base = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 12}, "height": height,
        "margin": {"l": 80, "r": 30, "t": 80, "b": 70},
    }
    return {"data": data, "layout": {**base, **layout}}


def _title(text: str) -> dict:
    return {"title": {"text": text}}


def _f32(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def _grid(n: int, cols: int, hspace: float = 0.04, vspace: float = 0.1) -> tuple[list[tuple[str, str]], dict, int]:
    """Axes of ``n`` panels on a grid of ``cols`` columns: [(xaxis, yaxis) ids], their layout, rows."""
    rows = max(1, math.ceil(n / cols))
    width = (1 - hspace * (cols - 1)) / cols
    height = (1 - vspace * (rows - 1)) / rows
    axes, layout = [], {}
    for i in range(n):
        r, c = divmod(i, cols)
        k = "" if i == 0 else str(i + 1)
        x0 = c * (width + hspace)
        y1 = 1 - r * (height + vspace)
        layout[f"xaxis{k}"] = {"domain": [x0, x0 + width], "anchor": f"y{k}"}
        layout[f"yaxis{k}"] = {"domain": [y1 - height, y1], "anchor": f"x{k}"}
        axes.append((f"x{k}", f"y{k}"))
    return axes, layout, rows


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------- map
@dataclass(frozen=True)
class MapMode:
    """One colouring of the world map."""

    name: str
    label: str
    unit: str
    #: ``ensemble`` (a column of the country summary) or ``member`` (a kept member's regime)
    source: str
    column: str
    log: bool = False
    categorical: bool = False
    colorscale: str = "Viridis"
    zmin: float | None = None
    zmax: float | None = None


def map_modes() -> dict[str, MapMode]:
    """The map's modes, generated from the country variables.

    A kept member's regime, regime probabilities over members, and the median of every other
    variable.
    """
    modes = {"regime": MapMode("regime", "regime of one kept member", "regime", "member", "regime",
                               categorical=True, zmin=-0.5, zmax=len(Regime) - 0.5)}
    for code in (Regime.DEMOCRATIC_SOCIALIST, Regime.BUREAUCRATIC, Regime.REACTIONARY):
        col = regime_column(code)
        modes[col] = MapMode(col, f"P({REGIME_LABELS[code]}) over members", "probability", "ensemble", col,
                             colorscale="Reds" if code == Regime.DEMOCRATIC_SOCIALIST else "Purples", zmin=0.0,
                             zmax=1.0)
    for name, b in COUNTRY_VARIABLES.items():
        if b.kind == "categorical":
            continue
        col = f"{name}_p50"
        modes[col] = MapMode(col, f"{b.label}, median over members", b.unit, "ensemble", col, log=b.kind == "log",
                             colorscale="Cividis" if b.kind == "log" else "Viridis",
                             zmin=None if b.kind == "log" else 0.0, zmax=None if b.kind == "log" else 1.0)
    return modes


def regime_colorscale() -> list:
    """A stepwise colour scale for regime codes 0..4 (z from -0.5 to 4.5)."""
    n = len(Regime)
    scale = []
    for code in Regime:
        scale += [[code / n, REGIME_COLORS[code]], [(code + 1) / n, REGIME_COLORS[code]]]
    return scale


def map_title(mode: MapMode, doctrine: str, year: int, member: int | None = None) -> str:
    """Title of a map view (the report's map script builds the same text)."""
    who = f"member {member}, " if mode.source == "member" else ""
    return f"{_cap(mode.label)}: {doctrine}, {who}{year}"


def map_colorbar(mode: MapMode, zmin: float, zmax: float) -> dict:
    """Colour bar of a map mode (log modes get ticks at powers of ten in the unit)."""
    bar: dict = {"title": {"text": mode.unit}, "len": 0.75}
    if mode.categorical:
        bar.update(tickvals=list(range(len(Regime))), ticktext=[REGIME_LABELS[c] for c in Regime])
    elif mode.log:
        ticks = list(range(math.floor(zmin), math.ceil(zmax) + 1))
        bar.update(tickvals=ticks, ticktext=[fmt(10.0**t, mode.unit) for t in ticks])
    return bar


def map_range(mode: MapMode, values: np.ndarray) -> tuple[float, float]:
    """Colour range of a mode (log modes: log10 of the range of the positive values)."""
    if mode.zmin is not None and mode.zmax is not None:
        return mode.zmin, mode.zmax
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return 0.0, 1.0
    lo, hi = float(np.log10(v.min())), float(np.log10(v.max()))
    return lo, max(hi, lo + 1e-6)


def map_geo() -> dict:
    """The map's geo layout (Natural Earth projection, 1:50m geometry).

    Only the land layer is drawn under the countries (for territories that are not simulated,
    e.g. Greenland); ocean and border layers would double the drawing time, and the countries'
    own outlines are their borders.
    """
    return {"projection": {"type": "natural earth"}, "resolution": 50, "showframe": False, "showcoastlines": False,
            "showland": True, "landcolor": "#e8e8e8", "showcountries": False, "showocean": False,
            "lataxis": {"range": [-57, 84]}}


def world_map_spec(summary: pd.DataFrame, mode: str, doctrine: str, year: int, *, kept: pd.DataFrame | None = None,
                   member: int = 0, countries: pd.DataFrame | None = None, drawn: set[str] | None = None,
                   centroids: pd.DataFrame | None = None, zrange: tuple[float, float] | None = None) -> dict:
    """Spec of :func:`world_map`."""
    m = map_modes()[mode]
    if m.source == "member":
        src = kept if kept is not None else pd.DataFrame(columns=["doctrine", "member", "year", "iso3", "regime"])
        rows = src[(src["doctrine"] == doctrine) & (src["member"] == member) & (src["year"] == year)]
    else:
        rows = summary[(summary["doctrine"] == doctrine) & (summary["year"] == year)]
    values = rows.set_index("iso3")[m.column].astype(float)
    names = dict(zip(countries["iso3"], countries["name"], strict=True)) if countries is not None else {}
    z = np.log10(values.where(values > 0)) if m.log else values
    zmin, zmax = zrange or map_range(m, values.to_numpy())
    drawn = set(values.index) if drawn is None else drawn

    def label(c):
        v = values[c]
        if np.isnan(v):
            shown = "no value"
        else:
            shown = REGIME_LABELS[Regime(int(v))] if m.categorical else fmt(v, m.unit)
        return f"{names.get(c, c)}: {shown}"

    inside = [c for c in values.index if c in drawn]
    data = [{"type": "choropleth", "locations": inside, "locationmode": "ISO-3", "z": _f32(z[inside]),
             "text": [label(c) for c in inside], "hoverinfo": "text", "coloraxis": "coloraxis", "name": "countries",
             "marker": {"line": {"width": 0.3, "color": "#ffffff"}}}]
    outside = [c for c in values.index if c not in drawn]
    if outside and centroids is not None:
        cen = centroids.set_index("iso3").reindex(outside)
        data.append({"type": "scattergeo", "lat": _f32(cen["lat"]), "lon": _f32(cen["lon"]),
                     "text": [label(c) for c in outside], "hoverinfo": "text", "mode": "markers",
                     "customdata": outside,
                     "name": "not in the geometry",
                     "marker": {"size": 7, "color": _f32(z[outside]), "coloraxis": "coloraxis",
                                "line": {"width": 0.6, "color": "#333333"}}})
    layout = {"coloraxis": {"colorscale": regime_colorscale() if m.categorical else m.colorscale, "cmin": zmin,
                            "cmax": zmax, "colorbar": map_colorbar(m, zmin, zmax)},
              "geo": map_geo(), "showlegend": False, "margin": {"l": 10, "r": 10, "t": 60, "b": 10}}
    return _spec(data, layout, map_title(m, doctrine, year, member), height=560)


def world_map(summary: pd.DataFrame, mode: str, doctrine: str, year: int, **kw):
    """Choropleth of one map mode (:func:`map_modes`) for a doctrine and year.

    ``summary``: the country summary (:attr:`RunData.country_summary`); for ``mode="regime"``,
    ``kept`` (kept members' trajectories) and ``member``. ``countries`` (iso3, name) names the
    hover labels; ``drawn``: ISO3 codes the geometry draws (others become circles at
    ``centroids``: iso3, lat, lon); ``zrange`` fixes the colour range.
    """
    return as_figure(world_map_spec(summary, mode, doctrine, year, **kw))


# ---------------------------------------------------------------------------------------- fans
def _fan_unit(unit: str) -> tuple[float, str]:
    return {"share": (100.0, "% of population"), "persons": (1e-6, "million people")}.get(unit, (1.0, unit))


def _fan_panels(rows: pd.DataFrame, doctrines: list[str], scale: float, unit: str, log: bool
                ) -> tuple[list, dict, int]:
    """Data and layout of fan panels (median, 50 % and 90 % bands), one per doctrine.

    ``rows``: doctrine, year, p05, p25, p50, p75, p95; values are multiplied by ``scale``.
    """
    cols = min(3, max(1, len(doctrines)))
    axes, layout, nrows = _grid(len(doctrines), cols, vspace=0.16 if len(doctrines) > cols else 0.1)
    data, notes = [], []
    by_doctrine = dict(tuple(rows.groupby("doctrine", sort=False)))
    for i, d in enumerate(doctrines):
        xa, ya = axes[i]
        g = by_doctrine.get(d, rows.iloc[:0])
        color = doctrine_color(d, doctrines)
        x = g["year"].to_numpy(dtype=np.int16)
        loop = np.concatenate([x, x[::-1]])
        for lo, hi, alpha, band in (("p05", "p95", 0.18, "90 % band"), ("p25", "p75", 0.38, "50 % band")):
            ring = np.concatenate([g[hi].to_numpy(), g[lo].to_numpy()[::-1]]) * scale  # one closed band
            data.append({"type": "scatter", "x": loop, "y": _f32(ring), "xaxis": xa, "yaxis": ya, "mode": "lines",
                         "line": {"width": 0}, "fill": "toself", "fillcolor": _rgba(color, alpha), "name": band,
                         "legendgroup": band, "showlegend": i == 0, "hoverinfo": "skip"})
        data.append({"type": "scatter", "x": x, "y": _f32(g["p50"] * scale), "xaxis": xa, "yaxis": ya,
                     "mode": "lines", "line": {"color": color, "width": 2}, "name": "median", "legendgroup": "median",
                     "showlegend": i == 0, "hovertemplate": f"{d} %{{x}}: %{{y:.3~g}} {unit}<extra></extra>"})
        k = xa[1:]
        dom_x, dom_y = layout[f"xaxis{k}"]["domain"], layout[f"yaxis{k}"]["domain"]
        notes.append({"text": f"<b>{d}</b>", "x": (dom_x[0] + dom_x[1]) / 2, "y": dom_y[1], "xref": "paper",
                      "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False})
        layout[f"xaxis{k}"].update(_title("year"), matches="x" if i else None)
        layout[f"yaxis{k}"].update(_title(unit), matches="y" if i else None, type="log" if log else "linear")
    for ax in layout.values():
        if ax.get("matches") is None:
            ax.pop("matches", None)
    layout.update(annotations=notes, legend={"orientation": "h", "y": -0.18 / nrows, "x": 0})
    return data, layout, nrows


def fan_chart_spec(series_quantiles: pd.DataFrame, quantity: str, scope: str = "world",
                   doctrines: Sequence[str] | None = None) -> dict:
    """Spec of :func:`fan_chart`."""
    q = QUANTITIES[quantity]
    rows = series_quantiles[series_quantiles["column"] == q.column(scope)]
    doctrines = list(doctrines or dict.fromkeys(rows["doctrine"]))
    scale, unit = _fan_unit(q.unit)
    members = int(rows["members"].max()) if len(rows) else 0
    log = q.unit == "persons" or quantity == "living"
    data, layout, nrows = _fan_panels(rows, doctrines, scale, unit, log)
    title = f"{_cap(q.label)}, {SCOPE_LABELS[scope]}: median with 50 % and 90 % bands over {members} members"
    return _spec(data, layout, title, height=250 * nrows + 170)


def country_fan_spec(summary: pd.DataFrame, iso3: str, variable: str, doctrines: Sequence[str] | None = None,
                     country_name: str | None = None) -> dict:
    """Spec of :func:`country_fan`."""
    b = COUNTRY_VARIABLES[variable]
    rows = summary[summary["iso3"] == iso3]
    rows = rows.rename(columns={f"{variable}_{p}": p for p in ("p05", "p25", "p50", "p75", "p95")})
    doctrines = list(doctrines or dict.fromkeys(rows["doctrine"]))
    scale, unit = (100.0, "%") if b.unit == "share" else (1.0, b.unit)  # support, reaction: % of voters
    members = int(rows["members"].max()) if len(rows) else 0
    data, layout, nrows = _fan_panels(rows, doctrines, scale, unit, b.kind == "log")
    title = (f"{_cap(b.label)}, {country_name or iso3}: median with 50 % and 90 % bands over {members} members")
    return _spec(data, layout, title, height=230 * nrows + 170)


def country_fan(summary: pd.DataFrame, iso3: str, variable: str, doctrines: Sequence[str] | None = None,
                country_name: str | None = None):
    """One country's trajectory over members: median, 50 % and 90 % bands per doctrine.

    ``summary``: a country summary with the quantiles p05, p25, p50, p75 and p95
    (:func:`~nato_socialism.experiments.recorder.country_summary` with ``qs`` =
    :data:`~nato_socialism.report.data.FAN_QUANTILES`); ``variable``: a non-categorical key
    of :data:`~nato_socialism.experiments.recorder.COUNTRY_VARIABLES`.
    """
    return as_figure(country_fan_spec(summary, iso3, variable, doctrines, country_name))


def fan_chart(series_quantiles: pd.DataFrame, quantity: str, scope: str = "world",
              doctrines: Sequence[str] | None = None):
    """Median, 50 % and 90 % bands over members of a series quantity in a scope, one panel per doctrine.

    ``series_quantiles``: doctrine, year, column, members, p05, p25, p50, p75, p95
    (:attr:`RunData.series_quantiles`); ``quantity``: a key of the series registry
    (:data:`~nato_socialism.experiments.series.QUANTITIES`); ``scope``: ``world``,
    ``first_world`` or a primary bloc.
    """
    return as_figure(fan_chart_spec(series_quantiles, quantity, scope, doctrines))


def fan_scopes(series_quantiles: pd.DataFrame | set, quantity: str) -> list[str]:
    """Scopes of a quantity that the run recorded (``series_quantiles``, or the set of its columns)."""
    present = series_quantiles if isinstance(series_quantiles, set) else set(series_quantiles["column"].unique())
    return [s for s, c in QUANTITIES[quantity].columns.items() if c in present]


# ---------------------------------------------------------------------------------------- transition order
def bloc_outcomes(outcomes: pd.DataFrame) -> list[str]:
    """Blocs with a ``year_bloc_<bloc>`` outcome in the table, the essay's order first."""
    blocs = [n.removeprefix("year_bloc_") for n in OUTCOMES if n.startswith("year_bloc_") and n in outcomes.columns]
    return [b for b in ESSAY_ORDER if b in blocs] + [b for b in blocs if b not in ESSAY_ORDER]


def transition_order_spec(outcomes: pd.DataFrame, doctrines: Sequence[str] | None = None) -> dict:
    """Spec of :func:`transition_order`."""
    doctrines = list(doctrines or dict.fromkeys(outcomes["doctrine"]))
    blocs = bloc_outcomes(outcomes)
    has_seq = "essay_sequence" in outcomes.columns
    labels = [SCOPE_LABELS.get(b, b) for b in blocs]
    data = []
    for d in doctrines:
        g = outcomes[outcomes["doctrine"] == d]
        stats: dict[str, list] = {k: [] for k in ("lowerfence", "q1", "median", "q3", "upperfence", "text")}
        for b in blocs:
            v = g[f"year_bloc_{b}"].to_numpy(dtype=float)
            ok = v[~np.isnan(v)]
            p = np.percentile(ok, [5, 25, 50, 75, 95]) if len(ok) else [np.nan] * 5
            for k, val in zip(("lowerfence", "q1", "median", "q3", "upperfence"), p, strict=True):
                stats[k].append(None if np.isnan(val) else float(val))
            stats["text"].append(f"{d}: {100 * len(ok) / max(len(v), 1):.0f} % of members reach it")
        data.append({"type": "box", "y": labels, "orientation": "h", "name": d, "boxpoints": False,
                     "marker": {"color": doctrine_color(d, doctrines)}, "hovertext": stats.pop("text"),
                     "hoverinfo": "x+text", "xaxis": "x", "yaxis": "y", **stats})
    layout = {"boxmode": "group",
              "xaxis": {"domain": [0, 0.7 if has_seq else 1], **_title("year the bloc turns (50 % of its population "
                                                                        "democratic socialist)")},
              "yaxis": {"domain": [0, 1], "autorange": "reversed", **_title("bloc (essay's order from the top)")},
              "legend": {"orientation": "h", "y": -0.2}}
    if has_seq:
        share = [float(outcomes.loc[outcomes["doctrine"] == d, "essay_sequence"].mean()) for d in doctrines]
        data.append({"type": "bar", "x": share, "y": doctrines, "orientation": "h", "showlegend": False,
                     "marker": {"color": [doctrine_color(d, doctrines) for d in doctrines]}, "xaxis": "x2",
                     "yaxis": "y2", "hovertemplate": "%{y}: %{x:.0%} of members<extra></extra>"})
        layout["xaxis2"] = {"domain": [0.82, 1], "anchor": "y2", "range": [0, 1], "tickformat": ".0%",
                            **_title("members in the essay's order")}
        layout["yaxis2"] = {"domain": [0, 1], "anchor": "x2", "autorange": "reversed", **_title("doctrine")}
    order = " → ".join(SCOPE_LABELS.get(b, b) for b in ESSAY_ORDER)
    return _spec(data, layout, f"Which bloc turns first? The essay predicts: {order}",
                 height=200 + 22 * len(blocs) * max(2, len(doctrines)))


def transition_order(outcomes: pd.DataFrame, doctrines: Sequence[str] | None = None):
    """Year each bloc turns majority democratic socialist, per doctrine, beside the essay's order.

    Boxes: 25th-75th percentile of the year over the members where the bloc turns, whiskers
    5th-95th (hover: the share of members where it turns). Right: the share of members whose
    blocs turn in the essay's order (outcome ``essay_sequence``), when the run has it.
    """
    return as_figure(transition_order_spec(outcomes, doctrines))


# ---------------------------------------------------------------------------------------- comparison
def forest_plot_spec(comparison: pd.DataFrame, outcomes: pd.DataFrame, reference: str,
                     never_year: float | None = None) -> dict:
    """Spec of :func:`forest_plot`."""
    from ..experiments.compare import comparable

    if never_year is None:
        years = [outcomes[o] for o in OUTCOMES if OUTCOMES[o].unit == "year" and o in outcomes]
        latest = pd.concat(years).max() if years else np.nan  # NaN when no member reaches any year
        never_year = float(latest) + 1 if pd.notna(latest) else 0.0
    rows = comparison[(comparison["a"] == reference) & (comparison["n"] > 0)]
    names = [o for o in OUTCOMES if o in set(rows["outcome"])]
    rivals = list(dict.fromkeys(rows["b"]))
    sds = {}
    for name in names:
        v = comparable(outcomes[name], name, never_year)  # as compared: "never" counts as never_year
        v = v[np.isfinite(v)]
        sds[name] = float(v.std()) if len(v) > 1 else 0.0
    data = []
    for j, b in enumerate(rivals):
        g = {r["outcome"]: r for r in rows[rows["b"] == b].to_dict(orient="records")}
        x, err, text, ys = [], [], [], []
        for name in names:
            if name not in g:
                continue
            r = g[name]
            sd = sds[name]
            sign = -1.0 if OUTCOMES[name].direction == "lower" else 1.0
            scale = sign / sd if sd > 0 else 0.0
            half = 1.645 * float(r["diff_mean_se"]) if np.isfinite(r["diff_mean_se"]) else 0.0
            x.append(float(r["diff_mean"]) * scale)
            err.append(half * abs(scale))
            ys.append(name)
            text.append(f"{reference} − {b}, {name}: {r['diff_mean']:+.4g} ± {half:.2g} {OUTCOMES[name].unit}; "
                        f"P({reference} better) = {r['p_a_better']:.2f}; n = {int(r['n'])}")
        data.append({"type": "scatter", "x": x, "y": ys, "mode": "markers", "name": f"vs {b}", "hovertext": text,
                     "hoverinfo": "text", "offsetgroup": str(j),
                     "marker": {"color": doctrine_color(b, rivals), "size": 8, "symbol": j % 8},
                     "error_x": {"type": "data", "array": err, "thickness": 1.2}})
    layout = {"scattermode": "group", "legend": {"orientation": "h", "y": -0.06},
              "yaxis": {"autorange": "reversed", "categoryorder": "array", "categoryarray": names,
                        **_title("outcome")},
              "xaxis": {"zeroline": True, "zerolinecolor": "#444444", "zerolinewidth": 1.5,
                        **_title(f"mean paired difference in SD of the outcome (> 0: {reference} better)")}}
    return _spec(data, layout, f"{reference} against each rival: mean paired difference with 90 % interval",
                 height=180 + 34 * len(names))


def forest_plot(comparison: pd.DataFrame, outcomes: pd.DataFrame, reference: str, never_year: float | None = None):
    """Mean paired difference of ``reference`` against each rival per outcome, with 90 % intervals.

    ``comparison``: rows of :func:`~nato_socialism.experiments.compare.compare`. Differences
    are divided by the outcome's standard deviation over every member and doctrine (so
    outcomes of different units share one axis) and oriented so that right means
    ``reference`` is better. ``never_year``: the year a never-reached year outcome counts as
    (the run's last year + 1, as in the comparison; default: the latest year in the table + 1).
    """
    return as_figure(forest_plot_spec(comparison, outcomes, reference, never_year))


# ---------------------------------------------------------------------------------------- analyses
#: Sensitivity indices the bars draw, in this order, with their legend names (``<index>_conf``:
#: the 95 % half-width drawn as an error bar).
SENSITIVITY_INDICES = {
    "mu_star": "μ* (mean |elementary effect|)", "sigma": "σ of the elementary effects",
    "delta": "δ moment-independent", "median": "PAWN median KS statistic", "ST": "ST total",
    "S1": "S1 first order",
}
#: Axis titles of the sensitivity methods, from the first index a table has.
_SENSITIVITY_AXES = {"mu_star": "elementary effect (outcome units)", "S1": "share of output variance",
                     "ST": "share of output variance", "delta": "δ (share of the outcome's density moved)",
                     "median": "Kolmogorov-Smirnov statistic"}


def analysis_kind(table: pd.DataFrame) -> str | None:
    """What an analysis table holds, from its columns.

    ``sensitivity`` (a ``parameter`` column and one of :data:`SENSITIVITY_INDICES`: Morris,
    Sobol, delta, RBD-FAST, PAWN), ``prim_peeling`` (``coverage``, ``density`` and the number
    of restricted parameters ``res_dim``: a peeling trajectory), ``prim_box`` (``parameter``
    with ``low``/``high`` or ``min``/``max``), ``features`` (``parameter``, ``score``), or
    None: not drawn as a figure (the report lists such tables; Pareto fronts are recognised by
    their names, ``pareto_front`` and ``named``).
    """
    cols = set(table.columns)
    if "parameter" in cols and ({"low", "high"} <= cols or {"min", "max"} <= cols):
        return "prim_box"
    if "parameter" in cols and cols & {"mu_star", "S1", "ST", "delta"} or {"parameter", "median", "maximum"} <= cols:
        return "sensitivity"
    if {"parameter", "score"} <= cols:
        return "features"
    if {"coverage", "density"} <= cols and cols & {"res_dim", "n_restricted"} and "parameter" not in cols:
        return "prim_peeling"
    return None


def sensitivity_bars_spec(indices: pd.DataFrame, title: str = "Sensitivity indices", top: int = 20) -> dict:
    """Spec of :func:`sensitivity_bars`."""
    present = [c for c in SENSITIVITY_INDICES if c in indices]  # the first is the method's ranking index
    t = (indices.sort_values("rank") if "rank" in indices else indices.sort_values(present[0], ascending=False))
    t = t.head(top)
    data = []
    for col in present:
        bar = {"type": "bar", "x": _f32(t[col]), "y": list(t["parameter"]), "orientation": "h",
               "name": SENSITIVITY_INDICES[col] + (" (95 % interval)" if f"{col}_conf" in t else "")}
        if f"{col}_conf" in t:
            bar["error_x"] = {"type": "data", "array": _f32(t[f"{col}_conf"])}
        data.append(bar)
    layout = {"barmode": "group", "legend": {"orientation": "h", "y": -0.1},
              "yaxis": {"autorange": "reversed", **_title("parameter")},
              "xaxis": _title(_SENSITIVITY_AXES.get(present[0], "index"))}
    if "noise_floor" in t and t["noise_floor"].notna().any():
        floor = float(t["noise_floor"].max())
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": floor, "x1": floor, "y0": 0,
                             "y1": 1, "line": {"color": "#D55E00", "dash": "dash", "width": 1.5}}]
        layout["annotations"] = [{"text": f"noise floor of {present[0]} (dummy factors)", "x": floor, "y": 1,
                                  "xref": "x", "yref": "paper", "showarrow": False, "xanchor": "left",
                                  "yanchor": "bottom", "font": {"color": "#D55E00", "size": 11}}]
    return _spec(data, layout, title, height=180 + 22 * len(t) * max(1, len(data)))


def sensitivity_bars(indices: pd.DataFrame, title: str = "Sensitivity indices", top: int = 20):
    """The sensitivity indices of the top parameters.

    Morris mu* and sigma, Sobol S1/ST, delta or PAWN, with their 95 % intervals where the
    table has them and the noise floor of dummy factors.
    """
    return as_figure(sensitivity_bars_spec(indices, title, top))


def _groups(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """A table split by its ``case`` and ``box`` columns when it has them (discovery tables)."""
    keys = [c for c in ("case", "box") if c in table]
    if not keys:
        return [("", table)]
    return [(" ".join(f"{k} {v}" for k, v in zip(keys, key if isinstance(key, tuple) else (key,), strict=True)), g)
            for key, g in table.groupby(keys, sort=False)]


def prim_tradeoff_spec(peeling: pd.DataFrame, title: str = "PRIM peeling trade-off") -> dict:
    """Spec of :func:`prim_tradeoff`."""
    color = next((c for c in ("res_dim", "n_restricted", "restricted") if c in peeling), None)
    data = []
    for i, (label, g) in enumerate(_groups(peeling)):
        marker: dict = {"size": 7}
        if color:
            marker.update(color=_f32(g[color]), colorscale="Viridis", showscale=i == 0, cmin=0,
                          cmax=float(peeling[color].max()), colorbar={"title": {"text": "restricted parameters"}})
        data.append({"type": "scatter", "x": _f32(g["coverage"]), "y": _f32(g["density"]), "mode": "lines+markers",
                     "marker": marker, "line": {"width": 1}, "name": label or "trajectory",
                     "hovertemplate": f"{label} coverage %{{x:.2f}}, density %{{y:.2f}}<extra></extra>"})
        if "selected" in g and g["selected"].astype(bool).any():
            chosen = g[g["selected"].astype(bool)]
            data.append({"type": "scatter", "x": _f32(chosen["coverage"]), "y": _f32(chosen["density"]),
                         "mode": "markers", "name": f"{label} chosen box".strip(), "showlegend": i == 0,
                         "marker": {"symbol": "star", "size": 15, "color": "#D55E00"}})
    layout = {"xaxis": {"range": [0, 1.02], **_title("coverage (share of the cases of interest inside the box)")},
              "yaxis": {"range": [0, 1.02], **_title("density (share of the box that are cases of interest)")},
              "legend": {"orientation": "h", "y": -0.15}}
    return _spec(data, layout, title, height=480)


def prim_tradeoff(peeling: pd.DataFrame, title: str = "PRIM peeling trade-off"):
    """Coverage against density along PRIM peeling trajectories (one per case and box), chosen boxes starred."""
    return as_figure(prim_tradeoff_spec(peeling, title))


def prim_box_spec(box: pd.DataFrame, ranges: dict | None = None, title: str = "PRIM box") -> dict:
    """Spec of :func:`prim_box`."""
    lo_col, hi_col = ("low", "high") if "low" in box else ("min", "max")
    ranges = ranges or {}
    data = []
    for label, g in _groups(box):
        y, base, width, text = [], [], [], []
        for r in g.to_dict(orient="records"):
            p, a, b = r["parameter"], float(r[lo_col]), float(r[hi_col])
            if "range_low" in r and pd.notna(r["range_low"]):
                low, high = float(r["range_low"]), float(r["range_high"])
            else:
                low, high = ranges.get(p, [a, b])
            span = (high - low) or 1.0
            y.append(p)
            base.append((a - low) / span)
            width.append((b - a) / span)
            text.append(f"{label} {p}: {a:.4g} – {b:.4g} (sampled {low:.4g} – {high:.4g})".strip())
        data.append({"type": "bar", "x": width, "base": base, "y": y, "orientation": "h", "hovertext": text,
                     "hoverinfo": "text", "name": label or "box"})
    layout = {"barmode": "group", "legend": {"orientation": "h", "y": -0.15},
              "xaxis": {"range": [0, 1], **_title("position in the sampled range (0 = low end, 1 = high end)")},
              "yaxis": {"autorange": "reversed", **_title("parameter")}}
    rows = len(set(box["parameter"])) * max(1, len(data))
    return _spec(data, layout, title, height=200 + 22 * rows)


def feature_scores_spec(scores: pd.DataFrame, title: str = "Feature scores", top: int = 20) -> dict:
    """Spec of :func:`feature_scores`."""
    t = scores.sort_values("score", ascending=False).head(top)
    data = [{"type": "bar", "x": _f32(t["score"]), "y": list(t["parameter"]), "orientation": "h",
             "marker": {"color": "#009E73"}}]
    layout = {"yaxis": {"autorange": "reversed", **_title("parameter")},
              "xaxis": _title("extra-trees feature score (share of the prediction)")}
    return _spec(data, layout, title, height=180 + 22 * len(t))


def feature_scores(scores: pd.DataFrame, title: str = "Feature scores", top: int = 20):
    """Extra-trees feature scores of the parameters (a discovery table with ``parameter`` and ``score``)."""
    return as_figure(feature_scores_spec(scores, title, top))


def prim_box(box: pd.DataFrame, ranges: dict | None = None, title: str = "PRIM box"):
    """The restricted range of each parameter of PRIM boxes (one bar group per case and box).

    Positions are parts of the sampled range (``range_low``/``range_high`` columns, else
    ``ranges``: parameter -> [low, high]).
    """
    return as_figure(prim_box_spec(box, ranges, title))


def pareto_front_spec(front: pd.DataFrame, named: pd.DataFrame | None = None,
                      candidates: pd.DataFrame | None = None, objectives: Sequence[str] | None = None) -> dict:
    """Spec of :func:`pareto_front`."""
    if objectives is None:
        cols = set(named.columns) if named is not None else set(front.columns)
        objectives = [c for c in front.columns if c in OUTCOMES and c in cols]
    objectives = list(objectives)
    labels = [f"{o} ({OUTCOMES[o].unit})" if o in OUTCOMES else o for o in objectives]
    groups = []
    if candidates is not None and "on_front" in candidates:
        groups.append(("evaluated candidates", candidates[~candidates["on_front"].astype(bool)], "#bbbbbb", 6))
    groups.append(("Pareto front", front, "#0072B2", 7))
    if named is not None:
        groups += [(r["doctrine"], named[named["doctrine"] == r["doctrine"]], doctrine_color(r["doctrine"]), 12)
                   for r in named.to_dict(orient="records")]
    data, layout = [], {"legend": {"orientation": "h", "y": -0.12}}
    n = len(objectives)
    pairs = [(i, j) for j in range(1, n) for i in range(j)]  # lower triangle: panel (i, j) at row j-1, column i
    axes, grid = _triangle(n)
    layout.update(grid)
    for k, (i, j) in enumerate(pairs):
        xa, ya = axes[k]
        for name, t, color, size in groups:
            named_point = size > 10
            data.append({"type": "scatter", "x": _f32(t[objectives[i]]), "y": _f32(t[objectives[j]]),
                         "xaxis": xa, "yaxis": ya, "mode": "markers+text" if named_point else "markers",
                         "text": [name] * len(t) if named_point else None, "textposition": "top center",
                         "name": name, "legendgroup": name, "showlegend": k == 0,
                         "marker": {"color": color, "size": size, "symbol": "diamond" if named_point else "circle"}})
        for ax, o, label in ((f"xaxis{xa[1:]}", objectives[i], labels[i]),
                             (f"yaxis{ya[1:]}", objectives[j], labels[j])):
            layout[ax].update(_title(label))
            if o in OUTCOMES and OUTCOMES[o].unit == "year":
                layout[ax]["tickformat"] = "d"
    return _spec(data, layout, "Pareto front of the custom doctrine's controls, with the named doctrines",
                 height=520 if n == 2 else 180 + 230 * (n - 1))


def _triangle(n: int) -> tuple[list[tuple[str, str]], dict]:
    """Axes of the lower triangle of an (n-1) x (n-1) grid: panel for objectives (i, j), i < j."""
    cells = n - 1
    axes, layout = [], {}
    gap = 0.12
    size = (1 - gap * (cells - 1)) / cells
    k = 0
    for j in range(1, n):
        for i in range(j):
            key = "" if k == 0 else str(k + 1)
            x0 = i * (size + gap)
            y1 = 1 - (j - 1) * (size + gap)
            layout[f"xaxis{key}"] = {"domain": [x0, x0 + size], "anchor": f"y{key}"}
            layout[f"yaxis{key}"] = {"domain": [y1 - size, y1], "anchor": f"x{key}"}
            axes.append((f"x{key}", f"y{key}"))
            k += 1
    return axes, layout


def pareto_front(front: pd.DataFrame, named: pd.DataFrame | None = None, candidates: pd.DataFrame | None = None,
                 objectives: Sequence[str] | None = None):
    """The Pareto front of an optimization (objectives in their own units) with the named doctrines marked.

    Two objectives: one scatter; more: a scatter for every pair of objectives.
    """
    return as_figure(pareto_front_spec(front, named, candidates, objectives))


# ---------------------------------------------------------------------------------------- why
def why_waterfall_spec(why: pd.DataFrame, kept: pd.DataFrame, doctrine: str, member: int, iso3: str, year: int,
                       country_name: str | None = None, labels: dict[str, str] | None = None) -> dict:
    """Spec of :func:`why_waterfall`."""
    from ..model.switches import CONTRIBUTION_LABELS

    labels = labels or CONTRIBUTION_LABELS
    keys = {"doctrine", "member", "year", "iso3", "target"}
    row = why[(why["doctrine"] == doctrine) & (why["member"] == member) & (why["iso3"] == iso3)
              & (why["year"] == year) & (why["target"] == "support")]
    parts = [c for c in why.columns if c not in keys]
    k = kept[(kept["doctrine"] == doctrine) & (kept["member"] == member) & (kept["iso3"] == iso3)]
    before = float(k.loc[k["year"] == year, "support"].iloc[0])
    values = {p: float(row[p].iloc[0]) for p in parts}
    shown = sorted((p for p in parts if values[p] != 0.0), key=lambda p: -abs(values[p]))
    after = before + sum(values.values())
    x = [f"support {year}"] + [labels.get(p, p) for p in shown] + [f"support {year + 1}"]
    y = [100 * before] + [100 * values[p] for p in shown] + [100 * after]
    path = np.cumsum(y[:-1])
    lo, hi = min(path.min(), y[-1]), max(path.max(), y[-1])
    pad = max(1.0, 0.15 * (hi - lo))
    data = [{"type": "waterfall", "x": x, "y": y, "measure": ["absolute"] + ["relative"] * len(shown) + ["total"],
             "text": [f"{v:.1f}" if i in (0, len(y) - 1) else f"{v:+.2f}" for i, v in enumerate(y)],
             "textposition": "outside", "increasing": {"marker": {"color": "#009E73"}},
             "decreasing": {"marker": {"color": "#D55E00"}}, "totals": {"marker": {"color": "#0072B2"}},
             "connector": {"line": {"color": "#999999", "width": 1}}}]
    layout = {"yaxis": {"range": [lo - pad, hi + pad], **_title("support for the socialist coalition (% of voters)")},
              "xaxis": _title("part of the change (mechanism)"), "showlegend": False}
    name = country_name or iso3
    return _spec(data, layout, f"Why support changed in {name}, {year} → {year + 1} ({doctrine}, member {member}): "
                               f"{100 * before:.1f} % → {100 * after:.1f} %", height=500)


def why_waterfall(why: pd.DataFrame, kept: pd.DataFrame, doctrine: str, member: int, iso3: str, year: int,
                  country_name: str | None = None, labels: dict[str, str] | None = None):
    """Waterfall of one country-year's change in coalition support, by part of the decomposition.

    ``why``: rows of the stored ``why`` table; ``kept``: kept members' trajectories (support
    before the year). Parts without effect are left out; the bars add up to the change.
    """
    return as_figure(why_waterfall_spec(why, kept, doctrine, member, iso3, year, country_name, labels))


def contributors_spec(contributors: pd.DataFrame, doctrine: str, labels: dict[str, str] | None = None) -> dict:
    """Spec of :func:`contributors_heatmap`."""
    from ..model.switches import CONTRIBUTION_LABELS

    labels = labels or CONTRIBUTION_LABELS
    g = contributors[contributors["doctrine"] == doctrine]
    blocs = [b for b in SCOPE_LABELS if b in set(g["bloc"])]
    parts = list(dict.fromkeys(g["part"]))
    z = g.pivot_table(index="bloc", columns="part", values="value", sort=False).reindex(index=blocs, columns=parts)
    values = 100 * z.to_numpy(dtype=float)
    lim = float(np.nanmax(np.abs(values))) if values.size and np.isfinite(values).any() else 1.0
    data = [{"type": "heatmap", "z": _f32(values), "x": [labels.get(p, p) for p in parts],
             "y": [SCOPE_LABELS[b] for b in blocs], "colorscale": "RdBu", "zmid": 0, "zmin": -lim, "zmax": lim,
             "colorbar": {"title": {"text": "share points"}},
             "hovertemplate": "%{y}, %{x}: %{z:+.2f} share points<extra></extra>"}]
    layout = {"xaxis": {"tickangle": -35, **_title("part of the decomposition (mechanism)")},
              "yaxis": {"autorange": "reversed", **_title("bloc")}, "margin": {"l": 160, "r": 30, "t": 80, "b": 150}}
    return _spec(data, layout, f"What moved support over the run, by bloc ({doctrine}; mean over the kept members "
                               "and the bloc's countries)", height=260 + 45 * len(blocs))


def contributors_heatmap(contributors: pd.DataFrame, doctrine: str, labels: dict[str, str] | None = None):
    """Mean cumulative contribution of each part to support, per bloc over the run (kept members)."""
    return as_figure(contributors_spec(contributors, doctrine, labels))
