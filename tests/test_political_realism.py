"""Issue 13: electoral re-entry is no revolution; republics' fragility falls with income.

* Re-entries (a socialist coalition voted out that returns by election) open no output gap
  and bring no moralist surge; with the ``transition_reentry`` term off the same returns are
  new transitions with both.
* Degeneration of democratic socialist republics falls with income, band by band, in a run
  where every country starts as a republic (the band table is printed; docs/model.md).
"""

import numpy as np
import pytest

from model_helpers import blocs, world
from nato_socialism.model.doctrines import DOCTRINES
from nato_socialism.model.mechanisms import background
from nato_socialism.model.parameters import params_from_table, registry
from nato_socialism.model.rng import member_keys
from nato_socialism.model.simulate import Events, build_context, initial_state
from nato_socialism.model.state import Regime
from nato_socialism.model.step import EVENT, step
from nato_socialism.model.switches import Switches
from nato_socialism.validation import panel_stats as ps
from nato_socialism.validation.runs import republic_hazards_by_band

DS = int(Regime.DEMOCRATIC_SOCIALIST)
#: Rich democracies forced into democratic socialism in the first year.
REPUBLICS = ("SWE", "DEU", "FRA", "ESP", "ITA", "NLD", "DNK", "NOR", "FIN", "AUT", "BEL", "PRT", "GBR", "CAN")
YEARS = 30


def _churning_params(members):
    """Default parameters with frequent electoral losses and returns (still inside the registry ranges)."""
    reg = registry()
    cols = {k: np.full(members, q.default) for k, q in reg.items()}
    for k in ("electoral_loss_rate", "support_loss_threshold", "electoral_transition_rate"):
        cols[k][:] = reg[k].high
    for k in ("transition_support_threshold", "viability_participation"):
        cols[k][:] = reg[k].low
    return params_from_table(cols)


def _run(switches):
    iso = list(world().iso3)
    events = Events(regimes=tuple((2023, iso.index(c), DS) for c in REPUBLICS))
    ctx = build_context(world(), blocs(), 2023, YEARS, switches, events)
    members = 6
    p, keys = _churning_params(members), member_keys(5, range(members))
    state = initial_state(world(), ctx, p, keys)
    rows = []
    for _ in range(YEARS):
        res = step(state, p, ctx, DOCTRINES["nato_first"].spec, keys)
        rows.append((state, res))
        state = res.state
    return rows


def _returns(rows, code):
    """(scarcity before, scarcity after, moralists after) of every country-year with event ``code`` into a republic."""
    out = []
    for before, res in rows:
        m, j = np.nonzero((res.event == code) & (res.new_regime == DS))
        out += list(zip(before.scarcity[m, j], res.state.scarcity[m, j], res.state.moralist[m, j], strict=True))
    return np.array(out).reshape(-1, 3)


@pytest.fixture(scope="module")
def churn():
    return _run(Switches())


def test_reentries_carry_no_output_shock_and_no_moralist_surge(churn):
    reentries = _returns(churn, EVENT["re_entry"])
    assert len(reentries) >= 5, "too few re-entries to test"
    before, after, moralists = reentries.T
    assert np.all(after <= before + 1e-15)  # the gap only recovers: no new shock
    assert np.all(moralists == 0.0)
    # the returning republic came back from an electoral loss, not from a new revolution
    assert all(res.old_regime[m, j] == int(Regime.CAPITALIST_DEMOCRACY)
               for _, res in churn for m, j in zip(*np.nonzero(res.event == EVENT["re_entry"]), strict=True))


def test_without_the_reentry_term_returns_are_revolutions_again():
    rows = _run(Switches.without("transition_reentry"))
    assert len(_returns(rows, EVENT["re_entry"])) == 0
    returns = _returns(rows, EVENT["electoral_transition"])
    before, after, moralists = returns.T
    assert len(returns) >= 5
    assert np.all(moralists > 0.0)
    # a new output gap opens, unless the country still carries a larger one (M10 keeps the larger)
    opened = after > before
    assert opened.mean() >= 0.9, returns[~opened]


@pytest.mark.slow
def test_degeneration_falls_with_income_band_table():
    table = republic_hazards_by_band(world(), members=8, seed=13, years=YEARS)
    print(table.to_string(index=False))
    h = table["degeneration_hazard"].to_numpy()
    assert (table["republic_years"] >= 100).all(), table
    assert h[0] > h[1] > h[2] > h[3], table
    flat = republic_hazards_by_band(world(), members=8, seed=13, years=YEARS,
                                    switches=Switches.without("scarcity_fragility"))
    print(flat.to_string(index=False))
    # without the income bands the poorest republics lose most of their excess degeneration
    assert flat["degeneration_hazard"].iloc[0] < h[0] / 2



def test_democratization_neighbour_effect_is_the_1950_1989_fit():
    """The registry's coefficient and reference share come from the fit on 1950-1989 only."""
    frame = ps.neighbour_frame(ps.window(ps.pairs(), *ps.NEIGHBOUR_FIT_WINDOW), world().iso3, world().neighbours)
    assert frame["year"].max() == 1989
    fit = ps.democratization_neighbour_logit(frame)
    entry = registry()["democratization_neighbour_effect"]
    assert entry.default == pytest.approx(fit.coef[1], abs=0.005)
    assert entry.high == pytest.approx(fit.ci95[1, 1], abs=0.005) and entry.low == 0.0 < fit.ci95[1, 0]
    assert background.NEIGHBOUR_REFERENCE_SHARE == pytest.approx(fit.mean_x, abs=0.005)


def test_economic_voting_is_in_the_decomposition_under_the_causes_of_unemployment():
    """dS_M11 + dS_M7 differ by -v du (the year's change of unemployment) in republics, by nothing elsewhere."""
    iso = list(world().iso3)
    events = Events(regimes=tuple((2023, iso.index(c), DS) for c in REPUBLICS))
    p, keys = _churning_params(3), member_keys(9, range(3))
    parts = {}
    for label, switches in (("on", Switches()), ("off", Switches.without("movement_economic_voting"))):
        ctx = build_context(world(), blocs(), 2023, 2, switches, events)
        state = initial_state(world(), ctx, p, keys)
        res = step(state, p, ctx, DOCTRINES["nato_first"].spec, keys)
        parts[label] = (res.support["M11"] + res.support["M7"], res)
    diff = parts["on"][0] - parts["off"][0]
    res = parts["on"][1]
    du = res.state.unemployment - state.unemployment
    republic = res.old_regime == DS
    inside = republic & (res.state.unemployment > 0.005) & (res.state.unemployment < 0.5)
    assert inside.sum() >= 3 * len(REPUBLICS) - 3
    v = registry()["unemployment_voting"].default
    np.testing.assert_allclose(diff[inside], -v * du[inside], rtol=1e-9, atol=1e-15)
    assert np.all(diff[~republic] == 0.0)
    assert np.abs(diff[inside]).max() > 0.0
