"""``nato-socialism params``: the parameter registry."""

from __future__ import annotations

import typer
from rich.table import Table

from .render import console, print_json


def params(json_out: bool = typer.Option(False, "--json", help="Print one JSON document.")):
    """List every model parameter with its default, plausible range, unit and source."""
    from ..model.registry import registry

    reg = registry()
    if json_out:
        print_json([
            {"name": p.name, "mechanism": p.mechanism, "default": p.default, "low": p.low, "high": p.high,
             "unit": p.unit, "source": p.source, "assumption": p.is_assumption, "doc": p.doc}
            for p in reg.values()
        ])
        return
    table = Table(title=f"{len(reg)} parameters (ensembles sample [low, high] unless a scenario fixes a value)")
    for col in ("name", "mech", "default", "range", "unit", "source"):
        table.add_column(col, overflow="fold")
    for p in reg.values():
        table.add_row(p.name, p.mechanism, f"{p.default:g}", f"[{p.low:g}, {p.high:g}]", p.unit, p.source)
    console.print(table)
