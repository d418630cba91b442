"""``nato-socialism optimize``: robust multi-objective search of the custom doctrine's controls."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..formatting import fmt
from .common import announce, load, store_writer
from .options import choice, results_option
from .render import console, print_json, progress_bar, records


def show_optimization(
    front, named, meta: dict, json_out: bool, run_id=None, results=None, extra_doc: dict | None = None
) -> None:
    """Print the Pareto front and where the named doctrines sit against it."""
    from ..model.outcomes import OUTCOMES

    config = meta["extra"]["config"]
    objectives = config["objectives"]
    if json_out:
        print_json(
            {**(extra_doc or {}), "run_id": run_id, "config": config, "front": records(front), "named": records(named)}
        )
        return
    units = {o: ("" if config["robustness"] == "regret" else OUTCOMES[o].unit) for o in objectives}
    table = Table(
        title=f"Pareto front: {len(front)} of {meta['extra']['evaluations']} candidates "
        f"({config['robustness']} over {config['members']} members, {config['horizon']} years)"
    )
    table.add_column("#", justify="right")
    for o in objectives:
        table.add_column(o, justify="right", overflow="fold")
    for i, r in enumerate(front.to_dict(orient="records"), 1):
        table.add_row(str(i), *(fmt(r[o], units[o]) for o in objectives))
    console.print(table)
    shown = front.head(6)
    table = Table(title=f"Controls of the front points{' (first 6; all in --json)' if len(front) > 8 else ''}")
    table.add_column("control", no_wrap=True)
    for i in range(1, len(shown) + 1):
        table.add_column(f"#{i}", justify="right")
    for c in meta["extra"]["controls"]:
        table.add_row(c, *(f"{v:.2g}" for v in shown[c]))
    console.print(table)
    table = Table(
        title="Named doctrines against the front (epsilon: share of each objective's range; "
        "<= 0 dominated, > 0 the front must improve that much to dominate; gain: mean improvement a "
        "dominating front point offers)"
    )
    table.add_column("doctrine", no_wrap=True)
    for o in objectives:
        table.add_column(o, justify="right", overflow="fold")
    table.add_column("dominated")
    table.add_column("epsilon", justify="right")
    table.add_column("gain", justify="right")
    for r in named.to_dict(orient="records"):
        table.add_row(
            r["doctrine"],
            *(fmt(r[o], units[o]) for o in objectives),
            "yes" if r["dominated"] else "no",
            f"{r['epsilon']:+.3f}",
            f"{r.get('gain', float('nan')):.3f}",
        )
    console.print(table)
    if run_id:
        console.print(f"Stored as run {run_id} in {results}/ (analysis/pareto_front.parquet).", highlight=False)


def optimize(
    scenario: str = typer.Argument("default", help="Bundled scenario name or path to a TOML file."),
    objective: list[str] = choice(
        "outcome",
        None,
        "--objective",
        repeatable=True,
        help="Outcome to optimize (repeatable); default: "
        "demsoc_pop_years, bureaucratic_share_mean, poverty_years_830, "
        "displaced_person_years.",
    ),
    robustness: str = choice(
        "robustness",
        "mean",
        "--robustness",
        metavar="mean|p10|regret",
        help="Ensemble statistic scored: mean, p10 (worst 10 % of members) or regret "
        "(shortfall against the best named doctrine per member).",
    ),
    members: int = typer.Option(12, "--members", help="Members of the fixed ensemble every candidate runs."),
    years: int = typer.Option(40, "--years", help="Years simulated."),
    pop_size: int = typer.Option(16, "--pop-size", help="NSGA-II population."),
    generations: int = typer.Option(6, "--generations", help="NSGA-II generations."),
    seed: int = typer.Option(None, "--seed", help="Seed of the ensemble and the search (default: scenario's)."),
    data: Path = typer.Option(None, "--data", help="User data directory (default: bundled data)."),
    results: Path = results_option("Results directory the run is stored in."),
    no_store: bool = typer.Option(False, "--no-store", help="Keep the result in memory; store nothing."),
    workers: int = typer.Option(None, "--workers", metavar="N", help="Evaluate candidates on N local processes."),
    scheduler: str = typer.Option(None, "--scheduler", metavar="ADDRESS", help="Use an existing Dask cluster."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
):
    """Search the custom doctrine's controls with NSGA-II on several objectives over a fixed ensemble.

    The defaults (12 members, 40 years, population 16, 6 generations: about 100 candidate
    ensembles) take well under a minute on 2 cores.
    """
    from ..experiments.executors import make_executor
    from ..experiments.optimize import DEFAULT_OBJECTIVES, NAMED, OptimizeConfig, store_optimization
    from ..experiments.optimize import optimize as search
    from ..experiments.store import ResultStore

    config = OptimizeConfig(
        members=members,
        horizon=years,
        pop_size=pop_size,
        generations=generations,
        objectives=tuple(objective or DEFAULT_OBJECTIVES),
        robustness=robustness,
        seed=seed,
    )
    config.check()
    sc = load(scenario)
    store = None if no_store else ResultStore.create(results)
    total = len(NAMED) + pop_size * generations
    with store_writer(store), make_executor(workers, scheduler) as executor:
        with progress_bar(total, f"NSGA-II: {pop_size} x {generations} candidates", enabled=not json_out) as advance:
            result, setup, named_chunks = search(sc, config, executor=executor, data_dir=data, progress=advance)
        run_id = None
        if store is not None:
            run_id = store_optimization(store, result, setup, named_chunks, data_dir=data)
            announce(run_id, results)
    meta = {"extra": result.meta}
    show_optimization(result.front, result.named, meta, json_out, run_id=run_id, results=results)
