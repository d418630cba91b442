"""Running the command line from tests: in-process (fast) or as the installed script."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

from nato_socialism.cli.app import main

#: One simulation thread per process, no colour codes in captured output.
ENV = {**os.environ, "NATO_SOCIALISM_THREADS": "1", "NO_COLOR": "1"}


def _command() -> list[str]:
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    script = shutil.which("nato-socialism", path=search)
    return [script] if script else [sys.executable, "-m", "nato_socialism.cli"]


#: The installed console script (or ``python -m nato_socialism.cli``).
COMMAND = _command()


def run_inprocess(args: list[str]) -> tuple[int, str, str]:
    """The CLI in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(list(args))
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def cli(*args: str) -> tuple[int, str, str]:
    """:func:`run_inprocess` with the arguments spread."""
    return run_inprocess(list(args))


def spawn(*args: str, text: bool = False) -> subprocess.Popen:
    """Start the installed command as a real process (stdout discarded, stderr piped)."""
    return subprocess.Popen([*COMMAND, *args], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=text)
