"""``nato-socialism run``: run an ensemble and print the doctrine comparison."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..errors import UserError, suggest
from ..model.doctrines import DOCTRINE_NAMES
from ..model.outcomes import OUTCOMES
from .render import console, fmt, print_json, progress_bar, records

#: Outcomes shown in the terminal table (all are in --json).
HEADLINE = (
    "year_demsoc_50", "demsoc_share_end", "bureaucratic_share_end", "first_world_stability",
    "first_world_breakdowns", "first_world_living_growth", "world_poverty_mean", "displaced_person_years",
    "reversions", "degenerations", "essay_sequence",
)


def check_doctrines(names: list[str] | None) -> None:
    """Refuse unknown doctrine names with a suggestion."""
    for name in names or []:
        if name not in DOCTRINE_NAMES:
            raise UserError(f"unknown doctrine {name!r}; expected one of {', '.join(DOCTRINE_NAMES)}.{suggest(name, DOCTRINE_NAMES)}")


def load(scenario: str, **overrides):
    """Load a scenario by name or path and apply command-line overrides."""
    from ..scenario import load_scenario

    check_doctrines(overrides.get("doctrines"))
    return load_scenario(scenario).with_overrides(**overrides)


def comparison_table(result) -> Table:
    """Doctrines as columns, headline outcomes as rows: median [5 %, 95 %]."""
    summary = result.summary().set_index(["doctrine", "outcome"])
    table = Table(title=f"Doctrine comparison: {result.meta['scenario']}, {result.meta['members']} members, "
                        f"{result.meta['start_year']}-{result.meta['start_year'] + result.meta['horizon']}")
    table.add_column("outcome (better)")
    for d in result.doctrines:
        table.add_column(d, justify="right")
    for name in HEADLINE:
        o = OUTCOMES[name]
        arrow = {"higher": "↑", "lower": "↓", "none": " "}[o.direction]
        cells = []
        for d in result.doctrines:
            r = summary.loc[(d, name)]
            cell = f"{fmt(r['median'], o.unit)} [{fmt(r['p05'], o.unit)}, {fmt(r['p95'], o.unit)}]"
            if o.nullable and r["reached"] < 1:
                cell += f" ({100 * r['reached']:.0f}% reach)"
            cells.append(cell)
        table.add_row(f"{name} {arrow}", *cells)
    return table


def pairs_table(result, reference: str) -> Table:
    """The reference doctrine against each other one: paired differences and P(better)."""
    comp = result.compare()
    comp = comp[(comp["a"] == reference) & comp["outcome"].isin(HEADLINE)]
    table = Table(title=f"{reference} vs each doctrine (paired over members; P = P({reference} better))")
    table.add_column("outcome")
    others = [d for d in result.doctrines if d != reference]
    for d in others:
        table.add_column(f"vs {d}", justify="right")
    for name in HEADLINE:
        rows = comp[comp["outcome"] == name].set_index("b")
        if rows.empty:
            continue
        cells = []
        for d in others:
            r = rows.loc[d]
            cells.append("-" if r["n"] == 0 else f"Δ {fmt(r['diff_mean'])} ±{fmt(1.645 * r['diff_mean_se'])}  P={r['p_a_better']:.2f}")
        table.add_row(name, *cells)
    return table


def run(
    scenario: str = typer.Argument("default", help="Bundled scenario name or path to a TOML file."),
    doctrine: list[str] = typer.Option(None, "--doctrine", help="Doctrine to run (repeatable); default: the scenario's."),
    members: int = typer.Option(None, "--members", help="Ensemble members."),
    years: int = typer.Option(None, "--years", help="Years simulated (horizon)."),
    start_year: int = typer.Option(None, "--start-year", help="Start year."),
    seed: int = typer.Option(None, "--seed", help="Run seed."),
    data: Path = typer.Option(None, "--data", help="User data directory (default: bundled data)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document (summary and comparisons)."),
):
    """Run an ensemble of every doctrine on common random numbers and compare them."""
    from ..experiments.ensemble import prepare
    from ..experiments.ensemble import run as run_ensemble

    sc = load(scenario, members=members, horizon=years, start_year=start_year, seed=seed, doctrines=doctrine or None)
    setup = prepare(sc, data_dir=data)
    total = setup.members * len(setup.specs)
    with progress_bar(total, f"{len(setup.specs)} doctrines x {setup.members} members", enabled=not json_out) as advance:
        result = run_ensemble(setup, progress=advance)
    if json_out:
        print_json({"meta": result.meta, "summary": records(result.summary()), "comparison": records(result.compare())})
        return
    console.print(comparison_table(result))
    reference = "nato_first" if "nato_first" in result.doctrines else result.doctrines[0]
    if len(result.doctrines) > 1:
        console.print(pairs_table(result, reference))
    console.print("Median [5th, 95th percentile] over members. Δ: mean paired difference ± 90 % Monte Carlo "
                  "interval. `--json` gives every outcome and pair.")
