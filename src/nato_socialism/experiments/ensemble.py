"""Ensembles: every doctrine over the same members (common random numbers), in chunks.

A run is prepared once (:func:`prepare`: world, blocs, context, the Latin-hypercube parameter
table and one key per member) and then computed chunk by chunk (:func:`run_chunk`), which is
a pure function of (setup, doctrine, member indices). Chunks can therefore be computed in any
order, in any process, and a member's result is bitwise the same however the ensemble is cut.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import __version__
from ..data import data_version
from ..model.doctrines import DOCTRINES, DoctrineSpec
from ..model.outcomes import member_outcomes
from ..model.parameters import Params, params_from_table
from ..model.rng import member_keys
from ..model.simulate import PRIMARY_BLOCS, TRAJECTORY_CONTROLS, TRAJECTORY_VARIABLES, build_context, simulate_members
from ..model.source_hash import MODEL_HASH
from ..model.step import CONTRIBUTIONS
from .recorder import ChunkRecorder, hist_table
from .result import CHUNK_TABLE_NAMES, RESULT_SCHEMA_VERSION, Result
from .sampling import latin_hypercube, parameter_ranges

DEFAULT_CHUNK = 250
#: Members whose country-year trajectories and "why" tables a run keeps unless told otherwise
#: (the report's regime maps of single members and its "why" waterfall need them).
DEFAULT_KEEP = 2


@dataclass(frozen=True)
class Setup:
    """Everything fixed for a run, shared by all its chunks."""

    scenario: object
    world: object
    ctx: object
    parameters: pd.DataFrame  # one row per member
    keys: np.ndarray  # one uint64 key per member
    specs: dict[str, DoctrineSpec]
    data_version: str

    @property
    def members(self) -> int:
        """Number of ensemble members."""
        return len(self.parameters)

    def params(self, members: np.ndarray) -> Params:
        """The parameter record of some members."""
        rows = self.parameters.iloc[members]
        return params_from_table({k: rows[k].to_numpy() for k in rows.columns})


def prepare(scenario, data_dir=None) -> Setup:
    """Resolve a scenario into a run setup (loads data, samples parameters, spawns member keys)."""
    world, blocs, events = scenario.build(data_dir=data_dir)
    ctx = build_context(world, blocs, scenario.start_year, scenario.horizon, scenario.switches(), events)
    chosen = {**scenario.fixed_parameters(), **scenario.sampled_parameters()}
    table = latin_hypercube(scenario.members, scenario.seed, parameter_ranges(chosen))
    specs = {name: scenario.custom_spec() if name == "custom" else DOCTRINES[name].spec for name in scenario.doctrines}
    return Setup(
        scenario=scenario, world=world, ctx=ctx, parameters=table,
        keys=member_keys(scenario.seed, range(scenario.members)), specs=specs,
        data_version=data_version(data_dir),
    )


@dataclass
class ChunkTables:
    """Tidy tables of one chunk of one doctrine (``country_hist`` as a pyarrow table: list columns)."""

    outcomes: pd.DataFrame
    series: pd.DataFrame
    trajectories: pd.DataFrame | None
    why: pd.DataFrame | None
    country_hist: object = None


def run_chunk(setup: Setup, doctrine: str, members: Sequence[int], keep: int = 0) -> ChunkTables:
    """Simulate some members under one doctrine and return tidy tables."""
    members = np.asarray(members, dtype=np.int64)
    ctx = setup.ctx
    recorder = ChunkRecorder(ctx, len(members))
    chunk = simulate_members(ctx, setup.world, setup.params(members), setup.keys[members], members,
                             setup.specs[doctrine], keep=keep, recorder=recorder)
    outcomes = pd.DataFrame(member_outcomes(chunk, ctx.start_year))
    outcomes.insert(0, "doctrine", doctrine)
    outcomes.insert(0, "member", members)
    years = ctx.start_year + np.arange(ctx.horizon + 1)
    e = len(members)
    series = pd.DataFrame({
        "doctrine": doctrine,
        "member": np.repeat(members, len(years)),
        "year": np.tile(years, e),
        **{k: v.ravel() for k, v in chunk.series.items()},
        **{f"demsoc_share_{b}": chunk.bloc_share[:, :, i].ravel() for i, b in enumerate(PRIMARY_BLOCS)},
        **{k: v.ravel() for k, v in recorder.blocs.items()},
    })
    trajectories = why = None
    if keep:
        trajectories = _trajectory_table(chunk, members[:keep], doctrine, years, ctx.iso3)
        why = _why_table(chunk, members[:keep], doctrine, years[:-1], ctx.iso3)
    return ChunkTables(outcomes=outcomes, series=series, trajectories=trajectories, why=why,
                       country_hist=hist_table(recorder.counts, doctrine, years, ctx.iso3))


def _trajectory_table(chunk, members, doctrine, years, iso3) -> pd.DataFrame:
    k, y, n = len(members), len(years), len(iso3)
    base = {
        "doctrine": doctrine,
        "member": np.repeat(members, y * n),
        "year": np.tile(np.repeat(years, n), k),
        "iso3": np.tile(np.array(iso3), k * y),
    }
    cols = {v: chunk.trajectories[v].ravel() for v in TRAJECTORY_VARIABLES}
    for kind in ("requested", "applied"):
        for c in TRAJECTORY_CONTROLS:
            arr = chunk.trajectories[f"{kind}_{c}"]
            padded = np.concatenate([arr, np.full((k, 1, n), np.nan)], axis=1)  # no control after the last year
            cols[f"{kind}_{c}"] = padded.ravel()
    event = np.concatenate([chunk.trajectories["event"], np.zeros((k, 1, n))], axis=1)
    cols["event"] = event.ravel().astype(np.int8)
    out = pd.DataFrame({**base, **cols})
    out["regime"] = out["regime"].astype(np.int8)
    return out


def _why_table(chunk, members, doctrine, years, iso3) -> pd.DataFrame:
    frames = []
    k, y, n = len(members), len(years), len(iso3)
    for target in ("support", "reaction"):
        arr = chunk.why[target]  # (k, y, contributions, n)
        frame = pd.DataFrame({
            "doctrine": doctrine,
            "member": np.repeat(members, y * n),
            "year": np.tile(np.repeat(years, n), k),
            "iso3": np.tile(np.array(iso3), k * y),
            "target": target,
            **{c: arr[:, :, i, :].ravel() for i, c in enumerate(CONTRIBUTIONS)},
        })
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def chunks(members: int, size: int) -> list[np.ndarray]:
    """Member index blocks of at most ``size``."""
    return [np.arange(s, min(members, s + size)) for s in range(0, members, size)]


def experiments_table(setup: Setup) -> pd.DataFrame:
    """One row per member and doctrine: member seed key and every parameter value."""
    rows = []
    for doctrine in setup.specs:
        t = setup.parameters.reset_index()
        t.insert(1, "doctrine", doctrine)
        t.insert(2, "seed_key", setup.keys.astype(np.uint64))
        rows.append(t)
    return pd.concat(rows, ignore_index=True)


def run(setup: Setup, chunk_size: int = DEFAULT_CHUNK, keep: int = 0,
        progress: Callable[[int], None] | None = None) -> Result:
    """Run every doctrine of the setup over all members, serially, and assemble a :class:`Result`."""
    started = time.time()
    parts: dict[str, list] = {name: [] for name in CHUNK_TABLE_NAMES}
    for doctrine in setup.specs:
        for i, block in enumerate(chunks(setup.members, chunk_size)):
            tables = run_chunk(setup, doctrine, block, keep=min(keep, len(block)) if i == 0 else 0)
            for name in parts:
                value = getattr(tables, name)
                if value is not None:
                    parts[name].append(value)
            if progress:
                progress(len(block))
    return assemble(setup, parts, started)


def metadata(setup: Setup, started: float) -> dict:
    """Run metadata recorded with every result."""
    sc = setup.scenario
    return {
        "schema_version": RESULT_SCHEMA_VERSION,
        "package_version": __version__,
        "data_version": setup.data_version,
        "model_hash": MODEL_HASH,
        "scenario": sc.name,
        "seed": sc.seed,
        "members": sc.members,
        "horizon": sc.horizon,
        "start_year": sc.start_year,
        "doctrines": list(setup.specs),
        "started": started,
        "finished": time.time(),
    }


def assemble(setup: Setup, parts: dict[str, list], started: float) -> Result:
    """Concatenate chunk tables into one result."""
    def cat(name):
        frames = parts.get(name) or []
        if frames and not isinstance(frames[0], pd.DataFrame):  # pyarrow tables (country_hist)
            import pyarrow as pa

            return pa.concat_tables(frames).to_pandas()
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    return Result(
        meta=metadata(setup, started),
        experiments=experiments_table(setup),
        **{name: cat(name) for name in CHUNK_TABLE_NAMES},
    )


def run_tables(setup: Setup, data_dir=None) -> dict[str, pd.DataFrame]:
    """Run-level tables that make a stored run self-describing (store schema version 2).

    ``countries``: one row per country (``iso3``, ``name``, UN region and sub-region,
    centroid ``lat`` and ``lon``, and ``imputed``, the comma-separated input variables that
    were imputed); ``blocs``: one row
    per year and country (``primary``: its bloc for "which bloc turns first", ``nato`` and
    ``first_world`` membership); ``data_notes``: one row per input variable (source column,
    provenance from ``SOURCES.md``, imputation rule, imputed countries).
    """
    from ..data import SOURCE_COLUMNS, load_centroids
    from ..data.userdata import provenance

    world, ctx = setup.world, setup.ctx
    imputed = world.imputed
    countries = pd.DataFrame({
        "iso3": list(world.iso3),
        "name": list(world.name),
        "region_un": world.region_un.astype(str),
        "subregion_un": world.subregion_un.astype(str),
        **load_centroids(data_dir).set_index("iso3").reindex(list(world.iso3))[["lat", "lon"]]
        .reset_index(drop=True).to_dict(orient="series"),
        "imputed": [", ".join(v for v, flag in imputed.loc[c].items() if flag) for c in world.iso3],
    })
    years = ctx.start_year + np.arange(ctx.horizon + 1)
    n = ctx.n
    blocs = pd.DataFrame({
        "year": np.repeat(years, n),
        "iso3": np.tile(np.array(ctx.iso3), len(years)),
        "primary": np.asarray(ctx.blocs.primary_ids)[np.asarray(ctx.blocs.primary)].ravel(),
        "nato": np.asarray(ctx.blocs.nato).ravel(),
        "first_world": np.asarray(ctx.blocs.first_world).ravel(),
    })
    sources = provenance(data_dir)
    notes = pd.DataFrame([
        {
            "variable": var,
            "source_column": column,
            "source": " / ".join(sources.get(column, [])),
            "rule": world.imputation_rules[var],
            "imputed_countries": int(imputed[var].sum()),
            "imputed": ", ".join(imputed.index[imputed[var]]),
        }
        for var, (column, _) in SOURCE_COLUMNS.items()
    ])
    return {"countries": countries, "blocs": blocs, "data_notes": notes}
