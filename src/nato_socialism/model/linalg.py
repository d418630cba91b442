"""Matrix products whose result for one member never depends on the chunk it runs in.

OpenBLAS picks its kernels and its split of the work by the shape of the product and the
number of threads, and within one product it treats some rows with edge kernels: on this
machine, in a 16-row product, rows 12-15 come out different in the last bits from rows 0-11
(so the same member gave other bits in a chunk of 7 than alone); 1 and 2 threads differ too.
What is fixed is this: for one call shape on one thread, a row's result depends only on its
content and its *position* in the block (checked against random neighbours).

:func:`member_matmul` therefore multiplies separate blocks of exactly ``BLOCK`` rows, each its
own BLAS call on one thread (:func:`single_threaded_blas`), and puts every member at the
position ``member index % BLOCK`` (its *slot*; rows left empty are zeros). A member's row then
goes through the same kernel at the same position whatever the chunking, the other members
and the caller's thread setting. Sparse products (neighbours, refugees) are compiled loops
that sum each output in the fixed order of the stored neighbours
(:func:`nato_socialism.model.compiled.csr_rows`).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

BLOCK = 64

_lock = threading.Lock()
_depth = 0
_limiter = None
_controller = None


@contextmanager
def single_threaded_blas():
    """Run BLAS on one thread inside the block (re-entrant and safe across threads).

    The original thread count is restored when the last concurrent user leaves.
    """
    global _depth, _limiter, _controller
    with _lock:
        if _depth == 0:
            if _controller is None:
                from threadpoolctl import ThreadpoolController

                _controller = ThreadpoolController().select(user_api="blas")
            _limiter = _controller.limit(limits=1)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _limiter.restore_original_limits()
                _limiter = None


def blas_is_single_threaded() -> bool:
    """Whether a :func:`single_threaded_blas` block is active."""
    return _depth > 0


def member_slots(members) -> np.ndarray:
    """The position of each member in its block of BLOCK rows: ``member index % BLOCK``."""
    return np.asarray(members, dtype=np.int64) % BLOCK


@lru_cache(maxsize=256)
def _blocks(slots: bytes) -> tuple[tuple[int, int], ...]:
    """(start, stop) of the runs of rows sharing a block (consecutive rows while their slots increase)."""
    slots = np.frombuffer(slots, dtype=np.int64)
    starts = np.flatnonzero(np.diff(slots, prepend=BLOCK) <= 0)
    return tuple(zip(starts.tolist(), np.append(starts[1:], len(slots)).tolist(), strict=True))


def member_matmul(x: np.ndarray, k: np.ndarray, out: np.ndarray | None = None,
                  slots: np.ndarray | None = None) -> np.ndarray:
    """``x @ k`` for x shaped (members, n), computed in blocks of BLOCK rows with fixed slots.

    ``slots`` (from :func:`member_slots`; default: rows numbered from 0) gives each row's
    position in its block; consecutive rows share a block while their slots increase.
    ``out`` (members, k.shape[1]), if given, receives the result.
    """
    e = x.shape[0]
    if out is None:
        out = np.empty((e, k.shape[1]))
    if not blas_is_single_threaded():
        with single_threaded_blas():
            return member_matmul(x, k, out, slots)
    if slots is None:
        slots = np.arange(e) % BLOCK
    for a, b in _blocks(np.ascontiguousarray(slots, dtype=np.int64).tobytes()):
        if b - a == BLOCK:  # a whole block in slot order: no copy
            np.matmul(x[a:b], k, out=out[a:b])
        else:
            s = slots[a:b]
            pad = np.zeros((BLOCK, x.shape[1]))
            pad[s] = x[a:b]
            out[a:b] = (pad @ k)[s]
    return out
