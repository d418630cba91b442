"""The compiled passes of the yearly step: loops over members and countries that call the equations.

The equations live in the mechanism modules (``mechanisms/*.py``), :mod:`~.moralism` and
:mod:`~.doctrine_rule`, written once as compiled scalar functions; this module only arranges
them into a few fused loops, in the order of the year documented in
:mod:`nato_socialism.model.step`, and keeps the books: which contribution goes to which
mechanism, which regime an event leads to, which hazard applies in which regime. It restates
no equation. A member's numbers never depend on the other members (every loop is per
member), so results are the same whatever the chunking.

Passes of a year: :func:`forced_regimes` (scheduled events, rare), :func:`controls` (doctrine,
moralist pressure, policy events), :func:`economy` (growth, aid, population, output gap),
:func:`migration_setup` (emigrants, refugees, destinations), the gravity rounds of M6
(:func:`alloc_per_z`, :func:`alloc_accept`, :func:`alloc_done`, :func:`alloc_second`, between
matrix products made by :mod:`~nato_socialism.model.step`), and :func:`society` (integration, living standards,
movements, support, diffusion, reaction, regime events, clipping, expectations). Then the
run's bookkeeping (:func:`record`, :func:`count_events`).

Switches arrive as a boolean vector indexed by :data:`SW` (``sw[SW.migration]``); the
doctrine's rule as the vector of :func:`~nato_socialism.model.doctrine_rule.spec_vector`.
"""

from __future__ import annotations

import math
from collections import namedtuple

from . import moralism
from .compiled import BU, CA, CD, DS, RE, clip, equation, kernel
from .doctrine_rule import request
from .mechanisms import (
    aid,
    background,
    delays,
    diffusion,
    integration,
    living,
    material_basis,
    migration,
    movement,
    organizer_relocation,
    reaction,
    scarcity,
    transition,
)
from .rng import uniform
from .switches import ALL_SWITCHES

#: Names of the parts of every support and reaction change (``step`` returns one array each).
CONTRIBUTIONS = ("M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10", "M11", "M12", "moralism", "clip")
#: Regime events (codes stored per country-year) and the mechanism that drives each.
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
    ("re_entry", "M3"),
)
EVENT = {name: code for code, (name, _) in enumerate(EVENTS)}
_ELECTORAL, _CAMPAIGN, _REFORM = EVENT["electoral_transition"], EVENT["campaign"], EVENT["reform"]
_DEMOCRATIZATION, _BREAKDOWN, _BACKSLIDING = EVENT["democratization"], EVENT["breakdown"], EVENT["backsliding"]
_REVERSION, _LOSS, _DEGENERATION = EVENT["reversion"], EVENT["electoral_loss"], EVENT["degeneration"]
_COLLAPSE, _FORCED, _RE_ENTRY = EVENT["collapse"], EVENT["forced"], EVENT["re_entry"]
_HAZARDS = 10  # events 1-10 compete in the yearly draw (forced and re-entry are not drawn)

#: Contributions that can be non-zero, in the order of their planes in the ``ds`` (support)
#: and ``dr`` (reaction) arrays of :func:`society`; the others are always zero.
SUPPORT_PARTS = ("M2", "M3", "M5", "M7", "M8", "M10", "M11", "moralism", "clip")
REACTION_PARTS = ("M7", "M8", "M9", "M10", "M11", "clip")
_S_M2, _S_M3, _S_M5, _S_M7, _S_M8, _S_M10, _S_M11, _S_MORALISM, _S_CLIP = range(len(SUPPORT_PARTS))
_R_M7, _R_M8, _R_M9, _R_M10, _R_M11, _R_CLIP = range(len(REACTION_PARTS))

#: Position of each mechanism switch and term in the switch vector of the passes.
SW = namedtuple("SW", ALL_SWITCHES)(*range(len(ALL_SWITCHES)))


# ----------------------------------------------------------------------------- regime changes
@equation
def transition_kind(ev, violent):
    """M10's kind of a transition from its event code: electoral, violent campaign, else nonviolent."""
    if ev == _ELECTORAL:
        return scarcity.ELECTORAL
    return scarcity.VIOLENT if (ev == _CAMPAIGN and violent > 0.0) else scarcity.NONVIOLENT


@equation
def enter_regime(old, new, ev, violent, scar, mu, years, gdp_share, forced, sw, q):
    """Side effects of a regime change: (output gap, moralist strength, years in regime).

    M10 opens an output gap at a transition into democratic socialism or a bureaucratic
    regime, sized by the transition's kind (``ev``: event code, ``violent``: its turmoil);
    moralists surge in a new republic and vanish outside republics (they decay once a
    year, at the end of it, not at a forced change); the regime clock restarts. A re-entry
    (a coalition voted out returning by election) is no revolution: no gap, no surge.
    """
    changed = new != old
    reentry = ev == _RE_ENTRY
    if sw[SW.scarcity] and changed and (new == DS or new == BU) and not reentry:
        scar = max(scar, scarcity.transition_shock(gdp_share, sw[SW.scarcity_sanctions], transition_kind(ev, violent),
                                                   sw[SW.scarcity_transition_kind], q))
    became_socialist = changed and new == DS and not reentry
    if forced:
        mu = moralism.forced_strength(mu, became_socialist, new == DS, q)
    else:
        mu = moralism.strength(mu, became_socialist, new == DS, q)
    return scar, mu, 0.0 if changed else years


@kernel
def forced_regimes(row, soc_share, P, sw, regime, scarcity_, moralist, years):
    """Apply the scheduled regime events of a year (``row``: regime code per country, -1: none) in place."""
    for m in range(regime.shape[0]):
        q = P[m]
        for j in range(row.shape[0]):
            if row[j] >= 0:
                new = row[j]
                scarcity_[m, j], moralist[m, j], years[m, j] = enter_regime(
                    regime[m, j], new, _FORCED, 0.0, scarcity_[m, j], moralist[m, j], years[m, j], soc_share[m], True,
                    sw, q)
                regime[m, j] = new


# ----------------------------------------------------------------------------- 1. controls
@kernel
def gdp_shares(gdppc, scar, pop, regime, out, scratch):
    """The socialist share of world GDP of every member (M5's ``G_s``, also sizing M10's shock)."""
    for m in range(pop.shape[0]):
        out[m] = diffusion.socialist_gdp_share(gdppc[m], scar[m], pop[m], regime[m], scratch)


@kernel
def controls(gdppc, scar, pop, regime, unemp, support, reaction, moralist, target, first_world, s,
             override_cap, override_aid, override_invest, P, sw,
             rate, cap_req, invest_req, aid_req, prio, asylum, cap_app, aid_app, invest_app, frustration,
             income, log_income, gdp, thin):
    """Requested controls (doctrine rule), applied ones (moralist pressure, policy events), income, GDP.

    The override rows hold the controls fixed by scheduled policy events (NaN: none).
    """
    e, n = pop.shape
    moralism_on = sw[SW.moralism]
    for m in range(e):
        q = P[m]
        request(regime[m], first_world, target, pop[m], unemp[m], support[m], reaction[m], s, q,
                rate[m], cap_req[m], invest_req[m], aid_req[m], prio[m], asylum[m], thin)
        for j in range(n):
            if moralism_on:
                cap, aid_, frustration[m, j] = moralism.apply(cap_req[m, j], aid_req[m, j], moralist[m, j], q)
            else:
                cap, aid_, frustration[m, j] = cap_req[m, j], aid_req[m, j], 0.0
            cap_app[m, j] = cap if math.isnan(override_cap[j]) else override_cap[j]
            aid_app[m, j] = aid_ if math.isnan(override_aid[j]) else override_aid[j]
            invest_app[m, j] = invest_req[m, j] if math.isnan(override_invest[j]) else override_invest[j]
            y = scarcity.output(gdppc[m, j], scar[m, j])
            income[m, j] = y
            log_income[m, j] = math.log(y)  # shared by the equations of income (M6, M11)
            gdp[m, j] = y * pop[m, j]


# ----------------------------------------------------------------------------- 2-4. economy
@kernel
def economy(gdppc, scar, pop, poverty, regime, income, log_income, gdp, aid_share, prio, shock, soc_share, t,
            diaspora, growth_regime, pop_rate, regime_shock, pop_shock, P, sw, received, g, pop1, gdppc1, log_gdppc1,
            scar1, growth_regime1, pop_rate1, scratch):
    """M11 growth and population, M8 aid received and its growth effect, M6 brain drain, M10 output-gap recovery."""
    e, n = pop.shape
    aid_on, aid_growth_on = sw[SW.aid], sw[SW.aid_recipient_growth]
    brain_drain_on = sw[SW.migration_brain_drain]
    m11, scarcity_on = sw[SW.background], sw[SW.scarcity]
    noise_on = sw[SW.background_structural_noise]
    bloc_duration_on = sw[SW.scarcity_bloc_duration]
    for m in range(e):
        q = P[m]
        if aid_on:
            aid.allocate(aid_share[m], gdp[m], prio[m], pop[m], poverty[m], income[m], regime[m], q, scratch,
                         received[m])
        else:
            received[m, :] = 0.0
        log_frontier = background.log_frontier(t, q)
        for j in range(n):
            log_gdppc = log_income[m, j] - living.scarcity_channel(scar[m, j])  # income = gdppc (1 - s)
            v = growth_regime[m, j] if noise_on else 0.0
            gj = background.growth(log_gdppc, log_frontier, v, shock[m, j], q) if m11 else 0.0
            if aid_on and aid_growth_on:
                gj = gj + aid.growth_effect(received[m, j], q)
            if brain_drain_on:
                gj = gj + migration.brain_drain(diaspora[m, j], pop[m, j], q)
            g[m, j] = gj
            gdppc1[m, j] = gdppc[m, j] * math.exp(gj)
            log_gdppc1[m, j] = log_gdppc + gj  # M11's living-standard channel, ln y
            if m11:
                nj = background.natural_population_growth(pop_rate[m, j], log_income[m, j], t,
                                                          pop_shock[m, j] if noise_on else 0.0, q)
                pop1[m, j] = pop[m, j] * (1.0 + nj)
                pop_rate1[m, j] = nj
                growth_regime1[m, j] = background.growth_regime_next(v, regime_shock[m, j], q) if noise_on else v
            else:
                pop1[m, j] = pop[m, j]
                pop_rate1[m, j] = pop_rate[m, j]
                growth_regime1[m, j] = growth_regime[m, j]
            scar1[m, j] = scarcity.recover(scar[m, j], soc_share[m], bloc_duration_on, q) if scarcity_on else 0.0


@kernel
def migration_setup(pop, income, log_income, unemp, poverty, turmoil, displaced, cap, P, sw,
                    stock, displaced_new, to_neighbours, desired, asylum, attract, room):
    """M6 before the gravity rounds: emigrants, asylum seekers, refugees, displaced stock, attractiveness, room."""
    e, n = pop.shape
    economic_on, refugees_on, caps_on = sw[SW.migration_economic], sw[SW.migration_refugees], sw[SW.migration_caps]
    for m in range(e):
        q = P[m]
        for j in range(n):
            p = pop[m, j]
            u = unemp[m, j]
            econ = migration.economic_emigration(income[m, j], u, p, q) if economic_on else 0.0
            new = migration.new_displaced(p, poverty[m, j], turmoil[m, j], q) if refugees_on else 0.0
            displaced_new[m, j] = new
            stock[m, j] = migration.displaced_stock(displaced[m, j], new, q)
            crossing, hosted = migration.refugees(new, q)
            to_neighbours[m, j] = hosted
            desired[m, j] = econ
            asylum[m, j] = migration.asylum_seekers(crossing, hosted)
            attract[m, j] = migration.attractiveness(log_income[m, j], u, q)
            room[m, j] = migration.room(cap[m, j], p, caps_on)


@kernel
def alloc_per_z(desired, both, share, per_z):
    """Gravity round, part 1: desired emigrants per unit of attraction (``both``: products with the kernels)."""
    e, n = desired.shape
    for m in range(e):
        for j in range(n):
            per_z[m, j] = migration.per_attraction(desired[m, j], migration.kernel_mix(share[m], both[m, j],
                                                                                        both[m, n + j]))


@kernel
def alloc_accept(attract, both, share, room, granted, asylum, demand, accept, weighted):
    """Gravity round, part 2: demand at each destination and the share it accepts.

    Economic migrants: the share its room allows; asylum seekers (``asylum``): the share
    ``granted`` (its asylum acceptance), whatever the room.
    """
    e, n = attract.shape
    for m in range(e):
        for j in range(n):
            d = attract[m, j] * migration.kernel_mix(share[m], both[m, j], both[m, n + j])
            a = migration.asylum_granted(granted[m, j]) if asylum else migration.acceptance(d, room[m, j])
            demand[m, j] = d
            accept[m, j] = a
            weighted[m, j] = attract[m, j] * a


@kernel
def alloc_done(per_z, both, share, demand, accept, left, admitted, add):
    """Gravity round, part 3: emigrants who left and immigrants admitted (added to the first round's if ``add``)."""
    e, n = per_z.shape
    for m in range(e):
        for j in range(n):
            lv = per_z[m, j] * migration.kernel_mix(share[m], both[m, j], both[m, n + j])
            ad = demand[m, j] * accept[m, j]
            left[m, j] = left[m, j] + lv if add else lv
            admitted[m, j] = admitted[m, j] + ad if add else ad


@kernel
def alloc_second(room, admitted, desired, left, attract, free, desired2, attract2):
    """Inputs of the second gravity round (migrants refused by a cap try once more where room is left)."""
    e, n = room.shape
    for m in range(e):
        for j in range(n):
            free[m, j], desired2[m, j], attract2[m, j] = migration.second_round(
                room[m, j], admitted[m, j], desired[m, j], left[m, j], attract[m, j])


# ----------------------------------------------------------------------------- 5-11. society
@equation
def hazards(r, support, react, mov, breadth, multiplier, income, gap_total, democracy, democratic_neighbours, sw,
            q):
    """The competing hazards of events 1-10 (EVENTS order) for one country: which applies in which regime.

    ``democracy``: the level at the start of the year (a republic's democratic history);
    ``democratic_neighbours``: the neighbours' democratic share (autocracies' democratization).
    """
    h0 = h1 = h2 = h3 = h4 = h5 = h6 = h7 = h8 = h9 = 0.0
    if sw[SW.transition] and r != DS:
        viable = transition.viability(movement.participation(mov, breadth, q), q)
        if r == CD:
            h0 = transition.electoral_hazard(support, viable, multiplier, q)
        if sw[SW.transition_campaigns] and (r == CA or r == RE):
            h1 = transition.campaign_hazard(support, viable, multiplier, q)
        if r == BU:
            h2 = transition.reform_hazard(viable, multiplier, q)
    if sw[SW.background]:
        if r == CA or r == RE:
            h3 = background.democratization_hazard(democratic_neighbours, q)
        if r == CD:
            h4 = background.breakdown_hazard(income, q)
        if r == BU:
            h9 = background.bureaucratic_collapse_hazard(income, q)
    if sw[SW.reaction]:
        if r == CD:
            h5 = reaction.backsliding_hazard(react, q)
        if r == DS:
            h6 = reaction.reversion_hazard(react, q)
            h7 = reaction.electoral_loss_hazard(support, q)
    if sw[SW.scarcity] and r == DS:
        fragility = scarcity.republic_breakdown_hazard(income, democracy, q) if sw[SW.scarcity_fragility] else 0.0
        h6 = h6 + scarcity.reversion_part(fragility, q)
        h8 = scarcity.degeneration_hazard(gap_total, fragility, q)
    return h0, h1, h2, h3, h4, h5, h6, h7, h8, h9


@equation
def regime_event(r, support, react, mov, breadth, multiplier, income, gap_total, democracy, democracy0,
                 democratic_neighbours, lost, key, counters, j, sw, q):
    """The year's event of one country (one competing-risk draw), M3 campaign outcome, M4 outcome.

    Returns (event code, new regime, campaign failed, turmoil). ``counters``: rng counter bits
    of the streams occur, which, type, success, outcome; draws beyond the first are made only
    where needed (each is a pure function of its counter). ``democracy``: the level after this
    year's drift (M4), ``democracy0`` the one at its start (hazards). An electoral transition
    where the coalition lost office at the last election (``lost``) is a re-entry: it returns
    to democratic socialism without M4's draw.
    """
    h = hazards(r, support, react, mov, breadth, multiplier, income, gap_total, democracy0, democratic_neighbours,
                sw, q)
    total = h[0] + h[1] + h[2] + h[3] + h[4] + h[5] + h[6] + h[7] + h[8] + h[9]
    u = uniform(key, counters[0], j)
    # an event occurs with probability 1 - exp(-total); as 1 - exp(-t) <= t (also as computed),
    # u >= total already means none, and the exponential is needed only for the few other draws
    if u >= total or not u < -math.expm1(-total):
        return 0, r, False, 0.0
    pick = uniform(key, counters[1], j) * total
    cum = 0.0
    which = 0
    for k in range(_HAZARDS):
        cum = h[k] if k == 0 else cum + h[k]
        if cum < pick:
            which += 1
    ev = min(which, _HAZARDS - 1) + 1
    nonviolent, success = True, False
    if ev == _CAMPAIGN:
        nonviolent, success = transition.campaign_outcome(uniform(key, counters[2], j), uniform(key, counters[3], j), q)
    new = r
    if ev == _ELECTORAL and lost > 0.0 and sw[SW.transition_reentry]:
        ev, new = _RE_ENTRY, DS
    elif ev == _ELECTORAL or ev == _REFORM or (ev == _CAMPAIGN and success):
        peaceful = 1.0 if nonviolent else 0.0
        if sw[SW.material_basis]:
            p_dem = material_basis.democratic_probability(income, democracy, peaceful, q)
        else:
            p_dem = material_basis.democratic_probability(material_basis.REFERENCE_INCOME, 0.5, peaceful, q)
        democratic = uniform(key, counters[4], j) < p_dem
        if ev == _REFORM:
            if democratic:
                new = DS
            else:
                ev = 0  # an unsuccessful reform attempt is no change of regime
        else:
            new = DS if democratic else BU
    elif ev == _REFORM:
        ev = 0
    elif ev == _DEMOCRATIZATION or ev == _LOSS:
        new = CD
    elif ev == _BREAKDOWN or ev == _COLLAPSE:
        new = CA
    elif ev == _BACKSLIDING or ev == _REVERSION:
        new = RE
    elif ev == _DEGENERATION:
        new = BU
    failed = ev == _CAMPAIGN and not success
    violent = (ev == _CAMPAIGN and not nonviolent) or ev == _REVERSION or ev == _COLLAPSE or ev == _BREAKDOWN
    return ev, new, failed, 1.0 if violent else 0.0


@kernel
def society(
        # state at the start of the year
        pop, movement_, support, incumbent, reaction_, democracy, regime, unemp, growth_old, unintegrated,
        displaced_old, integrated_recent, perceived_old, e11, e10, e8, e7, moralist, years, reaction_base,
        unintegrated_share0, lost, diaspora,
        # this year so far
        income, rate, target, breadth, invest_app, aid_share, frustration, received, pop1, gdppc1, log_gdppc1, scar1,
        stock, left, admitted, refugees_in, to_neighbours, shock, democracy_shock, soc_share0,
        # country constants, keys, parameters, switches
        gini, structural, sigma, offset, forced, w_indptr, w_indices, w_data, keys, counters, P, sw, decompose,
        # outputs
        pop2, mov1, support1, incumbent1, reaction1, democracy1, regime1, unemp1, unintegrated1, displaced, recent,
        perceived, x11, x10, x8, x7, moralist1, years1, scar_final, poverty, living_, event, turmoil, multiplier, ds,
        dr, lost1, diaspora1,
        # scratch
        integrated, erosion_row, inc_erosion, g11, g10, g8, g7, gap, socf, demf, du11, du7, scratch):
    """M6 net flows, M7, living standards, M1, M2, M5, M9, regime events (M3, M4, M9-M11), clip, M12.

    ``ds``/``dr`` are (parts, members, countries) with the planes of SUPPORT_PARTS and
    REACTION_PARTS; only the clip planes are written unless ``decompose``. A country forced by
    a scheduled event this year has no event of its own.
    """
    e, n = pop.shape
    on_aid_donor_cost = sw[SW.aid_donor_cost]
    on_background = sw[SW.background]
    on_background_democratization_neighbours = sw[SW.background_democratization_neighbours]
    on_background_structural_noise = sw[SW.background_structural_noise]
    on_delays = sw[SW.delays]
    on_diffusion = sw[SW.diffusion]
    on_diffusion_democracy_drift = sw[SW.diffusion_democracy_drift]
    on_diffusion_neighbours = sw[SW.diffusion_neighbours]
    on_diffusion_superpower = sw[SW.diffusion_superpower]
    on_integration = sw[SW.integration]
    on_integration_ageing_gain = sw[SW.integration_ageing_gain]
    on_integration_closed_border_cost = sw[SW.integration_closed_border_cost]
    on_integration_erosion = sw[SW.integration_erosion]
    on_integration_fiscal_gain = sw[SW.integration_fiscal_gain]
    on_integration_labour_gain = sw[SW.integration_labour_gain]
    on_integration_unemployment = sw[SW.integration_unemployment]
    on_migration = sw[SW.migration]
    on_migration_remittances = sw[SW.migration_remittances]
    on_movement = sw[SW.movement]
    on_movement_economic_voting = sw[SW.movement_economic_voting]
    on_movement_living_standard = sw[SW.movement_living_standard]
    on_organizer_relocation = sw[SW.organizer_relocation]
    on_organizer_relocation_diminishing = sw[SW.organizer_relocation_diminishing]
    on_reaction = sw[SW.reaction]
    on_reaction_contact = sw[SW.reaction_contact]
    on_reaction_immigration = sw[SW.reaction_immigration]
    on_reaction_living_standard = sw[SW.reaction_living_standard]
    for m in range(e):
        q = P[m]
        # ---- M6 net flows, M7 integration and erosion, unemployment, living standards, poverty, M12
        for j in range(n):
            if on_migration:
                p2 = pop1[m, j] + migration.net_migration(admitted[m, j], refugees_in[m, j], left[m, j],
                                                          to_neighbours[m, j])
                arriving = migration.inflow(admitted[m, j], refugees_in[m, j])
                displaced[m, j] = stock[m, j]
                diaspora1[m, j] = migration.diaspora_next(diaspora[m, j], left[m, j], q)
            else:
                p2 = pop1[m, j]
                arriving = 0.0
                displaced[m, j] = displaced_old[m, j]
                diaspora1[m, j] = diaspora[m, j]
            pop2[m, j] = p2
            u = unemp[m, j]
            inv = invest_app[m, j] if on_integration else 0.0
            ledger = 0.0
            if on_integration:
                cap = integration.capacity(p2, u, inv, q)
                unintegrated1[m, j], integrated[j] = integration.integrate(unintegrated[m, j], arriving, cap, q)
                excess_share = integration.excess(arriving, cap) / p2
                rec = reaction.recent_contact(integrated_recent[m, j], integrated[j], q)
                y = income[m, j]
                if on_integration_labour_gain:
                    ledger = ledger + integration.labour_gain(rec / p2, u, q)
                if on_integration_fiscal_gain:
                    ledger = ledger + integration.fiscal_gain(rec / p2, q)
                if on_integration_ageing_gain:
                    ledger = ledger + integration.ageing_gain(rec / p2, y, q)
                if on_integration_closed_border_cost:
                    ledger = ledger + integration.closed_border_cost(arriving, cap, p2, y, q)
            else:
                unintegrated1[m, j] = unintegrated[m, j] + arriving
                integrated[j] = 0.0
                excess_share = 0.0
                rec = reaction.recent_contact(integrated_recent[m, j], 0.0, q)
            recent[m, j] = rec
            if on_migration_remittances:  # the origin's side of the migration ledger
                ledger = ledger + migration.remittance_gain(diaspora[m, j], pop[m, j], income[m, j], q)
            perc = delays.perception(perceived_old[m, j], excess_share, on_delays, q)
            perceived[m, j] = perc
            erosion = 0.0
            if on_integration_erosion:
                erosion = integration.erosion(perc, movement.cohesion(breadth[m, j], q), q)
            # erosion falls on the governing coalition: socialist support only where socialists govern
            erosion_row[j] = erosion if regime[m, j] == DS else 0.0
            inc_erosion[j] = 0.0 if regime[m, j] == DS else erosion
            du_bg = du_int = 0.0
            if on_background:
                du_bg = background.unemployment_change(u, structural[j], regime[m, j] == DS, shock[m, j], q)
            if on_integration_unemployment:
                du_int = integration.unemployment_pressure(excess_share, q)
            du11[j], du7[j] = du_bg, du_int
            unemp1[m, j] = background.bounded_unemployment(u + (du_bg + du_int))
            c11 = log_gdppc1[m, j]
            c10 = living.scarcity_channel(scar1[m, j])
            c8 = aid.consumption_log(aid_share[m, j], received[m, j], on_aid_donor_cost, q)
            c7 = integration.integration_channel(inv, ledger)
            g11[j], g10[j], g8[j], g7[j] = c11 - e11[m, j], c10 - e10[m, j], c8 - e8[m, j], c7 - e7[m, j]
            gap[j] = g11[j] + g10[j] + g8[j] + g7[j]
            log_living = living.log_living_standard(c11, c10, c8, c7)
            living_[m, j] = math.exp(log_living)
            poverty[m, j] = living.poverty_score(log_living, sigma[j], offset[j])  # Phi applied by the step
            x11[m, j] = delays.income_expectation(e11[m, j], c11, on_delays, on_background, q)
            x10[m, j] = delays.expectation(e10[m, j], c10, on_delays, q)
            x8[m, j] = delays.expectation(e8[m, j], c8, on_delays, q)
            x7[m, j] = delays.expectation(e7[m, j], c7, on_delays, q)
        soc_share_new = diffusion.socialist_gdp_share(gdppc1[m], scar1[m], pop2[m], regime[m], scratch)
        pool = total_weight = 0.0
        if on_organizer_relocation:
            pool, total_weight = organizer_relocation.pool(movement_[m], pop[m], rate[m], target[m], q, scratch)
        for j in range(n):
            socf[j] = 1.0 if regime[m, j] == DS else 0.0
            demf[j] = 1.0 if (regime[m, j] == CD or regime[m, j] == DS) else 0.0
        gs = soc_share0[m] if on_diffusion_superpower else 0.0
        key = keys[m]
        democracy_row = democracy[m]
        # ---- M1, M2 movement and support, M5 diffusion, M9 reaction, regime events, clip
        for j in range(n):
            r = regime[m, j]
            soc = r == DS
            mv = movement_[m, j]
            s_old = support[m, j]
            b = breadth[m, j]
            griev = movement.grievance(unemp[m, j], gini[j], growth_old[m, j], q)
            dm = 0.0
            if on_organizer_relocation:
                dm = organizer_relocation.relocation(mv, pop[m, j], rate[m, j], target[m, j], pool, total_weight,
                                                     on_organizer_relocation_diminishing, q)
            s_m2 = s_m5 = s_m8 = s_m10 = s_m11 = 0.0
            s_m7 = erosion_row[j]
            if on_movement:
                dm = dm + movement.movement_change(mv, griev, democracy[m, j], soc, q)
                s_m2 = movement.support_change(s_old, mv, griev, b, q)
                if on_movement_living_standard:
                    s_m11 = movement.living_standard_response(g11[j], soc, q)
                    s_m10 = movement.living_standard_response(g10[j], soc, q)
                    s_m8 = movement.living_standard_response(g8[j], soc, q)
                    s_m7 = s_m7 + movement.living_standard_response(g7[j], soc, q)
                if on_movement_economic_voting:
                    s_m11 = s_m11 + movement.unemployment_response(du11[j], soc, q)
                    s_m7 = s_m7 + movement.unemployment_response(du7[j], soc, q)
            mv1 = movement.bounded_movement(mv + dm)
            dem = democracy[m, j]
            ddem = background.democracy_toward_regime(dem, r) if on_background else 0.0
            if on_background and on_background_structural_noise:
                ddem = ddem + background.democracy_shock(democracy_shock[m, j], q)
            mult = 1.0
            if on_diffusion:
                s_n = diffusion.neighbour_mean(w_indptr, w_indices, w_data, socf, j) if on_diffusion_neighbours \
                    else 0.0
                mult = diffusion.hazard_multiplier(s_n, gs, q)
                s_m5 = diffusion.support_pull(s_n, s_old, soc, q)
                if on_diffusion_democracy_drift:
                    ddem = ddem + diffusion.democracy_drift(
                        diffusion.neighbour_mean(w_indptr, w_indices, w_data, democracy_row, j), dem, q)
            multiplier[m, j] = mult
            dem1 = clip(dem + ddem, 0.0, 1.0)
            democracy1[m, j] = dem1
            rec = recent[m, j]
            r_m7 = r_m8 = r_m9 = r_m10 = r_m11 = 0.0
            if on_reaction:
                level = reaction_base[m, j]
                if on_reaction_immigration:
                    level = level + reaction.immigration_term(unintegrated1[m, j] / pop2[m, j],
                                                              unintegrated_share0[m, j], q)
                if on_reaction_contact:
                    level = level + reaction.contact_term(rec / pop2[m, j], q)
                r_m9 = reaction.adjustment(level, reaction_[m, j], q)
                if on_reaction_living_standard:
                    push = reaction.living_standard_push(gap[j], q)
                    r_m11 = reaction.push_part(push, g11[j], gap[j])
                    r_m10 = reaction.push_part(push, g10[j], gap[j])
                    r_m8 = reaction.push_part(push, g8[j], gap[j])
                    r_m7 = reaction.push_part(push, g7[j], gap[j])
            s_moralism = moralism.support_cost(frustration[m, j], q)
            # regime events (hazards from the state at the start of the year)
            s_m3 = 0.0
            ev, new, failed, violent = 0, r, False, 0.0
            if not forced[j]:
                nb_dem = background.NEIGHBOUR_REFERENCE_SHARE
                if on_background_democratization_neighbours and (r == CA or r == RE):
                    nb_dem = diffusion.neighbour_mean(w_indptr, w_indices, w_data, demf, j)
                ev, new, failed, violent = regime_event(r, s_old, reaction_[m, j], mv, b, mult, income[m, j], gap[j],
                                                        dem1, dem, nb_dem, lost[m, j], key, counters, j, sw, q)
                if failed:
                    s_m3 = transition.failed_campaign_support(s_old, q)
                    mv1 = transition.failed_campaign_movement(mv1, q)
            event[m, j] = ev
            turmoil[m, j] = violent
            mov1[m, j] = mv1
            # clip support and reaction (the clip is a contribution), in CONTRIBUTIONS order
            s_raw = s_old + (s_m2 + s_m3 + s_m5 + s_m7 + s_m8 + s_m10 + s_m11 + s_moralism)
            s1 = clip(s_raw, 0.0, 1.0)
            support1[m, j] = s1
            r_raw = reaction_[m, j] + (r_m7 + r_m8 + r_m9 + r_m10 + r_m11)
            r1 = clip(r_raw, 0.0, 1.0 - s1)
            reaction1[m, j] = r1
            if new == DS:
                incumbent1[m, j] = s1
            else:
                incumbent1[m, j] = integration.incumbent_support(incumbent[m, j], s1, r1, inc_erosion[j], q)
            ds[_S_CLIP, m, j] = s1 - s_raw
            dr[_R_CLIP, m, j] = r1 - r_raw
            if decompose:
                ds[_S_M2, m, j], ds[_S_M3, m, j], ds[_S_M5, m, j], ds[_S_M7, m, j] = s_m2, s_m3, s_m5, s_m7
                ds[_S_M8, m, j], ds[_S_M10, m, j], ds[_S_M11, m, j] = s_m8, s_m10, s_m11
                ds[_S_MORALISM, m, j] = s_moralism
                dr[_R_M7, m, j], dr[_R_M8, m, j], dr[_R_M9, m, j] = r_m7, r_m8, r_m9
                dr[_R_M10, m, j], dr[_R_M11, m, j] = r_m10, r_m11
            # side effects of this year's regime change
            scar_final[m, j], moralist1[m, j], years1[m, j] = enter_regime(
                r, new, ev, violent, scar1[m, j], moralist[m, j], years[m, j] + 1.0, soc_share_new, False, sw, q)
            regime1[m, j] = new
            lost1[m, j] = lost_office_after(lost[m, j], ev, new != r or forced[j])


@equation
def lost_office_after(lost, ev, changed):
    """Whether the coalition is out of office after losing an election: set by a loss, kept until a regime change."""
    if ev == _LOSS:
        return 1.0
    return 0.0 if changed else lost


# ----------------------------------------------------------------------------- run bookkeeping
@equation
def _share(num, total):
    """Share ``num / total``, 0 where the weight is zero."""
    return num / total if total > 0 else 0.0


@kernel
def upper_poverty_scores(living_, sigma, offset, out):
    """Probit scores of the share below the upper poverty line per member and country (outcomes)."""
    e, n = living_.shape
    for m in range(e):
        for j in range(n):
            out[m, j] = living.upper_poverty_score(math.log(living_[m, j]), sigma[j], offset[j])


@kernel
def record(t, pop, regime, living_, poverty, poverty_upper, displaced, first_world, primary, n_blocs, series,
           bloc_share, rows):
    """World and bloc series of year index ``t`` (simulate.simulate_members' ``record``), one pass per member.

    ``series`` (11, members, years + 1) in the order of simulate.SERIES; ``rows`` scratch (2, >= blocs).
    """
    e, n = pop.shape
    for m in range(e):
        total = soc = bur = rea = fw_total = fw_soc = fw_living = poor = living_total = disp = autoc = poor_upper = 0.0
        for b in range(n_blocs):
            rows[0, b] = 0.0
            rows[1, b] = 0.0
        for j in range(n):
            w = pop[m, j]
            r = regime[m, j]
            total += w
            soc += w if r == DS else 0.0
            bur += w if r == BU else 0.0
            rea += w if r == RE else 0.0
            if first_world[j]:
                fw_total += w
                fw_soc += w if r == DS else 0.0
                fw_living += living_[m, j] * w
            poor += poverty[m, j] * w
            living_total += living_[m, j] * w
            disp += displaced[m, j]
            autoc += w if (r == CA or r == BU or r == RE) else 0.0
            poor_upper += poverty_upper[m, j] * w
            rows[0, primary[j]] += w
            rows[1, primary[j]] += w if r == DS else 0.0
        series[0, m, t] = total
        series[1, m, t] = _share(soc, total)
        series[2, m, t] = _share(bur, total)
        series[3, m, t] = _share(rea, total)
        series[4, m, t] = _share(fw_soc, fw_total)
        series[5, m, t] = _share(fw_living, fw_total)
        series[6, m, t] = _share(poor, total)
        series[7, m, t] = disp
        series[8, m, t] = _share(living_total, total)
        series[9, m, t] = _share(autoc, total)
        series[10, m, t] = _share(poor_upper, total)
        for b in range(n_blocs):
            bloc_share[m, t, b] = _share(rows[1, b], rows[0, b])


@kernel
def count_events(old, new, event, turmoil, pop, fw, fw_next, ever, P, counters):
    """Add a year's regime changes to the counters (simulate.COUNTERS order), pop-years and deaths.

    A republic leaving democratic socialism is a reactionary reversion (to a reactionary
    regime), a degeneration (to a bureaucratic regime) or an electoral alternation (voted out:
    not a failure). Exposure: socialist country-years, counted at the end of each year.
    """
    e, n = old.shape
    for m in range(e):
        c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = c8 = c9 = c10 = 0
        held = lost = deaths = 0.0
        q = P[m]
        for j in range(n):
            o = old[m, j]
            w = new[m, j]
            left_soc = o == DS and w != DS
            reverted = left_soc and w == RE
            degenerated = left_soc and w == BU
            alternated = left_soc and w == CD
            entered = w != o and (w == DS or w == BU) and o != DS and event[m, j] != _RE_ENTRY
            c0 += entered and w == DS
            c1 += entered and w == BU and o != BU
            c2 += reverted
            c3 += degenerated
            c4 += reverted and fw[j]
            c5 += degenerated and fw[j]
            c6 += alternated
            c7 += event[m, j] == _CAMPAIGN
            deaths += transition.event_deaths(pop[m, j], event[m, j] == _CAMPAIGN, turmoil[m, j] > 0.0, q)
            soc_now = w == DS
            c8 += alternated and fw[j]
            c9 += soc_now
            c10 += soc_now and fw_next[j]
            if soc_now and fw_next[j]:
                ever[m, j] = True
            if fw_next[j]:
                held += pop[m, j] if soc_now else 0.0
                lost += pop[m, j] if (ever[m, j] and not soc_now) else 0.0
        counters[0, m] += c0
        counters[1, m] += c1
        counters[2, m] += c2
        counters[3, m] += c3
        counters[4, m] += c4
        counters[5, m] += c5
        counters[6, m] += held
        counters[7, m] += lost
        counters[8, m] += c6
        counters[9, m] += c7
        counters[10, m] += c8
        counters[11, m] += c9
        counters[12, m] += c10
        counters[13, m] += deaths
