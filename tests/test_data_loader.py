"""Loading and validating the bundled data files, and the World's structure."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from nato_socialism.data import (
    build_world,
    data_version,
    load_centroids,
    load_neighbours,
    load_panel,
    load_snapshot,
)
from nato_socialism.data.loader import DATA_DIR, NEIGHBOURS_FILE, PANEL_FILE, SNAPSHOT_FILE
from nato_socialism.errors import UserError


def _copy_data(tmp_path):
    for path in DATA_DIR.iterdir():
        if path.suffix in {".csv", ".toml"}:
            shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _raw(name):
    """The file as text columns, so that corruptions are written back verbatim."""
    return pd.read_csv(DATA_DIR / name, dtype=str, keep_default_na=False)


def test_snapshot_loads_197_unique_countries():
    snapshot = load_snapshot()
    assert len(snapshot) == 197
    assert snapshot["iso3"].is_unique
    assert snapshot["vdem_electoral_democracy"].isna().sum() == 22
    assert snapshot["gdppc_ppp_2021intl"].isna().sum() == 10
    assert snapshot["population"].dtype == np.float64


def test_panel_loads_unique_country_years():
    panel = load_panel()
    assert len(panel) == 15_297
    assert not panel.duplicated(["iso3", "year"]).any()
    assert panel["year"].between(1950, 2025).all()
    assert set(panel.loc[panel["historical_entity"], "iso3"]) == {
        "OWID_CZS", "OWID_GDR", "OWID_GFR", "OWID_RVN", "OWID_SRM",
        "OWID_USS", "OWID_YAR", "OWID_YGS", "OWID_YPR",
    }  # fmt: skip


def test_loaders_return_copies():
    first = load_snapshot()
    first.loc[0, "population"] = -1.0
    assert load_snapshot().loc[0, "population"] > 0


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(UserError, match=f"not found: {tmp_path / SNAPSHOT_FILE}"):
        load_snapshot(tmp_path)


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [
        (
            lambda f: f.assign(
                vdem_electoral_democracy=f["vdem_electoral_democracy"].mask(
                    f["iso3"] == "FRA", "1.7"
                )
            ),
            ["vdem_electoral_democracy", "1.7", "iso3 FRA", "from 0 to 1"],
        ),
        (
            lambda f: f.assign(iso3=f["iso3"].mask(f["iso3"] == "DEU", "FRA")),
            ["'iso3'", "unique", "'FRA'"],
        ),
        (
            lambda f: f.assign(gini=f["gini"].mask(f["iso3"] == "BRA", "high")),
            ["'gini'", "'high'", "iso3 BRA", "a number"],
        ),
        (lambda f: f.drop(columns=["population"]), ["'population' is missing"]),
        (
            lambda f: f.assign(vdem_regime_row=f["vdem_regime_row"].mask(f["iso3"] == "USA", "4")),
            ["vdem_regime_row", "4.0", "iso3 USA", "whole number from 0 to 3"],
        ),
        (
            lambda f: f.assign(iso3=f["iso3"].mask(f["iso3"] == "USA", "usa")),
            ["'iso3'", "'usa'", "ISO3 code"],
        ),
    ],
    ids=["out-of-range", "duplicate-iso3", "text-in-number", "missing-column", "bad-row", "iso3"],
)
def test_corrupted_snapshot_is_rejected(tmp_path, corrupt, expected):
    data_dir = _copy_data(tmp_path)
    corrupt(_raw(SNAPSHOT_FILE)).to_csv(data_dir / SNAPSHOT_FILE, index=False)
    with pytest.raises(UserError) as error:
        load_snapshot(data_dir)
    message = str(error.value)
    assert str(data_dir / SNAPSHOT_FILE) in message
    for fragment in expected:
        assert fragment in message
    assert len(message) < 2000  # a summary, not pandera's report


def test_corrupted_panel_names_the_repeated_country_year(tmp_path):
    data_dir = _copy_data(tmp_path)
    panel = _raw(PANEL_FILE)
    repeated = panel[(panel["iso3"] == "NAM") & (panel["year"] == "2000")]
    pd.concat([panel, repeated]).to_csv(data_dir / PANEL_FILE, index=False)
    with pytest.raises(UserError, match=r"\(iso3, year\)") as error:
        load_panel(data_dir)
    assert "iso3 NAM, year 2000" in str(error.value)


def test_edited_file_is_validated_again(tmp_path):
    data_dir = _copy_data(tmp_path)
    assert len(load_snapshot(data_dir)) == 197
    _raw(SNAPSHOT_FILE).iloc[:10].to_csv(data_dir / SNAPSHOT_FILE, index=False)
    assert len(load_snapshot(data_dir)) == 10


def test_data_version_is_short_stable_and_tracks_content(tmp_path):
    version = data_version()
    assert len(version) == 12 and int(version, 16) >= 0
    data_dir = _copy_data(tmp_path)
    assert data_version(data_dir) == version
    (data_dir / "blocs.toml").write_text((DATA_DIR / "blocs.toml").read_text() + "\n# edit\n")
    assert data_version(data_dir) != version


def test_world_is_snapshot_year_only():
    assert build_world().year == build_world(2023).year == 2023
    with pytest.raises(UserError, match="only the snapshot year 2023"):
        build_world(1990)


def test_world_arrays_are_complete_and_read_only():
    world = build_world()
    frame = world.to_frame()
    assert frame.shape == (197, 13)
    assert list(frame.index) == sorted(frame.index)
    assert frame.notna().all().all()
    for column in frame.columns.drop(["name", "region_un", "subregion_un"]):
        values = getattr(world, column)
        assert values.shape == (197,)
        assert np.isfinite(values).all(), column
    assert world.regime_row.dtype == np.int8
    assert set(np.unique(world.regime_row)) == {0, 1, 2, 3}
    with pytest.raises(ValueError, match="read-only"):
        world.gdppc[0] = 1.0


def test_world_index_and_unknown_code():
    world = build_world()
    assert world.iso3[world.index("NAM")] == "NAM"
    assert world.name[world.index("NAM")] == "Namibia"
    with pytest.raises(UserError, match="Did you mean 'FRA'"):
        world.index("FRX")


@pytest.mark.skipif(
    not (DATA_DIR / NEIGHBOURS_FILE).is_file(),
    reason=f"{NEIGHBOURS_FILE} is not in the data folder yet (written by the geography step)",
)
def test_neighbours_symmetric_and_everyone_linked():
    world = build_world()
    assert world.neighbours.shape == (197, 197)
    assert (world.neighbours == world.neighbours.T).all()
    assert not world.neighbours.diagonal().any()
    assert world.neighbours.sum(axis=1).min() >= 1
    assert world.neighbours[world.index("FRA"), world.index("DEU")]
    assert not world.neighbours[world.index("FRA"), world.index("JPN")]
    # every link of the file is in the matrix
    links = load_neighbours()
    rows = [world.index(code) for code in links["iso3"]]
    cols = [world.index(code) for code in links["neighbour"]]
    assert world.neighbours[rows, cols].all()


@pytest.mark.skipif(
    not (DATA_DIR / NEIGHBOURS_FILE).is_file(),
    reason=f"{NEIGHBOURS_FILE} is not in the data folder yet (written by the geography step)",
)
def test_distances_are_haversine_between_centroids():
    world = build_world()
    assert len(load_centroids()) == 197
    assert (world.distance_km.diagonal() == 0).all()
    np.testing.assert_allclose(world.distance_km, world.distance_km.T)
    # Paris-Berlin is ~880 km between capitals; centroids of France and Germany ~750 km.
    assert 500 < world.distance_km[world.index("FRA"), world.index("DEU")] < 1100
    assert world.distance_km.max() < np.pi * 6371.0088 + 1e-6
