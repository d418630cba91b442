"""Every example script runs (at small sizes) and prints what it promises."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    ("script", "args", "expect"),
    [
        ("compare_doctrines.py", ["12"], "first_world_failure_rate"),
        ("why_did_support_fall.py", ["DEU", "2030"], "Change of coalition support in DEU, 2030"),
    ],
)
def test_example_runs(script, args, expect):
    out = subprocess.run([sys.executable, str(EXAMPLES / script), *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert expect in out.stdout


def test_every_example_is_tested():
    tested = {"compare_doctrines.py", "why_did_support_fall.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested
