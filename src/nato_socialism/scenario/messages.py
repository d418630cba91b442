"""Scenario error messages: one paragraph naming the file, the field, the bad value and what was expected.

:func:`invalid` is how the schema's own checks fail; :func:`explain` turns any pydantic
error (the schema's or pydantic's type and range checks) into the sentence the user sees.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from nato_socialism.errors import suggest

# Field lists longer than this are not spelled out in an unknown-field message.
_LIST_FIELDS_UP_TO = 12
_TOML_POSITION = re.compile(r"^(?P<reason>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")


def invalid(detail: str, *at: str | int, **value: Any) -> PydanticCustomError:
    """Return a validation error whose message is ``detail``.

    ``at`` extends the error's location below the validated object (a model validator can
    only fail as a whole); ``value=`` names the bad value when it is not the input itself.
    """
    return PydanticCustomError("scenario", "{detail}", {"detail": detail, "at": at, **value})


def _num(x: float) -> str:
    """Format a bound for a message: whole numbers in full (1000000, not 1e+06)."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def range_text(low: float, high: float) -> str:
    """Describe an interval with possibly infinite ends ('from 0 to 1', 'of at least 0')."""
    if math.isfinite(low) and math.isfinite(high):
        return f"from {_num(low)} to {_num(high)}"
    if math.isfinite(low):
        return f"of at least {_num(low)}"
    if math.isfinite(high):
        return f"of at most {_num(high)}"
    return ""


def toml_error(path: Path | str, err: tomllib.TOMLDecodeError) -> str:
    """Explain a TOML syntax error: file, line and column (from tomllib), reason."""
    match = _TOML_POSITION.match(str(err))
    if match is None:
        return f"{path}: not valid TOML: {err}."
    return (
        f"{path}, line {match['line']}, column {match['column']}: not valid TOML: "
        f"{match['reason']}."
    )


def explain(error: Mapping[str, Any], where: str, root: type[BaseModel]) -> str:
    """Explain one pydantic error of validating ``root``: file, field path, bad value, what was expected."""
    ctx = error.get("ctx") or {}
    loc = (*error["loc"], *ctx.get("at", ()))
    path = _path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent, _ = locate(root, loc[:-1])
        names = list(parent.model_fields) if _is_model(parent) else []
        listing = (
            f" Valid fields here: {', '.join(names)}."
            if len(names) <= _LIST_FIELDS_UP_TO
            else f" ({len(names)} valid names; see docs/scenarios.md.)"
        )
        hint = suggest(str(loc[-1]), names)
        return f"unknown field {path!r} in {where}.{hint or listing}"
    tp, info = locate(root, loc)
    expected = describe(tp, info)
    if kind == "missing":
        return f"{where}: {path} is missing; expected {expected or 'a value'}."
    value = ctx["value"] if "value" in ctx else error["input"]
    given = "" if isinstance(value, dict | BaseModel) else f" = {shown(value)}"
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
    return f"{where}: {path}{given}: {reason}"


def _path(loc: Sequence[str | int]) -> str:
    """``('events', 2, 'year')`` -> ``events[2].year``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def unwrap(tp: Any) -> Any:
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


def locate(root: type[BaseModel], loc: Sequence[str | int]) -> tuple[Any, FieldInfo | None]:
    """Return the type expected at ``loc`` below ``root``, and its field (for bounds)."""
    tp: Any = root
    info = None
    for part in loc:
        tp, info = unwrap(tp), None
        if _is_model(tp):
            info = tp.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return None, None
            tp = info.annotation
        elif get_origin(tp) in (list, dict):
            tp = get_args(tp)[-1]
        else:
            return None, None
    return unwrap(tp), info


def describe(tp: Any, info: FieldInfo | None = None) -> str:
    """Say what a value should be, e.g. 'a whole number from 1 to 300'."""
    if get_origin(tp) is Literal:
        return "one of " + ", ".join(toml_value(a) for a in get_args(tp))
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
    bounds = range_text(-math.inf if low is None else low, math.inf if high is None else high)
    return f"{words[tp]} {bounds}".strip()


def _bound(info: FieldInfo | None, name: str) -> Any:
    """Return a constraint (``ge``, ``le``, ``min_length``) of a field, or None."""
    for item in info.metadata if info else ():
        if getattr(item, name, None) is not None:
            return getattr(item, name)
    return None


def toml_value(value: Any) -> str:
    """Write a value as TOML would (strings in double quotes, true/false)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # dates and times
        return str(value)


def shown(value: Any) -> str:
    """Show a bad value in a message: as in TOML, cut to a readable length."""
    text = toml_value(value)
    return text if len(text) <= 60 else text[:57] + "..."

