"""The ``scenario`` commands: write a commented template, check a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

scenario_app = typer.Typer(
    help="Write and check scenario files (TOML; see docs/scenarios.md).",
    no_args_is_help=True,
)


@scenario_app.command("new")
def new(
    file: Annotated[Path, typer.Argument(help="Scenario file to write, e.g. my_run.toml.")],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the file if it exists.")
    ] = False,
) -> None:
    """Write a commented scenario template documenting every key (the default run as is)."""
    from nato_socialism.scenario import write_scenario_template

    path = write_scenario_template(file, force=force)
    typer.echo(f"wrote {path}; check it with `nato-socialism scenario check {path}`")


@scenario_app.command("check")
def check(
    source: Annotated[
        str,
        typer.Argument(metavar="FILE_OR_NAME", help="Scenario file, or a bundled scenario's name."),
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Validate a scenario against the schema and the data, and summarize it."""
    from nato_socialism.scenario import load_scenario

    scenario = load_scenario(source)
    scenario.build()  # country codes, blocs and the start year need the data
    summary = scenario.summary()
    if json_out:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    Console().print(_summary_table(summary))


def _summary_table(s: dict) -> Table:
    """Key-value rows of a scenario summary; empty tables say 'none'."""
    table = Table(title=f"Scenario {s['name']} is valid", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    fixed = [f"{k} = {v:g}" for k, v in s["fixed_parameters"].items()]
    sampled = [f"{k} in [{lo:g}, {hi:g}]" for k, (lo, hi) in s["sampled_parameters"].items()]
    controls = [f"{k} = {v:g}" for k, v in s["custom_controls"].items()]
    blocs = [
        f"{bloc} {action} {code} from {year}"
        for bloc, actions in s["blocs"].items()
        for action, codes in actions.items()
        for code, year in codes.items()
    ]
    events = [
        f"{e['year']} {e['country']} {e['kind']}"
        + "".join(f" {k}={e[k]}" for k in ("regime", "value", "bloc") if k in e)
        for e in s["events"]
    ]
    rows = {
        "File": s["source"],
        "Description": s["description"],
        "Years": f"{s['start_year']} to {s['end_year']} ({s['horizon']} years)",
        "Members": f"{s['members']} (seed {s['seed']})",
        "Doctrines": ", ".join(s["doctrines"]),
        "Fixed parameters": "\n".join(fixed),
        "Sampled parameters": "\n".join(sampled),
        "Switches off": ", ".join(s["switches_off"]),
        "Custom controls": "\n".join(controls),
        "Bloc overrides": "\n".join(blocs),
        "Events": "\n".join(events),
    }
    for key, value in rows.items():
        table.add_row(key, value or "none")
    return table
