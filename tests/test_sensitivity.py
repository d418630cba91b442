"""SALib problems from the registry; Morris and Sobol runs stored as runs."""

from __future__ import annotations

import numpy as np
import pytest

from nato_socialism.errors import UserError
from nato_socialism.experiments.sensitivity import design, problem, run_sensitivity
from nato_socialism.experiments.store import ResultStore
from nato_socialism.model.parameters import registry
from nato_socialism.scenario import load_scenario


def test_problem_comes_from_the_registry_and_the_scenario():
    prob = problem(load_scenario("default"))
    assert prob["names"] == [k for k, p in registry().items() if p.low < p.high]
    essay = load_scenario("essay_premises")
    prob = problem(essay)
    i = prob["names"].index("erosion_strength")
    assert prob["bounds"][i] == list(essay.sampled_parameters()["erosion_strength"])


def test_designs_share_member_keys_within_a_trajectory():
    prob = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    x, base = design(prob, "morris", 4, seed=1)
    assert x.shape == (16, 3) and list(base) == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4
    x, base = design(prob, "sobol", 4, seed=1)
    assert x.shape == (20, 3) and base[-1] == 3
    with pytest.raises(UserError, match="power of 2"):
        design(prob, "sobol", 3, seed=1)


def test_morris_run_is_stored_and_ranked(tmp_path):
    sc = load_scenario("default").with_overrides(horizon=5)
    store = ResultStore.create(tmp_path / "results")
    with store.writer():
        indices, summary = run_sensitivity(
            sc, "poverty_years_830", method="morris", samples=2, store=store, chunk_size=120
        )
    d = len(problem(sc)["names"])
    assert summary["members"] == 2 * (d + 1) and len(indices) == d
    assert (np.diff(indices["mu_star"].to_numpy()) <= 0).all()
    assert (indices["mu_star"] >= 0).all() and indices["mu_star"].iloc[0] > 0
    meta = store.meta(summary["run_id"])
    assert meta["kind"] == "sensitivity" and meta["doctrines"] == ["nato_first"]
    stored = store.read_table(summary["run_id"], "indices")
    assert stored["parameter"].tolist() == indices["parameter"].tolist()
    exp = store.read(summary["run_id"], "experiments")
    assert len(exp) == summary["members"] and exp["seed_key"].nunique() == 2  # keys per trajectory


def test_sobol_in_memory_has_confidence_intervals():
    sc = load_scenario("default").with_overrides(horizon=4)
    indices, summary = run_sensitivity(sc, "displaced_person_years", method="sobol", samples=2)
    assert summary["run_id"] is None
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(indices.columns)
    assert indices["ST_conf"].notna().all()


def test_undefined_outcome_is_refused():
    sc = load_scenario("default").with_overrides(horizon=3)
    with pytest.raises(UserError, match="undefined for"):
        run_sensitivity(sc, "first_world_failure_rate", method="morris", samples=2)
    with pytest.raises(UserError, match="unknown outcome"):
        run_sensitivity(sc, "world_povety_830")
