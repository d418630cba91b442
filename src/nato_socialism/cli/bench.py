"""``nato-socialism bench``: the performance figures against their targets (``make bench``)."""

from __future__ import annotations

import typer
from rich.table import Table

from .render import console, err_console, print_json


def _fmt(value, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "country-years/s":
        return f"{value / 1e6:.2f} M"
    if unit == "x":
        return f"{value:.1f}x" if value < 100 else f"{value:,.0f}x"
    if unit == "s" and value < 1:
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:.1f} {unit}" if unit != "MiB" else f"{value:,.0f} MiB"


def bench(
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document: machine and every figure."),
    quick: bool = typer.Option(False, "--quick", help="Small sizes (seconds, for tests); not comparable to targets."),
):
    """Measure core throughput, run wall time, peak memory, Dask scaling and reference ratios.

    Every figure is printed with its target and whether it was met; the command exits 0 either
    way. Sizes: 11 calls of each start-up command, 1,000 members x 100 years for the core,
    the default scenario for `run`, 10,000 and 2,000 members for memory, 2,000 for Dask,
    32 members x 10 years for the references and the EMA adapter, the default run's report
    (written, size, load time in Chromium).
    """
    from ..experiments.bench import run_suite, to_json

    report = run_suite(quick=quick, progress=None if json_out else (lambda msg: err_console.print(f"[dim]{msg}[/dim]")))
    if json_out:
        import json

        print_json(json.loads(to_json(report)))
        return
    m = report["machine"]
    blas = ", ".join(
        f"{b.get('internal_api')} {b.get('version')} {b.get('architecture')} ({b.get('num_threads')} threads)"
        for b in m["blas"] if b.get("user_api") == "blas"
    )
    console.print(f"{m['cpu']}, {m['usable_cores']} usable cores; Python {m['python']}, NumPy {m['numpy']}, "
                  f"numba {m['numba']}; BLAS: {blas}; simulation threads: {m['simulation_threads']}")
    table = Table(title="nato-socialism bench" + (" (--quick: sizes too small to judge)" if quick else ""))
    for col in ("figure", "value", "target", "met", "what"):
        table.add_column(col, justify="right" if col in ("value", "target") else "left")
    for f in report["figures"]:
        met = {True: "[green]yes[/green]", False: "[red]no[/red]", None: "n/a"}[f["met"]]
        what = f["meaning"]
        if "error" in f["detail"]:
            what += f" [red]({f['detail']['error'][:80]})[/red]"
        elif "note" in f["detail"]:
            what += f" ({f['detail']['note']})"
        if "fallback" in f["detail"]:
            what += f" [yellow](fallback: {f['detail']['fallback'][:80]})[/yellow]"
        table.add_row(f["name"], _fmt(f["value"], f["unit"]), f["target"], met, what)
    console.print(table)
