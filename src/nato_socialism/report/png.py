"""Export the report's figures as PNG images for papers.

The images are drawn by the same plotly.js, from the same figure specs, as the HTML report,
in a local headless Chromium (:mod:`.browser`) with ``Plotly.toImage``: what is in the paper
is what is in the report, and no second drawing code (e.g. matplotlib copies of every figure)
has to be kept equal to the first. Kaleido, plotly's own exporter, would need the same
Chromium and fetches the map geometry by URL; here the geometry is handed over in the page.
"""

from __future__ import annotations

import base64
import re
import tempfile
from pathlib import Path

from ..errors import UserError
from .browser import offline_page
from .build import FigureSpec

#: Default image width in CSS pixels (height: the figure's own unless given).
DEFAULT_WIDTH = 1200


def slug(text: str) -> str:
    """A file-name part of a label."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "figure"


#: Image sides accepted, in CSS pixels (beyond 10,000 a screenshot takes minutes and gigabytes).
MIN_PIXELS, MAX_PIXELS = 50, 10_000


def check_png_request(out_dir: str | Path, width: int, height: int | None, scale: float = 1.0) -> None:
    """Raise a :class:`UserError` for an image size out of range or a folder that cannot be made."""
    if not (MIN_PIXELS <= width <= MAX_PIXELS and (height is None or MIN_PIXELS <= height <= MAX_PIXELS)
            and 0.25 <= scale <= 4):
        raise UserError(f"PNG size {width} x {height} (scale {scale}) is out of range: width and height of "
                        f"{MIN_PIXELS}-{MAX_PIXELS} pixels, scale 0.25-4.")
    out = Path(out_dir)
    blocked = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise UserError(f"--png {out}: {blocked} is a file, not a directory.")


def export_png(specs: list[FigureSpec], out_dir: str | Path, width: int = DEFAULT_WIDTH, height: int | None = None,
               scale: float = 1.0) -> list[dict]:
    """Write every variant of every figure as ``<id>[-<variant>].png`` in ``out_dir``.

    Images are ``width`` x ``height`` CSS pixels (``height``: each figure's own when None)
    times ``scale`` device pixels. Returns one ``{"path", "width", "height"}`` per image.

    Raises
    ------
    UserError
        If Chromium cannot be found or started, an image cannot be drawn or written, or the
        page tried to reach the network.
    """
    from ..experiments.store import atomic_write
    from .html import geo_assets_script, plotly_js, script_json, template_json

    check_png_request(out_dir, width, height, scale)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = []
    for s in specs:
        for label, fig in s.variants:
            name = s.id if len(s.variants) == 1 else f"{s.id}-{slug(label)}"
            h = height or int(fig["layout"].get("height") or 520)
            jobs.append((out / f"{name}.png", fig, h))
    page_html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><script>" + geo_assets_script() + "</script><script>"
                 + plotly_js() + "</script></head><body><script>window.TEMPLATE=" + script_json(template_json())
                 + ";</script></body></html>")
    written = []
    with tempfile.TemporaryDirectory() as tmp, offline_page() as (page, blocked):
        path = Path(tmp) / "export.html"
        path.write_text(page_html, encoding="utf-8")
        page.goto(path.as_uri())
        for target, fig, h in jobs:
            spec = {"data": fig["data"], "layout": {**fig["layout"], "width": width, "height": h}}
            url = page.evaluate(
                """([spec, w, h, s]) => { spec.layout.template = window.TEMPLATE;
                     return Plotly.toImage(spec, {format: 'png', width: w, height: h, scale: s}); }""",
                [_plain(spec), width, h, scale])
            data = base64.b64decode(url.split(",", 1)[1])
            atomic_write(target, lambda fh, data=data: fh.write(data), "Free space or choose another --png folder.")
            written.append({"path": str(target), "width": round(width * scale), "height": round(h * scale)})
        if blocked:
            raise UserError(f"the export page tried to reach the network ({blocked[0]}); nothing should: a bug.")
    return written


def _plain(spec: dict):
    """The spec as JSON-ready Python (typed arrays for numpy arrays), to hand to the page."""
    import json

    from .html import script_json

    return json.loads(script_json(spec))
