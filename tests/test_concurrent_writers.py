"""Two `run` processes writing into one results directory at once.

tests/test_store.py::test_second_writer_is_refused checks the run lock inside one process;
here two real processes race for it. Each must exit 0, or exit 2 with the "in use by a run
in progress" message (and register nothing); at least one completes; the store opens and
every run in it is complete with outcomes bitwise equal to an undisturbed run.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import time
from pathlib import Path

import pytest

from cli_helpers import spawn as _spawn
from nato_socialism.cli.app import main
from nato_socialism.experiments.store import ResultStore
from test_store import bitwise_equal

ARGS = ["--members", "24", "--years", "20", "--doctrine", "nato_first", "--chunk-size", "4"]
BUSY = "is in use by a run in progress"


def spawn(*args: str):
    return _spawn(*args, text=True)


def sorted_outcomes(store: ResultStore, run_id: str):
    frame = store.load(run_id).outcomes
    return frame.sort_values(["doctrine", "member"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    results = tmp_path_factory.mktemp("concurrent") / "reference"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        with contextlib.suppress(SystemExit):
            main(["run", *ARGS, "--results", str(results), "--json"])
    store = ResultStore.open(results)
    (run_id,) = store.runs()["run_id"]
    return sorted_outcomes(store, run_id)


def _check(results: Path, procs: list[subprocess.Popen], reference=None) -> list[int]:
    codes = []
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode in (0, 2), err
        assert "Traceback" not in err, err
        if proc.returncode == 2:
            assert BUSY in err and str(results) in err, err
        codes.append(proc.returncode)
    assert 0 in codes
    store = ResultStore.open(results)
    runs = store.runs()
    assert len(runs) == codes.count(0)  # a refused writer registered nothing
    spans = sorted((store.meta(r)["started"], store.meta(r)["finished"]) for r in runs["run_id"])
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start, spans  # runs that both completed were written one after the other
    for run_id in runs["run_id"]:
        assert store.meta(run_id)["status"] == "complete"
        got = sorted_outcomes(store, run_id)
        if reference is None:
            assert len(got) == 24 and not got.duplicated(["doctrine", "member"]).any()
        else:
            bitwise_equal(got, reference)
    return codes


@pytest.mark.parametrize("round_", range(3))
def test_two_runs_started_together(reference, tmp_path, round_):
    results = tmp_path / "results"
    procs = [spawn("run", *ARGS, "--results", str(results)) for _ in range(2)]
    codes = _check(results, procs, reference)
    print(f"round {round_}: exit codes {codes}")


def test_second_run_and_resume_during_a_run_are_refused(tmp_path):
    results = tmp_path / "results"
    long_run = [*ARGS[:2], "--years", "300", *ARGS[4:]]  # computes for longer than Python starts
    first = spawn("run", *long_run, "--results", str(results))
    while not (results.is_dir() and any(p.is_dir() for p in results.iterdir())) and first.poll() is None:
        time.sleep(0.005)  # the first run holds the lock and is registering its run
    second = spawn("run", *ARGS, "--results", str(results))
    third = spawn("run", "--resume", "latest", "--results", str(results))
    assert _check(results, [first, second, third]) == [0, 2, 2]
