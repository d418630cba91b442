"""``nato-socialism results``: list, show and export stored runs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import typer
from rich.table import Table

from ..formatting import fmt
from .options import choice, results_option
from .render import console, print_json, records

results_app = typer.Typer(
    help="List, show and export stored runs (DuckDB + Parquet; see docs/results.md).",
    no_args_is_help=True,
)

_RESULTS = results_option()
_JSON = typer.Option(False, "--json", help="Print one JSON document.")
_RUN = typer.Argument(..., metavar="RUN", help="Run id, a unique prefix of one, or 'latest'.")


def _open(results: Path):
    from ..experiments.store import ResultStore

    return ResultStore.open(results)


@results_app.command("list")
def list_runs(results: Path = _RESULTS, json_out: bool = _JSON):
    """List the runs of a results directory, newest first."""
    store = _open(results)
    runs = store.runs()
    cols = [
        "run_id",
        "kind",
        "status",
        "scenario_name",
        "members",
        "horizon",
        "doctrines",
        "chunks_done",
        "chunks_total",
        "started",
        "finished",
    ]
    if json_out:
        frame = runs[cols].assign(started=runs["started"].astype(str), finished=runs["finished"].astype(str))
        print_json(records(frame))
        return
    console.print(runs_table(runs, str(results)))


def runs_table(runs, where: str) -> Table:
    """The runs as a table readable at 80 columns: fixed short columns, the doctrines wrap in the last one."""
    from rich import box

    from ..model.doctrines import DOCTRINE_NAMES

    table = Table(title=f"{len(runs)} runs in {where}", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False,
                  caption="run ids begin with their UTC start time; size: members x years", title_justify="left")
    table.add_column("run", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("scenario: doctrines", ratio=1, min_width=16)
    for r in runs.itertuples():
        doctrines = json.loads(r.doctrines)
        named = f"all {len(doctrines)} doctrines" if set(doctrines) == set(DOCTRINE_NAMES) else ", ".join(doctrines)
        done = r.status == "complete" and r.chunks_done == r.chunks_total
        table.add_row(r.run_id, r.kind, r.status if done else f"{r.status} {r.chunks_done}/{r.chunks_total}",
                      f"{r.members}x{r.horizon}", f"{r.scenario_name}: {named}")
    return table


def _workers(store, run_id: str) -> list[dict]:
    counts = Counter()
    for c in store.committed(run_id):
        w = c.manifest.get("worker", {})
        counts[(w.get("host"), w.get("pid"), w.get("worker"), c.manifest.get("session", 1))] += 1
    return [
        {"host": h, "pid": p, "worker": w, "session": s, "chunks": n}
        for (h, p, w, s), n in sorted(counts.items(), key=lambda kv: (kv[0][3], str(kv[0])))
    ]


def _meta_table(meta: dict, workers: list[dict], chunks_done: int) -> Table:
    total = len(meta["chunk_plan"] or []) * len(meta["doctrines"] or [])
    table = Table(title=f"Run {meta['run_id']}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    rows = {
        "kind / status": f"{meta['kind']} / {meta['status']}",
        "scenario": f"{meta['scenario_name']}: {meta['members']} members, {meta['start_year']}-"
        f"{meta['start_year'] + meta['horizon']}, seed {meta['seed']}",
        "doctrines": ", ".join(meta["doctrines"] or []),
        "chunks": f"{chunks_done}/{total} committed (chunk size {meta['chunk_size']}, "
        f"{meta['keep_trajectories']} members with trajectories), {meta['sessions']} session(s)",
        "versions": f"package {meta['package_version']}, data {meta['data_version']}, schema {meta['schema_version']}, "
        f"model {(meta.get('model_hash') or 'not recorded')[:12]}",
        "time (UTC)": f"{meta['started']} to {meta['finished'] or '-'}",
        "workers": "\n".join(
            f"session {w['session']}: {w['worker']} (pid {w['pid']} on {w['host']}): {w['chunks']} chunks"
            for w in workers
        ),
    }
    for k, v in rows.items():
        table.add_row(k, v)
    return table


def _series_table(frame, title: str, columns: list[str], units: dict[str, str]) -> Table:
    table = Table(title=title)
    table.add_column("year", justify="right")
    doctrines = list(dict.fromkeys(frame["doctrine"]))
    for d in doctrines:
        table.add_column(d, justify="right")
    years = sorted(frame["year"].unique())
    shown = [y for y in years if (y - years[0]) % 10 == 0 or y == years[-1]]
    indexed = frame.set_index(["doctrine", "year"])
    for y in shown:
        cells = []
        for d in doctrines:
            r = indexed.loc[(d, y)]
            cells.append("  ".join(f"{c} {fmt(r[c], units.get(c, ''))}" for c in columns))
        table.add_row(str(y), *cells)
    return table


@results_app.command("show")
def show(
    run: str = _RUN,
    country: str = typer.Option(
        None, "--country", metavar="ISO3", help="That country's kept trajectories (needs --keep-trajectories)."
    ),
    bloc: str = choice(
        "series_bloc",
        None,
        "--bloc",
        metavar="ID",
        help="Democratic socialist share of a bloc: world, first_world, nato, bric, brics_plus, periphery, developing.",
    ),
    results: Path = _RESULTS,
    json_out: bool = _JSON,
):
    """Show a stored run: metadata, workers and its doctrine comparison (or a country or bloc)."""
    from ..experiments.store import bloc_series, country_trajectory

    store = _open(results)
    run_id = store.resolve(run)
    meta = store.meta(run_id)
    if country or bloc:
        frame = country_trajectory(store, run_id, country) if country else bloc_series(store, run_id, bloc)
        if json_out:
            print_json({"run_id": run_id, "country": country and country.upper(), "bloc": bloc, "rows": records(frame)})
            return
        if country:
            title = (
                f"{country.upper()} in run {run_id}: medians over kept members (demsoc = share of members "
                "where it is democratic socialist)"
            )
            cols, units = (
                ["support", "reaction", "demsoc"],
                {"support": "share", "reaction": "share", "demsoc": "share"},
            )
        else:
            title = f"Democratic socialist share of the {bloc} bloc in run {run_id}: median [5 %, 95 %]"
            cols, units = ["median", "p05", "p95"], {"median": "share", "p05": "share", "p95": "share"}
        console.print(_series_table(frame, title, cols, units))
        return
    workers = _workers(store, run_id)
    done = len(store.committed(run_id))
    doc = {"run": meta, "workers": workers}
    if meta["kind"] == "sensitivity":
        from .sensitivity import show_indices

        if (store.run_dir(run_id) / "analysis" / "indices.parquet").exists():
            if not json_out:
                console.print(_meta_table(meta, workers, done))
            show_indices(store.read_table(run_id, "indices"), meta, json_out, extra_doc=doc)
            return
    if meta["kind"] == "optimize":
        from .optimize import show_optimization

        if not json_out:
            console.print(_meta_table(meta, workers, done))
        show_optimization(
            store.read_table(run_id, "pareto_front"),
            store.read_table(run_id, "named"),
            meta,
            json_out,
            run_id=run_id,
            results=results,
            extra_doc=doc,
        )
        return
    result = store.load(run_id)
    if json_out:
        summary = result.summary() if not result.outcomes.empty else None
        print_json(
            {
                **doc,
                "summary": None if summary is None else records(summary),
                "comparison": None if result.outcomes.empty else records(result.compare()),
            }
        )
        return
    console.print(_meta_table(meta, workers, done))
    if result.outcomes.empty:
        console.print("No chunk committed yet.")
        return
    from .run import comparison_table, pairs_table

    console.print(comparison_table(result))
    if len(result.doctrines) > 1:
        reference = "nato_first" if "nato_first" in result.doctrines else result.doctrines[0]
        console.print(pairs_table(result, reference))


@results_app.command("export")
def export(
    run: str = _RUN,
    format: str = choice("format", ..., "--format", metavar="csv|parquet", help="Output format."),
    out: Path = typer.Option(None, "--out", metavar="DIR", help="Output directory (default: export/RUN)."),
    results: Path = _RESULTS,
):
    """Export a run's tables as one CSV or Parquet file each, plus run.json (metadata, chunks)."""
    from ..experiments.store import export_run

    store = _open(results)
    run_id = store.resolve(run)
    written = export_run(store, run_id, format.lower(), out or Path("export") / run_id)
    for path in written:
        typer.echo(str(path))
