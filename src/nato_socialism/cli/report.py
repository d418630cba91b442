"""``nato-socialism report``: one self-contained HTML report (and PNG images) of a stored run."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import UserError, suggest
from .render import console, err_console, print_json


def report(
    run: str = typer.Argument("latest", metavar="RUN", help="Run id, a unique prefix of one, or 'latest'."),
    results: Path = typer.Option(Path("results"), "--results", help="Results directory."),
    out: Path = typer.Option(None, "--out", help="HTML file to write (default: <results>/<run>/report.html)."),
    png: Path = typer.Option(None, "--png", metavar="DIR", help="Also write every figure as a PNG into DIR."),
    only: str = typer.Option(None, "--only", metavar="FIGURE",
                             help="Only this figure (e.g. map, fan-demsoc_share, forest); `--only list` lists them."),
    width: int = typer.Option(1200, "--width", help="PNG width in pixels."),
    height: int = typer.Option(None, "--height", help="PNG height in pixels (default: each figure's own)."),
    no_html: bool = typer.Option(False, "--no-html", help="Write the PNG images only."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document: what was written."),
):
    """Write a run's report as one self-contained HTML file (and PNG images).

    Contents: summary, world map, fan charts, transition order, doctrine comparison,
    sensitivity/discovery/optimization figures, the "why" of support changes and data notes.
    The HTML file inlines plotly.js, the map geometry and the data: it opens offline and can
    be sent as it is. The report reads the stored results only; it never reruns the model.
    """
    from ..report.data import load_run_data
    from ..report.html import render_specs, write_report

    rd = load_run_data(results, run)
    specs = render_specs(rd)
    ids = [s.id for s in specs]
    if only == "list":
        if json_out:
            print_json({"run_id": rd.run_id, "figures": ids})
        else:
            console.print("\n".join(ids), highlight=False)
        return
    if only is not None and only not in ids:
        raise UserError(f"run {rd.run_id} has no figure {only!r}; it has: {', '.join(ids)}.{suggest(only, ids)}")
    if no_html and png is None:
        raise UserError("--no-html writes nothing without --png DIR.")
    if png is not None:  # refuse before writing anything
        from ..report.browser import find_chromium
        from ..report.png import check_png_request

        check_png_request(png, width, height)
        find_chromium()
    done: dict = {"run_id": rd.run_id, "missing": rd.missing}
    if not no_html:
        target = out or (results / rd.run_id / ("report.html" if only is None else f"report-{only}.html"))
        done["html"] = write_report(rd, target, only=only, specs=specs)
    if png is not None:
        from ..report.png import export_png

        chosen = [s for s in specs if only is None or s.id == only]
        done["png"] = export_png(chosen, png, width=width, height=height)
    if json_out:
        print_json(done)
        return
    if "html" in done:
        h = done["html"]
        console.print(f"wrote {h['path']} ({h['bytes'] / 1e6:.1f} MB, {len(h['figures'])} figures, map: "
                      f"{h['countries_drawn']} countries drawn"
                      + (f", {', '.join(h['missing_geometry'])} as circles" if h["missing_geometry"] else "")
                      + f") in {h['seconds']:.1f} s", highlight=False, soft_wrap=True)
    if "png" in done:
        console.print(f"wrote {len(done['png'])} PNG images to {png}", highlight=False)
    for line in rd.missing:
        err_console.print(f"note: {line}", highlight=False, soft_wrap=True)
