"""NSGA-II over the custom controls: common random numbers, front, named positions."""

from __future__ import annotations

import numpy as np
import pytest

from nato_socialism.errors import UserError
from nato_socialism.experiments.optimize import (
    NAMED,
    OptimizeConfig,
    evaluate_spec,
    non_dominated,
    optimize,
    oriented,
    positions,
    store_optimization,
)
from nato_socialism.experiments.store import ResultStore
from nato_socialism.model.doctrines import DOCTRINES, custom_spec, custom_values
from nato_socialism.scenario import load_scenario

CONFIG = OptimizeConfig(members=3, horizon=8, pop_size=4, generations=2)


def test_positions_known_answer():
    front = np.array([[0.0, 1.0], [1.0, 0.0]])
    named = np.array([[1.0, 2.0], [0.0, 0.0], [0.5, 0.5]])
    dominated, eps, gain = positions(front, named, np.ones(2))
    assert dominated.tolist() == [True, False, False]
    assert eps.tolist() == [-1.0, 1.0, 0.5]
    assert gain.tolist() == [1.0, 0.0, 0.0]
    assert sorted(non_dominated(np.array([[0, 1], [1, 0], [1, 1]])).tolist()) == [0, 1]


@pytest.fixture(scope="module")
def searched():
    return optimize(load_scenario("default"), CONFIG)


def test_candidates_share_the_ensemble(searched):
    result, setup, named_chunks = searched
    # the custom rule at nato_first's controls reproduces nato_first bitwise (same members and keys)
    spec = custom_spec(custom_values(DOCTRINES["nato_first"].spec))
    again = evaluate_spec(setup, spec).outcomes
    objectives = list(CONFIG.objectives)
    never = setup.ctx.start_year + setup.ctx.horizon + 1
    a = oriented(again, objectives, never)
    b = oriented(named_chunks["nato_first"][0].outcomes, objectives, never)
    assert a.tobytes() == b.tobytes()


def test_front_and_named(searched, tmp_path):
    result, setup, named_chunks = searched
    assert len(result.candidates) >= CONFIG.pop_size
    assert 1 <= len(result.front) <= len(result.candidates)
    assert result.named["doctrine"].tolist() == list(NAMED)
    assert result.named["epsilon"].notna().all()
    store = ResultStore.create(tmp_path / "results")
    with store.writer():
        run_id = store_optimization(store, result, setup, named_chunks)
    assert store.meta(run_id)["kind"] == "optimize"
    assert len(store.read_table(run_id, "pareto_front")) == len(result.front)
    assert set(store.load(run_id).outcomes["doctrine"]) == set(NAMED)


def test_regret_of_named_doctrines_is_not_negative():
    config = OptimizeConfig(members=2, horizon=5, pop_size=4, generations=1, robustness="regret")
    result, _, _ = optimize(load_scenario("default"), config)
    assert (result.named[list(config.objectives)].to_numpy() >= 0).all()


def test_bad_objectives():
    with pytest.raises(UserError, match="unknown objective"):
        OptimizeConfig(objectives=("povrety",)).check()
    with pytest.raises(UserError, match="no better direction"):
        OptimizeConfig(objectives=("transitions",)).check()
    with pytest.raises(UserError, match="robustness"):
        OptimizeConfig(robustness="median").check()
