"""The reference implementations (reference/) reproduce the fast core to 1e-9 relative.

Same member keys, same parameters, same context (scheduled regime and policy events):
final state, every year's support and reaction decompositions, regime paths and regime
event codes of ``reference.plain_loop`` and ``reference.mesa_model`` equal those of a loop
over :func:`nato_socialism.model.step.step`, over an eventful run of 30 years in which every
event code happens (collapse included), for every doctrine, and with each mechanism and term
switched off. Tolerance (stated before comparing, not tuned): 1e-9 relative and 1e-12
absolute for real numbers; regimes and event codes exactly equal.
"""

import ast
import dataclasses
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from model_helpers import blocs, world
from nato_socialism.model import step as core_step_module
from nato_socialism.model.doctrines import CLOSED, DOCTRINES, UNFREE_TARGET_WEIGHT
from nato_socialism.model.mechanisms import background, integration, material_basis, migration, movement, scarcity
from nato_socialism.model.parameters import params_from_table, registry
from nato_socialism.model.rng import member_keys
from nato_socialism.model.simulate import Events, build_context, initial_state, simulate_members
from nato_socialism.model.state import Regime
from nato_socialism.model.step import CONTRIBUTIONS, EVENTS, step
from nato_socialism.model.switches import ALL_SWITCHES, Switches

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reference import mesa_model, plain_loop, timing  # noqa: E402

IMPLEMENTATIONS = {"plain_loop": plain_loop, "mesa_model": mesa_model}
#: Modules of the core's equations and passes the references must not use.
FORBIDDEN = (
    "nato_socialism.model.mechanisms",
    "nato_socialism.model.step",
    "nato_socialism.model.kernels",
    "nato_socialism.model.compiled",
    "nato_socialism.model.doctrine_rule",
    "nato_socialism.model.doctrines",
    "nato_socialism.model.moralism",
    "nato_socialism.model.linalg",
)
RTOL, ATOL = 1e-9, 1e-12
YEARS = 30
#: parameters pushed to the end of their range that makes regime events frequent (one member)
EVENTFUL_HIGH = (
    "reversion_rate", "backsliding_rate", "electoral_transition_rate", "campaign_onset_rate",
    "reform_rate", "hysteresis", "init_movement_per_support", "init_movement_repression",
    "init_moderate_left_weight", "init_politics_noise", "degeneration_scarcity_rate", "transition_output_shock",
    "bureaucratic_collapse_hazard", "democratization_hazard",
)
EVENTFUL_LOW = (
    "reaction_threshold", "transition_support_threshold", "viability_participation",
    "support_loss_threshold", "electoral_loss_rate",
)
#: Every event code (1-10 drawn, 11 scheduled, 12 electoral re-entry).
ALL_EVENTS = set(range(1, len(EVENTS)))


def _params(members, seed, eventful=True):
    """Members drawn uniformly in the registry ranges; the last one 'eventful' (still in range)."""
    reg = registry()
    rng = np.random.default_rng(seed)
    cols = {k: rng.uniform(q.low, q.high, members) for k, q in reg.items()}
    if eventful:
        for k in EVENTFUL_HIGH:
            cols[k][-1] = reg[k].high
        for k in EVENTFUL_LOW:
            cols[k][-1] = reg[k].low
    return params_from_table(cols)


def _events():
    iso = list(world().iso3)
    socialist = [(2024, iso.index(c), int(Regime.DEMOCRATIC_SOCIALIST))
                 for c in ("SWE", "DEU", "BOL", "VEN", "NGA", "IND")]
    other = [(2024, iso.index("EGY"), int(Regime.BUREAUCRATIC)),
             (2026, iso.index("POL"), int(Regime.REACTIONARY))]
    return Events(regimes=tuple(socialist + other),
                  policies=((2027, iso.index("DEU"), "immigration_cap", 0.004),))


#: Mechanisms and terms switched off together in one of the long runs.
LONG_RUN_OFF = ("delays", "moralism", "migration_caps", "scarcity_sanctions", "diffusion_neighbours")


@cache
def _setup(off=()):
    members = 4
    ctx = build_context(world(), blocs(), 2023, YEARS, Switches.without(*off), _events())
    return ctx, _params(members, seed=7), member_keys(7, range(members))


def _core(ctx, p, keys, spec, years):
    """A direct loop over the core step: final state, decompositions, regimes, events."""
    state = initial_state(world(), ctx, p, keys)
    e, n = state.pop.shape
    why = {w: np.zeros((e, years, len(CONTRIBUTIONS), n)) for w in ("support", "reaction")}
    regimes = [state.regime]
    events = []
    for y in range(years):
        res = step(state, p, ctx, spec, keys)
        for c, k in enumerate(CONTRIBUTIONS):
            why["support"][:, y, c] = res.support[k]
            why["reaction"][:, y, c] = res.reaction[k]
        events.append(res.event)
        state = res.state
        regimes.append(state.regime)
    return state, why, np.stack(regimes, axis=1), np.stack(events, axis=1)


@cache
def _core_run(doctrine, off=()):
    ctx, p, keys = _setup(off)
    return _core(ctx, p, keys, DOCTRINES[doctrine].spec, YEARS)


def _assert_equivalent(out, core, label=""):
    state, why, regimes, events = core
    for name, value in state.arrays().items():
        if name == "regime":
            np.testing.assert_array_equal(out[name], value, err_msg=f"{label} {name}")
        else:
            np.testing.assert_allclose(out[name], value, rtol=RTOL, atol=ATOL, err_msg=f"{label} {name}")
    assert int(out["year"]) == state.year
    np.testing.assert_allclose(out["why_support"], why["support"], rtol=RTOL, atol=ATOL, err_msg=label)
    np.testing.assert_allclose(out["why_reaction"], why["reaction"], rtol=RTOL, atol=ATOL, err_msg=label)
    np.testing.assert_array_equal(out["regime_by_year"], regimes, err_msg=label)
    np.testing.assert_array_equal(out["event"], events, err_msg=label)


@pytest.mark.parametrize("impl", sorted(IMPLEMENTATIONS))
@pytest.mark.parametrize(("doctrine", "off"), [("nato_first", ()), ("open_solidarity", ()),
                                               ("nato_first", LONG_RUN_OFF)])
def test_reference_equals_core(impl, doctrine, off):
    ctx, p, keys = _setup(off)
    members = np.arange(len(keys))
    out = IMPLEMENTATIONS[impl].run(ctx, world(), p, keys, members, DOCTRINES[doctrine].spec, YEARS)
    core = _core_run(doctrine, off)
    _assert_equivalent(out, core, f"{impl} {doctrine} -{off}")
    # the ensemble is eventful enough to exercise every regime path and the forced events
    seen = set(np.unique(core[3]).tolist())
    assert seen >= ALL_EVENTS, ALL_EVENTS - seen


def test_core_runner_matches_direct_loop():
    ctx, p, keys = _setup()
    spec = DOCTRINES["nato_first"].spec
    res = simulate_members(ctx, world(), p, keys, np.arange(len(keys)), spec, keep=len(keys))
    state, why, regimes, _ = _core_run("nato_first")
    np.testing.assert_allclose(res.why["support"], why["support"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.why["reaction"], why["reaction"], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(res.trajectories["regime"], regimes)
    np.testing.assert_allclose(res.trajectories["support"][:, -1], state.support, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("doctrine", ["south_first", "status_quo", "one_country"])
def test_other_doctrines(doctrine):
    ctx = build_context(world(), blocs(), 2023, 4, None, _events())
    p, keys = _params(2, seed=3), member_keys(3, range(2))
    core = _core(ctx, p, keys, DOCTRINES[doctrine].spec, 4)
    for name, impl in IMPLEMENTATIONS.items():
        out = impl.run(ctx, world(), p, keys, np.arange(2), DOCTRINES[doctrine].spec, 4)
        _assert_equivalent(out, core, f"{name} {doctrine}")


@pytest.mark.parametrize("switch", ALL_SWITCHES)
def test_each_switch_off(switch):
    ctx = build_context(world(), blocs(), 2023, 4, Switches.without(switch), _events())
    p, keys = _params(1, seed=11), member_keys(11, range(1))
    spec = DOCTRINES["nato_first"].spec
    core = _core(ctx, p, keys, spec, 4)
    for name, impl in IMPLEMENTATIONS.items():
        _assert_equivalent(impl.run(ctx, world(), p, keys, np.arange(1), spec, 4), core, f"{name} -{switch}")


def test_plain_step_signature_matches_core_step():
    ctx, p, keys = _setup()
    state = initial_state(world(), ctx, p, keys)
    spec = DOCTRINES["open_solidarity"].spec
    new, support, reaction = plain_loop.step(state, p, ctx, spec, keys)
    res = step(state, p, ctx, spec, keys)
    assert new.year == res.state.year
    assert set(support) == set(reaction) == set(CONTRIBUTIONS)
    for k in CONTRIBUTIONS:
        np.testing.assert_allclose(support[k], res.support[k], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(reaction[k], res.reaction[k], rtol=RTOL, atol=ATOL)


def _imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside reference/
                names.append("reference." + (node.module or ""))
            else:
                names.append(node.module)
                names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_reference_does_not_import_core_mechanisms():
    files = sorted((ROOT / "reference").glob("*.py"))
    assert {f.name for f in files} >= {"__init__.py", "plain_loop.py", "mesa_model.py", "timing.py"}
    for f in files:
        for name in _imported_modules(f):
            assert not any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN), (f.name, name)
        assert "importlib" not in f.read_text() and "__import__" not in f.read_text(), f.name


def test_reference_constants_match_core():
    assert plain_loop.CONTRIBUTIONS == CONTRIBUTIONS
    assert plain_loop.EVENTS == tuple(name for name, _ in EVENTS)
    assert plain_loop.CLOSED_CAP == CLOSED
    assert plain_loop.UNFREE_TARGET_WEIGHT == UNFREE_TARGET_WEIGHT
    assert plain_loop.RICH_INCOME == integration.RICH_INCOME
    assert plain_loop.MOBILIZATION == movement.MOBILIZATION
    assert plain_loop.REFERENCE_INCOME == material_basis.REFERENCE_INCOME == migration.REFERENCE_INCOME
    assert plain_loop.DEMOCRACY_RELAX_RATE == background.DEMOCRACY_RELAX_RATE
    assert plain_loop.BAND_EDGES_1985 == background.BAND_EDGES_1985
    assert plain_loop.HISTORY_REFERENCE == scarcity.HISTORY_REFERENCE
    assert plain_loop.NEIGHBOUR_REFERENCE_SHARE == background.NEIGHBOUR_REFERENCE_SHARE
    for code, bounds in plain_loop.DEMOCRACY_BOUNDS.items():
        assert (background.DEMOCRACY_FLOOR[code], background.DEMOCRACY_CEILING[code]) == bounds
    streams = ("_S_GROWTH", "_S_OCCUR", "_S_WHICH", "_S_TYPE", "_S_SUCCESS", "_S_OUTCOME")
    assert tuple(getattr(core_step_module, s) for s in streams) == (
        plain_loop.STREAM_GROWTH, plain_loop.STREAM_OCCURS, plain_loop.STREAM_WHICH,
        plain_loop.STREAM_TYPE, plain_loop.STREAM_SUCCESS, plain_loop.STREAM_OUTCOME,
    )
    assert vars(timing.NATO_FIRST) == dataclasses.asdict(DOCTRINES["nato_first"].spec)


def test_mesa_model_is_a_mesa_model():
    ctx, p, keys = _setup()
    model = mesa_model.NatoSocialismModel.from_world(ctx, world(), p, keys, DOCTRINES["nato_first"].spec, member=1)
    assert len(model.agents) == ctx.n
    model.step()
    model.step()
    assert model.steps == 2 and model.year == 2025
    frame = model.datacollector.get_agent_vars_dataframe()
    assert len(frame) == 3 * ctx.n
    assert set(frame.columns) >= {"iso3", "regime", "support", "reaction"}


def test_timing_helpers_report_country_years_per_second():
    assert timing.time_plain(1, 1) > 0
    assert timing.time_mesa(1, 1) > 0
