"""Global sensitivity analysis with SALib: Morris screening, Sobol indices, and re-analysis of stored runs.

The SALib problem is generated from the parameter registry after the scenario's overrides
(:func:`~nato_socialism.experiments.sampling.parameter_ranges`): every parameter with a range
is a factor; fixed ones stay fixed. Each row of the SALib design is one ensemble member of
one doctrine, run by the same chunked machinery as any ensemble and stored as a run of kind
``sensitivity`` (its experiments table is the design).

Random shocks are shared within a Morris trajectory and within a Sobol base row (the member
key of row ``j`` of the design is the key of member ``b(j)`` of the run seed, ``b`` the
trajectory or base-sample index), so elementary effects and the A/B/AB_i differences measure
parameters, not different draws of the shocks (common random numbers).

Members: Morris ``N (D + 1)``, Sobol ``N (D + 2)`` (first and total order; ``D`` factors),
Sobol with second-order indices ``N (2 D + 2)``.

Re-analysis (:func:`reanalyze`) needs no new simulation: SALib's given-sample methods (delta,
PAWN, RBD-FAST) estimate indices of any outcome from a stored run's Latin hypercube and its
members' outcomes. Each analysis also scores :data:`DUMMIES` dummy factors (uniform columns
independent of everything; Khorashadi Zadeh et al. 2017): the largest of their indices is the
noise floor, and a parameter above it beats every dummy, a one-sided test at 5 % per
parameter (about one in twenty uninfluential parameters still passes by chance).

References
----------
Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
Technometrics 33(2), 161-174.
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Computer
Physics Communications 181(2), 259-270.
Herman, J. and Usher, W. (2017). SALib: an open-source Python library for sensitivity
analysis. Journal of Open Source Software 2(9).
Plischke, E., Borgonovo, E. and Smith, C. L. (2013). Global sensitivity measures from given
data. European Journal of Operational Research 226(3), 536-550.
Pianosi, F. and Wagener, T. (2018). Distribution-based sensitivity analysis from a generic
input-output sample. Environmental Modelling & Software 108, 197-207.
Tarantola, S., Gatelli, D. and Mara, T. (2006). Random balance designs for the estimation of
first order global sensitivity indices. Reliability Engineering & System Safety 91(6), 717-727.
Khorashadi Zadeh, F. et al. (2017). Comparison of variance-based and moment-independent
global sensitivity analysis approaches by application to the SWAT model. Environmental
Modelling & Software 91, 210-222.
"""

from __future__ import annotations

import warnings
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
#: Methods that work on a given sample (a stored run's Latin hypercube).
GIVEN_SAMPLE_METHODS = ("delta", "pawn", "rbd_fast")
#: Default N: Morris trajectories, Sobol base samples (a power of 2).
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}
NUM_LEVELS = 4
#: Bootstrap resamples of the delta and RBD-FAST confidence intervals (SALib's default).
RESAMPLES = 100
#: PAWN conditioning slides (SALib's default); RBD-FAST harmonics (idem).
PAWN_SLIDES, RBD_HARMONICS = 10, 10
#: Fewest members with a defined outcome a given-sample method is run on.
MIN_MEMBERS = 20
#: Dummy factors scored for the noise floor (19: beating all of them is p <= 0.05).
DUMMIES = 19
#: Index each given-sample method ranks by, and the columns it reports.
GIVEN_COLUMNS = {
    "delta": ("delta", ("delta", "delta_conf", "S1", "S1_conf")),
    "pawn": ("median", ("median", "minimum", "mean", "maximum", "cv")),
    "rbd_fast": ("S1", ("S1", "S1_conf")),
}


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


def design(
    prob: dict, method: str, samples: int, seed: int, second_order: bool = False
) -> tuple[np.ndarray, np.ndarray]:
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

    x = sobol.sample(prob, samples, calc_second_order=second_order, seed=seed)
    return x, np.arange(len(x)) // sobol_rows(d, second_order)  # A_j, AB_j., (BA_j.,) B_j share a member key


def sobol_rows(d: int, second_order: bool) -> int:
    """Rows of one Sobol base sample: A, B and AB_i (D + 2); with second order also BA_i (2D + 2)."""
    return 2 * d + 2 if second_order else d + 2


def design_size(prob: dict, method: str, samples: int, second_order: bool = False) -> int:
    """Return the number of members (design rows) of a method: N(D+1), N(D+2) or N(2D+2)."""
    d = prob["num_vars"]
    return samples * (d + 1 if method == "morris" else sobol_rows(d, second_order))


def sensitivity_setup(
    scenario, doctrine: str, method: str, samples: int, data_dir=None, second_order: bool = False
) -> tuple[Setup, dict]:
    """Prepare a run whose members are the rows of the SALib design (one doctrine)."""
    prob = problem(scenario)
    if prob["num_vars"] == 0:
        raise UserError("the scenario fixes every parameter; nothing to analyse.")
    x, base = design(prob, method, samples, scenario.seed, second_order)
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


def analyze(
    prob: dict, method: str, x: np.ndarray, y: np.ndarray, seed: int, second_order: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Return the indices per parameter, ranked (Morris by mu*, Sobol by total order), and the pairs.

    Morris columns: ``mu``, ``mu_star``, ``mu_star_conf`` (95 % bootstrap half-width),
    ``sigma``; Sobol: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``. With ``second_order`` (a Sobol
    design drawn with second order) the second frame has one row per pair of parameters:
    ``parameter_1``, ``parameter_2``, ``S2``, ``S2_conf``, ranked by ``S2``; else it is None.
    """
    pairs = None
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(prob, x, y, num_levels=NUM_LEVELS, conf_level=0.95, seed=seed)
        cols, key = ("mu", "mu_star", "mu_star_conf", "sigma"), "mu_star"
    else:
        from SALib.analyze import sobol

        with np.errstate(divide="ignore", invalid="ignore"):
            res = sobol.analyze(prob, y, calc_second_order=second_order, conf_level=0.95, seed=seed)
        cols, key = ("S1", "S1_conf", "ST", "ST_conf"), "ST"
        if second_order:
            i, j = np.triu_indices(prob["num_vars"], k=1)
            names = np.asarray(prob["names"])
            pairs = pd.DataFrame({"parameter_1": names[i], "parameter_2": names[j],
                                  "S2": res["S2"][i, j], "S2_conf": res["S2_conf"][i, j]})
            pairs = pairs.sort_values("S2", ascending=False, kind="stable", na_position="last")
            pairs = pairs.reset_index(drop=True)
            pairs.insert(0, "rank", np.arange(1, len(pairs) + 1))
    return _ranked(prob["names"], {c: res[c] for c in cols}, key), pairs


def _ranked(names, columns: dict, key: str) -> pd.DataFrame:
    frame = pd.DataFrame({"parameter": names, **{c: np.asarray(v, dtype=float) for c, v in columns.items()}})
    frame = frame.sort_values(key, ascending=False, kind="stable", na_position="last").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


def _indices(meta: dict, experiments: pd.DataFrame, outcomes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    extra = meta["extra"]
    prob = extra["problem"]
    x = experiments.sort_values("member")[prob["names"]].to_numpy(dtype=np.float64)
    y = outcome_values(outcomes, extra["outcome"], meta["start_year"] + meta["horizon"] + 1)
    return analyze(prob, extra["method"], x, y, meta["seed"], extra.get("second_order", False))


def finish(store, run_id: str) -> pd.DataFrame:
    """Analyse a stored sensitivity run's outcomes and store the indices (``analysis/indices``)."""
    meta = store.meta(run_id)
    outcomes = store.read(run_id, "outcomes", columns=["member", meta["extra"]["outcome"]])
    if len(outcomes) < meta["members"]:
        raise UserError(
            f"run {run_id} is incomplete ({len(outcomes)} of {meta['members']} members); "
            f"finish it with `nato-socialism run --resume {run_id}`."
        )
    indices, pairs = _indices(meta, store.read(run_id, "experiments"), outcomes)
    store.write_table(run_id, "indices", indices)
    if pairs is not None:
        store.write_table(run_id, "second_order", pairs)
    return indices


def run_sensitivity(
    scenario,
    outcome: str,
    *,
    doctrine: str = "nato_first",
    method: str = "morris",
    samples: int | None = None,
    second_order: bool = False,
    store=None,
    executor=None,
    data_dir=None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[str, int], None] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Run a SALib design through the model and return (ranked indices, run summary).

    ``second_order`` (Sobol only) draws the design with second order and adds the pairs' ``S2``
    to the summary (``second_order``, ranked records) and, with a store, as the run's
    ``second_order`` table. With ``store`` (a :class:`~nato_socialism.experiments.store.ResultStore` whose writer
    lock the caller holds) the members and the indices are stored as a run of kind
    ``sensitivity``; otherwise everything stays in memory. ``on_start(run_id, members)`` is
    called before the members are computed (run id ``None`` without a store).
    """
    from .executors import run_in_memory, start_run

    check_outcome(outcome)
    if second_order and method != "sobol":
        raise UserError("second-order indices need --method sobol.")
    samples = samples or DEFAULT_SAMPLES[method]
    setup, prob = sensitivity_setup(scenario, doctrine, method, samples, data_dir=data_dir, second_order=second_order)
    extra = {
        "method": method,
        "outcome": outcome,
        "samples": samples,
        "second_order": second_order,
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
        indices, pairs = _indices(meta, result.experiments, result.outcomes)
        if pairs is not None:
            summary["second_order"] = pairs.to_dict(orient="records")
        return indices, summary
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
    indices = finish(store, run_id)
    if second_order:
        summary["second_order"] = store.read_table(run_id, "second_order").to_dict(orient="records")
    return indices, summary


# ---------------------------------------------------------------------- re-analysis of stored runs
def given_sample_indices(
    prob: dict,
    x: np.ndarray,
    y: np.ndarray,
    method: str,
    seed: int,
    *,
    resamples: int = RESAMPLES,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Indices of a given-sample method, one parameter at a time, ranked, with the noise floor.

    Columns: ``rank``, ``parameter``, the method's indices (delta: ``delta`` (Borgonovo's
    moment-independent delta, bias-reduced, on the sample as drawn), ``delta_conf``, ``S1``,
    ``S1_conf``; PAWN: ``median``, ``minimum``, ``mean``, ``maximum`` of the
    Kolmogorov-Smirnov statistic over the conditioning slides and their ``cv``; RBD-FAST:
    ``S1``, ``S1_conf``; ``_conf`` are 95 % bootstrap half-widths), ``noise_floor`` (the largest
    ranking index of :data:`DUMMIES` dummy factors) and ``above_noise`` (the ranking index
    exceeds it). The
    parameters are analysed one at a time (each with the same seed) so progress can be shown;
    every index of these methods is a function of one input column and the outcome only.
    """
    from threadpoolctl import threadpool_limits

    if method not in GIVEN_SAMPLE_METHODS:
        raise UserError(f"unknown method {method!r}; expected one of {', '.join(GIVEN_SAMPLE_METHODS)}.")
    key, cols = GIVEN_COLUMNS[method]
    dummies = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,))).uniform(size=(len(y), DUMMIES))
    columns = [*(x[:, i] for i in range(x.shape[1])), *dummies.T]
    bounds = [*prob["bounds"], *[[0.0, 1.0]] * DUMMIES]
    rows = []
    # one BLAS thread: these are many small problems, and threads only contend (10x slower on 2 cores)
    with threadpool_limits(1), warnings.catch_warnings(record=True):  # SALib resets the filters itself
        for column, bound in zip(columns, bounds, strict=True):
            rows.append(_one_factor(method, column, y, bound, seed, resamples))
            if progress:
                progress(1)
    d = x.shape[1]
    values = {c: np.array([r[c] for r in rows[:d]]) for c in cols}
    frame = _ranked(prob["names"], values, key)
    frame["noise_floor"] = max(r[key] for r in rows[d:])
    frame["above_noise"] = frame[key] > frame["noise_floor"]
    return frame


def _one_factor(method: str, column: np.ndarray, y: np.ndarray, bound, seed: int, resamples: int) -> dict:
    prob = {"num_vars": 1, "names": ["x"], "bounds": [list(bound)]}
    x = column[:, None]
    if method == "delta":
        from SALib.analyze import delta

        res = delta.analyze(prob, x, y, num_resamples=resamples, conf_level=0.95, seed=seed, method="all")
        return {"delta": res["delta_raw"][0], "delta_conf": res["delta_raw_conf"][0], "S1": res["S1"][0],
                "S1_conf": res["S1_conf"][0]}
    if method == "pawn":
        from SALib.analyze import pawn

        res = pawn.analyze(prob, x, y, S=PAWN_SLIDES, seed=seed)
        return {"median": res["median"][0], "minimum": res["minimum"][0], "mean": res["mean"][0],
                "maximum": res["maximum"][0], "cv": res["CV"][0]}
    from SALib.analyze import rbd_fast

    res = rbd_fast.analyze(prob, x, y, M=RBD_HARMONICS, num_resamples=resamples, conf_level=0.95, seed=seed)
    return {"S1": res["S1"][0], "S1_conf": res["S1_conf"][0]}


def table_name(method: str, doctrine: str, outcome: str) -> str:
    """Name of a re-analysis table under the run's ``analysis/`` folder."""
    return f"sensitivity-{method}-{doctrine}-{outcome}"


def check_given_sample_method(method: str) -> None:
    """Raise a :class:`UserError` unless ``method`` re-analyses a given sample (a stored run)."""
    if method not in GIVEN_SAMPLE_METHODS:
        raise UserError(
            f"unknown --method {method!r} for a stored run; expected one of {', '.join(GIVEN_SAMPLE_METHODS)}."
        )


def reanalyze(
    store,
    run: str,
    outcome: str,
    *,
    method: str = "delta",
    doctrine: str | None = None,
    resamples: int = RESAMPLES,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Sensitivity of one outcome of a stored run, from its sample: no member is simulated again.

    The factors are the parameters the run sampled (``runs.parameters`` with low < high), ``X``
    its experiments table and ``y`` the outcome of one doctrine's members (``doctrine``: by
    default ``nato_first`` if the run has it, else its first doctrine); a year never reached
    counts as the year after the run, and members where the outcome is undefined are left
    out (their number is reported). The ranked indices (:func:`given_sample_indices`, plus
    ``method``, ``doctrine``, ``outcome`` and ``members`` columns) are stored as the run's
    analysis table :func:`table_name` and returned with a summary.

    Raises
    ------
    UserError
        For an unknown outcome, method or doctrine, an incomplete run, a run whose sample is
        not a random one (a Morris or Sobol design, an optimization) or too few members.
    """
    check_outcome(outcome)
    check_given_sample_method(method)
    run_id = store.resolve(run)
    meta = store.meta(run_id)
    if meta["kind"] in ("sensitivity", "optimize"):
        raise UserError(
            f"run {run_id} is a {meta['kind']} run; given-sample methods need a random sample of the "
            "parameters (an ensemble's Latin hypercube): pass an ensemble run."
        )
    doctrines = meta["doctrines"] or []
    doctrine = doctrine or ("nato_first" if "nato_first" in doctrines else doctrines[0])
    if doctrine not in doctrines:
        raise UserError(
            f"run {run_id} has no doctrine {doctrine!r}; it ran {', '.join(doctrines)}.{suggest(doctrine, doctrines)}"
        )
    pending = store.pending(run_id)
    if pending:
        raise UserError(
            f"run {run_id} is incomplete ({pending} member-doctrine pairs missing); finish it with "
            f"`nato-socialism run --resume {run_id}` first."
        )
    ranges = {k: v for k, v in (meta["parameters"] or {}).items() if v[0] < v[1]}
    if not ranges:
        raise UserError(f"run {run_id} fixes every parameter; nothing to analyse.")
    prob = {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(v) for v in ranges.values()]}
    exp = store.read(run_id, "experiments")
    exp = exp[exp["doctrine"] == doctrine].set_index("member").sort_index()
    out = store.read(run_id, "outcomes", columns=["member", "doctrine", outcome])
    out = out[out["doctrine"] == doctrine].set_index("member").sort_index()
    never = meta["start_year"] + meta["horizon"] + 1
    y = comparable(out[outcome], outcome, never)
    ok = ~np.isnan(y)
    if ok.sum() < MIN_MEMBERS:
        raise UserError(
            f"outcome {outcome} is defined for {int(ok.sum())} of {len(y)} members of {doctrine} in run "
            f"{run_id}; a given-sample method needs at least {MIN_MEMBERS}."
        )
    if np.ptp(y[ok]) == 0:
        raise UserError(
            f"outcome {outcome} takes one value ({y[ok][0]:g}) in every member of {doctrine} in run {run_id}; "
            "there is no variation to explain."
        )
    x = exp.loc[out.index[ok], prob["names"]].to_numpy(dtype=np.float64)
    indices = given_sample_indices(prob, x, y[ok], method, meta["seed"], resamples=resamples, progress=progress)
    stored = indices.assign(method=method, doctrine=doctrine, outcome=outcome, members=int(ok.sum()))
    name = table_name(method, doctrine, outcome)
    store.write_table(run_id, name, stored)
    summary = {
        "run_id": run_id,
        "method": method,
        "outcome": outcome,
        "doctrine": doctrine,
        "members": int(ok.sum()),
        "undefined": int((~ok).sum()),
        "factors": prob["num_vars"],
        "resamples": resamples if method != "pawn" else None,
        "table": f"analysis/{name}.parquet",
    }
    return indices, summary
