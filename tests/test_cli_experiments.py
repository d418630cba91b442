"""The experiment commands end to end on the bundled data, and bad input -> exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from nato_socialism.cli.app import main
from nato_socialism.model.doctrines import DOCTRINE_NAMES

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
    (["sensitivity", "--outcome", "world_povety_830"], "'world_povety_830' is not a known outcome"),
    (["sensitivity", "--outcome", "poverty_years_830", "--doctrine", "nato_frist"],
     "is not a known doctrine; expected one of nato_first"),
    (["sensitivity", "--outcome", "poverty_years_830", "--method", "fast"],
     "'fast' is not a known method; expected one of morris, sobol"),
    (["optimize", "--objective", "nope"], "'nope' is not a known outcome"),
    (["optimize", "--robustness", "median"], "is not a known robustness statistic"),
    (["results", "show", "no-such-run"], "no run 'no-such-run'"),
    (["results", "show", "latest", "--bloc", "natoo"], "Did you mean 'nato'"),
    (["results", "show", "latest", "--country", "XYZ"], "unknown country code"),
    (["results", "export", "latest", "--format", "xlsx"], "'xlsx' is not a known format; expected one of csv, parquet"),
    (["discover", "latest", "--outcome", "poverty_years_830", "--better", "south_first"], "no south_first"),
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


def test_results_list_is_readable_at_80_columns(results, run_id, tmp_path):
    """Fixed columns stay on one line; only the doctrines wrap, at word boundaries."""
    import io

    from rich.console import Console

    from nato_socialism.cli.results import runs_table
    from nato_socialism.experiments.store import ResultStore

    runs = ResultStore.open(results).runs()
    runs = pd.concat([runs, runs.assign(run_id="20990101-000000-abcdef", status="interrupted", chunks_done=1,
                                        doctrines=json.dumps(list(DOCTRINE_NAMES)))], ignore_index=True)
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(runs_table(runs, str(results)))
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)
    rows = [i for i, line in enumerate(lines) if line.startswith(("20", " 20"))]
    assert [lines[i].split()[0] for i in rows] == [run_id, "20990101-000000-abcdef"]  # ids whole
    assert "interrupted 1/" in lines[rows[1]] and "default: all 6" in lines[rows[1]]
    assert rows[1] - rows[0] <= 3  # a row takes at most 3 lines


def test_results_directory_from_the_environment(capsys, results, run_id, monkeypatch):
    monkeypatch.setenv("NATO_SOCIALISM_RESULTS", str(results))
    code, out, _ = cli(capsys, "results", "list", "--json")
    assert code == 0 and json.loads(out)[0]["run_id"] == run_id
    code, out, _ = cli(capsys, "results", "show", "latest", "--json")
    assert code == 0 and json.loads(out)["run"]["run_id"] == run_id


def test_fixed_choices_complete_from_the_registries():
    from nato_socialism.cli.options import complete_choice

    assert complete_choice("doctrine", "nato") == ["nato_first"]
    assert complete_choice("format", "") == ["csv", "parquet"]
    assert "demsoc_share_end" in complete_choice("outcome", "demsoc")
    assert complete_choice("series_bloc", "brics") == ["brics_plus"]


def test_shell_completion_is_on(tmp_path):
    import os
    import subprocess

    from cli_helpers import COMMAND

    env = {**os.environ, "_NATO_SOCIALISM_COMPLETE": "complete_bash", "COMP_WORDS": "nato-socialism run --doctrine nat",
           "COMP_CWORD": "3"}
    done = subprocess.run(COMMAND, env=env, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and done.stdout.split() == ["nato_first"], done.stderr
