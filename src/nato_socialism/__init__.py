"""nato-socialism: an ensemble simulator that turns the 'NATO socialism' essay into testable mechanisms.

Layers, inside out: ``data`` -> ``model`` -> ``experiments`` -> ``cli``.
Inner layers never import outer ones.
"""

import warnings as _warnings

#: The package version (the one place it is written; pyproject.toml reads it from here).
__version__ = "0.1.0"

# EMA Workbench 2.5 warns on import that an optional parallel evaluator is missing; we never use it.
_warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
