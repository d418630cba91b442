"""Anchor checks (validate): every field present, known answers, honest verdicts, exit status 0."""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from nato_socialism.cli.validate import validate
from nato_socialism.errors import UserError
from nato_socialism.model.parameters import default_params
from nato_socialism.model.switches import Switches
from nato_socialism.validation import anchors as anc
from nato_socialism.validation import panel_stats as ps
from nato_socialism.validation import runs

MEMBERS, YEARS = 4, 30
REQUIRED = {
    "breakdown_poor", "breakdown_lower", "breakdown_middle", "breakdown_rich", "dictatorship_exits_flat",
    "emigration_peak", "emigration_elasticity", "emigration_hump_realized", "refugee_reaction", "aid_growth",
    "aid_diminishing", "campaign_viability", "campaign_success_nonviolent", "campaign_success_violent",
    "diffusion_s_shape",
}

_app = typer.Typer()


@_app.callback()
def _root() -> None:
    """Test app."""


_app.command("validate")(validate)


@pytest.fixture(scope="module")
def anchors():
    return anc.run_anchors(members=MEMBERS, years=YEARS)


@pytest.fixture(scope="module")
def default_bench():
    """A bench whose single member has every parameter at its default."""
    bench = anc.Bench(members=1, years=YEARS)
    p, keys, table = bench.ensemble
    bench.__dict__["ensemble"] = (default_params(1), keys, table)
    return bench


def test_every_required_anchor_is_checked(anchors):
    names = [a.name for a in anchors]
    assert len(names) == len(set(names))
    assert REQUIRED <= set(names)
    assert any(a.label == "emergent" for a in anchors)


def test_every_anchor_has_all_fields(anchors):
    for a in anchors:
        d = a.to_dict()
        for key in ("name", "published", "source", "data", "model", "tolerance", "label", "verdict"):
            assert key in d, (a.name, key)
        assert d["label"] in ("input", "emergent")
        assert d["verdict"] in ("PASS", "FAIL", "NO DATA")
        assert d["source"] and d["published"]["text"] and d["data"]["text"]
        assert set(d["model"]) >= {"value", "low", "high", "text"}
        assert d["tolerance"]["reason"] and d["tolerance"]["low"] <= d["tolerance"]["high"]
        if d["verdict"] != "NO DATA":
            inside = d["tolerance"]["low"] <= d["model"]["value"] <= d["tolerance"]["high"]
            assert inside == (d["verdict"] == "PASS"), a.name


def test_panel_figures_sit_beside_the_published_ones(anchors):
    by_name = {a.name: a for a in anchors}
    for band in ("poor", "lower", "middle", "rich"):
        data = by_name[f"breakdown_{band}"].data
        assert data.value is not None and "democracy-years" in data.text
    assert by_name["democracy_drift"].data.value > 0  # Brinks & Coppedge's drift is in the V-Dem panel
    assert by_name["democratization_neighbours"].data.value > 1


def test_verdict_is_computed_not_asserted():
    fig = anc.Figure(1.0, "1")
    args = dict(name="x", description="", label="input", published=fig, source="s", data=fig, unit="ratio",
                tolerance_reason="r")
    assert anc.Anchor(model=anc.Figure(1.5, ""), tolerance=(0.5, 2.0), **args).verdict == "PASS"
    assert anc.Anchor(model=anc.Figure(2.5, ""), tolerance=(0.5, 2.0), **args).verdict == "FAIL"
    assert anc.Anchor(model=anc.Figure(None, ""), tolerance=(0.5, 2.0), **args).verdict == "NO DATA"


def test_known_answers_at_default_parameters(default_bench):
    p = default_params(1)
    # the hump peaks at emigration_peak_income (grid resolution ~1.6 %)
    peak = anc.emigration_peak(default_bench).model.value
    assert peak == pytest.approx(float(p.emigration_peak_income[0, 0]), rel=0.02)
    # a Hill curve of exponent 2 turns from convex to concave at h / sqrt(3)
    inflection = anc.diffusion_s_shape(default_bench).model.value
    assert inflection == pytest.approx(float(p.diffusion_half_share[0, 0]) / np.sqrt(3), abs=0.002)
    # viability is one half at the viability level; 0.35 / (1 + 0.01 / 0.1) at 1 % aid
    assert anc.campaign_viability(default_bench).model.value == pytest.approx(0.035, abs=1e-4)
    assert anc.aid_growth(default_bench).model.value == pytest.approx(0.35 / 1.1)
    assert anc.aid_volume(default_bench).model.value == pytest.approx(float(p.baseline_aid_share[0, 0]))


def test_measured_breakdown_hazard_matches_the_input_without_backsliding():
    """With M9 off, the hazard measured on the run is the input up to binomial noise."""
    bench = anc.Bench(members=MEMBERS, years=40)
    bench.__dict__["ctx"] = runs.context(bench.world, bench.years, Switches(runs.MOVEMENTS_OFF.off | {"reaction"}))
    run = bench.long_run
    band = 2
    exposure = run.dem_years[:, band]
    expected = (exposure * np.ravel(bench.params.breakdown_hazard_middle)).sum()
    events = run.breakdowns[:, band].sum()
    assert exposure.sum() > 500
    assert abs(events - expected) < 3.5 * np.sqrt(expected)


def test_refugee_shock_raises_reaction(anchors):
    """The Dustmann perturbation moves reaction up on average (its size is the anchor's verdict).

    The range of ``reaction_immigration_effect`` includes the negative estimates (hosting with
    contact, the largest cities; issue 12), so the ensemble's interval now includes negative
    effects and only the central value's sign is a property of the model.
    """
    effect = {a.name: a for a in anchors}["refugee_reaction"].model
    assert effect.value > 0 and effect.low < 0 < effect.high


def test_hazard_wilson_interval_and_bands():
    # Wilson (1927) by hand: with no event the upper end is z^2 / (n + z^2)
    h = ps.hazard(1000, 0)
    assert h["hazard"] == 0 and h["low95"] == 0 and h["upper95"] == pytest.approx(1.959964**2 / (1000 + 1.959964**2))
    # 1 event in 30 years: (k + z^2/2 -+ z sqrt(k (n - k) / n + z^2 / 4)) / (n + z^2)
    h = ps.hazard(30, 1)
    assert (h["low95"], h["upper95"]) == pytest.approx((0.0059086, 0.1667039), abs=1e-6)
    assert h["low95"] > 0  # the Wald interval 1/30 - 1.96 se would be negative
    h = ps.hazard(50, 50)
    assert h["upper95"] == 1 and h["low95"] == pytest.approx(50 / (50 + 1.959964**2))
    edges = ps.band_edges()
    assert edges == pytest.approx((2070.0, 6210.0, 12533.85))
    assert list(ps.income_band([1000, 2070, 6209, 50000])) == [0, 1, 1, 3]


def test_ols_recovers_a_known_line():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(50), 20)
    x = rng.normal(size=groups.size)
    y = 0.02 - 0.5 * x + rng.normal(0, 0.01, groups.size)
    fit = ps.ols(y, np.column_stack([np.ones_like(x), x]), groups)
    assert fit.coef == pytest.approx([0.02, -0.5], abs=0.003)
    assert fit.clusters == 50 and (fit.se > 0).all()


def test_cluster_robust_errors_match_the_cr1_sandwich():
    """statsmodels' clustered errors equal the CR1 sandwich written out (Cameron & Miller 2015, eq. 11-12)."""
    rng = np.random.default_rng(1)
    g, m = 40, 15
    groups = np.repeat(np.arange(g), m)
    x = np.column_stack([np.ones(g * m), rng.normal(size=g * m) + np.repeat(rng.normal(size=g), m)])
    y = x @ [0.1, 0.3] + np.repeat(rng.normal(0, 0.5, g), m) + rng.normal(0, 0.2, g * m)  # correlated within groups
    fit = ps.ols(y, x, groups)
    coef = np.linalg.solve(x.T @ x, x.T @ y)
    u = y - x @ coef
    bread = np.linalg.inv(x.T @ x)
    meat = sum(np.outer(x[groups == j].T @ u[groups == j], x[groups == j].T @ u[groups == j]) for j in range(g))
    n, k = x.shape
    cov = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread
    assert fit.coef == pytest.approx(coef, rel=1e-10)
    assert fit.se == pytest.approx(np.sqrt(np.diag(cov)), rel=1e-8)
    iid = np.sqrt(np.diag(bread) * (u @ u) / (n - k))
    assert fit.se[0] > 2 * iid[0]  # clustering matters here: the iid errors would be far too small


def test_panel_pairs_are_consecutive_years():
    pairs = ps.pairs()
    assert not pairs.empty
    assert (pairs.groupby("iso3")["year"].diff().dropna() >= 1).all()
    assert pairs["growth"].abs().max() <= ps.GROWTH_CLIP
    assert not pairs["iso3"].str.startswith("OWID").any()


def test_cli_json_exit_zero_whatever_the_verdicts():
    result = CliRunner().invoke(_app, ["validate", "--json", "--members", "3", "--years", "15"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {a["name"] for a in doc["anchors"]} >= REQUIRED
    assert doc["meta"]["members"] == 3


def test_cli_markdown_writes_anchors_and_hindcast(tmp_path):
    md = tmp_path / "validation.md"
    out = tmp_path / "hc"
    args = ["validate", "--members", "2", "--years", "12", "--markdown", str(md), "--hindcast", "1990:1995",
            "--out", str(out)]
    result = CliRunner().invoke(_app, args)
    assert result.exit_code == 0, result.output
    text = md.read_text()
    assert "## Validation" in text and "## Input consistency" in text and "## Hindcast" in text
    assert "breakdown_poor" in text
    assert "fitted on the panel 1960-1989" in text
    assert (out / "per_country.csv").is_file()
    assert "PASS" in result.stdout or "FAIL" in result.stdout


def test_cli_bad_window_is_a_user_error():
    result = CliRunner().invoke(_app, ["validate", "--hindcast", "1990"])
    assert isinstance(result.exception, UserError)


def test_markdown_table_escapes_pipes(anchors):
    from nato_socialism.validation.report import anchors_markdown

    text = anchors_markdown(anchors)
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == len(anchors)
    assert all(row.count(" | ") == 6 for row in rows)


def test_validate_writes_nothing_into_the_working_folder_unasked(tmp_path, monkeypatch):
    from cli_helpers import cli

    monkeypatch.chdir(tmp_path)
    code, out, err = cli("validate", "--hindcast", "1990:1994", "--members", "2", "--json")
    assert code == 0, err
    assert json.loads(out)["hindcast"]["out"] is None
    assert list(tmp_path.iterdir()) == []


def test_validation_steps_report_progress(monkeypatch):
    """The anchors, the hindcast and the calibration report (done, total, what); the commands show it."""
    from contextlib import contextmanager

    from cli_helpers import cli
    from nato_socialism.cli import validate as validate_module

    seen: list[tuple[int, int, str]] = []

    @contextmanager
    def recorder(enabled=True):
        yield lambda done, total, what: seen.append((done, total, what))

    monkeypatch.setattr(validate_module, "steps", recorder)
    hindcast_steps = 6
    for args, totals in ((["validate", "--members", "2", "--years", "12"], (len(anc.CHECKS), hindcast_steps)),
                         (["validate", "--hindcast", "1990:1994", "--members", "2"], (hindcast_steps,)),
                         (["calibrate", "--fit", "1960:1979", "--test", "1980:1989"], (4,))):
        seen.clear()
        code, _, err = cli(*args)
        assert code == 0, err
        assert [t for t in dict.fromkeys(t for _, t, _ in seen)] == list(totals), (args, seen)
        for total in totals:  # each step sequence counts up to its own total
            done = [d for d, t, _ in seen if t == total]
            assert done == sorted(done) and done[0] == 0 and done[-1] == total, (args, seen)
        assert all(what for _, _, what in seen)
