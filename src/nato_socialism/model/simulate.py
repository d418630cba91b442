"""Running the step over a horizon: initialization, the yearly loop and its bookkeeping.

:func:`simulate_members` runs one block of members (a chunk) for one doctrine and returns
per-member yearly series (world and bloc level), event counters and, optionally, the full
country-year trajectories and decompositions of some members. Everything here is a pure
function of (context, parameters, member keys, doctrine), so chunks can run anywhere.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.special import expit, logit

from ..data.blocs import BLOC_IDS
from ..errors import UserError
from . import doctrines, kernels
from .compiled import evaluate, kernel_params
from .context import (
    CONSUMPTION_SHARE,
    POLICY_EVENTS,
    Blocmasks,
    Context,
    geography_kernels,
    initial_regime,
)
from .linalg import member_slots, single_threaded_blas
from .mechanisms import aid, background, migration
from .mechanisms import living as living_standards
from .mechanisms.living import poverty_calibration
from .parameters import Params, select_members
from .rng import normals
from .state import BUREAUCRATIC_AT_START, Regime, State
from .step import CONTRIBUTIONS, step
from .switches import Switches

#: Primary blocs in precedence order (brief, section 1).
PRIMARY_BLOCS = ("nato", "bric", "brics_plus", "periphery", "developing")
#: Variables kept in country-year trajectories.
TRAJECTORY_VARIABLES = (
    "pop", "gdppc", "democracy", "regime", "movement", "support", "incumbent_support", "reaction", "unemployment",
    "unintegrated", "displaced", "poverty", "living", "moralist", "scarcity",
)
#: Controls kept (requested and applied) in trajectories.
TRAJECTORY_CONTROLS = ("immigration_cap", "aid_share", "integration_investment", "alliance_breadth",
                       "asylum_acceptance")


@dataclass(frozen=True)
class Events:
    """Scheduled interventions, resolved to countries and years."""

    #: (year, iso3 index, regime code)
    regimes: tuple[tuple[int, int, int], ...] = ()
    #: (year, iso3 index, control name, value) applied from that year on
    policies: tuple[tuple[int, int, str, float], ...] = ()


def _check_event_years(events: Events, iso3, start_year: int, horizon: int) -> None:
    """Refuse scheduled events whose year would index the wrong row of the run's tables.

    A regime event must fall in a simulated year; a policy event (applied from its year on)
    must not start before the run (one after the end has no effect and is accepted).
    """
    last = start_year + horizon - 1
    for year, i, code in events.regimes:
        if not start_year <= year <= last:
            raise ValueError(f"scheduled regime event (year {year}, country {iso3[i]}, regime code {code}) "
                             f"is outside the simulated years {start_year}-{last}")
    for year, i, name, value in events.policies:
        if year < start_year:
            raise ValueError(f"scheduled policy event (year {year}, country {iso3[i]}, {name} = {value}) "
                             f"is before the simulated years {start_year}-{last}")


def build_context(world, blocs, start_year: int, horizon: int, switches: Switches | None = None,
                  events: Events | None = None) -> Context:
    """Constants of a run from the world, the blocs and the scheduled events.

    Raises ``ValueError`` for a scheduled regime event outside the simulated years
    ``start_year`` to ``start_year + horizon - 1``, or a policy event before ``start_year``.
    """
    events = events or Events()
    _check_event_years(events, world.iso3, start_year, horizon)
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
        blocs=Blocmasks(nato=nato, first_world=first_world, primary=primary, primary_ids=PRIMARY_BLOCS,
                        by_id={b: np.stack([blocs.mask(b, y) for y in years]) for b in BLOC_IDS}),
        switches=switches or Switches(),
        forced_regime=forced,
        policy_override=policy,
    )


#: Random streams of the initial draws, apart from the yearly streams of the step.
_S_INIT_SUPPORT, _S_INIT_REACTION, _S_INIT_REGIME = 1000, 1001, 1002
#: Starting vote shares are kept in [SHARE_FLOOR, 1 - SHARE_FLOOR] before the logit-scale noise: a
#: class with no party in the data (the sources list parties from about 5 % of the vote) still
#: has some voters.
SHARE_FLOOR = 0.01


def initial_politics(politics, regime: np.ndarray, p: Params, keys: np.ndarray, year: int):
    """Movement, coalition support and reactionary support at the start, each (members, countries).

    support = expit(logit(radical left + w * moderate left) + sd * z1) and
    reaction = min(expit(logit(radical right) + sd * z2), 1 - support), from the last free
    election before the start year (``politics``, :class:`~nato_socialism.data.parties.Politics`),
    with w = ``init_moderate_left_weight``, sd = ``init_politics_noise`` and z1, z2 standard normal
    per member and country (streams of the member's key, so every doctrine sees the same draw);
    movement = support * ``init_movement_per_support``, times ``init_movement_repression`` outside
    capitalist democracies.
    """
    n = len(politics.iso3)
    left = np.clip(politics.left(p.init_moderate_left_weight), SHARE_FLOOR, 1.0 - SHARE_FLOOR)
    right = np.clip(politics.radical_right, SHARE_FLOOR, 1.0 - SHARE_FLOOR)
    support = expit(logit(left) + p.init_politics_noise * normals(keys, year, _S_INIT_SUPPORT, n))
    reaction = expit(logit(right) + p.init_politics_noise * normals(keys, year, _S_INIT_REACTION, n))
    reaction = np.minimum(reaction, 1.0 - support)
    free = regime == Regime.CAPITALIST_DEMOCRACY
    movement = support * p.init_movement_per_support * np.where(free, 1.0, p.init_movement_repression)
    return movement, support, reaction


def initial_state(world, ctx: Context, p: Params, keys: np.ndarray) -> State:
    """State at the start year for every member (parameters shape the unobserved variables).

    ``keys`` (one per member, :func:`~nato_socialism.model.rng.member_keys`) draw the noise of
    the starting politics (:func:`initial_politics`).
    """
    e = p.adult_share.shape[0]
    n = ctx.n

    def tile(x):
        return np.tile(np.asarray(x, dtype=np.float64), (e, 1))

    regime = np.tile(initial_regime(np.asarray(world.regime_row), ctx.iso3, BUREAUCRATIC_AT_START), (e, 1))
    gdppc = tile(world.gdppc)
    pop = tile(world.population)
    movement, support, react = initial_politics(world.politics, regime, p, np.asarray(keys, dtype=np.uint64),
                                                ctx.start_year)
    unintegrated = tile(world.migrant_share) * pop * p.init_unintegrated_share
    first_world = ctx.blocs.first_world[0]
    aid0 = np.where(first_world, evaluate(aid.consumption_log, kernel_params(p), p.baseline_aid_share, 0.0, 1.0), 0.0)
    zeros = np.zeros((e, n))
    q = kernel_params(p)
    keys = np.asarray(keys, dtype=np.uint64)
    noise = ctx.switches.on("background_structural_noise")
    growth_regime = (evaluate(background.growth_regime_start, q, normals(keys, ctx.start_year, _S_INIT_REGIME, n))
                     if noise else zeros.copy())
    pop_growth = evaluate(background.start_population_growth, q, np.asarray(world.pop_growth, dtype=np.float64),
                          np.log(gdppc))
    diaspora = pop * p.init_diaspora_share
    # remittances already arrive at the start: expected, so they open no gap in the first year
    remit0 = (evaluate(migration.remittance_gain, kernel_params(p), diaspora, pop, gdppc)
              if ctx.switches.on("migration_remittances") else zeros)
    return State(
        year=ctx.start_year,
        pop=pop,
        gdppc=gdppc,
        democracy=tile(world.democracy),
        regime=regime.astype(np.int8),
        movement=movement,
        support=support,
        incumbent_support=np.where(regime == Regime.DEMOCRATIC_SOCIALIST, support,
                                   np.maximum(0.0, 1.0 - support - react)),
        reaction=react,
        unemployment=tile(np.clip(world.unemployment, *background.UNEMPLOYMENT_BOUNDS)),
        unintegrated=unintegrated,
        integrated_recent=zeros.copy(),
        displaced=tile(world.refugees_origin) / p.refugee_cross_border_share,
        diaspora=diaspora,
        poverty=tile(world.poverty),
        living=gdppc * CONSUMPTION_SHARE,
        years_in_regime=np.full((e, n), 10.0),
        moralist=zeros.copy(),
        scarcity=zeros.copy(),
        aid_received=zeros.copy(),
        growth=np.broadcast_to(p.frontier_growth, (e, n)).copy(),
        expected_income=np.log(gdppc),
        expected_aid=aid0 + zeros,
        expected_investment=remit0 + zeros,
        expected_scarcity=zeros.copy(),
        perceived_excess=zeros.copy(),
        turmoil=zeros.copy(),
        lost_office=zeros.copy(),
        growth_regime=growth_regime + zeros,
        pop_growth=pop_growth + zeros,
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


#: World-level series of a chunk, in the order of the compiled bookkeeping (kernels.record).
SERIES = ("world_pop", "demsoc_share", "bureaucratic_share", "reactionary_share", "first_world_demsoc_share",
          "first_world_living", "world_poverty", "displaced", "world_living", "autocracy_share",
          "world_poverty_upper")
#: Per-member counters over a run, in the order of kernels.count_events.
COUNTERS = ("transitions", "bureaucratic_outcomes", "reversions", "degenerations", "first_world_reversions",
            "first_world_degenerations", "first_world_demsoc_pop_years", "first_world_lost_pop_years",
            "electoral_losses", "campaigns", "first_world_electoral_losses", "socialist_country_years",
            "first_world_socialist_country_years", "deaths")
#: Members stepped together: small enough for the year's arrays to stay in cache and under
#: glibc's mmap threshold (128 KiB per array; Dask's nanny pins that threshold, and larger blocks
#: then run 2.5x slower in its workers), large enough that the per-step Python overhead is
#: spread thin. Results do not depend on it.
MEMBER_BLOCK = 64


def default_threads() -> int:
    """Threads :func:`simulate_members` uses by default: ``NATO_SOCIALISM_THREADS`` or all usable cores."""
    value = os.environ.get("NATO_SOCIALISM_THREADS", "").strip()
    if value:
        return max(1, int(value))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(threads: int) -> ThreadPoolExecutor:
    with _pools_lock:
        if threads not in _pools:
            _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="nato-socialism-sim")
        return _pools[threads]


#: State variables checked each year by the numerical guard (a NaN or inf anywhere propagates to them).
GUARDED = ("pop", "gdppc", "democracy", "movement", "support", "reaction", "unemployment", "unintegrated",
           "displaced", "living", "scarcity", "moralist")


def _finite(res) -> bool:
    """Cheap yearly check: one sum per guarded variable is finite iff every element is.

    Clipping hides a NaN in support or reaction (the compiled clip maps it into [0, 1]), but
    the clip contribution, clipped minus raw, stays NaN: so it is checked too.
    """
    total = sum(float(getattr(res.state, k).sum()) for k in GUARDED)
    total += float(res.support["clip"].sum()) + float(res.reaction["clip"].sum())
    return bool(np.isfinite(total))


class NumericalError(UserError):
    """A state became NaN or infinite: names the mechanism, country, year and member."""

    @classmethod
    def locate(cls, before: State, after, p: Params, ctx: Context, spec, keys, members, slots) -> NumericalError:
        """Name the variables, the first bad member and country, and the first non-finite contribution.

        The contributions are the step's own equations split by mechanism; a step run without
        its decomposition (``decompose=False``) is run again for that member with it.
        """
        bad = np.zeros(after.state.pop.shape, dtype=bool)
        variables = []
        checked = {k: getattr(after.state, k) for k in GUARDED}
        checked |= {"support (before clipping)": after.support["clip"],
                    "reaction (before clipping)": after.reaction["clip"]}
        for k, values in checked.items():
            nonfinite = ~np.isfinite(values)
            if nonfinite.any():
                variables.append(k)
            bad |= nonfinite
        row, col = (int(i[0]) for i in np.nonzero(bad))
        parts, at = after, row
        if set(after.support) != set(CONTRIBUTIONS):
            rows = slice(row, row + 1)
            with np.errstate(all="ignore"):
                parts = step(before.select(rows), select_members(p, rows), ctx, spec, keys[rows], slots[rows])
            at = 0
        mechanism = next(
            (k for k in CONTRIBUTIONS
             if not (np.isfinite(parts.support[k][at, col]) and np.isfinite(parts.reaction[k][at, col]))),
            None,
        )
        where = f"{ctx.iso3[col]}, year {before.year}, member {int(members[row])}"
        cause = (f"first non-finite contribution: {mechanism}" if mechanism
                 else "no support or reaction term was non-finite")
        return cls(
            f"numerical failure: {', '.join(variables)} became NaN or infinite in {where} ({cause}). "
            "Check the parameters of that member (a value outside its plausible range?); "
            "results computed before this chunk are kept."
        )


def simulate_members(ctx: Context, world, p: Params, keys: np.ndarray, members: np.ndarray,
                     spec: doctrines.DoctrineSpec, keep: int = 0, block: int = MEMBER_BLOCK,
                     threads: int | None = None, recorder=None) -> ChunkResult:
    """Run a block of members over the context's horizon for one doctrine.

    ``keep`` > 0 records full country-year trajectories and decompositions of the first
    ``keep`` members of the block. Members run in blocks of ``block`` through all years, the
    blocks spread over ``threads`` threads (default :func:`default_threads`; the compiled
    passes, NumPy and BLAS release the GIL). A member's numbers do not depend on the others,
    so blocking and threads change nothing but speed. BLAS runs on one thread meanwhile (see
    :mod:`~nato_socialism.model.linalg`).

    ``recorder``, if given, is called as ``recorder(t, rows, state)`` with the state of the
    members ``rows`` (a slice of the block's rows) at year index ``t`` = 0 .. horizon; it must
    write only those rows (blocks run concurrently).
    """
    years = ctx.horizon
    e = int(np.asarray(keys).shape[0])
    n = ctx.n
    series3 = np.zeros((len(SERIES), e, years + 1))
    bloc_share = np.zeros((e, years + 1, len(PRIMARY_BLOCS)))
    counters2 = np.zeros((len(COUNTERS), e))
    trajectories = {}
    why = {}
    if keep:
        trajectories = {k: np.zeros((keep, years + 1, n)) for k in TRAJECTORY_VARIABLES}
        for c in TRAJECTORY_CONTROLS:
            trajectories["requested_" + c] = np.zeros((keep, years, n))
            trajectories["applied_" + c] = np.zeros((keep, years, n))
        trajectories["event"] = np.zeros((keep, years, n))
        why = {k: np.zeros((keep, years, len(CONTRIBUTIONS), n)) for k in ("support", "reaction")}
    blocs = ctx.blocs
    first_world = np.ascontiguousarray(blocs.first_world)
    primary = np.ascontiguousarray(blocs.primary, dtype=np.int64)
    slots_all = member_slots(members)

    def run_block(lo: int):
        hi = min(e, lo + block)
        sel = slice(lo, hi)
        kb = max(0, min(keep, hi) - lo)  # kept members in this block
        pb = p if (lo == 0 and hi == e) else select_members(p, sel)
        kb_keys = np.ascontiguousarray(keys[sel], dtype=np.uint64)
        kp = kernel_params(pb)  # the death rates of count_events
        slots = slots_all[sel]
        rows = np.empty((2, len(PRIMARY_BLOCS)))
        upper = np.empty((hi - lo, n))
        state = initial_state(world, ctx, pb, kb_keys)
        s3 = series3[:, sel]
        bs = bloc_share[sel]
        cnt = counters2[:, sel]
        ever = np.zeros((hi - lo, n), dtype=np.bool_)

        def record(t, s: State):
            kernels.upper_poverty_scores(s.living, ctx.poverty_sigma, ctx.poverty_offset, upper)
            living_standards.poverty(upper, out=upper)
            kernels.record(t, s.pop, s.regime, s.living, s.poverty, upper, s.displaced, first_world[t], primary[t],
                           len(PRIMARY_BLOCS), s3, bs, rows)
            if kb:
                for k in TRAJECTORY_VARIABLES:
                    trajectories[k][lo : lo + kb, t] = getattr(s, k)[:kb]
            if recorder is not None:
                recorder(t, sel, s)

        record(0, state)
        for t in range(years):
            res = step(state, pb, ctx, spec, kb_keys, slots, decompose=kb > 0)
            if not _finite(res):
                raise NumericalError.locate(state, res, pb, ctx, spec, kb_keys, members[sel], slots)
            state = res.state
            kernels.count_events(res.old_regime, res.new_regime, res.event, state.turmoil, state.pop, first_world[t],
                                 first_world[t + 1], ever, kp, cnt)
            if kb:
                for c in TRAJECTORY_CONTROLS:
                    trajectories["requested_" + c][lo : lo + kb, t] = getattr(res.requested, c)[:kb]
                    trajectories["applied_" + c][lo : lo + kb, t] = getattr(res.applied, c)[:kb]
                trajectories["event"][lo : lo + kb, t] = res.event[:kb]
                for i, k in enumerate(CONTRIBUTIONS):
                    why["support"][lo : lo + kb, t, i] = res.support[k][:kb]
                    why["reaction"][lo : lo + kb, t, i] = res.reaction[k][:kb]
            record(t + 1, state)

    threads = default_threads() if threads is None else max(1, int(threads))
    if threads > 1:  # small chunks: smaller blocks so that every thread has one
        block = min(block, max(16, -(-e // threads)))
    starts = list(range(0, e, block))
    threads = min(threads, len(starts))
    with single_threaded_blas():
        if threads <= 1:
            for lo in starts:
                run_block(lo)
        else:
            for future in [_pool(threads).submit(run_block, lo) for lo in starts]:
                future.result()
    series = {k: series3[i] for i, k in enumerate(SERIES)}
    counters = {k: counters2[i] for i, k in enumerate(COUNTERS)}
    return ChunkResult(members=np.asarray(members), series=series, bloc_share=bloc_share, counters=counters,
                       trajectories=trajectories, why=why)
