"""The DuckDB queries the docs show run as written (Python; no DuckDB command-line program is installed)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import cli

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    code, _, err = cli("run", "--members", "3", "--years", "3", "--results", str(tmp / "results"), "--json")
    assert code == 0, err
    (run_id,) = [p.name for p in (tmp / "results").iterdir() if p.is_dir()]
    return tmp, run_id


def test_no_doc_calls_a_duckdb_program():
    for path in [*DOCS.glob("*.md"), DOCS.parent / "README.md"]:
        assert not re.search(r"^\s*duckdb\s+-", path.read_text(), re.M), path


def test_results_md_python_queries_run(run_folder, monkeypatch):
    tmp, run_id = run_folder
    text = (DOCS / "results.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "duckdb.execute" in b]
    monkeypatch.chdir(tmp)
    scope: dict = {}
    exec(block.replace("<id>", run_id), scope)  # noqa: S102 - the documented snippet itself
    assert list(scope["runs"]["run_id"]) == [run_id]


def test_experiments_md_one_liner_runs(run_folder):
    tmp, run_id = run_folder
    text = (DOCS / "experiments.md").read_text()
    (line,) = [ln for ln in text.splitlines() if ln.startswith("python -c") and "duckdb" in ln]
    args = shlex.split(line.replace("<id>", run_id))
    done = subprocess.run([sys.executable, *args[1:]], cwd=tmp, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "nato_first" in done.stdout
