"""Imputation of the World's gaps: counts, rules and flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nato_socialism.data import build_world, load_snapshot
from nato_socialism.data.loader import DATA_DIR, SNAPSHOT_FILE

# Written out here rather than imported, so the test checks the mapping too.
RAW_COLUMNS = {
    "gdppc": "gdppc_ppp_2021intl",
    "democracy": "vdem_electoral_democracy",
    "regime_row": "vdem_regime_row",
    "unemployment": "unemployment_pct",
    "gini": "gini",
    "poverty": "extreme_poverty_pct",
    "migrant_share": "migrant_stock_pct",
    "refugees_origin": "refugees_by_origin",
    "refugees_asylum": "refugees_by_asylum",
}
EXPECTED_MISSING = {
    "gdppc": 10,
    "democracy": 22,
    "regime_row": 22,
    "unemployment": 18,
    "gini": 39,
    "poverty": 39,
    "migrant_share": 3,
    "refugees_origin": 7,
    "refugees_asylum": 26,
}


@pytest.fixture(scope="module")
def world():
    return build_world()


@pytest.fixture(scope="module")
def raw():
    # Read independently of the loader: empty fields are the only gaps.
    frame = pd.read_csv(DATA_DIR / SNAPSHOT_FILE, keep_default_na=False, na_values=[""])
    return frame.sort_values("iso3").set_index("iso3")


def test_flag_count_equals_missing_source_cells(world, raw):
    missing = {var: int(raw[column].isna().sum()) for var, column in RAW_COLUMNS.items()}
    assert missing == EXPECTED_MISSING
    assert world.imputed.sum().to_dict() == missing
    assert int(world.imputed.to_numpy().sum()) == sum(missing.values()) == 186


def test_flags_sit_exactly_on_the_missing_cells(world, raw):
    assert list(world.imputed.index) == list(raw.index)
    assert list(world.imputed.columns) == list(RAW_COLUMNS)
    for var, column in RAW_COLUMNS.items():
        assert (world.imputed[var] == raw[column].isna()).all(), var


def test_observed_values_are_kept_in_model_units(world, raw):
    frame = world.to_frame()
    for var, column in RAW_COLUMNS.items():
        observed = raw[column].notna()
        factor = 0.01 if column.endswith("_pct") or column == "gini" else 1.0
        np.testing.assert_allclose(frame.loc[observed, var], raw.loc[observed, column] * factor)


def test_no_missing_values_anywhere(world):
    for name, value in vars(world).items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert not np.isnan(value).any(), name
    assert world.to_frame().notna().all().all()
    assert len(world.iso3) == len(world.name) == 197


def test_shares_are_in_unit_interval(world):
    for var in ("democracy", "unemployment", "gini", "poverty", "migrant_share"):
        values = getattr(world, var)
        assert ((values >= 0) & (values <= 1)).all(), var


def test_gdppc_from_maddison_with_median_ratio(world, raw):
    both = raw["gdppc_ppp_2021intl"].notna() & raw["gdppc_maddison_2011intl"].notna()
    ratio = (raw["gdppc_ppp_2021intl"] / raw["gdppc_maddison_2011intl"])[both].median()
    assert both.sum() == 158
    assert world.maddison_to_ppp2021 == pytest.approx(ratio)
    assert 1.38 < world.maddison_to_ppp2021 < 1.40
    for code in ("CUB", "PRK", "TWN", "VEN", "YEM"):
        expected = raw.loc[code, "gdppc_maddison_2011intl"] * ratio
        assert world.gdppc[world.index(code)] == pytest.approx(expected), code


def test_gdppc_without_any_source_takes_the_subregional_median(world, raw):
    ssa = raw.loc[raw["subregion_un"] == "Sub-Saharan Africa", "gdppc_ppp_2021intl"].median()
    assert world.gdppc[world.index("ERI")] == pytest.approx(ssa)
    assert world.gdppc[world.index("SSD")] == pytest.approx(ssa)
    west = raw.loc[raw["subregion_un"] == "Western Europe", "gdppc_ppp_2021intl"].median()
    assert world.gdppc[world.index("LIE")] == pytest.approx(west)


def test_democracy_falls_back_from_subregion_to_region(world, raw):
    # The Caribbean has observed neighbours in its sub-region ...
    latam = raw["subregion_un"] == "Latin America and the Caribbean"
    assert world.democracy[world.index("ATG")] == pytest.approx(
        raw.loc[latam, "vdem_electoral_democracy"].median()
    )
    # ... Micronesia has none at all, so it takes the Oceania median.
    assert raw.loc[raw["subregion_un"] == "Micronesia", "vdem_electoral_democracy"].isna().all()
    oceania = raw.loc[raw["region_un"] == "Oceania", "vdem_electoral_democracy"].median()
    assert world.democracy[world.index("FSM")] == pytest.approx(oceania)


def test_regime_row_is_floor_of_median(world, raw):
    for code in world.imputed.index[world.imputed["regime_row"]]:
        subregion = raw.loc[code, "subregion_un"]
        observed = raw.loc[raw["subregion_un"] == subregion, "vdem_regime_row"].dropna()
        if observed.empty:
            observed = raw.loc[raw["region_un"] == raw.loc[code, "region_un"], "vdem_regime_row"]
        assert world.regime_row[world.index(code)] == np.floor(observed.median()), code


def test_missing_refugee_counts_are_zero(world, raw):
    for var, column in (("refugees_origin", "refugees_by_origin"),
                        ("refugees_asylum", "refugees_by_asylum")):  # fmt: skip
        gaps = raw[column].isna().to_numpy()
        assert (getattr(world, var)[gaps] == 0).all()
    assert world.refugees_origin[world.index("TWN")] == 0


def test_every_variable_has_a_rule_sentence(world):
    assert set(world.imputation_rules) == set(world.imputed.columns)
    assert "1.387" in world.imputation_rules["gdppc"]
    assert world.imputation_rules["refugees_origin"].endswith("in 2023.")


def test_imputation_is_deterministic(world):
    again = build_world()
    pd.testing.assert_frame_equal(world.to_frame(), again.to_frame())
    assert load_snapshot()["gdppc_ppp_2021intl"].isna().sum() == 10  # source untouched
