"""The model as an EMA Workbench model, run with EMA's SequentialEvaluator."""

from __future__ import annotations

import numpy as np
import pandas as pd
from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter, ScalarOutcome, SequentialEvaluator

from nato_socialism.experiments.ema_adapter import MemberFunction, ema_model
from nato_socialism.experiments.ensemble import prepare, run_chunk
from nato_socialism.model.doctrines import CUSTOM_CONTROLS
from nato_socialism.model.outcomes import OUTCOMES
from nato_socialism.model.rng import member_keys
from nato_socialism.scenario import load_scenario


def test_model_declares_registry_uncertainties_levers_and_outcomes():
    model = ema_model("essay_premises", horizon=10)
    names = [u.name for u in model.uncertainties]
    assert "erosion_strength" in names and "member" in names
    erosion = model.uncertainties["erosion_strength"]
    assert isinstance(erosion, RealParameter) and (erosion.lower_bound, erosion.upper_bound) == (1.5, 2.5)
    assert isinstance(model.uncertainties["member"], IntegerParameter)
    assert [lv.name for lv in model.levers] == list(CUSTOM_CONTROLS)
    kinds = {o.name: o.kind for o in model.outcomes}
    assert set(kinds) == set(OUTCOMES)
    assert kinds["poverty_years_830"] == ScalarOutcome.MINIMIZE
    assert kinds["demsoc_share_end"] == ScalarOutcome.MAXIMIZE
    assert kinds["transitions"] == ScalarOutcome.INFO
    named = ema_model("default", horizon=10, levers="doctrine")
    assert isinstance(named.levers["doctrine"], CategoricalParameter)


def test_sequential_evaluator_runs_a_tiny_experiment():
    model = ema_model("default", horizon=10)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=4, policies=1)
    assert len(experiments) == 4
    assert set(outcomes) == set(OUTCOMES)
    assert all(len(v) == 4 for v in outcomes.values())
    assert np.isfinite(outcomes["poverty_years_830"]).all()


def test_member_function_matches_the_ensemble_machinery():
    sc = load_scenario("default").with_overrides(members=2, horizon=6, doctrines=["nato_first"])
    setup = prepare(sc)
    want = run_chunk(setup, "nato_first", [1]).outcomes.iloc[0]
    f = MemberFunction(sc)
    params = setup.parameters.iloc[1].to_dict()
    got = f(**params, member=1, doctrine="nato_first")
    assert setup.keys[1] == member_keys(sc.seed, [1])[0]
    pd.testing.assert_series_equal(
        pd.Series(got)[list(OUTCOMES)], want[list(OUTCOMES)].astype(float), check_names=False
    )
