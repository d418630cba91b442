"""One pure yearly step of the whole ensemble, with the "why" decomposition.

The order within a year, the contributions it returns and their meaning are documented in
:mod:`~nato_socialism.model.step_numpy` (the readable array version of this step) and in
``docs/model.md``.

How it is computed: the equations are written once as array formulas in the mechanism
modules and :mod:`~nato_socialism.model.step_numpy`; this module runs the same year as a
dozen compiled passes (:mod:`~nato_socialism.model.kernels`) with NumPy's vectorized
``exp``/``log``/``power`` and SciPy's ``ndtr``/``ndtri`` between them, and the migration
products in fixed blocks of members (:func:`~nato_socialism.model.linalg.member_matmul`). Both
give the same bits (``tests/test_model_fast.py``).
"""

from __future__ import annotations

import weakref
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
from scipy.special import ndtr, ndtri

from . import kernels
from .context import CONSUMPTION_SHARE, POVERTY_LINE, Context
from .controls import Controls
from .doctrines import DoctrineSpec
from .linalg import member_matmul
from .state import State
from .step_numpy import (  # noqa: F401  (re-exported: the step's public vocabulary)
    _S_GROWTH,
    _S_OCCUR,
    _S_OUTCOME,
    _S_SUCCESS,
    _S_TYPE,
    _S_WHICH,
    CONTRIBUTIONS,
    EVENT,
    EVENTS,
    StepResult,
    _enter_regimes,
    _override,
)

_S = {k: i for i, k in enumerate(kernels.SUPPORT_PARTS)}
_R = {k: i for i, k in enumerate(kernels.REACTION_PARTS)}


def rng_counter(year: int, stream: int) -> np.uint64:
    """Counter bits of (year, stream) as in :func:`nato_socialism.model.rng.uniforms`."""
    return (np.uint64(year & 0xFFFF) << np.uint64(40)) | (np.uint64(stream & 0xFFFFFF) << np.uint64(16))


@lru_cache(maxsize=64)
def _flags(sw) -> SimpleNamespace:
    names = (
        "background aid aid_recipient_growth aid_donor_cost scarcity scarcity_sanctions migration "
        "migration_economic migration_refugees migration_caps integration integration_erosion "
        "integration_unemployment delays organizer_relocation organizer_relocation_diminishing movement "
        "movement_breadth movement_living_standard diffusion diffusion_neighbours diffusion_superpower "
        "diffusion_democracy_drift reaction reaction_immigration reaction_contact reaction_living_standard "
        "transition transition_campaigns material_basis moralism"
    ).split()
    return SimpleNamespace(**{k: sw.on(k) for k in names})


_kp_cache: dict[int, tuple] = {}


def _kparams(p) -> np.ndarray:
    """Kernel parameters of a Params record, cached while the record lives."""
    hit = _kp_cache.get(id(p))
    if hit is not None and hit[0]() is p:
        return hit[1]
    kp = kernels.kernel_params(p)
    key = id(p)
    try:
        ref = weakref.ref(p, lambda _: _kp_cache.pop(key, None))
    except TypeError:  # pragma: no cover - records that refuse weak references are not cached
        return kp
    _kp_cache[id(p)] = (ref, kp)
    return kp


def _spec_vector(spec: DoctrineSpec) -> np.ndarray:
    return np.array([
        spec.relocation_rate,
        0.0 if spec.cap_to_capacity is None else spec.cap_to_capacity,
        spec.unemployment_target,
        spec.integration_investment,
        0.0 if spec.aid_share is None else spec.aid_share,
        spec.aid_priority,
        spec.safety_margin,
        spec.safety_cut,
    ], dtype=np.float64)


def step(state: State, p, ctx: Context, spec: DoctrineSpec, keys: np.ndarray,
         slots: np.ndarray | None = None) -> StepResult:
    """Advance every member one year. Pure: returns a new state and the decomposition.

    ``slots``: the members' positions in the blocks of the migration products
    (:func:`~nato_socialism.model.linalg.member_slots` of their indices; default: numbered
    from 0). Give them when the members are part of a larger ensemble.
    """
    f = _flags(ctx.switches)
    kp = _kparams(p)
    t = ctx.year_index(state.year)
    year = state.year
    n = ctx.n
    e = state.pop.shape[0]
    shape = (e, n)
    keys = np.ascontiguousarray(keys, dtype=np.uint64)

    def new():
        return np.empty(shape)

    scratch = np.empty((3, n))
    soc_share0 = np.empty(e)
    kernels.gdp_share(state.gdppc, state.scarcity, state.pop, state.regime, soc_share0, scratch)

    # 0. scheduled regime events (rare: array formulas)
    forced = None
    forced_row = np.zeros(n, dtype=np.bool_)
    if ctx.forced_regime is not None:
        row = ctx.forced_regime[t]
        if (row >= 0).any():
            forced_row = np.ascontiguousarray(row >= 0)
            forced = np.broadcast_to(forced_row, shape)
            state = _enter_regimes(state, np.where(forced, row, state.regime), soc_share0[:, None], p, ctx, forced)
    old_regime = state.regime

    # 1. doctrine, moralist pressure, scheduled policies; income ratios for the logarithms
    blocs = ctx.blocs
    if spec.relocate_to == "nato":
        target_row = blocs.nato[t].astype(np.float64)
    else:
        target_row = (blocs.primary[t] == blocs.primary_ids.index("developing")).astype(np.float64)
    frontier = np.ascontiguousarray((p.frontier_income * np.exp(p.frontier_growth * t))[:, 0])
    income, gdp, rate, cap_req, invest, aid_req, prio = new(), new(), new(), new(), new(), new(), new()
    cap_app, aid_app, frustration = new(), new(), new()
    r_frontier, r_1000, r_peak, r_ref = new(), new(), new(), new()
    kernels.doctrine(
        state.gdppc, state.scarcity, state.pop, old_regime, state.unemployment, state.support, state.reaction,
        state.moralist, target_row, blocs.first_world[t], _spec_vector(spec), spec.cap_to_capacity is not None,
        spec.aid_share is not None, f.moralism, kp,
        income, gdp, rate, cap_req, invest, aid_req, prio, cap_app, aid_app, frustration,
        r_frontier, r_1000, r_peak, r_ref, frontier, np.ascontiguousarray(p.emigration_peak_income[:, 0]),
        np.empty(n, dtype=np.bool_),
    )
    requested = Controls(
        relocation_rate=rate,
        relocation_target=np.broadcast_to(target_row, shape).copy(),
        alliance_breadth=np.full(shape, spec.alliance_breadth),
        immigration_cap=cap_req,
        integration_investment=invest,
        aid_share=aid_req,
        aid_priority=prio,
    )
    applied = requested.replace(immigration_cap=cap_app, aid_share=aid_app) if f.moralism else requested
    applied = _override(applied, ctx, t)
    zeros = np.zeros(shape)
    breadth = applied.alliance_breadth if f.movement_breadth else zeros
    aid_share = applied.aid_share if f.aid else zeros

    # 2. background economy and aid
    shock = new()
    kernels.uniforms(keys, rng_counter(year, _S_GROWTH), n, shock)
    ndtri(shock, out=shock)
    ln_frontier = np.log(r_frontier, out=r_frontier)
    ln_1000 = np.log(r_1000, out=r_1000)
    x_beta = r_peak ** p.emigration_elasticity
    x_gamma = r_peak ** p.emigration_hump_curvature
    attract_pow = r_ref ** p.destination_income_elasticity
    ln_ref = np.log(r_ref, out=r_ref)
    received, g, pop1, hump_arg = new(), new(), new(), new()
    kernels.growth(
        shock, ln_frontier, ln_1000, x_gamma, income, gdp, state.pop, state.poverty, old_regime, aid_share,
        applied.aid_priority, f.background, f.aid, f.aid_recipient_growth, t, kp,
        received, g, pop1, hump_arg, scratch,
    )
    exp_g = np.exp(g)
    exp_hump = np.exp(hump_arg, out=hump_arg)
    scar_decay = np.ascontiguousarray(np.exp(-1.0 / p.scarcity_duration)[:, 0])

    # 3-4. output gap recovery, migration
    gdppc1, scar1, stock, to_nb, desired, attract, room = new(), new(), new(), new(), new(), new(), new()
    kernels.migration_setup(
        state.gdppc, exp_g, state.scarcity, scar_decay, state.unemployment, state.poverty, state.turmoil,
        state.displaced, pop1, x_beta, exp_hump, attract_pow, applied.immigration_cap, f.scarcity,
        f.migration_economic, f.migration_refugees, f.migration_caps, kp,
        gdppc1, scar1, stock, to_nb, desired, attract, room,
    )
    left, admitted, refugees_in = new(), new(), new()
    if f.migration:
        kt = ctx.refugee_kernel_t
        kernels.csr_rows(kt.indptr, kt.indices, kt.data, to_nb, refugees_in)
        _migrate(desired, attract, room, ctx.migration_kernels,
                 np.ascontiguousarray(p.migration_long_distance_share[:, 0]), f.migration_caps, left, admitted, slots)

    # 5. integration and erosion; arguments of the living-standard channels
    ds = np.empty((len(kernels.SUPPORT_PARTS), e, n))
    dr = np.empty((len(kernels.REACTION_PARTS), e, n))
    invest_app = applied.integration_investment
    pop2, displaced, displaced_new, unintegrated, integrated, perceived = new(), new(), new(), new(), new(), new()
    unemployment, a10, a8, a7 = new(), new(), new(), new()
    kernels.integration(
        pop1, left, admitted, refugees_in, to_nb, stock, state.displaced, state.unintegrated,
        state.unemployment, state.perceived_excess, breadth, invest_app, old_regime, shock,
        ctx.structural_unemployment, scar1, aid_share, received, f.migration, f.integration,
        f.integration_erosion, f.delays, f.background, f.integration_unemployment, f.aid_donor_cost, kp,
        pop2, displaced, displaced_new, unintegrated, integrated, perceived, ds[_S["M7"]], unemployment,
        a10, a8, a7,
    )

    # 6. living standards, poverty, gaps against expectations (by channel)
    c11 = np.log(gdppc1)
    c10 = np.log1p(a10, out=a10)
    c8 = np.log1p(a8, out=a8)
    c7 = np.log1p(a7, out=a7)
    g11, g10, g8, g7, gap_total, living = new(), new(), new(), new(), new(), new()
    kernels.living_gaps(c11, c10, c8, c7, state.expected_income, state.expected_scarcity, state.expected_aid,
                        state.expected_investment, g11, g10, g8, g7, gap_total, living)
    np.exp(living, out=living)
    np.multiply(living, CONSUMPTION_SHARE, out=living)
    poverty = np.divide(POVERTY_LINE, living)
    np.log(poverty, out=poverty)
    np.divide(poverty, ctx.poverty_sigma, out=poverty)
    np.add(poverty, ctx.poverty_sigma / 2.0, out=poverty)
    np.add(poverty, ctx.poverty_offset, out=poverty)
    ndtr(poverty, out=poverty)

    # 7-9. movements, support, diffusion, reaction
    w = ctx.neighbour_weights
    mov, multiplier, democracy, recent = new(), new(), new(), new()
    kernels.movements(
        state.unemployment, ctx.gini, state.growth, state.movement, state.pop, state.support, state.reaction,
        state.democracy, old_regime, applied.relocation_rate, applied.relocation_target, breadth,
        g11, g10, g8, g7, gap_total, frustration, unintegrated, pop2, integrated, state.integrated_recent,
        state.unintegrated_share0, state.reaction_base, soc_share0, w.indptr, w.indices, w.data,
        f.organizer_relocation, f.organizer_relocation_diminishing, f.movement, f.movement_living_standard,
        f.background, f.diffusion, f.diffusion_neighbours, f.diffusion_superpower, f.diffusion_democracy_drift,
        f.reaction, f.reaction_immigration, f.reaction_contact, f.reaction_living_standard, kp,
        ds, dr, mov, multiplier, democracy, recent, np.empty(n), scratch,
    )

    # 10. regime events
    exp_gap = np.exp(gap_total)
    total, q = new(), new()
    hz = (f.transition, f.transition_campaigns, f.background, f.reaction, f.scarcity)
    kernels.hazard_totals(old_regime, state.support, state.reaction, state.movement, breadth, multiplier,
                          income, exp_gap, forced_row, kp, *hz, total, q)
    np.expm1(q, out=q)
    counters = np.array([rng_counter(year, s) for s in (_S_OCCUR, _S_WHICH, _S_TYPE, _S_SUCCESS, _S_OUTCOME)],
                        dtype=np.uint64)
    new_regime = np.empty(shape, dtype=np.int8)
    event = np.empty(shape, dtype=np.int8)
    turmoil = new()
    kernels.regime_events(
        old_regime, state.support, state.reaction, state.movement, breadth, multiplier, income, exp_gap, total,
        q, ln_ref, democracy, keys, counters, kp, *hz, f.material_basis,
        new_regime, event, turmoil, ds[_S["M3"]], mov,
    )
    if forced is not None:
        event[forced] = EVENT["forced"]

    # 11. clip, expectations, side effects of regime changes
    soc_share_new = np.empty(e)
    kernels.gdp_share(gdppc1, scar1, pop2, old_regime, soc_share_new, scratch)
    support, react, x11, x10, x8, x7 = new(), new(), new(), new(), new(), new()
    years, moralist, scar = new(), new(), new()
    regime = np.empty(shape, dtype=np.int8)
    kernels.finish(
        state.support, state.reaction, ds, dr, c11, c10, c8, c7, state.expected_income, state.expected_scarcity,
        state.expected_aid, state.expected_investment, state.years_in_regime, old_regime, new_regime,
        state.moralist, scar1, soc_share_new, f.delays, f.background, f.scarcity, f.scarcity_sanctions, kp,
        support, react, x11, x10, x8, x7, years, moralist, scar, regime, np.empty(n), np.empty(n),
    )
    nxt = State(
        year=year + 1, pop=pop2, gdppc=gdppc1, democracy=democracy, regime=regime, movement=mov,
        support=support, reaction=react, unemployment=unemployment, unintegrated=unintegrated,
        integrated_recent=recent, displaced=displaced, poverty=poverty, living=living, years_in_regime=years,
        moralist=moralist, scarcity=scar, aid_received=received, growth=g, expected_income=x11,
        expected_aid=x8, expected_investment=x7, expected_scarcity=x10, perceived_excess=perceived,
        turmoil=turmoil, reaction_base=state.reaction_base, unintegrated_share0=state.unintegrated_share0,
    )
    return StepResult(
        state=nxt,
        support={k: ds[_S[k]] if k in _S else zeros for k in CONTRIBUTIONS},
        reaction={k: dr[_R[k]] if k in _R else zeros for k in CONTRIBUTIONS},
        requested=requested, applied=applied, event=event, old_regime=old_regime, new_regime=regime,
        aid_received=received, displaced_new=displaced_new,
    )


def _migrate(desired, attract, room, kernel_matrix, share, caps, left, admitted, slots):
    """The gravity rounds of M6 (mechanisms.migration.allocate) into ``left`` and ``admitted``."""
    e, n = desired.shape
    both = np.empty((e, 2 * n))
    per_z, demand, accept, weighted = (np.empty((e, n)) for _ in range(4))

    def one_round(desired, attract, room, add):
        member_matmul(attract, kernel_matrix, out=both, slots=slots)
        kernels.alloc_per_z(desired, both, share, per_z)
        member_matmul(per_z, kernel_matrix, out=both, slots=slots)
        kernels.alloc_accept(attract, both, share, room, demand, accept, weighted)
        member_matmul(weighted, kernel_matrix, out=both, slots=slots)
        kernels.alloc_done(per_z, both, share, demand, accept, left, admitted, add)

    one_round(desired, attract, room, False)
    if caps:
        free, desired2, attract2 = (np.empty((e, n)) for _ in range(3))
        kernels.alloc_second(room, admitted, desired, left, attract, free, desired2, attract2)
        one_round(desired2, attract2, free, True)
