"""Options several commands share, and the fixed-choice options checked and completed from the registries.

A fixed-choice option (``--doctrine``, ``--outcome``, ``--method``, ``--format``, ``--bloc``,
``--robustness``) takes its choices from the registry that defines them, read only when the
option is given or completed, so that ``--help`` stays fast. A value outside them is a
usage error (exit 2) naming the choices and the closest ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import typer

from ..errors import suggest

#: Choice lists longer than this are not spelled out in a message.
_LISTED = 12
#: Environment variable that sets the default of every ``--results`` option.
RESULTS_ENV = "NATO_SOCIALISM_RESULTS"


def _doctrines() -> Sequence[str]:
    from ..model.doctrines import DOCTRINE_NAMES

    return DOCTRINE_NAMES


def _outcomes() -> Sequence[str]:
    from ..model.outcomes import OUTCOMES

    return list(OUTCOMES)


def _sensitivity_methods() -> Sequence[str]:
    from ..experiments.sensitivity import GIVEN_SAMPLE_METHODS, METHODS

    return (*METHODS, *GIVEN_SAMPLE_METHODS)


def _discovery_methods() -> Sequence[str]:
    from ..experiments.discovery import METHODS

    return METHODS


def _formats() -> Sequence[str]:
    from ..experiments.store import EXPORT_FORMATS

    return EXPORT_FORMATS


def _robustness() -> Sequence[str]:
    from ..experiments.optimize import ROBUSTNESS

    return ROBUSTNESS


def _blocs() -> Sequence[str]:
    from ..data.blocs import BLOC_IDS

    return BLOC_IDS


def _series_blocs() -> Sequence[str]:
    from ..experiments.store import BLOC_SERIES

    return list(BLOC_SERIES)


#: Kind of choice -> (what it is called in a message, its registry).
CHOICES: dict[str, tuple[str, Callable[[], Sequence[str]]]] = {
    "doctrine": ("doctrine", _doctrines),
    "outcome": ("outcome", _outcomes),
    "sensitivity_method": ("method", _sensitivity_methods),
    "discovery_method": ("method", _discovery_methods),
    "format": ("format", _formats),
    "robustness": ("robustness statistic", _robustness),
    "bloc": ("bloc", _blocs),
    "series_bloc": ("bloc", _series_blocs),
}


def check_choice(kind: str, value: Any) -> Any:
    """Return ``value`` (one name or a list of them) if every name is a choice of ``kind``; else a usage error."""
    if value is None:
        return value
    label, names = CHOICES[kind][0], CHOICES[kind][1]()
    for item in value if isinstance(value, list | tuple) else [value]:
        if item not in names:
            listed = ", ".join(names) if len(names) <= _LISTED else f"{len(names)} (shell completion lists them)"
            hint = suggest(item, names)
            raise typer.BadParameter(f"{item!r} is not a known {label}; expected one of {listed}.{hint}")
    return value


def complete_choice(kind: str, incomplete: str) -> list[str]:
    """The choices of ``kind`` that start with what was typed (shell completion)."""
    return [name for name in CHOICES[kind][1]() if name.startswith(incomplete)]


def choice(kind: str, default: Any, *decls: str, repeatable: bool = False, **kwargs: Any) -> Any:
    """A ``typer.Option`` whose value is checked against, and completed from, the registry of ``kind``.

    ``repeatable`` for a ``list[str]`` option: an absent option then gives an empty tuple
    (Typer < 0.16 cannot take None back from the callback of a list option).
    """

    def check(value):
        if value is None and repeatable:
            return ()
        return check_choice(kind, value)

    def complete(incomplete: str):
        return complete_choice(kind, incomplete)

    return typer.Option(default, *decls, callback=check, autocompletion=complete, **kwargs)


def results_option(help: str = "Results directory.") -> Any:
    """``--results DIR``: default ``./results``, or the environment variable ``NATO_SOCIALISM_RESULTS``."""
    return typer.Option(Path("results"), "--results", envvar=RESULTS_ENV, show_envvar=True, metavar="DIR",
                        help=help)
