"""The ``countries`` command: the simulated countries, their blocs and initial values."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from .options import choice


def countries(
    bloc: str | None = choice("bloc", None, "--bloc", metavar="BLOC", help="Only members of this bloc."),
    year: int | None = typer.Option(
        None, "--year", help="Year of bloc membership (default: the snapshot year)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON list instead."),
    data: Path | None = typer.Option(None, "--data", help="User data directory (default: bundled data)."),
) -> None:
    """List the simulated countries with their blocs, initial GDP per head, democracy and politics.

    Blocs are evaluated in --year; the country values are the snapshot's, with the
    variables that were imputed named in the last column ("politics": no free election in the
    ten years before the snapshot year, vote shares imputed).
    """
    from nato_socialism.data import ROW_LABELS, build_blocs, build_world
    from nato_socialism.data.parties import SOURCE_LABELS

    world = build_world(data_dir=data)
    politics = world.politics
    blocs = build_blocs(world, data_dir=data)
    year = world.year if year is None else year
    selected = blocs.mask(bloc, year) if bloc else [True] * len(world.iso3)
    primary = blocs.primary(year)
    rows = [
        {
            "iso3": code,
            "name": world.name[i],
            "blocs": blocs.blocs_of(code, year),
            "primary_bloc": str(primary[i]),
            "gdppc": float(world.gdppc[i]),
            "democracy": float(world.democracy[i]),
            "regime_row": int(world.regime_row[i]),
            "regime": ROW_LABELS[world.regime_row[i]],
            "politics": {
                "source": politics.source[i],
                "election_year": int(politics.election_year[i]) or None,
                "radical_left": float(politics.radical_left[i]),
                "moderate_left": float(politics.moderate_left[i]),
                "radical_right": float(politics.radical_right[i]),
            },
            "imputed": [var for var, flag in world.imputed.loc[code].items() if flag]
            + (["politics"] if politics.imputed[i] else []),
        }
        for i, code in enumerate(world.iso3)
        if selected[i]
    ]
    if json_out:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(
        title=f"{len(rows)} countries, blocs in {year}" + (f", bloc {bloc}" if bloc else "")
    )
    for header in ("ISO3", "Name", "Blocs", "GDP per head (2021 PPP $)", "Democracy", "Regime", "Last election",
                   "Left / moderate / right (%)"):
        table.add_column(header, justify="right" if header.startswith(("GDP", "Dem", "Left")) else "left")
    table.add_column("Imputed")
    for row in rows:
        pol = row["politics"]
        table.add_row(
            row["iso3"],
            row["name"],
            ", ".join(row["blocs"]),
            f"{row['gdppc']:,.0f}",
            f"{row['democracy']:.3f}",
            row["regime"],
            f"{SOURCE_LABELS[pol['source']]} {pol['election_year'] or ''}".strip(),
            f"{100 * pol['radical_left']:.0f} / {100 * pol['moderate_left']:.0f} / {100 * pol['radical_right']:.0f}",
            ", ".join(row["imputed"]),
        )
    Console().print(table)
