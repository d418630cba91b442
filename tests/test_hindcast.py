"""Hindcasts: the panel world of a past year, errors against the panel and the naive baselines."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nato_socialism.data import build_world
from nato_socialism.data.panel import panel_series
from nato_socialism.data.panel_world import build_panel_world
from nato_socialism.errors import UserError
from nato_socialism.validation.hindcast import VARIABLES, default_fit_window, hindcast

START, END, MEMBERS = 1990, 2000, 4


@pytest.fixture(scope="module")
def result():
    return hindcast(START, END, members=MEMBERS)


def test_panel_world_has_the_snapshot_countries():
    w, snap = build_panel_world(1990), build_world()
    assert w.year == 1990 and w.iso3 == snap.iso3 and len(w.iso3) == 197
    for var in ("population", "gdppc", "democracy"):
        assert np.isfinite(getattr(w, var)).all(), var
    assert (w.gdppc > 0).all() and set(np.unique(w.regime_row)) <= {0, 1, 2, 3}
    usa = w.index("USA")
    panel = panel_series().set_index(["iso3", "year"])
    assert w.gdppc[usa] == pytest.approx(panel.loc[("USA", 1990), "gdppc"])
    assert w.population[usa] == pytest.approx(panel.loc[("USA", 1990), "population"])
    # imputed cells are flagged; variables without a panel series are the snapshot's
    assert w.imputed.loc["SSD", "gdppc"] and not w.imputed.loc["USA", "gdppc"]
    assert w.imputed["gini"].all() and np.array_equal(w.gini, snap.gini)
    assert "snapshot" in w.imputation_rules["unemployment"]


def test_maddison_is_spliced_without_a_jump():
    s = panel_series()
    chn = s[s["iso3"] == "CHN"].set_index("year")
    first_wb = chn["gdppc_source"].eq("wb").idxmax()
    assert chn.loc[first_wb - 1, "gdppc_source"] == "maddison_spliced"
    # the year before the World Bank series starts grows at Maddison's rate into it, no level break
    assert abs(np.log(chn.loc[first_wb, "gdppc"] / chn.loc[first_wb - 1, "gdppc"])) < 0.15


def test_panel_world_rejects_years_outside_the_panel():
    with pytest.raises(UserError, match="1950-2023"):
        build_panel_world(1949)


def test_parameters_are_fitted_before_the_start(result):
    assert result.calibration.fit == default_fit_window(START) == (1960, 1989)
    assert result.calibration.fit[1] < START
    assert any("1960-1989" in note and "before" in note for note in result.notes())
    with pytest.raises(UserError, match="must end before"):
        hindcast(START, END, members=1, fit_window=(1970, 1995))


def test_errors_per_country_and_region(result):
    pc = result.per_country
    assert set(pc["variable"]) == set(VARIABLES)
    assert len(pc) == 197 * len(VARIABLES)
    scored = pc[pc["years"] > 0]
    for col in ("error_model", "error_persistence", "error_constant_growth"):
        assert (scored[col] >= 0).all()
    world = result.summary.set_index("variable")
    assert set(world.index) == set(VARIABLES)
    assert set(result.per_region["region"]) >= {"World", "Africa", "Europe"}
    for b in ("persistence", "constant_growth"):
        assert np.allclose(world[f"skill_vs_{b}"], 1 - world["error_model"] / world[f"error_{b}"])


def test_model_beats_persistence_on_population(result):
    world = result.summary.set_index("variable")
    assert world.loc["log_population", "skill_vs_persistence"] > 0


@pytest.mark.xfail(strict=True, reason=(
    "Reported to the lead: over 1990-2000 the model's log GDP per head error (~0.22) is worse than "
    "persistence (~0.20). Africa drives it: the calibrated frontier growth (~2 %/yr, 1960-1989, which "
    "already contains aid's average effect) plus M8's aid growth effect on top predict ~3 %/yr where "
    "Africa stagnated. Over 1990-2019 the model does beat persistence (skill ~ +0.1)."))
def test_model_beats_persistence_on_log_gdp_per_head(result):
    world = result.summary.set_index("variable")
    assert world.loc["log_gdppc", "skill_vs_persistence"] > 0


def test_outputs_are_stored(result, tmp_path):
    folder = result.write(tmp_path / "hc")
    for name in ("per_country", "per_region"):
        csv = pd.read_csv(folder / f"{name}.csv")
        parquet = pd.read_parquet(folder / f"{name}.parquet")
        assert len(csv) == len(parquet) > 0
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["fit"] == [1960, 1989] and summary["start"] == START
    assert "frontier_growth" in summary["calibrated"]


def test_bad_windows():
    with pytest.raises(UserError):
        hindcast(2000, 1990, members=1)
    with pytest.raises(UserError):
        hindcast(1990, 2030, members=1)
