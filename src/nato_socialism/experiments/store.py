"""The result store: run metadata in DuckDB, tables in Parquet, written chunk by chunk.

Layout of a results directory (schema version :data:`STORE_SCHEMA_VERSION`, documented
column by column in ``docs/results.md``)::

    results/
      runs.duckdb                 runs (one row per run) and chunks (who computed what)
      .run.lock                   held (fcntl.flock) by the one process writing runs here
      .db.lock                    held around every short DuckDB access
      <run_id>/
        experiments/<doctrine>.parquet     one row per member: seed key, parameter values
        outcomes/<doctrine>-<chunk>.parquet
        series/<doctrine>-<chunk>.parquet
        trajectories/<doctrine>-<chunk>.parquet   (chunks holding kept members only)
        why/<doctrine>-<chunk>.parquet             (idem)
        chunks/<doctrine>-<chunk>.json     manifest, written last: the chunk is committed
        analysis/<name>.parquet            sensitivity indices, Pareto fronts, ...

Crash safety: every file is written atomically (:mod:`nato_socialism.atomic`: a hidden
temporary file in its own folder, fsynced, renamed over its final name, the folder fsynced);
a chunk counts as committed only
once its manifest exists, and the manifest is written after all its tables. File names are
fixed by (doctrine, chunk) and chunks are deterministic, so a chunk recomputed after a crash
overwrites any orphan file with identical content. DuckDB allows one writing process: it is
opened only for a few short statements (run start, end, chunk index) under ``.db.lock``, and
manifests, not DuckDB, are the truth about which chunks exist.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import __version__, atomic
from ..errors import UserError
from ..model.source_hash import MODEL_HASH
from .result import CHUNK_TABLE_NAMES, RESULT_SCHEMA_VERSION, Result

#: Version of the stored tables and of the DuckDB schema (bump on any incompatible change).
STORE_SCHEMA_VERSION = RESULT_SCHEMA_VERSION
DB_NAME = "runs.duckdb"
#: Formats of :func:`export_run`.
EXPORT_FORMATS = ("csv", "parquet")
#: Tables a chunk may write, in commit order.
CHUNK_TABLES = CHUNK_TABLE_NAMES
#: Run-level tables written once when a run starts (``<run>/<name>.parquet``, schema version 2).
RUN_LEVEL_TABLES = ("countries", "blocs", "data_notes")
#: Every table of a run (views of :meth:`ResultStore.query`, files of ``results export``).
RUN_TABLES = ("experiments", *RUN_LEVEL_TABLES, *CHUNK_TABLES)

_DDL = """
create table if not exists store_info (key varchar primary key, value varchar);
create table if not exists runs (
    run_id varchar primary key, kind varchar, status varchar, scenario_name varchar,
    scenario varchar, parameters varchar, seed bigint, members bigint, horizon integer,
    start_year integer, doctrines varchar, chunk_plan varchar, chunk_size integer,
    keep_trajectories integer, package_version varchar, data_version varchar, data_dir varchar,
    schema_version integer, started timestamp, finished timestamp, sessions integer,
    command varchar, extra varchar, model_hash varchar);
alter table runs add column if not exists model_hash varchar;
create table if not exists chunks (
    run_id varchar, doctrine varchar, chunk integer, first_member bigint, members integer,
    session integer, worker varchar, pid integer, host varchar, started timestamp,
    finished timestamp);
"""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_run_id() -> str:
    """A sortable, unique run id: UTC start time and 6 random hex digits."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


_RESUME_HINT = ("Its temporary file was removed and chunks committed before it are kept; free space (or use another "
                "--results directory) and finish the run with `nato-socialism run --resume RUN`.")


def atomic_write(path: Path, write, hint: str = _RESUME_HINT) -> int:
    """Write ``path`` with :func:`~nato_socialism.atomic.atomic_write`; return its size.

    A failure is a :class:`UserError` naming the file and the cause, then ``hint`` (default: how to finish the run).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return atomic.atomic_write(path, write)
    except OSError as err:  # disk full, quota, read-only or vanished folder: nothing partial stays
        reason = err.strerror or str(err) or type(err).__name__
        code = f", {errno.errorcode[err.errno]}" if err.errno in errno.errorcode else ""
        raise UserError(f"cannot write {path}: {reason}{code}. {hint}") from None


def write_parquet(path: Path, frame: pd.DataFrame | pa.Table, table: str, run_id: str) -> int:
    """Atomically write a table (pandas or pyarrow) with the schema version in its Parquet metadata."""
    arrow = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta.update(
        {
            b"nato_socialism.schema_version": str(STORE_SCHEMA_VERSION).encode(),
            b"nato_socialism.table": table.encode(),
            b"nato_socialism.run_id": run_id.encode(),
        }
    )
    arrow = arrow.replace_schema_metadata(meta)
    # row groups of ~4,000 rows keep the writer's buffers small for the wide list columns of country_hist
    rows = 4096 if table == "country_hist" else None
    return atomic_write(path, lambda fh: pq.write_table(arrow, fh, compression="zstd", row_group_size=rows))


def read_parquet(paths: Sequence[Path], run_id: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read and concatenate Parquet files; a damaged file is a :class:`UserError` naming it."""
    tables = []
    for path in paths:
        try:
            tables.append(pq.read_table(path, columns=list(columns) if columns else None))
        except (pa.ArrowException, OSError) as err:
            raise UserError(
                f"{path} is missing or not a readable Parquet file ({err}). The results of run "
                f"{run_id} are damaged; delete the chunk manifest of that file under "
                f"{path.parent.parent / 'chunks'} and recompute it with "
                f"`nato-socialism run --resume {run_id}`."
            ) from None
    if not tables:
        return pd.DataFrame()
    return pa.concat_tables(tables).to_pandas()


@dataclass(frozen=True)
class Chunk:
    """A committed chunk as recorded by its manifest."""

    doctrine: str
    index: int
    first_member: int
    members: int
    manifest: dict


class ResultStore:
    """A results directory (see the module docstring for its layout).

    Use :meth:`open` for an existing store and :meth:`create` to make one (or open it if it
    exists). Reading never takes the run lock; writing runs must hold :meth:`writer`.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self.db_path = self.root / DB_NAME
        self._order: dict[str, dict[str, int]] = {}  # run -> doctrine run order (fixed when a run is created)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, root: str | Path) -> ResultStore:
        """Open an existing results directory.

        Raises
        ------
        UserError
            If ``root`` does not exist or is not a results directory.
        """
        root = Path(root)
        if not root.is_dir() or not (root / DB_NAME).is_file():
            what = "does not exist" if not root.exists() else "is not a results directory (no runs.duckdb)"
            raise UserError(f"{root} {what}; pass --results DIR of a directory written by `nato-socialism run`.")
        store = cls(root)
        if not store._schema_recorded():
            # runs.duckdb exists but the process creating it was killed before it recorded the
            # schema version: it holds no run yet, and creating is idempotent, so finish it
            return cls.create(root)
        store._check_schema()
        return store

    @classmethod
    def create(cls, root: str | Path) -> ResultStore:
        """Open a results directory, creating it (and its database) if needed.

        An existing folder becomes a store by gaining ``runs.duckdb`` (other files in it, such
        as validation reports, are left alone; runs live in their own sub-folders).

        Raises
        ------
        UserError
            If ``root`` is a file.
        """
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise UserError(f"--results {root} is a file, not a results directory.")
        root.mkdir(parents=True, exist_ok=True)
        store = cls(root)
        with store._db(write=True) as db:  # idempotent, serialized by the database lock
            db.execute(_DDL)
            db.execute("insert or ignore into store_info values ('schema_version', ?)", [str(STORE_SCHEMA_VERSION)])
            # a store that held only older runs now holds runs of this version too
            db.execute("update store_info set value = ? where key = 'schema_version' and cast(value as integer) < ?",
                       [str(STORE_SCHEMA_VERSION), STORE_SCHEMA_VERSION])
        store._check_schema()
        return store

    def _schema_recorded(self) -> bool:
        with self._db() as db:
            has_table = db.execute("select count(*) from information_schema.tables "
                                   "where table_name = 'store_info'").fetchone()[0]
            return bool(has_table) and db.execute(
                "select count(*) from store_info where key = 'schema_version'").fetchone()[0] > 0

    def _check_schema(self) -> None:
        with self._db() as db:
            row = db.execute("select value from store_info where key = 'schema_version'").fetchone()
        if row is None or int(row[0]) > STORE_SCHEMA_VERSION:
            raise UserError(
                f"{self.root} was written with store schema version {row and row[0]}; this "
                f"nato-socialism {__version__} reads version {STORE_SCHEMA_VERSION} or older."
            )

    @contextmanager
    def _db(self, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short DuckDB connection under the database lock (shared for reading)."""
        with open(self.root / ".db.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            try:
                con = duckdb.connect(str(self.db_path), read_only=not write)
            except duckdb.Error as err:
                raise UserError(f"{self.db_path} cannot be opened as a DuckDB database ({err}).") from None
            try:
                yield con
            finally:
                con.close()

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the directory's run lock; refuse (UserError) if another process holds it."""
        path = self.root / ".run.lock"
        fh = open(path, "a+")
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip() or "another process"
                raise UserError(
                    f"{self.root} is in use by a run in progress ({holder}); wait for it to "
                    "finish or use another --results directory."
                ) from None
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()} on {socket.gethostname()}")
            fh.flush()
            yield
        finally:
            fh.close()  # closing releases the flock

    def busy(self) -> bool:
        """True while some process holds the run lock (a run is being written)."""
        path = self.root / ".run.lock"
        if not path.exists():
            return False
        with open(path) as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
        return False

    # ------------------------------------------------------------------ runs
    def run_dir(self, run_id: str) -> Path:
        """Folder of a run's files."""
        return self.root / run_id

    def create_run(self, meta: dict, experiments: Iterator[tuple[str, pd.DataFrame]],
                   tables: dict[str, pd.DataFrame] | None = None) -> str:
        """Register a new run (status ``running``) and write its experiments and run-level tables.

        ``meta`` holds the ``runs`` columns (see ``docs/results.md``); ``experiments`` yields
        (doctrine, table) pairs so a large design is written one doctrine at a time;
        ``tables`` are the run-level tables (:data:`RUN_LEVEL_TABLES`).
        """
        run_id = meta.get("run_id") or new_run_id()
        folder = self.run_dir(run_id)
        folder.mkdir()
        for doctrine, table in experiments:
            write_parquet(folder / "experiments" / f"{doctrine}.parquet", table, "experiments", run_id)
        for name, table in (tables or {}).items():
            assert name in RUN_LEVEL_TABLES, name
            write_parquet(folder / f"{name}.parquet", table, name, run_id)
        atomic.fsync_dir(folder)
        row = {
            **meta,
            "run_id": run_id,
            "status": "running",
            "schema_version": STORE_SCHEMA_VERSION,
            "package_version": __version__,
            "model_hash": MODEL_HASH,
            "started": _now(),
            "finished": None,
            "sessions": 1,
        }
        with self._db(write=True) as db:
            cols = list(row)
            db.execute(
                f"insert into runs ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
                [_sql_value(row[c]) for c in cols],
            )
        return run_id

    def start_session(self, run_id: str) -> int:
        """Mark a run as running again (resume) and return its new session number."""
        with self._db(write=True) as db:
            db.execute("update runs set status = 'running', sessions = sessions + 1 where run_id = ?", [run_id])
            return int(db.execute("select sessions from runs where run_id = ?", [run_id]).fetchone()[0])

    def finish(self, run_id: str, status: str) -> None:
        """Record the end of a session and index the committed chunks in DuckDB."""
        rows = [_chunk_row(run_id, c) for c in self.committed(run_id)]
        with self._db(write=True) as db:
            db.execute("begin")
            db.execute("update runs set status = ?, finished = ? where run_id = ?", [status, _now(), run_id])
            db.execute("delete from chunks where run_id = ?", [run_id])
            if rows:
                db.executemany("insert into chunks values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.execute("commit")

    def update_extra(self, run_id: str, extra: dict) -> None:
        """Merge keys into a run's ``extra`` JSON (analysis settings and summaries)."""
        merged = {**self.meta(run_id)["extra"], **extra}
        with self._db(write=True) as db:
            db.execute("update runs set extra = ? where run_id = ?", [json.dumps(merged), run_id])

    def runs(self) -> pd.DataFrame:
        """Every run, newest first, with committed chunk counts and live status."""
        with self._db() as db:
            frame = db.execute("select * from runs order by started desc").df()
        busy = self.busy()
        frame["chunks_done"] = [len(self.committed(r)) for r in frame["run_id"]]
        frame["chunks_total"] = [
            len(json.loads(p)) * len(json.loads(d)) if p else 0
            for p, d in zip(frame["chunk_plan"], frame["doctrines"], strict=True)
        ]
        frame["status"] = [_live_status(s, busy) for s in frame["status"]]
        return frame

    def resolve(self, run: str, usable: Callable[[dict], str | None] | None = None, purpose: str = "") -> str:
        """A run id from an id, a unique prefix of one, or ``latest``.

        ``latest`` is the newest run that ``usable`` accepts: ``usable(meta)`` returns None
        for a run that can serve, else the reason it cannot (``purpose`` names what the run
        is for in the message). Without ``usable``, the newest run.

        Raises
        ------
        UserError
            If no run (or more than one) matches, or no run is usable for ``latest``.
        """
        with self._db() as db:
            ids = [r[0] for r in db.execute("select run_id from runs order by started").fetchall()]
        if run == "latest" and ids:
            if usable is None:
                return ids[-1]
            skipped = []
            for run_id in reversed(ids):
                reason = usable(self.meta(run_id))
                if reason is None:
                    return run_id
                skipped.append(f"{run_id}: {reason}")
            shown = "; ".join(skipped[:3]) + (f"; and {len(skipped) - 3} more" if len(skipped) > 3 else "")
            raise UserError(f"no run in {self.root} can serve {purpose or 'this command'} ({shown}). Make one, or "
                            "name a run id (`nato-socialism results list` shows them).")
        if run in ids:
            return run
        matches = [i for i in ids if i.startswith(run)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UserError(f"run {run!r} is ambiguous in {self.root}: {', '.join(matches)}.")
        known = f" Runs there: {', '.join(ids[-5:])}." if ids else " It holds no runs yet."
        raise UserError(f"no run {run!r} in {self.root}.{known} `nato-socialism results list` shows them all.")

    def meta(self, run_id: str) -> dict:
        """A run's metadata row with its JSON columns decoded and its live status."""
        with self._db() as db:
            frame = db.execute("select * from runs where run_id = ?", [run_id]).df()
        if frame.empty:
            raise UserError(f"no run {run_id!r} in {self.root}.")
        row = frame.iloc[0].to_dict()
        for key in ("scenario", "parameters", "doctrines", "chunk_plan", "extra"):
            row[key] = json.loads(row[key]) if isinstance(row[key], str) else ({} if key == "extra" else None)
        row["status"] = _live_status(row["status"], self.busy())
        for key in ("started", "finished"):
            row[key] = None if pd.isna(row[key]) else pd.Timestamp(row[key]).isoformat()
        return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}

    # ------------------------------------------------------------------ chunks
    def write_chunk(
        self,
        run_id: str,
        doctrine: str,
        index: int,
        members: np.ndarray,
        tables,
        worker: dict,
        session: int,
        started: float,
    ) -> None:
        """Write one chunk's tables atomically, then its manifest (which commits it).

        ``tables`` has one attribute per name of :data:`CHUNK_TABLES`; a table that is missing,
        None or empty is not written (e.g. chunks without kept members, EMA results).
        """
        folder = self.run_dir(run_id)
        stem = f"{doctrine}-{index:06d}"
        files = {}
        for name in CHUNK_TABLES:
            frame = getattr(tables, name, None)
            if frame is None or (frame.num_rows == 0 if isinstance(frame, pa.Table) else frame.empty):
                continue
            path = folder / name / f"{stem}.parquet"
            size = write_parquet(path, frame, name, run_id)
            files[name] = {"path": f"{name}/{stem}.parquet", "rows": len(frame), "bytes": size}
        for name in files:
            atomic.fsync_dir(folder / name)
        manifest = {
            "schema_version": STORE_SCHEMA_VERSION,
            "run_id": run_id,
            "doctrine": doctrine,
            "chunk": index,
            "first_member": int(members[0]),
            "members": len(members),
            "files": files,
            "session": session,
            "worker": worker,
            "started": started,
            "finished": time.time(),
        }
        atomic_write(folder / "chunks" / f"{stem}.json", lambda fh: fh.write(json.dumps(manifest).encode()))
        atomic.fsync_dir(folder / "chunks")

    def committed(self, run_id: str, verify: bool = False) -> list[Chunk]:
        """Return the committed chunks of a run (those with a manifest).

        With ``verify``, chunks whose files are missing or have the wrong size are dropped and
        their manifest deleted, so a resume recomputes them.
        """
        folder = self.run_dir(run_id) / "chunks"
        out = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                m = json.loads(path.read_text())
            except (OSError, ValueError):
                m = None  # cannot happen for atomically written manifests; treat as uncommitted
            ok = m is not None
            if ok and verify:
                for f in m["files"].values():
                    p = self.run_dir(run_id) / f["path"]
                    ok &= p.is_file() and p.stat().st_size == f["bytes"]
            if not ok:
                if verify:
                    path.unlink(missing_ok=True)
                continue
            out.append(Chunk(m["doctrine"], m["chunk"], m["first_member"], m["members"], m))
        return out

    def pending(self, run_id: str) -> int:
        """Return how many member-doctrine pairs of a run are not committed yet."""
        meta = self.meta(run_id)
        done = sum(c.members for c in self.committed(run_id))
        return meta["members"] * len(meta["doctrines"]) - done

    def clean_temporaries(self, run_id: str) -> None:
        """Remove temp files left by a killed writer."""
        for tmp in self.run_dir(run_id).glob("**/.*.tmp"):
            tmp.unlink(missing_ok=True)

    def files(self, run_id: str, table: str) -> list[Path]:
        """Committed files of a run's table, in doctrine-run order then chunk order."""
        folder = self.run_dir(run_id)
        if table == "experiments":
            return sorted((folder / "experiments").glob("*.parquet"))
        if table in RUN_LEVEL_TABLES:
            return [p for p in [folder / f"{table}.parquet"] if p.is_file()]
        order = self._doctrine_order(run_id)
        chunks = sorted(self.committed(run_id), key=lambda c: (order.get(c.doctrine, len(order)), c.index))
        return [folder / c.manifest["files"][table]["path"] for c in chunks if table in c.manifest["files"]]

    def _doctrine_order(self, run_id: str) -> dict[str, int]:
        if run_id not in self._order:
            self._order[run_id] = {d: i for i, d in enumerate(self.meta(run_id)["doctrines"] or [])}
        return self._order[run_id]

    # ------------------------------------------------------------------ reading
    def read(self, run_id: str, table: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A run's table (committed chunks only), sorted by doctrine run order and member."""
        frame = read_parquet(self.files(run_id, table), run_id, columns)
        if table == "experiments" and not frame.empty:
            order = self._doctrine_order(run_id)
            frame = frame.sort_values(
                ["doctrine", "member"], key=lambda s: s.map(order) if s.name == "doctrine" else s, kind="stable"
            ).reset_index(drop=True)
        return frame

    def load(self, run_id: str, tables: Sequence[str] = ("outcomes",)) -> Result:
        """A stored run as a :class:`Result` (only the named tables are read; others empty)."""
        meta = self.meta(run_id)
        frames = {t: (self.read(run_id, t) if t in tables else pd.DataFrame()) for t in CHUNK_TABLES}
        doctrines = meta["doctrines"] or []
        result_meta = {
            "schema_version": meta["schema_version"],
            "package_version": meta["package_version"],
            "data_version": meta["data_version"],
            "model_hash": meta.get("model_hash"),
            "scenario": meta["scenario_name"],
            "seed": meta["seed"],
            "members": meta["members"],
            "horizon": meta["horizon"],
            "start_year": meta["start_year"],
            "doctrines": doctrines,
            "started": meta["started"],
            "finished": meta["finished"],
            "run_id": run_id,
            "status": meta["status"],
            "kind": meta["kind"],
        }
        return Result(meta=result_meta, experiments=self.read(run_id, "experiments"), **frames)

    @contextmanager
    def query(self, run_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """An in-memory DuckDB connection with one view per table of the run (committed chunks).

        Aggregations then stream over the Parquet files instead of loading them.
        """
        con = duckdb.connect()
        try:
            for table in RUN_TABLES:
                paths = self.files(run_id, table)
                if paths:  # the relation API takes the paths as values: no quoting, any file name
                    con.read_parquet([str(p) for p in paths]).create_view(table)
            yield con
        except duckdb.Error as err:
            raise UserError(
                f"cannot read the tables of run {run_id} in {self.root}: {err}. A file may be "
                f"damaged; `nato-socialism run --resume {run_id}` recomputes chunks whose "
                "files are missing."
            ) from None
        finally:
            con.close()

    def write_table(self, run_id: str, name: str, frame: pd.DataFrame) -> Path:
        """Atomically write an analysis table (``<run>/analysis/<name>.parquet``)."""
        path = self.run_dir(run_id) / "analysis" / f"{name}.parquet"
        write_parquet(path, frame, name, run_id)
        return path

    def read_table(self, run_id: str, name: str) -> pd.DataFrame:
        """Read an analysis table written by :meth:`write_table`."""
        path = self.run_dir(run_id) / "analysis" / f"{name}.parquet"
        if not path.exists():
            raise UserError(f"run {run_id} has no {name} table.")
        return read_parquet([path], run_id)


def _live_status(status: str, busy: bool) -> str:
    # a 'running' row with nobody holding the run lock was killed
    return "interrupted" if status == "running" and not busy else status


def _sql_value(value):
    if isinstance(value, dict | list | tuple):
        return json.dumps(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _chunk_row(run_id: str, c: Chunk) -> tuple:
    m, w = c.manifest, c.manifest.get("worker", {})

    def ts(x):
        return datetime.fromtimestamp(x, UTC).replace(tzinfo=None)

    return (
        run_id,
        c.doctrine,
        c.index,
        c.first_member,
        c.members,
        m.get("session", 1),
        w.get("worker"),
        w.get("pid"),
        w.get("host"),
        ts(m["started"]),
        ts(m["finished"]),
    )


# ---------------------------------------------------------------------- queries used by the CLI
#: Bloc ids of ``results show --bloc``: series column of the democratic socialist share.
BLOC_SERIES = {
    "world": "demsoc_share",
    "first_world": "first_world_demsoc_share",
    **{b: f"demsoc_share_{b}" for b in ("nato", "bric", "brics_plus", "periphery", "developing")},
}


def bloc_series(store: ResultStore, run_id: str, bloc: str) -> pd.DataFrame:
    """Democratic socialist share of a bloc's population by doctrine and year over members.

    Columns: doctrine, year, members, median, p05, p95, mean.
    """
    from ..errors import suggest

    if bloc not in BLOC_SERIES:
        raise UserError(f"unknown bloc {bloc!r}; expected one of {', '.join(BLOC_SERIES)}.{suggest(bloc, BLOC_SERIES)}")
    col = BLOC_SERIES[bloc]
    with store.query(run_id) as con:
        if not _has_view(con, "series"):
            raise UserError(f"run {run_id} has no committed series yet.")
        frame = con.execute(
            f"select doctrine, year, count(*) as members, median({col}) as median, "
            f"quantile_cont({col}, 0.05) as p05, quantile_cont({col}, 0.95) as p95, avg({col}) as mean "
            "from series group by doctrine, year"
        ).df()
    return _in_run_order(store, run_id, frame)


def country_trajectory(store: ResultStore, run_id: str, iso3: str) -> pd.DataFrame:
    """One country's kept trajectories summarized by doctrine and year over the kept members.

    Columns: doctrine, year, members, support, reaction, movement, gdppc (medians),
    demsoc (share of kept members where the country is democratic socialist), unemployment,
    immigration_cap (median applied cap; NaN in the final year).
    """
    from ..errors import suggest

    code = iso3.upper()
    with store.query(run_id) as con:
        if not _has_view(con, "trajectories"):
            raise UserError(
                f"run {run_id} kept no country trajectories; rerun with --keep-trajectories K to store them."
            )
        codes = [r[0] for r in con.execute("select distinct iso3 from trajectories").fetchall()]
        if code not in codes:
            raise UserError(f"unknown country code {iso3!r}.{suggest(code, codes)}")
        frame = con.execute(
            "select doctrine, year, count(*) as members, median(support) as support, "
            "median(reaction) as reaction, median(movement) as movement, median(gdppc) as gdppc, "
            "avg(case when regime = 2 then 1.0 else 0.0 end) as demsoc, "
            "median(unemployment) as unemployment, median(applied_immigration_cap) as immigration_cap "
            "from trajectories where iso3 = ? group by doctrine, year",
            [code],
        ).df()
    return _in_run_order(store, run_id, frame)


def export_run(store: ResultStore, run_id: str, fmt: str, out: Path) -> list[Path]:
    """Export a run's tables (one file each), its metadata (``run.json``) and analysis tables.

    Each file is written atomically (:mod:`nato_socialism.atomic`); a failed export leaves the
    files written before it complete and no partial file.
    """
    if fmt not in EXPORT_FORMATS:
        raise UserError(f"unknown export format {fmt!r}; expected {' or '.join(EXPORT_FORMATS)}.")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file, not a directory.")
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        with store.query(run_id) as con:
            relations = [(table, con.view(table)) for table in RUN_TABLES if _has_view(con, table)]
            relations += [(path.stem, con.read_parquet(str(path)))
                          for path in sorted((store.run_dir(run_id) / "analysis").glob("*.parquet"))]
            for name, relation in relations:
                path = out / f"{name}.{fmt}"
                try:
                    with atomic.atomic_path(path) as tmp:
                        if fmt == "csv":
                            relation.write_csv(str(tmp), header=True)
                        else:
                            relation.write_parquet(str(tmp), compression="zstd")
                except duckdb.IOException as err:  # a write, not a read, failed
                    raise UserError(f"cannot write {path}: {err}") from None
                written.append(path)
        chunks = [c.manifest for c in store.committed(run_id)]
        document = json.dumps({**store.meta(run_id), "chunks": chunks}, indent=2, default=str)
        atomic.atomic_write_text(out / "run.json", document)
    except OSError as err:
        raise UserError(f"cannot export run {run_id} to {out}: {err.strerror or err}.") from None
    written.append(out / "run.json")
    return written


def _has_view(con, name: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_views() where view_name = ?", [name]).fetchall()[0][0])


def _in_run_order(store: ResultStore, run_id: str, frame: pd.DataFrame) -> pd.DataFrame:
    order = {d: i for i, d in enumerate(store.meta(run_id)["doctrines"])}
    frame = frame.assign(_o=frame["doctrine"].map(order)).sort_values(["_o", "year"], kind="stable")
    return frame.drop(columns="_o").reset_index(drop=True)
