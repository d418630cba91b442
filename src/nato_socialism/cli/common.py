"""Helpers several commands share: loading a scenario with overrides, announcing and locking a stored run.

Commands import from here, never from each other's modules, so the command modules form no
import cycle.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from ..errors import UserError, suggest
from .render import err_console


def check_doctrines(names: list[str] | None) -> None:
    """Refuse unknown doctrine names with a suggestion."""
    from ..model.doctrines import DOCTRINE_NAMES

    for name in names or []:
        if name not in DOCTRINE_NAMES:
            expected = ", ".join(DOCTRINE_NAMES)
            raise UserError(f"unknown doctrine {name!r}; expected one of {expected}.{suggest(name, DOCTRINE_NAMES)}")


def load(scenario: str, **overrides):
    """Load a scenario by name or path and apply command-line overrides."""
    from ..scenario import load_scenario

    check_doctrines(overrides.get("doctrines"))
    return load_scenario(scenario).with_overrides(**overrides)


def announce(run_id: str, results: Path) -> None:
    """Tell the user (on stderr) where a run goes and how to resume it."""
    err_console.print(f"run {run_id} -> {results / run_id}  (if interrupted: nato-socialism run --resume "
                      f"{run_id} --results {results})", highlight=False, soft_wrap=True)


@contextmanager
def store_writer(store):
    """Hold a store's writer lock (no-op without a store)."""
    if store is None:
        yield
    else:
        with store.writer():
            yield
