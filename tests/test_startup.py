"""Start-up: `--help`, `--version` and `params --json` import no numerical library.

Timing belongs to `nato-socialism bench` (figures ``startup_*``); this test checks the cause
of a slow start instead, in a fresh interpreter: which heavy modules the commands import.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numba", "scipy", "pandas", "pandera", "duckdb", "pyarrow", "numpy", "dask", "SALib", "ema_workbench")

_PROBE = """
import contextlib, io, json, sys
from nato_socialism.cli.app import main
out = io.StringIO()
try:
    with contextlib.redirect_stdout(out):
        main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write(json.dumps({"code": code, "stdout": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def _probe(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=120)
    return json.loads(done.stderr[done.stderr.index('{"code"'):])


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("params", "--json")])
def test_fast_commands_import_no_heavy_library(args):
    found = _probe(*args)
    assert found["code"] == 0 and found["stdout"]
    loaded = {m.split(".")[0] for m in found["modules"]}
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_help_still_lists_every_command():
    from nato_socialism.cli.app import _register, app

    _register()
    import typer.main

    names = set(typer.main.get_command(app).commands)
    text = _probe("--help")["stdout"]
    assert names >= {"run", "explain", "params", "results", "validate", "bench"}
    for name in names:
        assert name in text, name


def test_params_json_is_the_registry():
    from nato_socialism.model.registry import registry

    rows = json.loads(_probe("params", "--json")["stdout"])
    assert [r["name"] for r in rows] == list(registry())
