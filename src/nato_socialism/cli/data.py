"""The ``data`` commands: import newer downloads into a data folder, summarise and compare folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

BUNDLED = "bundled"

data_app = typer.Typer(
    help=(
        "Import newer World Bank, Our World in Data or V-Dem downloads into a data folder, "
        "and summarise or compare data folders (see docs/data.md)."
    ),
    no_args_is_help=True,
)


def _folder(text: str | None) -> Path | None:
    """A data folder argument: None (the bundled data) for 'bundled' or no value."""
    return None if text is None or text == BUNDLED else Path(text)


def _number(value: float, sign: str = "") -> str:
    """Format a value for reading: thousands separators for large ones, 4 digits for small."""
    return f"{value:{sign},.0f}" if abs(value) >= 1000 else f"{value:{sign}.4g}"


def _print_json(document: Any) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, default=str))


@data_app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE",
            help="CSV files as downloaded: World Bank API_*.csv, OWID grapher .csv, V-Dem/ERT .csv.",
        ),
    ],
    into: Annotated[
        Path,
        typer.Option("--into", help="Data folder to write (replaced only once the new one validates)."),
    ] = Path("data"),
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Data folder to start from, e.g. an earlier --into to add to it (default: bundled).",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Write a data folder: the bundled data with the downloaded indicators replaced.

    Other commands read the folder with `--data DIR` (e.g. `run --data data`).
    """
    from nato_socialism.data.importers import import_files

    report = import_files(files, into, base_dir=_folder(base))
    if json_out:
        _print_json(report.to_dict())
        return
    typer.echo(f"wrote {report.into} (data_version {report.data_version})")
    for file in report.files:
        dropped = "".join(f", {reason} dropped: {n}" for reason, n in file.dropped.items())
        typer.echo(
            f"{file.path} ({file.format}): rows read: {file.rows_read:,}, "
            f"countries matched: {file.countries_matched}{dropped}"
        )
        if file.unmatched:
            typer.echo(f"  unmatched, not imported: {', '.join(file.unmatched)}")
        for series in file.series:
            panel = (
                f"; panel {series.panel_column} {series.panel_years[0]}-{series.panel_years[1]}: "
                f"values: {series.panel_values:,}"
                if series.panel_years
                else ""
            )
            typer.echo(
                f"  {series.indicator} <- {series.source}: snapshot set: {series.snapshot_values}, "
                f"emptied: {series.snapshot_emptied}, kept: {series.snapshot_kept}{panel}"
            )


@data_app.command("show")
def show(
    data: Annotated[
        str | None,
        typer.Option("--data", help="Data folder (default: the bundled data)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Summarise a data folder: files, data_version, and per indicator coverage and provenance."""
    from nato_socialism.data.userdata import describe_data_dir

    summary = describe_data_dir(_folder(data))
    if json_out:
        _print_json(summary)
        return
    console = Console()
    # Paths and file names are plain text, not Rich markup.
    console.print(f"{summary['path']}  data_version {summary['data_version']}", markup=False)
    console.print(
        f"{summary['countries']} countries, {summary['panel_rows']:,} panel rows; files: "
        + ", ".join(f["name"] for f in summary["files"]),
        markup=False,
    )
    table = Table(title="Snapshot indicators (full provenance: --json or SOURCES.md)")
    name_width = max(map(len, summary["indicators"]))
    table.add_column("Indicator", no_wrap=True, min_width=name_width)
    table.add_column("Countries", justify="right", no_wrap=True)
    table.add_column("Years", justify="right", no_wrap=True)
    table.add_column("Latest source", no_wrap=True)
    # The source is the least needed column: cut it to the room left, one line per indicator.
    room = max(20, console.width - name_width - 36)
    for name, facts in summary["indicators"].items():
        years = facts["years"]
        latest = facts["provenance"][-1].removeprefix(f"`{name}` from ") if facts["provenance"] else ""
        table.add_row(
            name,
            str(facts["countries"]),
            "" if years is None else f"{years[0]}-{years[1]}",
            Text(latest if len(latest) <= room else latest[: room - 1] + "…"),
        )
    console.print(table)


@data_app.command("diff")
def diff(
    a: Annotated[str, typer.Argument(help="First data folder, or 'bundled'.")],
    b: Annotated[str, typer.Argument(help="Second data folder, or 'bundled'.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Summarise how data folder B differs from A, per indicator and panel column."""
    from nato_socialism.data.userdata import diff_data_dirs

    changes = diff_data_dirs(_folder(a), _folder(b))
    if json_out:
        _print_json(changes)
        return
    typer.echo(f"A {changes['a']['path']} ({changes['a']['data_version']})")
    typer.echo(f"B {changes['b']['path']} ({changes['b']['data_version']})")
    for side in ("a", "b"):
        if changes[f"countries_only_in_{side}"]:
            codes = ", ".join(changes[f"countries_only_in_{side}"])
            typer.echo(f"countries only in {side.upper()}: {codes}")
    if not changes["indicators"] and not changes["panel"]:
        typer.echo("no differences in the snapshot or panel values")
    for name, facts in changes["indicators"].items():
        largest = ", ".join(
            f"{c['iso3']} {_number(c['change'], '+')} ({_number(c['a'])} -> {_number(c['b'])})"
            for c in facts["largest_changes"]
        )
        typer.echo(
            f"{name}: countries changed: {facts['countries_changed']}"
            + (f", became missing: {', '.join(facts['became_missing'])}" if facts["became_missing"] else "")
            + (f", became present: {', '.join(facts['became_present'])}" if facts["became_present"] else "")
            + (f"; largest: {largest}" if largest else "")
        )
    for column, counts in changes["panel"].items():
        typer.echo(
            f"panel {column}: values changed: {counts['values_changed']:,}, added: "
            f"{counts['values_added']:,}, removed: {counts['values_removed']:,}"
        )
