"""``nato-socialism sensitivity``: Morris screening or Sobol indices of one outcome, or re-analysis of a run."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..formatting import fmt
from .common import announce, check_doctrines, load, store_writer
from .options import choice, results_option
from .render import console, print_json, progress_bar, records


def show_indices(indices, meta: dict, json_out: bool, extra_doc: dict | None = None, top: int = 25) -> None:
    """Print ranked sensitivity indices (all in --json, the top ``top`` in the table)."""
    extra = meta.get("extra", meta)
    if json_out:
        print_json(
            {
                **(extra_doc or {}),
                "sensitivity": {k: v for k, v in extra.items() if k != "problem"},
                "run_id": meta.get("run_id"),
                "indices": records(indices),
            }
        )
        return
    morris = extra["method"] == "morris"
    table = Table(
        title=f"{'Morris screening' if morris else 'Sobol indices'} of {extra['outcome']} under "
        f"{extra['doctrine']} ({meta.get('members')} members; ranked by "
        f"{'mu*' if morris else 'total order'})"
    )
    cols = ("mu_star", "mu_star_conf", "sigma", "mu") if morris else ("ST", "ST_conf", "S1", "S1_conf")
    labels = ("mu*", "± 95 %", "sigma", "mu") if morris else ("ST", "± 95 %", "S1", "± 95 %")
    table.add_column("rank", justify="right")
    table.add_column("parameter")
    for label in labels:
        table.add_column(label, justify="right")
    for r in indices.head(top).itertuples():
        table.add_row(str(r.rank), r.parameter, *(fmt(getattr(r, c)) for c in cols))
    console.print(table)
    if len(indices) > top:
        console.print(f"{len(indices) - top} more parameters in --json.")
    pairs = extra.get("second_order")
    if pairs:
        table = Table(title="Second-order Sobol indices (pairs of parameters, ranked by S2)")
        for label in ("rank", "parameter 1", "parameter 2", "S2", "± 95 %"):
            table.add_column(label, justify="right" if label in ("rank", "S2", "± 95 %") else "left")
        for r in pairs[:10]:
            table.add_row(str(r["rank"]), r["parameter_1"], r["parameter_2"], fmt(r["S2"]), fmt(r["S2_conf"]))
        console.print(table)
    if meta.get("run_id"):
        console.print(f"Stored as run {meta['run_id']}.", highlight=False)


def show_reanalysis(indices, summary: dict, json_out: bool, top: int = 25) -> None:
    """Print the indices of a given-sample method on a stored run (all in --json)."""
    from ..experiments.sensitivity import GIVEN_COLUMNS

    if json_out:
        print_json({"sensitivity": summary, "indices": records(indices)})
        return
    key, cols = GIVEN_COLUMNS[summary["method"]]
    label = {"delta": "delta (moment-independent)", "pawn": "PAWN (median KS)", "rbd_fast": "RBD-FAST S1"}
    table = Table(
        title=f"{label[summary['method']]} of {summary['outcome']} under {summary['doctrine']} in run "
        f"{summary['run_id']} ({summary['members']} members, no new simulation)"
    )
    table.add_column("rank", justify="right")
    table.add_column("parameter")
    for c in cols:
        table.add_column(c.replace("_conf", " ± 95 %"), justify="right")
    table.add_column("above noise")
    for r in indices.head(top).itertuples():
        table.add_row(str(r.rank), r.parameter, *(fmt(getattr(r, c)) for c in cols), "yes" if r.above_noise else "no")
    console.print(table)
    above = int(indices["above_noise"].sum())
    console.print(
        f"Noise floor (the largest {key} of 19 dummy factors): {fmt(float(indices['noise_floor'].iloc[0]))}; "
        f"{above} of {len(indices)} parameters are above it (about 1 in 20 would be by chance)."
        + (f" {summary['undefined']} members with the outcome undefined were left out." if summary["undefined"] else "")
        + f" Stored as {summary['table']} of the run.",
        highlight=False,
    )


def sensitivity(
    scenario: str = typer.Argument("default", help="Bundled scenario name or path to a TOML file."),
    outcome: str = choice("outcome", ..., "--outcome", help="Outcome analysed (see docs/results.md)."),
    doctrine: str = choice(
        "doctrine", None, "--doctrine",
        help="Doctrine the members run (default nato_first; with --run, the run's if it lacks it).",
    ),
    method: str = choice(
        "sensitivity_method",
        None,
        "--method",
        metavar="morris|sobol|delta|pawn|rbd_fast",
        help="New run: Morris elementary effects (cheap screening, default) or Sobol S1/ST. With --run: delta "
        "(default), PAWN or RBD-FAST on the run's own sample.",
    ),
    run: str = typer.Option(
        None, "--run", metavar="RUN", help="Re-analyse a stored ensemble run (id, prefix or 'latest'); no simulation."
    ),
    second_order: bool = typer.Option(
        False, "--second-order", help="Sobol: also second-order indices of every pair (members N(2D+2))."
    ),
    resamples: int = typer.Option(
        None, "--resamples", metavar="N", help="With --run: bootstrap resamples of delta and RBD-FAST (default 100)."
    ),
    samples: int = typer.Option(
        None,
        "--samples",
        metavar="N",
        help="Morris trajectories (default 10; members N(D+1)) or Sobol base "
        "samples, a power of 2 (default 64; members N(D+2)); D = sampled "
        "parameters.",
    ),
    years: int = typer.Option(None, "--years", help="Years simulated (horizon)."),
    seed: int = typer.Option(None, "--seed", help="Seed of the design and the member keys."),
    data: Path = typer.Option(None, "--data", help="User data directory (default: bundled data)."),
    results: Path = results_option("Results directory the run is stored in."),
    no_store: bool = typer.Option(False, "--no-store", help="Keep the run in memory; store nothing."),
    workers: int = typer.Option(None, "--workers", metavar="N", help="Run on a local Dask cluster of N processes."),
    scheduler: str = typer.Option(None, "--scheduler", metavar="ADDRESS", help="Run on an existing Dask cluster."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
):
    """Rank the parameters by their influence on one outcome (SALib over the parameter registry).

    With --run a stored ensemble's own sample is re-analysed (delta, PAWN or RBD-FAST): nothing is simulated.
    """
    from ..errors import UserError
    from ..experiments.executors import make_executor
    from ..experiments.sensitivity import DEFAULT_SAMPLES, METHODS, check_outcome, design_size, problem, run_sensitivity
    from ..experiments.store import ResultStore

    check_outcome(outcome)
    if run is not None:
        given = {"--samples": samples, "--years": years, "--seed": seed, "--data": data, "--workers": workers,
                 "--scheduler": scheduler, "--second-order": second_order or None, "--no-store": no_store or None}
        clash = [k for k, v in given.items() if v is not None] + (["SCENARIO"] if scenario != "default" else [])
        if clash:
            raise UserError(f"--run re-analyses a stored run as it is; drop {', '.join(clash)}.")
        _reanalyse(results, run, outcome, doctrine, method or "delta", resamples, json_out)
        return
    method = method or "morris"
    doctrine = doctrine or "nato_first"
    check_doctrines([doctrine])
    if method not in METHODS:
        raise UserError(
            f"unknown --method {method!r}; expected morris or sobol (delta, pawn and rbd_fast re-analyse a "
            "stored run: --run RUN)."
        )
    if resamples is not None:
        raise UserError("--resamples applies to a re-analysis (--run RUN).")
    sc = load(scenario, horizon=years, seed=seed)
    samples = samples or DEFAULT_SAMPLES[method]
    total = design_size(problem(sc), method, samples, second_order)
    store = None if no_store else ResultStore.create(results)

    def on_start(run_id, members):
        if run_id:
            announce(run_id, results)

    with store_writer(store), make_executor(workers, scheduler) as executor:
        with progress_bar(total, f"{method} of {outcome}: {total} members", enabled=not json_out) as advance:
            indices, summary = run_sensitivity(
                sc,
                outcome,
                doctrine=doctrine,
                method=method,
                samples=samples,
                second_order=second_order,
                store=store,
                executor=executor,
                data_dir=data,
                progress=advance,
                on_start=on_start,
            )
    meta = {"extra": summary, "members": summary["members"], "run_id": summary["run_id"]}
    show_indices(indices, meta, json_out)


def _reanalyse(results: Path, run: str, outcome: str, doctrine, method: str, resamples, json_out: bool) -> None:
    from ..experiments.sensitivity import DUMMIES, RESAMPLES, check_given_sample_method, reanalyze
    from ..experiments.store import ResultStore

    check_given_sample_method(method)  # before a run is chosen: 'latest' depends on what can answer
    store = ResultStore.open(results)
    run_id = store.resolve(run, lambda meta: f"a {meta['kind']} run" if meta["kind"] in ("sensitivity", "optimize")
                           else None, "a re-analysis")
    factors = sum(1 for lo, hi in (store.meta(run_id)["parameters"] or {}).values() if lo < hi)
    with progress_bar(factors + DUMMIES, f"{method} of {outcome} in run {run_id}", enabled=not json_out) as advance:
        indices, summary = reanalyze(
            store, run_id, outcome, method=method, doctrine=doctrine, resamples=resamples or RESAMPLES, progress=advance
        )
    show_reanalysis(indices, summary, json_out)
