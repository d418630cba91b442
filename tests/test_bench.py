"""`nato-socialism bench --quick --json`: every figure is measured, as named, with its target and met flag.

The command reports a failed or substituted measurement instead of raising (for users); this
test does not accept one: every figure must have a finite value, no error, no note and no
fallback. No figure is exempt on this machine (each needs only declared dependencies, the
repository's ``reference/`` and Debian's Chromium, see docs/performance.md).
"""

import json
import math
import subprocess
import sys

import pytest

from nato_socialism.experiments import bench
from nato_socialism.experiments.bench import TARGETS

#: Figures allowed to go unmeasured here: name -> reason. Empty: every figure is measured.
UNMEASURABLE: dict[str, str] = {}


@pytest.fixture(scope="module")
def report():
    out = subprocess.run([sys.executable, "-m", "nato_socialism.cli", "bench", "--quick", "--json"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def test_bench_quick_json_reports_every_figure_with_target_and_met_flag(report):
    assert report["quick"] is True
    assert report["machine"]["cpu"] and report["machine"]["blas"]
    figures = {f["name"]: f for f in report["figures"]}
    assert set(figures) == set(TARGETS)
    for name, f in figures.items():
        assert f["target"] and f["unit"], name
        assert f["met"] in (True, False, None), name


def test_every_figure_is_measured_without_error_or_fallback(report):
    problems = []
    for f in report["figures"]:
        if f["name"] in UNMEASURABLE:
            continue
        d = f["detail"]
        bad = {k: d[k] for k in ("error", "note", "fallback") if k in d}
        if f["value"] is None or not math.isfinite(f["value"]) or f["value"] <= 0:
            bad["value"] = f["value"]
        if f["met"] not in (True, False):
            bad["met"] = f["met"]
        if d.get("same_outcomes") is False:  # the EMA adapter must compute what the native run does
            bad["same_outcomes"] = False
        for key in ("blocked_requests", "console_errors"):  # a page that broke or went online measured nothing
            if d.get(key):
                bad[key] = d[key]
        if bad:
            problems.append((f["name"], bad))
    assert not problems, problems


def test_start_up_without_an_installed_script_is_flagged_as_a_fallback(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    cmd, fallback = bench._script()
    assert cmd[1:] == ["-m", "nato_socialism.cli"] and "python -m nato_socialism.cli" in fallback


def test_peak_memory_measured_without_the_run_command_is_flagged_as_a_fallback(monkeypatch):
    monkeypatch.setattr(bench, "_cli", lambda *args: [sys.executable, "-c", "raise SystemExit(3)"])
    figures = bench.peak_rss(4, 2, 2)
    for name in ("peak_rss_10000", "peak_rss_flat"):
        value, detail = figures[name]
        assert value > 0 and "the run command failed" in detail["fallback"], name
    assert "fallback" in figures["peak_rss_10000"][1]["how"]


def test_a_value_that_is_not_finite_is_an_error():
    f = bench._figure("core_throughput", float("nan"), {"members": 1})
    assert f.value is None and f.met is None and "not finite" in f.detail["error"] and f.detail["members"] == 1
