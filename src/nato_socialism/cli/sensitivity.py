"""``nato-socialism sensitivity``: Morris screening or Sobol indices of one outcome."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..formatting import fmt
from .render import console, print_json, progress_bar, records
from .run import announce, check_doctrines, load, store_writer


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
    if meta.get("run_id"):
        console.print(f"Stored as run {meta['run_id']}.", highlight=False)


def sensitivity(
    scenario: str = typer.Argument("default", help="Bundled scenario name or path to a TOML file."),
    outcome: str = typer.Option(..., "--outcome", help="Outcome analysed (see docs/results.md)."),
    doctrine: str = typer.Option("nato_first", "--doctrine", help="Doctrine the members run."),
    method: str = typer.Option(
        "morris", "--method", metavar="morris|sobol", help="Morris elementary effects (cheap screening) or Sobol S1/ST."
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
    results: Path = typer.Option(Path("results"), "--results", help="Results directory the run is stored in."),
    no_store: bool = typer.Option(False, "--no-store", help="Keep the run in memory; store nothing."),
    workers: int = typer.Option(None, "--workers", metavar="N", help="Run on a local Dask cluster of N processes."),
    scheduler: str = typer.Option(None, "--scheduler", metavar="ADDRESS", help="Run on an existing Dask cluster."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
):
    """Rank the parameters by their influence on one outcome (SALib over the parameter registry)."""
    from ..errors import UserError
    from ..experiments.executors import make_executor
    from ..experiments.sensitivity import DEFAULT_SAMPLES, METHODS, check_outcome, design_size, problem, run_sensitivity
    from ..experiments.store import ResultStore

    check_outcome(outcome)
    check_doctrines([doctrine])
    if method not in METHODS:
        raise UserError(f"unknown --method {method!r}; expected morris or sobol.")
    sc = load(scenario, horizon=years, seed=seed)
    samples = samples or DEFAULT_SAMPLES[method]
    total = design_size(problem(sc), method, samples)
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
                store=store,
                executor=executor,
                data_dir=data,
                progress=advance,
                on_start=on_start,
            )
    meta = {"extra": summary, "members": summary["members"], "run_id": summary["run_id"]}
    show_indices(indices, meta, json_out)
