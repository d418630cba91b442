"""User-facing errors.

Anything the user can fix (a bad scenario file, an unknown country code, a broken data
file) raises :class:`UserError` with one readable paragraph naming the file, field, row or
value and what was expected. The CLI prints the message and exits with status 2; nothing
else in the package prints tracebacks for bad input.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserError(Exception):
    """An error caused by input the user can correct; the message is shown as is."""


def suggest(value: str, choices: Iterable[str], n: int = 3) -> str:
    """Return a ' Did you mean ...?' hint with the closest valid names, or ''."""
    choices = list(choices)
    close = difflib.get_close_matches(value, choices, n=n, cutoff=0.5)
    if not close:
        close = difflib.get_close_matches(value.upper(), [c.upper() for c in choices], n=n, cutoff=0.5)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
