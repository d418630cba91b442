"""nato-socialism: an ensemble simulator that turns the 'NATO socialism' essay into testable mechanisms.

Layers, inside out: ``data`` -> ``model`` -> ``experiments`` -> ``cli``.
Inner layers never import outer ones.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nato-socialism")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"

import warnings as _warnings

# EMA Workbench 2.5.3 warns on import that an optional parallel evaluator is missing; we never use it.
_warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
