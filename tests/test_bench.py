"""`nato-socialism bench --quick --json`: every figure is reported with its target and whether it was met."""

import json
import subprocess
import sys

from nato_socialism.experiments.bench import TARGETS


def test_bench_quick_json_reports_every_figure_with_target_and_met_flag():
    out = subprocess.run([sys.executable, "-m", "nato_socialism.cli", "bench", "--quick", "--json"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout)
    assert report["quick"] is True
    assert report["machine"]["cpu"] and report["machine"]["blas"]
    figures = {f["name"]: f for f in report["figures"]}
    assert set(figures) == set(TARGETS)
    for name, f in figures.items():
        assert f["target"] and f["unit"], name
        assert "met" in f and f["met"] in (True, False, None), name
        if f["value"] is None:  # not measured: it says why
            assert f["met"] is None and ("error" in f["detail"] or "note" in f["detail"]), name
        else:
            assert f["met"] in (True, False) and f["value"] > 0, name
