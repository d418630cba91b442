"""The parameter registry is complete, consistent and documented."""

import subprocess
import sys
from pathlib import Path

import numpy as np

from nato_socialism.model.parameters import Params, default_params, registry

ROOT = Path(__file__).resolve().parents[1]


def test_every_parameter_has_range_unit_source_and_meaning():
    for p in registry().values():
        assert p.low <= p.default <= p.high, p.name
        assert p.unit and p.source and p.doc and p.mechanism, p.name
        lo, hi = p.bounds
        assert lo <= p.low and p.high <= hi, p.name


def test_params_record_has_exactly_the_registry_fields():
    import dataclasses

    assert [f.name for f in dataclasses.fields(Params)] == list(registry())
    p = default_params(3)
    assert p.adult_share.shape == (3, 1)
    assert np.all(p.aid_growth_effect == 0.35)


def test_every_parameter_is_used_by_the_model():
    src = "".join(path.read_text() for path in (ROOT / "src/nato_socialism/model").rglob("*.py"))
    # equations read q[KP.name] (compiled), Python code p.name
    unused = [name for name in registry() if f"p.{name}" not in src and f"KP.{name}]" not in src]
    assert not unused, f"parameters no mechanism reads: {unused}"


def test_parameter_docs_are_generated_from_the_registry():
    result = subprocess.run([sys.executable, str(ROOT / "tools/gen_param_table.py"), "--check"])
    assert result.returncode == 0, "docs/parameters.md is stale: run python tools/gen_param_table.py"
