"""Packaging: every file the package reads is in the wheel, every import is declared, every floor is checkable."""

from __future__ import annotations

import ast
import fnmatch
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PACKAGE = ROOT / "src" / "nato_socialism"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(requirements: list[str]) -> set[str]:
    """Distribution names a requirement list declares (extras such as dask[distributed] add theirs)."""
    names = set()
    for text in requirements:
        match = re.match(r"^\s*([A-Za-z0-9_.-]+)(?:\[([^\]]*)\])?", text)
        names.add(_normal(match[1]))
        names |= {_normal(e) for e in (match[2] or "").split(",") if e and _normal(match[1]) == "dask"}
    return names


def _imports(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in ("nato_socialism", "reference")}


def test_every_data_file_is_package_data():
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["nato_socialism"]
    files = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc", ".nbi", ".nbc") and "__pycache__" not in p.parts]
    assert "model/parameters.toml" in files
    missing = [f for f in files if not any(fnmatch.fnmatchcase(f, pattern) for pattern in patterns)]
    assert missing == [], f"not in [tool.setuptools.package-data]: {missing}"


def test_every_import_is_declared():
    project = PYPROJECT["project"]
    modules = packages_distributions()
    for folder, requirements in ((PACKAGE, project["dependencies"]),
                                 (ROOT / "reference", project["optional-dependencies"]["reference"])):
        declared = _declared(project["dependencies"]) | _declared(requirements)
        for module in sorted(_imports(folder)):
            distributions = {_normal(d) for d in modules.get(module, [module])}
            assert distributions & declared, f"{folder.name} imports {module} ({distributions}) but does not declare it"


def test_mesa_is_not_a_runtime_dependency():
    assert "mesa" not in _declared(PYPROJECT["project"]["dependencies"])
    assert "mesa" not in _imports(PACKAGE)


def test_pyproject_holds_ranges_not_pins():
    project = PYPROJECT["project"]
    for text in [*project["dependencies"], *sum(project["optional-dependencies"].values(), [])]:
        assert "==" not in text, f"{text}: exact pins belong in constraints.txt"


def test_lower_bounds_pin_every_floor():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "lower_bounds.py"), "reference"],
                         capture_output=True, text=True, check=True).stdout.split()
    pinned = {_normal(line.split("==")[0]): line.split("==")[1] for line in out}
    assert pinned["scipy"] == "1.15" and pinned["pandera"] == "0.24" and "mesa" in pinned
    assert set(pinned) == _declared(PYPROJECT["project"]["dependencies"]) - {"distributed"} | {"mesa"}


def test_constraints_pin_every_declared_dependency():
    pins = {_normal(line.split("==")[0]) for line in (ROOT / "constraints.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")}
    project = PYPROJECT["project"]
    declared = _declared(project["dependencies"]) | _declared(sum(project["optional-dependencies"].values(), []))
    assert declared - {"nato-socialism"} <= pins, declared - pins
