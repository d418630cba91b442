"""The report in a real Chromium (Playwright), offline: loads, draws, reacts; PNG export.

Chromium is a system package (`.ci/run` installs Debian's `chromium`). Without it these
tests fail, naming what is missing; set NATO_SOCIALISM_SKIP_BROWSER=1 to skip them on a
machine that has no Chromium on purpose.
"""

from __future__ import annotations

import os
import time

import pytest

from nato_socialism.report import load_run_data
from nato_socialism.report.browser import offline_page
from nato_socialism.report.html import write_report
from report_helpers import require_chromium, small_run

if os.environ.get("NATO_SOCIALISM_SKIP_BROWSER"):
    pytest.skip("NATO_SOCIALISM_SKIP_BROWSER is set", allow_module_level=True)

#: Read each figure's title and axis titles as plotly.js laid them out.
FIGURE_FACTS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(div => {
  const fl = div._fullLayout;
  const axes = Object.keys(fl).filter(k => /^[xy]axis\\d*$/.test(k) && fl[k].visible !== false);
  return {id: div.closest('.figure').id, title: (fl.title && fl.title.text) || '',
          axes: axes.map(k => [k, (fl[k].title && fl[k].title.text) || '']),
          geo: !!fl.geo, colorbar: fl.coloraxis ? ((fl.coloraxis.colorbar.title || {}).text || '') : null};
})"""
#: The map's drawn countries: ISO3 code, value, fill colour and outline length of every choropleth path.
MAP_FILLS = """() => [...document.querySelectorAll('#fig-map path.choroplethlocation')]
  .map(p => [p.__data__.loc, p.__data__.z, getComputedStyle(p).fill, (p.getAttribute('d') || '').length])"""


@pytest.fixture(scope="module")
def chromium():
    return require_chromium()


@pytest.fixture(scope="module")
def report(tmp_path_factory, chromium):
    root = tmp_path_factory.mktemp("browser") / "results"
    store, run_id = small_run(root)
    rd = load_run_data(store.root, run_id)
    path = root / "report.html"
    write_report(rd, path)
    return rd, path


@pytest.fixture(scope="module")
def loaded(report):
    """The report open in Chromium: (page, blocked requests, console errors, seconds to ready)."""
    _, path = report
    with offline_page() as (page, blocked):
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        t0 = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_function("window.reportReady === true", timeout=60_000)  # the first screen
        assert page.evaluate("document.querySelector('#fig-map .js-plotly-plot') !== null")
        page.wait_for_function("window.reportAllDrawn === true", timeout=60_000)  # the rest, in the background
        yield page, blocked, errors, time.perf_counter() - t0


def test_loads_offline_without_errors(loaded):
    page, blocked, errors, _ = loaded
    assert blocked == []  # every non-local request would have been aborted and recorded
    assert errors == []
    assert page.evaluate("document.querySelectorAll('.js-plotly-plot').length") >= 10


def test_map_draws_the_simulated_countries(loaded, report):
    page, *_ = loaded
    rd, _ = report
    fills = page.evaluate(MAP_FILLS)
    drawn = {iso for iso, z, fill, outline in fills
             if z is not None and fill.startswith("rgb") and outline > 20}  # a value, a colour and a shape
    assert len(drawn) >= 190
    assert drawn <= set(rd.countries["iso3"])
    # the two countries without a shape are circles
    assert page.evaluate("document.querySelectorAll('#fig-map .scattergeo path.point').length") == 2


def test_year_slider_changes_the_map(loaded):
    page, *_ = loaded
    before = page.evaluate(MAP_FILLS)
    title = page.evaluate("document.querySelector('#fig-map').querySelector('.js-plotly-plot')._fullLayout.title.text")
    first = page.evaluate("document.getElementById('map-year').min")
    page.evaluate("""(y) => { const s = document.getElementById('map-year'); s.value = y;
                              s.dispatchEvent(new Event('input')); }""", first)
    page.wait_for_function("(t) => document.querySelector('#fig-map .js-plotly-plot')._fullLayout.title.text !== t",
                           arg=title)
    after = page.evaluate(MAP_FILLS)
    assert before != after
    assert page.evaluate("document.querySelector('#fig-map .js-plotly-plot')._fullLayout.title.text").endswith(first)


def test_every_figure_has_a_title_and_axis_labels(loaded):
    page, *_ = loaded
    facts = page.evaluate(FIGURE_FACTS)
    assert facts
    for f in facts:
        assert f["title"], f["id"]
        for axis, title in f["axes"]:
            assert title, (f["id"], axis)
        if f["geo"]:
            assert f["colorbar"], f["id"]
        else:
            assert f["axes"], f["id"]


def test_screenshot(loaded, tmp_path):
    page, *_ = loaded
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    page.locator("#fig-map").screenshot(path=str(tmp_path / "map.png"))
    assert shot.stat().st_size > 50_000 and (tmp_path / "map.png").stat().st_size > 20_000
    print(f"screenshots in {tmp_path}")
