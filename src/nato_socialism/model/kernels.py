"""Compiled loops of the yearly step (numba), equal bit for bit to the array formulas.

:mod:`nato_socialism.model.step` runs the year as a few fused passes over the
(members, countries) arrays instead of hundreds of NumPy temporaries. The equations are those
of the mechanism modules and of :mod:`nato_socialism.model.step_numpy` (the readable array
version); ``tests/test_model_fast.py`` checks that both give the same bits. To keep them equal:

* every arithmetic operation is written in the order NumPy evaluates the array expression
  (``a * b * c`` is ``(a * b) * c``), in float64, without ``fastmath`` (no contraction into
  fused multiply-adds, no reassociation);
* NumPy's vectorized ``exp``, ``log``, ``log1p``, ``expm1`` and ``power`` are *not* called
  here (they differ from the C library's in the last bit): the step calls NumPy for them
  between passes. ``expit`` is ``1 / (1 + exp(-x))`` with the C library's ``exp`` in SciPy
  too, so it is computed here;
* row sums use :func:`pairwise_sum`, NumPy's pairwise summation for a contiguous row;
* sparse neighbour products sum each output over the stored neighbours in order from zero,
  as SciPy's CSR kernel does.

Every pass is a loop over members and countries; a member's numbers never depend on the
other members, so results are the same whatever the chunking. Functions are compiled once
and cached on disk (``cache=True``).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

_jit = njit(cache=True, nogil=True, error_model="numpy")
_inline = njit(cache=True, nogil=True, error_model="numpy", inline="always")

#: Parameters the compiled passes read; ``P[m, KP.name]`` is member m's value of ``name``.
KParams = namedtuple(
    "KParams",
    (
        "relocation_efficiency relocation_saturation adult_share movement_growth_rate movement_capacity "
        "movement_decay grievance_unemployment grievance_inequality grievance_stagnation "
        "repression_freedom_floor support_ceiling breadth_ceiling_gain breadth_cohesion_cost "
        "movement_half_support support_adjust_rate grievance_support living_standard_support "
        "transition_support_threshold viability_participation electoral_transition_rate "
        "campaign_onset_rate nonviolent_share nonviolent_success violent_success campaign_failure_cost "
        "reform_rate material_basis_effect democratic_norms_effect democratic_outcome_base "
        "nonviolent_outcome_bonus diffusion_strength diffusion_half_share superpower_pull "
        "diffusion_support democracy_drift emigration_max_rate emigration_elasticity "
        "emigration_hump_curvature emigration_unemployment_push migration_long_distance_share "
        "baseline_immigration_cap displacement_poverty_rate displacement_turmoil_rate "
        "displacement_return_rate refugee_cross_border_share refugee_neighbour_share "
        "integration_capacity_base integration_capacity_investment integration_unemployment_slack "
        "natural_integration_rate erosion_strength excess_unemployment_effect aid_growth_effect "
        "aid_saturation aid_recipient_max_income baseline_aid_share aid_consumption_share "
        "reaction_immigration_effect reaction_contact_effect contact_memory "
        "reaction_living_standard_effect reaction_adjust_rate reaction_threshold reversion_rate "
        "backsliding_rate electoral_loss_rate support_loss_threshold transition_output_shock "
        "sanctions_shock scarcity_threshold degeneration_base_rate degeneration_scarcity_rate "
        "hysteresis frontier_growth convergence_rate growth_shock_sd pop_growth_base "
        "pop_growth_income_slope pop_growth_trend unemployment_adjust_rate okun_coefficient "
        "socialist_full_employment ppp1985_to_2021 breakdown_hazard_poor breakdown_hazard_lower "
        "breakdown_hazard_middle breakdown_hazard_rich democratization_hazard "
        "bureaucratic_collapse_hazard expectation_time perception_time moralist_surge moralist_decay "
        "moralist_influence moralist_open_cap moralist_aid_share moralist_frustration_cost"
    ).split(),
)


#: Column of each parameter in the matrix of :func:`kernel_params` (a compile-time constant).
KP = KParams(*range(len(KParams._fields)))


def kernel_params(p) -> np.ndarray:
    """The parameters of a Params record that the passes read: (members, len(KParams)) float64."""
    return np.ascontiguousarray(np.hstack([getattr(p, name) for name in KParams._fields]), dtype=np.float64)


# Regime codes (Regime enum) and event codes (step.EVENTS), as literals for the compiler.
_CD, _CA, _DS, _BU, _RE = 0, 1, 2, 3, 4
_CLOSED = 0.0005  # doctrines.CLOSED
_MOBILIZATION = 2.0  # movement.MOBILIZATION
_REFERENCE_INCOME = 20000.0
_RELAX = 0.3  # background.DEMOCRACY_RELAX_RATE
_DEM_LO = (0.42, 0.0, 0.7, 0.0, 0.0)  # background.REGIME_DEMOCRACY_BOUNDS
_DEM_HI = (1.0, 0.5, 1.0, 0.2, 0.35)

#: Contributions (step.CONTRIBUTIONS) that can be non-zero, in the order of their planes in the
#: ``ds`` (support) and ``dr`` (reaction) arrays of the passes; the others are always zero.
SUPPORT_PARTS = ("M2", "M3", "M5", "M7", "M8", "M10", "M11", "moralism", "clip")
REACTION_PARTS = ("M7", "M8", "M9", "M10", "M11", "clip")
_S_M2, _S_M3, _S_M5, _S_M7, _S_M8, _S_M10, _S_M11, _S_MORALISM, _S_CLIP = range(9)
_R_M7, _R_M8, _R_M9, _R_M10, _R_M11, _R_CLIP = range(6)

# RNG constants (rng.py)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_ONE = np.uint64(1)
_INV53 = 1.0 / 9007199254740992.0


# ----------------------------------------------------------------------------- helpers
@_inline
def _max(a, b):
    """np.maximum(a, b) for numbers that are not NaN."""
    return a if a >= b else b


@_inline
def _min(a, b):
    """np.minimum(a, b) for numbers that are not NaN."""
    return a if a <= b else b


@_inline
def _clip(x, lo, hi):
    """np.clip(x, lo, hi) = minimum(maximum(x, lo), hi)."""
    return _min(_max(x, lo), hi)


@_inline
def _expit(x):
    return 1.0 / (1.0 + math.exp(-x))


@_inline
def _pw_block(a, lo, n):
    """NumPy's pairwise sum of at most 128 numbers (8 accumulators, then the rest in order)."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0 = a[lo]
    r1 = a[lo + 1]
    r2 = a[lo + 2]
    r3 = a[lo + 3]
    r4 = a[lo + 4]
    r5 = a[lo + 5]
    r6 = a[lo + 6]
    r7 = a[lo + 7]
    i = 8
    stop = n - (n % 8)
    while i < stop:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


# NumPy halves blocks longer than 128 recursively (at a multiple of 8). The levels are spelled
# out because numba cannot cache recursive functions; the four levels cover 1,024 countries.
@_inline
def _pw1(a, lo, n):
    if n <= 128:
        return _pw_block(a, lo, n)
    n2 = n // 2
    n2 -= n2 % 8
    return _pw_block(a, lo, n2) + _pw_block(a, lo + n2, n - n2)


@_inline
def _pw2(a, lo, n):
    if n <= 128:
        return _pw_block(a, lo, n)
    n2 = n // 2
    n2 -= n2 % 8
    return _pw1(a, lo, n2) + _pw1(a, lo + n2, n - n2)


@_jit
def _pw3(a, lo, n):
    if n <= 128:
        return _pw_block(a, lo, n)
    n2 = n // 2
    n2 -= n2 % 8
    return _pw2(a, lo, n2) + _pw2(a, lo + n2, n - n2)


@_jit
def pairwise_sum(a, lo, n):
    """NumPy's pairwise sum of ``a[lo:lo + n]`` (contiguous float64, n <= 1024), bit for bit."""
    if n > 1024:
        raise ValueError("pairwise_sum: more than 1024 numbers")
    if n <= 128:
        return _pw_block(a, lo, n)
    n2 = n // 2
    n2 -= n2 % 8
    return _pw3(a, lo, n2) + _pw3(a, lo + n2, n - n2)


@_inline
def _row_sum(a):
    return pairwise_sum(a, 0, a.shape[0])


@_inline
def _uniform(key, counter, j):
    """rng.uniforms for one member key and country j (counter: year and stream bits)."""
    idx = counter | np.uint64(j)
    z = key + _GOLDEN * (idx + _ONE)
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    z = z ^ key
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return (np.float64(z >> _S11) + 0.5) * _INV53


@_jit
def uniforms(keys, counter, n, out):
    """Uniform draws (members, n) into ``out``; ``counter`` = rng counter bits of (year, stream)."""
    for m in range(keys.shape[0]):
        key = keys[m]
        for j in range(n):
            out[m, j] = _uniform(key, counter, j)


@_inline
def _csr_dot(indptr, indices, data, x, i):
    """Row i of a CSR matrix times vector x, summed from zero in stored order (SciPy's order)."""
    acc = 0.0
    for jj in range(indptr[i], indptr[i + 1]):
        acc = acc + data[jj] * x[indices[jj]]
    return acc


@_jit
def csr_rows(indptr, indices, data, x, out):
    """``out[m] = A @ x[m]`` for every member row (A in CSR form)."""
    for m in range(x.shape[0]):
        xm = x[m]
        for i in range(out.shape[1]):
            out[m, i] = _csr_dot(indptr, indices, data, xm, i)


@_jit
def gdp_share(gdppc, scarcity, pop, regime, out, scratch):
    """diffusion.socialist_gdp_share of GDP ``gdppc * (1 - scarcity) * pop`` under ``regime``."""
    e, n = pop.shape
    for m in range(e):
        for j in range(n):
            g = gdppc[m, j] * (1.0 - scarcity[m, j]) * pop[m, j]
            scratch[0, j] = g
            scratch[1, j] = g if regime[m, j] == _DS else 0.0
        out[m] = _row_sum(scratch[1]) / _row_sum(scratch[0])


# ----------------------------------------------------------------------------- 1. doctrine
@_jit
def doctrine(gdppc, scar, pop, regime, unemp, support, reaction, moralist, target_row, first_world,
             spec, has_cap, has_aid, moralism_on, P,
             income, gdp, rate, cap_req, invest, aid_req, prio, cap_app, aid_app, frustration,
             ratio_frontier, ratio_1000, ratio_peak, ratio_ref, frontier, peak, thin):
    """Requested controls (doctrines.request), moralist pressure (moralism.apply), income, GDP.

    Also the arguments of the year's first logarithms and powers (income ratios).
    ``spec``: relocation_rate, cap_to_capacity, unemployment_target, integration_investment,
    aid_share, aid_priority, safety_margin, safety_cut.
    """
    e, n = pop.shape
    s_rate, s_cap, s_ut, s_inv, s_aid, s_prio, s_margin, s_cut = (
        spec[0], spec[1], spec[2], spec[3], spec[4], spec[5], spec[6], spec[7])
    for m in range(e):
        bic = P[m, KP.baseline_immigration_cap]
        bas = P[m, KP.baseline_aid_share]
        base = P[m, KP.integration_capacity_base] + P[m, KP.integration_capacity_investment] * 100.0 * s_inv
        slack_u = P[m, KP.integration_unemployment_slack]
        slt = P[m, KP.support_loss_threshold]
        any_thin = False
        for j in range(n):
            r = regime[m, j]
            soc = r == _DS
            closed = (r == _BU) or (r == _RE)
            fw = first_world[j]
            rate[m, j] = 0.0 if target_row[j] > 0 else s_rate
            cap = _CLOSED if closed else bic
            aid = (bas if (fw and not closed) else 0.0) * 1.0
            if has_cap and soc:
                u = unemp[m, j]
                labour = _clip(1.0 - u / slack_u, 0.1, 1.0)
                own = s_cap * (pop[m, j] * base * labour) / pop[m, j]
                slack = _clip(1.0 - (u - s_ut) / 0.05, 0.0, 1.0)
                cap = own * slack
            if has_aid and soc:
                aid = s_aid
            invest[m, j] = s_inv if soc else 0.0
            prio[m, j] = s_prio if soc else 0.0
            t = False
            if s_margin > 0 and soc and fw:
                margin = support[m, j] - _max(slt, reaction[m, j])
                t = margin < s_margin
            thin[j] = t
            any_thin = any_thin or t
            cap_req[m, j] = cap
            aid_req[m, j] = aid
        if s_margin > 0:
            for j in range(n):
                if thin[j]:
                    cap_req[m, j] = cap_req[m, j] * s_cut
                if any_thin and regime[m, j] == _DS and first_world[j]:
                    aid_req[m, j] = aid_req[m, j] * s_cut
        moc = P[m, KP.moralist_open_cap]
        mas = P[m, KP.moralist_aid_share]
        mi = P[m, KP.moralist_influence]
        fr_m = frontier[m]
        pk = peak[m]
        for j in range(n):
            cap = cap_req[m, j]
            aid = aid_req[m, j]
            if moralism_on:
                mu = moralist[m, j]
                cap_gap = _max(0.0, moc - cap)
                aid_gap = _max(0.0, mas - aid)
                won = mu * mi
                cap_app[m, j] = cap + won * cap_gap
                aid_app[m, j] = aid + won * aid_gap
                left = 1.0 - won
                frustration[m, j] = mu * 0.5 * (left * cap_gap / moc + left * aid_gap / mas)
            else:
                cap_app[m, j] = cap
                aid_app[m, j] = aid
                frustration[m, j] = 0.0
            inc = gdppc[m, j] * (1.0 - scar[m, j])
            income[m, j] = inc
            gdp[m, j] = inc * pop[m, j]
            ratio_frontier[m, j] = fr_m / gdppc[m, j]  # growth converges on potential output
            ratio_1000[m, j] = inc / 1000.0
            ratio_peak[m, j] = inc / pk
            ratio_ref[m, j] = inc / _REFERENCE_INCOME


# ----------------------------------------------------------------------------- 2. growth, aid
@_jit
def growth(shock, ln_frontier, ln_1000, x_gamma, income, gdp, pop, poverty, regime, aid_share, prio,
           m11, aid_on, aid_growth_on, t, P,
           received, g, pop1, hump_arg, scratch):
    """M11 growth and natural population growth, M8 aid received and its growth effect."""
    e, n = pop.shape
    tf = float(t)
    for m in range(e):
        if aid_on:
            for j in range(n):
                ag = aid_share[m, j] * gdp[m, j]
                scratch[0, j] = ag
                scratch[1, j] = ag * prio[m, j]
            budget = _row_sum(scratch[0])
            mean_prio = _row_sum(scratch[1]) / budget if budget > 0 else 0.0
            arm = P[m, KP.aid_recipient_max_income]
            for j in range(n):
                socf = 1.0 if regime[m, j] == _DS else 0.0
                if income[m, j] < arm:
                    scratch[2, j] = pop[m, j] * poverty[m, j] * (1.0 + mean_prio * socf)
                else:
                    scratch[2, j] = 0.0
            total = _row_sum(scratch[2])
            for j in range(n):
                r = budget * scratch[2, j] / total if total > 0 else 0.0
                received[m, j] = r / gdp[m, j]
        else:
            for j in range(n):
                received[m, j] = 0.0
        fg = P[m, KP.frontier_growth]
        cr = P[m, KP.convergence_rate]
        sd = P[m, KP.growth_shock_sd]
        age = P[m, KP.aid_growth_effect]
        asat = P[m, KP.aid_saturation]
        pgb = P[m, KP.pop_growth_base]
        pgis = P[m, KP.pop_growth_income_slope]
        pgt = P[m, KP.pop_growth_trend] * tf
        bg = P[m, KP.emigration_elasticity] / P[m, KP.emigration_hump_curvature]
        for j in range(n):
            gj = _clip(fg + cr * ln_frontier[m, j] + sd * shock[m, j], -0.3, 0.3) if m11 else 0.0
            if aid_on and aid_growth_on:
                rec = received[m, j]
                gj = gj + age * rec / (1.0 + rec / asat)
            g[m, j] = gj
            if m11:
                pop1[m, j] = pop[m, j] * (1.0 + _clip(pgb - pgis * ln_1000[m, j] - pgt, -0.015, 0.04))
            else:
                pop1[m, j] = pop[m, j]
            hump_arg[m, j] = bg * (1.0 - x_gamma[m, j])


# ----------------------------------------------------------------------------- 3. migration
@_jit
def migration_setup(gdppc, exp_g, scar, scar_decay, unemp, poverty, turmoil, displaced, pop1, x_beta,
                    exp_hump, attract_pow, cap_app, scarcity_on, econ_on, refugees_on, caps_on, P,
                    gdppc1, scar1, stock, to_neighbours, desired, attract, room):
    """New GDP per head and output gap; M6 desired emigration, refugees, attractiveness, room."""
    e, n = pop1.shape
    for m in range(e):
        emr = P[m, KP.emigration_max_rate]
        eup = P[m, KP.emigration_unemployment_push]
        dpr = P[m, KP.displacement_poverty_rate]
        dtr = P[m, KP.displacement_turmoil_rate]
        drr = P[m, KP.displacement_return_rate]
        rcbs = P[m, KP.refugee_cross_border_share]
        rns = P[m, KP.refugee_neighbour_share]
        slack_u = P[m, KP.integration_unemployment_slack]
        dec = scar_decay[m]
        for j in range(n):
            gdppc1[m, j] = gdppc[m, j] * exp_g[m, j]
            scar1[m, j] = scar[m, j] * dec if scarcity_on else 0.0
            u = unemp[m, j]
            p1 = pop1[m, j]
            if econ_on:
                push = 1.0 + eup * _max(0.0, u - 0.05)
                econ = emr * (x_beta[m, j] * exp_hump[m, j]) * push * p1
            else:
                econ = 0.0 * p1
            if refugees_on:
                new_disp = p1 * (dpr * poverty[m, j] + dtr * turmoil[m, j])
            else:
                new_disp = 0.0
            stock[m, j] = displaced[m, j] * (1.0 - drr) + new_disp
            crossing = rcbs * new_disp
            tn = rns * crossing
            to_neighbours[m, j] = tn
            desired[m, j] = econ + (crossing - tn)
            attract[m, j] = attract_pow[m, j] * _clip(1.0 - u / slack_u, 0.1, 1.0)
            room[m, j] = cap_app[m, j] * p1 if caps_on else np.inf


@_jit
def alloc_per_z(desired, both, share, per_z):
    """Gravity round, part 1: ``per_z = desired / z`` with z the mixed kernel product (0 if z <= 0)."""
    e, n = desired.shape
    for m in range(e):
        t = share[m]
        for j in range(n):
            z = (1.0 - t) * both[m, j] + t * both[m, n + j]
            per_z[m, j] = desired[m, j] / z if z > 0 else 0.0


@_jit
def alloc_accept(attract, both, share, room, demand, accept, weighted):
    """Gravity round, part 2: demand at each destination and the accepted share under its room."""
    e, n = attract.shape
    for m in range(e):
        t = share[m]
        for j in range(n):
            d = attract[m, j] * ((1.0 - t) * both[m, j] + t * both[m, n + j])
            demand[m, j] = d
            a = room[m, j] / _max(d, 1e-300) if d > room[m, j] else 1.0
            accept[m, j] = a
            weighted[m, j] = attract[m, j] * a


@_jit
def alloc_done(per_z, both, share, demand, accept, left, admitted, add):
    """Gravity round, part 3: emigrants who left and immigrants admitted (added if ``add``)."""
    e, n = per_z.shape
    for m in range(e):
        t = share[m]
        for j in range(n):
            lv = per_z[m, j] * ((1.0 - t) * both[m, j] + t * both[m, n + j])
            ad = demand[m, j] * accept[m, j]
            if add:
                left[m, j] = left[m, j] + lv
                admitted[m, j] = admitted[m, j] + ad
            else:
                left[m, j] = lv
                admitted[m, j] = ad


@_jit
def alloc_second(room, admitted, desired, left, attract, free, desired2, attract2):
    """Inputs of the second gravity round: room left, demand refused, attractiveness scaled by room."""
    e, n = room.shape
    for m in range(e):
        for j in range(n):
            f = _max(room[m, j] - admitted[m, j], 0.0)
            free[m, j] = f
            desired2[m, j] = desired[m, j] - left[m, j]
            attract2[m, j] = attract[m, j] * f / _max(room[m, j], 1e-300)


# ----------------------------------------------------------------------------- 4. integration
@_jit
def integration(pop1, left, admitted, refugees_in, to_neighbours, stock, displaced_old, unintegrated,
                unemp, perceived_old, breadth, invest_app, regime, shock, structural, scar1, aid_share,
                received, migration_on, integration_on, erosion_on, delays_on, m11, unemp_on, donor_cost,
                P,
                pop2, displaced, displaced_new, unintegrated1, integrated, perceived, ds_m7, unemp1,
                arg_m10, arg_m8, arg_m7):
    """M6 net flows, M7 integration and erosion, unemployment, arguments of the log1p channels."""
    e, n = pop1.shape
    for m in range(e):
        drr = P[m, KP.displacement_return_rate]
        base_c = P[m, KP.integration_capacity_base]
        inv_c = P[m, KP.integration_capacity_investment]
        slack_u = P[m, KP.integration_unemployment_slack]
        nir = P[m, KP.natural_integration_rate]
        pt = P[m, KP.perception_time]
        bcc = P[m, KP.breadth_cohesion_cost]
        es = P[m, KP.erosion_strength]
        uar = P[m, KP.unemployment_adjust_rate]
        okun_sd = P[m, KP.okun_coefficient] * P[m, KP.growth_shock_sd]
        sfe = P[m, KP.socialist_full_employment]
        eue = P[m, KP.excess_unemployment_effect]
        acs = P[m, KP.aid_consumption_share]
        for j in range(n):
            if migration_on:
                adm = admitted[m, j]
                rin = refugees_in[m, j]
                p2 = pop1[m, j] + (adm + rin - left[m, j] - to_neighbours[m, j])
                inflow = adm + rin
                displaced[m, j] = stock[m, j]
                displaced_new[m, j] = stock[m, j] - displaced_old[m, j] * (1.0 - drr)
            else:
                p2 = pop1[m, j]
                inflow = 0.0
                displaced[m, j] = displaced_old[m, j]
                displaced_new[m, j] = 0.0
            pop2[m, j] = p2
            u = unemp[m, j]
            inv = invest_app[m, j] if integration_on else 0.0
            if integration_on:
                cap = p2 * (base_c + inv_c * 100.0 * inv) * _clip(1.0 - u / slack_u, 0.1, 1.0)
                st = unintegrated[m, j] + inflow
                integ = _min(st, cap)
                integ = integ + nir * (st - integ)
                unintegrated1[m, j] = st - integ
                integrated[m, j] = integ
                excess = _max(0.0, inflow - cap)
            else:
                unintegrated1[m, j] = unintegrated[m, j] + inflow
                integrated[m, j] = 0.0
                excess = 0.0
            xs = excess / p2
            pe = perceived_old[m, j]
            perc = pe + 0.0 + (xs - pe) / pt if delays_on else xs
            perceived[m, j] = perc
            coh = 1.0 - bcc * breadth[m, j]
            ds_m7[m, j] = -es * perc / _max(coh, 0.2) if erosion_on else 0.0
            if m11:
                target = structural[j] * (sfe if regime[m, j] == _DS else 1.0)
                du = uar * (target - u) - okun_sd * shock[m, j]
            else:
                du = 0.0
            if unemp_on:
                du = du + eue * xs
            unemp1[m, j] = _clip(u + du, 0.005, 0.5)
            arg_m10[m, j] = -scar1[m, j]
            given = aid_share[m, j] if donor_cost else 0.0
            arg_m8[m, j] = -given + acs * received[m, j]
            arg_m7[m, j] = -inv


@_jit
def living_gaps(c11, c10, c8, c7, e11, e10, e8, e7, g11, g10, g8, g7, gap_total, living_arg):
    """Gaps of the living-standard components against expectations (M12) and the living-standard log."""
    e, n = c11.shape
    for m in range(e):
        for j in range(n):
            a = c11[m, j] - e11[m, j]
            b = c10[m, j] - e10[m, j]
            c = c8[m, j] - e8[m, j]
            d = c7[m, j] - e7[m, j]
            g11[m, j] = a
            g10[m, j] = b
            g8[m, j] = c
            g7[m, j] = d
            gap_total[m, j] = a + b + c + d
            living_arg[m, j] = c11[m, j] + c10[m, j] + c8[m, j] + c7[m, j]


# ----------------------------------------------------------------------------- 5. movements
@_jit
def movements(unemp, gini, growth_old, movement, pop, support, reaction, democracy, regime, rate, target,
              breadth, g11, g10, g8, g7, gap_total, frustration, unintegrated1, pop2, integrated,
              integrated_recent, unintegrated_share0, reaction_base, soc_share0,
              w_indptr, w_indices, w_data,
              reloc_on, reloc_dim, movement_on, living_on, m11, diffusion_on, neighbours_on, superpower_on,
              drift_on, reaction_on, reaction_imm, reaction_contact, reaction_living, P,
              ds, dr, mov1, multiplier, democracy1, recent, socf, scratch):
    """M1 relocation, M2 movement and support, M5 diffusion, M9 reaction; fills ``ds``/``dr`` parts.

    ``ds``/``dr`` are (parts, members, countries) with the planes of SUPPORT_PARTS and
    REACTION_PARTS. Also the hazard multiplier, new democracy, recent contact.
    """
    e, n = pop.shape
    for m in range(e):
        grv_u = P[m, KP.grievance_unemployment]
        grv_i = P[m, KP.grievance_inequality]
        grv_s = P[m, KP.grievance_stagnation]
        adult = P[m, KP.adult_share]
        reff = P[m, KP.relocation_efficiency]
        rsat = P[m, KP.relocation_saturation]
        rff = P[m, KP.repression_freedom_floor]
        mgr = P[m, KP.movement_growth_rate]
        mcap = P[m, KP.movement_capacity]
        mdec = P[m, KP.movement_decay]
        sceil = P[m, KP.support_ceiling]
        bcg = P[m, KP.breadth_ceiling_gain]
        mhs = P[m, KP.movement_half_support]
        gsup = P[m, KP.grievance_support]
        sar = P[m, KP.support_adjust_rate]
        lss = P[m, KP.living_standard_support]
        dstr = P[m, KP.diffusion_strength]
        dhs = P[m, KP.diffusion_half_share]
        dhs2 = dhs * dhs
        spull = P[m, KP.superpower_pull]
        dsup = P[m, KP.diffusion_support]
        ddrift = P[m, KP.democracy_drift]
        keep_recent = 1.0 - 1.0 / P[m, KP.contact_memory]
        rie = P[m, KP.reaction_immigration_effect]
        rce = P[m, KP.reaction_contact_effect]
        rar = P[m, KP.reaction_adjust_rate]
        rlse = P[m, KP.reaction_living_standard_effect]
        mfc = P[m, KP.moralist_frustration_cost]
        gs = soc_share0[m] if superpower_on else 0.0 * soc_share0[m]
        # relocation pool and destination weights (row sums)
        if reloc_on:
            for j in range(n):
                adults = adult * pop[m, j]
                tz = 1.0 if target[m, j] <= 0.0 else 0.0
                scratch[0, j] = rate[m, j] * tz * movement[m, j] * adults
                scratch[1, j] = target[m, j] * adults
            pool = _row_sum(scratch[0])
            total = _row_sum(scratch[1])
        else:
            pool = 0.0
            total = 0.0
        for j in range(n):
            socf[j] = 1.0 if regime[m, j] == _DS else 0.0
        for k in (_S_M2, _S_M8, _S_M10, _S_M11):
            ds[k, m, :] = 0.0
        for k in (_R_M7, _R_M8, _R_M9, _R_M10, _R_M11):
            dr[k, m, :] = 0.0
        for j in range(n):
            r = regime[m, j]
            soc = r == _DS
            mv = movement[m, j]
            s_old = support[m, j]
            b = breadth[m, j]
            griev = grv_u * unemp[m, j] + grv_i * gini[j] + grv_s * _max(0.0, 0.02 - growth_old[m, j])
            dm = 0.0
            if reloc_on:
                adults = adult * pop[m, j]
                share = scratch[1, j] / total if total > 0 else 0.0
                gain = reff * pool * share / adults
                if reloc_dim:
                    gain = gain / (1.0 + mv / rsat)
                dm = gain - scratch[0, j] / adults
            if movement_on:
                dem = democracy[m, j]
                freedom = 1.0 if soc else rff + (1 - rff) * dem
                grow = mgr * griev * freedom * mv * (1.0 - mv / mcap)
                dm = dm + (grow - mdec * mv)
                ceiling = sceil + bcg * b
                tgt = ceiling * mv / (mv + mhs) + gsup * griev
                ds[_S_M2, m, j] = sar * (_min(tgt, 0.95) - s_old)
                if living_on:
                    ds[_S_M11, m, j] = ds[_S_M11, m, j] + (lss * g11[m, j] if soc else 0.0)
                    ds[_S_M10, m, j] = ds[_S_M10, m, j] + (lss * g10[m, j] if soc else 0.0)
                    ds[_S_M8, m, j] = ds[_S_M8, m, j] + (lss * g8[m, j] if soc else 0.0)
                    ds[_S_M7, m, j] = ds[_S_M7, m, j] + (lss * g7[m, j] if soc else 0.0)
            mov1[m, j] = _clip(mv + dm, 1e-5, 0.5)
            # diffusion
            dem = democracy[m, j]
            if m11:
                ddem = _RELAX * (_clip(dem, _DEM_LO[r], _DEM_HI[r]) - dem)
            else:
                ddem = 0.0
            if diffusion_on:
                s_n = _csr_dot(w_indptr, w_indices, w_data, socf, j) if neighbours_on else 0.0
                s2 = s_n * s_n
                multiplier[m, j] = 1.0 + dstr * s2 / (s2 + dhs2) + spull * gs
                ds[_S_M5, m, j] = 0.0 if soc else dsup * s_n * (1.0 - s_old)
                if drift_on:
                    ddem = ddem + ddrift * (_csr_dot(w_indptr, w_indices, w_data, democracy[m], j) - dem)
            else:
                multiplier[m, j] = 1.0
                ds[_S_M5, m, j] = 0.0
            democracy1[m, j] = _clip(dem + ddem, 0.0, 1.0)
            # reaction
            rec = integrated_recent[m, j] * keep_recent + integrated[m, j]
            recent[m, j] = rec
            if reaction_on:
                tgt_r = reaction_base[m, j]
                if reaction_imm:
                    tgt_r = tgt_r + rie * (unintegrated1[m, j] / pop2[m, j] - unintegrated_share0[m, j])
                if reaction_contact:
                    tgt_r = tgt_r + -rce * (rec / pop2[m, j])
                dr[_R_M9, m, j] = rar * (tgt_r - reaction[m, j])
                if reaction_living:
                    gt = gap_total[m, j]
                    if gt < 0:
                        push = rlse * _max(0.0, -gt)
                        dr[_R_M11, m, j] = dr[_R_M11, m, j] + push * g11[m, j] / gt
                        dr[_R_M10, m, j] = dr[_R_M10, m, j] + push * g10[m, j] / gt
                        dr[_R_M8, m, j] = dr[_R_M8, m, j] + push * g8[m, j] / gt
                        dr[_R_M7, m, j] = dr[_R_M7, m, j] + push * g7[m, j] / gt
                    else:
                        dr[_R_M11, m, j] = dr[_R_M11, m, j] + 0.0
                        dr[_R_M10, m, j] = dr[_R_M10, m, j] + 0.0
                        dr[_R_M8, m, j] = dr[_R_M8, m, j] + 0.0
                        dr[_R_M7, m, j] = dr[_R_M7, m, j] + 0.0
            ds[_S_MORALISM, m, j] = -mfc * frustration[m, j]


# ----------------------------------------------------------------------------- 6. regime events
@_inline
def _hazard_params(P, m):
    """The scalars of member m that the hazards read (a tuple: cheap to pass per country)."""
    return (
        P[m, KP.viability_participation], P[m, KP.breadth_cohesion_cost], P[m, KP.electoral_transition_rate],
        P[m, KP.transition_support_threshold], P[m, KP.campaign_onset_rate], P[m, KP.reform_rate], P[m, KP.hysteresis],
        P[m, KP.democratization_hazard], P[m, KP.ppp1985_to_2021], P[m, KP.breakdown_hazard_poor],
        P[m, KP.breakdown_hazard_lower], P[m, KP.breakdown_hazard_middle], P[m, KP.breakdown_hazard_rich],
        P[m, KP.bureaucratic_collapse_hazard], P[m, KP.backsliding_rate], P[m, KP.reaction_threshold],
        P[m, KP.reversion_rate], P[m, KP.electoral_loss_rate], P[m, KP.support_loss_threshold],
        P[m, KP.degeneration_base_rate], P[m, KP.degeneration_scarcity_rate], P[m, KP.scarcity_threshold],
    )


@_inline
def _hazards(r, s, react, mv, b, mult, inc, eg, hp, transition_on, campaigns_on, background_on, reaction_on,
             scarcity_on):
    """The ten competing hazards of step.EVENTS[1:-1] for one member and country.

    ``s``, ``react``, ``mv``, ``b``: support, reaction, movement, breadth at the start of the
    year; ``mult`` the M5 multiplier, ``inc`` income, ``eg`` exp(gap_total), ``hp`` from
    :func:`_hazard_params`.
    """
    (vp, bcc, etr, tst, cor, rrate, hyst, dh, ppp, bh_poor, bh_lower, bh_middle, bh_rich, bch, br, rt,
     rvr, elr, slt, dbr, dsr, sth) = hp
    h0 = h1 = h2 = h3 = h4 = h5 = h6 = h7 = h8 = h9 = 0.0
    if transition_on and r != _DS:
        part = _MOBILIZATION * (1.0 - bcc * b) * mv
        viable = _expit((part - vp) / (0.2 * vp))
        if r == _CD:
            h0 = etr * _expit((s - tst) / 0.02) * viable * mult
        if campaigns_on and (r == _CA or r == _RE):
            h1 = cor * viable * _expit((s - 0.35) / 0.03) * mult
        if r == _BU:
            h2 = rrate * hyst * viable * mult
    if background_on:
        if r == _CA or r == _RE:
            h3 = dh
        if r == _CD:
            if inc < 1000.0 * ppp:
                h4 = bh_poor
            elif inc < 3000.0 * ppp:
                h4 = bh_lower
            elif inc < 6055.0 * ppp:
                h4 = bh_middle
            else:
                h4 = bh_rich
        if r == _BU:
            h9 = bch
    if reaction_on:
        if r == _CD:
            h5 = br * _expit((react - rt) / 0.03)
        if r == _DS:
            h6 = rvr * _expit((react - rt) / 0.03)
            h7 = elr * _expit((slt - s) / 0.02)
    if scarcity_on and r == _DS:
        h8 = dbr + dsr * _max(0.0, sth - eg)
    return h0, h1, h2, h3, h4, h5, h6, h7, h8, h9


@_jit
def hazard_totals(regime, support, reaction, movement, breadth, multiplier, income, exp_gap, forced, P,
                  transition_on, campaigns_on, background_on, reaction_on, scarcity_on, total, neg_total):
    """Sum of the competing hazards (stack.sum(axis=0): added in event order).

    ``forced`` (per country): forced by a scheduled event this year, so every hazard is zero
    (``total`` 0: :func:`regime_events` then draws no event there).
    """
    e, n = regime.shape
    for m in range(e):
        hp = _hazard_params(P, m)
        for j in range(n):
            if forced[j]:
                total[m, j] = 0.0
                neg_total[m, j] = -0.0
                continue
            h0, h1, h2, h3, h4, h5, h6, h7, h8, h9 = _hazards(
                regime[m, j], support[m, j], reaction[m, j], movement[m, j], breadth[m, j], multiplier[m, j],
                income[m, j], exp_gap[m, j], hp, transition_on, campaigns_on, background_on, reaction_on,
                scarcity_on)
            tot = h0 + h1 + h2 + h3 + h4 + h5 + h6 + h7 + h8 + h9
            total[m, j] = tot
            neg_total[m, j] = -tot


@_jit
def regime_events(regime, support, reaction, movement, breadth, multiplier, income, exp_gap, total,
                  expm1_neg_total, ln_ref, democracy1, keys, counters, P,
                  transition_on, campaigns_on, background_on, reaction_on, scarcity_on, material_on,
                  new_regime, event, turmoil, ds_m3, mov1):
    """Which event happens (one competing-risk draw), M3 campaign outcome, M4 democratic outcome.

    ``counters``: rng counter bits of the streams occur, which, type, success, outcome. Random
    numbers beyond the first are drawn only where needed (each is a pure function of its counter).
    """
    e, n = regime.shape
    c_occ, c_which, c_type, c_succ, c_out = counters[0], counters[1], counters[2], counters[3], counters[4]
    for m in range(e):
        key = keys[m]
        cost = P[m, KP.campaign_failure_cost]
        hp = _hazard_params(P, m)
        for j in range(n):
            r = regime[m, j]
            new_regime[m, j] = r
            event[m, j] = 0
            turmoil[m, j] = 0.0
            ds_m3[m, j] = 0.0
            if not (_uniform(key, c_occ, j) < -expm1_neg_total[m, j]):
                continue
            tot = total[m, j]
            pick = _uniform(key, c_which, j) * tot
            h = _hazards(r, support[m, j], reaction[m, j], movement[m, j], breadth[m, j], multiplier[m, j],
                         income[m, j], exp_gap[m, j], hp, transition_on, campaigns_on, background_on,
                         reaction_on, scarcity_on)
            c = 0.0
            which = 0
            for k in range(10):
                c = h[k] if k == 0 else c + h[k]
                if c < pick:
                    which += 1
            which = min(which, 9)
            ev = which + 1
            campaign = ev == 2
            nonviolent = True
            success = False
            if campaign:
                nonviolent = _uniform(key, c_type, j) < P[m, KP.nonviolent_share]
                s_need = P[m, KP.nonviolent_success] if nonviolent else P[m, KP.violent_success]
                success = _uniform(key, c_succ, j) < s_need
            if ev == 1 or ev == 3 or (campaign and success):
                peaceful = 1.0 if nonviolent else 0.0
                if material_on:
                    logit = (P[m, KP.democratic_outcome_base] + P[m, KP.material_basis_effect] * ln_ref[m, j]
                             + P[m, KP.democratic_norms_effect] * (democracy1[m, j] - 0.5)
                             + P[m, KP.nonviolent_outcome_bonus] * peaceful)
                else:
                    logit = (P[m, KP.democratic_outcome_base] + P[m, KP.material_basis_effect] * 0.0
                             + P[m, KP.democratic_norms_effect] * (0.5 - 0.5)
                             + P[m, KP.nonviolent_outcome_bonus] * peaceful)
                democratic = _uniform(key, c_out, j) < _expit(logit)
                if ev == 3:
                    if democratic:
                        new_regime[m, j] = _DS
                    else:
                        ev = 0
                else:
                    new_regime[m, j] = _DS if democratic else _BU
            elif ev == 3:
                ev = 0
            elif ev == 4 or ev == 8:
                new_regime[m, j] = _CD
            elif ev == 5 or ev == 10:
                new_regime[m, j] = _CA
            elif ev == 6 or ev == 7:
                new_regime[m, j] = _RE
            elif ev == 9:
                new_regime[m, j] = _BU
            event[m, j] = ev
            if (campaign and not nonviolent) or ev == 7 or ev == 10 or ev == 5:
                turmoil[m, j] = 1.0
            if campaign and not success:
                ds_m3[m, j] = -cost * support[m, j]
                mov1[m, j] = _clip(mov1[m, j] * (1.0 - cost), 1e-5, 0.5)


# ----------------------------------------------------------------------------- 7. clip, expectations
@_jit
def finish(support, reaction, ds, dr, comp11, comp10, comp8, comp7, e11, e10, e8, e7, years, regime_old,
           new_regime, moralist, scar1, soc_share_new, delays_on, m11, scarcity_on, sanctions_on, P,
           support1, reaction1, x11, x10, x8, x7, years1, moralist1, scar_final, regime_final, acc_s, acc_r):
    """Clip support and reaction (the clip is a contribution), M12 expectations, regime side effects."""
    e, n = support.shape
    for m in range(e):
        et = P[m, KP.expectation_time]
        drift = P[m, KP.frontier_growth] if m11 else 0.0
        weak = 1.0 - soc_share_new[m]
        shock = P[m, KP.transition_output_shock] * weak + (P[m, KP.sanctions_shock] * weak if sanctions_on else 0.0)
        surge = P[m, KP.moralist_surge]
        keep_mu = 1.0 - P[m, KP.moralist_decay]
        for j in range(n):
            acc_s[j] = 0.0
            acc_r[j] = 0.0
        # sum(dS.values()) in step.CONTRIBUTIONS order: 0 + M1 + M2 + ... (+ 0.0: parts that are zero)
        for j in range(n):
            acc_s[j] = acc_s[j] + 0.0 + ds[_S_M2, m, j] + ds[_S_M3, m, j] + 0.0 + ds[_S_M5, m, j] + 0.0
            acc_s[j] = acc_s[j] + ds[_S_M7, m, j] + ds[_S_M8, m, j] + 0.0 + ds[_S_M10, m, j] + ds[_S_M11, m, j]
            acc_s[j] = acc_s[j] + 0.0 + ds[_S_MORALISM, m, j]
            acc_r[j] = acc_r[j] + 0.0 + 0.0 + 0.0 + 0.0 + 0.0 + 0.0 + dr[_R_M7, m, j] + dr[_R_M8, m, j]
            acc_r[j] = acc_r[j] + dr[_R_M9, m, j] + dr[_R_M10, m, j] + dr[_R_M11, m, j] + 0.0 + 0.0
        for j in range(n):
            s_raw = support[m, j] + (acc_s[j] + 0.0)  # + the clip part, still zero when summed
            s = _clip(s_raw, 0.0, 1.0)
            support1[m, j] = s
            ds[_S_CLIP, m, j] = s - s_raw
            r_raw = reaction[m, j] + (acc_r[j] + 0.0)
            rr = _clip(r_raw, 0.0, 1.0 - s)
            reaction1[m, j] = rr
            dr[_R_CLIP, m, j] = rr - r_raw
            if delays_on:
                x11[m, j] = e11[m, j] + drift + (comp11[m, j] - e11[m, j]) / et
                x10[m, j] = e10[m, j] + 0.0 + (comp10[m, j] - e10[m, j]) / et
                x8[m, j] = e8[m, j] + 0.0 + (comp8[m, j] - e8[m, j]) / et
                x7[m, j] = e7[m, j] + 0.0 + (comp7[m, j] - e7[m, j]) / et
            else:
                x11[m, j] = comp11[m, j]
                x10[m, j] = comp10[m, j]
                x8[m, j] = comp8[m, j]
                x7[m, j] = comp7[m, j]
            old = regime_old[m, j]
            new = new_regime[m, j]
            changed = new != old
            became_soc = changed and new == _DS
            became_bur = changed and new == _BU
            sc = scar1[m, j]
            if scarcity_on and (became_soc or became_bur):
                sc = _max(sc, shock)
            scar_final[m, j] = sc
            if new == _DS:
                moralist1[m, j] = surge if became_soc else moralist[m, j] * keep_mu
            else:
                moralist1[m, j] = 0.0
            y = years[m, j] + 1.0
            years1[m, j] = 0.0 if changed else y
            regime_final[m, j] = new


# ----------------------------------------------------------------------------- run bookkeeping
@_inline
def _share(num, total):
    """simulate._weighted: num / total, 0 where the weight is zero."""
    return num / total if total > 0 else 0.0


@_jit
def record(t, pop, regime, living, poverty, displaced, first_world, primary, n_blocs, series, bloc_share, rows):
    """World and bloc series of year index ``t`` (simulate.simulate_members' ``record``).

    ``series`` (9, members, years + 1) in the order of simulate.SERIES; ``rows`` scratch (10, n).
    """
    e, n = pop.shape
    for m in range(e):
        for j in range(n):
            w = pop[m, j]
            r = regime[m, j]
            wf = w if first_world[j] else 0.0
            rows[0, j] = w
            rows[1, j] = w if r == _DS else 0.0
            rows[2, j] = w if r == _BU else 0.0
            rows[3, j] = w if r == _RE else 0.0
            rows[4, j] = wf
            rows[5, j] = wf if r == _DS else 0.0
            rows[6, j] = living[m, j] * wf
            rows[7, j] = poverty[m, j] * w
            rows[8, j] = living[m, j] * w
            rows[9, j] = displaced[m, j]
        total = _row_sum(rows[0])
        fw_total = _row_sum(rows[4])
        series[0, m, t] = total
        series[1, m, t] = _share(_row_sum(rows[1]), total)
        series[2, m, t] = _share(_row_sum(rows[2]), total)
        series[3, m, t] = _share(_row_sum(rows[3]), total)
        series[4, m, t] = _share(_row_sum(rows[5]), fw_total)
        series[5, m, t] = _share(_row_sum(rows[6]), fw_total)
        series[6, m, t] = _share(_row_sum(rows[7]), total)
        series[7, m, t] = _row_sum(rows[9])
        series[8, m, t] = _share(_row_sum(rows[8]), total)
        for b in range(n_blocs):
            for j in range(n):
                w = pop[m, j] if primary[j] == b else 0.0
                rows[0, j] = w
                rows[1, j] = w if regime[m, j] == _DS else 0.0
            bloc_share[m, t, b] = _share(_row_sum(rows[1]), _row_sum(rows[0]))


@_jit
def count_events(old, new, event, pop, fw, fw_next, ever, counters, rows):
    """Add a year's regime changes to the counters (simulate.COUNTERS order) and pop-years."""
    e, n = old.shape
    for m in range(e):
        c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = 0
        for j in range(n):
            o = old[m, j]
            w = new[m, j]
            left_soc = o == _DS and w != _DS
            reverted = left_soc and w != _BU
            degenerated = left_soc and w == _BU
            entered = w != o and (w == _DS or w == _BU) and o != _DS
            c0 += entered and w == _DS
            c1 += entered and w == _BU and o != _BU
            c2 += reverted
            c3 += degenerated
            c4 += reverted and fw[j]
            c5 += degenerated and fw[j]
            c6 += left_soc and w == _CD
            c7 += event[m, j] == 2
            soc_now = w == _DS
            if soc_now and fw_next[j]:
                ever[m, j] = True
            rows[0, j] = pop[m, j] if (soc_now and fw_next[j]) else 0.0
            rows[1, j] = pop[m, j] if (ever[m, j] and not soc_now and fw_next[j]) else 0.0
        counters[0, m] += c0
        counters[1, m] += c1
        counters[2, m] += c2
        counters[3, m] += c3
        counters[4, m] += c4
        counters[5, m] += c5
        counters[6, m] += _row_sum(rows[0])
        counters[7, m] += _row_sum(rows[1])
        counters[8, m] += c6
        counters[9, m] += c7
