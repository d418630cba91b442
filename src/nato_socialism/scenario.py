"""Scenario files: one TOML file describes a run, validated into a :class:`Scenario`.

A scenario fixes or narrows model parameters, turns mechanisms off, sets the ``custom``
doctrine's controls, overrides bloc membership and schedules events. Every key is optional
(``docs/scenarios.md`` lists them; :func:`scenario_template` writes a commented file).

Loading works in two stages. :func:`load_scenario` checks the file on its own (syntax,
field names, types, ranges, event years); :meth:`Scenario.build` then checks what needs the
data (country codes, bloc ids and overrides) and returns the world, the blocs and the
events of the run. Every problem raises :class:`~nato_socialism.errors.UserError` with one
paragraph naming the file, the field (``events[2].year``), the bad value and what was
expected.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import textwrap
import tomllib
import types
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

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
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from nato_socialism.data import SNAPSHOT_YEAR, Blocs, World, build_blocs, build_world
from nato_socialism.data.blocs import OVERRIDABLE
from nato_socialism.errors import UserError, suggest
from nato_socialism.model.context import POLICY_EVENTS
from nato_socialism.model.doctrines import (
    CUSTOM_CONTROLS,
    DOCTRINE_NAMES,
    DOCTRINES,
    DoctrineSpec,
    custom_values,
)
from nato_socialism.model.doctrines import custom_spec as _custom_spec
from nato_socialism.model.parameters import Parameter, registry
from nato_socialism.model.simulate import Events
from nato_socialism.model.state import Regime
from nato_socialism.model.switches import ALL_SWITCHES, MECHANISMS, TERMS, Switches

#: Folder of the scenarios shipped with the package (``load_scenario("default")``).
BUNDLED_DIR = Path(__file__).with_name("scenarios")
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
_BLOC_ACTION = {"join_bloc": "add", "leave_bloc": "remove"}
# Field lists longer than this are not spelled out in an unknown-field message.
_LIST_FIELDS_UP_TO = 12
_TOML_POSITION = re.compile(r"^(?P<reason>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")


class _Table(BaseModel):
    # Strict: TOML values are typed, so "100" for a whole number is a mistake, not a hint.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _invalid(detail: str, *at: str | int, **value: Any) -> PydanticCustomError:
    """Return a validation error whose message is ``detail``.

    ``at`` extends the error's location below the validated object (a model validator can
    only fail as a whole); ``value=`` names the bad value when it is not the input itself.
    """
    return PydanticCustomError("scenario", "{detail}", {"detail": detail, "at": at, **value})


def _num(x: float) -> str:
    """Format a bound for a message: whole numbers in full (1000000, not 1e+06)."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _range_text(low: float, high: float) -> str:
    """Describe an interval with possibly infinite ends ('from 0 to 1', 'of at least 0')."""
    if math.isfinite(low) and math.isfinite(high):
        return f"from {_num(low)} to {_num(high)}"
    if math.isfinite(low):
        return f"of at least {_num(low)}"
    if math.isfinite(high):
        return f"of at most {_num(high)}"
    return ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parameter_type(p: Parameter) -> Any:
    """Field type of parameter ``p``: a number or a [low, high] range inside its hard bounds."""
    low, high = p.bounds
    expected = (
        f"expected a number {_range_text(low, high)} (fixes it) or [low, high] inside those "
        f"bounds (samples that range); plausible range {p.low:g} to {p.high:g}"
    )

    def check(value: Any) -> float | tuple[float, float]:
        if _is_number(value) and low <= value <= high:
            return float(value)
        if isinstance(value, list | tuple) and len(value) == 2 and all(map(_is_number, value)):
            if value[0] > value[1]:
                raise _invalid("expected [low, high] with low <= high")
            if low <= value[0] and value[1] <= high:
                return float(value[0]), float(value[1])
        raise _invalid(expected)

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
        name: (float | None, Field(None, ge=low, le=high))
        for name, (low, high, _) in CUSTOM_CONTROLS.items()
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
                raise _invalid(
                    f"missing; an event of kind {self.kind!r} needs {name} = "
                    + _describe(_unwrap(field.annotation), field),
                    name,
                )
            if name != needed and given is not None:
                raise _invalid(
                    f"does not apply to an event of kind {self.kind!r}", name, value=given
                )
        if self.bloc is not None and self.bloc not in OVERRIDABLE:
            raise _invalid(
                f"not a bloc a scenario can change; expected one of {', '.join(OVERRIDABLE)}."
                + suggest(self.bloc, OVERRIDABLE),
                "bloc",
                value=self.bloc,
            )
        return self

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
        default_factory=lambda: list(DOCTRINE_NAMES), min_length=1
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
                raise _invalid("listed twice; give each doctrine once", i, value=name)
        return names

    @model_validator(mode="after")
    def _events_fit_run(self) -> Scenario:
        end = self.start_year + self.horizon
        seen: dict[tuple, int] = {}
        for i, event in enumerate(self.events):
            if not self.start_year <= event.year < end:
                raise _invalid(
                    f"an event for a year outside the run; expected a year from "
                    f"{self.start_year} to {end - 1} (start_year to start_year + horizon - 1)",
                    "events", i, "year",
                    value=event.year,
                )  # fmt: skip
            if event.kind in _BLOC_ACTION:
                # Bloc events become [blocs] entries, where a country may appear once.
                action = _BLOC_ACTION[event.kind]
                key, what = (event.bloc, action, event.country), f"blocs.{event.bloc}.{action}"
                if event.country in getattr(self.blocs.get(event.bloc), action, {}):
                    raise _invalid(
                        f"already in {what}; a bloc names a country once",
                        "events", i, "country",
                        value=event.country,
                    )  # fmt: skip
            else:
                target = "regime" if event.forced_regime is not None else event.kind
                key, what = (event.year, target, event.country), f"{target} in {event.year}"
            if key in seen:
                raise _invalid(
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
        return _validate(data, f"{self.source} (with command-line options)")

    def resolve(self, world: World) -> tuple[Events, dict[str, dict[str, dict[str, int]]]]:
        """Turn the events into model events and merge bloc events into the bloc overrides.

        Parameters
        ----------
        world
            The initial world; event countries are positions in ``world.iso3``.

        Returns
        -------
        events
            Regime and policy events for ``build_context``.
        overrides
            ``{bloc: {"add": {iso3: year}, "remove": {iso3: year}}}`` for ``build_blocs``.

        Raises
        ------
        UserError
            For a country code the world does not have (with close matches).
        """
        position = {code: i for i, code in enumerate(world.iso3)}
        overrides = {
            bloc: {"add": dict(table.add), "remove": dict(table.remove)}
            for bloc, table in self.blocs.items()
        }
        regimes, policies = [], []
        for i, event in enumerate(self.events):
            if event.country not in position:
                raise UserError(
                    f"{self.source}: events[{i}].country = {_shown(event.country)}: not a country "
                    f"code of the {world.year} snapshot.{suggest(event.country, world.iso3)}"
                )
            where = position[event.country]
            if event.forced_regime is not None:
                regimes.append((event.year, where, int(event.forced_regime)))
            elif event.kind in POLICY_EVENTS:
                policies.append((event.year, where, event.kind, event.value))
            else:
                table = overrides.setdefault(event.bloc, {"add": {}, "remove": {}})
                table[_BLOC_ACTION[event.kind]][event.country] = event.year
        return Events(regimes=tuple(regimes), policies=tuple(policies)), overrides

    def build(self, world: World | None = None, data_dir=None) -> tuple[World, Blocs, Events]:
        """Return the world, blocs and events of the run, checking everything against the data.

        Parameters
        ----------
        world
            The initial world; ``None`` builds it for ``start_year``.
        data_dir
            User data directory (``None``: the bundled data).

        Raises
        ------
        UserError
            For an unsupported start year, an unknown country or bloc, or a bloc naming a
            country twice; the message starts with the scenario file.
        """
        with _in_file(self.source):
            world = build_world(self.start_year, data_dir=data_dir) if world is None else world
        events, overrides = self.resolve(world)
        with _in_file(self.source):
            blocs = build_blocs(world, overrides or None, data_dir=data_dir)
        return world, blocs, events

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


@contextmanager
def _in_file(where: str) -> Iterator[None]:
    """Prefix a data-layer UserError with the scenario file it came from."""
    try:
        yield
    except UserError as err:
        raise UserError(f"{where}: {err}") from None


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package, sorted."""
    return sorted(path.stem for path in BUNDLED_DIR.glob("*.toml"))


def load_scenario(source: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    source
        A bundled scenario name (see :func:`bundled_scenarios`) or the path of a TOML file.

    Returns
    -------
    Scenario
        The validated scenario; country codes and blocs are checked by :meth:`Scenario.build`.

    Raises
    ------
    UserError
        For a missing or unreadable file, a TOML syntax error (with line and column), an
        unknown field (with close matches), a value of the wrong type or out of range, or
        an event outside the run.
    """
    path = _scenario_path(source)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise UserError(f"Cannot read scenario file {path}: {err.strerror}.") from None
    except UnicodeDecodeError:
        raise UserError(f"Scenario file {path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as err:
        raise UserError(_toml_error(path, err)) from None
    data.setdefault("name", path.stem)
    return _validate(data, str(path))


def _scenario_path(source: str | Path) -> Path:
    """Return the file a source names: a bundled scenario or an existing file."""
    bundled = bundled_scenarios()
    if isinstance(source, str) and source in bundled:
        return BUNDLED_DIR / f"{source}.toml"
    path = Path(source)
    if path.is_file():
        return path
    if path.is_dir():
        raise UserError(f"{path} is a folder, not a scenario file.")
    if isinstance(source, str) and path.name == source and not path.suffix:  # meant a name?
        raise UserError(
            f"No scenario file {source!r} and no bundled scenario of that name; bundled: "
            f"{', '.join(bundled) or 'none'}.{suggest(source, bundled)}"
        )
    raise UserError(f"Scenario file {path} does not exist.")


def _toml_error(path: Path, err: tomllib.TOMLDecodeError) -> str:
    """Explain a TOML syntax error: file, line and column (from tomllib), reason."""
    match = _TOML_POSITION.match(str(err))
    if match is None:
        return f"{path}: not valid TOML: {err}."
    return (
        f"{path}, line {match['line']}, column {match['column']}: not valid TOML: "
        f"{match['reason']}."
    )


def _validate(data: dict[str, Any], where: str) -> Scenario:
    """Validate parsed TOML into a Scenario; pydantic's errors become one UserError."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        problems = err.errors(include_url=False)
        more = len(problems) - 1
        tail = f" ({more} more problem{'s' if more > 1 else ''} after this one.)" if more else ""
        raise UserError(_explain(problems[0], where) + tail) from None
    scenario._source = where
    return scenario


def _explain(error: Mapping[str, Any], where: str) -> str:
    """Explain one pydantic error: file, field path, bad value, what was expected."""
    ctx = error.get("ctx") or {}
    loc = (*error["loc"], *ctx.get("at", ()))
    path = _path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent, _ = _locate(loc[:-1])
        names = list(parent.model_fields) if _is_model(parent) else []
        listing = (
            f" Valid fields here: {', '.join(names)}."
            if len(names) <= _LIST_FIELDS_UP_TO
            else f" ({len(names)} valid names; see docs/scenarios.md.)"
        )
        hint = suggest(str(loc[-1]), names)
        return f"unknown field {path!r} in {where}.{hint or listing}"
    tp, info = _locate(loc)
    expected = _describe(tp, info)
    if kind == "missing":
        return f"{where}: {path} is missing; expected {expected or 'a value'}."
    value = ctx["value"] if "value" in ctx else error["input"]
    shown = "" if isinstance(value, dict | BaseModel) else f" = {_shown(value)}"
    if kind == "scenario":
        reason = ctx["detail"]
    elif expected:
        reason = f"expected {expected}"
    else:  # a check this module does not describe: pydantic's own words
        reason = error["msg"][0].lower() + error["msg"][1:]
    if kind == "literal_error" and isinstance(value, str):
        reason += "." + suggest(value, get_args(tp))
    if not reason.endswith((".", "?")):
        reason += "."
    return f"{where}: {path}{shown}: {reason}"


def _path(loc: Sequence[str | int]) -> str:
    """``('events', 2, 'year')`` -> ``events[2].year``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` from a type."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif get_origin(tp) in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _locate(loc: Sequence[str | int]) -> tuple[Any, FieldInfo | None]:
    """Return the type expected at ``loc`` in a scenario, and its field (for bounds)."""
    tp: Any = Scenario
    info = None
    for part in loc:
        tp, info = _unwrap(tp), None
        if _is_model(tp):
            info = tp.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return None, None
            tp = info.annotation
        elif get_origin(tp) in (list, dict):
            tp = get_args(tp)[-1]
        else:
            return None, None
    return _unwrap(tp), info


def _describe(tp: Any, info: FieldInfo | None = None) -> str:
    """Say what a value should be, e.g. 'a whole number from 1 to 300'."""
    if get_origin(tp) is Literal:
        return "one of " + ", ".join(_toml(a) for a in get_args(tp))
    if _is_model(tp) or get_origin(tp) is dict:
        return "a table"
    if get_origin(tp) is list:
        return "a list [...]" + (
            " with at least one item" if info and _bound(info, "min_length") else ""
        )
    words = {bool: "true or false", int: "a whole number", float: "a number", str: "text in quotes"}
    if tp not in words:
        return ""
    low, high = _bound(info, "ge"), _bound(info, "le")
    bounds = _range_text(-math.inf if low is None else low, math.inf if high is None else high)
    return f"{words[tp]} {bounds}".strip()


def _bound(info: FieldInfo | None, name: str) -> Any:
    """Return a constraint (``ge``, ``le``, ``min_length``) of a field, or None."""
    for item in info.metadata if info else ():
        if getattr(item, name, None) is not None:
            return getattr(item, name)
    return None


def _toml(value: Any) -> str:
    """Write a value as TOML would (strings in double quotes, true/false)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # dates and times
        return str(value)


def _shown(value: Any) -> str:
    """Show a bad value in a message: as in TOML, cut to a readable length."""
    text = _toml(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------- template

# Parameters shown as examples in the template: (name, fix it or sample its plausible range).
_TEMPLATE_PARAMETERS = (
    ("aid_growth_effect", "fix"),
    ("init_moderate_left_weight", "range"),
    ("baseline_immigration_cap", "fix"),
)
# Example events of the template (uncommented, they form a valid scenario with the rest).
_TEMPLATE_EVENTS = (
    {"year": 2030, "country": "FRA", "kind": "transition"},
    {"year": 2028, "country": "HUN", "kind": "regime", "regime": "capitalist_autocracy"},
    {"year": 2035, "country": "DEU", "kind": "immigration_cap", "value": 0.004},
    {"year": 2040, "country": "IRL", "kind": "join_bloc", "bloc": "nato"},
)


def _commented(lines: Sequence[tuple[str, str]], prefix: str = "# ") -> list[str]:
    """Format (code, comment) pairs as ``prefix + code`` lines with aligned comments."""
    width = max(len(code) for code, _ in lines)
    return [f"{prefix}{code.ljust(width)}  # {comment}" for code, comment in lines]


def _prose(text: str, indent: str = "") -> list[str]:
    """Wrap a paragraph into comment lines of at most 92 characters."""
    return ["# " + line for line in textwrap.wrap(text, 90, subsequent_indent=indent)]


def scenario_template() -> str:
    """Return a commented scenario file documenting every key; as is, the default run.

    Top-level keys are set to their defaults; tables hold commented-out examples (the lists
    of doctrines, switches and controls come from the registries). Uncommenting every
    example still gives a valid scenario.
    """
    reg = registry()
    default = Scenario()
    out = _prose(
        "nato-socialism scenario file (TOML). Every key is optional; the values set below are "
        "the defaults. Check a file with `nato-socialism scenario check FILE`; "
        "docs/scenarios.md documents every key."
    )
    out += ["", '# name = "my_scenario"  # default: the file name without .toml']
    out += [f"description = {_toml(default.description)}", ""]
    out += _commented(
        [
            (f"start_year = {default.start_year}", "1950 to 2023; only 2023 (the snapshot) runs"),
            (f"horizon = {default.horizon}", "years simulated, 1 to 300"),
            (f"members = {default.members}", "ensemble members (sampled futures), 1 to 1000000"),
            (f"seed = {default.seed}", "random seed, >= 0; same file and seed, same run"),
        ],
        prefix="",
    )

    out += ["", "# Doctrines to run, in order (at least one, each once):"]
    for name, doctrine in DOCTRINES.items():
        out += _prose(f"- {name}: {doctrine.summary}", "  ")
    out += [f"doctrines = {_toml(list(default.doctrines))}", ""]

    out += _prose(
        "Model parameters. A number fixes the parameter in every member; [low, high] samples "
        "that range. Parameters not named are sampled over their plausible range. Values must "
        "lie inside the parameter's hard bounds (shares and probabilities: 0 to 1). "
        f"`nato-socialism params` lists all {len(reg)} parameters with default, plausible "
        "range, unit and source."
    )
    out.append("[parameters]")
    examples = []
    for name, how in _TEMPLATE_PARAMETERS:
        p = reg[name]
        value = [p.low, p.high] if how == "range" else p.default
        about = f"{p.mechanism}, {p.unit}; default {p.default:g}, plausible {p.low:g} to {p.high:g}"
        examples.append((f"{name} = {_toml(value)}", about))
    out += [*_commented(examples), ""]

    out += _prose(
        "Mechanisms (M1 to M12) and named terms of them: false turns one off. A term is also "
        "off when its mechanism is."
    )
    out.append("[mechanisms]")
    switches = [
        (f"{switch} = true", f"{m}: {meaning}") for m, (switch, meaning) in MECHANISMS.items()
    ]
    switches += [(f"{term} = true", meaning) for term, meaning in TERMS.items()]
    out += [*_commented(switches), ""]

    out += _prose(
        "Controls of the custom doctrine, each within the range shown; unset controls keep the "
        "values shown (nato_first's)."
    )
    out.append("[controls.custom]")
    controls = []
    for name, value in custom_values(DOCTRINES["custom"].spec).items():
        low, high, meaning = CUSTOM_CONTROLS[name]
        controls.append((f"{name} = {_toml(value)}", f"{low:g} to {high:g}: {meaning}"))
    out += [*_commented(controls), ""]

    out += _prose(
        "Bloc membership overrides, one table per bloc: add = {ISO3 = year} makes a country a "
        "member from that year on; remove = {ISO3 = year} ends its membership from that year "
        f"on. Blocs: {', '.join(OVERRIDABLE)} (developing is always the rest). A bloc names a "
        "country once."
    )
    out += ["# [blocs.nato]", "# add = {UKR = 2035}", "# remove = {TUR = 2040}", ""]

    out += _prose(
        "Scheduled events, one [[events]] table each: year (start_year <= year < start_year + "
        "horizon), country (ISO3 code; `nato-socialism countries` lists them) and kind:"
    )
    out += _prose("- transition: the country becomes a democratic socialist republic that year;")
    out += _prose(f"- regime: the country gets regime = {_describe(Literal[REGIME_NAMES])};", "  ")
    out += _prose(
        f"- {', '.join(POLICY_EVENTS)}: the country's control is fixed at value (a share, 0 to "
        "1) from that year on;",
        "  ",
    )
    out += _prose(
        '- join_bloc, leave_bloc: the country joins or leaves bloc = "<bloc id>", as in [blocs].',
        "  ",
    )
    for event in _TEMPLATE_EVENTS:
        out += ["# [[events]]", *(f"# {key} = {_toml(value)}" for key, value in event.items())]
    return "\n".join(out) + "\n"


def write_scenario_template(path: str | Path, *, force: bool = False) -> Path:
    """Write :func:`scenario_template` to ``path`` atomically.

    Parameters
    ----------
    path
        File to write.
    force
        Overwrite an existing file.

    Raises
    ------
    UserError
        If the file exists and ``force`` is false, or its folder does not exist.
    """
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name such as {path / 'scenario.toml'}.")
    if path.exists() and not force:
        raise UserError(f"{path} already exists; pass --force to overwrite it.")
    if not path.parent.is_dir():
        raise UserError(f"Cannot write {path}: folder {path.parent} does not exist.")
    # A temporary file in the same folder, then a rename: readers never see half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(scenario_template())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
