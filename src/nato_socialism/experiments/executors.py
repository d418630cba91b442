"""Executors (serial, Dask) and the runner that streams chunks into a store or into memory.

A run is a list of :class:`Task` (doctrine, member block). Each task is computed by
:func:`~nato_socialism.experiments.ensemble.run_chunk`, a pure function of the setup and the
task, so tasks may finish in any order and in any process; the runner writes each chunk as
soon as it arrives and keeps nothing, so memory stays flat in the number of members.

Executors map a function over items and yield ``(index, value, worker)`` in completion
order. :class:`SerialExecutor` runs in this process; :class:`DaskExecutor` ships a picklable
:class:`Recipe` of the setup to every worker once (workers rebuild world and context from the
scenario and the data, which they must be able to read) and keeps a bounded number of tasks
in flight.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UserError
from ..model.source_hash import MODEL_HASH
from .ensemble import DEFAULT_CHUNK, Setup, assemble, experiments_table, prepare, run_chunk, run_tables
from .result import CHUNK_TABLE_NAMES, Result
from .sampling import parameter_ranges
from .store import ResultStore, read_parquet

#: Members per chunk while kept trajectories are recorded (their tables are ~100x larger).
KEEP_CHUNK = 8


class RunCancelled(Exception):
    """Raised by a progress callback to stop a stored run after its current chunk.

    The run is marked ``interrupted`` (like Ctrl-C), keeps its committed chunks and can be
    finished with ``nato-socialism run --resume``.
    """


@dataclass(frozen=True)
class Task:
    """One chunk: a doctrine, the chunk's position in the plan, its members and how many to keep."""

    doctrine: str
    index: int
    start: int
    stop: int
    keep: int

    @property
    def members(self) -> np.ndarray:
        """Member indices of the chunk."""
        return np.arange(self.start, self.stop)


def chunk_plan(members: int, chunk_size: int = DEFAULT_CHUNK, keep: int = 0) -> list[tuple[int, int]]:
    """Member blocks ``[start, stop)``: the first ``keep`` members in small blocks, then ``chunk_size``."""
    if chunk_size < 1:
        raise UserError(f"--chunk-size must be at least 1, not {chunk_size}.")
    keep = min(keep, members)
    small = min(chunk_size, KEEP_CHUNK)
    bounds = [(s, min(keep, s + small)) for s in range(0, keep, small)]
    bounds += [(s, min(members, s + chunk_size)) for s in range(keep, members, chunk_size)]
    return bounds


def tasks_for(doctrines: Sequence[str], plan: Sequence[Sequence[int]], keep: int) -> list[Task]:
    """Every (doctrine, block) task; blocks below ``keep`` keep all their members."""
    return [Task(d, i, int(a), int(b), max(0, min(b, keep) - a)) for d in doctrines for i, (a, b) in enumerate(plan)]


def compute_task(setup: Setup, task: Task):
    """Compute one task (module level so Dask can ship it)."""
    return run_chunk(setup, task.doctrine, task.members, keep=task.keep)


# ---------------------------------------------------------------------------- recipes
@dataclass(frozen=True)
class Recipe:
    """A picklable description of a setup: workers rebuild world and context from it."""

    scenario_json: str
    data_dir: str | None
    parameters: pd.DataFrame
    keys: np.ndarray
    specs: dict
    data_version: str
    token: str
    model_hash: str = MODEL_HASH

    @classmethod
    def of(cls, setup: Setup, data_dir=None) -> Recipe:
        """The recipe of a prepared setup."""
        return cls(
            scenario_json(setup.scenario),
            None if data_dir is None else str(data_dir),
            setup.parameters,
            setup.keys,
            dict(setup.specs),
            setup.data_version,
            secrets.token_hex(8),
        )

    def build(self) -> Setup:
        """Rebuild the setup (cached per process: one recipe per run reaches a worker)."""
        token = self.token
        if _CACHE.get("token") != token:
            base = prepare(scenario_from_json(self.scenario_json), data_dir=self.data_dir)
            if base.data_version != self.data_version:
                raise RuntimeError(
                    f"worker {socket.gethostname()} sees data version {base.data_version}, "
                    f"the run uses {self.data_version}"
                )
            if MODEL_HASH != self.model_hash:
                raise RuntimeError(
                    f"worker {socket.gethostname()} runs other model code (model hash {MODEL_HASH[:12]}...), "
                    f"the run uses {self.model_hash[:12]}..."
                )
            _CACHE.clear()
            _CACHE.update(
                token=token, setup=replace(base, parameters=self.parameters, keys=self.keys, specs=self.specs)
            )
        return _CACHE["setup"]


_CACHE: dict[str, Any] = {}


def scenario_json(scenario) -> str:
    """The resolved scenario as JSON text (what the store records and workers rebuild)."""
    return scenario.model_dump_json(exclude_none=True, warnings=False)


def scenario_from_json(text: str):
    """Rebuild a scenario recorded by :func:`scenario_json`."""
    from pydantic import ValidationError

    from ..scenario import Scenario

    try:
        return Scenario.model_validate_json(text)
    except ValidationError as err:
        raise UserError(f"the recorded scenario no longer validates with this version: {err}") from None


# ---------------------------------------------------------------------------- executors
def _here(worker: str) -> dict:
    return {"worker": worker, "pid": os.getpid(), "host": socket.gethostname()}


class SerialExecutor:
    """Run tasks one after another in this process."""

    workers = 1

    def map(self, fn: Callable, setup: Setup, items: Sequence, data_dir=None) -> Iterator[tuple[int, Any, dict]]:
        """Yield ``(index, fn(setup, item), worker)`` for every item, in order."""
        for i, item in enumerate(items):
            yield i, fn(setup, item), _here("serial")

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _remote(fn: Callable, recipe: Recipe, item) -> tuple[Any, dict]:
    from distributed import get_worker

    return fn(recipe.build(), item), _here(get_worker().address)


class DaskExecutor:
    """Run tasks on a Dask cluster: a new LocalCluster of ``workers`` processes, or ``scheduler``.

    Raises
    ------
    UserError
        If the scheduler cannot be reached within ``timeout`` seconds.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None, timeout: float = 5.0):
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=f"{timeout}s")
            except (OSError, TimeoutError, ValueError) as err:
                raise UserError(
                    f"cannot reach the Dask scheduler at {scheduler!r} within {timeout:g} s "
                    f"({err or type(err).__name__}); start one with `dask scheduler` or use "
                    "--workers N for a local cluster."
                ) from None
        else:
            if not workers or workers < 1:
                raise UserError(f"--workers must be at least 1, not {workers}.")
            # one simulation thread per worker process, or the workers oversubscribe the cores
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                        env={"NATO_SOCIALISM_THREADS": "1"})
            self.client = Client(self.cluster)
        self.workers = max(1, sum(self.client.nthreads().values()))

    def map(self, fn: Callable, setup: Setup, items: Sequence, data_dir=None) -> Iterator[tuple[int, Any, dict]]:
        """Yield ``(index, value, worker)`` as tasks complete; at most 2 tasks per worker thread in flight."""
        from distributed import as_completed

        recipe = self.client.scatter(Recipe.of(setup, data_dir), broadcast=True)
        pending = iter(enumerate(items))
        futures = {}

        def submit():
            for i, item in pending:
                fut = self.client.submit(_remote, fn, recipe, item, pure=False)
                futures[fut] = i
                return fut
            return None

        queue = as_completed([f for f in (submit() for _ in range(2 * self.workers)) if f is not None])
        try:
            for fut in queue:
                value, worker = fut.result()
                i = futures.pop(fut)
                fut.release()
                nxt = submit()
                if nxt is not None:
                    queue.add(nxt)
                yield i, value, worker
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        """Close the client and any cluster we started."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def make_executor(workers: int | None = None, scheduler: str | None = None):
    """Serial unless ``workers`` or ``scheduler`` is given."""
    if scheduler or workers:
        return DaskExecutor(workers=workers, scheduler=scheduler)
    return SerialExecutor()


# ---------------------------------------------------------------------------- runners
def _experiments(setup: Setup) -> Iterator[tuple[str, pd.DataFrame]]:
    # one doctrine at a time so a large design never sits in memory several times over
    one = replace(setup, parameters=setup.parameters.copy())  # consolidated: no fragmentation warnings
    for doctrine in setup.specs:
        yield doctrine, experiments_table(replace(one, specs={doctrine: setup.specs[doctrine]}))


def _run_meta(setup: Setup, kind: str, plan, chunk_size: int, keep: int, data_dir, extra: dict | None) -> dict:
    sc = setup.scenario
    chosen = {**sc.fixed_parameters(), **sc.sampled_parameters()}
    return {
        "kind": kind,
        "scenario_name": sc.name,
        "scenario": scenario_json(sc),
        "parameters": parameter_ranges(chosen),
        "seed": sc.seed,
        "members": setup.members,
        "horizon": sc.horizon,
        "start_year": sc.start_year,
        "doctrines": list(setup.specs),
        "chunk_plan": [list(b) for b in plan],
        "chunk_size": chunk_size,
        "keep_trajectories": keep,
        "data_version": setup.data_version,
        "data_dir": None if data_dir is None else str(Path(data_dir).resolve()),
        "command": " ".join(sys.argv),
        "extra": extra or {},
    }


def _stream(
    store: ResultStore, run_id: str, setup: Setup, tasks: list[Task], executor, session: int, data_dir, progress
) -> None:
    started = time.time()
    for i, tables, worker in executor.map(compute_task, setup, tasks, data_dir=data_dir):
        t = tasks[i]
        store.write_chunk(run_id, t.doctrine, t.index, t.members, tables, worker, session, started)
        started = time.time()
        if progress:
            progress(t.stop - t.start)


def _finish_on_exit(store: ResultStore, run_id: str, body: Callable[[], None]) -> None:
    try:
        body()
    except (KeyboardInterrupt, RunCancelled):
        store.finish(run_id, "interrupted")
        raise
    except BaseException:
        store.finish(run_id, "failed")
        raise
    store.finish(run_id, "complete")


def start_run(
    setup: Setup,
    store: ResultStore,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    keep: int = 0,
    executor=None,
    data_dir=None,
    kind: str = "ensemble",
    extra: dict | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> str:
    """Run a setup into the store chunk by chunk and return the run id.

    The caller must hold ``store.writer()``. ``on_start(run_id)`` is called once the run is
    registered (the CLI prints the id then, so an interrupted run can be resumed).
    """
    executor = executor or SerialExecutor()
    plan = chunk_plan(setup.members, chunk_size, keep)
    run_id = store.create_run(_run_meta(setup, kind, plan, chunk_size, keep, data_dir, extra), _experiments(setup),
                              run_tables(setup, data_dir))
    if on_start:
        on_start(run_id)
    tasks = tasks_for(list(setup.specs), plan, keep)
    _finish_on_exit(store, run_id, lambda: _stream(store, run_id, setup, tasks, executor, 1, data_dir, progress))
    return run_id


def setup_of_run(store: ResultStore, run_id: str, data_dir=None) -> Setup:
    """Rebuild a stored run's setup: its scenario, and its members' parameters and keys as stored."""
    meta = store.meta(run_id)
    made_by = meta.get("model_hash")
    if made_by != MODEL_HASH:
        when = (f"by other model code (model hash {made_by[:12]}..., this code has {MODEL_HASH[:12]}...)"
                if made_by else "before model hashes were recorded")
        raise UserError(
            f"run {run_id} was made {when}; its missing chunks would not match the ones stored, so it "
            "cannot be resumed. Resume it with the code that made it, or start the run again."
        )
    sc = scenario_from_json(json.dumps(meta["scenario"]))
    base = prepare(sc.with_overrides(members=1), data_dir=data_dir if data_dir is not None else meta["data_dir"])
    if base.data_version != meta["data_version"]:
        raise UserError(
            f"run {run_id} used data version {meta['data_version']} but the data now has version "
            f"{base.data_version}; results would differ, so it cannot be resumed."
        )
    path = store.run_dir(run_id) / "experiments" / f"{meta['doctrines'][0]}.parquet"
    first = read_parquet([path], run_id).sort_values("member")  # every doctrine has the same members
    names = list(base.parameters.columns)
    if set(names) - set(first.columns):
        raise UserError(
            f"the parameter registry changed since run {run_id} (new: "
            f"{', '.join(sorted(set(names) - set(first.columns)))}); it cannot be resumed."
        )
    parameters = first[names].reset_index(drop=True).rename_axis("member")
    if list(base.specs) != meta["doctrines"]:
        raise UserError(f"run {run_id}: its scenario and its doctrines disagree; it cannot be resumed.")
    return replace(base, scenario=sc, parameters=parameters, keys=first["seed_key"].to_numpy(dtype=np.uint64))


def resume_run(
    store: ResultStore,
    run: str,
    *,
    executor=None,
    data_dir=None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[Setup, int], None] | None = None,
) -> str:
    """Compute the missing chunks of a stored run (same chunk boundaries) and return its id.

    ``on_start(setup, members_missing)`` is called before computing. The caller must hold
    ``store.writer()``.
    """
    run_id = store.resolve(run)
    meta = store.meta(run_id)
    if meta["kind"] == "optimize":
        raise UserError(f"run {run_id} is an optimization; rerun `nato-socialism optimize` instead of resuming.")
    if meta["kind"] == "ema":
        raise UserError(f"run {run_id} was saved from EMA Workbench results; it has nothing to resume.")
    setup = setup_of_run(store, run_id, data_dir)
    store.clean_temporaries(run_id)
    done = {(c.doctrine, c.index) for c in store.committed(run_id, verify=True)}
    tasks = [
        t
        for t in tasks_for(meta["doctrines"], meta["chunk_plan"], meta["keep_trajectories"])
        if (t.doctrine, t.index) not in done
    ]
    if on_start:
        on_start(setup, sum(t.stop - t.start for t in tasks))
    session = store.start_session(run_id)
    executor = executor or SerialExecutor()
    _finish_on_exit(store, run_id, lambda: _stream(store, run_id, setup, tasks, executor, session, data_dir, progress))
    return run_id


def run_in_memory(
    setup: Setup,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    keep: int = 0,
    executor=None,
    data_dir=None,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """Run a setup without a store (``--no-store``), with any executor, and assemble the result."""
    executor = executor or SerialExecutor()
    tasks = tasks_for(list(setup.specs), chunk_plan(setup.members, chunk_size, keep), keep)
    started = time.time()
    got: dict[int, Any] = {}
    for i, tables, _ in executor.map(compute_task, setup, tasks, data_dir=data_dir):
        got[i] = tables
        if progress:
            progress(tasks[i].stop - tasks[i].start)
    parts = {
        name: [getattr(got[i], name) for i in sorted(got) if getattr(got[i], name) is not None]
        for name in CHUNK_TABLE_NAMES
    }
    return assemble(replace(setup, parameters=setup.parameters.copy()), parts, started)


def total_members(tasks: Iterable[Task]) -> int:
    """Member-doctrine pairs of a task list (progress bar total)."""
    return sum(t.stop - t.start for t in tasks)
