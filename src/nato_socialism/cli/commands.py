"""Where every command is registered (one place, explicit)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach all commands to the app."""
    from .countries import countries
    from .explain import explain
    from .params import params
    from .run import run
    from .scenario import scenario_app

    app.command("run")(run)
    app.command("explain")(explain)
    app.command("params")(params)
    app.command("countries")(countries)
    app.add_typer(scenario_app, name="scenario")
