"""The scenario schema: the tables of a scenario file and the validated :class:`Scenario`.

Checks that need only the file live here (field names, types, ranges, event years); checks
that need the data (country codes, blocs) are in :mod:`.building`. Tables with one field per
registry entry (parameters, switches, custom controls) are generated from the registries.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from nato_socialism.data.blocs import BLOC_IDS, OVERRIDABLE
from nato_socialism.data.world import SNAPSHOT_YEAR
from nato_socialism.errors import UserError, suggest
from nato_socialism.model.context import POLICY_EVENTS
from nato_socialism.model.doctrines import CUSTOM_CONTROLS, DEFAULT_DOCTRINES, DOCTRINE_NAMES, DoctrineSpec
from nato_socialism.model.doctrines import custom_spec as _custom_spec
from nato_socialism.model.parameters import Parameter, registry
from nato_socialism.model.state import Regime
from nato_socialism.model.switches import ALL_SWITCHES, Switches

from .messages import describe, explain, invalid, range_text, unwrap

if TYPE_CHECKING:
    from nato_socialism.data import Blocs, World
    from nato_socialism.model.simulate import Events

#: Event kinds, in documentation order.
EVENT_KINDS: tuple[str, ...] = ("transition", "regime", *POLICY_EVENTS, "join_bloc", "leave_bloc")
#: Regime names an event may set (``Regime`` members, lower case).
REGIME_NAMES: tuple[str, ...] = tuple(regime.name.lower() for regime in Regime)

# The one extra field each event kind takes (transition takes none).
_EVENT_DETAIL = {
    "regime": "regime",
    **dict.fromkeys(POLICY_EVENTS, "value"),
    "join_bloc": "bloc",
    "leave_bloc": "bloc",
}
BLOC_ACTION = {"join_bloc": "add", "leave_bloc": "remove"}


class _Table(BaseModel):
    # Strict: TOML values are typed, so "100" for a whole number is a mistake, not a hint.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)



def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parameter_type(p: Parameter) -> Any:
    """Field type of parameter ``p``: a number or a [low, high] range inside its hard bounds."""
    low, high = p.bounds
    expected = (
        f"expected a number {range_text(low, high)} (fixes it) or [low, high] inside those "
        f"bounds (samples that range); plausible range {p.low:g} to {p.high:g}"
    )

    def check(value: Any) -> float | tuple[float, float]:
        if _is_number(value) and low <= value <= high:
            return float(value)
        if isinstance(value, list | tuple) and len(value) == 2 and all(map(_is_number, value)):
            if value[0] > value[1]:
                raise invalid("expected [low, high] with low <= high")
            if low <= value[0] and value[1] <= high:
                return float(value[0]), float(value[1])
        raise invalid(expected)

    return Annotated[float | tuple[float, float] | None, PlainValidator(check)]


def _table(name: str, doc: str, fields: Mapping[str, Any]) -> type[_Table]:
    """Return a table model with one field per registry entry."""
    return create_model(name, __base__=_Table, __doc__=doc, __module__=__name__, **fields)


#: ``[parameters]``: one optional field per registry entry.
ParameterTable = _table(
    "ParameterTable",
    "Fixed values and sampled ranges of model parameters (unset: the plausible range).",
    {name: (_parameter_type(p), None) for name, p in registry().items()},
)
#: ``[mechanisms]``: one switch per mechanism and named term, on by default.
MechanismTable = _table(
    "MechanismTable",
    "Mechanism and term switches; false turns one off.",
    dict.fromkeys(ALL_SWITCHES, (bool, True)),
)
#: ``[controls.custom]``: the custom doctrine's controls, each inside its search range.
CustomControlTable = _table(
    "CustomControlTable",
    "Controls of the custom doctrine (unset: its defaults).",
    {
        **{
            name: (float | None, Field(None, ge=low, le=high))
            for name, (low, high, _) in CUSTOM_CONTROLS.items()
        },
        "targets": (list[Literal[BLOC_IDS]] | None, Field(None, min_length=1)),
    },
)



class ControlTable(_Table):
    """``[controls]``: only the custom doctrine has settable controls."""

    custom: CustomControlTable = Field(default_factory=CustomControlTable)


class BlocOverride(_Table):
    """``[blocs.<id>]``: member from (``add``) or not a member from (``remove``) a year on."""

    add: dict[str, int] = Field(default_factory=dict)
    remove: dict[str, int] = Field(default_factory=dict)


class Event(_Table):
    """One ``[[events]]`` entry; ``regime``, ``value`` or ``bloc`` as its kind needs."""

    year: int
    country: str
    kind: Literal[EVENT_KINDS]
    regime: Literal[REGIME_NAMES] | None = None
    value: float | None = Field(None, ge=0.0, le=1.0)
    bloc: str | None = None

    @model_validator(mode="after")
    def _detail_fits_kind(self) -> Event:
        needed = _EVENT_DETAIL.get(self.kind)
        for name in ("regime", "value", "bloc"):
            given = getattr(self, name)
            if name == needed and given is None:
                field = type(self).model_fields[name]
                raise invalid(
                    f"missing; an event of kind {self.kind!r} needs {name} = "
                    + describe(unwrap(field.annotation), field),
                    name,
                )
            if name != needed and given is not None:
                raise invalid(
                    f"does not apply to an event of kind {self.kind!r}", name, value=given
                )
        if self.bloc is not None and self.bloc not in OVERRIDABLE:
            raise invalid(
                f"not a bloc a scenario can change; expected one of {', '.join(OVERRIDABLE)}."
                + suggest(self.bloc, OVERRIDABLE),
                "bloc",
                value=self.bloc,
            )
        return self

    @property
    def bloc_action(self) -> str | None:
        """``add`` or ``remove`` for a bloc event (its entry in ``[blocs]``), else None."""
        return BLOC_ACTION.get(self.kind)

    @property
    def forced_regime(self) -> Regime | None:
        """The regime this event sets, if it is a transition or regime event."""
        if self.kind == "transition":
            return Regime.DEMOCRATIC_SOCIALIST
        return Regime[self.regime.upper()] if self.regime else None


DoctrineName = Literal[DOCTRINE_NAMES]


class Scenario(_Table):
    """A validated scenario file; build one with :func:`load_scenario`.

    Attributes
    ----------
    name, description
        Label of the run (default name: the file name without ``.toml``) and free text.
    start_year, horizon
        First year and number of simulated years; events fall in
        ``start_year <= year < start_year + horizon``.
    members, seed
        Ensemble size and random seed.
    doctrines
        Doctrines to run, in order.
    parameters, mechanisms, controls, blocs, events
        The file's tables; see :meth:`fixed_parameters`, :meth:`sampled_parameters`,
        :meth:`switches`, :meth:`custom_spec` and :meth:`resolve` for their meaning.
    """

    name: str = "scenario"
    description: str = ""
    start_year: int = Field(SNAPSHOT_YEAR, ge=1950, le=SNAPSHOT_YEAR)
    horizon: int = Field(100, ge=1, le=300)
    members: int = Field(200, ge=1, le=1_000_000)
    seed: int = Field(1, ge=0, le=2**63 - 1)  # stored as a DuckDB bigint
    doctrines: list[DoctrineName] = Field(
        default_factory=lambda: list(DEFAULT_DOCTRINES), min_length=1
    )
    parameters: ParameterTable = Field(default_factory=ParameterTable)
    mechanisms: MechanismTable = Field(default_factory=MechanismTable)
    controls: ControlTable = Field(default_factory=ControlTable)
    blocs: dict[str, BlocOverride] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list)

    _source: str = PrivateAttr("<scenario>")

    @field_validator("doctrines")
    @classmethod
    def _doctrines_once(cls, names: list[str]) -> list[str]:
        for i, name in enumerate(names):
            if name in names[:i]:
                raise invalid("listed twice; give each doctrine once", i, value=name)
        return names

    @model_validator(mode="after")
    def _events_fit_run(self) -> Scenario:
        end = self.start_year + self.horizon
        seen: dict[tuple, int] = {}
        for i, event in enumerate(self.events):
            if not self.start_year <= event.year < end:
                raise invalid(
                    f"an event for a year outside the run; expected a year from "
                    f"{self.start_year} to {end - 1} (start_year to start_year + horizon - 1)",
                    "events", i, "year",
                    value=event.year,
                )  # fmt: skip
            if event.kind in BLOC_ACTION:
                # Bloc events become [blocs] entries, where a country may appear once.
                action = BLOC_ACTION[event.kind]
                key, what = (event.bloc, action, event.country), f"blocs.{event.bloc}.{action}"
                if event.country in getattr(self.blocs.get(event.bloc), action, {}):
                    raise invalid(
                        f"already in {what}; a bloc names a country once",
                        "events", i, "country",
                        value=event.country,
                    )  # fmt: skip
            else:
                target = "regime" if event.forced_regime is not None else event.kind
                key, what = (event.year, target, event.country), f"{target} in {event.year}"
            if key in seen:
                raise invalid(
                    f"sets the same thing as events[{seen[key]}] "
                    f"({event.country}, {what}); give each change once",
                    "events", i,
                )  # fmt: skip
            seen[key] = i
        return self

    @property
    def source(self) -> str:
        """The file the scenario came from (names it in error messages)."""
        return self._source

    @property
    def end_year(self) -> int:
        """Year of the final state (``start_year + horizon``)."""
        return self.start_year + self.horizon

    def fixed_parameters(self) -> dict[str, float]:
        """Parameters the file fixes: name -> value."""
        return {k: v for k, v in self._set_parameters().items() if not isinstance(v, tuple)}

    def sampled_parameters(self) -> dict[str, tuple[float, float]]:
        """Parameters the file samples over a range of its own: name -> (low, high)."""
        return {k: v for k, v in self._set_parameters().items() if isinstance(v, tuple)}

    def _set_parameters(self) -> dict[str, float | tuple[float, float]]:
        return {k: v for k, v in self.parameters if v is not None}

    def switches_off(self) -> list[str]:
        """Mechanisms and terms the file turns off, in ``ALL_SWITCHES`` order."""
        return [name for name, on in self.mechanisms if not on]

    def switches(self) -> Switches:
        """Return the run's mechanism switches."""
        return Switches.without(*self.switches_off())

    def custom_controls(self) -> dict[str, float]:
        """Return the custom doctrine's controls the file sets: name -> value."""
        return {k: v for k, v in self.controls.custom if v is not None}

    def custom_spec(self) -> DoctrineSpec:
        """Return the custom doctrine's rule: its defaults with ``[controls.custom]``."""
        return _custom_spec(self.custom_controls())

    def with_overrides(
        self,
        *,
        members: int | None = None,
        horizon: int | None = None,
        start_year: int | None = None,
        seed: int | None = None,
        doctrines: Sequence[str] | None = None,
    ) -> Scenario:
        """Return a copy with the given command-line values replacing the file's.

        ``None`` keeps the file's value. The copy is validated again (a shorter horizon
        may leave an event outside the run).

        Raises
        ------
        UserError
            If a value is invalid or no longer fits the file.
        """
        given = {"members": members, "horizon": horizon, "start_year": start_year, "seed": seed}
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if doctrines is not None:
            changes["doctrines"] = list(doctrines)
        if not changes:
            return self
        data = self.model_dump(exclude_unset=True) | changes
        return validate(data, f"{self.source} (with command-line options)")

    def resolve(self, world: World) -> tuple[Events, dict[str, dict[str, dict[str, int]]]]:
        """Turn the events into model events and bloc overrides (:func:`.building.resolve`)."""
        from .building import resolve

        return resolve(self, world)

    def build(self, world: World | None = None, data_dir=None) -> tuple[World, Blocs, Events]:
        """Return the world, blocs and events of the run, checked against the data (:func:`.building.build`)."""
        from .building import build

        return build(self, world, data_dir)

    def summary(self) -> dict[str, Any]:
        """Return the scenario as plain data (what ``scenario check`` prints)."""
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "start_year": self.start_year,
            "horizon": self.horizon,
            "end_year": self.end_year,
            "members": self.members,
            "seed": self.seed,
            "doctrines": list(self.doctrines),
            "fixed_parameters": self.fixed_parameters(),
            "sampled_parameters": {k: list(v) for k, v in self.sampled_parameters().items()},
            "switches_off": self.switches_off(),
            "custom_controls": self.custom_controls(),
            "blocs": {bloc: table.model_dump() for bloc, table in self.blocs.items()},
            "events": [event.model_dump(exclude_none=True) for event in self.events],
        }



def validate(data: dict[str, Any], where: str) -> Scenario:
    """Validate parsed TOML into a Scenario; pydantic's errors become one UserError."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        problems = err.errors(include_url=False)
        more = len(problems) - 1
        tail = f" ({more} more problem{'s' if more > 1 else ''} after this one.)" if more else ""
        raise UserError(explain(problems[0], where, Scenario) + tail) from None
    scenario._source = where
    return scenario

