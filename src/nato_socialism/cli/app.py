"""The ``nato-socialism`` command: registers every sub-command and turns user errors into exit 2."""

from __future__ import annotations

import re
import sys

import typer
import typer.main

from .. import __version__
from ..errors import UserError, suggest

app = typer.Typer(
    name="nato-socialism",
    help="Simulate the 'NATO socialism' essay's doctrines and their rivals over uncertain futures.",
    no_args_is_help=True,
    add_completion=True,
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


def _click_errors():
    """The exception classes of the click that Typer uses (its own bundled copy in Typer >= 0.2x, else click).

    A second, separately installed click may also be loaded (by Dask): its exceptions count too.
    """
    modules = {sys.modules[typer.BadParameter.__module__]}
    if "click.exceptions" in sys.modules:
        modules.add(sys.modules["click.exceptions"])
    aborts = tuple(m.Abort for m in modules if hasattr(m, "Abort"))  # Typer 0.29 raises typer.Abort itself
    return tuple(m.ClickException for m in modules), aborts


def _context(argv: list[str]):
    """A parse context of the (sub)command that ``argv`` names, for the usage line of an error."""
    command = typer.main.get_command(app)
    ctx = command.make_context("nato-socialism", [], resilient_parsing=True)
    for token in argv:
        sub = command.get_command(ctx, token) if hasattr(command, "get_command") else None
        if sub is None:
            break
        command, ctx = sub, sub.make_context(token, [], parent=ctx, resilient_parsing=True)
    return ctx


def _explain(err, argv: list[str]) -> None:
    """Complete a command-line error: 'Did you mean ...?' for unknown names, and the usage line.

    Typer < 0.16 suggests no command; Typer's bundled click lists possible options without
    'Did you mean'; a missing option value comes without the command's context.
    """
    message = getattr(err, "message", "")
    if getattr(err, "ctx", None) is None:
        err.ctx = _context(argv)
    unknown = re.match(r"No such command '(.*)'\.", message)
    if unknown and "Did you mean" not in message:
        err.message = message + suggest(unknown[1], err.ctx.command.list_commands(err.ctx))
    option, options = getattr(err, "option_name", None), getattr(err, "possibilities", None)
    if option and options:
        hint = suggest(option, options) or f" Did you mean {', '.join(repr(o) for o in options)}?"
        err.message, err.possibilities = f"{message.rstrip('.')}.{hint}", None


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; every user mistake becomes a message on stderr and exit 2, never a traceback.

    A :class:`UserError` prints its message; a command-line mistake (unknown command or
    option, a value of the wrong type, a missing value or argument) prints the usage line,
    the mistake and close matches.
    """
    _register()
    argv = sys.argv[1:] if argv is None else list(argv)
    click_errors, aborts = _click_errors()
    try:
        code = app(args=argv, standalone_mode=False, prog_name="nato-socialism")
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as ex:
        sys.exit(ex.exit_code)
    except (typer.Abort, *aborts):
        print("aborted", file=sys.stderr)
        sys.exit(130)
    except click_errors as err:
        _explain(err, argv)
        err.show()
        sys.exit(err.exit_code)
    if isinstance(code, int) and code:  # click returns ctx.exit(code) codes when not standalone
        sys.exit(code)
