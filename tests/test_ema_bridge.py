"""The EMA Workbench bridge: stored runs feed EMA's analysis; EMA results are stored as runs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from ema_workbench import Policy, SequentialEvaluator
from ema_workbench.analysis import cart, dimensional_stacking, feature_scoring, pairs_plotting, plotting, prim

from nato_socialism import ema
from nato_socialism.errors import UserError
from nato_socialism.experiments.ema_adapter import ema_model
from nato_socialism.experiments.ensemble import prepare
from nato_socialism.experiments.executors import resume_run, start_run
from nato_socialism.experiments.store import ResultStore
from nato_socialism.model.outcomes import OUTCOMES
from nato_socialism.scenario import load_scenario

MEMBERS, YEARS = 24, 12


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    sc = load_scenario("essay_premises").with_overrides(
        members=MEMBERS, horizon=YEARS, doctrines=["nato_first", "open_solidarity"]
    )
    root = tmp_path_factory.mktemp("ema") / "results"
    store = ResultStore.create(root)
    with store.writer():
        run_id = start_run(prepare(sc), store, chunk_size=10)
    return root, run_id, store


def test_a_stored_run_is_emas_experiments_and_outcomes(stored):
    root, run_id, store = stored
    experiments, outcomes = ema.load(run_id, results=root)
    n = 2 * MEMBERS
    assert len(experiments) == n
    assert list(experiments.columns[-3:]) == ["scenario", "policy", "model"]
    assert list(experiments["policy"].cat.categories) == ["nato_first", "open_solidarity"]
    assert "erosion_strength" in experiments.columns and "seed_key" not in experiments.columns
    # rows are aligned: the stored outcome of (member 5, open_solidarity) is in the row of that pair
    raw = store.read(run_id, "outcomes").set_index(["doctrine", "member"])
    row = int(np.flatnonzero((experiments["policy"] == "open_solidarity") & (experiments["scenario"] == 5))[0])
    assert outcomes["poverty_years_830"][row] == raw.loc[("open_solidarity", 5), "poverty_years_830"]
    exp_table = store.read(run_id, "experiments").set_index(["doctrine", "member"])
    assert experiments["erosion_strength"][row] == exp_table.loc[("open_solidarity", 5), "erosion_strength"]
    # scalars are 1-D, series 2-D (members x years) with TIME
    assert set(OUTCOMES) <= set(outcomes) and outcomes["poverty_years_830"].shape == (n,)
    assert outcomes["demsoc_share"].shape == (n, YEARS + 1) and outcomes["TIME"][0, 0] == 2023
    series = store.read(run_id, "series")
    want = series[(series.doctrine == "open_solidarity") & (series.member == 5)].sort_values("year")["demsoc_share"]
    np.testing.assert_array_equal(outcomes["demsoc_share"][row], want.to_numpy())


def test_emas_plots_and_feature_scores_take_the_tuple(stored):
    root, run_id, _ = stored
    experiments, outcomes = ema.load(run_id, results=root)
    fig, axes = pairs_plotting.pairs_scatter(
        experiments, outcomes, outcomes_to_show=["poverty_years_830", "demsoc_share_end"], group_by="policy"
    )
    assert len(axes) == 4
    fig, axes = plotting.lines(experiments, outcomes, outcomes_to_show=["demsoc_share"], group_by="policy")
    fig, axes = plotting.envelopes(experiments, outcomes, outcomes_to_show=["world_poverty"], group_by="policy")
    plt.close("all")
    experiments, scalars = ema.load(run_id, results=root, series=False, never="after_end")
    assert all(v.ndim == 1 for v in scalars.values())
    assert np.isfinite(scalars["year_demsoc_25"]).all()  # never reached -> the year after the run
    assert np.isnan(ema.load(run_id, results=root, series=False)[1]["year_demsoc_25"]).any()
    defined = {k: v for k, v in scalars.items() if np.isfinite(v).all()}
    rates = {k for k, o in OUTCOMES.items() if o.nullable and o.unit != "year"}
    assert set(OUTCOMES) - set(defined) <= rates  # only the rates per 100 country-years may be undefined
    scores = feature_scoring.get_feature_scores_all(experiments, defined)
    assert set(defined) == set(scores.columns) and "policy" in scores.index
    varying = [k for k, v in defined.items() if np.ptp(v) > 0]
    assert len(varying) > 10 and np.isclose(scores[varying].sum(), 1).all()
    # PRIM, CART and dimensional stacking take it directly as well
    low = scalars["poverty_years_830"] < np.median(scalars["poverty_years_830"])
    box = prim.Prim(experiments, low, threshold=0.6).find_box()
    assert len(box.peeling_trajectory) >= 1
    tree = cart.CART(experiments, low, mass_min=0.1)
    tree.build_tree()
    assert len(tree.boxes) >= 2
    dimensional_stacking.create_pivot_plot(experiments, low, nr_levels=2)
    plt.close("all")


def test_load_refuses_what_it_cannot_give(stored):
    root, run_id, _ = stored
    with pytest.raises(UserError, match="no doctrine 'south_first'"):
        ema.load(run_id, results=root, doctrines=["south_first"])
    with pytest.raises(UserError, match="no series 'demsoc_shar'"):
        ema.load(run_id, results=root, series=["demsoc_shar"])
    with pytest.raises(UserError, match="no run"):
        ema.load("nope", results=root)


def test_ema_results_are_stored_as_a_run(tmp_path):
    model = ema_model("default", horizon=6, levers="doctrine")
    policies = [Policy("nato_first", doctrine="nato_first"), Policy("os", doctrine="open_solidarity")]
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=3, policies=policies)
    root = tmp_path / "results"
    run_id = ema.save(experiments, outcomes, model, results=root)
    store = ResultStore.open(root)
    meta = store.meta(run_id)
    assert meta["kind"] == "ema" and meta["status"] == "complete" and meta["members"] == 3
    assert meta["doctrines"] == ["nato_first", "open_solidarity"]
    back, out = ema.load(run_id, results=root, series=False)
    assert len(back) == 6 and set(back["policy"]) == {"nato_first", "open_solidarity"}
    # the same experiment (scenario, doctrine) has the same inputs and outcomes after the round trip
    for i in range(len(experiments)):
        member = list(dict.fromkeys(experiments["scenario"].astype(str))).index(str(experiments["scenario"][i]))
        j = int(np.flatnonzero((back["scenario"] == member) & (back["policy"] == str(experiments["doctrine"][i])))[0])
        assert back["erosion_strength"][j] == experiments["erosion_strength"][i]
        assert back["ema_member"][j] == experiments["member"][i]
        np.testing.assert_equal(out["poverty_years_830"][j], outcomes["poverty_years_830"][i])
    result = store.load(run_id)
    assert len(result.compare()) > 0  # doctrines pair member by member like any run
    with store.writer(), pytest.raises(UserError, match="nothing to resume"):
        resume_run(store, run_id)


def test_save_refuses_tables_that_are_not_a_full_design(tmp_path):
    model = ema_model("default", horizon=4, levers="doctrine")
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(
            scenarios=2, policies=[Policy("a", doctrine="nato_first"), Policy("b", doctrine="one_country")]
        )
    keep = np.arange(len(experiments)) != 0
    with pytest.raises(UserError, match="not a full design"):
        ema.save(experiments[keep].reset_index(drop=True), {k: v[keep] for k, v in outcomes.items()}, model,
                 results=tmp_path / "r")
    with pytest.raises(UserError, match="ema_model"):
        ema.save(experiments, outcomes, object(), results=tmp_path / "r")
    assert not (tmp_path / "r").exists()
    assert isinstance(experiments, pd.DataFrame)
