"""Mechanism switches: every mechanism, and some named terms of them, can be turned off.

A scenario's ``[mechanisms]`` table takes these names (``integration_erosion = false``).
Turning a mechanism off removes all its effects; turning a term off removes that term only.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Mechanism id -> (switch name, one-line meaning). Order is the documented step order's ids.
MECHANISMS: dict[str, tuple[str, str]] = {
    "M1": ("organizer_relocation", "socialists move to the doctrine's target countries"),
    "M2": ("movement", "movement growth and coalition support"),
    "M3": ("transition", "electoral transitions and campaigns"),
    "M4": ("material_basis", "income and democratic norms decide democratic vs bureaucratic outcome"),
    "M5": ("diffusion", "neighbour and superpower pull; democracy drifts toward neighbours"),
    "M6": ("migration", "economic emigration hump, gravity destinations, refugees, caps"),
    "M7": ("integration", "integration capacity; inflow beyond capacity erodes the coalition"),
    "M8": ("aid", "aid costs donors' living standard and raises recipients' growth"),
    "M9": ("reaction", "reactionary support, reversion and backsliding"),
    "M10": ("scarcity", "post-transition output shock, degeneration, hysteresis"),
    "M11": ("background", "convergence growth, population, breakdown and democratization hazards"),
    "M12": ("delays", "adaptive expectations and perception lags"),
}

#: Display label of each part of a "why" decomposition (mechanism ids, moralism, clipping).
CONTRIBUTION_LABELS: dict[str, str] = {mid: f"{mid} {name}" for mid, (name, _) in MECHANISMS.items()} | {
    "moralism": "moralist pressure", "clip": "clipping to [0, 1]"}

#: Named terms that can be switched off on their own: switch name -> meaning.
TERMS: dict[str, str] = {
    "organizer_relocation_diminishing": "M1 diminishing returns at destinations",
    "movement_breadth": "M2 alliance breadth's effect on ceiling and cohesion",
    "movement_living_standard": "M2 support response of a socialist government to living standards",
    "movement_economic_voting": "M2 support response of a socialist government to rising unemployment",
    "transition_campaigns": "M3 campaigns in autocracies",
    "transition_reentry": "M3 a coalition voted out returns by election without a new revolution",
    "diffusion_neighbours": "M5 neighbours' socialist share",
    "diffusion_superpower": "M5 socialist bloc's share of world GDP",
    "diffusion_democracy_drift": "M5 drift of democracy toward neighbours' level",
    "migration_economic": "M6 economic emigration",
    "migration_refugees": "M6 displacement and refugee flows",
    "migration_caps": "M6 destination immigration caps",
    "migration_remittances": "M6 remittances of the emigrant stock abroad raise the origin's consumption",
    "migration_brain_drain": "M6 growth lost (or gained) in the origin with its population abroad",
    "integration_erosion": "M7 erosion of the governing coalition by inflow beyond integration capacity",
    "integration_unemployment": "M7 unemployment from inflow beyond capacity",
    "integration_labour_gain": "M7 destination gain from the labour of integrated newcomers where labour is in demand",
    "integration_fiscal_gain": "M7 net fiscal balance of integrated newcomers",
    "integration_ageing_gain": "M7 demographic gain of younger newcomers in ageing (rich) countries",
    "integration_closed_border_cost": "M7 cost of labour demand left unfilled by closed borders",
    "aid_donor_cost": "M8 cost of aid to the donor's living standard",
    "aid_recipient_growth": "M8 growth effect of aid in recipients",
    "reaction_immigration": "M9 reactionary support from unintegrated immigration",
    "reaction_contact": "M9 contact effect of integrated newcomers",
    "reaction_living_standard": "M9 reactionary support from falling living standards",
    "scarcity_sanctions": "M10 sanctions by the capitalist world",
    "scarcity_fragility": "M10 breakdown of socialist republics by income band and democratic history",
    "scarcity_transition_kind": "M10 output shock scaled by the transition's kind (electoral, nonviolent, violent)",
    "scarcity_bloc_duration": "M10 faster recovery of the output gap with a larger socialist bloc",
    "background_democratization_neighbours": "M11 democratization hazard rising with democratic neighbours",
    "background_structural_noise": "M11 structural noise: growth regimes, population and democracy shocks",
    "moralism": "section 3 moralist pressure on applied controls and its frustration cost",
}

ALL_SWITCHES: tuple[str, ...] = tuple(name for name, _ in MECHANISMS.values()) + tuple(TERMS)


@dataclass(frozen=True)
class Switches:
    """Which mechanisms and terms are on. Build with :meth:`without`."""

    off: frozenset[str] = frozenset()

    def __post_init__(self):
        unknown = set(self.off) - set(ALL_SWITCHES)
        if unknown:
            raise ValueError(f"unknown mechanism switch(es): {sorted(unknown)}")

    @classmethod
    def without(cls, *names: str) -> Switches:
        """Switches with the named mechanisms or terms turned off."""
        return cls(frozenset(names))

    def on(self, name: str) -> bool:
        """Whether a mechanism (by switch name) or term is on; a term is off with its mechanism."""
        if name in self.off:
            return False
        for mech, _ in MECHANISMS.values():
            if name.startswith(mech + "_") and mech in self.off:
                return False
        return True
