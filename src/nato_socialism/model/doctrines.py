"""Doctrines: policies from the observed state of a member to requested controls.

Every doctrine is one point of the same parameterized rule (:class:`DoctrineSpec`), so the
``custom`` doctrine an optimizer searches has exactly the same controls as the named ones.
The rule, per member and year:

* Movements everywhere: organizers in non-target countries relocate at ``relocation_rate``
  to the target countries (NATO members, the Global South, or a bloc list), weighted by adults;
  movements seek an alliance of breadth ``alliance_breadth``.
* Governments of democratic socialist republics (the doctrine's own states): immigration
  cap = ``cap_to_capacity`` x integration capacity (status quo: the baseline cap), cut
  linearly to zero as unemployment rises 5 pp above ``unemployment_target``; integration
  investment ``integration_investment``; aid ``aid_share`` of GDP with priority
  ``aid_priority`` to socialist recipients; asylum: a share ``asylum_acceptance`` of asylum
  seekers admitted, outside the cap. If ``safety_margin`` > 0 and any first-world
  socialist republic's margin ``S - max(theta_loss, R)`` is below it, its cap and asylum
  acceptance and the aid of every first-world socialist republic are multiplied by
  ``safety_cut`` until it recovers.
* All other governments follow the status-quo background policy: capitalist countries admit
  ``baseline_immigration_cap`` and grant ``baseline_asylum_acceptance`` of asylum claims,
  first-world ones give ``baseline_aid_share``; bureaucratic and reactionary regimes admit
  almost no one.

What is *applied* differs from what is requested by the moralist pressure of
:mod:`nato_socialism.model.moralism`. This module holds the rule's parameters and the named
doctrines; the rule's equations are the compiled functions of
:mod:`nato_socialism.model.doctrine_rule`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

import numpy as np

#: Cap of bureaucratic and reactionary regimes.
CLOSED = 0.0005
#: Alliance breadth of every doctrine: equal unless a cited position says otherwise (none does).
BREADTH = 0.6
#: Weight of an unfree country (outside the periphery of democracies) as a south_first target:
#: organizing "where it is free first" (assumption).
UNFREE_TARGET_WEIGHT = 0.25
#: Where organizers may relocate to (``relocate_to``).
RELOCATION_TARGETS = ("nato", "south", "developing")


@dataclass(frozen=True)
class DoctrineSpec:
    """Parameters of the doctrine rule. ``None`` means 'status-quo background policy'."""

    relocation_rate: float = 0.0
    relocate_to: str = "nato"  # one of RELOCATION_TARGETS
    targets: tuple[str, ...] = ()  # bloc ids; when given, they are the relocation targets
    alliance_breadth: float = BREADTH
    cap_to_capacity: float | None = None
    unemployment_target: float = 1.0
    integration_investment: float = 0.0
    aid_share: float | None = None
    aid_priority: float = 0.0
    asylum_acceptance: float | None = None
    safety_margin: float = 0.0
    safety_cut: float = 1.0


@dataclass(frozen=True)
class Doctrine:
    """A named doctrine: its rule parameters and the essay passage it encodes."""

    name: str
    spec: DoctrineSpec
    summary: str
    passage: str


#: Integration spending of open_solidarity (share of GDP): Sweden 2016 (OECD 2017).
OPEN_INTEGRATION_INVESTMENT = 0.01

#: Asylum acceptance of the essay's "reasonable" policy: today's EU+ first-instance recognition
#: rate (EUAA 2024: 43 % in 2023), cut with immigration when a margin runs thin.
TODAY_ASYLUM = 0.43

#: The essay's rule; ``custom`` starts from it too.
_ESSAY = DoctrineSpec(
    relocation_rate=0.03, relocate_to="nato", alliance_breadth=BREADTH, cap_to_capacity=1.0,
    unemployment_target=0.05, integration_investment=0.005, aid_share=0.007,
    aid_priority=2.0, asylum_acceptance=TODAY_ASYLUM, safety_margin=0.06, safety_cut=0.2,
)

DOCTRINES: dict[str, Doctrine] = {
    d.name: d
    for d in (
        Doctrine(
            "nato_first",
            _ESSAY,
            "The essay: organize in NATO, broad non-moralistic coalition, immigration held to "
            "integration capacity (less while unemployment is high), 'reasonable' aid (0.7 %), "
            "immigration and aid cut when a first-world republic's margin runs thin.",
            "Socialists around the world should move to NATO countries and organize there ... "
            "ABSOLUTE PRIORITY MUST BE GIVEN TO THE FIRST WORLD DEVELOPED SOCIALIST COUNTRIES. "
            "We can balance domestic stability with a reasonable level of support for global "
            "socialist development.",
        ),
        Doctrine(
            "open_solidarity",
            DoctrineSpec(
                relocation_rate=0.03, relocate_to="nato", cap_to_capacity=5.0,
                integration_investment=OPEN_INTEGRATION_INVESTMENT, aid_share=0.03, aid_priority=2.0,
                asylum_acceptance=1.0,
            ),
            "The position the essay warns against, at its strongest: open borders (5x integration "
            "capacity) funded by integration spending at the programme's scale (1 % of GDP, Sweden's "
            "2016 level), and sacrificial aid (3 % of GDP). Organizing is as in nato_first, so the "
            "pair isolates the essay's stability claim.",
            "the dominant culture of the Left supports extreme radical proposals such as pure "
            "unrestricted open borders ... Leftists may propose a sacrificial level of global "
            "development aid that cuts into the standard of living of the Western working class. "
            "Funding: OECD 2017 (Migration Policy Debates 13): Sweden spent about 1 % of GDP on "
            "asylum seekers and refugees in 2016, Germany about 0.5 %.",
        ),
        Doctrine(
            "one_country",
            DoctrineSpec(cap_to_capacity=0.0, aid_share=0.0, asylum_acceptance=0.0),
            "Socialism in one country: no relocation, no immigration, no aid; it pays the costs of "
            "closed borders (labour demand left unfilled, M7) and forgoes the immigration ledger's gains.",
            "Though it resembles the doctrine of socialism in one country, it is not precisely. "
            "Its aspirations are international",
        ),
        Doctrine(
            "south_first",
            DoctrineSpec(
                relocation_rate=0.03, relocate_to="south",
                cap_to_capacity=1.0, integration_investment=0.005, aid_share=0.015, aid_priority=3.0,
                asylum_acceptance=TODAY_ASYLUM,
            ),
            "Organizing concentrated in the Global South: every country outside the first world "
            "(India, Brazil, South Africa, Indonesia and Mexico included), where organizing is free "
            "first; capacity-linked immigration and generous (1.5 %) aid.",
            "The essay's rival geography at its advocates' strongest: the majority of the world's "
            "workers live outside the first world, and the electoral democracies of the South "
            "(V-Dem RoW >= 2) are where organizing is free. The essay replies: 'Socialism in other "
            "regions should not be prioritized because all of the attempts result in non-democratic, "
            "non-socialist, bureaucratic ruling-class regimes.'",
        ),
        Doctrine(
            "status_quo",
            DoctrineSpec(),
            "No coordinated strategy: movements grow organically (same alliance breadth as the "
            "others); socialist governments keep the background immigration and aid policies.",
            "(baseline; no passage)",
        ),
        Doctrine(
            "custom",
            _ESSAY,
            "The rule with user-chosen controls ([controls.custom] in a scenario file); starts "
            "from nato_first's values. Searched by `optimize`.",
            "(parameterized)",
        ),
    )
}

DOCTRINE_NAMES: tuple[str, ...] = tuple(DOCTRINES)
#: Doctrines of a default run: the named ones (``custom`` equals nato_first unless set).
DEFAULT_DOCTRINES: tuple[str, ...] = tuple(d for d in DOCTRINE_NAMES if d != "custom")

#: Controls of the custom doctrine an optimizer (or a scenario file) may set: (low, high, meaning).
CUSTOM_CONTROLS: dict[str, tuple[float, float, str]] = {
    "relocation_rate": (0.0, 0.1, "share of organizers in non-target countries relocating per year"),
    "relocation_to_nato": (0.0, 1.0, "1: relocate to NATO; 0: to the Global South (outside the first world, "
                                     "free countries first)"),
    "alliance_breadth": (0.0, 1.0, "alliance with non-socialists on an economic programme"),
    "cap_to_capacity": (0.0, 5.0, "immigration cap of socialist republics, multiple of integration capacity"),
    "unemployment_target": (0.02, 1.0, "unemployment above which socialist republics cut immigration (1: never)"),
    "integration_investment": (0.0, 0.02, "integration spending, share of GDP"),
    "aid_share": (0.0, 0.05, "aid of socialist republics, share of GDP"),
    "aid_priority": (0.0, 5.0, "extra weight of socialist recipients"),
    "asylum_acceptance": (0.0, 1.0, "share of asylum seekers socialist republics admit (outside the cap)"),
    "safety_margin": (0.0, 0.15, "coalition margin below which immigration and aid are cut"),
    "safety_cut": (0.0, 1.0, "factor applied to immigration and aid while the margin is thin"),
}


def relocation_target(spec: DoctrineSpec, masks: dict[str, np.ndarray]) -> np.ndarray:
    """Weight of each country as a destination of relocating organizers, from one year's bloc masks.

    ``targets`` (a bloc list) wins; else ``relocate_to``: ``nato``; ``south`` (every country
    outside the first world, the free ones, RoW >= 2, first: weight 1, the others
    :data:`UNFREE_TARGET_WEIGHT`); ``developing`` (the residual bloc).
    """
    if spec.targets:
        return np.logical_or.reduce([masks[b] for b in spec.targets]).astype(np.float64)
    if spec.relocate_to == "south":
        south = ~masks["first_world"]
        free = masks["periphery"]
        return np.where(south, np.where(free, 1.0, UNFREE_TARGET_WEIGHT), 0.0)
    return masks[spec.relocate_to].astype(np.float64)


def custom_spec(values: dict[str, float] | None = None) -> DoctrineSpec:
    """The custom doctrine's rule with the given control values (others: its defaults)."""
    spec = DOCTRINES["custom"].spec
    values = dict(values or {})
    to_nato = values.pop("relocation_to_nato", None)
    targets = values.pop("targets", None)
    if targets is not None:
        spec = replace(spec, targets=tuple(targets))
    if to_nato is not None:
        spec = replace(spec, relocate_to="nato" if to_nato >= 0.5 else "south")
    return replace(spec, **values)


def custom_values(spec: DoctrineSpec) -> dict[str, float]:
    """A spec's values as custom controls (inverse of :func:`custom_spec`)."""
    out = {k: v for k, v in asdict(spec).items() if k in CUSTOM_CONTROLS}
    out["relocation_to_nato"] = 1.0 if spec.relocate_to == "nato" else 0.0
    return out


def spec_fields() -> tuple[str, ...]:
    """Names of the rule's parameters."""
    return tuple(f.name for f in fields(DoctrineSpec))
