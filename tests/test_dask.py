"""A 2-process Dask cluster gives bitwise the serial result, and both processes take part."""

from __future__ import annotations

import time

import pytest
from distributed import LocalCluster

from nato_socialism.errors import UserError
from nato_socialism.experiments.ensemble import prepare
from nato_socialism.experiments.executors import DaskExecutor, run_in_memory, start_run
from nato_socialism.experiments.store import ResultStore
from nato_socialism.scenario import load_scenario


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
    got = store.load(run_id, tables=("outcomes", "series", "trajectories", "why"))
    for name in ("outcomes", "series", "trajectories", "why"):
        a, b = getattr(got, name), getattr(serial, name)
        assert list(a.columns) == list(b.columns) and len(a) == len(b)
        for c in a.columns:
            if a[c].dtype.kind in "fiu":
                assert a[c].to_numpy().tobytes() == b[c].to_numpy().tobytes(), (name, c)
    workers = {(c.manifest["worker"]["worker"], c.manifest["worker"]["pid"]) for c in store.committed(run_id)}
    assert len(workers) == 2
    assert all(w.startswith("tcp://") for w, _ in workers)


def test_unreachable_scheduler_is_a_user_error():
    started = time.time()
    with pytest.raises(UserError, match="cannot reach the Dask scheduler"):
        DaskExecutor(scheduler="tcp://127.0.0.1:9", timeout=2)
    assert time.time() - started < 30
