"""Write docs/report-screenshot.png: the top of a report (header and world map) in Chromium.

Usage: python tools/report_screenshot.py REPORT.html [--out docs/report-screenshot.png]

The image is quantized to a 256-colour palette so that it stays small in the repository.
"""

import argparse
import io
from pathlib import Path

from PIL import Image

from nato_socialism.report.browser import offline_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/report-screenshot.png"))
    args = parser.parse_args()
    with offline_page(viewport=(1280, 900)) as (page, blocked):
        page.goto(args.report.resolve().as_uri())
        page.wait_for_function("window.reportAllDrawn === true", timeout=120_000)
        page.evaluate("window.scrollTo(0, document.getElementById('map').offsetTop - 40)")
        shot = page.screenshot(clip={"x": 0, "y": 0, "width": 1280, "height": 900})
        assert not blocked, blocked
    image = Image.open(io.BytesIO(shot)).convert("RGB").resize((1024, 720), Image.LANCZOS)
    palette = image.quantize(colors=256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    palette.save(args.out, optimize=True)
    print(f"{args.out}: {args.out.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
