"""How the model's equations are compiled, cached and given their parameters.

Every equation of the model is written once, as a small scalar function in its mechanism
module (``mechanisms/*.py``, ``moralism.py``, ``doctrine_rule.py``) decorated with
:data:`equation`: numba ``njit(inline="always")``, so the fused passes of
:mod:`~nato_socialism.model.kernels` that call it compile it into their loops, and Python
code (validation, tests) can call the very same function on numbers (or on arrays with
:func:`evaluate`).

Parameters reach an equation as ``q``, the parameter values of one ensemble member (a row
of :func:`kernel_params`): ``q[KP.name]`` is the value of registry parameter ``name``.
:data:`KP` is generated from the registry, so a new parameter needs only its registry entry
and the equation that reads it.

Disk cache. Compiled code is cached on disk (compiling every pass takes about a minute). A
cached pass holds the inlined code of every equation it calls, and numba only checks the
source file of the function itself, so an edited equation in another file would silently
keep running its old version. So the cache of everything compiled here is keyed on
:data:`~nato_socialism.model.source_hash.MODEL_HASH`, a SHA-256 of every source file of the
model (``model/*.py``, ``model/mechanisms/*.py``, ``parameters.toml``): any edit gives a new
cache folder (``__pycache__/numba-<hash>`` beside the source, or the user cache directory if
that is read-only) and a full recompilation. The hash is also stored with every run
(``docs/results.md``), and ``run --resume`` refuses to continue a run made by other model code.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import weakref
from collections import namedtuple

import numpy as np
from numba import njit
from numba.core.caching import CompileResultCacheImpl, FunctionCache, _CacheLocator

from .parameters import registry
from .source_hash import MODEL_DIR, MODEL_HASH
from .state import Regime

#: Regime codes as plain integers (compile-time constants in equations and passes).
CD, CA, DS, BU, RE = (int(r) for r in Regime)

# ----------------------------------------------------------------------------- parameters
#: Column of each registry parameter in :func:`kernel_params`: ``q[KP.name]`` in an equation.
KP = namedtuple("KP", list(registry()))(*range(len(registry())))

_kp_cache: dict[int, tuple] = {}


def kernel_params(p) -> np.ndarray:
    """The (members, parameters) matrix of a Params record, cached while the record lives."""
    hit = _kp_cache.get(id(p))
    if hit is not None and hit[0]() is p:
        return hit[1]
    kp = np.ascontiguousarray(np.hstack([getattr(p, name) for name in KP._fields]), dtype=np.float64)
    key = id(p)
    try:
        ref = weakref.ref(p, lambda _: _kp_cache.pop(key, None))
    except TypeError:  # pragma: no cover - records that refuse weak references are not cached
        return kp
    _kp_cache[key] = (ref, kp)
    return kp


# ----------------------------------------------------------------------------- disk cache
def _file_hash(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


class _ModelCacheLocator(_CacheLocator):
    """Cache folder ``numba-<model hash>`` beside the source (or in the user cache directory)."""

    def __init__(self, py_func, py_file, root: str):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = os.path.join(root, "numba-" + MODEL_HASH[:20])

    def get_cache_path(self):
        return self._cache_path

    def get_source_stamp(self):
        return MODEL_HASH, _file_hash(self._py_file)

    def get_disambiguator(self):
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):
        if not os.path.exists(py_file):
            return None
        from numba.core.config import CACHE_DIR
        from numba.misc.appdirs import AppDirs

        sub = cls.get_suitable_cache_subpath(py_file)
        roots = [os.path.join(os.path.dirname(py_file), "__pycache__"),
                 os.path.join(AppDirs(appname="nato_socialism", appauthor=False).user_cache_dir, sub)]
        if CACHE_DIR:
            roots.insert(0, os.path.join(CACHE_DIR, sub))
        for root in roots:
            self = cls(py_func, py_file, root)
            try:
                self.ensure_cache_path()
            except OSError:
                continue
            return self
        return None


#: Cache folders of other model versions kept beside the current one (the most recently written).
KEEP_OTHER_CACHES = 3


def _prune_old_caches() -> None:
    """Remove the in-tree cache folders of all but the few latest other model versions (best effort)."""
    for folder in (MODEL_DIR / "__pycache__", MODEL_DIR / "mechanisms" / "__pycache__"):
        try:
            others = [d for d in folder.glob("numba-*") if d.name != "numba-" + MODEL_HASH[:20]]
            others.sort(key=lambda d: d.stat().st_mtime, reverse=True)
            for old in others[KEEP_OTHER_CACHES:]:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


class _ModelCacheImpl(CompileResultCacheImpl):
    _locator_classes = [_ModelCacheLocator]


class _ModelCache(FunctionCache):
    _impl_class = _ModelCacheImpl


def _cached(options: dict):
    def decorate(fn):
        dispatcher = njit(**options)(fn)
        dispatcher._cache = _ModelCache(dispatcher.py_func)
        return dispatcher

    return decorate


_prune_old_caches()

# No reference counting: the compiled code allocates nothing (every array comes from the
# caller), and numba's counting of the views and arguments it passes around would cost
# atomic operations inside the loops.
_OPTIONS = dict(nogil=True, error_model="numpy", _nrt=False)
#: Decorator of a scalar equation: compiled into the passes that call it, callable from Python.
equation = _cached(dict(_OPTIONS, inline="always"))
#: Decorator of a compiled pass over (members, countries) arrays.
kernel = _cached(_OPTIONS)


# ----------------------------------------------------------------------------- shared scalar helpers
@equation
def clip(x, lo, hi):
    """``numpy.clip`` of a number: ``min(max(x, lo), hi)``."""
    x = x if x >= lo else lo
    return x if x <= hi else hi


@equation
def expit(x):
    """Logistic function ``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + math.exp(-x))


@equation
def _pw_block(a, lo, n):
    """Pairwise sum of at most 128 numbers as NumPy does it (8 accumulators, then the rest)."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    stop = n - (n % 8)
    while i < stop:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


# Blocks longer than 128 are halved (at a multiple of 8); the levels are spelled out because
# numba cannot cache recursive functions. Four levels cover 1,024 numbers.
@equation
def _pw1(a, lo, n):
    if n <= 128:
        return _pw_block(a, lo, n)
    n2 = n // 2
    n2 -= n2 % 8
    return _pw_block(a, lo, n2) + _pw_block(a, lo + n2, n - n2)


@equation
def _pw2(a, lo, n):
    if n <= 128:
        return _pw_block(a, lo, n)
    n2 = n // 2
    n2 -= n2 % 8
    return _pw1(a, lo, n2) + _pw1(a, lo + n2, n - n2)


@kernel
def _pw3(a, lo, n):
    if n <= 128:
        return _pw_block(a, lo, n)
    n2 = n // 2
    n2 -= n2 % 8
    return _pw2(a, lo, n2) + _pw2(a, lo + n2, n - n2)


@kernel
def pairwise_sum(a, lo, n):
    """NumPy's pairwise sum of ``a[lo:lo + n]`` (contiguous float64, n <= 1024), bit for bit."""
    if n > 1024:
        raise ValueError("pairwise_sum: more than 1024 numbers")
    if n <= 128:
        return _pw_block(a, lo, n)
    n2 = n // 2
    n2 -= n2 % 8
    return _pw3(a, lo, n2) + _pw3(a, lo + n2, n - n2)


@equation
def row_sum(a):
    """Sum of a row of numbers (accurate pairwise summation, independent of the other members)."""
    return pairwise_sum(a, 0, a.shape[0])


@equation
def csr_dot(indptr, indices, data, x, i):
    """Row ``i`` of a CSR matrix times vector ``x``, summed in stored order (neighbour products)."""
    acc = 0.0
    for jj in range(indptr[i], indptr[i + 1]):
        acc = acc + data[jj] * x[indices[jj]]
    return acc


@kernel
def csr_rows(indptr, indices, data, x, out):
    """``out[m] = A @ x[m]`` for every member row ``m`` (A in CSR form)."""
    for m in range(x.shape[0]):
        xm = x[m]
        for i in range(out.shape[1]):
            out[m, i] = csr_dot(indptr, indices, data, xm, i)


# ----------------------------------------------------------------------------- Python callers
def evaluate(fn, q: np.ndarray, *args):
    """Evaluate a scalar equation for every member and element, from Python.

    ``fn(*args, q_m)`` for each member m (``q``: the (members, parameters) matrix of
    :func:`kernel_params`) and each element of the arguments broadcast to (members, k) (a
    number, a (members, 1) column or a (k,) row broadcast like any NumPy operands). Returns a
    (members, k) float array, or a tuple of them if the equation returns a tuple. A Python
    loop over compiled calls (about a microsecond each): for validation and tests, not runs.
    """
    e = q.shape[0]
    cols = [np.asarray(a, dtype=np.float64) for a in args]
    shape = np.broadcast_shapes((e, 1), *(c.shape for c in cols))
    cols = [np.broadcast_to(c, shape).tolist() for c in cols]
    rows = list(np.ascontiguousarray(q, dtype=np.float64))
    out = [[fn(*(c[m][j] for c in cols), rows[m]) for j in range(shape[1])] for m in range(e)]
    first = out[0][0] if shape[1] else 0.0
    if isinstance(first, tuple):
        return tuple(np.array([[v[i] for v in row] for row in out]) for i in range(len(first)))
    return np.array(out, dtype=np.float64).reshape(shape)
