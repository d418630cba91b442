"""One pure yearly step of the whole ensemble, with the "why" decomposition.

Order within a year (``t`` = years since the start):

0. scheduled events force regimes (scenario ``[[events]]``);
1. the doctrine requests controls from the observed state; moralist pressure turns them into
   applied controls; scheduled policy events override applied controls;
2. M11 growth, population and unemployment background; M8 aid adds recipients' growth; M6
   brain drain (or gain) changes the growth of origins with people abroad;
3. M10 the post-transition output gap recovers;
4. M6 migration (emigration hump, refugees, gravity destinations, caps) moves people; those
   who left join their origin's emigrant stock abroad (diaspora);
5. M7 integration capacity absorbs newcomers; inflow beyond it erodes the governing coalition
   (socialist support where socialists govern, the incumbent's elsewhere); the two-sided
   immigration ledger, with the origin's remittances from its diaspora, enters M7's
   living-standard channel;
6. living standards and poverty follow; the gap against expectations (M12) is split by channel;
7. M1 organizer relocation and M2 movement growth; M2 support dynamics;
8. M5 diffusion multiplier, demonstration effect and democracy drift;
9. M9 reactionary support;
10. regime hazards (M3 transitions with M4 outcomes, M9 reversion/backsliding, M10
    degeneration, M11 breakdown/democratization/collapse) are resolved with one competing-risk
    draw per country (a country forced this year has none: it keeps the forced regime); M3
    failed campaigns cost support and movement (kept within its bounds); M10 opens output
    gaps; moralists surge at a transition and otherwise decay (once a year, also in a year
    with scheduled events: step 0 only makes them surge where a republic is forced in);
11. support and reaction are clipped to [0, 1] with S + R <= 1 (the clip is a named
    contribution); M12 updates expectations and perceptions for next year.

Every change of coalition support and of reactionary support is returned split by mechanism
(``M1`` ... ``M12``, ``moralism``, ``clip``); the parts sum to the total change exactly (up to
floating-point rounding). Mechanisms with no direct term (M1, M4, M6, M12) act through the
inputs of others and show zero.

How it is computed: the equations are the compiled scalar functions of the mechanism modules;
the year runs as a few compiled passes over (members, countries) arrays that call them
(:mod:`~nato_socialism.model.kernels`), with the growth shocks drawn in between and the
migration products made in fixed blocks of members
(:func:`~nato_socialism.model.linalg.member_matmul`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import kernels
from .compiled import KP, csr_rows, kernel_params
from .context import Context
from .controls import Controls
from .doctrine_rule import spec_vector
from .doctrines import DoctrineSpec, relocation_target
from .kernels import CONTRIBUTIONS, EVENT, EVENTS, SW  # noqa: F401  (the step's public vocabulary)
from .linalg import member_matmul
from .mechanisms import living as living_standards
from .rng import counter, normals
from .state import State
from .switches import Switches

# Random streams (one uniform per member, country and year each).
_S_GROWTH, _S_OCCUR, _S_WHICH, _S_TYPE, _S_SUCCESS, _S_OUTCOME, _S_REGIME, _S_POP, _S_DEMOCRACY = range(9)

_S = {k: i for i, k in enumerate(kernels.SUPPORT_PARTS)}
_R = {k: i for i, k in enumerate(kernels.REACTION_PARTS)}


@dataclass(frozen=True)
class StepResult:
    """A year's new state, its decomposition, controls and regime events."""

    state: State
    support: dict[str, np.ndarray]
    reaction: dict[str, np.ndarray]
    requested: Controls
    applied: Controls
    event: np.ndarray  # int8 code of EVENTS per country (0: none)
    old_regime: np.ndarray
    new_regime: np.ndarray  # regime after this year's events
    aid_received: np.ndarray
    displaced_new: np.ndarray


@lru_cache(maxsize=64)
def switch_vector(switches: Switches) -> np.ndarray:
    """The switches as the boolean vector the passes read (``sw[SW.name]``: on, with its mechanism)."""
    return np.array([switches.on(name) for name in SW._fields], dtype=np.bool_)


@lru_cache(maxsize=256)
def _counters(year: int) -> np.ndarray:
    """RNG counter bits of the event streams (occur, which, type, success, outcome) of a year."""
    return np.array([counter(year, s) for s in (_S_OCCUR, _S_WHICH, _S_TYPE, _S_SUCCESS, _S_OUTCOME)],
                    dtype=np.uint64)


@lru_cache(maxsize=64)
def _spec_vector(spec: DoctrineSpec) -> np.ndarray:
    return spec_vector(spec)


@lru_cache(maxsize=16)
def _no_override(n: int) -> np.ndarray:
    return np.full(n, np.nan)  # shared, read by the passes only


def _override_rows(ctx: Context, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The year's scheduled policy values of the immigration cap, aid and investment (NaN: none)."""
    none = _no_override(ctx.n)
    table = ctx.policy_override
    return tuple(table[name][t] if name in table else none
                 for name in ("immigration_cap", "aid_share", "integration_investment"))


def step(state: State, p, ctx: Context, spec: DoctrineSpec, keys: np.ndarray,
         slots: np.ndarray | None = None, decompose: bool = True) -> StepResult:
    """Advance every member one year. Pure: returns a new state and the decomposition.

    ``slots``: the members' positions in the blocks of the migration products
    (:func:`~nato_socialism.model.linalg.member_slots` of their indices; default: numbered
    from 0). Give them when the members are part of a larger ensemble. ``decompose=False``
    skips storing the contributions of the mechanisms (a run that keeps no "why" table):
    ``support`` and ``reaction`` then hold only the ``clip`` part, which the numerical guard
    reads; the state is the same.
    """
    sw = switch_vector(ctx.switches)
    P = kernel_params(p)
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
    kernels.gdp_shares(state.gdppc, state.scarcity, state.pop, state.regime, soc_share0, scratch)

    # 0. scheduled regime events (rare)
    forced_row = np.zeros(n, dtype=np.bool_)
    forced_codes = None
    if ctx.forced_regime is not None and (ctx.forced_regime[t] >= 0).any():
        forced_codes = ctx.forced_regime[t]
        forced_row = np.ascontiguousarray(forced_codes >= 0)
        regime, scar, moralist, years = (state.regime.copy(), state.scarcity.copy(), state.moralist.copy(),
                                         state.years_in_regime.copy())
        kernels.forced_regimes(forced_codes, soc_share0, P, sw, regime, scar, moralist, years)
        state = state.replace(regime=regime, scarcity=scar, moralist=moralist, years_in_regime=years)
    old_regime = state.regime

    # 1. doctrine, moralist pressure, scheduled policies
    requested, applied, frustration, income, log_income, gdp = _controls(state, P, sw, ctx, spec, t)
    breadth = np.full(shape, spec.alliance_breadth if ctx.switches.on("movement_breadth") else 0.0)
    aid_share = applied.aid_share if ctx.switches.on("aid") else np.zeros(shape)
    prio, cap_app = applied.aid_priority, applied.immigration_cap

    # 2-3. background economy, aid, output gap
    shock, regime_shock, pop_shock, democracy_shock = (normals(keys, year, stream, n)
                                                       for stream in (_S_GROWTH, _S_REGIME, _S_POP, _S_DEMOCRACY))
    received, g, pop1, gdppc1, log_gdppc1, scar1 = new(), new(), new(), new(), new(), new()
    growth_regime, pop_rate = new(), new()
    kernels.economy(state.gdppc, state.scarcity, state.pop, state.poverty, old_regime, income, log_income, gdp,
                    aid_share, prio, shock, soc_share0, t, state.diaspora, state.growth_regime, state.pop_growth,
                    regime_shock, pop_shock, P, sw, received, g, pop1, gdppc1, log_gdppc1, scar1, growth_regime,
                    pop_rate, scratch)

    # 4. migration
    if ctx.switches.on("migration"):
        flows = _migration(pop1, income, log_income, state.unemployment, state.poverty, state.turmoil,
                           state.displaced, cap_app, applied.asylum_acceptance, P, sw, ctx, slots)
    else:
        flows = _no_flows(shape)

    # 5-11. integration, living standards, movements, support, diffusion, reaction, events, clip, M12
    ds = np.empty((len(kernels.SUPPORT_PARTS), e, n))
    dr = np.empty((len(kernels.REACTION_PARTS), e, n))
    pop2, mov, support, incumbent, react, democracy, unemployment, unintegrated, displaced = (new() for _ in range(9))
    recent, perceived, x11, x10, x8, x7, moralist1, years1, scar, poverty, living = (new() for _ in range(11))
    multiplier, turmoil, lost1, diaspora = new(), new(), new(), new()
    regime = np.empty(shape, dtype=np.int8)
    event = np.empty(shape, dtype=np.int8)
    counters = _counters(year)
    w = ctx.neighbour_weights
    kernels.society(
        state.pop, state.movement, state.support, state.incumbent_support, state.reaction, state.democracy, old_regime,
        state.unemployment,
        state.growth, state.unintegrated, state.displaced, state.integrated_recent, state.perceived_excess,
        state.expected_income, state.expected_scarcity, state.expected_aid, state.expected_investment,
        state.moralist, state.years_in_regime, state.reaction_base, state.unintegrated_share0, state.lost_office,
        state.diaspora,
        income, applied.relocation_rate, applied.relocation_target, breadth, applied.integration_investment,
        aid_share, frustration, received, pop1, gdppc1, log_gdppc1, scar1,
        flows.stock, flows.left, flows.admitted, flows.refugees_in, flows.to_neighbours, shock, democracy_shock,
        soc_share0,
        ctx.gini, ctx.structural_unemployment, ctx.poverty_sigma, ctx.poverty_offset, forced_row,
        w.indptr, w.indices, w.data, keys, counters, P, sw, decompose,
        pop2, mov, support, incumbent, react, democracy, regime, unemployment, unintegrated, displaced, recent,
        perceived, x11, x10, x8, x7, moralist1, years1, scar, poverty, living, event, turmoil, multiplier, ds, dr,
        lost1, diaspora, *(np.empty(n) for _ in range(12)), scratch,
    )
    living_standards.poverty(poverty, out=poverty)  # the pass stored the scores
    if forced_codes is not None:
        event[:, forced_row] = EVENT["forced"]
    nxt = State(
        year=year + 1, pop=pop2, gdppc=gdppc1, democracy=democracy, regime=regime, movement=mov,
        support=support, incumbent_support=incumbent, reaction=react, unemployment=unemployment,
        unintegrated=unintegrated, integrated_recent=recent, displaced=displaced, diaspora=diaspora,
        poverty=poverty, living=living, years_in_regime=years1,
        moralist=moralist1, scarcity=scar, aid_received=received, growth=g, expected_income=x11,
        expected_aid=x8, expected_investment=x7, expected_scarcity=x10, perceived_excess=perceived,
        turmoil=turmoil, lost_office=lost1, growth_regime=growth_regime, pop_growth=pop_rate,
        reaction_base=state.reaction_base,
        unintegrated_share0=state.unintegrated_share0,
    )
    if decompose:
        zeros = _zeros(shape)
        support = {k: ds[_S[k]] if k in _S else zeros for k in CONTRIBUTIONS}
        reaction = {k: dr[_R[k]] if k in _R else zeros for k in CONTRIBUTIONS}
    else:
        support, reaction = {"clip": ds[_S["clip"]]}, {"clip": dr[_R["clip"]]}
    return StepResult(
        state=nxt,
        support=support,
        reaction=reaction,
        requested=requested, applied=applied, event=event, old_regime=old_regime, new_regime=regime,
        aid_received=received, displaced_new=flows.displaced_new,
    )


def _controls(state: State, P, sw, ctx: Context, spec: DoctrineSpec, t: int):
    """(requested, applied, moralist frustration, income, its log, GDP) at the start of year index ``t``."""
    shape = state.pop.shape
    n = shape[1]
    target = np.ascontiguousarray(relocation_target(spec, ctx.blocs.year(t)))
    rate, cap_req, invest_req, aid_req, prio, asylum = (np.empty(shape) for _ in range(6))
    cap_app, aid_app, invest_app, frustration, income, log_income, gdp = (np.empty(shape) for _ in range(7))
    kernels.controls(
        state.gdppc, state.scarcity, state.pop, state.regime, state.unemployment, state.support, state.reaction,
        state.moralist, target, ctx.blocs.first_world[t], _spec_vector(spec), *_override_rows(ctx, t), P, sw,
        rate, cap_req, invest_req, aid_req, prio, asylum, cap_app, aid_app, invest_app, frustration,
        income, log_income, gdp, np.empty(n, dtype=np.bool_),
    )
    requested = Controls(
        relocation_rate=rate,
        relocation_target=np.broadcast_to(target, shape).copy(),
        alliance_breadth=np.full(shape, spec.alliance_breadth),
        immigration_cap=cap_req,
        integration_investment=invest_req,
        aid_share=aid_req,
        aid_priority=prio,
        asylum_acceptance=asylum,
    )
    applied = requested.replace(immigration_cap=cap_app, aid_share=aid_app, integration_investment=invest_app)
    return requested, applied, frustration, income, log_income, gdp


def controls(state: State, p, ctx: Context, spec: DoctrineSpec) -> tuple[Controls, Controls]:
    """The controls a doctrine requests for a state, and those applied (moralists, policy events)."""
    requested, applied, *_ = _controls(state, kernel_params(p), switch_vector(ctx.switches), ctx, spec,
                                       ctx.year_index(state.year))
    return requested, applied


def _zeros(shape) -> np.ndarray:
    zeros = np.zeros(shape)
    zeros.flags.writeable = False
    return zeros


@dataclass(frozen=True)
class Flows:
    """A year's migration (people, shape (members, countries))."""

    left: np.ndarray  # economic and onward-refugee emigrants who left
    admitted: np.ndarray  # admitted gravity immigrants
    to_neighbours: np.ndarray  # refugees hosted by neighbours, by origin
    refugees_in: np.ndarray  # refugees hosted, by host
    stock: np.ndarray  # displaced stock (originating) after this year
    displaced_new: np.ndarray  # newly displaced this year

    @property
    def net(self) -> np.ndarray:
        """Net population change from migration."""
        return self.admitted + self.refugees_in - self.left - self.to_neighbours


def _no_flows(shape) -> Flows:
    zeros = np.zeros(shape)
    return Flows(zeros, zeros, zeros, zeros, zeros, zeros)


def _migration(pop, income, log_income, unemployment, poverty, turmoil, displaced, cap, asylum_acceptance, P, sw,
               ctx: Context, slots) -> Flows:
    shape = pop.shape
    stock, displaced_new, to_nb, desired, asylum, attract, room = (np.empty(shape) for _ in range(7))
    kernels.migration_setup(pop, income, log_income, unemployment, poverty, turmoil, displaced, cap, P, sw,
                            stock, displaced_new, to_nb, desired, asylum, attract, room)
    refugees_in = np.empty(shape)
    kt = ctx.refugee_kernel_t
    csr_rows(kt.indptr, kt.indices, kt.data, to_nb, refugees_in)
    left, admitted = np.empty(shape), np.empty(shape)
    share = np.ascontiguousarray(P[:, KP.migration_long_distance_share])
    _gravity(desired, asylum, attract, room, asylum_acceptance, ctx.migration_kernels, share,
             bool(sw[SW.migration_caps]), left, admitted, slots)
    return Flows(left, admitted, to_nb, refugees_in, stock, displaced_new)


def migration_flows(pop, income, unemployment, poverty, turmoil, displaced, cap, p, ctx: Context,
                    slots: np.ndarray | None = None, asylum_acceptance=None) -> Flows:
    """One year of M6 migration from the given (members, countries) inputs, as the step computes it.

    ``asylum_acceptance``: share of asylum claims each destination grants (default: the
    status-quo ``baseline_asylum_acceptance``).
    """
    if asylum_acceptance is None:
        asylum_acceptance = np.broadcast_to(p.baseline_asylum_acceptance, np.shape(pop))
    inputs = (pop, income, unemployment, poverty, turmoil, displaced, cap, asylum_acceptance)
    pop, income, unemployment, poverty, turmoil, displaced, cap, asylum_acceptance = (
        np.ascontiguousarray(a, dtype=np.float64) for a in inputs)
    return _migration(pop, income, np.log(income), unemployment, poverty, turmoil, displaced, cap, asylum_acceptance,
                      kernel_params(p), switch_vector(ctx.switches), ctx, slots)


def _gravity(desired, asylum, attract, room, acceptance, kernel_matrix, share, caps, left, admitted, slots):
    """The gravity rounds of M6 into ``left`` and ``admitted`` (matrix products between the passes).

    Economic migrants: one round under the caps, a second where room is left; asylum seekers:
    one round granted at each destination's asylum acceptance, outside the caps.
    """
    e, n = desired.shape
    both = np.empty((e, 2 * n))
    per_z, demand, accept, weighted = (np.empty((e, n)) for _ in range(4))

    def one_round(desired, attract, room, add, asylum_round=False):
        member_matmul(attract, kernel_matrix, out=both, slots=slots)
        kernels.alloc_per_z(desired, both, share, per_z)
        member_matmul(per_z, kernel_matrix, out=both, slots=slots)
        kernels.alloc_accept(attract, both, share, room, acceptance, asylum_round, demand, accept, weighted)
        member_matmul(weighted, kernel_matrix, out=both, slots=slots)
        kernels.alloc_done(per_z, both, share, demand, accept, left, admitted, add)

    one_round(desired, attract, room, False)
    if caps:
        free, desired2, attract2 = (np.empty((e, n)) for _ in range(3))
        kernels.alloc_second(room, admitted, desired, left, attract, free, desired2, attract2)
        one_round(desired2, attract2, free, True)
    one_round(asylum, attract, room, True, asylum_round=True)
