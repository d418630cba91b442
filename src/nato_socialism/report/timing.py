"""How long a written report takes to open in Chromium, offline (``python -m nato_socialism.report.timing FILE``).

Used by ``nato-socialism bench`` in a child process (the experiments layer does not import the
report). Prints one JSON document, for each of ``--repeats`` loads in one browser: the seconds
from navigation to the first screen drawn (``window.reportLoadMs``: the page shows and
answers) and to every figure drawn (``window.reportAllMs``; the others are drawn in the
background), the main thread's CPU seconds (Chromium's ``ThreadTime``, which tells what the
wall times would be on an idle machine); and the network requests the page attempted (all
blocked), console errors, and the countries the map drew.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .browser import offline_page

_DRAWN = """() => new Set([...document.querySelectorAll('#fig-map path.choroplethlocation')]
  .filter(p => p.__data__ && p.__data__.z !== null && (p.getAttribute('d') || '').length > 20)
  .map(p => p.__data__.loc)).size"""


def load_times(path: str | Path, repeats: int = 3, timeout_s: float = 120.0) -> dict:
    """Open the report ``repeats`` times in one offline Chromium; see the module docstring."""
    url = Path(path).resolve().as_uri()
    loads, alls, cpu, errors = [], [], [], []
    with offline_page() as (page, blocked):
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        drawn = None
        for _ in range(repeats):
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(url)
            page.wait_for_function("window.reportAllDrawn === true", timeout=timeout_s * 1000)
            loads.append(page.evaluate("window.reportLoadMs") / 1000.0)
            alls.append(page.evaluate("window.reportAllMs") / 1000.0)
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            cpu.append(metrics.get("ThreadTime"))
            cdp.detach()
            drawn = page.evaluate(_DRAWN)
    return {"load_seconds": loads, "first_load_seconds": loads[0], "all_drawn_seconds": alls,
            "main_thread_cpu_seconds": cpu, "blocked_requests": blocked, "console_errors": errors,
            "countries_drawn": drawn, "bytes": Path(path).stat().st_size}


def main(argv: list[str] | None = None, measure=load_times, about: str = __doc__, what: str = "report") -> int:
    """Command-line entry: print the JSON of ``measure(path, repeats)`` (:func:`load_times`; the dashboard's too)."""
    parser = argparse.ArgumentParser(description=about)
    parser.add_argument(what, type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(measure(getattr(args, what), args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
