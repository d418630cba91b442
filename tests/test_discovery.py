"""Scenario discovery: PRIM finds a planted box; boxes on a stored run; bad names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nato_socialism.errors import UserError
from nato_socialism.experiments.discovery import _box, discover, feature_scores
from nato_socialism.experiments.ensemble import prepare
from nato_socialism.experiments.executors import start_run
from nato_socialism.experiments.store import ResultStore
from nato_socialism.scenario import load_scenario


def test_prim_recovers_a_planted_box():
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.uniform(size=(400, 3)), columns=["a", "b", "c"])
    y = ((x["a"] > 0.6) & (x["c"] < 0.5)).to_numpy()
    box = _box(x, y, threshold=0.8, peel_alpha=0.05, mass_min=0.05)
    limits = {r["parameter"]: (r["low"], r["high"]) for r in box["restrictions"]}
    assert set(limits) == {"a", "c"}
    assert abs(limits["a"][0] - 0.6) < 0.15 and abs(limits["c"][1] - 0.5) < 0.15
    assert box["density"] >= 0.8 and box["coverage"] > 0.5
    scores = feature_scores(x, y)
    assert set(scores["parameter"].head(2)) == {"a", "c"}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    sc = load_scenario("default").with_overrides(members=16, horizon=15, doctrines=["nato_first", "open_solidarity"])
    store = ResultStore.create(tmp_path_factory.mktemp("disc") / "results")
    with store.writer():
        run_id = start_run(prepare(sc), store, chunk_size=8)
    return store, run_id


def test_discover_on_a_stored_run(stored):
    store, run_id = stored
    out = discover(store, run_id, "first_world_living_growth", "nato_first", "open_solidarity")
    assert out["n"] == 16 and 0 < out["wins"] < 1
    box = out["win_box"]
    assert 0 <= box["coverage"] <= 1 and 0 <= box["density"] <= 1
    for r in box["restrictions"]:
        assert r["range_low"] <= r["low"] <= r["high"] <= r["range_high"]
    assert len(out["feature_scores"]) == out["parameters"] > 100


def test_bad_names(stored):
    store, run_id = stored
    with pytest.raises(UserError, match="no doctrine 'south_first'"):
        discover(store, run_id, "poverty_years_830", "south_first", "open_solidarity")
    with pytest.raises(UserError, match="no better direction"):
        discover(store, run_id, "transitions", "nato_first", "open_solidarity")
    with pytest.raises(UserError, match="unknown outcome"):
        discover(store, run_id, "povrety", "nato_first", "open_solidarity")
