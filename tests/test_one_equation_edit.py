"""A change to one equation is one edit: in a copy of the package, edit one mechanism function, rerun.

The copy starts with the same warm cache of compiled code as the package (its
``__pycache__`` folders are copied). The first run in the copy loads every pass from that
cache; after one equation (M8's growth effect of aid, in ``mechanisms/aid.py``) is edited,
the same run on the same cache recompiles (the cache is keyed on the model's source hash)
and its results change. Nothing else is edited.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nato_socialism

SCRIPT = """
import json
import numpy as np
from nato_socialism.data import build_blocs, build_world
from nato_socialism.model import kernels
from nato_socialism.model.doctrines import DOCTRINES
from nato_socialism.model.parameters import default_params
from nato_socialism.model.rng import member_keys
from nato_socialism.model.simulate import build_context, simulate_members
from nato_socialism.model.source_hash import MODEL_HASH

world = build_world()
ctx = build_context(world, build_blocs(world), 2023, 5)
res = simulate_members(ctx, world, default_params(2), member_keys(1, range(2)), np.arange(2),
                       DOCTRINES["nato_first"].spec, threads=1)
stats = kernels.society.stats
print(json.dumps({"hash": MODEL_HASH, "file": kernels.__file__, "living": res.series["world_living"].tolist(),
                  "hits": sum(stats.cache_hits.values()), "misses": sum(stats.cache_misses.values())}))
"""

OLD = "    return q[KP.aid_growth_effect] * received / (1.0 + received / q[KP.aid_saturation])\n"
NEW = "    return 2.0 * q[KP.aid_growth_effect] * received / (1.0 + received / q[KP.aid_saturation])\n"


def _run(root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root), "NATO_SOCIALISM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True,
                         cwd=root)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_editing_one_mechanism_function_changes_the_run_on_a_warm_cache(tmp_path):
    package = Path(nato_socialism.__file__).parent
    _run(package.parent)  # make sure the package's own cache is warm
    copy = tmp_path / "src"
    shutil.copytree(package, copy / "nato_socialism")
    before = _run(copy)
    assert Path(before["file"]).is_relative_to(copy)  # the copy runs, not the installed package
    assert before["hits"] > 0 and before["misses"] == 0  # from the copied warm cache

    aid = copy / "nato_socialism" / "model" / "mechanisms" / "aid.py"
    text = aid.read_text()
    assert text.count(OLD) == 1
    aid.write_text(text.replace(OLD, NEW))
    after = _run(copy)
    assert after["hash"] != before["hash"]
    assert after["misses"] > 0  # recompiled: the cached pass with the old equation is not used
    assert after["living"] != before["living"]  # the run changed

    aid.write_text(text)  # and back: the first cache is still there and gives the first run again
    again = _run(copy)
    assert again["hash"] == before["hash"] and again["living"] == before["living"] and again["misses"] == 0
