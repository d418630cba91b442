"""``nato-socialism discover``: the assumptions under which one doctrine beats another (PRIM)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..formatting import fmt
from .render import console, print_json


def _box_table(box: dict | None, title: str) -> Table | str:
    if box is None:
        return f"{title}: no box (no member, or every member, is in that case)."
    note = "" if box["meets_threshold"] else " (no box reaches the density threshold; densest shown)"
    table = Table(
        title=f"{title}: coverage {box['coverage']:.0%}, density {box['density']:.0%}, "
        f"mass {box['mass']:.0%} of members{note}"
    )
    table.add_column("parameter")
    table.add_column("box", justify="right")
    table.add_column("sampled range", justify="right")
    for r in box["restrictions"]:
        table.add_row(
            r["parameter"], f"[{fmt(r['low'])}, {fmt(r['high'])}]", f"[{fmt(r['range_low'])}, {fmt(r['range_high'])}]"
        )
    if not box["restrictions"]:
        table.add_row("(no restriction)", "", "")
    return table


def discover(
    run: str = typer.Argument(..., metavar="RUN", help="Run id, a unique prefix of one, or 'latest'."),
    outcome: str = typer.Option(..., "--outcome", help="Outcome compared (must have a better direction)."),
    better: str = typer.Option("nato_first", "--better", help="Doctrine A."),
    than: str = typer.Option("open_solidarity", "--than", help="Doctrine B."),
    threshold: float = typer.Option(
        0.8, "--threshold", help="Density a box must reach (share of members inside where the case holds)."
    ),
    results: Path = typer.Option(Path("results"), "--results", help="Results directory."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
):
    """Find parameter boxes where A beats B on an outcome, and where it loses (PRIM + feature scores)."""
    from ..experiments.discovery import discover as find
    from ..experiments.store import ResultStore

    out = find(ResultStore.open(results), run, outcome, better, than, threshold=threshold)
    if json_out:
        print_json(out)
        return
    console.print(
        f"Run {out['run_id']}: {better} better than {than} on {outcome} ({out['direction']} is "
        f"better) in {out['wins']:.0%} of {out['n']} members, worse in {out['losses']:.0%}; "
        f"{out['parameters']} sampled parameters.",
        highlight=False,
    )
    console.print(_box_table(out["win_box"], f"Where {better} wins"))
    console.print(_box_table(out["lose_box"], f"Where {better} loses"))
    if out["feature_scores"]:
        table = Table(title="Feature scores (extra trees): parameters that predict who wins")
        table.add_column("parameter")
        table.add_column("score", justify="right")
        for r in out["feature_scores"][:15]:
            table.add_row(r["parameter"], f"{r['score']:.3f}")
        console.print(table)
