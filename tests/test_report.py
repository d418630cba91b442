"""The report without a browser: figure specs, generic analysis tables, version 1 runs, the command."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from cli_helpers import cli
from nato_socialism.report import figures as F
from nato_socialism.report import load_run_data
from nato_socialism.report.html import render, render_specs
from report_helpers import DOCTRINES, downgrade_to_v1, small_run


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("report") / "results"
    store, run_id = small_run(root)
    return store, run_id


@pytest.fixture(scope="module")
def rd(run):
    store, run_id = run
    return load_run_data(store.root, run_id)


@pytest.fixture(scope="module")
def specs(rd):
    return render_specs(rd)


def _axes(layout: dict) -> list[str]:
    return [k for k in layout if re.fullmatch(r"[xy]axis\d*", k)]


def test_every_part_is_there(rd, specs):
    assert rd.missing == []
    ids = [s.id for s in specs]
    assert ids[0] == "map" and "transition-order" in ids and "forest" in ids
    assert {"why-waterfall", "why-contributors"} <= set(ids)
    assert {f"fan-{q}" for q in ("demsoc_share", "bureaucratic_share", "reactionary_share", "living", "poverty",
                                 "displaced")} <= set(ids)
    fan = next(s for s in specs if s.id == "fan-reactionary_share")
    assert [label for label, _ in fan.variants] == ["world", "NATO", "BRIC", "BRICS+ (new members)",
                                                    "democratic periphery", "developing world"]
    # the default "why" is the largest yearly support drop in a NATO country among the kept members
    drops = rd.why_drops
    assert (drops["change"] < 0).all() and drops["change"].is_monotonic_increasing
    nato = rd.blocs[rd.blocs["nato"]]
    assert set(zip(drops["iso3"], drops["year"], strict=True)) <= set(zip(nato["iso3"], nato["year"], strict=True))
    assert np.allclose(drops["after"] - drops["before"], drops["change"])


def test_every_figure_is_valid_plotly_with_a_title_and_axis_titles(specs):
    for s in specs:
        for label, spec in s.variants:
            go.Figure({"data": spec["data"], "layout": spec["layout"]})  # plotly validates every property
            layout = spec["layout"]
            assert layout["title"]["text"], (s.id, label)
            for ax in _axes(layout):
                if ax.endswith("axis") or ax[5:].isdigit():
                    assert layout[ax].get("title", {}).get("text"), (s.id, label, ax)
            if "geo" in layout:
                assert layout["coloraxis"]["colorbar"]["title"]["text"], (s.id, label)


def test_public_figure_functions_return_figures(rd):
    fig = F.fan_chart(rd.series_quantiles, "demsoc_share", "nato")
    assert isinstance(fig, go.Figure) and "NATO" in fig.layout.title.text
    assert len(fig.data) == 3 * len(DOCTRINES)
    m = F.world_map(rd.country_summary, "p_democratic_socialist", "nato_first", 2030, countries=rd.countries)
    assert isinstance(m, go.Figure) and len(m.data[0].locations) == 197
    r = F.world_map(rd.country_summary, "regime", "status_quo", 2025, kept=rd.kept, member=1)
    assert set(np.asarray(r.data[0].z, dtype=float)) <= {0, 1, 2, 3, 4}
    assert isinstance(F.transition_order(rd.outcomes), go.Figure)
    assert isinstance(F.forest_plot(rd.comparison, rd.outcomes, "nato_first"), go.Figure)
    d = rd.why_drops.iloc[0]
    w = F.why_waterfall(rd.why, rd.kept, d["doctrine"], int(d["member"]), d["iso3"], int(d["year"]))
    assert w.data[0].measure[0] == "absolute" and w.data[0].measure[-1] == "total"
    assert np.isclose(w.data[0].y[-1], 100 * d["after"])
    assert isinstance(F.contributors_heatmap(rd.contributors, "nato_first"), go.Figure)


def test_fan_chart_draws_the_stored_quantiles(rd):
    spec = F.fan_chart_spec(rd.series_quantiles, "demsoc_share", "world", ["nato_first"])
    median = spec["data"][-1]["y"]
    s = rd.series_quantiles
    want = s[(s["column"] == "demsoc_share") & (s["doctrine"] == "nato_first")]["p50"].to_numpy() * 100
    assert np.allclose(median, want, rtol=1e-6)


def test_analysis_tables_are_drawn_generically(tmp_path):
    """The tables the analyses really write (discovery, re-analysis, Morris indices, a Pareto front) are drawn
    by their columns; a table of another shape is listed."""
    from nato_socialism.experiments.discovery import DiscoveryConfig, discover
    from nato_socialism.experiments.sensitivity import reanalyze

    store, run_id = small_run(tmp_path / "results", members=24, horizon=12)
    discover(store, run_id, "demsoc_share_end", "nato_first", "open_solidarity",
             config=DiscoveryConfig(permutations=2, resamples=2, boxes=1))
    reanalyze(store, run_id, "demsoc_share_end", method="delta", resamples=20)
    params = ["erosion_strength", "aid_growth_effect", "init_movement_democracy"]
    rng = np.random.default_rng(0)
    store.write_table(run_id, "indices", pd.DataFrame({
        "rank": [1, 2, 3], "parameter": params, "mu": [0.3, -0.1, 0.05], "mu_star": [0.3, 0.2, 0.05],
        "mu_star_conf": [0.05, 0.04, 0.01], "sigma": [0.2, 0.1, 0.02]}))
    store.write_table(run_id, "pareto_front", pd.DataFrame({
        "candidate": range(6), "year_demsoc_50": rng.uniform(2040, 2100, 6),
        "poverty_years_830": rng.uniform(0, 0.1, 6), "displaced_person_years": rng.uniform(1, 3, 6)}))
    store.write_table(run_id, "named", pd.DataFrame({
        "doctrine": ["nato_first", "status_quo"], "year_demsoc_50": [2080.0, 2090.0],
        "poverty_years_830": [0.05, 0.06], "displaced_person_years": [2.0, 2.5], "dominated": [True, True],
        "epsilon": [0.1, 0.2], "gain": [0.0, 0.0]}))
    rd = load_run_data(store.root, run_id)
    names = set(rd.analysis)
    kinds = {n: F.analysis_kind(t) for n, t in rd.analysis.items()}
    assert kinds["indices"] == "sensitivity"
    assert kinds["sensitivity-delta-nato_first-demsoc_share_end"] == "sensitivity"
    prefix = "discovery-prim-nato_first-vs-open_solidarity-demsoc_share_end"
    assert {f"{prefix}-{p}" for p in ("boxes", "limits", "features", "trajectory")} <= names
    assert kinds[f"{prefix}-trajectory"] == "prim_peeling" and kinds[f"{prefix}-boxes"] is None
    specs = {s.id: s for s in render_specs(rd)}
    for name, kind in kinds.items():
        if kind is not None and not rd.analysis[name].empty:
            assert f"analysis-{name}" in specs, name
    delta = specs["analysis-sensitivity-delta-nato_first-demsoc_share_end"].variants[0][1]
    assert delta["data"][0]["name"].startswith("δ") and delta["layout"]["shapes"]  # ranked by delta, noise floor
    pareto = specs["pareto"].variants[0][1]
    assert len(_axes(pareto["layout"])) == 2 * 3  # 3 objectives: every pair
    assert {"nato_first", "status_quo", "Pareto front"} <= {t["name"] for t in pareto["data"]}
    assert not rd.analysis[f"{prefix}-limits"].empty
    limits = rd.analysis[f"{prefix}-limits"].iloc[0]
    bar = specs[f"analysis-{prefix}-limits"].variants[0][1]["data"][0]
    span = limits["range_high"] - limits["range_low"]
    assert np.isclose(bar["base"][0], (limits["low"] - limits["range_low"]) / span)
    doc, _ = render(rd, specs=list(specs.values()))
    assert f"analysis/{prefix}-boxes.parquet" in doc  # not drawn: listed as a table


def test_html_is_one_file_with_everything_inlined(rd):
    doc, facts = render(rd)
    assert facts["countries_drawn"] == 195 and facts["missing_geometry"] == ["TUV", "XKX"]
    assert "<script src" not in doc and "<link" not in doc and "@import" not in doc
    assert "window.PlotlyGeoAssets={topojson:{world_50m:" in doc
    assert doc.index("PlotlyGeoAssets") < doc.index("plotly.js v")  # the geometry is there before plotly.js
    payload = json.loads(re.search(r'id="report-data">(.*?)</script>', doc, re.S).group(1).replace("<\\/", "</"))
    assert len(payload["map"]["iso3"]) == 197 and payload["map"]["inside"] == 195
    for section in ("summary", "map", "fans", "order", "comparison", "analysis", "why", "data"):
        assert f'<section id="{section}">' in doc
    assert "Tuvalu (TUV)" in doc and "imputed" in doc


def test_single_figure(rd):
    doc, facts = render(rd, only="forest")
    assert facts["figures"] == ["forest"] and '<section id="map">' not in doc
    with pytest.raises(ValueError):
        render(rd, only="nope")


def test_version_1_run_names_what_it_lacks(tmp_path):
    store, run_id = small_run(tmp_path / "results", members=6, horizon=8)
    downgrade_to_v1(store, run_id, keep_why=False)
    rd = load_run_data(store.root, run_id)
    text = " ".join(rd.missing)
    assert "schema version 1" in text and "country-year histograms" in text and "kept no member" in text
    assert "rebuilt from its scenario" in text and not rd.countries.empty
    doc, facts = render(rd)
    assert "map" not in facts["figures"] and "why-waterfall" not in facts["figures"]
    assert "fan-demsoc_share" in facts["figures"] and "fan-reactionary_share" in facts["figures"]
    fan = next(s for s in render_specs(rd) if s.id == "fan-reactionary_share")
    assert [label for label, _ in fan.variants] == ["world"]  # v1 recorded no bloc series but the socialist share
    assert "What this run lacks" in doc and "No map" in doc


def test_command_writes_the_report(run, tmp_path):
    store, run_id = run
    out = tmp_path / "r.html"
    code, stdout, stderr = cli("report", run_id[:12], "--results", str(store.root), "--out", str(out), "--json")
    assert code == 0, stderr
    done = json.loads(stdout)
    assert done["html"]["path"] == str(out) and out.stat().st_size == done["html"]["bytes"]
    assert done["html"]["countries_drawn"] == 195
    code, stdout, _ = cli("report", "--results", str(store.root), "--only", "list")
    assert code == 0 and "map" in stdout.split() and "forest" in stdout.split()
    code, stdout, _ = cli("report", "--results", str(store.root), "--only", "forest")
    assert code == 0 and (store.run_dir(run_id) / "report-forest.html").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "forrest"], "has no figure 'forrest'"),
        (["nope"], "no run 'nope'"),
        (["--no-html"], "--no-html writes nothing"),
        (["--png", "PNGFILE"], "is a file"),
        (["--png", "PNGFILE/x"], "is a file"),
        (["--png", "DIR", "--width", "10"], "out of range"),
        (["--png", "DIR", "--height", "20000"], "out of range"),
    ],
)
def test_bad_input(run, tmp_path, args, message):
    store, _ = run
    (tmp_path / "PNGFILE").write_text("x")
    args = [a.replace("PNGFILE", str(tmp_path / "PNGFILE")).replace("DIR", str(tmp_path / "png")) for a in args]
    code, stdout, stderr = cli("report", *args, "--results", str(store.root), "--out", str(tmp_path / "x.html"))
    assert code == 2 and message in stderr and "Traceback" not in stderr
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "png").exists()  # refused before writing


def test_missing_results_directory(tmp_path):
    code, _, stderr = cli("report", "--results", str(tmp_path / "none"))
    assert code == 2 and "does not exist" in stderr


def test_the_report_never_imports_the_command_line():
    """Both are interfaces (tests/test_architecture.py checks the layers); the report stands on its own."""
    from test_architecture import import_graph

    report = {m: deps for m, deps in import_graph().items() if m.startswith("nato_socialism.report")}
    assert report and not [(m, d) for m, deps in report.items() for d in deps if d.startswith("nato_socialism.cli")]


def test_run_without_chunks_still_reports(tmp_path):
    from nato_socialism.experiments.store import ResultStore

    store = ResultStore.create(tmp_path / "results")
    with store.writer():
        run_id = store.create_run({"kind": "ensemble", "doctrines": DOCTRINES, "chunk_plan": [[0, 4]], "members": 4,
                                   "start_year": 2023, "horizon": 5}, iter(()))
    code, stdout, stderr = cli("report", run_id, "--results", str(store.root), "--out", str(tmp_path / "r.html"),
                               "--json")
    assert code == 0, stderr
    done = json.loads(stdout)
    assert "no committed chunks" in " ".join(done["missing"]) and done["html"]["figures"] == []
