"""``nato-socialism run``: run an ensemble and print the doctrine comparison."""

from __future__ import annotations

from pathlib import Path

import typer
from rich import box
from rich.table import Table

from ..errors import UserError
from ..formatting import fmt
from .common import announce, load, store_writer
from .options import choice, results_option
from .render import console, print_json, progress_bar, records

#: Outcomes shown in the terminal tables (all are in --json).
HEADLINE = (
    "first_world_failure_rate", "first_world_alternation_rate", "first_world_socialist_years", "failure_rate",
    "demsoc_pop_years", "year_demsoc_10", "demsoc_share_end", "reactionary_share_mean", "autocracy_share_mean",
    "first_world_living_growth", "world_living_mean", "poverty_years_830", "displaced_person_years",
    "essay_sequence",
)
#: Short column headers of the doctrines (the tables fit an 80-column terminal).
SHORT = {"nato_first": "nato", "open_solidarity": "open", "one_country": "one_c", "south_first": "south",
         "status_quo": "s_quo", "custom": "custom"}


def _short(doctrine: str) -> str:
    return SHORT.get(doctrine, doctrine[:8])


def comparison_table(result) -> Table:
    """Headline outcomes as rows, doctrines as columns: the median over members (fits 80 columns)."""
    from ..model.outcomes import OUTCOMES

    summary = result.summary().set_index(["doctrine", "outcome"])
    legend = ", ".join(f"{_short(d)} = {d}" for d in result.doctrines)
    table = Table(title=f"Doctrine comparison: {result.meta['scenario']}, {result.meta['members']} members, "
                        f"{result.meta['start_year']}-{result.meta['start_year'] + result.meta['horizon']}",
                  caption=f"median over members (90 % intervals: --json); {legend}; "
                          "'defined': share of members where the outcome above is defined or reached",
                  box=box.SIMPLE, padding=(0, 1))
    table.add_column("outcome (better)", no_wrap=True, min_width=max(len(n) for n in HEADLINE) + 2)
    for d in result.doctrines:
        table.add_column(_short(d), justify="right", no_wrap=True, min_width=6)
    for name in HEADLINE:
        o = OUTCOMES[name]
        arrow = {"higher": "↑", "lower": "↓", "none": " "}[o.direction]
        rows = [summary.loc[(d, name)] for d in result.doctrines]
        table.add_row(f"{name} {arrow}", *(fmt(r["median"], o.unit) for r in rows))
        if o.nullable and any(r["reached"] < 1 for r in rows):
            table.add_row("  defined", *(f"{100 * r['reached']:.0f}%" for r in rows))
    return table


def pairs_table(result, reference: str) -> Table:
    """The reference doctrine against each other one, one outcome block per outcome (fits 80 columns)."""
    comp = result.compare()
    comp = comp[(comp["a"] == reference) & comp["outcome"].isin(HEADLINE)]
    table = Table(title=f"{reference} minus each doctrine, paired over members",
                  caption=f"mean difference ± 90 % MC interval; P = P({reference} better); n: pairs where both "
                          "are defined", box=box.SIMPLE, padding=(0, 1))
    for col, justify in (("outcome", "left"), ("vs", "left"), ("Δ mean", "right"), ("± 90%", "right"),
                         ("P", "right"), ("n", "right")):
        table.add_column(col, justify=justify, no_wrap=True)
    others = [d for d in result.doctrines if d != reference]
    for name in HEADLINE:
        rows = comp[comp["outcome"] == name].set_index("b")
        if rows.empty:
            continue
        for k, d in enumerate(others):
            r = rows.loc[d]
            label = name if k == 0 else ""
            if r["n"] == 0:
                table.add_row(label, _short(d), "-", "-", "-", "0")
            else:
                table.add_row(label, _short(d), fmt(r["diff_mean"]), fmt(1.645 * r["diff_mean_se"]),
                              f"{r['p_a_better']:.2f}", f"{int(r['n'])}")
        table.add_section()
    return table


def run(
    scenario: str = typer.Argument("default", help="Bundled scenario name or path to a TOML file."),
    doctrine: list[str] = choice(
        "doctrine",
        None, "--doctrine", repeatable=True, help="Doctrine to run (repeatable); default: the scenario's."
    ),
    members: int = typer.Option(None, "--members", help="Ensemble members."),
    years: int = typer.Option(None, "--years", help="Years simulated (horizon)."),
    start_year: int = typer.Option(None, "--start-year", help="Start year."),
    seed: int = typer.Option(None, "--seed", help="Run seed."),
    data: Path = typer.Option(None, "--data", help="User data directory (default: bundled data)."),
    results: Path = results_option("Results directory the run is stored in."),
    resume: str = typer.Option(None, "--resume", metavar="RUN",
                               help="Compute the missing chunks of an interrupted run (id, prefix, or 'latest': "
                               "the newest run with chunks left)."),
    keep_trajectories: int = typer.Option(
        None, "--keep-trajectories", metavar="K",
        help="Store country-year trajectories and 'why' tables of the first K members (default 2).",
    ),
    workers: int = typer.Option(None, "--workers", metavar="N", help="Run on a local Dask cluster of N processes."),
    scheduler: str = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                  help="Run on an existing Dask cluster (e.g. tcp://host:8786)."),
    chunk_size: int = typer.Option(None, "--chunk-size", metavar="N",
                                   help="Members per stored chunk (default 250)."),
    no_store: bool = typer.Option(False, "--no-store", help="Keep the run in memory; store nothing."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document (summary and comparisons)."),
):
    """Run an ensemble of every doctrine on common random numbers, store it and compare the doctrines.

    Every run is stored under --results (DuckDB metadata, Parquet tables; see docs/results.md)
    chunk by chunk, so an interrupted run can be finished with --resume RUN.
    """
    from ..experiments.ensemble import DEFAULT_CHUNK, DEFAULT_KEEP, prepare
    from ..experiments.executors import make_executor, run_in_memory, start_run
    from ..experiments.store import ResultStore

    if resume:
        given = {"SCENARIO": scenario != "default", "--doctrine": doctrine, "--members": members,
                 "--years": years, "--start-year": start_year, "--seed": seed,
                 "--keep-trajectories": keep_trajectories is not None, "--chunk-size": chunk_size,
                 "--no-store": no_store}
        clash = [k for k, v in given.items() if v]
        if clash:
            raise UserError(f"--resume continues a run with its own settings; drop {', '.join(clash)}.")
        result = _resume(ResultStore.open(results), resume, workers, scheduler, data, json_out)
        if result is None:
            return
        run_id = result.meta["run_id"]
    else:
        chunk_size = chunk_size or DEFAULT_CHUNK
        keep_trajectories = DEFAULT_KEEP if keep_trajectories is None else keep_trajectories
        if keep_trajectories < 0:
            raise UserError("--keep-trajectories must be 0 or more.")
        sc = load(scenario, members=members, horizon=years, start_year=start_year, seed=seed,
                  doctrines=doctrine or None)
        setup = prepare(sc, data_dir=data)
        total = setup.members * len(setup.specs)
        store = None if no_store else ResultStore.create(results)
        with store_writer(store), make_executor(workers, scheduler) as executor:
            with progress_bar(total, f"{len(setup.specs)} doctrines x {setup.members} members",
                              enabled=not json_out) as advance:
                if store is None:
                    result = run_in_memory(setup, chunk_size=chunk_size, keep=keep_trajectories,
                                           executor=executor, data_dir=data, progress=advance)
                    run_id = None
                else:
                    run_id = start_run(setup, store, chunk_size=chunk_size, keep=keep_trajectories,
                                       executor=executor, data_dir=data, progress=advance,
                                       on_start=lambda rid: announce(rid, results))
        if store is not None:
            result = store.load(run_id)
    show_comparison(result, json_out, run_id=run_id, results=None if no_store else results)


def _resumable(meta: dict) -> str | None:
    return {"optimize": "an optimization (rerun it)", "ema": "EMA experiments (stored whole)"}.get(meta["kind"])


def _to_resume(store, run: str) -> str:
    """The run ``--resume RUN`` names; ``latest``: the newest run with chunks left, else the newest resumable one."""
    if run != "latest":
        return store.resolve(run)

    def unfinished(meta: dict) -> str | None:
        return _resumable(meta) or (None if store.pending(meta["run_id"]) > 0 else "complete")

    try:
        return store.resolve(run, unfinished, "--resume")
    except UserError:  # every run is complete: resuming the newest computes nothing and shows it
        return store.resolve(run, _resumable, "--resume")


def _resume(store, run: str, workers, scheduler, data, json_out):
    from ..experiments.executors import make_executor, resume_run

    run_id = _to_resume(store, run)
    with store.writer():
        missing = store.pending(run_id)
        with make_executor(workers, scheduler) as executor:
            with progress_bar(max(missing, 1), f"resuming {run_id}: {missing} members left",
                              enabled=not json_out) as advance:
                resume_run(store, run_id, executor=executor, data_dir=data, progress=advance)
        kind = store.meta(run_id)["kind"]
        if kind == "sensitivity":
            from ..experiments.sensitivity import finish
            from .sensitivity import show_indices

            show_indices(finish(store, run_id), store.meta(run_id), json_out)
            return None
    return store.load(run_id)


def show_comparison(result, json_out: bool, run_id: str | None = None, results: Path | None = None) -> None:
    """Print a result's comparison tables (or one JSON document)."""
    if json_out:
        print_json({"run_id": run_id, "results": None if results is None else str(results), "meta": result.meta,
                    "summary": records(result.summary()), "comparison": records(result.compare())})
        return
    console.print(comparison_table(result))
    reference = "nato_first" if "nato_first" in result.doctrines else result.doctrines[0]
    if len(result.doctrines) > 1:
        console.print(pairs_table(result, reference))
    console.print("Median [5th, 95th percentile] over members. Δ: mean paired difference ± 90 % Monte Carlo "
                  "interval. `--json` gives every outcome and pair.")
    if run_id:
        console.print(f"Stored as run {run_id} in {results}/ (`nato-socialism results show {run_id}`).",
                      highlight=False)
