"""Python API for notebooks and scripts.

>>> from nato_socialism.api import simulate
>>> result = simulate("essay_premises", members=50, horizon=40)   # doctest: +SKIP
>>> result.summary()            # per doctrine and outcome: median, 90 % interval, MC error
>>> result.compare()            # paired differences and P(A better than B)
>>> result.outcomes             # one row per member and doctrine
>>> stored = simulate("default", members=50, store="results")   # doctest: +SKIP
>>> load_run(stored.meta["run_id"], "results")                    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .experiments.ensemble import DEFAULT_CHUNK, DEFAULT_KEEP, prepare, run
from .experiments.result import Result
from .scenario import Scenario, load_scenario


def simulate(
    scenario: str | Scenario = "default",
    *,
    members: int | None = None,
    horizon: int | None = None,
    start_year: int | None = None,
    seed: int | None = None,
    doctrines: list[str] | None = None,
    keep_trajectories: int = DEFAULT_KEEP,
    chunk_size: int = DEFAULT_CHUNK,
    data_dir=None,
    progress: Callable[[int], None] | None = None,
    store: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Result:
    """Run a scenario (bundled name, file path or :class:`Scenario`) and return its result.

    Keyword arguments override the scenario's values; ``keep_trajectories`` keeps the full
    country-year trajectories and the "why" decomposition of the first K members (default 2).

    By default everything stays in memory. ``store`` (a results directory) writes the run
    there chunk by chunk, as ``nato-socialism run`` does, and reads it back (``result.meta
    ["run_id"]`` is its id; see :func:`load_run`). ``workers`` (a local Dask cluster of that
    many processes) or ``scheduler`` (an existing cluster's address) distribute the chunks.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    sc = sc.with_overrides(members=members, horizon=horizon, start_year=start_year, seed=seed, doctrines=doctrines)
    setup = prepare(sc, data_dir=data_dir)
    if store is None and not workers and not scheduler:
        return run(setup, chunk_size=chunk_size, keep=keep_trajectories, progress=progress)
    from .experiments.executors import make_executor, run_in_memory, start_run
    from .experiments.store import CHUNK_TABLES, ResultStore

    options = {"chunk_size": chunk_size, "keep": keep_trajectories, "data_dir": data_dir, "progress": progress}
    with make_executor(workers, scheduler) as executor:
        if store is None:
            return run_in_memory(setup, executor=executor, **options)
        results = ResultStore.create(store)
        with results.writer():
            run_id = start_run(setup, results, executor=executor, **options)
    return results.load(run_id, tables=CHUNK_TABLES)


def load_run(run: str = "latest", results: str | Path = "results", tables: Sequence[str] = ("outcomes",)) -> Result:
    """Read a stored run (id, unique prefix or ``latest``) back as a :class:`Result`.

    Only the named tables are read (``outcomes``, ``series``, ``trajectories``, ``why``); the
    experiments table always is. For large runs query the Parquet files with DuckDB instead
    (see docs/results.md).
    """
    from .experiments.store import ResultStore

    store = ResultStore.open(results)
    return store.load(store.resolve(run), tables=tables)
