"""Read the bundled data files, validated, from ``data/files`` or a user-given folder.

Every loader takes ``data_dir``: ``None`` means the files shipped inside the package, a
path means a folder holding files of the same names (e.g. a refreshed download). Frames
are validated once per file version and cached; callers always get a copy.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from nato_socialism.data.schemas import (
    CENTROIDS_SCHEMA,
    NEIGHBOURS_SCHEMA,
    PANEL_SCHEMA,
    PARTY_ELECTIONS_SCHEMA,
    SNAPSHOT_SCHEMA,
    read_validated,
)
from nato_socialism.errors import UserError

DATA_DIR = Path(__file__).parent / "files"
SNAPSHOT_FILE = "countries_snapshot.csv"
PANEL_FILE = "country_year_panel.csv"
NEIGHBOURS_FILE = "geography_neighbours.csv"
CENTROIDS_FILE = "geography_centroids.csv"
BLOCS_FILE = "blocs.toml"
PARTY_FILE = "party_elections.csv"

_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    SNAPSHOT_FILE: SNAPSHOT_SCHEMA,
    PANEL_FILE: PANEL_SCHEMA,
    NEIGHBOURS_FILE: NEIGHBOURS_SCHEMA,
    CENTROIDS_FILE: CENTROIDS_SCHEMA,
    PARTY_FILE: PARTY_ELECTIONS_SCHEMA,
}

PathLike = str | Path


def data_file(name: str, data_dir: PathLike | None = None) -> Path:
    """Return the path of data file ``name``, raising UserError if it does not exist.

    Parameters
    ----------
    name
        File name inside the data folder, e.g. ``"countries_snapshot.csv"``.
    data_dir
        Folder to look in; ``None`` for the bundled files.
    """
    path = (DATA_DIR if data_dir is None else Path(data_dir)) / name
    if not path.is_file():
        raise UserError(f"Data file not found: {path}.")
    return path


def load_snapshot(data_dir: PathLike | None = None) -> pd.DataFrame:
    """Return the validated 2023 cross-section, one row per country (197 when bundled)."""
    return _load_csv(SNAPSHOT_FILE, data_dir)


def load_panel(data_dir: PathLike | None = None) -> pd.DataFrame:
    """Return the validated 1950-2025 country-year panel, unique on (iso3, year)."""
    return _load_csv(PANEL_FILE, data_dir)


def load_neighbours(data_dir: PathLike | None = None) -> pd.DataFrame:
    """Return the neighbour links (iso3, neighbour, kind, distance_km) from Natural Earth."""
    return _load_csv(NEIGHBOURS_FILE, data_dir)


def load_centroids(data_dir: PathLike | None = None) -> pd.DataFrame:
    """Return the country centroids (iso3, lat, lon, centroid_source) in degrees."""
    return _load_csv(CENTROIDS_FILE, data_dir)


def load_party_elections(data_dir: PathLike | None = None) -> pd.DataFrame:
    """Return the validated election table: class vote shares per election (ParlGov, V-Party)."""
    return _load_csv(PARTY_FILE, data_dir)


def read_toml(name: str, data_dir: PathLike | None = None) -> dict[str, Any]:
    """Parse TOML data file ``name``; a syntax error becomes a UserError with its position."""
    path = data_file(name, data_dir)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} is not valid TOML: {exc}.") from None


def data_version(data_dir: PathLike | None = None) -> str:
    """Return a short sha256 of the data files (CSV and TOML), for the provenance of runs.

    File names are hashed with the bytes, so renaming a file changes the version too.
    """
    folder = DATA_DIR if data_dir is None else Path(data_dir)
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.suffix in {".csv", ".toml"}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _load_csv(name: str, data_dir: PathLike | None) -> pd.DataFrame:
    path = data_file(name, data_dir).resolve()
    stat = path.stat()
    # The key holds mtime and size so that an edited file is read and validated again.
    return _read_cached(path, name, stat.st_mtime_ns, stat.st_size).copy()


@functools.lru_cache(maxsize=16)
def _read_cached(path: Path, name: str, mtime_ns: int, size: int) -> pd.DataFrame:
    return read_validated(path, _SCHEMAS[name])
