"""Where every command is registered (one place, explicit)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach all commands to the app."""
    from .bench import bench
    from .countries import countries
    from .data import data_app
    from .discover import discover
    from .explain import explain
    from .optimize import optimize
    from .params import params
    from .report import report
    from .results import results_app
    from .run import run
    from .scenario import scenario_app
    from .sensitivity import sensitivity
    from .serve import serve
    from .validate import calibrate, validate

    app.command("run")(run)
    app.command("explain")(explain)
    app.command("params")(params)
    app.command("countries")(countries)
    app.add_typer(scenario_app, name="scenario")
    app.add_typer(data_app, name="data")
    app.add_typer(results_app, name="results")
    app.command("sensitivity")(sensitivity)
    app.command("discover")(discover)
    app.command("optimize")(optimize)
    app.command("validate")(validate)
    app.command("calibrate")(calibrate)
    app.command("bench")(bench)
    app.command("report")(report)
    app.command("serve")(serve)
