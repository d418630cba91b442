"""Write a report as ONE self-contained HTML file: plotly.js, geometry and data inlined.

Nothing is fetched when the file opens: plotly.js comes from the installed ``plotly``
package; the world geometry (Natural Earth 1:50m, ``world_50m.json``) is put into
``window.PlotlyGeoAssets`` before plotly.js loads, which is where plotly.js looks before it
would fetch the same file from its CDN; figures are JSON with binary arrays. The map is
drawn by a small script from compact arrays (see :func:`~.build.map_payload`) so that a
year slider, the map mode, the doctrine and the member can be changed without storing a
figure per combination.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio

from .build import (
    SECTIONS,
    FigureSpec,
    analysis_tables_html,
    comparison_html,
    contributors_html,
    data_notes_html,
    drawn_countries,
    map_payload,
    report_figures,
    summary_html,
)
from .data import RunData, geometry_ids, geometry_text, load_geometry

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;color:#222;
     background:#fafafa;line-height:1.45}
header{background:#1f2d3d;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#cfd8e3}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:6px 28px;z-index:10;font-size:13px}
nav a{margin-right:14px;color:#1f4e79;text-decoration:none}
main{max-width:1280px;margin:0 auto;padding:8px 28px 60px}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin:18px 0;padding:6px 20px 16px}
h2{font-size:19px;border-bottom:1px solid #eee;padding-bottom:6px}h3{font-size:15px;margin-top:22px}
table{border-collapse:collapse;font-size:12px;margin:8px 0;width:auto}
th,td{border:1px solid #e1e1e1;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f3f5f7}table.kv td:first-child{font-weight:600;white-space:nowrap}
table.wide{display:block;overflow-x:auto;max-width:100%}table.notes td{max-width:420px}
.figure{margin:14px 0 22px}.controls{font-size:13px;margin:4px 0;display:flex;gap:16px;flex-wrap:wrap;
     align-items:center}
.controls label{display:flex;gap:6px;align-items:center}.controls select{max-width:340px}
.controls input[type=range]{width:360px}
.caption{font-size:12px;color:#555;margin:2px 0 0}.missing{color:#8a4b00;background:#fff6e5;padding:6px 10px;
     border-radius:4px;font-size:13px}
.plot{width:100%}
"""

_JS = r"""
(function(){
"use strict";
const T = {script: performance.now()};
const R = JSON.parse(document.getElementById("report-data").textContent);
T.data = performance.now();
const CONFIG = {displaylogo:false, responsive:true, modeBarButtonsToRemove:["sendDataToCloud"]};
const jobs = [];  // [figure id, draw function] in page order, the map first
function plot(div, fig){
  const layout = Object.assign({}, fig.layout || {}, {template: R.template});
  return Plotly.react(div, fig.data, layout, CONFIG);
}
T.figures = {};
function bytes(b64){const s = atob(b64); const a = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i); return a.buffer;}
function select(label, options, onchange, value){
  const l = document.createElement("label"); l.textContent = label + " ";
  const s = document.createElement("select");
  options.forEach(function(o, i){const opt = document.createElement("option");
    opt.value = (o.value !== undefined ? o.value : i); opt.textContent = o.label; s.appendChild(opt);});
  if (value !== undefined) s.value = value;
  s.addEventListener("change", function(){onchange(s.value);});
  l.appendChild(s); return l;
}
// ------------------------------------------------------------------ figures with variants
R.figures.forEach(function(spec){
  const box = document.getElementById("fig-" + spec.id);
  if (!box) return;
  const div = box.querySelector(".plot");
  if (spec.variants.length > 1 && spec.id !== "map"){
    const controls = box.querySelector(".controls");
    controls.appendChild(select(spec.choose, spec.variants.map(function(v){return {label: v.label};}),
      function(i){plot(div, spec.variants[+i].figure);}));
  }
  if (spec.id !== "map") jobs.push([spec.id, function(){return plot(div, spec.variants[0].figure);}]);
});
// ------------------------------------------------------------------ the map
const M = R.map;
if (M){
  const box = document.getElementById("fig-map");
  const div = box.querySelector(".plot");
  const state = Object.assign({}, M.default);
  const cache = {};
  function grid(){
    const m = M.modes[state.mode];
    const key = state.mode + "|" + state.doctrine + "|" + (m.source === "member" ? state.member : "");
    if (!(key in cache)){
      const b64 = m.source === "member" ? (m.data[state.doctrine] || {})[String(state.member)] : m.data[state.doctrine];
      cache[key] = b64 ? new Uint8Array(bytes(b64)) : null;
    }
    return cache[key];
  }
  function values(){
    const m = M.modes[state.mode], g = grid(), n = M.iso3.length;
    const t = M.years.indexOf(+state.year), z = new Array(n);
    for (let j = 0; j < n; j++){
      const c = g ? g[t * n + j] : null;
      if (c === null) z[j] = null;
      else if (m.source === "member") z[j] = (c === 255 ? null : c);
      else z[j] = (c === M.quant + 1 ? null : m.zmin + c / M.quant * (m.zmax - m.zmin));
    }
    return z;
  }
  function fmt(m, v){
    if (v === null) return "no value";
    if (m.categorical) return M.regimes[String(v)];
    const x = m.log ? Math.pow(10, v) : v;
    if (m.unit === "share" || m.unit === "probability") return (100 * x).toFixed(1) + " %";
    if (Math.abs(x) >= 100) return Math.round(x).toLocaleString("en");
    return x.toPrecision(3);
  }
  function title(){
    const m = M.modes[state.mode];
    const who = m.source === "member" ? "member " + state.member + ", " : "";
    return m.label.charAt(0).toUpperCase() + m.label.slice(1) + ": " + state.doctrine + ", " + who + state.year;
  }
  function figure(){
    const m = M.modes[state.mode], z = values(), k = M.inside;
    const text = z.map(function(v, j){return M.names[j] + ": " + fmt(m, v);});
    const data = [{type: "choropleth", locations: M.iso3.slice(0, k), locationmode: "ISO-3", z: z.slice(0, k),
                   text: text.slice(0, k), hoverinfo: "text", coloraxis: "coloraxis", name: "countries",
                   marker: {line: {width: 0.3, color: "#ffffff"}}}];
    if (M.iso3.length > k) data.push({type: "scattergeo", lat: M.lat, lon: M.lon, text: text.slice(k),
        hoverinfo: "text", mode: "markers", name: "not in the geometry",
        marker: {size: 7, color: z.slice(k), coloraxis: "coloraxis", line: {width: 0.6, color: "#333333"}}});
    const layout = JSON.parse(JSON.stringify(R.figures[0].variants[0].figure.layout));
    layout.title.text = title();
    layout.coloraxis = {colorscale: m.colorscale, cmin: m.zmin, cmax: m.zmax, colorbar: m.colorbar};
    return {data: data, layout: layout};
  }
  function draw(){ return plot(div, figure()); }
  const controls = box.querySelector(".controls");
  const modes = Object.keys(M.modes).map(function(k){return {value: k, label: M.modes[k].label};});
  controls.appendChild(select("colour", modes, function(v){state.mode = v; memberBox.style.display =
    M.modes[v].source === "member" ? "" : "none"; draw();}, state.mode));
  controls.appendChild(select("doctrine", M.doctrines.map(function(d){return {value: d, label: d};}),
    function(v){state.doctrine = v; draw();}, state.doctrine));
  const memberBox = select("member", M.members.map(function(x){return {value: x, label: String(x)};}),
    function(v){state.member = +v; draw();}, String(state.member));
  memberBox.style.display = M.modes[state.mode].source === "member" ? "" : "none";
  controls.appendChild(memberBox);
  const yl = document.createElement("label"); yl.textContent = "year ";
  const slider = document.createElement("input");
  slider.type = "range"; slider.id = "map-year"; slider.min = M.years[0]; slider.max = M.years[M.years.length - 1];
  slider.step = 1; slider.value = state.year;
  const shown = document.createElement("output"); shown.textContent = state.year;
  slider.addEventListener("input", function(){state.year = +slider.value; shown.textContent = slider.value; draw();});
  yl.appendChild(slider); yl.appendChild(shown); controls.appendChild(yl);
  jobs.unshift(["map", draw]);
}
// Figures are drawn one at a time, each when it comes near the screen or, after the first
// screen is drawn, in the background in page order, so the page shows and answers at once.
const started = {};
function run(job){
  if (!(job[0] in started)){
    const t = performance.now();
    started[job[0]] = Promise.resolve(job[1]()).then(function(){
      T.figures[job[0]] = Math.round(performance.now() - t);
    });
  }
  return started[job[0]];
}
function box(job){ return document.getElementById("fig-" + job[0]); }
function onScreen(job){
  const r = box(job).getBoundingClientRect();
  return r.top < window.innerHeight && r.bottom > 0;
}
const near = new IntersectionObserver(function(entries){
  entries.forEach(function(e){
    if (e.isIntersecting){ const job = jobs.find(function(j){return box(j) === e.target;}); if (job) run(job); }
  });
}, {rootMargin: "400px"});
jobs.forEach(function(job){ near.observe(box(job)); });
const first = jobs.filter(function(job, i){ return i === 0 || onScreen(job); });
Promise.all(first.map(run)).then(function(){
  T.first = performance.now();
  window.reportTimings = T;
  window.reportLoadMs = T.first;
  window.reportReady = true;  // the first screen is drawn
  document.body.setAttribute("data-ready", "1");
  let chain = Promise.resolve();
  jobs.forEach(function(job){
    chain = chain.then(function(){ return new Promise(function(done){ setTimeout(done, 0); }); })
                 .then(function(){ return run(job); });
  });
  return chain;
}).then(function(){
  T.all = performance.now();
  near.disconnect();
  window.reportAllMs = T.all;
  window.reportAllDrawn = true;  // every figure is drawn
  document.body.setAttribute("data-drawn", "1");
});
})();
"""


def script_json(obj) -> str:
    """JSON safe inside a <script> element (numpy arrays as typed arrays, NaN as null)."""
    text = json.dumps(_finite(obj), separators=(",", ":"), allow_nan=False, default=_encode)
    return text.replace("</", "<\\/")


def _finite(obj):
    """Replace float NaN/inf (not allowed in JSON) by None in nested dicts and lists."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


_DTYPES = {np.dtype(np.float32): "f4", np.dtype(np.float64): "f8", np.dtype(np.int16): "i2",
           np.dtype(np.int32): "i4", np.dtype(np.uint8): "u1", np.dtype(np.uint16): "u2", np.dtype(np.int8): "i1"}


def _encode(value):
    """JSON for numpy values in figure specs: arrays as plotly.js typed arrays (dtype + base64 bytes)."""
    if isinstance(value, np.ndarray):
        if value.dtype == np.int64:
            value = value.astype(np.int32)
        if value.dtype in _DTYPES:  # NaN stays NaN: a gap for plotly.js
            out = {"dtype": _DTYPES[value.dtype], "bdata": base64.b64encode(np.ascontiguousarray(value)).decode()}
            if value.ndim > 1:
                out["shape"] = ", ".join(str(n) for n in value.shape)
            return out
        return _finite(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Series | pd.Index):
        return _encode(value.to_numpy())
    raise TypeError(f"cannot write {type(value).__name__} into a figure")


def template_json() -> dict:
    """The plotly template the report's figures use (``plotly_white``), once for all of them."""
    from plotly.io.json import to_json_plotly

    return json.loads(to_json_plotly(pio.templates["plotly_white"].to_plotly_json()))


def plotly_js() -> str:
    """plotly.js from the installed plotly package (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def geo_assets_script() -> str:
    """The script that hands plotly.js the world geometry before it loads (so it fetches nothing)."""
    text = geometry_text().strip()
    if "</" in text:
        text = text.replace("</", "<\\/")
    return f"window.PlotlyGeoAssets={{topojson:{{world_50m:{text}}}}};"


def _geo(rd: RunData):
    """Countries the geometry draws, those it lacks, and every country's centroid (iso3, lat, lon)."""
    drawn, missing = drawn_countries(rd, geometry_countries())
    return drawn, missing, rd.countries.reindex(columns=["iso3", "lat", "lon"])


@functools.cache
def geometry_countries() -> frozenset[str]:
    """ISO3 codes of the countries the vendored geometry draws (read once per process)."""
    return frozenset(geometry_ids(load_geometry()))


def render_specs(rd: RunData) -> list[FigureSpec]:
    """Every figure of the run's report (:func:`~.build.report_figures` with the map's geometry)."""
    drawn, _, centroids = _geo(rd)
    return report_figures(rd, centroids, drawn)


def render(rd: RunData, only: str | None = None, specs: list[FigureSpec] | None = None) -> tuple[str, dict]:
    """The report's HTML text, and facts about it (figures, countries drawn, missing geometry, seconds, bytes).

    ``only``: a figure id: the file holds that figure alone. ``specs``: the figures, if
    :func:`render_specs` already made them.

    Raises
    ------
    ValueError
        If ``only`` is not a figure of this run.
    """
    t0 = time.perf_counter()
    drawn, missing_geo, centroids = _geo(rd)
    specs = specs if specs is not None else report_figures(rd, centroids, drawn)
    if only is not None:
        specs = [s for s in specs if s.id == only]
        if not specs:
            raise ValueError(f"no figure {only!r} in this report")
    payload_figs = [{"id": s.id, "choose": s.choose, "variants": [{"label": lab, "figure": f}
                                                                   for lab, f in s.variants]} for s in specs]
    has_map = any(s.id == "map" for s in specs)
    payload = {"figures": payload_figs, "template": template_json(),
               "map": map_payload(rd, drawn, centroids) if has_map else None}
    if has_map:  # the map's script reads its layout from the first figure
        payload["figures"].sort(key=lambda f: f["id"] != "map")
    body = []
    by_section: dict[str, list[FigureSpec]] = {}
    for s in specs:
        by_section.setdefault(s.section, []).append(s)
    for sid, heading in SECTIONS.items():
        if only is not None and sid not in by_section:
            continue
        parts = [f'<section id="{sid}"><h2>{html.escape(heading)}</h2>']
        if sid == "summary":
            parts.append(summary_html(rd))
        if sid == "comparison" and only is None:
            parts.append(comparison_html(rd))
        for s in by_section.get(sid, []):
            parts.append(f'<div class="figure" id="fig-{s.id}"><div class="controls"></div><div class="plot"></div>'
                         + (f'<p class="caption">{html.escape(s.caption)}</p>' if s.caption else "") + "</div>")
        if sid == "why" and only is None:
            parts.append(contributors_html(rd))
        if sid == "analysis" and only is None:
            parts.append(analysis_tables_html(rd))
        if sid == "data":
            parts.append(data_notes_html(rd, missing_geo))
        if not by_section.get(sid) and sid not in ("summary", "data", "comparison") and not (
                sid == "analysis" and rd.analysis):
            parts.append(f"<p class='missing'>{html.escape(_absent(sid, rd))}</p>")
        parts.append("</section>")
        body.append("".join(parts))
    nav = "".join(f'<a href="#{sid}">{html.escape(h.split(". ", 1)[1].split(":")[0])}</a>'
                  for sid, h in SECTIONS.items() if only is None)
    title = f"nato-socialism report: run {rd.run_id} ({rd.meta.get('scenario_name')})"
    doc = "".join([
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>",
        "<script>", geo_assets_script(), "</script>",
        "<script>", plotly_js(), "</script></head><body>",
        f"<header><h1>{html.escape(title)}</h1><p>{len(rd.doctrines)} doctrines × {rd.meta.get('members')} members, "
        f"{rd.meta.get('start_year')}–{int(rd.meta.get('start_year')) + int(rd.meta.get('horizon'))}. "
        "Generated from the stored results; opens offline.</p></header>",
        f"<nav>{nav}</nav>" if nav else "", "<main>", *body, "</main>",
        f'<script type="application/json" id="report-data">{script_json(payload)}</script>',
        f"<script>{_JS}</script></body></html>",
    ])
    facts = {"figures": [s.id for s in specs], "countries_drawn": len(drawn), "missing_geometry": missing_geo,
             "seconds": time.perf_counter() - t0, "bytes": len(doc.encode())}
    return doc, facts


def _absent(section: str, rd: RunData) -> str:
    if section == "map":
        return "No map: this run stores no country-year summary (schema version 1 or no committed chunk)."
    if section == "fans":
        return "No fan charts: this run has no committed series."
    if section == "order":
        return "No transition order: this run has no bloc outcomes."
    if section == "analysis":
        return ("This run has no analysis tables (Morris/Sobol indices from `nato-socialism sensitivity`, PRIM "
                "boxes from scenario discovery, Pareto fronts from `nato-socialism optimize`).")
    if section == "why":
        return "No \"why\" section: this run kept no member trajectories (run with --keep-trajectories K)."
    return ""


def write_report(rd: RunData, out: str | Path, only: str | None = None,
                 specs: list[FigureSpec] | None = None) -> dict:
    """Write the report of a run to ``out`` (atomically) and return the facts of :func:`render` and its path."""
    from ..experiments.store import atomic_write

    doc, facts = render(rd, only, specs)
    path = Path(out)
    atomic_write(path, lambda fh: fh.write(doc.encode()), "Nothing was written; free space or choose another --out.")
    return {**facts, "path": str(path)}
