"""Test-suite settings.

In CI (``CI`` set, as the project's CI does) hypothesis draws the same examples every run, so
a landing is not decided by a new random draw; locally it explores new examples each run.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
