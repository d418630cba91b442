"""Matrix products whose result for one member never depends on the chunk it runs in.

BLAS kernels treat the last rows of a block with edge kernels, and numpy switches to a
matrix-vector kernel for a single row; either can change the last bits of a row's result
depending on how many members share the product. :func:`member_matmul` therefore always
multiplies whole blocks of ``BLOCK`` rows (padding with zeros), so every member's row goes
through the same full-size kernel with the same summation order, whatever the chunking.
Sparse products (:func:`neighbour_mean`) use SciPy's CSR kernel, which sums each output in
the fixed order of the stored neighbours.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

BLOCK = 16


def member_matmul(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """``x @ k`` for x shaped (members, n), computed in fixed blocks of BLOCK members."""
    e = x.shape[0]
    pad = (-e) % BLOCK
    if pad or e < BLOCK:
        x = np.concatenate([x, np.zeros((pad or BLOCK, x.shape[1]))], axis=0)
    return (np.ascontiguousarray(x) @ k)[:e]


def neighbour_mean(weights: sparse.csr_matrix, x: np.ndarray) -> np.ndarray:
    """Row-normalized neighbour average of x (members, n): ``(W @ x.T).T``."""
    return np.ascontiguousarray((weights @ np.ascontiguousarray(x.T)).T)


def row_sum(x: np.ndarray) -> np.ndarray:
    """Sum over countries, shape (members, 1); numpy's pairwise sum per contiguous row."""
    return np.ascontiguousarray(x).sum(axis=1, keepdims=True)
