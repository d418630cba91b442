"""``nato-socialism explain``: why support changed in one country and year."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..errors import UserError, suggest
from .common import check_doctrines, load
from .options import choice
from .render import console, print_json


def explain_member(sc, country: str, year: int, doctrine: str, member: int, data_dir=None) -> dict:
    """Re-simulate one member and return the decomposition of one country-year."""
    from ..experiments.ensemble import prepare, run_chunk
    from ..model.state import REGIME_LABELS, Regime
    from ..model.step import CONTRIBUTIONS, EVENTS
    from ..model.switches import MECHANISMS

    labels = {mid: f"{mid} {name}" for mid, (name, _) in MECHANISMS.items()} | {
        "moralism": "moralist pressure", "clip": "clipping to [0, 1]"}

    if not sc.start_year <= year < sc.start_year + sc.horizon:
        raise UserError(f"--year {year} is outside the run {sc.start_year}-{sc.start_year + sc.horizon - 1}.")
    if not 0 <= member < sc.members:
        raise UserError(f"--member {member} is outside the ensemble 0-{sc.members - 1}.")
    sc = sc.with_overrides(horizon=year - sc.start_year + 1, doctrines=[doctrine])
    setup = prepare(sc, data_dir=data_dir)
    iso3 = country.upper()
    if iso3 not in setup.ctx.iso3:
        raise UserError(f"unknown country code {country!r}.{suggest(iso3, setup.ctx.iso3)}")
    tables = run_chunk(setup, doctrine, [member], keep=1)
    why = tables.why[(tables.why["iso3"] == iso3) & (tables.why["year"] == year)].set_index("target")
    traj = tables.trajectories[tables.trajectories["iso3"] == iso3].set_index("year")
    out = {"country": iso3, "year": year, "doctrine": doctrine, "member": member, "scenario": sc.name}
    for target in ("support", "reaction"):
        parts = {c: float(why.loc[target, c]) for c in CONTRIBUTIONS}
        ranked = sorted(parts.items(), key=lambda kv: -abs(kv[1]))
        out[target] = {
            "before": float(traj.loc[year, target]),
            "after": float(traj.loc[year + 1, target]),
            "change": float(sum(parts.values())),
            "contributions": [{"mechanism": k, "label": labels[k], "value": v} for k, v in ranked],
        }
    out["regime_before"] = REGIME_LABELS[Regime(int(traj.loc[year, "regime"]))]
    out["regime_after"] = REGIME_LABELS[Regime(int(traj.loc[year + 1, "regime"]))]
    out["event"] = EVENTS[int(traj.loc[year, "event"])][0]
    return out


def explain(
    scenario: str = typer.Argument("default", help="Bundled scenario name or path to a TOML file."),
    country: str = typer.Option(..., "--country", help="ISO3 code."),
    year: int = typer.Option(..., "--year", help="Year whose change is explained."),
    doctrine: str = choice("doctrine", "nato_first", "--doctrine", help="Doctrine."),
    member: int = typer.Option(0, "--member", help="Ensemble member to re-simulate from its seed."),
    data: Path = typer.Option(None, "--data", help="User data directory (default: bundled data)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
):
    """Decompose one country-year's change in coalition and reactionary support by mechanism."""
    check_doctrines([doctrine])
    sc = load(scenario)
    out = explain_member(sc, country, year, doctrine, member, data_dir=data)
    if json_out:
        print_json(out)
        return
    console.print(f"[bold]{out['country']} {year}[/bold], doctrine {doctrine}, member {member}: "
                  f"{out['regime_before']} -> {out['regime_after']} (event: {out['event']})")
    for target in ("support", "reaction"):
        t = out[target]
        table = Table(title=f"{target}: {t['before']:.3f} -> {t['after']:.3f} (change {t['change']:+.4f})")
        table.add_column("mechanism")
        table.add_column("contribution", justify="right")
        for c in t["contributions"]:
            if c["value"] != 0.0:
                table.add_row(c["label"], f"{c['value']:+.4f}")
        console.print(table)
