"""``nato-socialism discover``: the assumptions under which one doctrine beats another (PRIM or CART)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..formatting import fmt
from .options import choice, results_option
from .render import console, print_json, progress_bar


def _p(value) -> str:
    return "-" if value is None else ("<0.001" if value < 0.001 else f"{value:.3f}")


def _case_tables(case: dict, title: str) -> list:
    """The boxes of one case with their verdicts, then the limits of each box."""
    head = f"{title}: base rate {case['base_rate']:.0%} ({case['cases']} members); {case['message']}."
    if not case["boxes"]:
        return [head]
    table = Table(title=head, title_justify="left")
    for label in ("box", "coverage", "density", "base rate", "mass", "min quasi-p", "permutation p", "verdict"):
        table.add_column(label, justify="left" if label == "verdict" else "right")
    for b in case["boxes"]:
        verdict = "better than chance" if b["better_than_chance"] else "chance: " + "; ".join(b["reasons"])
        table.add_row(str(b["box"]), f"{b['coverage']:.0%}", f"{b['density']:.0%}", f"{b['base_rate']:.0%}",
                      f"{b['mass']:.0%}", _p(b["min_quasi_p"]), _p(b["permutation_p"]), verdict)
    out = [table]
    for b in case["boxes"]:
        if not b["better_than_chance"]:
            if b["restrictions"]:
                out.append(f"  box {b['box']} restricts {len(b['restrictions'])} parameter(s); --json lists them.")
            continue
        limits = Table(title=f"  box {b['box']}: restricted parameters", title_justify="left")
        for label in ("parameter", "box", "sampled range", "quasi-p (low, high)", "reproduced"):
            limits.add_column(label, justify="left" if label == "parameter" else "right")
        for r in b["restrictions"]:
            stable = "-" if r["reproduce_coverage"] is None else f"{r['reproduce_coverage']:.0%}"
            limits.add_row(r["parameter"], f"[{fmt(r['low'])}, {fmt(r['high'])}]",
                           f"[{fmt(r['range_low'])}, {fmt(r['range_high'])}]",
                           f"{_p(r['qp_low'])}, {_p(r['qp_high'])}", stable)
        out.append(limits)
    return out


def discover(
    run: str = typer.Argument(..., metavar="RUN", help="Run id, a unique prefix of one, or 'latest': the newest "
                              "ensemble that ran both doctrines with enough members for PRIM (100)."),
    outcome: str = choice("outcome", ..., "--outcome", help="Outcome compared (must have a better direction)."),
    better: str = choice("doctrine", "nato_first", "--better", help="Doctrine A."),
    than: str = choice("doctrine", "open_solidarity", "--than", help="Doctrine B."),
    method: str = choice("discovery_method", "prim", "--method", metavar="prim|cart",
                         help="PRIM (EMA Workbench) or CART."),
    threshold: float = typer.Option(
        0.8, "--threshold", help="Density a box should reach (share of members inside where the case holds)."
    ),
    boxes: int = typer.Option(3, "--boxes", metavar="N", help="Boxes per case, at most."),
    permutations: int = typer.Option(
        19, "--permutations", metavar="K", help="Permutations of the chance test (19: a box must beat all)."
    ),
    resamples: int = typer.Option(
        10, "--resamples", metavar="N", help="PRIM reruns on random halves for the stability scores."
    ),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the permutations, resamples and feature scores."),
    results: Path = results_option(),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
):
    """Find parameter boxes where A beats B on an outcome, and where it loses, and test them against chance.

    A box counts if density >= base rate + 5 points, a quasi-p <= 0.05 and permutation p <= 0.05 (docs/experiments.md).

    Otherwise the answer is "no box better than chance". Results are stored as the run's analysis tables.
    """
    from ..experiments.discovery import DiscoveryConfig, work_units
    from ..experiments.discovery import discover as find
    from ..experiments.store import ResultStore

    config = DiscoveryConfig(threshold=threshold, boxes=boxes, permutations=permutations, resamples=resamples,
                             seed=seed)
    config.check()
    store = ResultStore.open(results)
    with progress_bar(work_units(method, config), f"{method} on {outcome}", enabled=not json_out) as advance:
        out = find(store, run, outcome, better, than, method=method, config=config, progress=advance)
    if json_out:
        print_json(out)
        return
    console.print(
        f"Run {out['run_id']}: {better} better than {than} on {outcome} ({out['direction']} is "
        f"better) in {out['wins']:.0%} of {out['n']} members, worse in {out['losses']:.0%}; "
        f"{out['parameters']} sampled parameters; {method.upper()}, density threshold {threshold:.0%}.",
        highlight=False,
    )
    for case, title in (("win", f"Where {better} wins"), ("lose", f"Where {better} loses")):
        for item in _case_tables(out["cases"][case], title):
            console.print(item)
    if out["feature_scores"]:
        table = Table(title="Feature scores (extra trees): parameters that predict who wins")
        table.add_column("parameter")
        table.add_column("score", justify="right")
        for r in out["feature_scores"][:15]:
            table.add_row(r["parameter"], f"{r['score']:.3f}")
        console.print(table)
    console.print(f"Stored as {', '.join(out['tables'])} of run {out['run_id']}.", highlight=False)
