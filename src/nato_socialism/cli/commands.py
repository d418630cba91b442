"""Where every command is registered (one place, explicit)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach all commands to the app."""
    from .countries import countries

    app.command("countries")(countries)
    try:
        from .scenario import scenario_app
    except ImportError:  # pragma: no cover - scenario commands land with the scenario module
        scenario_app = None
    if scenario_app is not None:
        app.add_typer(scenario_app, name="scenario")
