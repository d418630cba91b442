"""Scenario discovery: PRIM and CART find planted boxes, report no box on noise; runs and tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cli_helpers import cli
from nato_socialism.errors import UserError
from nato_socialism.experiments.discovery import (
    ALPHA,
    MARGIN,
    DiscoveryConfig,
    cart_boxes,
    discover,
    feature_scores,
    prim_boxes,
)
from nato_socialism.experiments.ensemble import prepare
from nato_socialism.experiments.executors import start_run
from nato_socialism.experiments.store import ResultStore
from nato_socialism.scenario import load_scenario


def _planted(n=300, d=5, flip=0.03, seed=0):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, d)), columns=[f"p{i}" for i in range(d)]).rename(
        columns={"p0": "a", "p2": "c"}
    )
    y = ((x["a"] > 0.6) & (x["c"] < 0.5)).to_numpy() ^ (rng.uniform(size=n) < flip)
    return x, y


def _noise(n=400, d=8, rate=0.75, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(size=(n, d)), columns=[f"p{i}" for i in range(d)]), rng.uniform(size=n) < rate


def test_prim_recovers_a_planted_box_and_calls_it_better_than_chance():
    x, y = _planted()
    boxes, trajectory = prim_boxes(x, y, DiscoveryConfig(threshold=0.9, resamples=4))
    first = boxes[0]
    assert first["better_than_chance"] and first["reasons"] == []
    limits = {r["parameter"]: r for r in first["restrictions"]}
    assert {"a", "c"} <= set(limits)
    assert abs(limits["a"]["low"] - 0.6) < 0.1 and abs(limits["c"]["high"] - 0.5) < 0.1
    assert first["density"] >= 0.8 and first["coverage"] > 0.7
    assert first["base_rate"] == pytest.approx(y.mean()) and first["lift"] > 0.5
    assert first["permutation_p"] == pytest.approx(1 / 20)  # beats all 19 permutations
    assert limits["a"]["qp_low"] < ALPHA and limits["c"]["qp_high"] < ALPHA
    assert limits["a"]["reproduce_coverage"] >= 0.75 and limits["c"]["reproduce_density"] >= 0.75
    # the peeling trajectory: coverage falls as density rises; the selected step is marked
    one = trajectory[trajectory["box"] == 1]
    assert one["selected"].sum() == 1 and one.loc[one["selected"], "step"].item() == first["step"]
    assert one["coverage"].iloc[0] == 1 and one["density"].iloc[0] == pytest.approx(y.mean())
    # later boxes are sought outside the first and stop at the first chance box
    assert all(b["better_than_chance"] for b in boxes[:-1]) or len(boxes) == 1
    scores = feature_scores(x, y)
    assert set(scores["parameter"].head(2)) == {"a", "c"}


def test_prim_on_noise_finds_no_box_better_than_chance():
    """Like the 400-member run whose 'box' had density 81 % against a base rate of 75 %."""
    x, y = _noise()
    boxes, _ = prim_boxes(x, y, DiscoveryConfig(threshold=0.8, resamples=4))
    assert boxes and not any(b["better_than_chance"] for b in boxes)
    assert len(boxes) == 1  # the search stops at the first chance box
    assert boxes[0]["density"] < boxes[0]["base_rate"] + MARGIN or boxes[0]["permutation_p"] > ALPHA


def test_cart_known_answer_and_noise():
    x, y = _planted(n=400)
    boxes = cart_boxes(x, y, DiscoveryConfig(threshold=0.8))
    best = boxes[0]
    assert best["better_than_chance"] and best["density"] >= 0.9
    limits = {r["parameter"]: r for r in best["restrictions"]}
    assert abs(limits["a"]["low"] - 0.6) < 0.1 and abs(limits["c"]["high"] - 0.5) < 0.1
    assert best["permutation_p"] == pytest.approx(1 / 20)
    x, y = _noise()
    boxes = cart_boxes(x, y, DiscoveryConfig(threshold=0.8))
    assert not any(b["better_than_chance"] for b in boxes)
    # the leaves look convincing in-sample (quasi-p < 0.05); only the permutation test exposes them
    assert any(b["min_quasi_p"] is not None and b["min_quasi_p"] < ALPHA for b in boxes)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    sc = load_scenario("default").with_overrides(members=16, horizon=15, doctrines=["nato_first", "open_solidarity"])
    store = ResultStore.create(tmp_path_factory.mktemp("disc") / "results")
    with store.writer():
        run_id = start_run(prepare(sc), store, chunk_size=8)
    return store, run_id


@pytest.mark.parametrize("method", ["prim", "cart"])
def test_discover_on_a_stored_run_writes_its_tables(stored, method):
    store, run_id = stored
    out = discover(store, run_id, "first_world_living_growth", "nato_first", "open_solidarity", method=method,
                   config=DiscoveryConfig(permutations=3, resamples=2))
    assert out["n"] == 16 and 0 < out["wins"] < 1
    win = out["cases"]["win"]
    assert win["base_rate"] == pytest.approx(out["wins"]) and win["boxes"]
    for b in win["boxes"]:
        for r in b["restrictions"]:
            assert r["range_low"] <= r["low"] <= r["high"] <= r["range_high"]
    assert len(out["feature_scores"]) == out["parameters"] > 100
    prefix = f"discovery-{method}-nato_first-vs-open_solidarity-first_world_living_growth"
    names = ["boxes", "limits", "features"] + (["trajectory"] if method == "prim" else [])
    assert out["tables"] == [f"analysis/{prefix}-{n}.parquet" for n in names]
    boxes = store.read_table(run_id, f"{prefix}-boxes")
    assert {"case", "box", "coverage", "density", "base_rate", "permutation_p", "min_quasi_p",
            "better_than_chance", "reasons"} <= set(boxes.columns)
    assert len(boxes) == sum(len(c["boxes"]) for c in out["cases"].values())
    assert set(boxes["case"]) <= {"win", "lose"}
    if method == "prim":
        traj = store.read_table(run_id, f"{prefix}-trajectory")
        assert traj.groupby(["case", "box"])["selected"].sum().eq(1).all()


def test_cli_says_when_no_box_beats_chance(stored):
    store, run_id = stored
    code, out, err = cli("discover", run_id, "--outcome", "first_world_living_growth", "--permutations", "3",
                         "--resamples", "0", "--results", str(store.root))
    assert code == 0, err
    assert "base rate" in out and ("better than chance" in out)
    code, out, err = cli("discover", run_id, "--outcome", "first_world_living_growth", "--method", "cart",
                         "--permutations", "3", "--results", str(store.root), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["method"] == "cart" and doc["criterion"]["alpha"] == ALPHA
    assert doc["cases"]["win"]["message"].endswith("better than chance")


def test_bad_names(stored):
    store, run_id = stored
    with pytest.raises(UserError, match="no doctrine 'south_first'"):
        discover(store, run_id, "poverty_years_830", "south_first", "open_solidarity")
    with pytest.raises(UserError, match="no better direction"):
        discover(store, run_id, "transitions", "nato_first", "open_solidarity")
    with pytest.raises(UserError, match="unknown outcome"):
        discover(store, run_id, "povrety", "nato_first", "open_solidarity")
    with pytest.raises(UserError, match="expected prim or cart"):
        discover(store, run_id, "poverty_years_830", "nato_first", "open_solidarity", method="crat")
    with pytest.raises(UserError, match="threshold must be in"):
        discover(store, run_id, "poverty_years_830", "nato_first", "open_solidarity",
                 config=DiscoveryConfig(threshold=1.5))
