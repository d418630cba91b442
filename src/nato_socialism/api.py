"""Python API for notebooks and scripts.

>>> from nato_socialism.api import simulate
>>> result = simulate("essay_premises", members=50, horizon=40)   # doctest: +SKIP
>>> result.summary()            # per doctrine and outcome: median, 90 % interval, MC error
>>> result.compare()            # paired differences and P(A better than B)
>>> result.outcomes             # one row per member and doctrine
"""

from __future__ import annotations

from collections.abc import Callable

from .experiments.ensemble import DEFAULT_CHUNK, prepare, run
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
    keep_trajectories: int = 0,
    chunk_size: int = DEFAULT_CHUNK,
    data_dir=None,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """Run a scenario (bundled name, file path or :class:`Scenario`) and return its result.

    Keyword arguments override the scenario's values; ``keep_trajectories`` keeps the full
    country-year trajectories and the "why" decomposition of the first K members.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    sc = sc.with_overrides(members=members, horizon=horizon, start_year=start_year, seed=seed, doctrines=doctrines)
    setup = prepare(sc, data_dir=data_dir)
    return run(setup, chunk_size=chunk_size, keep=keep_trajectories, progress=progress)
