"""Global sensitivity analysis with SALib: Morris screening and Sobol indices.

The SALib problem is generated from the parameter registry after the scenario's overrides
(:func:`~nato_socialism.experiments.sampling.parameter_ranges`): every parameter with a range
is a factor; fixed ones stay fixed. Each row of the SALib design is one ensemble member of
one doctrine, run by the same chunked machinery as any ensemble and stored as a run of kind
``sensitivity`` (its experiments table is the design).

Random shocks are shared within a Morris trajectory and within a Sobol base row (the member
key of row ``j`` of the design is the key of member ``b(j)`` of the run seed, ``b`` the
trajectory or base-sample index), so elementary effects and the A/B/AB_i differences measure
parameters, not different draws of the shocks (common random numbers).

Members: Morris ``N (D + 1)``, Sobol ``N (D + 2)`` (first and total order; ``D`` factors).

References
----------
Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
Technometrics 33(2), 161-174.
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Computer
Physics Communications 181(2), 259-270.
Herman, J. and Usher, W. (2017). SALib: an open-source Python library for sensitivity
analysis. Journal of Open Source Software 2(9).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from ..errors import UserError, suggest
from ..model.outcomes import OUTCOMES
from .compare import comparable
from .ensemble import DEFAULT_CHUNK, Setup, prepare
from .sampling import parameter_ranges

METHODS = ("morris", "sobol")
#: Default N: Morris trajectories, Sobol base samples (a power of 2).
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}
NUM_LEVELS = 4


def check_outcome(name: str) -> None:
    """Refuse an unknown outcome name with close matches."""
    if name not in OUTCOMES:
        raise UserError(
            f"unknown outcome {name!r}.{suggest(name, OUTCOMES)} "
            "`nato-socialism outcomes` or docs/results.md lists them."
        )


def problem(scenario) -> dict:
    """Return the SALib problem of a scenario: every parameter it samples, with its range."""
    chosen = {**scenario.fixed_parameters(), **scenario.sampled_parameters()}
    ranges = {k: v for k, v in parameter_ranges(chosen).items() if v[0] < v[1]}
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(v) for v in ranges.values()]}


def design(prob: dict, method: str, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the SALib design ``X`` and, per row, the index of its trajectory or base sample."""
    if method not in METHODS:
        raise UserError(f"unknown method {method!r}; expected morris or sobol.")
    if samples < 2:
        raise UserError(f"--samples must be at least 2, not {samples}.")
    d = prob["num_vars"]
    if method == "morris":
        from SALib.sample import morris

        x = morris.sample(prob, samples, num_levels=NUM_LEVELS, seed=seed)
        return x, np.arange(len(x)) // (d + 1)  # rows of one trajectory share a member key
    if samples & (samples - 1):
        raise UserError(f"--samples for sobol must be a power of 2 (Sobol' sequence balance), not {samples}.")
    from SALib.sample import sobol

    x = sobol.sample(prob, samples, calc_second_order=False, seed=seed)
    return x, np.arange(len(x)) // (d + 2)  # A_j, AB_j1..AB_jD, B_j share a member key


def design_size(prob: dict, method: str, samples: int) -> int:
    """Return the number of members (design rows) of a method: N(D+1) or N(D+2)."""
    return samples * (prob["num_vars"] + (1 if method == "morris" else 2))


def sensitivity_setup(scenario, doctrine: str, method: str, samples: int, data_dir=None) -> tuple[Setup, dict]:
    """Prepare a run whose members are the rows of the SALib design (one doctrine)."""
    prob = problem(scenario)
    if prob["num_vars"] == 0:
        raise UserError("the scenario fixes every parameter; nothing to analyse.")
    x, base = design(prob, method, samples, scenario.seed)
    sc = scenario.with_overrides(members=len(x), doctrines=[doctrine])
    setup = prepare(sc, data_dir=data_dir)
    table = setup.parameters.copy()
    table[prob["names"]] = x
    return replace(setup, parameters=table, keys=setup.keys[base]), prob


def outcome_values(outcomes: pd.DataFrame, name: str, never_year: float) -> np.ndarray:
    """One value per member (sorted by member); 'never' years count as ``never_year``.

    Raises
    ------
    UserError
        If the outcome is undefined for some members (SALib needs every value).
    """
    frame = outcomes.sort_values("member")
    y = comparable(frame[name], name, never_year)
    if np.isnan(y).any():
        raise UserError(
            f"outcome {name} is undefined for {int(np.isnan(y).sum())} of {len(y)} members "
            f"(e.g. no first-world transition); choose an outcome defined for every member."
        )
    return y


def analyze(prob: dict, method: str, x: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Return the indices per parameter, ranked (Morris by mu*, Sobol by total order).

    Morris columns: ``mu``, ``mu_star``, ``mu_star_conf`` (95 % bootstrap half-width),
    ``sigma``; Sobol: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.
    """
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(prob, x, y, num_levels=NUM_LEVELS, conf_level=0.95, seed=seed)
        cols, key = ("mu", "mu_star", "mu_star_conf", "sigma"), "mu_star"
    else:
        from SALib.analyze import sobol

        with np.errstate(divide="ignore", invalid="ignore"):
            res = sobol.analyze(prob, y, calc_second_order=False, conf_level=0.95, seed=seed)
        cols, key = ("S1", "S1_conf", "ST", "ST_conf"), "ST"
    frame = pd.DataFrame({"parameter": prob["names"], **{c: np.asarray(res[c], dtype=float) for c in cols}})
    frame = frame.sort_values(key, ascending=False, kind="stable", na_position="last").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


def _indices(meta: dict, experiments: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    extra = meta["extra"]
    prob = extra["problem"]
    x = experiments.sort_values("member")[prob["names"]].to_numpy(dtype=np.float64)
    y = outcome_values(outcomes, extra["outcome"], meta["start_year"] + meta["horizon"] + 1)
    return analyze(prob, extra["method"], x, y, meta["seed"])


def finish(store, run_id: str) -> pd.DataFrame:
    """Analyse a stored sensitivity run's outcomes and store the indices (``analysis/indices``)."""
    meta = store.meta(run_id)
    outcomes = store.read(run_id, "outcomes", columns=["member", meta["extra"]["outcome"]])
    if len(outcomes) < meta["members"]:
        raise UserError(
            f"run {run_id} is incomplete ({len(outcomes)} of {meta['members']} members); "
            f"finish it with `nato-socialism run --resume {run_id}`."
        )
    indices = _indices(meta, store.read(run_id, "experiments"), outcomes)
    store.write_table(run_id, "indices", indices)
    return indices


def run_sensitivity(
    scenario,
    outcome: str,
    *,
    doctrine: str = "nato_first",
    method: str = "morris",
    samples: int | None = None,
    store=None,
    executor=None,
    data_dir=None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[str, int], None] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Run a SALib design through the model and return (ranked indices, run summary).

    With ``store`` (a :class:`~nato_socialism.experiments.store.ResultStore` whose writer
    lock the caller holds) the members and the indices are stored as a run of kind
    ``sensitivity``; otherwise everything stays in memory. ``on_start(run_id, members)`` is
    called before the members are computed (run id ``None`` without a store).
    """
    from .executors import run_in_memory, start_run

    check_outcome(outcome)
    samples = samples or DEFAULT_SAMPLES[method]
    setup, prob = sensitivity_setup(scenario, doctrine, method, samples, data_dir=data_dir)
    extra = {
        "method": method,
        "outcome": outcome,
        "samples": samples,
        "doctrine": doctrine,
        "num_levels": NUM_LEVELS,
        "problem": prob,
    }
    summary = {
        "method": method,
        "outcome": outcome,
        "doctrine": doctrine,
        "samples": samples,
        "members": setup.members,
        "factors": prob["num_vars"],
        "scenario": scenario.name,
        "horizon": scenario.horizon,
        "run_id": None,
    }
    if store is None:
        if on_start:
            on_start(None, setup.members)
        result = run_in_memory(setup, chunk_size=chunk_size, executor=executor, data_dir=data_dir, progress=progress)
        meta = {"extra": extra, "start_year": scenario.start_year, "horizon": scenario.horizon, "seed": scenario.seed}
        return _indices(meta, result.experiments, result.outcomes), summary
    run_id = start_run(
        setup,
        store,
        chunk_size=chunk_size,
        executor=executor,
        data_dir=data_dir,
        kind="sensitivity",
        extra=extra,
        progress=progress,
        on_start=(lambda rid: on_start(rid, setup.members)) if on_start else None,
    )
    summary["run_id"] = run_id
    return finish(store, run_id), summary
