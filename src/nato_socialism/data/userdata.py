"""Write, check, summarise and compare data directories.

A data directory holds the files of ``data/files`` under the same names; the bundled one
ships with the package, a user's one is written by ``nato-socialism data import``.
:func:`write_data_dir` never leaves a half-written directory: it builds the new one in a
temporary folder beside the target, validates it with the project's own loaders and
:func:`~nato_socialism.data.world.build_world`, and only then renames it into place
(:func:`nato_socialism.atomic.atomic_dir`).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from nato_socialism import atomic
from nato_socialism.data.blocs import build_blocs
from nato_socialism.data.loader import (
    DATA_DIR,
    PANEL_FILE,
    SNAPSHOT_FILE,
    PathLike,
    data_version,
    load_panel,
    load_snapshot,
)
from nato_socialism.data.schemas import PANEL_SCHEMA, SNAPSHOT_SCHEMA
from nato_socialism.data.world import build_world
from nato_socialism.errors import UserError

SOURCES_FILE = "SOURCES.md"
# Every snapshot column with a `<column>_year`, plus the derived migrant share.
INDICATORS: tuple[str, ...] = tuple(
    column
    for column in SNAPSHOT_SCHEMA.columns
    if f"{column}_year" in SNAPSHOT_SCHEMA.columns or column == "migrant_stock_pct"
)
PANEL_KEYS = ("iso3", "name", "historical_entity", "year")
PANEL_VALUES: tuple[str, ...] = tuple(c for c in PANEL_SCHEMA.columns if c not in PANEL_KEYS)
# How many countries `diff` lists per indicator as the largest changes.
LARGEST = 5
IMPORTED_HEADING = "## Imported data"
_IMPORT_LINE = re.compile(r"^- `(?P<indicator>\w+)` from ")


def year_column(indicator: str) -> str:
    """Return the snapshot column holding the year of ``indicator``'s value."""
    return "migrant_stock_year" if indicator == "migrant_stock_pct" else f"{indicator}_year"


def provenance_line(indicator: str, text: str) -> str:
    """Return the SOURCES.md line recording one import of ``indicator`` (see :func:`provenance`)."""
    return f"- `{indicator}` from {text}"


def write_table(frame: pd.DataFrame, path: Path, schema: pa.DataFrameSchema) -> None:
    """Write ``frame`` as the CSV of ``schema``: whole-number columns without a decimal point.

    Written this way, a loaded file that was not changed is written back byte for byte.
    """
    out = frame.copy()
    for name, column in schema.columns.items():
        if any(check.name == "whole_number" for check in column.checks):
            out[name] = out[name].astype("Int64")
    out.to_csv(path, index=False, lineterminator="\n")


def validate_data_dir(folder: PathLike) -> None:
    """Load every file of ``folder`` the way the model does; raise UserError if one fails."""
    load_panel(folder)
    build_blocs(build_world(data_dir=folder), data_dir=folder)


def check_target(into: PathLike, inputs: Iterable[PathLike] = (), base: PathLike | None = None) -> Path:
    """Return ``into`` as a path after checking that replacing it can lose nothing else.

    Raises
    ------
    UserError
        If ``into`` is a file, a non-empty folder that is not a data directory, the bundled
        data, or holds one of ``inputs`` or ``base`` (replacing it would delete them).
    """
    target = Path(into)
    resolved = target.resolve()
    if resolved == DATA_DIR.resolve():
        raise UserError(f"--into {target} is the bundled data folder; choose another folder.")
    if target.exists() and not target.is_dir():
        raise UserError(f"--into {target} is a file; expected a folder for the data files.")
    if target.is_dir() and any(target.iterdir()) and not (target / SNAPSHOT_FILE).is_file():
        raise UserError(
            f"--into {target} is a folder that holds other files and no {SNAPSHOT_FILE}; "
            "the import replaces the whole folder, so choose a new or a data folder."
        )
    for other in (*inputs, *([base] if base is not None else [])):
        if resolved in Path(other).resolve().parents:
            raise UserError(
                f"{other} is inside --into {target}, which the import replaces; move it or choose another --into."
            )
    return target


def write_data_dir(
    into: PathLike,
    base: PathLike | None,
    tables: Mapping[str, pd.DataFrame],
    provenance: str,
    inputs: Iterable[PathLike] = (),
) -> Path:
    """Write a data directory: ``base``'s files, ``tables`` replaced, ``provenance`` appended.

    Parameters
    ----------
    into
        Target folder; an existing data directory there is replaced once the new one has
        validated, and left untouched otherwise.
    base
        Data directory to start from; ``None`` for the bundled data.
    tables
        File name (``countries_snapshot.csv`` or ``country_year_panel.csv``) -> new content.
    provenance
        Markdown appended to the copy of ``SOURCES.md``.
    inputs
        Files read for this write; refused if they lie inside ``into``.

    Returns
    -------
    pathlib.Path
        ``into``.

    Raises
    ------
    UserError
        If the target is unsuitable (:func:`check_target`), cannot be written, or the new
        data do not validate.
    """
    target = check_target(into, inputs, base)
    schemas = {SNAPSHOT_FILE: SNAPSHOT_SCHEMA, PANEL_FILE: PANEL_SCHEMA}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Built beside the target and renamed into place only once it validates.
        with atomic.atomic_dir(target) as staging:
            _copy_files(DATA_DIR if base is None else Path(base), staging)
            for name, frame in tables.items():
                write_table(frame, staging / name, schemas[name])
            with open(staging / SOURCES_FILE, "a", encoding="utf-8") as sources:
                sources.write(provenance)
            try:
                validate_data_dir(staging)
            except UserError as exc:
                raise UserError(f"The new data did not validate; {target} was not changed.\n{exc}") from None
    except OSError as exc:
        raise UserError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    return target


def _copy_files(source: Path, destination: Path) -> None:
    """Copy the files under ``source``; contents only, as the bundled files are read-only."""
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        copy = destination / relative
        if path.is_dir():
            copy.mkdir(exist_ok=True)
        else:
            shutil.copyfile(path, copy)


def provenance(data_dir: PathLike | None = None) -> dict[str, list[str]]:
    """Return, per indicator, its lines of SOURCES.md: the bundled column table, then imports.

    A folder without SOURCES.md has no provenance lines.
    """
    path = (DATA_DIR if data_dir is None else Path(data_dir)) / SOURCES_FILE
    lines: dict[str, list[str]] = {indicator: [] for indicator in INDICATORS}
    if not path.is_file():
        return lines
    section = ""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("## "):
            section = line
        elif match := _IMPORT_LINE.match(line):
            lines.setdefault(match["indicator"], []).append(line[2:])
        elif SNAPSHOT_FILE in section and line.startswith("| "):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            for name in (part.strip() for part in cells[0].split(",")):
                if name in lines:
                    lines[name].append(" | ".join(cells[1:]))
    return lines


def describe_data_dir(data_dir: PathLike | None = None) -> dict[str, Any]:
    """Summarise a data directory: files, version, and per indicator coverage and provenance.

    Parameters
    ----------
    data_dir
        The folder; ``None`` for the bundled data.

    Returns
    -------
    dict
        ``path``, ``data_version``, ``files`` (name, bytes), ``countries``, ``panel_rows``,
        ``indicators`` (per snapshot indicator: ``countries`` non-missing, ``years``
        [first, last] of the values used, ``provenance`` lines) and ``panel`` (per panel
        column: ``values``, ``entities``, ``years``). JSON-serialisable.

    Raises
    ------
    UserError
        If the folder is missing a file or a file is invalid.
    """
    folder = DATA_DIR if data_dir is None else Path(data_dir)
    snapshot, panel = load_snapshot(data_dir), load_panel(data_dir)
    sources = provenance(data_dir)
    indicators = {}
    for indicator in INDICATORS:
        present = snapshot[indicator].notna()
        years = snapshot.loc[present, year_column(indicator)]
        indicators[indicator] = {
            "countries": int(present.sum()),
            "years": _span(years),
            "provenance": sources.get(indicator, []),
        }
    panel_columns = {}
    for column in PANEL_VALUES:
        present = panel[column].notna()
        panel_columns[column] = {
            "values": int(present.sum()),
            "entities": int(panel.loc[present, "iso3"].nunique()),
            "years": _span(panel.loc[present, "year"]),
        }
    return {
        "path": str(folder),
        "data_version": data_version(data_dir),
        "files": [
            {"name": str(path.relative_to(folder)), "bytes": path.stat().st_size}
            for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        ],
        "countries": len(snapshot),
        "panel_rows": len(panel),
        "indicators": indicators,
        "panel": panel_columns,
    }


def diff_data_dirs(a: PathLike | None, b: PathLike | None) -> dict[str, Any]:
    """Summarise how data directory ``b`` differs from ``a``.

    Parameters
    ----------
    a, b
        The folders; ``None`` for the bundled data.

    Returns
    -------
    dict
        ``a`` and ``b`` (path, data_version); ``countries_only_in_a``/``_b``;
        ``indicators``: per snapshot indicator with a difference, ``countries_changed``
        (value differs, or present in one only), ``became_missing``, ``became_present``,
        ``years_changed`` and ``largest_changes`` (up to 5 of iso3, a, b, change, by
        absolute change); ``panel``: per panel column with a difference, ``values_changed``,
        ``values_added``, ``values_removed``. JSON-serialisable.
    """
    snap_a = load_snapshot(a).set_index("iso3")
    snap_b = load_snapshot(b).set_index("iso3")
    common = snap_a.index.intersection(snap_b.index)
    indicators = {}
    for indicator in INDICATORS:
        old, new = snap_a.loc[common, indicator], snap_b.loc[common, indicator]
        years = year_column(indicator)
        changed = _differs(old, new)
        if not changed.any() and not _differs(snap_a.loc[common, years], snap_b.loc[common, years]).any():
            continue
        change = (new - old).dropna()
        largest = change.abs().sort_values(ascending=False, kind="stable").index[:LARGEST]
        indicators[indicator] = {
            "countries_changed": int(changed.sum()),
            "became_missing": sorted(common[(old.notna() & new.isna()).to_numpy()]),
            "became_present": sorted(common[(old.isna() & new.notna()).to_numpy()]),
            "years_changed": int(_differs(snap_a.loc[common, years], snap_b.loc[common, years]).sum()),
            "largest_changes": [
                {"iso3": code, "a": float(old[code]), "b": float(new[code]), "change": float(change[code])}
                for code in largest
                if change[code] != 0
            ],
        }
    panel_a = load_panel(a).set_index(["iso3", "year"])
    panel_b = load_panel(b).set_index(["iso3", "year"])
    keys = panel_a.index.union(panel_b.index)
    panel = {}
    for column in PANEL_VALUES:
        old, new = panel_a[column].reindex(keys), panel_b[column].reindex(keys)
        counts = {
            "values_changed": int((old.notna() & new.notna() & (old != new)).sum()),
            "values_added": int((old.isna() & new.notna()).sum()),
            "values_removed": int((old.notna() & new.isna()).sum()),
        }
        if any(counts.values()):
            panel[column] = counts
    return {
        "a": {"path": str(DATA_DIR if a is None else a), "data_version": data_version(a)},
        "b": {"path": str(DATA_DIR if b is None else b), "data_version": data_version(b)},
        "countries_only_in_a": sorted(snap_a.index.difference(snap_b.index)),
        "countries_only_in_b": sorted(snap_b.index.difference(snap_a.index)),
        "indicators": indicators,
        "panel": panel,
    }


def _differs(old: pd.Series, new: pd.Series) -> pd.Series:
    """True where two aligned columns differ, two missing values counting as equal."""
    return ~((old == new) | (old.isna() & new.isna()))


def _span(years: pd.Series) -> list[int] | None:
    """[first, last] of a column of years, or None if it is empty."""
    years = years.dropna()
    return None if years.empty else [int(np.min(years)), int(np.max(years))]
