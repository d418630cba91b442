"""``nato-socialism serve``: the dashboard, a local web application over a results directory."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import results_option
from .render import console, err_console

#: Default port (any free one with --port 0).
DEFAULT_PORT = 8765


def serve(
    port: int = typer.Option(DEFAULT_PORT, "--port", metavar="P", help="Port on 127.0.0.1 (0: any free port)."),
    results: Path = results_option("Results directory the dashboard reads and stores runs in."),
):
    """Explore stored runs and start new ones in the browser (http://127.0.0.1:P/, this machine only).

    Opens any stored run (map with year slider, country fan charts and "why", doctrine
    comparison, teaching mode) and runs scenarios from a form, one at a time per results
    directory (a queue), into the same store as `nato-socialism run`. Works offline. Ctrl-C
    stops the server: a run in progress stops after its current chunk and can be finished
    with `nato-socialism run --resume`.
    """
    from ..dashboard.server import serve as run_server

    def announce(url: str) -> None:
        console.print(f"nato-socialism dashboard: {url}  (results: {results}; Ctrl-C stops)", highlight=False,
                      soft_wrap=True)

    def stopped(left: list) -> None:
        for job in left:
            err_console.print(f"run {job.run_id} stopped ({job.done} of {job.total} member runs): finish it with "
                              f"`nato-socialism run --resume {job.run_id} --results {results}`", highlight=False,
                              soft_wrap=True)
        console.print("dashboard stopped", highlight=False)

    run_server(results, port, announce, stopped)
