"""Same seed -> bitwise same result, whatever the chunking or the process."""

import subprocess
import sys
import textwrap

import numpy as np

from model_helpers import context, keys, world
from nato_socialism.model.doctrines import DOCTRINES
from nato_socialism.model.parameters import params_from_table, registry, select_members
from nato_socialism.model.simulate import simulate_members

E = 15


def _params():
    rng = np.random.default_rng(11)
    return params_from_table({k: rng.uniform(p.low, p.high, E) for k, p in registry().items()})


def _run(p, k, members, horizon=25):
    return simulate_members(context(horizon), world(), p, k, members, DOCTRINES["nato_first"].spec, keep=len(members))


def test_same_seed_same_bits():
    p = _params()
    a, b = _run(p, keys(E), np.arange(E)), _run(p, keys(E), np.arange(E))
    for name in a.series:
        assert np.array_equal(a.series[name], b.series[name])


def test_different_seed_differs():
    p = _params()
    a, b = _run(p, keys(E, 1), np.arange(E)), _run(p, keys(E, 2), np.arange(E))
    assert not np.array_equal(a.trajectories["gdppc"], b.trajectories["gdppc"])


def test_chunks_of_1_7_and_all_are_bitwise_equal():
    p, k = _params(), keys(E)
    full = _run(p, k, np.arange(E))
    for size in (1, 7):
        for start in range(0, E, size):
            rows = slice(start, min(E, start + size))
            part = _run(select_members(p, rows), k[rows], np.arange(E)[rows])
            for name in full.series:
                assert np.array_equal(full.series[name][rows], part.series[name]), (size, name)
            for name in ("support", "gdppc", "pop", "regime"):
                assert np.array_equal(full.trajectories[name][rows], part.trajectories[name])
            assert np.array_equal(full.why["support"][rows], part.why["support"])


def test_another_process_gives_the_same_bits(tmp_path):
    p, k = _params(), keys(E)
    full = _run(p, k, np.arange(E))
    script = textwrap.dedent(f"""
        import numpy as np, sys
        sys.path.insert(0, {str(__file__.rsplit('/', 1)[0])!r})
        from test_model_determinism import _params, _run
        from model_helpers import keys
        r = _run(_params(), keys({E}), np.arange({E}))
        np.save({str(tmp_path / 'pop.npy')!r}, r.trajectories["pop"])
        np.save({str(tmp_path / 'support.npy')!r}, r.trajectories["support"])
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
    assert np.array_equal(np.load(tmp_path / "pop.npy"), full.trajectories["pop"])
    assert np.array_equal(np.load(tmp_path / "support.npy"), full.trajectories["support"])
