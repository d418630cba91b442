"""Shared rendering helpers: JSON output, Rich tables, progress bars."""

from __future__ import annotations

import json
import math
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    import pandas as pd

console = Console()
err_console = Console(stderr=True)


def _clean(value):
    np = sys.modules.get("numpy")  # NumPy scalars exist only if NumPy was imported
    if np is not None and isinstance(value, np.floating):
        value = float(value)
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if np is not None and isinstance(value, np.integer):
        return int(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as JSON-ready dicts (NaN -> null)."""
    return [_clean(r) for r in frame.to_dict(orient="records")]


def print_json(document) -> None:
    """Print exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(_clean(document), indent=2) + "\n")


@contextmanager
def progress_bar(total: int, description: str, enabled: bool = True):
    """A Rich progress bar with an ETA on stderr; yields an ``advance(n)`` callback."""
    if not enabled:
        yield lambda n: None
        return
    from rich import progress

    columns = (progress.TextColumn("{task.description}"), progress.BarColumn(), progress.MofNCompleteColumn(),
               progress.TimeElapsedColumn(), progress.TextColumn("eta"), progress.TimeRemainingColumn())
    with progress.Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


@contextmanager
def steps(enabled: bool = True):
    """A Rich progress bar on stderr for work reported in steps; yields ``report(done, total, what)``."""
    if not enabled:
        yield lambda done, total, what: None
        return
    from rich import progress

    columns = (progress.SpinnerColumn(), progress.TextColumn("{task.description}"), progress.BarColumn(),
               progress.MofNCompleteColumn(), progress.TimeElapsedColumn())
    with progress.Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def report(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, description=what)

        yield report
