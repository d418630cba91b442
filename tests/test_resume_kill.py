"""A run killed with SIGKILL mid-way resumes to the bitwise result of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from nato_socialism.experiments.ensemble import prepare
from nato_socialism.experiments.executors import run_in_memory
from nato_socialism.experiments.store import ResultStore
from nato_socialism.scenario import load_scenario

ARGS = [
    "--members",
    "12",
    "--years",
    "20",
    "--doctrine",
    "nato_first",
    "--doctrine",
    "one_country",
    "--chunk-size",
    "1",
]
TOTAL = 24


def cli(*args: str) -> subprocess.Popen:
    code = "import sys; from nato_socialism.cli.app import main; main(sys.argv[1:])"
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def committed(results: Path) -> int:
    return len(list(results.glob("*/chunks/*.json")))


def test_kill_then_resume(tmp_path):
    results = tmp_path / "results"
    proc = cli("run", *ARGS, "--results", str(results), "--json")
    deadline = time.time() + 120
    while committed(results) == 0 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = committed(results)
    assert 1 <= done < TOTAL, f"kill landed outside the run ({done} chunks committed)"

    store = ResultStore.open(results)  # a killed store opens without error
    (run_id,) = store.runs()["run_id"]
    assert store.runs().loc[0, "status"] == "interrupted"

    proc = cli("run", "--resume", run_id, "--results", str(results), "--json")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()

    meta = store.meta(run_id)
    assert meta["status"] == "complete" and meta["sessions"] == 2
    sessions = [c.manifest["session"] for c in store.committed(run_id)]
    assert len(sessions) == TOTAL
    assert 0 < sessions.count(2) < TOTAL  # the resume computed only the missing chunks
    assert sessions.count(1) >= done

    sc = load_scenario("default").with_overrides(members=12, horizon=20, doctrines=["nato_first", "one_country"])
    want = run_in_memory(prepare(sc), chunk_size=1)
    got = store.load(run_id, tables=("outcomes", "series"))
    for name in ("outcomes", "series"):
        a, b = getattr(got, name), getattr(want, name)
        assert list(a.columns) == list(b.columns)
        for c in a.columns:
            if a[c].dtype.kind in "fiu":
                assert a[c].to_numpy().tobytes() == b[c].to_numpy().tobytes(), (name, c)
