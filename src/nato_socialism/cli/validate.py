"""``nato-socialism validate`` and ``nato-socialism calibrate``: anchors, hindcast, calibration."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from .. import atomic
from ..errors import UserError
from .render import console, err_console, print_json, records, steps

DEFAULT_HINDCAST = "1990:2019"
DEFAULT_SEED = 20240501


def _print_checks(checks, title: str) -> None:
    """One block per check (readable at any terminal width)."""
    from ..validation.anchors import fmt_range

    console.rule(title)
    for a in checks:
        colour = {"PASS": "green", "FAIL": "red"}.get(a.verdict, "yellow")
        console.print(f"[bold {colour}]{a.verdict:7s}[/] [bold]{a.name}[/] ({a.label})", highlight=False)
        rows = [("published", f"{a.published.text} — {a.source}")] if a.label != "out-of-sample" else []
        rows += [("panel", a.data.text), ("model", f"{a.model.text}   tolerance {fmt_range(a.tolerance, a.unit)}")]
        for label, text in rows:
            console.print(f"        {label:10s}{text}", highlight=False, soft_wrap=False)


def _uncertainty_table(h) -> Table:
    labels = {"log_gdppc": "ln GDP/head", "log_population": "ln pop.", "democracy": "democracy"}
    table = Table(title=f"Hindcast {h.start}-{h.end}: calibration of the uncertainty")
    for col in ("variable", "forecast", "in 90 % band", "nominal", "CRPS", "PIT outer 20 %"):
        table.add_column(col, justify="left" if col in ("variable", "forecast") else "right")
    for r in h.uncertainty.itertuples():
        table.add_row(labels[r.variable], r.forecast, f"{100 * r.coverage90:.0f} %", f"{100 * r.nominal:.0f} %",
                      f"{r.crps:.4f}",
                      f"{100 * r.pit_outer:.0f} %")
    return table


def _hindcast_table(h) -> Table:
    from ..validation.hindcast import BASELINES

    table = Table(title=f"Hindcast {h.start}-{h.end}: mean absolute error (regime: Brier) and skill")
    short = {"persistence": "persist.", "constant_growth": "const. gr."}
    for col in ("region", "variable", "n", "model", *short.values(), *(f"skill {short[b]}" for b in BASELINES)):
        table.add_column(col, justify="left" if col in ("region", "variable") else "right")
    labels = {"log_gdppc": "ln GDP/head", "log_population": "ln pop.", "democracy": "democracy", "regime": "regime"}
    for r in h.per_region.itertuples():
        skills = [getattr(r, f"skill_vs_{b}") for b in BASELINES]
        table.add_row(r.region, labels[r.variable], str(r.countries), f"{r.error_model:.3f}",
                      *(f"{getattr(r, f'error_{b}'):.3f}" for b in BASELINES),
                      *(f"[{'green' if s > 0 else 'red'}]{s:+.2f}[/]" for s in skills))
    return table


def _run_hindcast(window: str, fit: str | None, members: int, seed: int, data: Path | None, show: bool):
    from ..validation.calibrate import parse_window
    from ..validation.hindcast import hindcast

    start, end = parse_window(window, "--hindcast")
    fit_window = parse_window(fit, "--fit") if fit else None
    with steps(show) as report:
        return hindcast(start, end, members=members, seed=seed, fit_window=fit_window, data_dir=data,
                        progress=report)


def validate(
    members: int = typer.Option(20, "--members", min=1, help="Ensemble members."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", min=0, help="Run seed (a whole number >= 0)."),
    years: int = typer.Option(100, "--years", min=10, help="Length of the status-quo run the hazards are measured on."),
    hindcast_window: str = typer.Option(None, "--hindcast", help="Run only a hindcast FIRST:LAST, e.g. 1970:1999 "
                                        f"(default: the anchors and the {DEFAULT_HINDCAST} hindcast with its "
                                        "out-of-sample checks)."),
    fit: str = typer.Option(None, "--fit", help="Hindcast fit window FIRST:LAST (default: the 30 years before it)."),
    out: Path = typer.Option(None, "--out", metavar="DIR", help="Write the hindcast's per-country and "
                             "per-region errors (CSV, Parquet) and summary (JSON) into DIR (default: not "
                             "written)."),
    markdown: Path = typer.Option(None, "--markdown", help="Write anchors and hindcast (default window "
                                  f"{DEFAULT_HINDCAST}) as a Markdown document."),
    data: Path = typer.Option(None, "--data", help="User data directory (default: bundled data)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
):
    """Check the model against published figures and the panel: validation and input consistency.

    Validation counts the checks that can fail (emergent figures and the out-of-sample checks
    of the 1990-2019 hindcast); input consistency lists the figures a parameter was set from.
    Exit status is 0 whatever the verdicts; only bad input fails.
    """
    from ..validation.anchors import run_anchors
    from ..validation.report import headline, split

    document: dict = {"meta": {"members": members, "seed": seed}}
    anchors = h = None
    if hindcast_window is None or markdown is not None:
        with steps(not json_out) as report:
            anchors = run_anchors(members=members, seed=seed, years=years, data_dir=data, progress=report)
        document["meta"]["years"] = years
        document["anchors"] = [a.to_dict() for a in anchors]
    window = hindcast_window or DEFAULT_HINDCAST
    h = _run_hindcast(window, fit, members, seed, data, show=not json_out)
    document["hindcast"] = {**h.to_dict(), "out": str(h.write(out)) if out is not None else None}
    checks = [*(anchors or []), *h.checks]
    validation, inputs = split(checks)
    document["headline"] = {
        "validation": {"passed": sum(a.verdict == "PASS" for a in validation), "checks": len(validation),
                       "names": [a.name for a in validation]},
        "input_consistency": {"passed": sum(a.verdict == "PASS" for a in inputs), "checks": len(inputs),
                              "names": [a.name for a in inputs]},
    }
    if markdown is not None:
        from ..validation.report import document as render_document

        meta = {"members": members, "seed": seed, "status-quo run years": years}
        try:
            markdown.parent.mkdir(parents=True, exist_ok=True)
            atomic.atomic_write_text(markdown, render_document(anchors, h, meta))
        except OSError as err:
            raise UserError(f"Cannot write {markdown}: {err.strerror or err}.") from None
        document["markdown"] = str(markdown)
    if json_out:
        print_json(document)
        return
    if validation:
        _print_checks(validation, "Validation: emergent and out-of-sample checks (these can fail)")
    if inputs:
        _print_checks(inputs, "Input consistency: figures a parameter was set from (agreement by construction)")
    console.print(_hindcast_table(h))
    console.print(_uncertainty_table(h))
    for note in h.notes():
        console.print(f"• {note}")
    if out is not None:
        console.print(f"Per-country errors: {document['hindcast']['out']}", highlight=False)
    else:
        console.print("Per-country errors: `--out DIR` writes them (CSV, Parquet, JSON).")
    console.print(headline(checks), highlight=False)
    console.print(f"Model: median (pooled for hazards) [5th, 95th percentile over {members} members]. `--json` gives "
                  "every field.")
    if markdown is not None:
        err_console.print(f"wrote {markdown}")


def _estimates_table(cal, start_year: int) -> Table:
    from ..model.parameters import registry

    table = Table(title=f"Background parameters fitted on the panel {cal.fit[0]}-{cal.fit[1]}")
    for col in ("parameter", "registry default [low, high]", "estimate (s.e.)", "new default [low, high]", "n"):
        table.add_column(col, justify="left" if col == "parameter" else "right")
    for name, e in cal.at(start_year).items():
        p = registry()[name]
        table.add_row(name, f"{p.default:.4g} [{p.low:.4g}, {p.high:.4g}]", f"{e.estimate:.4g} ({e.se:.2g})",
                      f"{e.value:.4g} [{e.low:.4g}, {e.high:.4g}]", f"{e.n:,}")
    return table


def _errors_table(cal) -> Table:
    table = Table(title="One-year-ahead prediction errors: fitted vs registry values")
    for col in ("window", "metric", "fitted", "registry"):
        table.add_column(col, justify="left" if col in ("window", "metric") else "right")
    for r in cal.errors.itertuples():
        table.add_row(r.window, r.metric, f"{r.fitted:.4g}", f"{r.registry:.4g}")
    return table


def calibrate(
    fit: str = typer.Option("1960:1989", "--fit", help="Years the parameters are fitted on, FIRST:LAST."),
    test: str = typer.Option(None, "--test", help="Later years for out-of-sample errors, FIRST:LAST ('none' to "
                             "skip; default: the 30 years after the fit window, up to 2022)."),
    accept: bool = typer.Option(False, "--accept", help="Write the fitted intervals into a scenario file "
                                "(--into), to run with `nato-socialism run FILE`."),
    into: Path = typer.Option(Path("calibrated.toml"), "--into", metavar="FILE",
                              help="Scenario file --accept writes: created, or its [parameters] updated "
                              "(comments kept)."),
    registry_path: Path = typer.Option(None, "--registry", metavar="FILE",
                                       help="With --accept, write into this parameter registry file instead "
                                       "(default, low, high, source of each entry; e.g. a copy of the "
                                       "package's model/parameters.toml, or that file itself on purpose)."),
    data: Path = typer.Option(None, "--data", help="User data directory (default: bundled data)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
):
    """Fit the background parameters (M11) to the panel and report in- and out-of-sample errors.

    Nothing is written unless --accept is given; the package's own registry only when it is
    named with --registry.
    """
    from ..data.world import SNAPSHOT_YEAR
    from ..validation import calibrate as cal_mod

    fit_window = cal_mod.parse_window(fit, "--fit")
    if test is None:
        test_window = cal_mod.default_test_window(fit_window)
    else:
        test_window = None if test.lower() == "none" else cal_mod.parse_window(test, "--test")
    with steps(not json_out) as report:
        cal = cal_mod.calibrate(fit_window, test_window, data, progress=report)
    written = None
    if accept:
        target = registry_path or into
        written = cal_mod.accept(cal, target, registry_file=registry_path is not None)
    if json_out:
        print_json({
            "fit": list(cal.fit), "test": list(cal.test) if cal.test else None,
            "estimates": {k: vars(e) for k, e in cal.at(SNAPSHOT_YEAR).items()},
            "errors": records(cal.errors),
            "accepted": str(written) if written else None,
        })
        return
    console.print(_estimates_table(cal, SNAPSHOT_YEAR))
    console.print(_errors_table(cal))
    console.print(f"pop_growth_base is stated for runs starting in {SNAPSHOT_YEAR} (fitted at {cal.reference_year}, "
                  "moved with the fitted trend). Intervals: estimate +-2 s.e. (hazards: 95 % Wilson), clipped to each "
                  "parameter's bounds.")
    if written and registry_path:
        console.print(f"Accepted: wrote the fitted values, the window and today's date into {written}.",
                      highlight=False)
    elif written:
        console.print(f"Accepted: wrote the fitted intervals into the scenario {written}; run it with "
                      f"`nato-socialism run {written}`.", highlight=False)
    else:
        console.print("Not written; `--accept` writes the fitted intervals into a scenario file (--into), "
                      "`--accept --registry FILE` into a parameter registry file.")
