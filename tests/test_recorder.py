"""Country-year histograms and recorded bloc series (store schema version 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nato_socialism.experiments.ensemble import prepare, run_chunk
from nato_socialism.experiments.executors import run_in_memory
from nato_socialism.experiments.recorder import (
    COUNTRY_VARIABLES,
    Binning,
    country_summary,
    merge_hist,
    quantiles,
    regime_column,
)
from nato_socialism.experiments.series import QUANTITIES, RECORDED_BLOC_COLUMNS
from nato_socialism.model.state import Regime
from nato_socialism.scenario import load_scenario

MEMBERS = 7


@pytest.fixture(scope="module")
def setup():
    sc = load_scenario("default").with_overrides(members=MEMBERS, horizon=8, doctrines=["nato_first", "status_quo"])
    return prepare(sc)


@pytest.fixture(scope="module")
def whole(setup):
    """Every member kept, in one chunk: exact values to check the histograms against."""
    return run_in_memory(setup, chunk_size=MEMBERS, keep=MEMBERS)


def test_bins_hold_their_values():
    rng = np.random.default_rng(3)
    for b in COUNTRY_VARIABLES.values():
        edges = b.edges()
        if b.kind == "categorical":
            x = rng.integers(0, b.bins, 500)
        else:
            x = np.concatenate([rng.uniform(edges[0], edges[-1], 500), edges[1:-1], [edges[0]]])
        i = b.index(x)
        assert i.min() >= 0 and i.max() < b.bins
        inside = (edges[i] <= x + 1e-12 * np.abs(x)) & (x < edges[i + 1] * (1 + 1e-12))
        assert inside.all(), b.name
    # values beyond the last edge land in the last bin, below the first in the first
    living = COUNTRY_VARIABLES["living"]
    assert list(living.index(np.array([1.0, 50.0, 1e9]))) == [0, 0, living.bins - 1]


@pytest.mark.parametrize("name", ["support", "living", "displaced_share"])
def test_quantiles_within_one_bin_of_the_exact_ones(name):
    b = COUNTRY_VARIABLES[name]
    rng = np.random.default_rng(11)
    edges = b.edges()
    hi = edges[-1] if b.kind == "linear" else edges[-2]
    lo = edges[0] if b.kind == "linear" else b.lo
    for n in (1, 2, 7, 200):
        x = np.exp(rng.uniform(np.log(lo), np.log(hi), n)) if b.kind == "log" else rng.uniform(lo, hi, n)
        counts = np.bincount(b.index(x), minlength=b.bins)
        got = quantiles(b, counts[None, :])[0]
        want = np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95], method="inverted_cdf")
        width = np.diff(edges)[b.index(want)]
        assert (np.abs(got - want) <= width * (1 + 1e-9)).all(), (name, n, got, want)


def test_quantiles_of_an_empty_cell_are_nan():
    b = COUNTRY_VARIABLES["support"]
    got = quantiles(b, np.zeros((3, b.bins), dtype=np.uint16))
    assert np.isnan(got).all()
    assert Binning("x", "x", "share", "linear", 4).edges().tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_histograms_count_every_member_and_match_the_kept_trajectories(whole):
    merged = merge_hist(whole.country_hist)
    traj = whole.trajectories
    for doctrine, m in merged.items():
        assert (m["regime"].sum(axis=-1) == MEMBERS).all()
        t = traj[traj["doctrine"] == doctrine]
        assert list(m["_years"]) == sorted(t["year"].unique())
        for k, b in COUNTRY_VARIABLES.items():
            values = t[k].to_numpy() if k != "displaced_share" else (t["displaced"] / t["pop"]).to_numpy()
            cell = (np.searchsorted(m["_years"], t["year"]) * len(m["_iso3"])
                    + np.searchsorted(m["_iso3"], t["iso3"]))
            want = np.zeros((len(m["_years"]) * len(m["_iso3"]), b.bins), dtype=np.int64)
            np.add.at(want, (cell, b.index(values)), 1)
            assert (m[k].reshape(want.shape) == want).all(), (doctrine, k)
    summary = whole.country_summary()
    fra = summary[(summary["doctrine"] == "nato_first") & (summary["iso3"] == "FRA")].set_index("year")
    t = traj[(traj["doctrine"] == "nato_first") & (traj["iso3"] == "FRA")]
    p = t.groupby("year")["regime"].apply(lambda r: (r == Regime.DEMOCRATIC_SOCIALIST).mean())
    assert np.allclose(fra[regime_column(Regime.DEMOCRATIC_SOCIALIST)], p.reindex(fra.index))
    median = t.groupby("year")["support"].median().reindex(fra.index)
    assert (np.abs(fra["support_p50"] - median) <= 0.01 + 1e-12).all()


def test_summary_does_not_depend_on_the_chunking(setup, whole):
    cut = run_in_memory(setup, chunk_size=3, keep=2)
    pd.testing.assert_frame_equal(cut.country_summary(), whole.country_summary())
    a, b = merge_hist(cut.country_hist), merge_hist(whole.country_hist)
    for d in a:
        for k in COUNTRY_VARIABLES:
            assert (a[d][k] == b[d][k]).all()
    pd.testing.assert_frame_equal(cut.series, whole.series)  # recorded bloc series per member too


def test_recorded_bloc_series_follow_their_rules(setup, whole):
    """Each bloc column from the kept trajectories and the run's bloc membership, and the
    model's own democratic socialist bloc share with the same rule (a check on both)."""
    tables = run_chunk(setup, "nato_first", np.arange(3), keep=3)
    traj = tables.trajectories
    primary = np.asarray(setup.ctx.blocs.primary_ids)[np.asarray(setup.ctx.blocs.primary)]
    years = setup.ctx.start_year + np.arange(setup.ctx.horizon + 1)
    bloc = pd.DataFrame({"year": np.repeat(years, setup.ctx.n), "iso3": np.tile(setup.ctx.iso3, len(years)),
                         "bloc": primary.ravel()})
    t = traj.merge(bloc, on=["year", "iso3"])
    s = tables.series.set_index(["member", "year"])
    assert set(RECORDED_BLOC_COLUMNS) <= set(s.columns)
    rules = {**{c: QUANTITIES[q].bloc_rule for c, (q, _) in RECORDED_BLOC_COLUMNS.items()},
             **{f"demsoc_share_{b}": ("pop_share", int(Regime.DEMOCRATIC_SOCIALIST)) for _, b in
                RECORDED_BLOC_COLUMNS.values()}}
    for column, (rule, arg) in rules.items():
        b = column.rsplit("_", 1)[1] if not column.endswith("brics_plus") else "brics_plus"
        g = t[t["bloc"] == b].groupby(["member", "year"])
        if rule == "pop_share":
            want = g.apply(lambda r, a=arg: r.loc[r["regime"] == a, "pop"].sum() / r["pop"].sum())
        elif rule == "pop_mean":
            want = g.apply(lambda r, a=arg: (r[a] * r["pop"]).sum() / r["pop"].sum())
        else:
            want = g[arg].sum()
        got = s.loc[want.index, column].to_numpy(dtype=float)
        tol = 1e-6 if column in RECORDED_BLOC_COLUMNS else 1e-12  # float32 storage
        assert np.allclose(got, want.to_numpy(), rtol=tol, atol=1e-12), column


def test_country_summary_of_stored_rows_equals_the_result_method(whole):
    import pyarrow as pa

    arrow = pa.Table.from_pandas(whole.country_hist, preserve_index=False)
    pd.testing.assert_frame_equal(country_summary([arrow]), whole.country_summary())
    shuffled = whole.country_hist.iloc[::-1]
    with pytest.raises(ValueError, match="order|cover different"):
        merge_hist(shuffled)
