"""Running the step over a horizon: initialization, the yearly loop and its bookkeeping.

:func:`simulate_members` runs one block of members (a chunk) for one doctrine and returns
per-member yearly series (world and bloc level), event counters and, optionally, the full
country-year trajectories and decompositions of some members. Everything here is a pure
function of (context, parameters, member keys, doctrine), so chunks can run anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from . import doctrines
from .context import CONSUMPTION_SHARE, POLICY_EVENTS, Blocmasks, Context, geography_kernels, initial_regime
from .context import poverty_calibration
from .parameters import Params
from .state import BUREAUCRATIC_AT_START, Regime, State
from .step import CONTRIBUTIONS, step
from .switches import Switches

#: Primary blocs in precedence order (brief, section 1).
PRIMARY_BLOCS = ("nato", "bric", "brics_plus", "periphery", "developing")
#: Variables kept in country-year trajectories.
TRAJECTORY_VARIABLES = (
    "pop", "gdppc", "democracy", "regime", "movement", "support", "reaction", "unemployment",
    "unintegrated", "displaced", "poverty", "living", "moralist", "scarcity",
)
#: Controls kept (requested and applied) in trajectories.
TRAJECTORY_CONTROLS = ("immigration_cap", "aid_share", "integration_investment", "alliance_breadth")


@dataclass(frozen=True)
class Events:
    """Scheduled interventions, resolved to countries and years."""

    #: (year, iso3 index, regime code)
    regimes: tuple[tuple[int, int, int], ...] = ()
    #: (year, iso3 index, control name, value) applied from that year on
    policies: tuple[tuple[int, int, str, float], ...] = ()


def build_context(world, blocs, start_year: int, horizon: int, switches: Switches | None = None,
                  events: Events | None = None) -> Context:
    """Constants of a run from the world, the blocs and the scheduled events."""
    events = events or Events()
    years = range(start_year, start_year + horizon + 1)
    nato = np.stack([blocs.mask("nato", y) for y in years])
    first_world = np.stack([blocs.mask("first_world", y) for y in years])
    primary = np.stack([np.array([PRIMARY_BLOCS.index(b) for b in blocs.primary(y)]) for y in years])
    consumption0 = world.gdppc * CONSUMPTION_SHARE
    sigma, offset = poverty_calibration(world.gini, world.poverty, consumption0)
    neighbours, refugee, kernels = geography_kernels(world.neighbours, world.distance_km)
    n = len(world.iso3)
    forced = None
    if events.regimes:
        forced = np.full((horizon, n), -1, dtype=np.int8)
        for year, i, code in events.regimes:
            forced[year - start_year, i] = code
    policy = {}
    for year, i, name, value in sorted(events.policies):
        table = policy.setdefault(name, np.full((horizon, n), np.nan))
        table[year - start_year :, i] = value
    assert set(policy) <= set(POLICY_EVENTS)
    return Context(
        iso3=tuple(world.iso3),
        start_year=start_year,
        horizon=horizon,
        gini=np.asarray(world.gini, dtype=np.float64),
        poverty_sigma=sigma,
        poverty_offset=offset,
        structural_unemployment=np.asarray(world.unemployment, dtype=np.float64),
        neighbour_weights=neighbours,
        refugee_kernel=refugee,
        refugee_kernel_t=sparse.csr_matrix(refugee.T),
        migration_kernels=kernels,
        blocs=Blocmasks(nato=nato, first_world=first_world, primary=primary, primary_ids=PRIMARY_BLOCS),
        switches=switches or Switches(),
        forced_regime=forced,
        policy_override=policy,
    )


def initial_state(world, ctx: Context, p: Params) -> State:
    """State at the start year for every member (parameters shape the unobserved variables)."""
    e = p.adult_share.shape[0]
    n = ctx.n

    def tile(x):
        return np.tile(np.asarray(x, dtype=np.float64), (e, 1))

    regime = np.tile(initial_regime(np.asarray(world.regime_row), ctx.iso3, BUREAUCRATIC_AT_START), (e, 1))
    democratic = regime == Regime.CAPITALIST_DEMOCRACY
    gdppc = tile(world.gdppc)
    pop = tile(world.population)
    movement = np.where(democratic, p.init_movement_democracy, p.init_movement_autocracy)
    support = np.where(democratic, p.init_support_democracy, p.init_support_autocracy)
    support = np.clip(support + p.init_support_income_slope * np.log(gdppc / 20000.0), 0.01, 0.6)
    react = np.where(democratic, p.init_reaction_democracy, p.init_reaction_autocracy) + np.zeros((e, n))
    react = np.minimum(react, 1.0 - support)
    unintegrated = tile(world.migrant_share) * pop * p.init_unintegrated_share
    first_world = ctx.blocs.first_world[0]
    aid0 = np.where(first_world, np.log1p(-p.baseline_aid_share), 0.0)
    zeros = np.zeros((e, n))
    return State(
        year=ctx.start_year,
        pop=pop,
        gdppc=gdppc,
        democracy=tile(world.democracy),
        regime=regime.astype(np.int8),
        movement=movement + zeros,
        support=support,
        reaction=react,
        unemployment=tile(np.clip(world.unemployment, 0.005, 0.5)),
        unintegrated=unintegrated,
        integrated_recent=zeros.copy(),
        displaced=tile(world.refugees_origin) / p.refugee_cross_border_share,
        poverty=tile(world.poverty),
        living=gdppc * CONSUMPTION_SHARE,
        years_in_regime=np.full((e, n), 10.0),
        moralist=zeros.copy(),
        scarcity=zeros.copy(),
        aid_received=zeros.copy(),
        growth=np.broadcast_to(p.frontier_growth, (e, n)).copy(),
        expected_income=np.log(gdppc),
        expected_aid=aid0 + zeros,
        expected_investment=zeros.copy(),
        expected_scarcity=zeros.copy(),
        perceived_excess=zeros.copy(),
        turmoil=zeros.copy(),
        reaction_base=react.copy(),
        unintegrated_share0=unintegrated / pop,
    )


@dataclass
class ChunkResult:
    """What a block of members produced for one doctrine."""

    members: np.ndarray
    #: name -> (members, years + 1) world-level series at the start of each year and the end
    series: dict[str, np.ndarray]
    #: (members, years + 1, blocs) democratic socialist population share per primary bloc
    bloc_share: np.ndarray
    #: name -> (members,) counts over the run
    counters: dict[str, np.ndarray]
    #: optional per-member country-year records: name -> (kept, years + 1, countries)
    trajectories: dict[str, np.ndarray] = field(default_factory=dict)
    #: optional decompositions: "support"/"reaction" -> (kept, years, contributions, countries)
    why: dict[str, np.ndarray] = field(default_factory=dict)


def _weighted(x, w, mask=None):
    if mask is not None:
        w = np.where(mask, w, 0.0)
    total = w.sum(axis=1)
    return np.divide((x * w).sum(axis=1), total, out=np.zeros_like(total), where=total > 0)


def simulate_members(ctx: Context, world, p: Params, keys: np.ndarray, members: np.ndarray,
                     spec: doctrines.DoctrineSpec, keep: int = 0) -> ChunkResult:
    """Run a block of members over the context's horizon for one doctrine.

    ``keep`` > 0 records full country-year trajectories and decompositions of the first
    ``keep`` members of the block.
    """
    state = initial_state(world, ctx, p)
    years = ctx.horizon
    e, n = state.pop.shape
    names = ("world_pop", "demsoc_share", "bureaucratic_share", "reactionary_share", "first_world_demsoc_share",
             "first_world_living", "world_poverty", "displaced", "world_living")
    series = {k: np.zeros((e, years + 1)) for k in names}
    bloc_share = np.zeros((e, years + 1, len(PRIMARY_BLOCS)))
    counter_names = ("transitions", "bureaucratic_outcomes", "reversions", "degenerations",
                     "first_world_reversions", "first_world_degenerations", "first_world_demsoc_pop_years",
                     "first_world_lost_pop_years", "electoral_losses", "campaigns")
    counters = {k: np.zeros(e) for k in counter_names}
    ever_first_world_soc = np.zeros((e, n), dtype=bool)
    trajectories = {}
    why = {}
    if keep:
        trajectories = {k: np.zeros((keep, years + 1, n)) for k in TRAJECTORY_VARIABLES}
        for c in TRAJECTORY_CONTROLS:
            trajectories["requested_" + c] = np.zeros((keep, years, n))
            trajectories["applied_" + c] = np.zeros((keep, years, n))
        trajectories["event"] = np.zeros((keep, years, n))
        why = {k: np.zeros((keep, years, len(CONTRIBUTIONS), n)) for k in ("support", "reaction")}

    def record(t, s: State):
        pop = s.pop
        soc = s.regime == Regime.DEMOCRATIC_SOCIALIST
        fw = np.broadcast_to(ctx.blocs.first_world[t], pop.shape)
        series["world_pop"][:, t] = pop.sum(axis=1)
        series["demsoc_share"][:, t] = _weighted(soc, pop)
        series["bureaucratic_share"][:, t] = _weighted(s.regime == Regime.BUREAUCRATIC, pop)
        series["reactionary_share"][:, t] = _weighted(s.regime == Regime.REACTIONARY, pop)
        series["first_world_demsoc_share"][:, t] = _weighted(soc, pop, fw)
        series["first_world_living"][:, t] = _weighted(s.living, pop, fw)
        series["world_poverty"][:, t] = _weighted(s.poverty, pop)
        series["world_living"][:, t] = _weighted(s.living, pop)
        series["displaced"][:, t] = s.displaced.sum(axis=1)
        primary = ctx.blocs.primary[t]
        for b in range(len(PRIMARY_BLOCS)):
            bloc_share[:, t, b] = _weighted(soc, pop, np.broadcast_to(primary == b, pop.shape))
        if keep:
            for k in TRAJECTORY_VARIABLES:
                trajectories[k][:, t] = getattr(s, k)[:keep]

    record(0, state)
    for t in range(years):
        res = step(state, p, ctx, spec, keys)
        old, new = res.old_regime, res.new_regime
        fw = np.broadcast_to(ctx.blocs.first_world[t], old.shape)
        left_soc = (old == Regime.DEMOCRATIC_SOCIALIST) & (new != Regime.DEMOCRATIC_SOCIALIST)
        reverted = left_soc & (new != Regime.BUREAUCRATIC)
        degenerated = left_soc & (new == Regime.BUREAUCRATIC)
        entered = (new != old) & ((new == Regime.DEMOCRATIC_SOCIALIST) | (new == Regime.BUREAUCRATIC))
        entered &= (old != Regime.DEMOCRATIC_SOCIALIST)
        counters["transitions"] += (entered & (new == Regime.DEMOCRATIC_SOCIALIST)).sum(axis=1)
        counters["bureaucratic_outcomes"] += (entered & (new == Regime.BUREAUCRATIC) & (old != Regime.BUREAUCRATIC)).sum(axis=1)
        counters["reversions"] += reverted.sum(axis=1)
        counters["degenerations"] += degenerated.sum(axis=1)
        counters["first_world_reversions"] += (reverted & fw).sum(axis=1)
        counters["first_world_degenerations"] += (degenerated & fw).sum(axis=1)
        counters["electoral_losses"] += (left_soc & (new == Regime.CAPITALIST_DEMOCRACY)).sum(axis=1)
        counters["campaigns"] += (res.event == 2).sum(axis=1)
        state = res.state
        soc_now = state.regime == Regime.DEMOCRATIC_SOCIALIST
        fw_next = np.broadcast_to(ctx.blocs.first_world[t + 1], old.shape)
        ever_first_world_soc |= soc_now & fw_next
        counters["first_world_demsoc_pop_years"] += np.where(soc_now & fw_next, state.pop, 0.0).sum(axis=1)
        counters["first_world_lost_pop_years"] += np.where(ever_first_world_soc & ~soc_now & fw_next, state.pop, 0.0).sum(axis=1)
        if keep:
            for c in TRAJECTORY_CONTROLS:
                trajectories["requested_" + c][:, t] = getattr(res.requested, c)[:keep]
                trajectories["applied_" + c][:, t] = getattr(res.applied, c)[:keep]
            trajectories["event"][:, t] = res.event[:keep]
            for i, k in enumerate(CONTRIBUTIONS):
                why["support"][:, t, i] = res.support[k][:keep]
                why["reaction"][:, t, i] = res.reaction[k][:keep]
        record(t + 1, state)
    return ChunkResult(members=np.asarray(members), series=series, bloc_share=bloc_share, counters=counters,
                       trajectories=trajectories, why=why)
