"""Mesa reference of the yearly step: one agent per country, one model per ensemble member.

:class:`CountryAgent` holds one country's state for one member (the fields of
:class:`~nato_socialism.model.state.State` as Python floats); :class:`NatoSocialismModel`
owns the member's parameters, its random-number key, the doctrine and the year, and its
:meth:`~NatoSocialismModel.step` runs the core's yearly step as phases over the agents
(``model.agents.do("phase")``), with the sums over countries (aid budget, organizer pool,
migration kernels, socialist share of world output) done by the model between phases.
Neighbour effects read the neighbours' start-of-year values, and every agent commits its
new state in the last phase, so the update is synchronous like the core's.

The equations are the scalar helpers of :mod:`reference.plain_loop` (which cite the
mechanisms); no mechanism code of the core is imported. With the same member key the
model reproduces :func:`nato_socialism.model.step.step` for that member up to rounding.

Example
-------
>>> model = NatoSocialismModel.from_world(ctx, world, params, keys, spec, member=0)
>>> for _ in range(10):
...     model.step()
>>> frame = model.datacollector.get_agent_vars_dataframe()
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from nato_socialism.model.context import CONSUMPTION_SHARE, POVERTY_LINE
from nato_socialism.model.simulate import initial_state
from nato_socialism.model.state import State

from .plain_loop import (
    CAP_DEM,
    CHANNELS,
    CONTRIBUTIONS,
    DEM_SOC,
    EVENT,
    MOBILIZATION,
    STREAM_DEMOCRACY,
    STREAM_GROWTH,
    STREAM_OCCURS,
    STREAM_OUTCOME,
    STREAM_POP,
    STREAM_REGIME,
    STREAM_SUCCESS,
    STREAM_TYPE,
    STREAM_WHICH,
    Geography,
    aid_consumption_log,
    aid_growth_effect,
    aid_received_shares,
    background_growth,
    brain_drain_growth,
    clip,
    cohesion,
    competing_risk_event,
    country_blocs,
    delay,
    democracy_toward_regime,
    diaspora_next,
    enter_regime,
    expit,
    grievance,
    hazard_multiplier,
    immigration_ledger,
    incumbent_next,
    integrate,
    integration_capacity,
    lost_office_after,
    margin_is_thin,
    member_params,
    migrate,
    moralist_pressure,
    movement_change,
    natural_population_growth,
    ndtr,
    next_growth_regime,
    recover,
    regime_hazards,
    relocation_changes,
    relocation_target,
    remittances,
    requested_controls,
    resolve_event,
    socialist_gdp_share,
    support_change,
    unemployment_change,
    year_draws,
)

#: State fields an agent carries (every State array).
STATE_FIELDS = tuple(name for name in State.__dataclass_fields__ if name != "year")


class CountryAgent(mesa.Agent):
    """One country of one ensemble member.

    Attributes named like the :class:`~nato_socialism.model.state.State` fields hold the
    state at the start of the current year; ``new`` collects the end-of-year values until
    :meth:`commit`; ``dS`` and ``dR`` are this year's support and reaction changes by
    mechanism.
    """

    def __init__(self, model: NatoSocialismModel, index: int, state: dict[str, float]):
        super().__init__(model)
        ctx = model.ctx
        self.index = index
        self.iso3 = ctx.iso3[index]
        self.gini = float(ctx.gini[index])
        self.structural_unemployment = float(ctx.structural_unemployment[index])
        self.poverty_sigma = float(ctx.poverty_sigma[index])
        self.poverty_offset = float(ctx.poverty_offset[index])
        for name, value in state.items():
            setattr(self, name, value)
        self.regime = int(self.regime)
        self.neighbours: list[tuple[CountryAgent, float]] = []  # filled by the model
        self.event = 0

    # ---- 0. the year starts ---------------------------------------------------------------
    def observe_year(self) -> None:
        """Take this year's random numbers and bloc memberships; reset the decomposition."""
        m, i = self.model, self.index
        t = m.year_index
        self.shock = m.draws[STREAM_GROWTH][i]
        self.noise = {s: m.draws[s][i] for s in (STREAM_REGIME, STREAM_POP, STREAM_DEMOCRACY)}
        self.draw = {s: m.draws[s][i] for s in (STREAM_OCCURS, STREAM_WHICH, STREAM_TYPE, STREAM_SUCCESS,
                                                   STREAM_OUTCOME)}
        self.first_world = bool(m.ctx.blocs.first_world[t, i])
        self.blocs = country_blocs(m.ctx, t, i)
        self.dS = dict.fromkeys(CONTRIBUTIONS, 0.0)
        self.dR = dict.fromkeys(CONTRIBUTIONS, 0.0)
        self.new = {}
        self.forced = False

    def force_regime(self, codes: list[int], gdp_share: float) -> None:
        """Scheduled event: take the forced regime (code >= 0) with its side effects.

        Only a forced country changes; its moralists surge if it becomes a republic but do
        not decay here (every republic's moralists decay once a year, in :meth:`commit`).
        """
        code = codes[self.index]
        self.forced = code >= 0
        if self.forced:
            self.regime, self.scarcity, self.moralist, self.years_in_regime = enter_regime(
                self.regime, code, self.scarcity, self.moralist, self.years_in_regime, gdp_share,
                self.model.p, self.model.ctx.switches, forced=True)

    # ---- 1. doctrine, moralist pressure, scheduled policies -------------------------------
    def check_margin(self) -> None:
        """Doctrine safety rule: flag a first-world republic whose coalition margin is thin."""
        self.socialist = self.regime == DEM_SOC
        self.thin = margin_is_thin(self.model.spec, self.regime, self.first_world, self.support, self.reaction,
                                   self.model.p)

    def request_controls(self) -> None:
        """The doctrine's requested controls for this country."""
        m = self.model
        target = relocation_target(m.spec, self.blocs)
        self.requested = requested_controls(m.spec, self.regime, self.first_world, target, self.pop,
                                            self.unemployment, self.thin, m.any_thin, m.p)

    def apply_controls(self) -> None:
        """Moralist pressure and scheduled policy events turn requested into applied controls."""
        m = self.model
        sw = m.ctx.switches
        self.applied = dict(self.requested)
        self.frustration = 0.0
        if sw.on("moralism"):
            cap, aid, self.frustration = moralist_pressure(self.requested["immigration_cap"],
                                                           self.requested["aid_share"], self.moralist, m.p)
            self.applied["immigration_cap"], self.applied["aid_share"] = cap, aid
        for name, table in m.ctx.policy_override.items():
            value = float(table[m.year_index, self.index])
            if not math.isnan(value):
                self.applied[name] = value
        self.breadth = self.applied["alliance_breadth"] if sw.on("movement_breadth") else 0.0
        self.income = self.gdppc * (1.0 - self.scarcity)
        self.gdp = self.income * self.pop
        self.aid_given = self.applied["aid_share"] if sw.on("aid") else 0.0

    # ---- 2-3. M11 background economy (aid is allocated by the model), M10 recovery ----------
    def grow_background(self) -> None:
        """M11 growth before aid."""
        m = self.model
        on = m.ctx.switches.on("background")
        self.regime_now = self.growth_regime if m.ctx.switches.on("background_structural_noise") else 0.0
        self.growth_now = background_growth(self.gdppc, m.year_index, self.regime_now, self.shock, m.p) if on else 0.0
        self.received = 0.0

    def grow(self) -> None:
        """M8 aid's growth effect; new GDP per head and population; M10 output gap recovers."""
        m = self.model
        sw, p, t = m.ctx.switches, m.p, m.year_index
        if sw.on("aid") and sw.on("aid_recipient_growth"):
            self.growth_now = self.growth_now + aid_growth_effect(self.received, p)
        if sw.on("migration_brain_drain"):
            self.growth_now = self.growth_now + brain_drain_growth(self.diaspora, self.pop, p)
        self.new["gdppc"] = self.gdppc * math.exp(self.growth_now)
        noise = sw.on("background_structural_noise")
        if sw.on("background"):
            rate = natural_population_growth(self.pop_growth, self.income, t, self.noise[STREAM_POP] if noise else 0.0,
                                             p)
            self.pop_now = self.pop * (1.0 + rate)
            self.new["pop_growth"] = rate
            self.new["growth_regime"] = (next_growth_regime(self.regime_now, self.noise[STREAM_REGIME], p) if noise
                                         else self.growth_regime)
        else:
            self.pop_now = self.pop
            self.new["pop_growth"] = self.pop_growth
            self.new["growth_regime"] = self.growth_regime
        self.new["scarcity"] = recover(self.scarcity, m.gdp_share_start, p, sw.on("scarcity_bloc_duration")) \
            if sw.on("scarcity") else 0.0

    # ---- 5. M7 integration ------------------------------------------------------------------
    def integrate_newcomers(self) -> None:
        """M7 integration capacity, erosion of the coalition, unemployment (pop after migration)."""
        m = self.model
        sw, p = m.ctx.switches, m.p
        self.invest = self.applied["integration_investment"] if sw.on("integration") else 0.0
        self.ledger = 0.0
        if sw.on("integration"):
            capacity = integration_capacity(self.pop_now, self.unemployment, self.invest, p)
            self.new["unintegrated"], self.integrated, excess = integrate(self.unintegrated, self.inflow, capacity, p)
        else:
            self.new["unintegrated"], self.integrated, excess = self.unintegrated + self.inflow, 0.0, 0.0
        recent = self.integrated_recent * (1.0 - 1.0 / p.contact_memory) + self.integrated
        self.new["integrated_recent"] = recent
        if sw.on("integration"):
            self.ledger = immigration_ledger(recent / self.pop_now, self.inflow, capacity, self.pop_now, self.income,
                                             self.unemployment, p, sw)
        if sw.on("migration_remittances"):  # the origin's side of the ledger
            self.ledger = self.ledger + remittances(self.diaspora, self.pop, self.income, p)
        excess_share = excess / self.pop_now
        perceived = delay(self.perceived_excess, excess_share, p.perception_time, sw.on("delays"))
        self.new["perceived_excess"] = perceived
        self.inc_erosion = 0.0
        if sw.on("integration_erosion"):  # on the governing coalition
            erosion = -p.erosion_strength * perceived / max(cohesion(self.breadth, p), 0.2)
            if self.regime == DEM_SOC:
                self.dS["M7"] = erosion
            else:
                self.inc_erosion = erosion
        # the change of unemployment by cause (M11 background, M7 inflow beyond capacity)
        self.du = {"M11": 0.0, "M7": 0.0}
        if sw.on("background"):
            self.du["M11"] = unemployment_change(self.unemployment, self.structural_unemployment, self.socialist,
                                                 self.shock, p)
        if sw.on("integration_unemployment"):
            self.du["M7"] = p.excess_unemployment_effect * excess_share
        self.new["unemployment"] = clip(self.unemployment + (self.du["M11"] + self.du["M7"]), 0.005, 0.5)

    # ---- 6. living standards ----------------------------------------------------------------
    def update_living_standard(self) -> None:
        """Living standard by channel, its gaps against expectations (M12), poverty."""
        m = self.model
        sw, p = m.ctx.switches, m.p
        self.comp = {
            "M11": math.log(self.new["gdppc"]),
            "M10": math.log1p(-self.new["scarcity"]),
            "M8": aid_consumption_log(self.aid_given, self.received, p, sw.on("aid_donor_cost")),
            "M7": math.log1p(-self.invest) + self.ledger,
        }
        self.gap = {k: self.comp[k] - getattr(self, field) for k, field in CHANNELS.items()}
        self.gap_total = self.gap["M11"] + self.gap["M10"] + self.gap["M8"] + self.gap["M7"]
        living = CONSUMPTION_SHARE * math.exp(self.comp["M11"] + self.comp["M10"] + self.comp["M8"] + self.comp["M7"])
        self.new["living"] = living
        z = math.log(POVERTY_LINE / living) / self.poverty_sigma + self.poverty_sigma / 2.0 + self.poverty_offset
        self.new["poverty"] = ndtr(z)

    # ---- 7. M1 (relocation computed by the model), M2 --------------------------------------
    def organize(self) -> None:
        """M2 movement growth and support; a republic's support follows living standards."""
        m = self.model
        sw, p = m.ctx.switches, m.p
        griev = grievance(self.unemployment, self.gini, self.growth, p)
        dm = self.relocation
        if sw.on("movement"):
            dm = dm + movement_change(self.movement, griev, self.democracy, self.socialist, p)
            self.dS["M2"] = support_change(self.support, self.movement, griev, self.breadth, p)
            if sw.on("movement_living_standard"):
                for k in CHANNELS:
                    self.dS[k] = self.dS[k] + (p.living_standard_support * self.gap[k] if self.socialist else 0.0)
            if sw.on("movement_economic_voting"):  # economic voting on unemployment, by cause
                for k in ("M11", "M7"):
                    self.dS[k] = self.dS[k] + (-p.unemployment_voting * self.du[k] if self.socialist else 0.0)
        self.new["movement"] = clip(self.movement + dm, 1e-5, 0.5)

    # ---- 8. M5 diffusion --------------------------------------------------------------------
    def diffuse(self) -> None:
        """M5 neighbours' pull and hazard multiplier; M11/M5 democracy drift (start-of-year values)."""
        m = self.model
        sw, p = m.ctx.switches, m.p
        self.multiplier = 1.0
        ddem = democracy_toward_regime(self.democracy, self.regime) if sw.on("background") else 0.0
        if sw.on("background") and sw.on("background_structural_noise"):
            ddem = ddem + p.democracy_shock_sd * self.noise[STREAM_DEMOCRACY]
        if sw.on("diffusion"):
            share_n = 0.0
            if sw.on("diffusion_neighbours"):
                share_n = sum(w * (1.0 if other.socialist else 0.0) for other, w in self.neighbours)
            gdp_share = m.gdp_share_start if sw.on("diffusion_superpower") else 0.0
            self.multiplier = hazard_multiplier(share_n, gdp_share, p)
            self.dS["M5"] = 0.0 if self.socialist else p.diffusion_support * share_n * (1.0 - self.support)
            if sw.on("diffusion_democracy_drift"):
                mean = sum(w * other.democracy for other, w in self.neighbours)
                ddem = ddem + p.democracy_drift * (mean - self.democracy)
        self.new["democracy"] = clip(self.democracy + ddem, 0.0, 1.0)

    # ---- 9. M9 reaction ---------------------------------------------------------------------
    def react(self) -> None:
        """M9 reactionary support; the moralists' frustration costs support (section 3)."""
        m = self.model
        sw, p = m.ctx.switches, m.p
        recent = self.new["integrated_recent"]
        if sw.on("reaction"):
            target = self.reaction_base
            if sw.on("reaction_immigration"):
                share = self.new["unintegrated"] / self.pop_now
                target = target + p.reaction_immigration_effect * (share - self.unintegrated_share0)
            if sw.on("reaction_contact"):
                target = target - p.reaction_contact_effect * (recent / self.pop_now)
            self.dR["M9"] = p.reaction_adjust_rate * (target - self.reaction)
            if sw.on("reaction_living_standard") and self.gap_total < 0.0:
                push = p.reaction_living_standard_effect * max(0.0, -self.gap_total)
                for k in CHANNELS:
                    self.dR[k] = self.dR[k] + push * self.gap[k] / self.gap_total
        self.dS["moralism"] = -p.moralist_frustration_cost * self.frustration

    # ---- 10. regime events ------------------------------------------------------------------
    def resolve_regime(self) -> None:
        """One competing-risk draw among the regime hazards; M3/M4 outcome of a transition."""
        m = self.model
        sw, p = m.ctx.switches, m.p
        participation = MOBILIZATION * cohesion(self.breadth, p) * self.movement
        viable = expit((participation - p.viability_participation) / (0.2 * p.viability_participation))
        # M11: neighbours' democratic share (no agent has committed this year's regime yet)
        democratic_share = sum(w * (1.0 if other.regime in (CAP_DEM, DEM_SOC) else 0.0)
                               for other, w in self.neighbours)
        hazards = regime_hazards(self.regime, self.support, self.reaction, viable, self.multiplier, self.income,
                                 self.gap_total, self.democracy, democratic_share, p, sw)
        if self.forced:  # a country forced this year keeps the forced regime: no hazard
            hazards = [0.0] * len(hazards)
        code = competing_risk_event(hazards, self.draw[STREAM_OCCURS], self.draw[STREAM_WHICH])
        self.new_regime, self.event, failed, self.new["turmoil"] = resolve_event(
            code, self.regime, self.income, self.new["democracy"], self.draw[STREAM_TYPE],
            self.draw[STREAM_SUCCESS], self.draw[STREAM_OUTCOME], p, sw, self.lost_office)
        if self.forced:
            self.event = EVENT["forced"]
        if failed:
            self.dS["M3"] = -p.campaign_failure_cost * self.support
            # the movement stays within its bounds [1e-5, 0.5]
            self.new["movement"] = clip(self.new["movement"] * (1.0 - p.campaign_failure_cost), 1e-5, 0.5)

    # ---- 11. clip, expectations, commit ----------------------------------------------------
    def settle(self) -> None:
        """Clip support and reaction (S + R <= 1; the clip is a contribution); M12 expectations."""
        m = self.model
        sw, p = m.ctx.switches, m.p
        s_raw = self.support + sum(self.dS[k] for k in CONTRIBUTIONS)
        support = clip(s_raw, 0.0, 1.0)
        self.dS["clip"] = support - s_raw
        r_raw = self.reaction + sum(self.dR[k] for k in CONTRIBUTIONS)
        reaction = clip(r_raw, 0.0, 1.0 - support)
        self.dR["clip"] = reaction - r_raw
        if self.new_regime == DEM_SOC:
            self.new["incumbent_support"] = support
        else:
            self.new["incumbent_support"] = incumbent_next(self.incumbent_support, support, reaction,
                                                           self.inc_erosion, p)
        self.new.update(support=support, reaction=reaction, pop=self.pop_now, growth=self.growth_now,
                        aid_received=self.received, displaced=self.displaced_now)
        for k, field in CHANNELS.items():
            drift = p.frontier_growth if (k == "M11" and sw.on("background")) else 0.0
            self.new[field] = delay(getattr(self, field), self.comp[k], p.expectation_time, sw.on("delays"), drift)

    def commit(self, gdp_share: float) -> None:
        """Regime change takes effect (M10 output gap, moralists, regime clock); new state."""
        m = self.model
        self.new["regime"], self.new["scarcity"], self.new["moralist"], self.new["years_in_regime"] = enter_regime(
            self.regime, self.new_regime, self.new["scarcity"], self.moralist, self.years_in_regime + 1.0,
            gdp_share, m.p, m.ctx.switches, event=self.event, turmoil=self.new["turmoil"])
        self.new["lost_office"] = lost_office_after(self.lost_office, self.event,
                                                    self.new_regime != self.regime or self.forced)
        for name, value in self.new.items():
            setattr(self, name, value)


def _socialist_population_share(model: NatoSocialismModel) -> float:
    pop = [a.pop for a in model.countries]
    return sum(x for x, a in zip(pop, model.countries, strict=True) if a.regime == DEM_SOC) / sum(pop)


class NatoSocialismModel(mesa.Model):
    """One ensemble member: 197 country agents stepping through the yearly phases.

    Parameters
    ----------
    ctx : Context
        Run context (:func:`nato_socialism.model.simulate.build_context`).
    initial : State
        Initial state of an ensemble block (:func:`nato_socialism.model.simulate.initial_state`).
    p : Params
        Parameter record of the same block.
    keys : numpy.ndarray
        Member keys of the block (:func:`nato_socialism.model.rng.member_keys`).
    spec : DoctrineSpec
        Doctrine rule.
    member : int
        Row of the block this model simulates.
    """

    def __init__(self, ctx, initial: State, p, keys: np.ndarray, spec, member: int = 0):
        super().__init__(seed=int(keys[member]) % 2**32)  # Mesa's own RNG is not used by the step
        self.ctx = ctx
        self.p = member_params(p, member)
        self.key = keys[member : member + 1]
        self.spec = spec
        self.member = member
        self.year = initial.year
        self.geo = Geography(ctx)
        self.countries = [
            CountryAgent(self, i, {name: float(getattr(initial, name)[member, i]) for name in STATE_FIELDS})
            for i in range(ctx.n)
        ]
        for agent, row in zip(self.countries, self.geo.neighbours, strict=True):
            agent.neighbours = [(self.countries[j], w) for j, w in row]
        self.history = {"support": [], "reaction": [], "event": []}
        self.datacollector = mesa.DataCollector(
            model_reporters={"year": "year", "democratic_socialist_share": _socialist_population_share},
            agent_reporters={"iso3": "iso3", "regime": "regime", "support": "support", "reaction": "reaction"},
        )
        self.datacollector.collect(self)

    @classmethod
    def from_world(cls, ctx, world, p, keys, spec, member: int = 0) -> NatoSocialismModel:
        """A model of one member started from the world's initial state."""
        return cls(ctx, initial_state(world, ctx, p, keys), p, keys, spec, member)

    @property
    def year_index(self) -> int:
        """Years since the start of the run."""
        return self.ctx.year_index(self.year)

    def _column(self, name: str) -> list:
        return [getattr(a, name) for a in self.countries]

    def _gdp_share(self, gdp: list[float]) -> float:
        """M5 socialist share of world output for the republics at the start of the year."""
        return socialist_gdp_share(gdp, [a.regime == DEM_SOC for a in self.countries])

    def step(self) -> None:
        """One year: the core's phases, over the agents."""
        ctx, p, sw, t = self.ctx, self.p, self.ctx.switches, self.year_index
        self.draws = {k: v[0] for k, v in year_draws(self.key, self.year, ctx.n).items()}
        agents = self.agents
        agents.do("observe_year")

        # 0. scheduled regime events
        self.gdp_share_start = self._gdp_share([a.gdppc * (1.0 - a.scarcity) * a.pop for a in self.countries])
        if ctx.forced_regime is not None:
            codes = ctx.forced_regime[t].tolist()
            if any(code >= 0 for code in codes):
                agents.do("force_regime", codes, self.gdp_share_start)

        # 1. doctrine (the safety rule needs every republic's margin first), moralism, policies
        agents.do("check_margin")
        self.any_thin = any(self._column("thin"))
        agents.do("request_controls")
        agents.do("apply_controls")

        # 2. M11 growth; M8 aid budget shared out by need (a sum over countries)
        agents.do("grow_background")
        if sw.on("aid"):
            received = aid_received_shares(
                self._column("aid_given"), self._column("gdp"), self._column("pop"), self._column("poverty"),
                self._column("income"), self._column("socialist"),
                [a.applied["aid_priority"] for a in self.countries], p)
            for a, r in zip(self.countries, received, strict=True):
                a.received = r
        agents.do("grow")

        # 4. M6 migration (gravity over the distance kernels)
        if sw.on("migration"):
            flows = migrate(self._column("pop_now"), self._column("income"), self._column("unemployment"),
                            self._column("poverty"), self._column("turmoil"), self._column("displaced"),
                            [a.applied["immigration_cap"] for a in self.countries],
                            [a.applied["asylum_acceptance"] for a in self.countries], self.geo, p, sw)
            for i, a in enumerate(self.countries):
                a.pop_now = a.pop_now + (flows["immigrants"][i] + flows["refugees_in"][i]
                                         - flows["emigrants"][i] - flows["refugees_out"][i])
                a.inflow = flows["immigrants"][i] + flows["refugees_in"][i]
                a.displaced_now = flows["displaced"][i]
                a.new["diaspora"] = diaspora_next(a.diaspora, flows["emigrants"][i], p)
        else:
            for a in self.countries:
                a.inflow, a.displaced_now = 0.0, a.displaced
                a.new["diaspora"] = a.diaspora

        # 5-6. M7 integration; living standards
        agents.do("integrate_newcomers")
        agents.do("update_living_standard")

        # 7. M1 organizer pool (a sum over countries), then M2
        relocation = [0.0] * ctx.n
        if sw.on("organizer_relocation"):
            relocation = relocation_changes(
                self._column("movement"), self._column("pop"),
                [a.applied["relocation_rate"] for a in self.countries],
                [a.applied["relocation_target"] for a in self.countries], p,
                sw.on("organizer_relocation_diminishing"))
        for a, dm in zip(self.countries, relocation, strict=True):
            a.relocation = dm
        agents.do("organize")

        # 8-11. diffusion, reaction, regime events, clip and expectations, commit
        agents.do("diffuse")
        agents.do("react")
        agents.do("resolve_regime")
        agents.do("settle")
        end_gdp = [a.new["gdppc"] * (1.0 - a.new["scarcity"]) * a.new["pop"] for a in self.countries]
        end_share = self._gdp_share(end_gdp)
        self.history["support"].append({k: [a.dS[k] for a in self.countries] for k in CONTRIBUTIONS})
        self.history["reaction"].append({k: [a.dR[k] for a in self.countries] for k in CONTRIBUTIONS})
        self.history["event"].append(self._column("event"))
        agents.do("commit", end_share)
        self.year += 1
        self.datacollector.collect(self)

    def state_row(self) -> dict[str, np.ndarray]:
        """The member's current state: State field -> array over countries."""
        out = {name: np.array(self._column(name), dtype=np.float64) for name in STATE_FIELDS}
        out["regime"] = out["regime"].astype(np.int8)
        return out


def run(ctx, world, p, keys, members, spec, years: int | None = None) -> dict[str, np.ndarray]:
    """Run a block of members, one Mesa model each; same output as :func:`reference.plain_loop.run`."""
    years = ctx.horizon if years is None else years
    initial = initial_state(world, ctx, p, keys)
    e, n = initial.pop.shape
    finals = []
    why_s = np.zeros((e, years, len(CONTRIBUTIONS), n))
    why_r = np.zeros((e, years, len(CONTRIBUTIONS), n))
    regimes = np.zeros((e, years + 1, n), dtype=np.int8)
    events = np.zeros((e, years, n), dtype=np.int8)
    for m in range(e):
        model = NatoSocialismModel(ctx, initial, p, keys, spec, member=m)
        regimes[m, 0] = model.state_row()["regime"]
        for y in range(years):
            model.step()
            regimes[m, y + 1] = model.state_row()["regime"]
        for y in range(years):
            for c, k in enumerate(CONTRIBUTIONS):
                why_s[m, y, c] = model.history["support"][y][k]
                why_r[m, y, c] = model.history["reaction"][y][k]
            events[m, y] = model.history["event"][y]
        finals.append(model.state_row())
    out = {name: np.stack([f[name] for f in finals]) for name in STATE_FIELDS}
    out.update(year=np.array(initial.year + years), members=np.asarray(members), why_support=why_s,
               why_reaction=why_r, regime_by_year=regimes, event=events)
    return out
