"""Command-line mistakes give the usage line, the mistake, close matches and exit 2; never a traceback.

The installed command is run as a user runs it. The cases are the ones a user meets first;
``test_cli_fuzz.py`` draws many more.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from cli_helpers import COMMAND, ENV, run_inprocess
from nato_socialism.cli import app as app_module

CASES = {  # argv, the usage line's command, what the message says
    "mistyped command": (["runn"], "", ["No such command 'runn'", "Did you mean 'run'?"]),
    "mistyped sub-command": (["results", "sho", "x"], "results", ["No such command 'sho'", "Did you mean 'show'?"]),
    "unknown option": (["run", "--membrs", "5"], "run", ["No such option: --membrs", "Did you mean '--members'"]),
    "not a number": (["run", "--members", "abc"], "run", ["Invalid value for '--members'"]),
    "missing value": (["explain", "--country"], "explain", ["Option '--country' requires an argument"]),
    "missing argument": (["results", "show"], "results show", ["Missing argument"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_mistake_gives_usage_and_exit_2(case, tmp_path):
    argv, command, expected = CASES[case]
    done = subprocess.run([*COMMAND, *argv], capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert f"Usage: nato-socialism {command} [OPTIONS]".replace("  ", " ") in done.stderr, done.stderr
    for part in expected:
        assert part in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_command_suggestion_added_when_typer_gives_none():
    """Typer < 0.16 says only "No such command"; the suggestion is added by main."""
    errors = sys.modules[typer.BadParameter.__module__]
    app_module._register()
    ctx = app_module._context([])
    err = errors.UsageError("No such command 'explian'.", ctx)
    app_module._explain(err, ["explian"])
    assert err.message == "No such command 'explian'. Did you mean 'explain'?"


def test_errors_of_a_separately_installed_click_are_handled_too():
    click = pytest.importorskip("click")
    handled, _ = app_module._click_errors()
    assert any(issubclass(click.UsageError, cls) for cls in handled)
    assert any(issubclass(typer.BadParameter, cls) for cls in handled)


def test_usage_error_in_process_has_the_command_usage_line():
    code, out, err = run_inprocess(["explain", "--country"])
    assert code == 2 and out == ""
    assert "Usage: nato-socialism explain" in err
