"""The result store: round trip, schema, lock, bad directories, damaged files."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from nato_socialism.errors import UserError
from nato_socialism.experiments.ensemble import prepare
from nato_socialism.experiments.executors import chunk_plan, resume_run, run_in_memory, start_run
from nato_socialism.experiments.store import STORE_SCHEMA_VERSION, ResultStore
from nato_socialism.scenario import load_scenario

DOCTRINES = ["nato_first", "open_solidarity"]


def bitwise_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Same columns, same rows, same bits (NaN where NaN)."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind in "fiu":
            assert x.dtype == y.dtype, c
            assert x.tobytes() == y.tobytes(), c
        else:
            assert list(x.astype(str)) == list(y.astype(str)), c


@pytest.fixture(scope="module")
def setup():
    sc = load_scenario("default").with_overrides(members=8, horizon=10, doctrines=DOCTRINES)
    return prepare(sc)


@pytest.fixture(scope="module")
def stored(setup, tmp_path_factory):
    store = ResultStore.create(tmp_path_factory.mktemp("store") / "results")
    with store.writer():
        run_id = start_run(setup, store, chunk_size=3, keep=2)
    return store, run_id


def test_round_trip_is_bitwise(setup, stored):
    store, run_id = stored
    got = store.load(run_id, tables=("outcomes", "series", "country_hist", "trajectories", "why"))
    want = run_in_memory(setup, chunk_size=3, keep=2)
    for name in ("outcomes", "series", "trajectories", "why", "experiments"):
        bitwise_equal(getattr(got, name), getattr(want, name))
    pd.testing.assert_frame_equal(got.country_summary(), want.country_summary())
    assert set(got.trajectories["member"]) == {0, 1}
    # the stored summary is the in-memory one
    pd.testing.assert_frame_equal(got.summary(), want.summary())


def test_metadata_and_chunk_index(stored):
    store, run_id = stored
    meta = store.meta(run_id)
    assert meta["status"] == "complete" and meta["kind"] == "ensemble"
    assert meta["scenario"]["members"] == 8 and meta["scenario"]["doctrines"] == DOCTRINES
    assert meta["seed"] == 1 and meta["data_version"] and meta["package_version"]
    assert meta["chunk_plan"] == [list(b) for b in chunk_plan(8, 3, 2)]
    assert meta["parameters"]["erosion_strength"][0] < meta["parameters"]["erosion_strength"][1]
    assert meta["started"] <= meta["finished"]
    con = duckdb.connect(str(store.db_path), read_only=True)
    n, workers = con.execute("select count(*), count(distinct pid) from chunks where run_id = ?", [run_id]).fetchone()
    con.close()
    assert n == len(meta["chunk_plan"]) * 2 and workers == 1


def test_parquet_carries_schema_version_and_duckdb_reads_the_glob(stored):
    store, run_id = stored
    path = store.files(run_id, "outcomes")[0]
    meta = pq.read_schema(path).metadata
    assert meta[b"nato_socialism.schema_version"] == str(STORE_SCHEMA_VERSION).encode()
    assert meta[b"nato_socialism.table"] == b"outcomes"
    rows = duckdb.sql(
        f"select doctrine, median(world_poverty_mean), count(*) "
        f"from '{store.root}/{run_id}/outcomes/*.parquet' group by 1 order by 1"
    ).fetchall()
    assert [(r[0], r[2]) for r in rows] == [("nato_first", 8), ("open_solidarity", 8)]


def test_second_writer_is_refused(stored):
    store, _ = stored
    with store.writer():
        assert store.busy()
        with pytest.raises(UserError, match="in use by a run in progress"):
            with ResultStore.open(store.root).writer():
                pass
    assert not store.busy()


def test_not_a_results_directory(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UserError, match="not a results directory"):
        ResultStore.open(tmp_path)
    with pytest.raises(UserError, match="does not exist"):
        ResultStore.open(tmp_path / "missing")
    with pytest.raises(UserError, match="is a file"):
        ResultStore.create(tmp_path / "notes.txt")
    ResultStore.create(tmp_path)  # a folder with other files becomes a store; they stay
    assert (tmp_path / "notes.txt").read_text() == "hello" and ResultStore.open(tmp_path).runs().empty


def test_unknown_run_and_prefix(stored):
    store, run_id = stored
    assert store.resolve(run_id[:10]) == run_id
    assert store.resolve("latest") == run_id
    with pytest.raises(UserError, match="no run 'nope'"):
        store.resolve("nope")


def test_damaged_file_is_reported_and_resume_repairs_it(setup, tmp_path):
    store = ResultStore.create(tmp_path / "results")
    with store.writer():
        run_id = start_run(setup, store, chunk_size=4)
    want = store.load(run_id).outcomes
    damaged = store.files(run_id, "outcomes")[1]
    damaged.write_bytes(b"not parquet at all")
    with pytest.raises(UserError, match="not a readable Parquet file"):
        store.load(run_id)
    with store.writer():
        resume_run(store, run_id)
    bitwise_equal(store.load(run_id).outcomes, want)
    assert store.meta(run_id)["sessions"] == 2


def test_a_store_of_older_runs_takes_newer_ones(tmp_path):
    store = ResultStore.create(tmp_path / "results")
    with store._db(write=True) as db:
        db.execute("update store_info set value = '1' where key = 'schema_version'")
    ResultStore.create(tmp_path / "results")  # what `run` does before writing a run
    with store._db() as db:
        assert db.execute("select value from store_info").fetchone()[0] == str(STORE_SCHEMA_VERSION)
    with store._db(write=True) as db:
        db.execute("update store_info set value = ? where key = 'schema_version'", [str(STORE_SCHEMA_VERSION + 1)])
    with pytest.raises(UserError, match="reads version"):
        ResultStore.open(tmp_path / "results")


def test_killed_run_reads_as_interrupted(setup, tmp_path):
    store = ResultStore.create(tmp_path / "results")
    with store.writer():
        run_id = store.create_run(
            {"kind": "ensemble", "doctrines": DOCTRINES, "chunk_plan": [[0, 8]], "members": 8}, iter(())
        )
    assert store.runs().loc[0, "status"] == "interrupted"
    assert store.pending(run_id) == 16
    assert store.load(run_id).outcomes.empty


def test_every_stored_column_is_documented(stored):
    from pathlib import Path

    from nato_socialism.model.parameters import registry

    doc = (Path(__file__).parents[1] / "docs" / "results.md").read_text()
    store, run_id = stored
    result = store.load(run_id, tables=("outcomes", "series", "country_hist", "trajectories", "why"))
    tables = {name: getattr(result, name) for name in ("experiments", "outcomes", "series", "country_hist",
                                                         "trajectories", "why")}
    tables |= {name: store.read(run_id, name) for name in ("countries", "blocs", "data_notes")}
    tables["country_summary"] = result.country_summary()
    for name, frame in tables.items():
        assert not frame.empty, name
        for column in frame.columns:
            if column not in registry():
                assert f"`{column}`" in doc, (name, column)
    for column in store.runs().columns:
        if column not in ("chunks_done", "chunks_total"):
            assert f"`{column}`" in doc, ("runs", column)
