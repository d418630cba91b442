"""The dashboard walkthrough in a real Chromium (Playwright) against `nato-socialism serve` on 127.0.0.1.

Offline: every request that leaves the machine is aborted and recorded (report.browser).
Chromium is Debian's (see tests/test_report_browser.py); NATO_SOCIALISM_SKIP_BROWSER=1 skips.
"""

from __future__ import annotations

import os

import pytest

from cli_helpers import run_inprocess
from dashboard_helpers import served
from nato_socialism.report.browser import offline_page
from report_helpers import require_chromium, small_run

if os.environ.get("NATO_SOCIALISM_SKIP_BROWSER"):
    pytest.skip("NATO_SOCIALISM_SKIP_BROWSER is set", allow_module_level=True)

#: Drawn countries of a map: ISO3 codes of choropleth paths with a value.
MAP_CODES = """(id) => [...document.querySelectorAll('#' + id + ' path.choroplethlocation')]
  .filter(p => p.__data__.z !== null && p.__data__.z !== undefined).map(p => p.__data__.loc)"""
#: The data of this session's newest job in the queue (an empty object before there is one).
NEWEST = "(document.querySelector('#queue li.mine') || {dataset: {}}).dataset"
TITLE = "(id) => document.getElementById(id)._fullLayout.title.text"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_chromium()
    root = tmp_path_factory.mktemp("dash-browser") / "results"
    store, run_id = small_run(root, members=6, horizon=5)
    with served(root) as (proc, base, errors), offline_page() as (page, blocked):
        console = []
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(str(e)))
        page.goto(base)
        page.wait_for_function("window.dashboardReady === true", timeout=60_000)
        page.wait_for_function("document.getElementById('map').dataset.year !== undefined", timeout=60_000)
        yield {"page": page, "blocked": blocked, "console": console, "base": base, "store": store, "run": run_id,
               "errors": errors}


def test_page_loads_offline_without_console_errors_and_draws_the_map(site):
    page = site["page"]
    assert site["blocked"] == [] and site["console"] == []
    assert len(page.evaluate(MAP_CODES, "map")) >= 190
    assert page.evaluate(TITLE, "map") == "P(democratic socialist) over members: nato_first, 2028"


def test_year_slider_and_map_mode_redraw_the_map(site):
    page = site["page"]
    page.select_option("#map-mode", "regime")
    page.evaluate("""() => { const s = document.getElementById('map-year'); s.value = 2024;
                             s.dispatchEvent(new Event('input')); }""")
    page.wait_for_function(f"({TITLE})('map') === 'Regime of one kept member: nato_first, member 0, 2024'")
    page.select_option("#map-mode", "p_democratic_socialist")
    page.wait_for_function(f"({TITLE})('map').startsWith('P(democratic socialist)')")


def test_click_a_country_shows_its_fan_chart_and_why(site):
    page = site["page"]
    box = page.evaluate("""() => { const p = [...document.querySelectorAll('#map path.choroplethlocation')]
        .find(p => p.__data__.loc === 'BRA'); const r = p.getBoundingClientRect();
        return [r.x + r.width / 2, r.y + r.height / 2]; }""")
    page.mouse.click(*box)
    page.wait_for_function("document.getElementById('country-name').dataset.iso3 === 'BRA'", timeout=30_000)
    assert not page.is_hidden("#country")
    page.wait_for_function(f"({TITLE})('country-fan').includes('Brazil')")
    page.wait_for_function(f"({TITLE})('country-why').startsWith('Why support changed in Brazil')")
    page.select_option("#country-variable", "living")
    page.wait_for_function(f"({TITLE})('country-fan').startsWith('Living standard')")


def test_compare_view_draws_the_forest_plot_and_every_pair(site):
    page = site["page"]
    page.click("#tabs button[data-tab=compare]")
    page.wait_for_function("document.querySelectorAll('#compare-table tbody tr').length >= 20")
    assert page.evaluate(TITLE, "forest").startswith("nato_first against each rival")
    page.select_option("#compare-reference", "status_quo")
    page.wait_for_function("document.querySelector('#compare-table th:nth-child(4)').textContent"
                           " === 'status_quo vs nato_first'")
    page.click("#tabs button[data-tab=map]")


def test_analysis_tab_says_what_the_run_lacks(site):
    page = site["page"]
    page.click("#tabs button[data-tab=analysis]")
    page.wait_for_function("document.getElementById('analysis-note').textContent.includes('no analysis tables')")
    page.click("#tabs button[data-tab=about]")
    page.wait_for_function("document.querySelector('#summary table.kv') !== null")
    page.click("#tabs button[data-tab=map]")


def test_teaching_mode_plays_through_the_years(site):
    page = site["page"]
    page.click("#tabs button[data-tab=teach]")
    page.wait_for_function("document.getElementById('teach-map').dataset.year === '2023'", timeout=30_000)
    page.click("#teach-play")
    page.wait_for_function("document.getElementById('teach-map').dataset.year === '2028'", timeout=30_000)
    assert page.evaluate("document.querySelectorAll('#teach-log li').length") == 6
    assert page.inner_text("#teach-now").startswith("2028:")
    page.wait_for_function("document.getElementById('teach-play').textContent === 'play'")  # stopped at the end
    page.click("#tabs button[data-tab=map]")


def test_an_invalid_value_shows_the_cli_message(site):
    page = site["page"]
    logged = len(site["console"])
    page.fill("#f-members", "0")
    page.click("#f-submit")
    page.wait_for_selector("#form-error:not([hidden])")
    _, _, err = run_inprocess(["run", "--members", "0", "--no-store"])
    assert page.inner_text("#form-error") in err
    page.fill("#f-members", "20")
    page.check("#fix-p-reversion_rate")
    page.fill("#v-p-reversion_rate", "-2")
    page.click("#f-submit")
    page.wait_for_function("document.getElementById('form-error').textContent.includes('parameters.reversion_rate')")
    page.uncheck("#fix-p-reversion_rate")
    # Chromium logs each answer with status 400 as an error: these two, and nothing else
    assert site["console"][logged:] == ["Failed to load resource: the server responded with a status of 400 "
                                        "(Bad Request)"] * 2
    del site["console"][logged:]


def test_two_sessions_run_at_once_with_progress_each_gets_its_own_run(site):
    page, store = site["page"], site["store"]
    other = page.context.new_page()
    other.goto(site["base"])
    other.wait_for_function("window.dashboardReady === true", timeout=60_000)
    assert page.evaluate("window.dashboardSession") != other.evaluate("window.dashboardSession")
    # session 1: a doctrine and a slider changed, a run long enough to show progress
    page.uncheck("#f-doctrines input[value=status_quo]")
    page.check("#f-doctrines input[value=custom]")
    page.fill("#f-members", "120")
    page.fill("#f-years", "8")
    page.evaluate("""() => { const r = document.getElementById('f-p-reversion_rate'); r.value = r.max;
                             r.dispatchEvent(new Event('input')); }""")
    page.evaluate("""() => { window.seen = []; new MutationObserver(() => document.querySelectorAll('#queue li.mine')
        .forEach(li => { const p = li.querySelector('progress');
                         window.seen.push([li.dataset.status, p ? p.value : null, p ? p.max : null]); }))
        .observe(document.getElementById('queue'), {childList: true, subtree: true}); }""")
    page.click("#f-submit")
    # session 2: a tiny run of one doctrine, queued behind the first
    other.fill("#f-members", "3")
    other.fill("#f-years", "3")
    other.uncheck("#f-doctrines input[value=nato_first]")
    other.click("#f-submit")
    other.wait_for_function("[...document.querySelectorAll('#queue li.mine')].some(li => "
                            "li.dataset.status === 'queued' || li.dataset.status === 'running')", timeout=30_000)
    # each page shows its own new run once done
    page.wait_for_function(f"{NEWEST}.status === 'complete'", timeout=120_000)
    mine = page.evaluate(f"{NEWEST}.run")
    page.wait_for_function(f"document.getElementById('map').dataset.run === '{mine}'", timeout=30_000)
    other.wait_for_function(f"{NEWEST}.status === 'complete'", timeout=120_000)
    theirs = other.evaluate(f"{NEWEST}.run")
    other.wait_for_function(f"document.getElementById('map').dataset.run === '{theirs}'", timeout=30_000)
    assert mine != theirs
    a, b = store.meta(mine), store.meta(theirs)
    assert (a["doctrines"], a["members"], a["horizon"]) == (["nato_first", "custom"], 120, 8)
    assert a["parameters"]["reversion_rate"][0] == a["parameters"]["reversion_rate"][1] > 0.2  # the slider, fixed
    assert (b["doctrines"], b["members"], b["horizon"]) == (["status_quo"], 3, 3)
    first, second = sorted([a, b], key=lambda m: m["started"])
    assert first["finished"] <= second["started"]  # one after the other (a queue), in the order they were accepted
    seen = page.evaluate("window.seen")
    assert any(s == "running" and 0 < v < m for s, v, m in seen), seen  # progress was shown
    assert page.evaluate(TITLE, "map").endswith("2031")
    other.close()


def test_cancel_a_running_job(site):
    page, store = site["page"], site["store"]
    page.fill("#f-members", "400")
    page.fill("#f-years", "20")
    page.click("#f-submit")
    page.wait_for_function("[...document.querySelectorAll('#queue li.mine')].some(li => li.dataset.status === "
                           "'running' && li.querySelector('progress').value > 0)", timeout=60_000)
    page.click("#queue li.mine[data-status=running] button.cancel")
    page.wait_for_function(f"{NEWEST}.status === 'interrupted'",
                           timeout=60_000)
    run_id = page.evaluate(f"{NEWEST}.run")
    assert store.meta(run_id)["status"] == "interrupted" and store.pending(run_id) > 0
    assert "nato-socialism run --resume" in page.inner_text("#queue li.mine")


def test_no_request_left_the_machine_and_no_console_errors(site):
    assert site["blocked"] == [] and site["console"] == []
