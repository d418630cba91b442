"""SALib problems from the registry; Morris and Sobol runs stored as runs."""

from __future__ import annotations

import numpy as np
import pytest

from nato_socialism.errors import UserError
from nato_socialism.experiments.sensitivity import (
    analyze,
    design,
    given_sample_indices,
    problem,
    reanalyze,
    run_sensitivity,
)
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
        run_sensitivity(sc, "world_povety_mean")


# ---------------------------------------------------------------------- second order and re-analysis
def _ishigami(x: np.ndarray) -> np.ndarray:
    from SALib.test_functions import Ishigami

    return Ishigami.evaluate(x[:, :3])


ISHIGAMI = {"num_vars": 4, "names": ["x1", "x2", "x3", "inert"], "bounds": [[-np.pi, np.pi]] * 4}


def test_second_order_sobol_pairs_know_the_ishigami_interaction():
    """Ishigami: the only interaction is x1-x3, S2_13 = 0.244 (Saltelli et al. 2008, 4.1)."""
    x, base = design(ISHIGAMI, "sobol", 1024, seed=3, second_order=True)
    assert len(x) == 1024 * (2 * 4 + 2) and base[2 * 4 + 1] == 0 and base[2 * 4 + 2] == 1
    indices, pairs = analyze(ISHIGAMI, "sobol", x, _ishigami(x), seed=3, second_order=True)
    assert len(pairs) == 6 and pairs.iloc[0][["parameter_1", "parameter_2"]].tolist() == ["x1", "x3"]
    assert pairs.iloc[0]["S2"] == pytest.approx(0.244, abs=0.08)
    assert (pairs.iloc[1:]["S2"].abs() < 0.06).all()
    assert indices.set_index("parameter").loc["x1", "S1"] == pytest.approx(0.314, abs=0.08)


@pytest.mark.parametrize("method", ["delta", "pawn", "rbd_fast"])
def test_given_sample_methods_rank_the_ishigami_factors(method):
    """On a Latin hypercube: x2 and x1 dominate, the inert factor is at the noise floor."""
    from scipy.stats import qmc

    x = qmc.LatinHypercube(d=4, rng=np.random.default_rng(5)).random(1000) * 2 * np.pi - np.pi
    indices = given_sample_indices(ISHIGAMI, x, _ishigami(x), method, seed=1, resamples=20)
    assert set(indices["parameter"].head(2)) == {"x1", "x2"}
    assert indices.set_index("parameter").loc[["x1", "x2"], "above_noise"].all()
    assert indices["parameter"].iloc[-1] == "inert"
    if method == "rbd_fast":  # first-order indices: 0.314, 0.442, 0
        s1 = indices.set_index("parameter")["S1"]
        assert s1["x1"] == pytest.approx(0.314, abs=0.08) and s1["x2"] == pytest.approx(0.442, abs=0.08)
        assert abs(s1["x3"]) < 0.06 and abs(s1["inert"]) < 0.06


def _three_factor_scenario(tmp_path, keep=("erosion_strength", "aid_growth_effect", "diffusion_strength")):
    from nato_socialism.model.parameters import registry

    lines = ["members = 40", "horizon = 8", 'doctrines = ["nato_first", "open_solidarity"]', "[parameters]"]
    lines += [f"{k} = {p.default!r}" for k, p in registry().items() if k not in keep and p.low < p.high]
    path = tmp_path / "three.toml"
    path.write_text("\n".join(lines) + "\n")
    return load_scenario(path), keep


def test_second_order_sobol_run_stores_the_pairs(tmp_path):
    sc, keep = _three_factor_scenario(tmp_path)
    store = ResultStore.create(tmp_path / "results")
    with store.writer():
        indices, summary = run_sensitivity(
            sc, "poverty_years_830", method="sobol", samples=4, second_order=True, store=store
        )
    assert summary["members"] == 4 * (2 * 3 + 2) and set(indices["parameter"]) == set(keep)
    pairs = store.read_table(summary["run_id"], "second_order")
    assert len(pairs) == 3 and pairs["S2"].notna().all() and len(summary["second_order"]) == 3
    with pytest.raises(UserError, match="need --method sobol"):
        run_sensitivity(sc, "poverty_years_830", method="morris", samples=2, second_order=True)


@pytest.fixture()
def three_run(tmp_path):
    from nato_socialism.experiments.ensemble import prepare
    from nato_socialism.experiments.executors import start_run

    sc, keep = _three_factor_scenario(tmp_path)
    store = ResultStore.create(tmp_path / "results")
    with store.writer():
        run_id = start_run(prepare(sc), store)
    return store, run_id, keep


@pytest.fixture()
def no_simulation(three_run, monkeypatch):
    """After the stored run is made, any attempt to simulate a member fails the test."""
    from nato_socialism.experiments import ensemble, executors
    from nato_socialism.model import simulate

    def boom(*args, **kwargs):
        raise AssertionError("re-analysis must not simulate")

    for module, name in ((ensemble, "run_chunk"), (executors, "run_chunk"), (ensemble, "simulate_members"),
                         (simulate, "simulate_members")):
        monkeypatch.setattr(module, name, boom)
    return three_run


def test_sensitivity_of_a_stored_run_without_rerunning(no_simulation):
    import json

    from cli_helpers import cli
    from nato_socialism.experiments import executors

    store, run_id, keep = no_simulation
    with pytest.raises(AssertionError, match="must not simulate"):  # the guard works
        executors.run_chunk(None, "nato_first", [0])
    results = str(store.root)
    code, out, err = cli("sensitivity", "--run", run_id, "--outcome", "poverty_years_830", "--method", "pawn",
                         "--doctrine", "open_solidarity", "--results", results, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["sensitivity"]["members"] == 40 and doc["sensitivity"]["doctrine"] == "open_solidarity"
    assert {r["parameter"] for r in doc["indices"]} == set(keep)
    stored = store.read_table(run_id, "sensitivity-pawn-open_solidarity-poverty_years_830")
    assert set(stored["parameter"]) == set(keep) and (stored["members"] == 40).all()
    code, out, err = cli("sensitivity", "--run", run_id, "--outcome", "displaced_person_years", "--resamples", "10",
                         "--results", results)
    assert code == 0, err
    assert "delta" in out and "no new simulation" in out
    assert (store.run_dir(run_id) / "analysis" / "sensitivity-delta-nato_first-displaced_person_years.parquet").exists()
    code, _, err = cli("sensitivity", "--run", run_id, "--outcome", "year_demsoc_50", "--results", results)
    assert code == 2 and "takes one value" in err  # never reached in 8 years: nothing to explain


def test_reanalysis_refusals(tmp_path):
    from cli_helpers import cli

    sc = load_scenario("default").with_overrides(horizon=3)
    store = ResultStore.create(tmp_path / "results")
    with store.writer():
        _, summary = run_sensitivity(sc, "poverty_years_830", method="morris", samples=2, store=store)
    with pytest.raises(UserError, match="is a sensitivity run"):
        reanalyze(store, summary["run_id"], "poverty_years_830")
    code, _, err = cli("sensitivity", "--run", "latest", "--outcome", "poverty_years_830", "--samples", "4",
                       "--results", str(tmp_path / "results"))
    assert code == 2 and "drop --samples" in err
    code, _, err = cli("sensitivity", "--run", "latest", "--outcome", "poverty_years_830", "--method", "sobol",
                       "--results", str(tmp_path / "results"))
    assert code == 2 and "expected one of delta, pawn, rbd_fast" in err
