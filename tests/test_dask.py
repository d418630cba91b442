"""A 2-process Dask cluster gives bitwise the serial result, and both processes take part.

Both through the library (an existing cluster's scheduler address) and through the command
line (``run --workers 2``: a local cluster started by the command).
"""

from __future__ import annotations

import json
import time

import pytest
from distributed import LocalCluster

from cli_helpers import cli
from nato_socialism.errors import UserError
from nato_socialism.experiments.ensemble import prepare
from nato_socialism.experiments.executors import DaskExecutor, run_in_memory, start_run
from nato_socialism.experiments.store import ResultStore
from nato_socialism.scenario import load_scenario

TABLES = ("outcomes", "series", "trajectories", "why")


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def test_dask_matches_serial_bitwise(cluster, tmp_path):
    sc = load_scenario("default").with_overrides(members=12, horizon=10, doctrines=["nato_first", "south_first"])
    setup = prepare(sc)
    serial = run_in_memory(setup, chunk_size=2, keep=1)
    store = ResultStore.create(tmp_path / "results")
    with store.writer(), DaskExecutor(scheduler=cluster.scheduler_address) as executor:
        run_id = start_run(setup, store, chunk_size=2, keep=1, executor=executor)
    _assert_bitwise(store.load(run_id, tables=TABLES), serial)
    _assert_two_dask_workers(store, run_id)


def _assert_bitwise(got, want) -> None:
    for name in TABLES:
        a, b = getattr(got, name), getattr(want, name)
        assert len(a) > 0, name
        assert list(a.columns) == list(b.columns) and len(a) == len(b), name
        for c in a.columns:
            if a[c].dtype.kind in "fiub":
                assert a[c].to_numpy().tobytes() == b[c].to_numpy().tobytes(), (name, c)
            else:
                assert a[c].tolist() == b[c].tolist(), (name, c)


def _assert_two_dask_workers(store, run_id) -> None:
    workers = {(c.manifest["worker"]["worker"], c.manifest["worker"]["pid"]) for c in store.committed(run_id)}
    assert len(workers) == 2
    assert all(w.startswith("tcp://") for w, _ in workers)


def test_run_command_with_two_workers_stores_the_serial_run_bitwise(tmp_path):
    args = ("run", "--members", "8", "--years", "6", "--seed", "41", "--doctrine", "nato_first",
            "--doctrine", "open_solidarity", "--chunk-size", "2", "--keep-trajectories", "3", "--json")
    stored = {}
    for how, extra in (("serial", ()), ("dask", ("--workers", "2"))):
        results = tmp_path / how
        code, out, err = cli(*args, *extra, "--results", str(results))
        assert code == 0, err[-2000:]
        store = ResultStore.open(results)
        run_id = json.loads(out)["run_id"]
        stored[how] = (store, run_id, store.load(run_id, tables=TABLES))
    (_, _, serial), (store, run_id, dask) = stored["serial"], stored["dask"]
    assert dask.meta["seed"] == serial.meta["seed"] == 41 and dask.meta["members"] == 8
    _assert_bitwise(dask, serial)
    _assert_two_dask_workers(store, run_id)
    assert {c.manifest["worker"]["worker"] for c in stored["serial"][0].committed(stored["serial"][1])} == {"serial"}


def test_unreachable_scheduler_is_a_user_error():
    started = time.time()
    with pytest.raises(UserError, match="cannot reach the Dask scheduler"):
        DaskExecutor(scheduler="tcp://127.0.0.1:9", timeout=2)
    assert time.time() - started < 30
