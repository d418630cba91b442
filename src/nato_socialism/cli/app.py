"""The ``nato-socialism`` command: registers every sub-command and turns user errors into exit 2."""

from __future__ import annotations

import sys

import typer

from .. import __version__
from ..errors import UserError

app = typer.Typer(
    name="nato-socialism",
    help="Simulate the 'NATO socialism' essay's doctrines and their rivals over uncertain futures.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool):
    if value:
        typer.echo(f"nato-socialism {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
):
    """Simulate the 'NATO socialism' essay's doctrines and their rivals over uncertain futures."""


_registered = False


def _register():
    """Attach the commands once per process (``main`` may be called many times in-process)."""
    global _registered
    if not _registered:
        from . import commands

        commands.register(app)
        _registered = True


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; a :class:`UserError` becomes one message on stderr and exit 2."""
    _register()
    try:
        app(args=argv, standalone_mode=False)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as ex:
        sys.exit(ex.exit_code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(130)
    except Exception as err:  # click usage errors carry their own exit code (2)
        import click

        if isinstance(err, click.ClickException):
            err.show()
            sys.exit(err.exit_code)
        raise
