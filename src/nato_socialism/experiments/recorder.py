"""What a chunk records beyond the model's own series: country-year histograms and bloc series.

The model's bookkeeping keeps world-level series per member; a map, a per-country band or a
bloc fan chart needs more. :class:`ChunkRecorder` is handed to
:func:`~nato_socialism.model.simulate.simulate_members`, which calls it with the state of
each block of members at the start of every year (and at the end). It keeps

* for every country, year and member the *bin* of each variable of :data:`COUNTRY_VARIABLES`
  (regime code; support, reaction, living standard and displaced share on fixed bins), and
  turns them into **histograms** (member counts per country, year and bin) when the chunk is
  done. Counts are exact and add up over chunks, so the ensemble's histogram, and every
  quantile and regime probability read from it, is the same however the ensemble is cut
  into chunks or resumed (store schema version 2, table ``country_hist``);
* the **bloc series** of :data:`~nato_socialism.experiments.series.RECORDED_BLOC_COLUMNS` per
  member and year (bureaucratic and reactionary population shares, living standard, poverty,
  displaced people by primary bloc), added to the chunk's ``series`` table.

A member's bins and bloc values depend only on its own state (no product over members), so
they do not depend on the chunk or on the member blocks either.

Quantiles from histograms are exact up to the bin: they interpolate inside the bin that
holds the quantile (linearly on linear bins, geometrically on log bins), so the error is at
most one bin width (support and reaction: 0.01; living standard: 5.1 % of the value;
displaced share: 10.5 % of the value, or 1e-5 absolute below 1e-5).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ..model.simulate import PRIMARY_BLOCS
from ..model.state import Regime
from .series import QUANTITIES, RECORDED_BLOC_COLUMNS


@dataclass(frozen=True)
class Binning:
    """Fixed bins of a country variable.

    ``kind`` is ``categorical`` (bin = integer code ``0..bins-1``), ``linear`` (``bins`` equal
    bins from ``lo`` to ``hi``; values outside go to the first or last bin) or ``log`` (bin 0
    is ``[0, lo)``; bins ``1..bins-1`` are geometric with ratio ``exp(step)`` from ``lo``;
    values above the last edge go to the last bin).
    """

    name: str
    label: str
    unit: str
    kind: str
    bins: int
    lo: float = 0.0
    hi: float = 1.0
    step: float = 0.0

    def edges(self) -> np.ndarray:
        """Bin edges (``bins + 1`` values; categorical: ``code - 0.5``)."""
        if self.kind == "categorical":
            return np.arange(self.bins + 1) - 0.5
        if self.kind == "linear":
            return np.linspace(self.lo, self.hi, self.bins + 1)
        return np.concatenate([[0.0], self.lo * np.exp(self.step * np.arange(self.bins))])

    def index(self, x: np.ndarray) -> np.ndarray:
        """Bin of each value (uint16)."""
        if self.kind == "categorical":
            return x.astype(np.uint16)
        if self.kind == "linear":
            i = np.floor((x - self.lo) * (self.bins / (self.hi - self.lo)))
            return np.clip(i, 0, self.bins - 1).astype(np.uint16)
        with np.errstate(divide="ignore"):
            i = 1.0 + np.floor(np.log(np.maximum(x, 1e-300) / self.lo) / self.step)
        return np.clip(i, 0, self.bins - 1).astype(np.uint16)


_B = Binning
#: Country variables summarized over the ensemble, by country and year (table ``country_hist``).
COUNTRY_VARIABLES: dict[str, Binning] = {
    b.name: b
    for b in (
        _B("regime", "regime", "code", "categorical", len(Regime)),
        _B("support", "support for the socialist coalition", "share", "linear", 100),
        _B("reaction", "reactionary support", "share", "linear", 100),
        # $100 to $1.06 M a head in 5.1 % steps: covers 100 years of frontier growth from today's richest
        _B("living", "living standard (consumption per head)", "2021 int-$ PPP per head per year", "log", 187,
           lo=100.0, step=0.05),
        # 1e-5 to 1 of the population in 10.5 % steps
        _B("displaced_share", "people displaced from the country, share of its population", "share", "log", 117,
           lo=1e-5, step=0.1),
    )
}


def _country_values(s) -> dict[str, np.ndarray]:
    """The (members, countries) value of each country variable in a state."""
    return {
        "regime": s.regime,
        "support": s.support,
        "reaction": s.reaction,
        "living": s.living,
        "displaced_share": s.displaced / s.pop,
    }


class ChunkRecorder:
    """Histograms and bloc series of one chunk; ``simulate_members`` calls it as ``recorder(t, rows, state)``.

    Each call adds the members ``rows`` at year index ``t`` to the counts (under a lock; integer
    additions give the same counts in any order) and writes their bloc values, rows that no
    other block writes.
    """

    def __init__(self, ctx, members: int):
        years = ctx.horizon + 1
        n = ctx.n
        self._dtype = np.uint16 if members < 2**16 else np.uint32  # a count never exceeds the chunk's members
        self.counts = {k: np.zeros((years, n, b.bins), dtype=self._dtype) for k, b in COUNTRY_VARIABLES.items()}
        # float32 halves the stored size of these 25 columns (relative precision 6e-8)
        self.blocs = {c: np.full((members, years), np.nan, dtype=np.float32) for c in RECORDED_BLOC_COLUMNS}
        self._offsets = {k: (np.arange(n) * b.bins)[None, :] for k, b in COUNTRY_VARIABLES.items()}
        self._lock = threading.Lock()
        # countries sorted by primary bloc each year, for segment sums (no BLAS: see module doc)
        self._groups = []
        for t in range(years):
            code = np.asarray(ctx.blocs.primary[t])
            perm = np.argsort(code, kind="stable")
            present = np.unique(code)  # a bloc without countries that year stays NaN
            blocs = [PRIMARY_BLOCS[i] for i in present]
            self._groups.append((perm, np.searchsorted(code[perm], present), blocs))
        self._quantities = list(dict.fromkeys(q for q, _ in RECORDED_BLOC_COLUMNS.values()))

    def __call__(self, t: int, rows: slice, s) -> None:
        """Record year index ``t`` of the members ``rows`` (state ``s`` holds exactly those rows)."""
        for k, v in _country_values(s).items():
            b = COUNTRY_VARIABLES[k]
            counts = self.counts[k]
            local = np.bincount((self._offsets[k] + b.index(v)).ravel(), minlength=counts[t].size)
            with self._lock:
                counts[t] += local.reshape(counts[t].shape).astype(self._dtype)
        perm, starts, blocs = self._groups[t]
        pop = s.pop
        parts = [pop]
        for quantity in self._quantities:
            rule, arg = QUANTITIES[quantity].bloc_rule
            if rule == "pop_share":
                parts.append(np.where(s.regime == arg, pop, 0.0))
            elif rule == "pop_mean":
                parts.append(getattr(s, arg) * pop)
            else:
                parts.append(getattr(s, arg))
        sums = np.add.reduceat(np.stack(parts)[:, :, perm], starts, axis=2)  # (parts, members, blocs present)
        for i, quantity in enumerate(self._quantities, start=1):
            value = sums[i] if QUANTITIES[quantity].bloc_rule[0] == "sum" else sums[i] / sums[0]
            for g, b in enumerate(blocs):
                self.blocs[QUANTITIES[quantity].columns[b]][rows, t] = value[:, g]


def hist_table(hist: dict[str, np.ndarray], doctrine: str, years: np.ndarray, iso3) -> pa.Table:
    """The ``country_hist`` rows of a chunk: one per year and country, one list column per variable."""
    y, n = len(years), len(iso3)
    columns = {
        "doctrine": pa.array([doctrine] * (y * n)),
        "year": pa.array(np.repeat(years, n).astype(np.int64)),
        "iso3": pa.array(np.tile(np.asarray(iso3), y)),
    }
    for k, counts in hist.items():
        flat = pa.array(counts.reshape(-1))
        columns[k] = pa.FixedSizeListArray.from_arrays(flat, counts.shape[-1])
    return pa.table(columns)


#: Quantiles given by :func:`country_summary`.
SUMMARY_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def quantiles(binning: Binning, counts: np.ndarray, qs=SUMMARY_QUANTILES, work: dict | None = None) -> np.ndarray:
    """Quantiles from member counts ``(..., bins)``: shape ``(..., len(qs))``, NaN where no member.

    The quantile ``q`` of ``N`` members is where the histogram's cumulative count reaches
    ``q * N``, interpolated inside its bin: linearly on linear bins and on the first bin of a
    log binning ``[0, lo)``, geometrically on the other log bins. ``work``: a dict in which
    scratch arrays are kept between calls (fresh large arrays cost page faults).
    """
    counts = np.asarray(counts)
    shape = counts.shape[:-1]
    b = counts.shape[-1]
    flat = counts.reshape(-1, b)
    rows = len(flat)
    total = flat.sum(axis=1, dtype=np.int64)
    stride = int(total.max(initial=0)) + 1
    # one sorted key per (cell, bin): cell * (max total + 1) + cumulative count, so one
    # searchsorted finds, for every cell at once, the first bin whose cumulative count reaches a target
    kind = np.int64 if rows * stride >= 2**31 else np.int32
    work = {} if work is None else work
    keys = work.get((flat.shape, kind))
    if keys is None:
        keys = work[(flat.shape, kind)] = np.empty(flat.shape, dtype=kind)
    cum = np.cumsum(flat, axis=1, dtype=kind, out=keys)
    start = np.arange(rows, dtype=kind) * kind(stride)
    keys += start[:, None]
    keys = keys.ravel()
    edges = binning.edges()
    out = np.empty((rows, len(qs)))
    for j, q in enumerate(qs):
        target = q * total
        # cumulative counts are integers: reaching q * N means reaching its ceiling
        need = np.ceil(target - 1e-9 * np.maximum(target, 1.0)).astype(kind)
        pos = np.searchsorted(keys, start + need, side="left")
        i = np.clip(pos - np.arange(rows) * b, 0, b - 1)
        inside = flat[np.arange(rows), i]
        before = cum[np.arange(rows), i] - start - inside
        f = np.clip(np.divide(target - before, inside, out=np.zeros(rows), where=inside > 0), 0.0, 1.0)
        lo, hi = edges[i], edges[i + 1]
        if binning.kind == "log":
            safe = np.where(lo > 0, lo, 1.0)  # bin 0 starts at 0: linear there
            value = np.where(i == 0, lo + f * (hi - lo), safe * (hi / safe) ** f)
        else:
            value = lo + f * (hi - lo)
        out[:, j] = np.where(total > 0, value, np.nan)
    return out.reshape(shape + (len(qs),))


def regime_column(code: int) -> str:
    """Column of P(regime) in :func:`country_summary` (e.g. ``p_democratic_socialist``)."""
    return "p_" + Regime(code).name.lower()


def summary_arrays(counts: dict[str, np.ndarray], qs=SUMMARY_QUANTILES, work: dict | None = None
                   ) -> dict[str, np.ndarray]:
    """Regime probabilities and quantiles from merged counts ``(..., bins)``: name -> ``(...)`` arrays.

    Names: ``members``, ``p_<regime>`` per regime code, ``<variable>_p<100 q>`` per quantile of
    each variable in ``counts`` (``regime`` is needed; the others may be left out, e.g. when
    only some columns of ``country_hist`` were read).
    """
    regime = np.asarray(counts["regime"], dtype=np.float64)
    members = regime.sum(axis=-1)
    out = {"members": members}
    for code in range(regime.shape[-1]):
        out[regime_column(code)] = np.divide(regime[..., code], members, out=np.full_like(members, np.nan),
                                             where=members > 0)
    for k, b in COUNTRY_VARIABLES.items():
        if b.kind == "categorical" or k not in counts:
            continue
        q = quantiles(b, counts[k], qs, work)
        for j, level in enumerate(qs):
            out[f"{k}_p{round(100 * level):02d}"] = q[..., j]
    return out


def _block(table, name: str, rows: slice, bins: int) -> np.ndarray:
    """Rows of a list column of counts as a (rows, bins) matrix (pyarrow table or pandas frame)."""
    if isinstance(table, pd.DataFrame):
        values = table[name].to_numpy()[rows]
        return np.stack(values) if len(values) else np.zeros((0, bins), dtype=np.int64)
    flat = table.column(name).slice(rows.start, rows.stop - rows.start).combine_chunks().flatten()
    return flat.to_numpy(zero_copy_only=False).reshape(-1, bins)


def _keys(table, name: str) -> np.ndarray:
    if isinstance(table, pd.DataFrame):
        return table[name].to_numpy()
    return table.column(name).to_numpy(zero_copy_only=False)


def _chunk_blocks(tables):
    """Yield ``(doctrine, years, iso3, {variable: counts (years, countries, bins)})`` per chunk, in row order.

    ``tables``: pyarrow tables or pandas frames (one per chunk file, or concatenations of
    them), whose rows come, as written, in blocks of one doctrine and chunk with years
    ascending and countries in the run's order inside a year.
    """
    if isinstance(tables, pd.DataFrame | pa.Table):
        tables = [tables]
    for table in tables:
        doctrine, year, iso3 = (_keys(table, c) for c in ("doctrine", "year", "iso3"))
        if not len(year):
            continue
        names = table.columns if isinstance(table, pd.DataFrame) else table.column_names
        n = int(np.argmax(year != year[0])) or len(year)  # countries: rows of the first year
        if len(year) % n:
            raise ValueError("country_hist rows are not whole years of every country")
        gy, gd = year[::n], doctrine[::n]
        first = np.flatnonzero(np.r_[True, (gd[1:] != gd[:-1]) | (gy[1:] <= gy[:-1])])  # a chunk starts
        for a, z in zip(first, np.r_[first[1:], len(gy)], strict=True):
            rows = slice(int(a) * n, int(z) * n)
            d, codes = str(gd[a]), iso3[rows.start : rows.start + n]
            if not ((iso3[rows].reshape(-1, n) == codes).all() and (doctrine[rows] == d).all()):
                raise ValueError(f"country_hist rows of {d} are not in the order they were written")
            blocks = {k: _block(table, k, rows, b.bins).reshape(z - a, n, b.bins)
                      for k, b in COUNTRY_VARIABLES.items() if k in names}
            yield d, gy[a:z], codes, blocks


def _same_axes(d: str, axes: tuple, years, codes) -> None:
    if not (len(axes[0]) == len(years) and (axes[0] == years).all() and (axes[1] == codes).all()):
        raise ValueError(f"country_hist chunks of {d} cover different years or countries")


def merge_hist(tables) -> dict[str, dict[str, np.ndarray]]:
    """Sum ``country_hist`` chunks over members (rows as written; see :func:`_chunk_blocks`).

    Returns doctrine -> name -> array: the counts of each variable (years, countries, bins)
    int64, and the axes ``"_years"`` and ``"_iso3"``. Counts are integers, so the sum is exact.
    """
    out: dict[str, dict[str, np.ndarray]] = {}
    for d, years, codes, blocks in _chunk_blocks(tables):
        merged = out.setdefault(d, {"_years": years.copy(), "_iso3": codes.copy()})
        _same_axes(d, (merged["_years"], merged["_iso3"]), years, codes)
        for k, block in blocks.items():
            if k in merged:
                merged[k] += block
            else:
                merged[k] = block.astype(np.int64)
    return out


def country_summary(tables, qs=SUMMARY_QUANTILES) -> pd.DataFrame:
    """The ensemble summary by doctrine, year and country from ``country_hist`` rows.

    Columns: ``doctrine``, ``year``, ``iso3``, ``members``, ``p_<regime>`` (share of members in
    each regime), and ``<variable>_p05/p25/p50/p75/p95`` (the quantiles ``qs``) for support,
    reaction, living and displaced_share (quantiles over members, see :func:`quantiles`).
    The chunks of a doctrine must come together (as stored and as run): each doctrine is
    summed and summarized in turn, in the same scratch arrays.
    """
    frames, acc, work, done = [], {}, {}, set()
    current, axes = None, None

    def flush():
        arrays = summary_arrays(acc, qs, work)
        years, codes = axes
        frames.append(pd.DataFrame({
            "doctrine": current, "year": np.repeat(years, len(codes)), "iso3": np.tile(codes, len(years)),
            **{k: v.ravel() for k, v in arrays.items()},
        }))

    for d, years, codes, blocks in _chunk_blocks(tables):
        if d != current:
            if current is not None:
                flush()
            if d in done:
                raise ValueError(f"country_hist chunks of {d} are not together")
            done.add(d)
            current, axes = d, (years.copy(), codes.copy())
            for k, block in blocks.items():  # counts of a run fit int32 (fewer than 2**31 members)
                if k not in acc or acc[k].shape != block.shape:
                    acc[k] = np.empty(block.shape, dtype=np.int32)
                np.copyto(acc[k], block)
        else:
            _same_axes(d, axes, years, codes)
            for k, block in blocks.items():
                np.add(acc[k], block, out=acc[k])
    if current is not None:
        flush()
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
