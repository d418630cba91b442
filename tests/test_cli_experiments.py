"""The experiment commands end to end on the bundled data, and bad input -> exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nato_socialism.cli.app import main

SMALL = [
    "--members",
    "8",
    "--years",
    "10",
    "--doctrine",
    "nato_first",
    "--doctrine",
    "open_solidarity",
    "--chunk-size",
    "4",
]


def cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli") / "results"


@pytest.fixture(scope="module")
def run_id(results) -> str:
    main(["run", *SMALL, "--keep-trajectories", "2", "--results", str(results), "--json"])
    return sorted(p.name for p in results.iterdir() if p.is_dir())[-1]


def test_run_results_list_show_export(capsys, results, run_id, tmp_path):
    capsys.readouterr()
    code, out, _ = cli(capsys, "results", "list", "--results", results, "--json")
    assert code == 0 and json.loads(out)[0]["run_id"] == run_id
    code, out, _ = cli(capsys, "results", "show", run_id, "--results", results, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["run"]["status"] == "complete" and doc["summary"]
    code, out, _ = cli(capsys, "results", "show", run_id, "--results", results)
    assert code == 0 and "Doctrine comparison" in out
    code, out, _ = cli(capsys, "results", "show", run_id, "--country", "deu", "--results", results, "--json")
    rows = json.loads(out)["rows"]
    assert code == 0 and len(rows) == 2 * 11 and rows[0]["members"] == 2
    code, out, _ = cli(capsys, "results", "show", "latest", "--bloc", "nato", "--results", results)
    assert code == 0 and "nato bloc" in out
    for fmt in ("csv", "parquet"):
        code, out, _ = cli(
            capsys, "results", "export", run_id, "--format", fmt, "--out", tmp_path / fmt, "--results", results
        )
        assert code == 0
        assert {p.name for p in (tmp_path / fmt).iterdir()} >= {
            f"outcomes.{fmt}",
            f"series.{fmt}",
            f"trajectories.{fmt}",
            "run.json",
        }


def test_no_store_and_discover(capsys, results, run_id, tmp_path):
    code, out, _ = cli(capsys, "run", *SMALL, "--no-store", "--results", tmp_path / "none", "--json")
    assert code == 0 and json.loads(out)["run_id"] is None and not (tmp_path / "none").exists()
    code, out, _ = cli(
        capsys, "discover", run_id, "--outcome", "first_world_living_growth", "--results", results, "--json"
    )
    assert code == 0 and json.loads(out)["n"] == 8


def test_sensitivity_and_optimize_commands(capsys, tmp_path):
    results = tmp_path / "results"
    code, out, _ = cli(
        capsys,
        "sensitivity",
        "--outcome",
        "poverty_years_830",
        "--samples",
        "2",
        "--years",
        "3",
        "--results",
        results,
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["run_id"] and doc["indices"][0]["rank"] == 1
    code, out, _ = cli(
        capsys,
        "optimize",
        "--members",
        "2",
        "--years",
        "4",
        "--pop-size",
        "4",
        "--generations",
        "1",
        "--objective",
        "poverty_years_830",
        "--objective",
        "displaced_person_years",
        "--results",
        results,
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["front"] and len(doc["named"]) == 5
    code, out, _ = cli(capsys, "results", "show", doc["run_id"], "--results", results)
    assert code == 0 and "Pareto front" in out


BAD = [
    (["sensitivity", "--outcome", "world_povety_830"], "unknown outcome"),
    (["sensitivity", "--outcome", "poverty_years_830", "--doctrine", "nato_frist"], "unknown doctrine"),
    (["sensitivity", "--outcome", "poverty_years_830", "--method", "fast"], "unknown --method"),
    (["optimize", "--objective", "nope"], "unknown objective"),
    (["optimize", "--robustness", "median"], "unknown robustness"),
    (["results", "show", "no-such-run"], "no run 'no-such-run'"),
    (["results", "show", "latest", "--bloc", "natoo"], "unknown bloc"),
    (["results", "show", "latest", "--country", "XYZ"], "unknown country code"),
    (["results", "export", "latest", "--format", "xlsx"], "unknown export format"),
    (["discover", "latest", "--outcome", "poverty_years_830", "--better", "south_first"], "no doctrine"),
    (["discover", "latest", "--outcome", "transitions"], "no better direction"),
    (["run", "--resume", "latest", "--members", "3"], "drop --members"),
    (["run", "--resume", "no-such-run"], "no run"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a[:2]) for a, _ in BAD])
def test_bad_input_exits_2(capsys, results, run_id, args, message):
    code, _, err = cli(capsys, *args, "--results", results)
    assert code == 2 and message in err and "Traceback" not in err


def test_not_a_results_directory_exits_2(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    code, _, err = cli(capsys, "results", "list", "--results", tmp_path)
    assert code == 2 and "not a results directory" in err
    code, _, err = cli(capsys, "results", "show", "latest", "--results", tmp_path / "notes.txt")
    assert code == 2 and "not a results directory" in err
    code, _, err = cli(capsys, "run", *SMALL, "--results", tmp_path / "notes.txt")
    assert code == 2 and "is a file" in err


def test_corrupt_parquet_exits_2(capsys, results, run_id, tmp_path):
    import shutil

    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    next((copy / run_id / "outcomes").glob("*.parquet")).write_bytes(b"garbage")
    code, _, err = cli(capsys, "results", "show", run_id, "--results", copy)
    assert code == 2 and "not a readable Parquet file" in err


def test_unreachable_scheduler_exits_2(capsys, tmp_path):
    code, _, err = cli(capsys, "run", *SMALL, "--scheduler", "tcp://127.0.0.1:9", "--results", tmp_path / "r")
    assert code == 2 and "cannot reach the Dask scheduler" in err


def test_busy_results_directory_exits_2(capsys, results, run_id):
    from nato_socialism.experiments.store import ResultStore

    with ResultStore.open(results).writer():
        code, _, err = cli(capsys, "run", *SMALL, "--results", results)
    assert code == 2 and "in use by a run in progress" in err


def test_resume_of_a_run_made_by_other_model_code_exits_2(capsys, tmp_path):
    import duckdb

    results = tmp_path / "results"
    code, _, _ = cli(capsys, "run", "--members", "2", "--years", "2", "--doctrine", "status_quo", "--results", results)
    assert code == 0
    con = duckdb.connect(str(results / "runs.duckdb"))
    con.execute("update runs set model_hash = 'f00d'")
    con.close()
    code, _, err = cli(capsys, "run", "--resume", "latest", "--results", results)
    assert code == 2 and "other model code" in err and "cannot be resumed" in err and "Traceback" not in err
