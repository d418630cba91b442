"""Time to the dashboard's first map of a stored run (``python -m nato_socialism.dashboard.timing DIR``).

Used by ``nato-socialism bench`` in a child process. Starts ``nato-socialism serve --port 0``
on the results directory ``DIR`` (its newest run is the one the page opens), opens the
printed address in a local offline Chromium ``--repeats`` times, and prints one JSON
document: the seconds from navigation until the map of the run is drawn (the first load
reads the run from the store; later ones find it cached by the server), the server's
start-up seconds (until it printed its address), the requests that tried to leave the
machine (all blocked), console errors and the countries drawn.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..report import timing
from ..report.browser import offline_page

_DRAWN = """() => [...document.querySelectorAll('#map path.choroplethlocation')]
  .filter(p => p.__data__ && p.__data__.z !== null && (p.getAttribute('d') || '').length > 20).length"""


def first_map_times(results: str | Path, repeats: int = 3, timeout_s: float = 120.0) -> dict:
    """Serve ``results`` and time the first map in Chromium; see the module docstring."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "nato_socialism.cli", "serve", "--port", "0", "--results",
                             str(results)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not found:
            raise RuntimeError(f"the dashboard printed no address: {line!r}")
        startup = time.perf_counter() - start
        loads, errors, drawn = [], [], None
        with offline_page() as (page, blocked):
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            for _ in range(repeats):
                t0 = time.perf_counter()
                page.goto(found[0])
                page.wait_for_function(f"({_DRAWN})() > 150", timeout=timeout_s * 1000)
                loads.append(time.perf_counter() - t0)
                drawn = page.evaluate(_DRAWN)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {"first_map_seconds": loads[0], "map_seconds": loads, "server_startup_seconds": startup,
            "blocked_requests": blocked, "console_errors": errors, "countries_drawn": drawn}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: print the JSON of :func:`first_map_times`."""
    return timing.main(argv, first_map_times, __doc__, "results")


if __name__ == "__main__":
    sys.exit(main())
