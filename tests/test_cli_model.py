"""The model commands through the installed CLI: run, explain, params."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nato_socialism.model.doctrines import DEFAULT_DOCTRINES
from nato_socialism.model.outcomes import OUTCOMES
from nato_socialism.model.parameters import registry


def cli(*args):
    exe = shutil.which("nato-socialism", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "nato_socialism.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def run_json(tmp_path_factory):
    out = cli("run", "--members", "6", "--years", "12", "--json", "--no-store")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_run_json_gives_the_default_doctrines_every_outcome(run_json):
    summary = run_json["summary"]
    assert {r["doctrine"] for r in summary} == set(DEFAULT_DOCTRINES)
    assert {r["outcome"] for r in summary} == set(OUTCOMES)
    for r in summary:
        assert r["direction"] in ("higher", "lower", "none")
        assert {"median", "p05", "p95", "mc_se", "reached"} <= set(r)
    pairs = {(r["a"], r["b"]) for r in run_json["comparison"]}
    assert len(pairs) == len(DEFAULT_DOCTRINES) * (len(DEFAULT_DOCTRINES) - 1)


def test_explain_decomposes_a_country_year_exactly():
    out = cli("explain", "--country", "fra", "--year", "2030", "--member", "2", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    for target in ("support", "reaction"):
        t = doc[target]
        total = sum(c["value"] for c in t["contributions"])
        assert abs(total - (t["after"] - t["before"])) < 1e-9
        values = [abs(c["value"]) for c in t["contributions"]]
        assert values == sorted(values, reverse=True)  # largest first


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--country", "FRN", "--year", "2030"], "FRA"),
        (["--country", "FRA", "--year", "1990"], "outside the run"),
        (["--country", "FRA", "--year", "2030", "--doctrine", "nato_frist"], "nato_first"),
    ],
)
def test_explain_bad_input_exits_2(args, needle):
    out = cli("explain", *args)
    assert out.returncode == 2
    assert needle in out.stderr and "Traceback" not in out.stderr


def test_params_json_lists_every_parameter_with_its_source():
    out = cli("params", "--json")
    assert out.returncode == 0
    doc = json.loads(out.stdout)
    assert [p["name"] for p in doc] == list(registry())
    assert all(p["source"] for p in doc)


def test_version():
    out = cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("nato-socialism ")
