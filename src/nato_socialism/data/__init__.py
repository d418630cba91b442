"""Data layer: validated country data, the initial :class:`World` and the bloc memberships.

Files live in ``data/files`` (provenance in ``SOURCES.md`` there); every loader also accepts
a ``data_dir`` holding files of the same names.
"""

from nato_socialism.data.blocs import (
    BLOC_IDS,
    PRECEDENCE,
    BlocChange,
    Blocs,
    build_blocs,
)
from nato_socialism.data.loader import (
    data_version,
    load_centroids,
    load_neighbours,
    load_panel,
    load_snapshot,
)
from nato_socialism.data.world import ROW_LABELS, SNAPSHOT_YEAR, SOURCE_COLUMNS, World, build_world

__all__ = [
    "BLOC_IDS",
    "PRECEDENCE",
    "ROW_LABELS",
    "SNAPSHOT_YEAR",
    "SOURCE_COLUMNS",
    "BlocChange",
    "Blocs",
    "World",
    "build_blocs",
    "build_world",
    "data_version",
    "load_centroids",
    "load_neighbours",
    "load_panel",
    "load_snapshot",
]
