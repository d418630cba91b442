"""Per-member random numbers that do not depend on how an ensemble is chunked.

Each member has a 64-bit key spawned from the run seed with
``numpy.random.SeedSequence(seed, spawn_key=(member,))`` (identical to
``SeedSequence(seed).spawn(E)[member]``). A yearly draw is a counter-based hash of
(key, year, stream, country): the SplitMix64 finalizer (Steele, Lea & Flood 2014) applied
twice, which is bijective and passes BigCrush as a generator. Because the draw is a pure
function of its counter, a member's numbers are the same whether it runs alone, in a chunk
of 7 or in another process, and the whole (members x countries) block is produced without a
Python loop over members.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from .compiled import equation, kernel

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_ONE = np.uint64(1)
_INV53 = 1.0 / 9007199254740992.0


def member_keys(seed: int, members: np.ndarray | range) -> np.ndarray:
    """64-bit keys of the given member indices (shape (len(members),), uint64)."""
    return np.array(
        [np.random.SeedSequence(seed, spawn_key=(int(m),)).generate_state(1, np.uint64)[0] for m in members],
        dtype=np.uint64,
    )


def counter(year: int, stream: int) -> np.uint64:
    """Counter bits of (year, stream): the year in bits 40-55, the stream in bits 16-39."""
    return (np.uint64(year & 0xFFFF) << np.uint64(40)) | (np.uint64(stream & 0xFFFFFF) << np.uint64(16))


@equation
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@equation
def uniform(key, count, j):
    """The uniform(0, 1) draw of member ``key`` for country ``j`` (``count``: :func:`counter` bits)."""
    z = _mix(key + _GOLDEN * ((count | np.uint64(j)) + _ONE))
    z = _mix(z ^ key)
    return (np.float64(z >> _S11) + 0.5) * _INV53


@kernel
def fill_uniforms(keys, count, n, out):
    """Uniform draws (members, n) into ``out`` for the counter bits ``count``."""
    for m in range(keys.shape[0]):
        key = keys[m]
        for j in range(n):
            out[m, j] = uniform(key, count, j)


def uniforms(keys: np.ndarray, year: int, stream: int, countries: int) -> np.ndarray:
    """Uniform(0, 1) draws, shape (members, countries), strictly inside (0, 1)."""
    out = np.empty((len(keys), countries))
    fill_uniforms(np.ascontiguousarray(keys, dtype=np.uint64), counter(year, stream), countries, out)
    return out


def normals(keys: np.ndarray, year: int, stream: int, countries: int) -> np.ndarray:
    """Standard normal draws by inverse CDF of :func:`uniforms`."""
    out = uniforms(keys, year, stream, countries)
    return ndtri(out, out=out)
