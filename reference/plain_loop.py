"""Plain-loop reference of the yearly step: one member, one country at a time, scalar math.

This module is an executable specification of :func:`nato_socialism.model.step.step`. It
repeats the core's logic on purpose, written for reading rather than speed: every country
of every member is computed with ``math`` on Python floats, and every sum over countries
(aid budgets, organizer pools, neighbour means, the migration kernels) is a plain loop.
It imports no mechanism code of the core; it takes from the package only what fixes the
inputs (the run context, the parameter record, the initial state, the state record and the
counter-based random numbers), so that with the same seeds it must give the same results
as the core up to floating-point rounding (``tests/test_reference_equivalence.py``).

The scalar helpers (one per equation, named after the mechanism) are shared with
:mod:`reference.mesa_model`, which arranges the same year as phases over Mesa agents.

Order of a year (``t`` = years since the start; the same as the core):

0. scheduled events force regimes;
1. the doctrine requests controls; moralist pressure turns them into applied controls;
   scheduled policy events override them;
2. M11 background growth and population; M8 aid; M6 brain drain;
3. M10 the post-transition output gap recovers;
4. M6 migration; those who left join the diaspora;
5. M7 integration; inflow beyond capacity erodes the coalition and raises unemployment;
   the ledger (with the origin's remittances) enters M7's living-standard channel;
6. living standards, poverty and the gaps against expectations (M12), by channel;
7. M1 organizer relocation, M2 movement growth and coalition support;
8. M5 diffusion multiplier, demonstration effect, democracy drift;
9. M9 reactionary support;
10. regime hazards resolved by one competing-risk draw (M3/M4, M9, M10, M11);
11. clip support and reaction; M12 expectations; regime changes take effect (M10 output
    gap, moralist surge, years in regime).
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np

from nato_socialism.model.context import CONSUMPTION_SHARE, POVERTY_LINE
from nato_socialism.model.rng import normals, uniforms
from nato_socialism.model.simulate import initial_state
from nato_socialism.model.state import Regime, State

# --------------------------------------------------------------------------- constants
#: Regime codes as plain ints (``nato_socialism.model.state.Regime``).
CAP_DEM, CAP_AUT, DEM_SOC, BUREAU, REACT = (int(r) for r in Regime)

#: Names of the parts of every support and reaction change, in the core's order.
CONTRIBUTIONS = (
    "M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10", "M11", "M12", "moralism", "clip",
)
#: Regime events by code (0: none); codes 1-10 compete in the yearly draw, 11 is a
#: scheduled (forced) regime, 12 an electoral return of a coalition voted out (re-entry).
EVENTS = (
    "none", "electoral_transition", "campaign", "reform", "democratization", "breakdown",
    "backsliding", "reversion", "electoral_loss", "degeneration", "collapse", "forced", "re_entry",
)
EVENT = {name: code for code, name in enumerate(EVENTS)}
#: Events with a hazard, in the order of the cumulative competing-risk pick.
HAZARD_EVENTS = EVENTS[1:11]
#: Random streams of the counter-based generator (one draw per member, country and year).
(STREAM_GROWTH, STREAM_OCCURS, STREAM_WHICH, STREAM_TYPE, STREAM_SUCCESS, STREAM_OUTCOME, STREAM_REGIME, STREAM_POP,
 STREAM_DEMOCRACY) = range(9)
#: Streams drawn as standard normals (the others are uniforms).
NORMAL_STREAMS = (STREAM_GROWTH, STREAM_REGIME, STREAM_POP, STREAM_DEMOCRACY)
#: Living-standard channels: mechanism id -> name of the expectation field (M12).
CHANNELS = {
    "M11": "expected_income",
    "M10": "expected_scarcity",
    "M8": "expected_aid",
    "M7": "expected_investment",
}

#: Immigration cap of bureaucratic and reactionary regimes (share of population).
CLOSED_CAP = 0.0005
#: Active participants brought out per organizer (M2).
MOBILIZATION = 2.0
#: Income scale of M4's outcome logit and M6's destination attractiveness (2021 PPP $).
REFERENCE_INCOME = 20000.0
#: Democracy level (floor, ceiling) each regime allows (M11); the level relaxes into it.
DEMOCRACY_BOUNDS = {
    CAP_DEM: (0.42, 1.0),
    CAP_AUT: (0.0, 0.5),
    DEM_SOC: (0.7, 1.0),
    BUREAU: (0.0, 0.2),
    REACT: (0.0, 0.35),
}
DEMOCRACY_RELAX_RATE = 0.3
#: Weight of an unfree country as a ``south`` relocation target ("free first").
UNFREE_TARGET_WEIGHT = 0.25
#: Income at which ageing and labour shortages weigh fully in M7's ledger.
RICH_INCOME = 40000.0
#: Przeworski's income band edges (1985 PPP $), converted with ``ppp1985_to_2021``.
BAND_EDGES_1985 = (1000.0, 3000.0, 6055.0)
#: M10: democracy level of a republic without democratic history beyond its regime's floor.
HISTORY_REFERENCE = 0.7
#: M11: neighbours' mean democratic share over the autocracy-years of the 1950-1989 fit.
NEIGHBOUR_REFERENCE_SHARE = 0.13


# --------------------------------------------------------------------------- small math
def clip(x: float, low: float, high: float) -> float:
    """``x`` limited to ``[low, high]`` (as ``numpy.clip``)."""
    return min(max(x, low), high)


def expit(x: float) -> float:
    """Logistic function ``1 / (1 + exp(-x))``, without overflow."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def ndtr(z: float) -> float:
    """Standard normal CDF."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def member_params(p, m: int) -> SimpleNamespace:
    """Parameter values of member ``m`` as Python floats (``p``: the ensemble record)."""
    return SimpleNamespace(**{f.name: float(getattr(p, f.name)[m, 0]) for f in dataclasses.fields(p)})


# --------------------------------------------------------------------------- doctrine, moralism
def relocation_target(spec, blocs: dict[str, bool]) -> float:
    """Weight of a country as a destination of relocating organizers (doctrine rule).

    ``blocs``: the country's membership of every bloc this year. A bloc list (``targets``)
    wins; ``south`` is outside the first world, free countries (the periphery of
    democracies) at weight 1 and the others at ``UNFREE_TARGET_WEIGHT``.
    """
    if spec.targets:
        return 1.0 if any(blocs[b] for b in spec.targets) else 0.0
    if spec.relocate_to == "south":
        if blocs["first_world"]:
            return 0.0
        return 1.0 if blocs["periphery"] else UNFREE_TARGET_WEIGHT
    return 1.0 if blocs[spec.relocate_to] else 0.0


def country_blocs(ctx, t: int, i: int) -> dict[str, bool]:
    """Country ``i``'s membership of every bloc in year index ``t``."""
    return {b: bool(v[t, i]) for b, v in ctx.blocs.by_id.items()}


def margin_is_thin(spec, regime: int, first_world: bool, support: float, reaction: float, p) -> bool:
    """Doctrine safety rule: a first-world socialist republic with ``S - max(theta_loss, R)`` thin."""
    if spec.safety_margin <= 0.0:
        return False
    margin = support - max(p.support_loss_threshold, reaction)
    return regime == DEM_SOC and first_world and margin < spec.safety_margin


def requested_controls(spec, regime, first_world, target, pop, unemployment, thin, any_thin, p):
    """Controls a doctrine requests for one country (dict of control name -> value).

    Movements everywhere relocate and seek an alliance; a democratic socialist republic sets
    its cap to ``cap_to_capacity`` x integration capacity, cut linearly to zero as
    unemployment rises 5 pp above the target, its integration investment and its aid; all
    other governments follow the status-quo policy (baseline cap, first-world baseline aid,
    almost closed borders in bureaucratic and reactionary regimes). While any first-world
    republic's margin is thin (``any_thin``), thin republics cut their cap and every
    first-world republic cuts its aid by ``safety_cut``.
    """
    socialist = regime == DEM_SOC
    closed = regime in (BUREAU, REACT)
    cap = CLOSED_CAP if closed else p.baseline_immigration_cap
    aid = p.baseline_aid_share if (first_world and not closed) else 0.0
    invest = 0.0
    priority = 0.0
    asylum = 0.0 if closed else p.baseline_asylum_acceptance  # share of asylum claims granted, outside the cap
    if socialist:
        if spec.cap_to_capacity is not None:
            own_cap = spec.cap_to_capacity * integration_capacity(
                pop, unemployment, spec.integration_investment, p) / pop
            slack = clip(1.0 - (unemployment - spec.unemployment_target) / 0.05, 0.0, 1.0)
            cap = own_cap * slack
        if spec.aid_share is not None:
            aid = spec.aid_share
        invest = spec.integration_investment
        priority = spec.aid_priority
        if spec.asylum_acceptance is not None:
            asylum = spec.asylum_acceptance
    if thin:
        cap = cap * spec.safety_cut
        asylum = asylum * spec.safety_cut
    if any_thin and socialist and first_world:
        aid = aid * spec.safety_cut
    return {
        "relocation_rate": 0.0 if target > 0.0 else spec.relocation_rate,
        "relocation_target": target,
        "alliance_breadth": spec.alliance_breadth,
        "immigration_cap": cap,
        "integration_investment": invest,
        "aid_share": aid,
        "asylum_acceptance": asylum,
        "aid_priority": priority,
    }


def moralist_pressure(cap: float, aid: float, mu: float, p):
    """Section 3 moralism: applied cap and aid, and the faction's frustration.

    ``applied = requested + mu * w * max(0, wanted - requested)`` for the cap and the aid;
    ``frustration = mu * ((1 - mu w) gap_cap / wanted_cap + (1 - mu w) gap_aid / wanted_aid) / 2``.
    """
    cap_gap = max(0.0, p.moralist_open_cap - cap)
    aid_gap = max(0.0, p.moralist_aid_share - aid)
    won = mu * p.moralist_influence
    left = 1.0 - won
    frustration = mu * 0.5 * (left * cap_gap / p.moralist_open_cap + left * aid_gap / p.moralist_aid_share)
    return cap + won * cap_gap, aid + won * aid_gap, frustration


def moralist_strength(previous: float, became_socialist: bool, socialist: bool, p, decay: bool = True) -> float:
    """Moralist strength: surges at a socialist transition, decays, zero outside republics.

    ``decay=False`` for a scheduled (forced) regime change at the start of a year: the
    faction surges (or vanishes) but does not decay there, since the yearly decay is applied
    once, when the year's regime changes take effect.
    """
    if not socialist:
        return 0.0
    if became_socialist:
        return p.moralist_surge
    return previous * (1.0 - p.moralist_decay) if decay else previous


# --------------------------------------------------------------------------- M11 background
def frontier_income(t: int, p) -> float:
    """M11 frontier income ``y_f0 * exp(g_f t)``."""
    return p.frontier_income * math.exp(p.frontier_growth * t)


def background_growth(gdppc: float, t: int, regime: float, shock: float, p) -> float:
    """M11 ``g = clip(g_f + beta ln(y_f / y) + v + sd z, -0.3, 0.3)`` (log-points, before aid)."""
    g = (p.frontier_growth + p.convergence_rate * math.log(frontier_income(t, p) / gdppc) + regime
         + p.growth_shock_sd * shock)
    return clip(g, -0.3, 0.3)


def next_growth_regime(regime: float, shock: float, p) -> float:
    """M11 ``v' = rho v + sqrt(1 - rho^2) sd_v z``."""
    rho = p.growth_regime_persistence
    return rho * regime + math.sqrt(1.0 - rho * rho) * p.growth_regime_sd * shock


def natural_population_growth(previous: float, income: float, t: int, shock: float, p) -> float:
    """M11 ``n' = clip(phi n + (1 - phi) (n0 - slope ln(y / 1000) - trend t) + sd_n z, -0.015, 0.04)``."""
    target = p.pop_growth_base - p.pop_growth_income_slope * math.log(income / 1000.0) - p.pop_growth_trend * t
    phi = p.pop_growth_persistence
    return clip(phi * previous + (1.0 - phi) * target + p.pop_growth_shock_sd * shock, -0.015, 0.04)


def unemployment_change(u: float, structural: float, socialist: bool, shock: float, p) -> float:
    """M11 ``du = theta (u* - u) - okun sd z`` (u* lower under democratic socialism)."""
    target = structural * (p.socialist_full_employment if socialist else 1.0)
    return p.unemployment_adjust_rate * (target - u) - p.okun_coefficient * p.growth_shock_sd * shock


def democracy_toward_regime(democracy: float, regime: int) -> float:
    """M11 relaxation of the democracy level (30 % a year) into the regime's bounds."""
    low, high = DEMOCRACY_BOUNDS[regime]
    return DEMOCRACY_RELAX_RATE * (clip(democracy, low, high) - democracy)


def income_band(income: float, p) -> int:
    """Przeworski's income band (0-3) of an income in 2021 PPP $."""
    band = 0
    for edge in BAND_EDGES_1985:
        if income >= edge * p.ppp1985_to_2021:
            band += 1
    return band


def breakdown_hazard(income: float, p) -> float:
    """M11 breakdown of a capitalist democracy by Przeworski's income band (1985 $ edges)."""
    return (p.breakdown_hazard_poor, p.breakdown_hazard_lower, p.breakdown_hazard_middle,
            p.breakdown_hazard_rich)[income_band(income, p)]


def republic_breakdown_hazard(income: float, democracy: float, p) -> float:
    """M10 ``band(y) exp(-k_h (D - 0.7))``: a republic loses its democracy (income band, democratic history)."""
    band = (p.republic_breakdown_poor, p.republic_breakdown_lower, p.republic_breakdown_middle,
            p.republic_breakdown_rich)[income_band(income, p)]
    return band * math.exp(-p.republic_democratic_history * (democracy - HISTORY_REFERENCE))


def democratization_hazard(neighbour_share: float, p) -> float:
    """M11 ``sig(logit(h0) + k_n (s_n - 0.13))``: autocracies democratize more among democracies."""
    h0 = p.democratization_hazard
    return expit(math.log(h0 / (1.0 - h0)) + p.democratization_neighbour_effect
                 * (neighbour_share - NEIGHBOUR_REFERENCE_SHARE))


# --------------------------------------------------------------------------- M8 aid
def aid_received_shares(aid_share, gdp, pop, poverty, income, socialist, priority, p) -> list[float]:
    """M8 aid received by each country, share of its own GDP (lists over countries).

    ``B = sum_d aid_d Y_d``; ``prio`` = budget-weighted mean of the donors' priority;
    ``w_r = pop_r poverty_r (1 + prio soc_r)`` for recipients with ``y_r < y_max``;
    ``a_r = B w_r / sum(w) / Y_r``.
    """
    n = len(gdp)
    budget = 0.0
    weighted_priority = 0.0
    for i in range(n):
        budget += aid_share[i] * gdp[i]
        weighted_priority += aid_share[i] * gdp[i] * priority[i]
    mean_priority = weighted_priority / budget if budget > 0.0 else 0.0
    weight = [0.0] * n
    for i in range(n):
        if income[i] < p.aid_recipient_max_income:
            weight[i] = pop[i] * poverty[i] * (1.0 + mean_priority * (1.0 if socialist[i] else 0.0))
    total = sum(weight)
    return [(budget * weight[i] / total if total > 0.0 else 0.0) / gdp[i] for i in range(n)]


def aid_growth_effect(received: float, p) -> float:
    """M8 ``g += gamma a / (1 + a / a_sat)``."""
    return p.aid_growth_effect * received / (1.0 + received / p.aid_saturation)


def aid_consumption_log(aid_share: float, received: float, p, donor_cost: bool) -> float:
    """M8 living-standard channel ``ln(1 - aid_given + c_share a_received)``."""
    given = aid_share if donor_cost else 0.0
    return math.log1p(-given + p.aid_consumption_share * received)


# --------------------------------------------------------------------------- M6 migration
class Geography:
    """The run's kernels as Python lists (built from the context; no core code)."""

    def __init__(self, ctx):
        n = ctx.n
        kernels_t = ctx.migration_kernels.T  # row j: column j of [K_regional | K_global]
        self.regional_columns = kernels_t[:n].tolist()
        self.global_columns = kernels_t[n:].tolist()
        self.neighbours = _csr_rows(ctx.neighbour_weights)  # row-normalized W
        self.refugee_hosts = _csr_rows(ctx.refugee_kernel)  # origin -> [(host, share)]


def _csr_rows(m) -> list[list[tuple[int, float]]]:
    """Rows of a CSR matrix as lists of (column, value), in stored order."""
    indptr, indices, data = m.indptr.tolist(), m.indices.tolist(), m.data.tolist()
    return [list(zip(indices[a:b], data[a:b], strict=True)) for a, b in zip(indptr[:-1], indptr[1:], strict=True)]


def neighbour_mean(geo: Geography, x) -> list[float]:
    """``W @ x``: row-normalized mean of ``x`` over each country's neighbours."""
    return [sum(w * x[j] for j, w in row) for row in geo.neighbours]


def kernel_product(x, geo: Geography, t: float) -> list[float]:
    """``x @ K`` with ``K = (1 - t) K_regional + t K_global`` (plain sums over origins)."""
    out = []
    for col_r, col_g in zip(geo.regional_columns, geo.global_columns, strict=True):
        regional = sum(xi * k for xi, k in zip(x, col_r, strict=True))
        global_ = sum(xi * k for xi, k in zip(x, col_g, strict=True))
        out.append((1.0 - t) * regional + t * global_)
    return out


def emigration_hump(income: float, p) -> float:
    """M6 ``hump(y) = (y / y_p)^beta exp((beta / gamma)(1 - (y / y_p)^gamma))``."""
    x = income / p.emigration_peak_income
    beta, gamma = p.emigration_elasticity, p.emigration_hump_curvature
    return x**beta * math.exp((beta / gamma) * (1.0 - x**gamma))


def economic_emigration(income: float, unemployment: float, pop: float, p) -> float:
    """M6 ``E_o = e_max hump(y_o) (1 + push max(0, u_o - 0.05)) pop_o`` (people)."""
    push = 1.0 + p.emigration_unemployment_push * max(0.0, unemployment - 0.05)
    return p.emigration_max_rate * emigration_hump(income, p) * push * pop


def allocate(desired, attract, room, geo: Geography, t: float, granted=None):
    """M6 one round of gravity allocation under caps: (emigrants who left, immigrants admitted).

    ``Z = a @ K``; ``in_d = a_d ((E / Z) @ K)_d``; ``acc_d = min(1, room_d / in_d)``, or, for
    asylum seekers, ``acc_d`` = the share ``granted`` (clipped to [0, 1]) whatever the room;
    ``out_o = (E_o / Z_o) ((a acc) @ K)_o``.
    """
    z = kernel_product(attract, geo, t)
    per_z = [d / zi if zi > 0.0 else 0.0 for d, zi in zip(desired, z, strict=True)]
    reach = kernel_product(per_z, geo, t)
    demand = [a * r for a, r in zip(attract, reach, strict=True)]
    if granted is None:
        accept = [r / max(d, 1e-300) if d > r else 1.0 for d, r in zip(demand, room, strict=True)]
    else:
        accept = [clip(g, 0.0, 1.0) for g in granted]
    back = kernel_product([a * c for a, c in zip(attract, accept, strict=True)], geo, t)
    left = [pz * b for pz, b in zip(per_z, back, strict=True)]
    admitted = [d * c for d, c in zip(demand, accept, strict=True)]
    return left, admitted


def migrate(pop, income, unemployment, poverty, turmoil, displaced, cap, asylum_acceptance, geo, p, switches):
    """M6 one year of migration (lists over countries); returns a dict of flows in people.

    Keys: ``emigrants``, ``immigrants``, ``refugees_out``, ``refugees_in``, ``displaced``.
    """
    n = len(pop)
    economic = switches.on("migration_economic")
    refugees = switches.on("migration_refugees")
    caps = switches.on("migration_caps")
    desired, asylum, to_neighbours, stock = [0.0] * n, [0.0] * n, [0.0] * n, [0.0] * n
    attract, room = [0.0] * n, [0.0] * n
    for i in range(n):
        econ = economic_emigration(income[i], unemployment[i], pop[i], p) if economic else 0.0
        # displacement: D_new = pop (d_pov poverty + d_turm turmoil); stock returns at r_ret
        new_displaced = 0.0
        if refugees:
            rate = p.displacement_poverty_rate * poverty[i] + p.displacement_turmoil_rate * turmoil[i]
            new_displaced = pop[i] * rate
        stock[i] = displaced[i] * (1.0 - p.displacement_return_rate) + new_displaced
        crossing = p.refugee_cross_border_share * new_displaced  # psi cross a border
        to_neighbours[i] = p.refugee_neighbour_share * crossing  # chi of them stay next door
        desired[i] = econ
        asylum[i] = crossing - to_neighbours[i]  # the rest seek asylum further away, outside the caps
        # a_d = (y_d / 20000)^alpha L(u_d); room = cap pop (no cap: infinite)
        income_pull = (income[i] / REFERENCE_INCOME) ** p.destination_income_elasticity
        attract[i] = income_pull * labour_demand(unemployment[i], p)
        room[i] = cap[i] * pop[i] if caps else math.inf
    refugees_in = [0.0] * n
    for origin in range(n):  # the refugee kernel spreads each origin's refugees over its neighbours
        for host, share in geo.refugee_hosts[origin]:
            refugees_in[host] += share * to_neighbours[origin]
    t = p.migration_long_distance_share
    left, admitted = allocate(desired, attract, room, geo, t)
    if caps:
        # migrants refused everywhere choose once more where room is left
        free = [max(r - a, 0.0) for r, a in zip(room, admitted, strict=True)]
        attract2 = [a * f / max(r, 1e-300) for a, f, r in zip(attract, free, room, strict=True)]
        still = [d - lf for d, lf in zip(desired, left, strict=True)]
        left2, admitted2 = allocate(still, attract2, free, geo, t)
        left = [a + b for a, b in zip(left, left2, strict=True)]
        admitted = [a + b for a, b in zip(admitted, admitted2, strict=True)]
    # asylum seekers: one gravity round, each destination grants its asylum acceptance (no cap);
    # those refused stay displaced at home
    left3, admitted3 = allocate(asylum, attract, room, geo, t, granted=asylum_acceptance)
    left = [a + b for a, b in zip(left, left3, strict=True)]
    admitted = [a + b for a, b in zip(admitted, admitted3, strict=True)]
    return {"emigrants": left, "immigrants": admitted, "refugees_out": to_neighbours,
            "refugees_in": refugees_in, "displaced": stock}


# --------------------------------------------------------------------------- M7 integration
def labour_demand(unemployment: float, p) -> float:
    """M7 ``clip(1 - u / u_slack, 0.1, 1)``."""
    return clip(1.0 - unemployment / p.integration_unemployment_slack, 0.1, 1.0)


def integration_capacity(pop: float, unemployment: float, invest: float, p) -> float:
    """M7 ``C = pop (k0 + k_inv 100 invest) labour`` (people per year)."""
    base = p.integration_capacity_base + p.integration_capacity_investment * 100.0 * invest
    return pop * base * labour_demand(unemployment, p)


def immigration_ledger(recent_share, inflow, capacity, pop, income, unemployment, p, sw) -> float:
    """M7's two-sided ledger (log-points of living standard).

    Labour, fiscal and ageing gains of recently integrated newcomers; the cost of labour
    demand closed borders leave unfilled. Ageing and shortages weigh min(1, y / 40000).
    """
    rich = min(1.0, income / RICH_INCOME)
    x = 0.0
    if sw.on("integration_labour_gain"):
        x = x + p.immigration_labour_gain * labour_demand(unemployment, p) * recent_share
    if sw.on("integration_fiscal_gain"):
        x = x + p.immigration_fiscal_gain * recent_share
    if sw.on("integration_ageing_gain"):
        x = x + p.immigration_ageing_gain * rich * recent_share
    if sw.on("integration_closed_border_cost"):
        x = x - p.closed_border_cost * rich * max(0.0, capacity - inflow) / pop
    return x


# --------------------------------------------------------------------------- M6 origin effects
def diaspora_next(diaspora: float, left: float, p) -> float:
    """M6 emigrant stock abroad ``D' = D (1 - a) + out``."""
    return diaspora * (1.0 - p.diaspora_attrition) + left


def remittances(diaspora: float, pop: float, income: float, p) -> float:
    """M6 remittances in the living standard: ``ln(1 + rho D / (c_share y pop))`` (M7's ledger channel)."""
    return math.log1p(p.remittance_per_emigrant * diaspora / (CONSUMPTION_SHARE * income * pop))


def brain_drain_growth(diaspora: float, pop: float, p) -> float:
    """M6 growth lost to emigration ``-k_bd D / pop``."""
    return -p.brain_drain_growth_effect * diaspora / pop


def incumbent_next(incumbent, support, reaction, erosion, p) -> float:
    """A non-socialist governing coalition's support: eroded, returning to 1 - S - R at rate k."""
    room = max(0.0, 1.0 - support - reaction)
    return clip(incumbent + p.incumbent_recovery_rate * (room - incumbent) + erosion, 0.0, room)


def integrate(unintegrated: float, inflow: float, capacity: float, p):
    """M7 ``I = min(U + in, C) + n rest``; returns (new stock U', integrated I, excess inflow)."""
    stock = unintegrated + inflow
    integrated = min(stock, capacity)
    integrated = integrated + p.natural_integration_rate * (stock - integrated)
    return stock - integrated, integrated, max(0.0, inflow - capacity)


# --------------------------------------------------------------------------- M1, M2 movements
def relocation_changes(movement, pop, rate, target, p, diminishing: bool) -> list[float]:
    """M1 change of movement share from organizer relocation (lists over countries).

    ``leaving_o = r_o m_o A_o``; ``w_d = tau_d A_d / sum(tau A)``;
    ``dm_d = eff pool w_d / A_d / (1 + m_d / m_sat)``; ``dm_o = -r_o m_o``.
    """
    n = len(pop)
    adults = [p.adult_share * x for x in pop]
    leaving = [rate[i] * (1.0 if target[i] <= 0.0 else 0.0) * movement[i] * adults[i] for i in range(n)]
    pool = sum(leaving)
    weight = [target[i] * adults[i] for i in range(n)]
    total = sum(weight)
    out = []
    for i in range(n):
        share = weight[i] / total if total > 0.0 else 0.0
        gain = p.relocation_efficiency * pool * share / adults[i]
        if diminishing:
            gain = gain / (1.0 + movement[i] / p.relocation_saturation)
        out.append(gain - leaving[i] / adults[i])
    return out


def grievance(unemployment: float, gini: float, growth: float, p) -> float:
    """M2 ``G = a_u u + a_g gini + a_s max(0, 0.02 - g)``."""
    return (p.grievance_unemployment * unemployment + p.grievance_inequality * gini
            + p.grievance_stagnation * max(0.0, 0.02 - growth))


def cohesion(breadth: float, p) -> float:
    """M2 ``cohesion = 1 - c_b b``."""
    return 1.0 - p.breadth_cohesion_cost * breadth


def movement_change(movement: float, griev: float, democracy: float, socialist: bool, p) -> float:
    """M2 ``dm = r G F m (1 - m / m_cap) - delta m`` with ``F = f0 + (1 - f0) D`` (1 if socialist)."""
    freedom = 1.0 if socialist else p.repression_freedom_floor + (1 - p.repression_freedom_floor) * democracy
    growth = p.movement_growth_rate * griev * freedom * movement * (1.0 - movement / p.movement_capacity)
    return growth - p.movement_decay * movement


def support_change(support: float, movement: float, griev: float, breadth: float, p) -> float:
    """M2 ``dS = rho (min(S*, 0.95) - S)``, ``S* = (S_ceil + g_b b) m / (m + m_half) + k_G G``."""
    ceiling = p.support_ceiling + p.breadth_ceiling_gain * breadth
    target = ceiling * movement / (movement + p.movement_half_support) + p.grievance_support * griev
    return p.support_adjust_rate * (min(target, 0.95) - support)


# --------------------------------------------------------------------------- M5 diffusion
def hazard_multiplier(neighbour_share: float, gdp_share: float, p) -> float:
    """M5 ``1 + k_n s^2 / (s^2 + h^2) + k_s G_s``."""
    s2 = neighbour_share * neighbour_share
    return 1.0 + p.diffusion_strength * s2 / (s2 + p.diffusion_half_share**2) + p.superpower_pull * gdp_share


def socialist_gdp_share(gdp, socialist) -> float:
    """M5 ``G_s`` = democratic socialist share of world GDP."""
    return sum(g for g, s in zip(gdp, socialist, strict=True) if s) / sum(gdp)


# --------------------------------------------------------------------------- M9, M10 hazards and shocks
def transition_shock(gdp_share: float, p, sanctions: bool, event: int, turmoil: float, by_kind: bool) -> float:
    """M10 output gap at a transition, ``(shock kind + sanctions) (1 - G_s)``.

    ``kind``: ``output_shock_electoral_factor`` after an electoral transition,
    ``output_shock_violent_factor`` after a violent campaign (turmoil), 1 otherwise.
    """
    kind = 1.0
    if by_kind and event == EVENT["electoral_transition"]:
        kind = p.output_shock_electoral_factor
    elif by_kind and event == EVENT["campaign"] and turmoil > 0.0:
        kind = p.output_shock_violent_factor
    weak = 1.0 - gdp_share
    return p.transition_output_shock * kind * weak + (p.sanctions_shock * weak if sanctions else 0.0)


def recover(scarcity: float, gdp_share: float, p, bloc: bool) -> float:
    """M10 ``s' = s exp(-1 / tau)``, ``tau = duration (1 - k_b G_s)`` with the bloc term."""
    if scarcity == 0.0:
        return scarcity
    tau = p.scarcity_duration * (1.0 - p.scarcity_duration_bloc_effect * gdp_share) if bloc else p.scarcity_duration
    return scarcity * math.exp(-1.0 / tau)


def regime_hazards(regime, support, reaction, viable, multiplier, income, gap_total, democracy, democratic_share, p,
                   switches):
    """Yearly hazards of every regime event for one country (list in ``HAZARD_EVENTS`` order).

    M3: ``h_elect = rate maj viable M5`` (capitalist democracies, ``maj = sig((S - theta) /
    0.02)``), ``h_camp = onset viable sig((S - 0.35) / 0.03) M5`` (autocracies, reactionary
    regimes), ``h_reform = reform hysteresis viable M5`` (bureaucratic). M11: democratization
    of autocracies rising with the neighbours' democratic share, banded breakdown of
    democracies, collapse of bureaucratic regimes. M9: backsliding (democracies) and
    reversion (republics) ``rate sig((R - theta_R) / 0.03)``, electoral loss ``loss
    sig((theta_S - S) / 0.02)``. M10: a republic's banded breakdown ``h_frag`` (``democracy``:
    its level at the start of the year), a share ``d`` of it degeneration ``d h_frag + k
    max(0, theta - exp(gap))``, the rest added to reversion.
    """
    h = dict.fromkeys(HAZARD_EVENTS, 0.0)
    autocratic = regime in (CAP_AUT, REACT)
    if switches.on("transition"):
        if regime == CAP_DEM:
            majority = expit((support - p.transition_support_threshold) / 0.02)
            h["electoral_transition"] = p.electoral_transition_rate * majority * viable * multiplier
        if autocratic and switches.on("transition_campaigns"):
            h["campaign"] = p.campaign_onset_rate * viable * expit((support - 0.35) / 0.03) * multiplier
        if regime == BUREAU:
            h["reform"] = p.reform_rate * p.hysteresis * viable * multiplier
    if switches.on("background"):
        if autocratic:
            share = democratic_share if switches.on("background_democratization_neighbours") \
                else NEIGHBOUR_REFERENCE_SHARE
            h["democratization"] = democratization_hazard(share, p)
        if regime == CAP_DEM:
            h["breakdown"] = breakdown_hazard(income, p)
        if regime == BUREAU:
            h["collapse"] = p.bureaucratic_collapse_hazard
    if switches.on("reaction"):
        if regime == CAP_DEM:
            h["backsliding"] = p.backsliding_rate * expit((reaction - p.reaction_threshold) / 0.03)
        if regime == DEM_SOC:
            h["reversion"] = p.reversion_rate * expit((reaction - p.reaction_threshold) / 0.03)
            h["electoral_loss"] = p.electoral_loss_rate * expit((p.support_loss_threshold - support) / 0.02)
    if switches.on("scarcity") and regime == DEM_SOC:
        shortfall = max(0.0, p.scarcity_threshold - math.exp(gap_total))
        fragility = republic_breakdown_hazard(income, democracy, p) if switches.on("scarcity_fragility") else 0.0
        h["reversion"] = h["reversion"] + (1.0 - p.republic_breakdown_degeneration_share) * fragility
        h["degeneration"] = (p.republic_breakdown_degeneration_share * fragility
                             + p.degeneration_scarcity_rate * shortfall)
    return [h[name] for name in HAZARD_EVENTS]


def competing_risk_event(hazards, u_occurs: float, u_which: float) -> int:
    """Event code from one competing-risk draw (0: none).

    Something happens with probability ``1 - exp(-sum h)``; which one is picked in
    proportion to its hazard (the first whose cumulative hazard reaches ``u * sum h``).
    """
    total = sum(hazards)
    if not u_occurs < -math.expm1(-total):
        return EVENT["none"]
    pick = u_which * total
    which, cumulative = 0, 0.0
    for h in hazards:  # index of the first event whose cumulative hazard reaches the pick
        cumulative += h
        if cumulative < pick:
            which += 1
    return min(which, len(hazards) - 1) + 1


def resolve_event(event, regime, income, democracy, u_type, u_success, u_outcome, p, switches, lost_office=0.0):
    """Regime after an event; returns (new regime, recorded event, failed campaign, turmoil).

    M3 campaigns are nonviolent with probability ``nonviolent_share`` and succeed with
    ``nonviolent_success`` or ``violent_success``. M4: a socialist transition (electoral,
    or successful campaign) is democratic with ``P_dem = sig(a0 + b ln(y / 20000) +
    c (D - 0.5) + k peaceful)``, else bureaucratic; a bureaucratic reform succeeds only if
    democratic (a failed reform is recorded as no event). An electoral transition while the
    coalition is out after losing an election (``lost_office``) is a re-entry: back to
    democratic socialism, without M4.
    """
    if (event == EVENT["electoral_transition"] and lost_office > 0.0 and switches.on("transition_reentry")):
        return DEM_SOC, EVENT["re_entry"], False, 0.0
    nonviolent = u_type < p.nonviolent_share
    success = u_success < (p.nonviolent_success if nonviolent else p.violent_success)
    campaign = event == EVENT["campaign"]
    peaceful = 1.0 if (nonviolent or not campaign) else 0.0
    if switches.on("material_basis"):
        logit = (p.democratic_outcome_base + p.material_basis_effect * math.log(income / REFERENCE_INCOME)
                 + p.democratic_norms_effect * (democracy - 0.5) + p.nonviolent_outcome_bonus * peaceful)
    else:  # M4 off: every country as if at the reference income and democracy 0.5
        logit = p.democratic_outcome_base + p.nonviolent_outcome_bonus * peaceful
    democratic = u_outcome < expit(logit)

    new = regime
    if event == EVENT["electoral_transition"] or (campaign and success):
        new = DEM_SOC if democratic else BUREAU
    elif event == EVENT["reform"]:
        if democratic:
            new = DEM_SOC
        else:
            event = EVENT["none"]  # an unsuccessful attempt is no change of regime
    elif event in (EVENT["democratization"], EVENT["electoral_loss"]):
        new = CAP_DEM
    elif event in (EVENT["breakdown"], EVENT["collapse"]):
        new = CAP_AUT
    elif event in (EVENT["backsliding"], EVENT["reversion"]):
        new = REACT
    elif event == EVENT["degeneration"]:
        new = BUREAU
    failed = campaign and not success
    turmoil = (campaign and not nonviolent) or event in (EVENT["reversion"], EVENT["collapse"], EVENT["breakdown"])
    return new, event, failed, 1.0 if turmoil else 0.0


def enter_regime(old, new, scarcity, moralist, years, gdp_share, p, switches, forced=False, event=0, turmoil=0.0):
    """Side effects of a regime change; returns (regime, scarcity, moralist, years in regime).

    M10: entering democratic socialism or a bureaucratic regime opens the output gap
    ``s = max(s, shock)`` sized by the transition's kind (``event``, ``turmoil``); section 3:
    the moralist faction surges at a socialist transition and otherwise decays; the regime
    clock restarts. A re-entry opens no gap and brings no surge. ``forced``: a scheduled
    regime at the start of the year, where the faction surges but does not decay (it decays
    once a year, at the end-of-year call).
    """
    changed = new != old
    reentry = event == EVENT["re_entry"]
    if switches.on("scarcity") and changed and new in (DEM_SOC, BUREAU) and not reentry:
        scarcity = max(scarcity, transition_shock(gdp_share, p, switches.on("scarcity_sanctions"), event, turmoil,
                                                  switches.on("scarcity_transition_kind")))
    mu = moralist_strength(moralist, changed and new == DEM_SOC and not reentry, new == DEM_SOC, p,
                           decay=not forced)
    return new, scarcity, mu, 0.0 if changed else years


def lost_office_after(lost: float, event: int, changed: bool) -> float:
    """M3: 1 after a socialist government lost an election, until the next change of regime."""
    if event == EVENT["electoral_loss"]:
        return 1.0
    return 0.0 if changed else lost


# --------------------------------------------------------------------------- the year
def delay(reference: float, value: float, tau: float, on: bool, drift: float = 0.0) -> float:
    """M12 first-order lag ``E' = E + drift + (x - E) / tau`` (``x`` itself when off)."""
    return reference + drift + (value - reference) / tau if on else value


def step_member(s, p, ctx, spec, geo: Geography, draws):
    """One member's year.

    Parameters
    ----------
    s : SimpleNamespace
        The member's state at the start of the year: one list over countries per
        :class:`~nato_socialism.model.state.State` field, plus ``year``.
    p : SimpleNamespace
        The member's parameter values (:func:`member_params`).
    ctx : Context
        The run context.
    spec : DoctrineSpec
        The doctrine rule (read by attribute).
    geo : Geography
        The context's kernels as lists.
    draws : dict
        Random stream -> list over countries of this member's draws this year.

    Returns
    -------
    tuple
        (new state as a dict of lists, support contributions, reaction contributions), the
        contributions as dicts of lists over countries keyed by ``CONTRIBUTIONS``.
    """
    sw = ctx.switches
    n = ctx.n
    t = ctx.year_index(s.year)
    countries = range(n)
    zeros = [0.0] * n
    dS = {k: list(zeros) for k in CONTRIBUTIONS}
    dR = {k: list(zeros) for k in CONTRIBUTIONS}
    regime, scarcity = list(s.regime), list(s.scarcity)
    moralist, years_in_regime = list(s.moralist), list(s.years_in_regime)

    # ---- 0. scheduled regime events -------------------------------------------------------
    # M5's socialist share of world output G_s at the start of the year, before the forced
    # events: it sizes a forced transition's M10 output gap and is the superpower pull of
    # section 8 (so a republic forced this year counts in the neighbour share s_n of
    # section 8 but not yet in G_s).
    gdp0 = [s.gdppc[i] * (1.0 - scarcity[i]) * s.pop[i] for i in countries]
    gdp_share0 = socialist_gdp_share(gdp0, [r == DEM_SOC for r in regime])
    forced = [False] * n
    if ctx.forced_regime is not None:
        row = ctx.forced_regime[t].tolist()
        forced = [code >= 0 for code in row]
        # Only the forced countries change regime (with its side effects); the moralists
        # surge where a republic is forced in but do not decay here: every republic's
        # moralists decay once a year, when the year's regime changes take effect.
        for i in countries:
            if forced[i]:
                regime[i], scarcity[i], moralist[i], years_in_regime[i] = enter_regime(
                    regime[i], row[i], scarcity[i], moralist[i], years_in_regime[i], gdp_share0, p, sw,
                    forced=True)
    old_regime = regime
    soc = [r == DEM_SOC for r in regime]

    # ---- 1. doctrine, moralist pressure, scheduled policies --------------------------------
    first_world = ctx.blocs.first_world[t].tolist()
    thin = [margin_is_thin(spec, regime[i], first_world[i], s.support[i], s.reaction[i], p) for i in countries]
    any_thin = any(thin)
    requested = [
        requested_controls(spec, regime[i], first_world[i], relocation_target(spec, country_blocs(ctx, t, i)),
                           s.pop[i], s.unemployment[i], thin[i], any_thin, p)
        for i in countries
    ]
    applied = [dict(c) for c in requested]
    frustration = list(zeros)
    if sw.on("moralism"):
        for i in countries:
            cap, aid, frustration[i] = moralist_pressure(
                requested[i]["immigration_cap"], requested[i]["aid_share"], moralist[i], p)
            applied[i]["immigration_cap"], applied[i]["aid_share"] = cap, aid
    for name, table in ctx.policy_override.items():
        for i in countries:
            value = float(table[t, i])
            if not math.isnan(value):
                applied[i][name] = value
    breadth = [c["alliance_breadth"] if sw.on("movement_breadth") else 0.0 for c in applied]
    income = [s.gdppc[i] * (1.0 - scarcity[i]) for i in countries]  # actual output per head
    gdp = [income[i] * s.pop[i] for i in countries]

    # ---- 2. M11 background economy, M8 aid --------------------------------------------------
    shock = draws[STREAM_GROWTH]
    m11 = sw.on("background")
    noise = sw.on("background_structural_noise")
    regime_now = [s.growth_regime[i] if noise else 0.0 for i in countries]
    growth = [background_growth(s.gdppc[i], t, regime_now[i], shock[i], p) if m11 else 0.0 for i in countries]
    aid_share = [c["aid_share"] if sw.on("aid") else 0.0 for c in applied]
    received = list(zeros)
    if sw.on("aid"):
        received = aid_received_shares(aid_share, gdp, s.pop, s.poverty, income, soc,
                                       [c["aid_priority"] for c in applied], p)
        if sw.on("aid_recipient_growth"):
            growth = [growth[i] + aid_growth_effect(received[i], p) for i in countries]
    if sw.on("migration_brain_drain"):
        growth = [growth[i] + brain_drain_growth(s.diaspora[i], s.pop[i], p) for i in countries]
    gdppc = [s.gdppc[i] * math.exp(growth[i]) for i in countries]
    pop_rate = [natural_population_growth(s.pop_growth[i], income[i], t, draws[STREAM_POP][i] if noise else 0.0, p)
                if m11 else s.pop_growth[i] for i in countries]
    pop = [s.pop[i] * (1.0 + pop_rate[i]) if m11 else s.pop[i] for i in countries]
    growth_regime = [next_growth_regime(regime_now[i], draws[STREAM_REGIME][i], p) if m11 and noise
                     else s.growth_regime[i] for i in countries]

    # ---- 3. M10 the output gap recovers: s' = s exp(-1 / (tau (1 - k_b G_s))) --------------
    scar = [recover(scarcity[i], gdp_share0, p, sw.on("scarcity_bloc_duration")) if sw.on("scarcity") else 0.0
            for i in countries]

    # ---- 4. M6 migration ---------------------------------------------------------------------
    if sw.on("migration"):
        flows = migrate(pop, income, s.unemployment, s.poverty, s.turmoil, s.displaced,
                        [c["immigration_cap"] for c in applied], [c["asylum_acceptance"] for c in applied],
                        geo, p, sw)
        for i in countries:
            pop[i] = pop[i] + (flows["immigrants"][i] + flows["refugees_in"][i]
                               - flows["emigrants"][i] - flows["refugees_out"][i])
        inflow = [flows["immigrants"][i] + flows["refugees_in"][i] for i in countries]
        displaced = flows["displaced"]
        diaspora = [diaspora_next(s.diaspora[i], flows["emigrants"][i], p) for i in countries]
    else:
        inflow, displaced, diaspora = list(zeros), list(s.displaced), list(s.diaspora)

    # ---- 5. M7 integration, erosion, unemployment ------------------------------------------
    invest = [c["integration_investment"] if sw.on("integration") else 0.0 for c in applied]
    unintegrated, integrated, excess_share = list(zeros), list(zeros), list(zeros)
    perceived, unemployment, recent, ledger, inc_erosion = (list(zeros) for _ in range(5))
    du_cause = {"M11": list(zeros), "M7": list(zeros)}
    for i in countries:
        if sw.on("integration"):
            capacity = integration_capacity(pop[i], s.unemployment[i], invest[i], p)
            unintegrated[i], integrated[i], excess = integrate(s.unintegrated[i], inflow[i], capacity, p)
        else:
            unintegrated[i], excess = s.unintegrated[i] + inflow[i], 0.0
        # I_rec' = I_rec (1 - 1 / memory) + I (contact, M9; the ledger's integrated newcomers)
        recent[i] = s.integrated_recent[i] * (1.0 - 1.0 / p.contact_memory) + integrated[i]
        if sw.on("integration"):
            ledger[i] = immigration_ledger(recent[i] / pop[i], inflow[i], capacity, pop[i], income[i],
                                           s.unemployment[i], p, sw)
        if sw.on("migration_remittances"):  # the origin's side of the ledger
            ledger[i] = ledger[i] + remittances(s.diaspora[i], s.pop[i], income[i], p)
        excess_share[i] = excess / pop[i]
        perceived[i] = delay(s.perceived_excess[i], excess_share[i], p.perception_time, sw.on("delays"))
        if sw.on("integration_erosion"):  # dS_M7 = -eps x~ / max(cohesion, 0.2), on the governing coalition
            erosion = -p.erosion_strength * perceived[i] / max(cohesion(breadth[i], p), 0.2)
            if soc[i]:
                dS["M7"][i] = erosion
            else:
                inc_erosion[i] = erosion
        # the change of unemployment by cause (M11 background, M7 inflow beyond capacity)
        if m11:
            structural = float(ctx.structural_unemployment[i])
            du_cause["M11"][i] = unemployment_change(s.unemployment[i], structural, soc[i], shock[i], p)
        if sw.on("integration_unemployment"):  # du += nu x
            du_cause["M7"][i] = p.excess_unemployment_effect * excess_share[i]
        unemployment[i] = clip(s.unemployment[i] + (du_cause["M11"][i] + du_cause["M7"][i]), 0.005, 0.5)

    # ---- 6. living standards, poverty, gaps against expectations by channel -----------------
    # ln L = ln y + ln(1 - s) + ln(1 - aid + c a) + (ln(1 - invest) + ledger); L = 0.65 exp(ln L);
    # each channel's gap is its value minus its M12 expectation.
    donor_cost = sw.on("aid_donor_cost")
    comp = {k: list(zeros) for k in CHANNELS}
    gap = {k: list(zeros) for k in CHANNELS}
    gap_total, living, poverty = list(zeros), list(zeros), list(zeros)
    for i in countries:
        comp["M11"][i] = math.log(gdppc[i])
        comp["M10"][i] = math.log1p(-scar[i])
        comp["M8"][i] = aid_consumption_log(aid_share[i], received[i], p, donor_cost)
        comp["M7"][i] = math.log1p(-invest[i]) + ledger[i]
        for k, field in CHANNELS.items():
            gap[k][i] = comp[k][i] - getattr(s, field)[i]
        gap_total[i] = gap["M11"][i] + gap["M10"][i] + gap["M8"][i] + gap["M7"][i]
        living[i] = CONSUMPTION_SHARE * math.exp(comp["M11"][i] + comp["M10"][i] + comp["M8"][i] + comp["M7"][i])
        # lognormal consumption with the country's Gini, offset to match the start year
        sigma = float(ctx.poverty_sigma[i])
        poverty[i] = ndtr(math.log(POVERTY_LINE / living[i]) / sigma + sigma / 2.0 + float(ctx.poverty_offset[i]))

    # ---- 7. M1 organizer relocation, M2 movement and support --------------------------------
    griev = [grievance(s.unemployment[i], float(ctx.gini[i]), s.growth[i], p) for i in countries]
    dm = list(zeros)
    if sw.on("organizer_relocation"):
        dm = relocation_changes(s.movement, s.pop, [c["relocation_rate"] for c in applied],
                                [c["relocation_target"] for c in applied], p,
                                sw.on("organizer_relocation_diminishing"))
    if sw.on("movement"):
        for i in countries:
            dm[i] = dm[i] + movement_change(s.movement[i], griev[i], s.democracy[i], soc[i], p)
            dS["M2"][i] = support_change(s.support[i], s.movement[i], griev[i], breadth[i], p)
            if sw.on("movement_living_standard"):
                # a socialist government's support follows living standards against
                # expectations, dS = sigma gap, attributed to the channel that moved them
                for k in CHANNELS:
                    dS[k][i] = dS[k][i] + (p.living_standard_support * gap[k][i] if soc[i] else 0.0)
            if sw.on("movement_economic_voting"):
                # economic voting: dS = -v du against last year's rate, attributed to the cause
                for k in ("M11", "M7"):
                    dS[k][i] = dS[k][i] + (-p.unemployment_voting * du_cause[k][i] if soc[i] else 0.0)
    movement = [clip(s.movement[i] + dm[i], 1e-5, 0.5) for i in countries]

    # ---- 8. M5 diffusion, M11 democracy toward the regime's bounds ---------------------------
    multiplier = [1.0] * n
    ddem = [democracy_toward_regime(s.democracy[i], old_regime[i])
            + (p.democracy_shock_sd * draws[STREAM_DEMOCRACY][i] if noise else 0.0) if m11 else 0.0
            for i in countries]
    if sw.on("diffusion"):
        share_n = neighbour_mean(geo, [1.0 if x else 0.0 for x in soc]) if sw.on("diffusion_neighbours") else zeros
        gdp_share = gdp_share0 if sw.on("diffusion_superpower") else 0.0
        drift_to = neighbour_mean(geo, s.democracy) if sw.on("diffusion_democracy_drift") else None
        for i in countries:
            multiplier[i] = hazard_multiplier(share_n[i], gdp_share, p)
            # demonstration effect dS_M5 = k_d s_n (1 - S) outside socialist republics
            dS["M5"][i] = 0.0 if soc[i] else p.diffusion_support * share_n[i] * (1.0 - s.support[i])
            if drift_to is not None:  # dD = drift (W @ D - D)
                ddem[i] = ddem[i] + p.democracy_drift * (drift_to[i] - s.democracy[i])
    democracy = [clip(s.democracy[i] + ddem[i], 0.0, 1.0) for i in countries]

    # ---- 9. M9 reactionary support ------------------------------------------------------------
    # I_rec' = I_rec (1 - 1 / memory) + I;  R* = R0 + rho_imm (U/pop - U0/pop0) - rho_c I_rec/pop;
    # dR_M9 = kappa (R* - R); rho_ls max(0, -gap) is attributed to the channels by their share.
    if sw.on("reaction"):
        for i in countries:
            target = s.reaction_base[i]
            if sw.on("reaction_immigration"):
                target = target + p.reaction_immigration_effect * (unintegrated[i] / pop[i] - s.unintegrated_share0[i])
            if sw.on("reaction_contact"):
                target = target - p.reaction_contact_effect * (recent[i] / pop[i])
            dR["M9"][i] = p.reaction_adjust_rate * (target - s.reaction[i])
            if sw.on("reaction_living_standard") and gap_total[i] < 0.0:
                push = p.reaction_living_standard_effect * max(0.0, -gap_total[i])
                for k in CHANNELS:
                    dR[k][i] = dR[k][i] + push * gap[k][i] / gap_total[i]
    for i in countries:  # section 3: the moralists' frustration costs support
        dS["moralism"][i] = -p.moralist_frustration_cost * frustration[i]

    # ---- 10. regime events: one competing-risk draw per country ----------------------------
    new_regime, event, turmoil = list(regime), [0] * n, list(zeros)
    # M11: the neighbours' democratic share (capitalist democracies and republics) at the start of the year
    democratic_share = neighbour_mean(geo, [1.0 if r in (CAP_DEM, DEM_SOC) else 0.0 for r in old_regime])
    for i in countries:
        # M3 viability of the movement: sig((P - v) / (0.2 v)), P = 2 cohesion m
        participation = MOBILIZATION * cohesion(breadth[i], p) * s.movement[i]
        viable = expit((participation - p.viability_participation) / (0.2 * p.viability_participation))
        hazards = regime_hazards(old_regime[i], s.support[i], s.reaction[i], viable, multiplier[i],
                                 income[i], gap_total[i], s.democracy[i], democratic_share[i], p, sw)
        if forced[i]:  # a country forced this year keeps the forced regime: no hazard
            hazards = [0.0] * len(hazards)
        code = competing_risk_event(hazards, draws[STREAM_OCCURS][i], draws[STREAM_WHICH][i])
        new_regime[i], event[i], failed, turmoil[i] = resolve_event(
            code, old_regime[i], income[i], democracy[i], draws[STREAM_TYPE][i], draws[STREAM_SUCCESS][i],
            draws[STREAM_OUTCOME][i], p, sw, s.lost_office[i])
        if forced[i]:
            event[i] = EVENT["forced"]
        if failed:  # M3: a failed campaign costs movement and support a share of their size
            dS["M3"][i] = -p.campaign_failure_cost * s.support[i]
            # the movement stays within its bounds [1e-5, 0.5]
            movement[i] = clip(movement[i] * (1.0 - p.campaign_failure_cost), 1e-5, 0.5)

    # ---- 11. clip (named contribution), M12 expectations, regime changes take effect ---------
    support, reaction = list(zeros), list(zeros)
    for i in countries:
        total = 0
        for k in CONTRIBUTIONS:
            total = total + dS[k][i]
        s_raw = s.support[i] + total
        support[i] = clip(s_raw, 0.0, 1.0)
        dS["clip"][i] = support[i] - s_raw
        total = 0
        for k in CONTRIBUTIONS:
            total = total + dR[k][i]
        r_raw = s.reaction[i] + total
        reaction[i] = clip(r_raw, 0.0, 1.0 - support[i])  # S + R <= 1
        dR["clip"][i] = reaction[i] - r_raw
    # the governing coalition's support: the socialists' where they govern after the year
    incumbent = [support[i] if new_regime[i] == DEM_SOC
                 else incumbent_next(s.incumbent_support[i], support[i], reaction[i], inc_erosion[i], p)
                 for i in countries]

    m12 = sw.on("delays")
    drift = p.frontier_growth if m11 else 0.0  # expected income drifts with the frontier
    new = {
        "pop": pop, "gdppc": gdppc, "democracy": democracy, "movement": movement,
        "support": support, "incumbent_support": incumbent, "reaction": reaction, "unemployment": unemployment,
        "unintegrated": unintegrated, "integrated_recent": recent, "displaced": displaced,
        "diaspora": diaspora, "poverty": poverty, "living": living, "scarcity": scar, "aid_received": received,
        "growth": growth, "perceived_excess": perceived, "turmoil": turmoil,
        "growth_regime": growth_regime, "pop_growth": pop_rate,
        "expected_income": [delay(s.expected_income[i], comp["M11"][i], p.expectation_time, m12, drift)
                            for i in countries],
        "reaction_base": list(s.reaction_base), "unintegrated_share0": list(s.unintegrated_share0),
    }
    for k in ("M10", "M8", "M7"):
        field = CHANNELS[k]
        new[field] = [delay(getattr(s, field)[i], comp[k][i], p.expectation_time, m12) for i in countries]
    # M10: the output gap a transition opens shrinks with the socialist share of world output
    # (GDP at the end of the year of the countries that were socialist at its start).
    end_share = socialist_gdp_share([gdppc[i] * (1.0 - scar[i]) * pop[i] for i in countries], soc)
    new["regime"], new["moralist"], new["years_in_regime"] = list(zeros), list(zeros), list(zeros)
    new["lost_office"] = list(zeros)
    for i in countries:
        new["regime"][i], new["scarcity"][i], new["moralist"][i], new["years_in_regime"][i] = enter_regime(
            old_regime[i], new_regime[i], scar[i], moralist[i], years_in_regime[i] + 1.0, end_share, p, sw,
            event=event[i], turmoil=turmoil[i])
        changed = new_regime[i] != old_regime[i] or forced[i]
        new["lost_office"][i] = lost_office_after(s.lost_office[i], event[i], changed)
    new["event"] = event
    return new, dS, dR


# --------------------------------------------------------------------------- ensemble step, runner
def year_draws(keys: np.ndarray, year: int, n: int) -> dict[int, list[list[float]]]:
    """Random numbers of every member for a year, by stream (the core's counter-based rng)."""
    draws = {stream: normals(keys, year, stream, n).tolist() for stream in NORMAL_STREAMS}
    for stream in (STREAM_OCCURS, STREAM_WHICH, STREAM_TYPE, STREAM_SUCCESS, STREAM_OUTCOME):
        draws[stream] = uniforms(keys, year, stream, n).tolist()
    return draws


def member_state(state: State, m: int) -> SimpleNamespace:
    """Member ``m``'s state as lists over countries."""
    rows = {name: values[m].tolist() for name, values in state.arrays().items()}
    return SimpleNamespace(year=state.year, **rows)


def step(state: State, p, ctx, spec, keys: np.ndarray):
    """Advance every member one year, member by member and country by country.

    Parameters
    ----------
    state : State
        Ensemble state at the start of the year, arrays (members, countries).
    p : Params
        Parameter record, arrays (members, 1).
    ctx : Context
        Run context.
    spec : DoctrineSpec
        Doctrine rule (read by attribute).
    keys : numpy.ndarray
        Member keys (uint64, one per member).

    Returns
    -------
    tuple
        (new State, support contributions, reaction contributions); the contributions are
        dicts keyed by ``CONTRIBUTIONS`` of (members, countries) arrays.
    """
    new_state, support, reaction, _ = step_with_events(state, p, ctx, spec, keys)
    return new_state, support, reaction


def step_with_events(state: State, p, ctx, spec, keys: np.ndarray):
    """:func:`step`, also returning the year's regime event codes (members, countries)."""
    e, n = state.pop.shape
    geo = Geography(ctx)
    draws = year_draws(keys, state.year, n)
    rows, ds_rows, dr_rows = [], [], []
    for m in range(e):
        new, ds, dr = step_member(member_state(state, m), member_params(p, m), ctx, spec, geo,
                                  {k: v[m] for k, v in draws.items()})
        rows.append(new)
        ds_rows.append(ds)
        dr_rows.append(dr)
    fields = {name: np.array([r[name] for r in rows], dtype=np.float64) for name in state.arrays()}
    fields["regime"] = fields["regime"].astype(np.int8)
    new_state = State(year=state.year + 1, **fields)
    support = {k: np.array([d[k] for d in ds_rows], dtype=np.float64) for k in CONTRIBUTIONS}
    reaction = {k: np.array([d[k] for d in dr_rows], dtype=np.float64) for k in CONTRIBUTIONS}
    event = np.array([r["event"] for r in rows], dtype=np.int8)
    return new_state, support, reaction, event


def run(ctx, world, p, keys, members, spec, years: int | None = None) -> dict[str, np.ndarray]:
    """Run a block of members for ``years`` (default: the context's horizon).

    ``p`` and ``keys`` hold the block's members (as for
    :func:`nato_socialism.model.simulate.simulate_members`); ``members`` are their indices.

    Returns
    -------
    dict
        Every :class:`~nato_socialism.model.state.State` field of the final state, shape
        (members, countries); ``year`` (the final year); ``members``; ``why_support`` and
        ``why_reaction``, shape (members, years, contributions, countries) in the order of
        ``CONTRIBUTIONS``; ``regime_by_year``, shape (members, years + 1, countries);
        ``event``, the regime event codes (``EVENTS``), shape (members, years, countries).
    """
    years = ctx.horizon if years is None else years
    state = initial_state(world, ctx, p, keys)
    e, n = state.pop.shape
    why_s = np.zeros((e, years, len(CONTRIBUTIONS), n))
    why_r = np.zeros((e, years, len(CONTRIBUTIONS), n))
    regimes = np.zeros((e, years + 1, n), dtype=np.int8)
    events = np.zeros((e, years, n), dtype=np.int8)
    regimes[:, 0] = state.regime
    for y in range(years):
        state, ds, dr, events[:, y] = step_with_events(state, p, ctx, spec, keys)
        for c, k in enumerate(CONTRIBUTIONS):
            why_s[:, y, c] = ds[k]
            why_r[:, y, c] = dr[k]
        regimes[:, y + 1] = state.regime
    out = dict(state.arrays())
    out.update(year=np.array(state.year), members=np.asarray(members), why_support=why_s,
               why_reaction=why_r, regime_by_year=regimes, event=events)
    return out
