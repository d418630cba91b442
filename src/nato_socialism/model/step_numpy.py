"""The yearly step as plain array formulas: the readable specification of the fast step.

:func:`nato_socialism.model.step.step` computes the same year in compiled passes; the two give
the same bits (``tests/test_model_fast.py``). Change an equation here, in its mechanism module,
and in :mod:`nato_socialism.model.kernels` together.

One pure yearly step of the whole ensemble, with the "why" decomposition.

Order within a year (``t`` = years since the start):

0. scheduled events force regimes (scenario ``[[events]]``);
1. the doctrine requests controls from the observed state; moralist pressure turns them into
   applied controls; scheduled policy events override applied controls;
2. M11 growth, population and unemployment background; M8 aid adds recipients' growth;
3. M10 the post-transition output gap recovers;
4. M6 migration (emigration hump, refugees, gravity destinations, caps) moves people;
5. M7 integration capacity absorbs newcomers; inflow beyond it erodes the coalition;
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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from . import doctrines, moralism
from .context import CONSUMPTION_SHARE, POVERTY_LINE, Context
from .controls import Controls
from .mechanisms import (
    aid,
    background,
    delays,
    diffusion,
    integration,
    material_basis,
    migration,
    movement,
    organizer_relocation,
    reaction,
    scarcity,
    transition,
)
from .rng import normals, uniforms
from .state import Regime, State

CONTRIBUTIONS = ("M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10", "M11", "M12", "moralism", "clip")

# Regime events (codes stored per country-year) and the mechanism that drives each.
EVENTS = (
    ("none", ""),
    ("electoral_transition", "M3"),
    ("campaign", "M3"),
    ("reform", "M3"),
    ("democratization", "M11"),
    ("breakdown", "M11"),
    ("backsliding", "M9"),
    ("reversion", "M9"),
    ("electoral_loss", "M9"),
    ("degeneration", "M10"),
    ("collapse", "M11"),
    ("forced", "events"),
)
EVENT = {name: code for code, (name, _) in enumerate(EVENTS)}

# Random streams (one uniform per member, country and year each).
_S_GROWTH, _S_OCCUR, _S_WHICH, _S_TYPE, _S_SUCCESS, _S_OUTCOME = range(6)


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


def _override(applied: Controls, ctx: Context, t: int) -> Controls:
    """Apply scheduled policy events (NaN = none) to the applied controls."""
    changes = {}
    for name, table in ctx.policy_override.items():
        row = table[t]
        if np.isfinite(row).any():
            changes[name] = np.where(np.isnan(row), getattr(applied, name), row)
    return applied.replace(**changes) if changes else applied


def _enter_regimes(state: State, new_regime, socialist_gdp_share, p, ctx: Context, forced=None) -> State:
    """Side effects of regime changes: M10 output gap, moralist surge, years in regime.

    ``forced`` (boolean mask): the start-of-year application of scheduled events. Then only the
    forced countries are touched (the others have no regime change) and the moralists surge
    where a republic is entered (and vanish where one is left) without the yearly decay, which
    the end-of-year call (``forced=None``) applies exactly once to every country.
    """
    old = state.regime
    changed = new_regime != old
    became_soc = changed & (new_regime == Regime.DEMOCRATIC_SOCIALIST)
    became_bur = changed & (new_regime == Regime.BUREAUCRATIC)
    scar = state.scarcity
    if ctx.switches.on("scarcity"):
        shock = scarcity.transition_shock(socialist_gdp_share, p, ctx.switches.on("scarcity_sanctions"))
        scar = np.where(became_soc | became_bur, np.maximum(scar, shock), scar)
    socialist = new_regime == Regime.DEMOCRATIC_SOCIALIST
    if forced is None:
        mu = moralism.strength(state.moralist, became_soc, socialist, p)
    else:
        mu = np.where(forced, moralism.forced_strength(state.moralist, became_soc, socialist, p), state.moralist)
    years = np.where(changed, 0.0, state.years_in_regime)
    return state.replace(regime=new_regime.astype(np.int8), scarcity=scar, moralist=mu, years_in_regime=years)


def step(state: State, p, ctx: Context, spec: doctrines.DoctrineSpec, keys: np.ndarray) -> StepResult:
    """Advance every member one year. Pure: returns a new state and the decomposition."""
    sw = ctx.switches
    t = ctx.year_index(state.year)
    year = state.year
    n = ctx.n
    zeros = np.zeros_like(state.pop)

    gdp0 = state.gdppc * (1.0 - state.scarcity) * state.pop
    soc_share0 = diffusion.socialist_gdp_share(gdp0, state.regime == Regime.DEMOCRATIC_SOCIALIST)

    # 0. scheduled regime events
    forced = np.zeros(state.pop.shape, dtype=bool)
    if ctx.forced_regime is not None:
        row = ctx.forced_regime[t]
        forced = np.broadcast_to(row >= 0, state.pop.shape)
        if forced.any():
            state = _enter_regimes(state, np.where(forced, row, state.regime), soc_share0, p, ctx, forced)
    old_regime = state.regime
    soc = old_regime == Regime.DEMOCRATIC_SOCIALIST

    # 1. doctrine, moralist pressure, scheduled policies
    requested = doctrines.request(spec, state, ctx, p, t)
    applied, frustration = moralism.apply(requested, state.moralist, p, on=sw.on("moralism"))
    applied = _override(applied, ctx, t)
    breadth = applied.alliance_breadth if sw.on("movement_breadth") else zeros

    income = state.gdppc * (1.0 - state.scarcity)
    gdp = income * state.pop
    dS = {k: zeros for k in CONTRIBUTIONS}
    dR = {k: zeros for k in CONTRIBUTIONS}

    # 2. background economy and aid
    shock = normals(keys, year, _S_GROWTH, n)
    m11 = sw.on("background")
    g = background.growth(state.gdppc, t, shock, p) if m11 else zeros
    received = zeros
    aid_share = applied.aid_share if sw.on("aid") else zeros
    if sw.on("aid"):
        received = aid.received_share(aid_share, gdp, state.pop, state.poverty, income, soc, applied.aid_priority, p)
        if sw.on("aid_recipient_growth"):
            g = g + aid.growth_effect(received, p)
    gdppc = state.gdppc * np.exp(g)
    pop = state.pop * (1.0 + background.natural_population_growth(income, t, p)) if m11 else state.pop

    # 3. output gap recovery
    scar = scarcity.recover(state.scarcity, p) if sw.on("scarcity") else zeros

    # 4. migration
    if sw.on("migration"):
        flows = migration.migrate(
            pop, income, state.unemployment, state.poverty, state.turmoil, state.displaced,
            applied.immigration_cap, ctx, p, sw,
        )
        pop = pop + flows.net
        inflow, displaced = flows.inflow, flows.displaced
        displaced_new = flows.displaced - state.displaced * (1.0 - p.displacement_return_rate)
    else:
        inflow, displaced, displaced_new = zeros, state.displaced, zeros

    # 5. integration and erosion
    invest = applied.integration_investment if sw.on("integration") else zeros
    if sw.on("integration"):
        cap = integration.capacity(pop, state.unemployment, invest, p)
        unintegrated, integrated, excess = integration.integrate(state.unintegrated, inflow, cap, p)
    else:
        unintegrated, integrated, excess = state.unintegrated + inflow, zeros, zeros
    excess_share = excess / pop
    perceived = delays.smooth(state.perceived_excess, excess_share, p.perception_time, sw.on("delays"))
    coh = movement.cohesion(breadth, p)
    if sw.on("integration_erosion"):
        dS["M7"] = integration.erosion(perceived, coh, p)
    du = zeros
    if m11:
        du = background.unemployment_change(state.unemployment, ctx.structural_unemployment, soc, shock, p)
    if sw.on("integration_unemployment"):
        du = du + p.excess_unemployment_effect * excess_share
    unemployment = np.clip(state.unemployment + du, 0.005, 0.5)

    # 6. living standards, poverty, gaps against expectations (by channel)
    comp = {
        "M11": np.log(gdppc),
        "M10": np.log1p(-scar),
        "M8": aid.consumption_log(aid_share, received, p, sw.on("aid_donor_cost")),
        "M7": np.log1p(-invest),
    }
    expected = {
        "M11": state.expected_income,
        "M10": state.expected_scarcity,
        "M8": state.expected_aid,
        "M7": state.expected_investment,
    }
    gap = {k: comp[k] - expected[k] for k in comp}
    gap_total = gap["M11"] + gap["M10"] + gap["M8"] + gap["M7"]
    living = CONSUMPTION_SHARE * np.exp(comp["M11"] + comp["M10"] + comp["M8"] + comp["M7"])
    poverty = _poverty(living, ctx)

    # 7. movements and support
    griev = movement.grievance(state.unemployment, ctx.gini, state.growth, p)
    dm = zeros
    if sw.on("organizer_relocation"):
        dm = organizer_relocation.relocation(
            state.movement, state.pop, applied.relocation_rate, applied.relocation_target, p,
            sw.on("organizer_relocation_diminishing"),
        )
    if sw.on("movement"):
        dm = dm + movement.movement_change(state.movement, griev, state.democracy, soc, p)
        dS["M2"] = movement.support_change(state.support, state.movement, griev, breadth, p)
        if sw.on("movement_living_standard"):
            for k in gap:
                dS[k] = dS[k] + np.where(soc, p.living_standard_support * gap[k], 0.0)
    mov = np.clip(state.movement + dm, 1e-5, 0.5)

    # 8. diffusion
    multiplier = np.ones_like(pop)
    ddem = background.democracy_toward_regime(state.democracy, old_regime) if m11 else zeros
    if sw.on("diffusion"):
        s_n = diffusion.neighbour_share(ctx.neighbour_weights, soc) if sw.on("diffusion_neighbours") else zeros
        g_s = soc_share0 if sw.on("diffusion_superpower") else 0.0 * soc_share0
        multiplier = diffusion.hazard_multiplier(s_n, g_s, p)
        dS["M5"] = np.where(soc, 0.0, diffusion.support_pull(s_n, state.support, p))
        if sw.on("diffusion_democracy_drift"):
            ddem = ddem + diffusion.democracy_drift(ctx.neighbour_weights, state.democracy, p)
    democracy = np.clip(state.democracy + ddem, 0.0, 1.0)

    # 9. reaction
    recent = state.integrated_recent * (1.0 - 1.0 / p.contact_memory) + integrated
    if sw.on("reaction"):
        target = state.reaction_base
        if sw.on("reaction_immigration"):
            target = target + reaction.immigration_term(unintegrated / pop, state.unintegrated_share0, p)
        if sw.on("reaction_contact"):
            target = target + reaction.contact_term(recent / pop, p)
        dR["M9"] = p.reaction_adjust_rate * (target - state.reaction)
        if sw.on("reaction_living_standard"):
            push = reaction.living_standard_push(gap_total, p)
            safe = np.where(gap_total < 0, gap_total, 1.0)
            for k in gap:
                dR[k] = dR[k] + np.where(gap_total < 0, push * gap[k] / safe, 0.0)
    dS["moralism"] = moralism.support_cost(frustration, p)

    # 10. regime events
    # (a country forced this year keeps its forced regime: its hazards are zero)
    new_regime, event, failed, turmoil = _regime_events(
        state, old_regime, mov, income, democracy, breadth, multiplier, gap_total, keys, p, ctx, forced,
    )
    event = np.where(forced, EVENT["forced"], event).astype(np.int8)
    if failed.any():
        cost = p.campaign_failure_cost
        dS["M3"] = np.where(failed, -cost * state.support, 0.0)
        # the failure cost is applied inside the movement's bounds
        mov = np.where(failed, np.clip(mov * (1.0 - cost), 1e-5, 0.5), mov)

    # 11. clip, expectations
    s_raw = state.support + sum(dS.values())
    support = np.clip(s_raw, 0.0, 1.0)
    dS["clip"] = support - s_raw
    r_raw = state.reaction + sum(dR.values())
    react = np.clip(r_raw, 0.0, 1.0 - support)
    dR["clip"] = react - r_raw

    m12 = sw.on("delays")
    drift = p.frontier_growth if m11 else 0.0
    new = state.replace(
        year=year + 1,
        pop=pop,
        gdppc=gdppc,
        democracy=democracy,
        movement=mov,
        support=support,
        reaction=react,
        unemployment=unemployment,
        unintegrated=unintegrated,
        integrated_recent=recent,
        displaced=displaced,
        poverty=poverty,
        living=living,
        years_in_regime=state.years_in_regime + 1.0,
        scarcity=scar,
        aid_received=received,
        growth=g,
        expected_income=delays.smooth(state.expected_income, comp["M11"], p.expectation_time, m12, drift),
        expected_scarcity=delays.smooth(state.expected_scarcity, comp["M10"], p.expectation_time, m12),
        expected_aid=delays.smooth(state.expected_aid, comp["M8"], p.expectation_time, m12),
        expected_investment=delays.smooth(state.expected_investment, comp["M7"], p.expectation_time, m12),
        perceived_excess=perceived,
        turmoil=turmoil,
    )
    gdp_new = gdppc * (1.0 - scar) * pop
    new = _enter_regimes(new, new_regime, diffusion.socialist_gdp_share(gdp_new, soc), p, ctx)
    return StepResult(
        state=new, support=dS, reaction=dR, requested=requested, applied=applied, event=event,
        old_regime=old_regime, new_regime=new.regime, aid_received=received, displaced_new=displaced_new,
    )


def _poverty(living, ctx: Context):
    """Extreme-poverty share from living standards (lognormal, calibrated at the start)."""
    z = np.log(POVERTY_LINE / living) / ctx.poverty_sigma + ctx.poverty_sigma / 2.0 + ctx.poverty_offset
    return ndtr(z)


def _regime_events(state, regime, mov, income, democracy, breadth, multiplier, gap_total, keys, p, ctx, forced):
    """Resolve this year's regime changes with one competing-risk draw per country.

    ``forced``: countries forced by a scheduled event this year; all their hazards are zero.
    """
    sw = ctx.switches
    n, year = ctx.n, state.year
    shape = regime.shape
    z = np.zeros(shape)
    is_ = {r: regime == r for r in Regime}
    viable = transition.viability(movement.participation(state.movement, breadth, p), p)

    h = {name: z for name, _ in EVENTS[1:-1]}
    if sw.on("transition"):
        h["electoral_transition"] = np.where(
            is_[Regime.CAPITALIST_DEMOCRACY], transition.electoral_hazard(state.support, viable, multiplier, p), 0.0
        )
        if sw.on("transition_campaigns"):
            autocratic = is_[Regime.CAPITALIST_AUTOCRACY] | is_[Regime.REACTIONARY]
            h["campaign"] = np.where(autocratic, transition.campaign_hazard(state.support, viable, multiplier, p), 0.0)
        h["reform"] = np.where(is_[Regime.BUREAUCRATIC], transition.reform_hazard(viable, multiplier, p), 0.0)
    if sw.on("background"):
        h["democratization"] = np.where(
            is_[Regime.CAPITALIST_AUTOCRACY] | is_[Regime.REACTIONARY],
            background.democratization_hazard(income, p),
            0.0,
        )
        h["breakdown"] = np.where(is_[Regime.CAPITALIST_DEMOCRACY], background.breakdown_hazard(income, p), 0.0)
        h["collapse"] = np.where(is_[Regime.BUREAUCRATIC], background.bureaucratic_collapse_hazard(income, p), 0.0)
    if sw.on("reaction"):
        cd, ds = is_[Regime.CAPITALIST_DEMOCRACY], is_[Regime.DEMOCRATIC_SOCIALIST]
        h["backsliding"] = np.where(cd, reaction.backsliding_hazard(state.reaction, p), 0.0)
        h["reversion"] = np.where(ds, reaction.reversion_hazard(state.reaction, p), 0.0)
        h["electoral_loss"] = np.where(ds, reaction.electoral_loss_hazard(state.support, p), 0.0)
    if sw.on("scarcity"):
        h["degeneration"] = np.where(is_[Regime.DEMOCRATIC_SOCIALIST], scarcity.degeneration_hazard(gap_total, p), 0.0)

    names = [name for name, _ in EVENTS[1:-1]]
    stack = np.stack([np.where(forced, 0.0, np.broadcast_to(h[k], shape)) for k in names])
    total = stack.sum(axis=0)
    occurs = uniforms(keys, year, _S_OCCUR, n) < -np.expm1(-total)
    pick = uniforms(keys, year, _S_WHICH, n) * total
    which = (np.cumsum(stack, axis=0) < pick[None]).sum(axis=0)
    which = np.minimum(which, len(names) - 1)
    event = np.where(occurs, which + 1, 0)

    # campaigns: type and success (M3), then M4 outcome for every socialist transition
    nonviolent, success = transition.campaign_outcome(
        uniforms(keys, year, _S_TYPE, n), uniforms(keys, year, _S_SUCCESS, n), p
    )
    campaign = event == EVENT["campaign"]
    peaceful = np.where(campaign, nonviolent, True).astype(np.float64)
    if sw.on("material_basis"):
        p_dem = material_basis.democratic_probability(income, democracy, peaceful, p)
    else:
        p_dem = material_basis.democratic_probability(material_basis.REFERENCE_INCOME, 0.5, peaceful, p) + z
    democratic = uniforms(keys, year, _S_OUTCOME, n) < p_dem
    socialist_transition = (event == EVENT["electoral_transition"]) | (campaign & success)
    reform_ok = (event == EVENT["reform"]) & democratic

    new = regime.copy()
    new = np.where(socialist_transition, np.where(democratic, Regime.DEMOCRATIC_SOCIALIST, Regime.BUREAUCRATIC), new)
    new = np.where(reform_ok, Regime.DEMOCRATIC_SOCIALIST, new)
    new = np.where(event == EVENT["democratization"], Regime.CAPITALIST_DEMOCRACY, new)
    new = np.where(event == EVENT["electoral_loss"], Regime.CAPITALIST_DEMOCRACY, new)
    new = np.where(event == EVENT["breakdown"], Regime.CAPITALIST_AUTOCRACY, new)
    new = np.where(event == EVENT["collapse"], Regime.CAPITALIST_AUTOCRACY, new)
    new = np.where((event == EVENT["backsliding"]) | (event == EVENT["reversion"]), Regime.REACTIONARY, new)
    new = np.where(event == EVENT["degeneration"], Regime.BUREAUCRATIC, new)
    # an unsuccessful attempt is recorded as no change of regime
    event = np.where((event == EVENT["reform"]) & ~reform_ok, 0, event)
    failed = campaign & ~success
    turmoil = (
        (campaign & ~nonviolent)
        | (event == EVENT["reversion"])
        | (event == EVENT["collapse"])
        | (event == EVENT["breakdown"])
    ).astype(np.float64)
    return new.astype(np.int8), event.astype(np.int8), failed, turmoil
