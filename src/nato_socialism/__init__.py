"""nato-socialism: an ensemble simulator that turns the 'NATO socialism' essay into testable mechanisms.

Layers, inside out: ``data`` -> ``model`` -> ``experiments`` -> ``cli``.
Inner layers never import outer ones.
"""

#: The package version (the one place it is written; pyproject.toml reads it from here).
__version__ = "0.1.0"
