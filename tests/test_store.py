"""The result store: round trip, schema, lock, bad directories, damaged files."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from nato_socialism.errors import UserError
from nato_socialism.experiments import store as store_module
from nato_socialism.experiments.ensemble import prepare
from nato_socialism.experiments.executors import chunk_plan, resume_run, run_in_memory, start_run
from nato_socialism.experiments.store import STORE_SCHEMA_VERSION, ResultStore
from nato_socialism.model.source_hash import MODEL_HASH
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
    assert meta["model_hash"] == MODEL_HASH and store.load(run_id).meta["model_hash"] == MODEL_HASH
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
        f"select doctrine, median(poverty_years_830), count(*) "
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


def _set_model_hash(store, run_id, value):
    con = duckdb.connect(str(store.db_path))
    con.execute("update runs set model_hash = ? where run_id = ?", [value, run_id])
    con.close()


@pytest.mark.parametrize("made_by", ["0" * 64, None])
def test_resume_refuses_a_run_made_by_other_model_code(setup, tmp_path, made_by):
    store = ResultStore.create(tmp_path / "results")
    with store.writer():
        run_id = start_run(setup, store, chunk_size=4)
    _set_model_hash(store, run_id, made_by)
    with store.writer(), pytest.raises(UserError, match="other model code" if made_by else "before model hashes"):
        resume_run(store, run_id)
    assert store.meta(run_id)["sessions"] == 1  # nothing was started


def test_a_store_made_before_model_hashes_gains_the_column(tmp_path):
    root = tmp_path / "results"
    root.mkdir()
    old_ddl = store_module._DDL.replace(", model_hash varchar", "").split("alter table")[0]
    con = duckdb.connect(str(root / "runs.duckdb"))
    con.execute(old_ddl)
    con.execute("insert into store_info values ('schema_version', '1')")
    con.execute("insert into runs (run_id, kind, status, started) values ('old', 'ensemble', 'complete', now())")
    con.close()
    assert "model_hash" not in ResultStore.open(root).meta("old")  # reading changes nothing
    store = ResultStore.create(root)
    assert store.meta("old")["model_hash"] is None


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_paths_with_quotes_are_bound_not_spliced(setup, tmp_path, fmt):
    """A results folder and an --out folder named with ' (and a space) work: no path is spliced into SQL."""
    from nato_socialism.experiments.store import bloc_series, country_trajectory, export_run

    store = ResultStore.create(tmp_path / "it's results")
    with store.writer():
        run_id = start_run(setup, store, chunk_size=4, keep=1)
    want = store.load(run_id, tables=("outcomes", "trajectories"))
    assert not bloc_series(store, run_id, "nato").empty
    assert set(country_trajectory(store, run_id, "FRA")["doctrine"]) == set(DOCTRINES)
    out = tmp_path / "o'clock export"
    written = export_run(store, run_id, fmt, out)
    assert {p.name for p in written} == {f"{t}.{fmt}" for t in ("experiments", "countries", "blocs", "data_notes",
                                                                 "outcomes", "series", "country_hist",
                                                                 "trajectories", "why")} | {"run.json"}
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    got = read(out / f"outcomes.{fmt}")
    assert list(got.columns) == list(want.outcomes.columns) and len(got) == len(want.outcomes)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)  # no temporary left


def test_latest_is_the_newest_run_that_can_serve(setup, tmp_path):
    from nato_socialism.cli.run import _to_resume

    store = ResultStore.create(tmp_path / "results")
    with store.writer():
        first = start_run(setup, store, chunk_size=4, keep=0)
        second = start_run(setup, store, chunk_size=4, keep=0)
    assert store.resolve("latest") == second
    assert store.resolve("latest", lambda m: None if m["run_id"] == first else "not this one") == first
    with pytest.raises(UserError, match=f"can serve the test .*{second}: no; {first}: no"):
        store.resolve("latest", lambda m: "no", "the test")
    assert _to_resume(store, "latest") == second  # all complete: the newest
    next((tmp_path / "results" / first / "chunks").glob("*.json")).unlink()  # first loses a chunk
    assert _to_resume(store, "latest") == first  # the newest run with chunks left
    assert _to_resume(store, second[:-1]) == second  # an explicit prefix is taken as given


@pytest.mark.parametrize("stage", ["empty database", "tables without the schema version"])
def test_a_store_whose_creation_was_killed_opens_empty(tmp_path, stage):
    """Killed inside ResultStore.create: runs.duckdb exists, the schema version does not yet."""
    root = tmp_path / "results"
    root.mkdir()
    con = duckdb.connect(str(root / "runs.duckdb"))
    if stage != "empty database":
        con.execute(store_module._DDL)
    con.close()
    store = ResultStore.open(root)
    assert store.runs().empty
    assert ResultStore.open(root)._schema_recorded()  # creation finished once, then plain opens
