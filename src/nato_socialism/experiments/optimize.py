"""Robust multi-objective search over the custom doctrine's controls (pymoo NSGA-II).

Every candidate (a point in the box of :data:`~nato_socialism.model.doctrines.CUSTOM_CONTROLS`)
is simulated over one fixed ensemble: the same members, parameters and member keys for every
candidate and for the named doctrines (common random numbers), so differences between
candidates are differences of policy, not of luck. Each objective is an outcome, oriented so
that lower is better (a year never reached counts as ``start_year + horizon + 1``; outcomes
where higher is better are negated), and reduced over members by a robustness statistic:

``mean``    the ensemble mean;
``p10``     the value of the worst-off 10 % of members (the 90th percentile of the
            oriented value: good in 9 of 10 futures);
``regret``  the mean over members of the shortfall against the best named doctrine on that
            member (0 = as good as the best named doctrine in every future).

Scores are reported in the outcome's own units and sign (regret as a shortfall >= 0 means
worse). The Pareto front is the non-dominated set of every candidate evaluated. Each named
doctrine is then placed against it with the additive epsilon indicator (Zitzler et al.
2003) on objectives normalized by their observed range: ``epsilon <= 0`` means a front point
is at least ``-epsilon`` (share of each objective's range) better in every objective (the
doctrine is dominated); ``epsilon > 0`` means the front would have to improve by
``epsilon`` in every objective to dominate it. ``gain`` is the largest mean improvement
(same units) that a front point dominating the doctrine offers, 0 if none does.

References
----------
Deb, K. et al. (2002). A fast and elitist multiobjective genetic algorithm: NSGA-II. IEEE
Transactions on Evolutionary Computation 6(2), 182-197.
Zitzler, E. et al. (2003). Performance assessment of multiobjective optimizers: an analysis
and review. IEEE Transactions on Evolutionary Computation 7(2), 117-132.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import UserError, suggest
from ..model.doctrines import CUSTOM_CONTROLS, DOCTRINE_NAMES, DOCTRINES, custom_spec
from ..model.outcomes import OUTCOMES
from .compare import comparable
from .ensemble import Setup, prepare, run_chunk, run_tables

DEFAULT_OBJECTIVES = ("demsoc_pop_years", "bureaucratic_share_mean", "poverty_years_830", "displaced_person_years")
ROBUSTNESS = ("mean", "p10", "regret")
#: Doctrines placed against the front.
NAMED = tuple(d for d in DOCTRINE_NAMES if d != "custom")


@dataclass(frozen=True)
class OptimizeConfig:
    """Search settings; the defaults finish in a few minutes on 2 cores."""

    members: int = 12
    horizon: int = 40
    pop_size: int = 16
    generations: int = 6
    objectives: tuple[str, ...] = DEFAULT_OBJECTIVES
    robustness: str = "mean"
    seed: int | None = None  # None: the scenario's seed

    def check(self) -> None:
        """Refuse bad settings with a clear message."""
        if self.robustness not in ROBUSTNESS:
            raise UserError(f"unknown robustness {self.robustness!r}; expected {', '.join(ROBUSTNESS)}.")
        for name in self.objectives:
            o = OUTCOMES.get(name)
            if o is None:
                raise UserError(f"unknown objective {name!r}.{suggest(name, OUTCOMES)}")
            if o.direction == "none":
                raise UserError(f"outcome {name} has no better direction and cannot be an objective.")
            if o.nullable and o.unit != "year":
                raise UserError(f"outcome {name} is undefined for some members and cannot be an objective.")
        if len(set(self.objectives)) != len(self.objectives) or not self.objectives:
            raise UserError("give each --objective once, and at least one.")
        for key in ("members", "horizon", "pop_size", "generations"):
            if getattr(self, key) < 1:
                raise UserError(f"{key} must be at least 1.")


@dataclass
class OptimizeResult:
    """Front, every candidate and the named doctrines' positions."""

    config: OptimizeConfig
    front: pd.DataFrame
    candidates: pd.DataFrame
    named: pd.DataFrame
    meta: dict = field(default_factory=dict)


def evaluate_spec(setup: Setup, spec):
    """Simulate every member of the setup under one doctrine rule (module level for Dask)."""
    return run_chunk(replace(setup, specs={"candidate": spec}), "candidate", np.arange(setup.members))


def oriented(outcomes: pd.DataFrame, objectives: Sequence[str], never_year: float) -> np.ndarray:
    """Return the (members, objectives) values, oriented so that lower is better."""
    frame = outcomes.sort_values("member")
    cols = []
    for name in objectives:
        v = comparable(frame[name], name, never_year)
        cols.append(-v if OUTCOMES[name].direction == "higher" else v)
    return np.column_stack(cols)


def robust(values: np.ndarray, robustness: str, best: np.ndarray | None = None) -> np.ndarray:
    """Reduce oriented (members, objectives) values to one score per objective (lower is better)."""
    if robustness == "mean":
        return values.mean(axis=0)
    if robustness == "p10":
        return np.percentile(values, 90, axis=0)
    return (values - best).mean(axis=0)


def natural(scores: np.ndarray, objectives: Sequence[str], robustness: str) -> np.ndarray:
    """Scores back in each outcome's own sign (regret stays a shortfall)."""
    if robustness == "regret":
        return scores
    sign = np.array([-1.0 if OUTCOMES[o].direction == "higher" else 1.0 for o in objectives])
    return scores * sign


def non_dominated(f: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of a minimization matrix."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    return np.asarray(NonDominatedSorting().do(f, only_non_dominated_front=True))


def positions(front: np.ndarray, named: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, ...]:
    """Place named points against a front (minimization, objectives divided by ``scale``).

    Returns
    -------
    dominated
        Whether some front point is at least as good on every objective and better on one.
    epsilon
        Additive epsilon indicator ``min_p max_k (p_k - d_k)``: <= 0 when a front point
        weakly dominates ``d``; > 0 is how much the front must improve in every objective.
    gain
        Largest mean improvement ``mean_k (d_k - p_k)`` over the front points that weakly
        dominate ``d`` (0 if none): how much better, on average, the front can do.
    """
    diff = (front[None, :, :] - named[:, None, :]) / scale  # (named, front, objectives)
    weakly = (diff <= 0).all(axis=2)
    dominated = (weakly & (diff < 0).any(axis=2)).any(axis=1)
    epsilon = diff.max(axis=2).min(axis=1)
    gain = np.where(weakly, -diff.mean(axis=2), 0.0).max(axis=1)
    return dominated, epsilon, gain


def optimize(
    scenario,
    config: OptimizeConfig = OptimizeConfig(),
    *,
    executor=None,
    data_dir=None,  # noqa: B008
    progress: Callable[[int], None] | None = None,
) -> tuple[OptimizeResult, Setup, dict]:
    """Search the custom doctrine's controls; return the result, its setup and the named chunks.

    The named chunks (doctrine -> chunk tables) let the caller store the named doctrines'
    outcomes like any run.
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize

    from .executors import SerialExecutor

    config.check()
    executor = executor or SerialExecutor()
    seed = scenario.seed if config.seed is None else config.seed
    sc = scenario.with_overrides(members=config.members, horizon=config.horizon, seed=seed, doctrines=list(NAMED))
    setup = prepare(sc, data_dir=data_dir)
    never = sc.start_year + sc.horizon + 1
    objectives = list(config.objectives)

    named_chunks = {}
    for i, tables, worker in executor.map(evaluate_spec, setup, [setup.specs[d] for d in NAMED], data_dir=data_dir):
        tables.outcomes["doctrine"] = NAMED[i]
        tables.series["doctrine"] = NAMED[i]
        named_chunks[NAMED[i]] = (tables, worker)
        if progress:
            progress(1)
    named_values = np.stack([oriented(named_chunks[d][0].outcomes, objectives, never) for d in NAMED])
    best = named_values.min(axis=0)
    named_f = np.stack([robust(v, config.robustness, best) for v in named_values])

    names = list(CUSTOM_CONTROLS)
    rows: list[dict] = []
    scores: list[np.ndarray] = []

    class _Problem(Problem):
        def __init__(self):
            super().__init__(
                n_var=len(names),
                n_obj=len(objectives),
                xl=np.array([CUSTOM_CONTROLS[n][0] for n in names]),
                xu=np.array([CUSTOM_CONTROLS[n][1] for n in names]),
            )
            self.generation = 0

        def _evaluate(self, x, out, *args, **kwargs):
            specs = [custom_spec(dict(zip(names, map(float, row), strict=True))) for row in x]
            f = np.empty((len(x), len(objectives)))
            for i, tables, _ in executor.map(evaluate_spec, setup, specs, data_dir=data_dir):
                f[i] = robust(oriented(tables.outcomes, objectives, never), config.robustness, best)
                if progress:
                    progress(1)
            for row, fi in zip(x, f, strict=True):
                rows.append(
                    {
                        "candidate": len(rows),
                        "generation": self.generation,
                        **dict(zip(names, map(float, row), strict=True)),
                    }
                )
                scores.append(fi)
            self.generation += 1
            out["F"] = f

    started = time.time()
    minimize(
        _Problem(),
        NSGA2(pop_size=config.pop_size, eliminate_duplicates=True),
        ("n_gen", config.generations),
        seed=seed,
        verbose=False,
    )
    f_all = np.array(scores)
    candidates = pd.DataFrame(rows)
    nat = natural(f_all, objectives, config.robustness)
    for j, o in enumerate(objectives):
        candidates[o] = nat[:, j]
    front_idx = non_dominated(f_all)
    candidates["on_front"] = False
    candidates.loc[front_idx, "on_front"] = True
    front = candidates.loc[front_idx].drop(columns="on_front").sort_values(objectives[0]).reset_index(drop=True)

    everything = np.vstack([f_all, named_f])
    scale = np.ptp(everything, axis=0)
    scale[scale == 0] = 1.0
    dominated, epsilon, gain = positions(f_all[front_idx], named_f, scale)
    named_nat = natural(named_f, objectives, config.robustness)
    named = pd.DataFrame(
        {
            "doctrine": list(NAMED),
            **{o: named_nat[:, j] for j, o in enumerate(objectives)},
            "dominated": dominated,
            "epsilon": epsilon,
            "gain": gain,
        }
    )
    meta = {
        "config": {**asdict(config), "seed": seed, "objectives": objectives},
        "evaluations": len(candidates),
        "front_size": len(front),
        "seconds": time.time() - started,
        "controls": {n: list(CUSTOM_CONTROLS[n][:2]) for n in names},
        "nato_first_controls": {k: v for k, v in asdict(DOCTRINES["nato_first"].spec).items()},
    }
    return OptimizeResult(config, front, candidates, named, meta), setup, named_chunks


def store_optimization(store, result: OptimizeResult, setup: Setup, named_chunks: dict, data_dir=None) -> str:
    """Store an optimization as a run of kind ``optimize``; return its id.

    The named doctrines' outcomes and series are its chunk tables; the candidates, the front
    and the named positions are analysis tables. The caller holds ``store.writer()``.
    """
    from .executors import _experiments, _run_meta

    plan = [(0, setup.members)]
    meta = _run_meta(setup, "optimize", plan, setup.members, 0, data_dir, result.meta)
    run_id = store.create_run(meta, _experiments(setup), run_tables(setup, data_dir))
    for doctrine, (tables, worker) in named_chunks.items():
        store.write_chunk(run_id, doctrine, 0, np.arange(setup.members), tables, worker, 1, time.time())
    store.write_table(run_id, "candidates", result.candidates)
    store.write_table(run_id, "pareto_front", result.front)
    store.write_table(run_id, "named", result.named)
    store.finish(run_id, "complete")
    return run_id
