"""Write pip constraints that pin every declared dependency to its declared floor.

    python tools/lower_bounds.py [EXTRA ...] > lower-bounds.txt
    pip install -c lower-bounds.txt dist/nato_socialism-*.whl

Every requirement of ``[project] dependencies`` (and of the named optional extras) must
state a floor (``>=``); the constraint pins it there (``name==floor``, extras dropped), so
an install resolves the oldest versions the project claims to support. A requirement
without a floor is an error: the claim could not be checked.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
_REQUIREMENT = re.compile(r"^\s*(?P<name>[A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(?P<spec>[^;]*)")


def floors(requirements: list[str]) -> dict[str, str]:
    """Requirement -> its ``>=`` version (a project self-reference ``nato-socialism[x]`` is left to the caller)."""
    out = {}
    for text in requirements:
        match = _REQUIREMENT.match(text)
        name = match["name"]
        if name.lower().replace("_", "-") == "nato-socialism":
            continue
        floor = re.search(r">=\s*([^,\s]+)", match["spec"])
        if floor is None:
            raise SystemExit(f"{PYPROJECT}: {text!r} states no floor (>=); add one.")
        out[name] = floor.group(1)
    return out


def main(extras: list[str]) -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    requirements = list(project["dependencies"])
    todo, done = list(extras), set()
    while todo:  # extras may name others: "nato-socialism[reference]"
        extra = todo.pop()
        if extra in done:
            continue
        done.add(extra)
        for text in project["optional-dependencies"][extra]:
            self_reference = re.match(r"^\s*nato[-_]socialism\[(?P<extras>[^\]]+)\]", text)
            if self_reference:
                todo += [e.strip() for e in self_reference["extras"].split(",")]
            else:
                requirements.append(text)
    for name, version in sorted(floors(requirements).items(), key=lambda kv: kv[0].lower()):
        print(f"{name}=={version}")


if __name__ == "__main__":
    main(sys.argv[1:])
