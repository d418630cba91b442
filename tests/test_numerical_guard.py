"""The numerical guard: a NaN or inf stops the run with the mechanism, country, year and member."""

import numpy as np
import pytest

from model_helpers import context, keys, world
from nato_socialism.errors import UserError
from nato_socialism.experiments.ensemble import prepare
from nato_socialism.experiments.executors import start_run
from nato_socialism.experiments.store import ResultStore
from nato_socialism.model.doctrines import DOCTRINES
from nato_socialism.model.parameters import default_params, params_from_table, registry
from nato_socialism.model.simulate import NumericalError, simulate_members
from nato_socialism.scenario import load_scenario


def _params_with(member, name, value, members=3):
    cols = {k: np.full(members, p.default) for k, p in registry().items()}
    cols[name][member] = value
    return params_from_table(cols)


def test_nan_names_mechanism_country_year_and_member():
    p = _params_with(1, "support_adjust_rate", np.nan)
    with pytest.raises(NumericalError) as err:
        simulate_members(context(5), world(), p, keys(3), np.array([10, 11, 12]), DOCTRINES["status_quo"].spec)
    message = str(err.value)
    assert "member 11" in message and "year 2023" in message
    assert "first non-finite contribution: M2" in message
    assert "AFG" in message  # the first country, in ISO3 order
    assert isinstance(err.value, UserError)  # the CLI turns it into exit 2


def test_finite_runs_are_untouched():
    p = default_params(2)
    run = simulate_members(context(5), world(), p, keys(2), np.arange(2), DOCTRINES["nato_first"].spec)
    assert all(np.isfinite(v).all() for v in run.series.values())


def test_a_failing_chunk_keeps_the_chunks_before_it(tmp_path):
    setup = prepare(load_scenario("default").with_overrides(members=8, horizon=4, doctrines=["status_quo"]))
    setup.parameters.loc[5, "support_adjust_rate"] = np.nan  # a member of the second chunk of 4
    store = ResultStore.create(tmp_path / "results")
    with store.writer(), pytest.raises(NumericalError, match="member 5"):
        start_run(setup, store, chunk_size=4)
    runs = store.runs()
    assert list(runs["status"]) == ["failed"]
    committed = store.committed(runs["run_id"].iloc[0])
    assert len(committed) == 1
