"""Repeated SIGKILL trials: a `run` killed at a random moment leaves a store that opens, and
`run --resume` (or, if the kill came before the run was registered, a fresh run into the same
folder) ends with outcomes bitwise equal to an uninterrupted run.

tests/test_resume_kill.py kills once, right after the first chunk; here the moment is drawn
(seeded). One trial in four kills uniformly between 0.2 s and the reference run's wall time
(mostly Python start-up, store and run creation); the others wait for the run's folder to
appear and then kill uniformly within 1.1 times the time the reference run took from its
folder to its last chunk, so kills land
while the experiments table or the run row is written, between or inside chunks, or after
the last manifest. The counts per phase are printed (``pytest -s``) and recorded in
docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import time
from collections import Counter
from pathlib import Path

from cli_helpers import cli, spawn
from nato_socialism.experiments.store import ResultStore
from test_store import bitwise_equal

TRIALS = 24
SEED = 20261125
ARGS = ["--members", "24", "--years", "20", "--doctrine", "nato_first", "--chunk-size", "4"]
CHUNKS = 7  # the 2 kept members (default --keep-trajectories) in their own chunk, then 22 members / 4


def outcomes(results: Path, run_id: str):
    store = ResultStore.open(results)
    assert store.meta(run_id)["status"] == "complete"
    frame = store.load(run_id).outcomes
    return frame.sort_values(["doctrine", "member"], kind="stable").reset_index(drop=True)


def committed(results: Path) -> int:
    return len(list(results.glob("*/chunks/*.json")))


def registered(results: Path) -> bool:
    """The run's folder exists (``create_run`` makes it just before writing the experiments)."""
    return results.is_dir() and any(p.is_dir() for p in results.iterdir())


def test_random_sigkill_then_resume(tmp_path):
    # one uninterrupted reference run, timing its phases
    ref = tmp_path / "reference"
    t0 = time.monotonic()
    proc = spawn("run", *ARGS, "--results", str(ref))
    t_dir = t_chunk = t_last = None
    while proc.poll() is None:
        if t_dir is None and registered(ref):
            t_dir = time.monotonic() - t0
        if t_chunk is None and committed(ref):
            t_chunk = time.monotonic() - t0
        if t_last is None and committed(ref) == CHUNKS:
            t_last = time.monotonic() - t0
        time.sleep(0.002)
    wall = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr.read().decode()
    assert None not in (t_dir, t_chunk, t_last)
    (ref_id,) = ResultStore.open(ref).runs()["run_id"]
    want = outcomes(ref, ref_id)
    assert len(want) == 24

    rng = random.Random(SEED)
    phases: Counter[str] = Counter()
    log = []
    for trial in range(TRIALS):
        results = tmp_path / f"trial{trial:02d}"
        t0 = time.monotonic()
        proc = spawn("run", *ARGS, "--results", str(results))
        if trial % 4 == 0:  # any moment of the run, start-up included
            time.sleep(rng.uniform(0.2, wall))
        else:  # after the run folder appears (start-up is most of `wall`), until just past the last chunk
            while not registered(results) and proc.poll() is None:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 1.1 * (t_last - t_dir)))
        at = time.monotonic() - t0
        exited = proc.poll() is not None
        if not exited:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        done = committed(results)

        # the store opens: `results list` exits 0 (or, killed before runs.duckdb existed,
        # exits 2 saying the folder is not a results directory)
        code, out, err = cli("results", "list", "--results", str(results), "--json")
        has_db = (results / "runs.duckdb").is_file()
        assert code == (0 if has_db else 2), (trial, code, err)
        runs = json.loads(out) if code == 0 else []
        if code == 2:
            assert "results directory" in err or "does not exist" in err, err
        if exited:
            phase = "exited before the kill"
        elif not runs:
            phase = "before the run was registered"
        elif done == 0:
            phase = "registered, before the first chunk"
        elif done < CHUNKS:
            phase = "mid-run"
        else:
            phase = "after the last chunk"
        phases[phase] += 1
        log.append(f"trial {trial:2d}: killed at {at:.2f} s, {done}/{CHUNKS} chunks committed, {phase}")

        if runs:  # resume it (in-process)
            (row,) = runs
            run_id = row["run_id"]
            assert row["status"] in ("interrupted", "complete"), row
            code, _, err = cli("run", "--resume", run_id, "--results", str(results), "--json")
            assert code == 0, err
            store = ResultStore.open(results)
            sessions = [c.manifest["session"] for c in store.committed(run_id)]
            assert len(sessions) == CHUNKS and sessions.count(1) >= done  # committed chunks were kept
            assert not list(store.run_dir(run_id).glob("**/.*.tmp"))
        else:  # nothing to resume: the folder must still take a new run
            code, _, err = cli("run", *ARGS, "--results", str(results), "--json")
            assert code == 0, err
            (run_id,) = ResultStore.open(results).runs()["run_id"]
        bitwise_equal(outcomes(results, run_id), want)
        shutil.rmtree(results)

    summary = (
        f"reference run {wall:.2f} s (run folder at {t_dir:.2f} s, first chunk at {t_chunk:.2f} s, "
        f"last at {t_last:.2f} s); "
        + ", ".join(f"{k}: {v}" for k, v in sorted(phases.items()))
    )
    print("\n" + "\n".join(log) + "\n" + summary)
    assert sum(phases.values()) == TRIALS
    assert phases["mid-run"] >= 1, summary  # the interesting case is actually exercised
