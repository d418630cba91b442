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
    tested = {"compare_doctrines.py", "why_did_support_fall.py", "tutorial.ipynb"}
    assert {p.name for p in [*EXAMPLES.glob("*.py"), *EXAMPLES.glob("*.ipynb")]} == tested


@pytest.mark.slow
def test_tutorial_notebook_executes(tmp_path, monkeypatch):
    """Every cell of the tutorial runs in a kernel of this venv, and its figures are drawn."""
    import nbformat
    from ipykernel.kernelspec import write_kernel_spec
    from nbclient import NotebookClient

    # a kernel spec that starts this interpreter (not whatever `python` is first on PATH)
    write_kernel_spec(tmp_path / "jupyter" / "kernels" / "nato-tutorial")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("NATO_SOCIALISM_THREADS", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(EXAMPLES / "tutorial.ipynb", as_version=4)
    NotebookClient(nb, kernel_name="nato-tutorial", timeout=600, resources={"metadata": {"path": str(tmp_path)}}
                   ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(figures) >= 7  # envelopes, P(better), explain, sensitivity, trajectory, pairs, front
    assert (tmp_path / "tutorial-results" / "runs.duckdb").exists()
