"""`nato-socialism serve` over HTTP: views of a stored run, bad values, the run queue, cancel, Ctrl-C.

The browser walkthrough is tests/test_dashboard_browser.py.
"""

from __future__ import annotations

import base64
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from cli_helpers import run_inprocess
from dashboard_helpers import get, post, served, wait_job
from nato_socialism.dashboard.views import RunViews
from nato_socialism.errors import UserError
from nato_socialism.experiments.store import ResultStore
from nato_socialism.model.outcomes import OUTCOMES
from nato_socialism.report import figures as F
from nato_socialism.report import load_run_data
from nato_socialism.report.build import mode_range
from report_helpers import DOCTRINES, downgrade_to_v1, small_run


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("dashboard") / "results"
    store, run_id = small_run(root, members=6, horizon=5)
    with served(root) as (proc, base, errors):
        yield base, store, run_id


def test_serves_the_page_and_its_assets_from_loopback(server):
    base, *_ = server
    assert base.startswith("http://127.0.0.1:")
    status, page = get(base)
    assert status == 200 and "/static/app.js" in page and "/assets/plotly.js" in page
    assert "http" not in page.replace('lang="en"', "")  # nothing from elsewhere
    assert get(base + "static/app.js")[1].count("http") == 0
    assert len(get(base + "assets/plotly.js")[1]) > 1_000_000  # the installed plotly.js, not a CDN
    assert "PlotlyGeoAssets" in get(base + "assets/geo.js")[1]


def test_refuses_requests_to_other_host_names(server):
    base, *_ = server
    status, body = get(base + "api/runs", headers={"Host": "example.com"})
    assert status == 403 and "loopback" in body["error"]


def test_views_of_a_stored_run(server):
    base, store, run_id = server
    runs = get(base + "api/runs")[1]
    assert [r["run_id"] for r in runs] == [run_id] and runs[0]["doctrines"] == DOCTRINES
    info = get(base + f"api/run/{run_id}/info")[1]
    assert info["doctrines"] == DOCTRINES and info["years"] == [2023, 2028] and info["kept_members"] == [0, 1]
    for mode in [m["name"] for m in info["modes"]]:
        status, fig = get(base + f"api/run/{run_id}/map?mode={mode}&doctrine=status_quo&year=2026&member=1")
        assert status == 200, fig
        assert len(fig["data"][0]["locations"]) >= 190 and fig["layout"]["title"]["text"].endswith("2026")
    # the map reads one doctrine's columns only: the same values as the report's whole summary
    rd = load_run_data(store.root, run_id)
    for mode in ("support_p50", "p_democratic_socialist", "living_p50"):
        fig = get(base + f"api/run/{run_id}/map?mode={mode}&doctrine=status_quo&year=2026")[1]
        trace = fig["data"][0]
        shown = np.frombuffer(base64.b64decode(trace["z"]["bdata"]), dtype=np.float32)
        rows = rd.country_summary[(rd.country_summary["doctrine"] == "status_quo") & (rd.country_summary["year"]
                                                                                       == 2026)]
        want = rows.set_index("iso3")[mode].reindex(trace["locations"]).to_numpy(dtype=float)
        np.testing.assert_allclose(shown, np.log10(want) if mode == "living_p50" else want, rtol=1e-6)
        assert (fig["layout"]["coloraxis"]["cmin"], fig["layout"]["coloraxis"]["cmax"]) == pytest.approx(
            mode_range(rd, F.map_modes()[mode]))
    comp = get(base + f"api/run/{run_id}/compare?reference=status_quo")[1]
    assert comp["rivals"] == ["nato_first", "open_solidarity"]
    paired = rd.comparison
    paired = set(paired[(paired["a"] == "status_quo") & (paired["n"] > 0)]["outcome"])  # every comparable outcome
    assert {r["outcome"] for r in comp["rows"]} == paired and len(paired) >= 20
    assert [r["outcome"] for r in comp["rows"]] == [o for o in OUTCOMES if o in paired]
    assert comp["figure"]["data"] and all(r["nato_first"].startswith("Δ") for r in comp["rows"])
    country = get(base + f"api/run/{run_id}/country?iso3=bra&year=2024&doctrine=open_solidarity&member=1")[1]
    assert country["name"] == "Brazil" and country["notes"] == []
    assert len(country["fan"]["data"]) == 3 * len(DOCTRINES)  # two bands and a median per doctrine
    assert "Brazil, 2024 → 2025 (open_solidarity, member 1)" in country["why"]["layout"]["title"]["text"]
    teach = get(base + f"api/run/{run_id}/teach?doctrine=nato_first&member=0")[1]
    assert [s["year"] for s in teach["steps"]][:1] == [2023] and len(teach["steps"]) >= 2
    assert all(s["text"].startswith(str(s["year"])) for s in teach["steps"])
    # a year's regime changes are named most populous first
    k = store.read(run_id, "trajectories").query("doctrine == 'nato_first' and member == 0")
    regime, pop = (k.pivot(index="year", columns="iso3", values=v) for v in ("regime", "pop"))
    names = dict(zip(rd.countries["iso3"], rd.countries["name"], strict=True))
    for step in teach["steps"][1:]:
        y = step["year"]
        changed = [c for c in regime.columns if regime.loc[y - 1, c] != regime.loc[y, c]]
        if changed:
            assert step["text"].startswith(f"{y}: regime change in {names[max(changed, key=lambda c: pop.loc[y, c])]} ")
        else:
            assert "largest change: support" in step["text"]


@pytest.mark.parametrize(("query", "message"), [
    ("map?mode=colour&doctrine=nato_first&year=2024", "unknown map mode 'colour'; expected one of regime"),
    ("map?mode=regime&doctrine=nato_frist&year=2024", "Did you mean 'nato_first'"),
    ("map?mode=regime&doctrine=nato_first&year=1900", "year 1900 is outside run"),
    ("map?mode=regime&doctrine=nato_first&year=soon", "year must be a whole number, not 'soon'"),
    ("map?mode=regime&doctrine=nato_first&year=2024&member=7", "kept no member 7; kept members: 0, 1"),
    ("country?iso3=XXX", "unknown country code 'XXX'"),
    ("country?iso3=FRA&variable=gdp", "unknown country variable 'gdp'"),
    ("teach?doctrine=nato_first&member=3", "kept no trajectory of member 3"),
])
def test_bad_view_values_answer_400_with_a_message(server, query, message):
    base, _, run_id = server
    status, body = get(base + f"api/run/{run_id}/{query}")
    assert status == 400 and message in body["error"], body


def _refused(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=30)
    return err.value.code, err.value.read().decode()


def test_a_body_that_is_not_a_json_object_answers_400(server):
    base, *_ = server
    for body in (b"[1, 2]", b"members=3"):
        code, text = _refused(base + "api/runs", body, {"Content-Type": "application/json"})
        assert code == 400 and "not a JSON object" in text


def test_other_sites_cannot_start_runs(server):
    base, *_ = server
    body = b'{"members": 2, "years": 2}'
    code, text = _refused(base + "api/runs", body, {"Content-Type": "text/plain"})  # a form from any web page
    assert code == 415 and "application/json" in text
    code, text = _refused(base + "api/runs", body, {"Content-Type": "application/json",
                                                   "Origin": "http://example.com"})
    assert code == 403 and "example.com" in text
    assert get(base + "api/jobs")[1]["jobs"] == []


def test_unknown_run_answers_400(server):
    base, *_ = server
    status, body = get(base + "api/run/nope/info")
    assert status == 400 and "no run 'nope'" in body["error"]


@pytest.mark.parametrize(("form", "argv"), [
    ({"members": 0}, ["--members", "0"]),
    ({"members": "abc"}, ["--members", "abc"]),
    ({"years": 400}, ["--years", "400"]),
    ({"seed": -1}, ["--seed", "-1"]),
    ({"doctrines": ["nato_frist"]}, ["--doctrine", "nato_frist"]),
    ({"scenario": "no/such.toml"}, ["no/such.toml"]),
])
def test_bad_form_values_get_the_cli_message(server, form, argv):
    base, *_ = server
    status, body = post(base + "api/runs", {**form, "session": "t"})
    code, _, err = run_inprocess(["run", *argv, "--no-store"])
    assert status == 400 and code == 2
    assert body["error"] in err, (body["error"], err)


@pytest.mark.parametrize(("form", "message"), [
    ({"parameters": {"reversion_rate": -1}}, "parameters.reversion_rate = -1.0: expected a number of at least 0"),
    ({"parameters": {"no_such": 1}}, "no_such"),
    ({"controls": {"aid_share": 0.5}}, "controls.custom.aid_share = 0.5: expected a number from 0 to 0.05"),
    ({"doctrines": []}, "choose at least one doctrine"),
])
def test_bad_sliders_and_controls_are_refused(server, form, message):
    base, *_ = server
    status, body = post(base + "api/runs", {**form, "session": "t"})
    assert status == 400 and message in body["error"], body


def test_queue_runs_one_at_a_time_into_the_store_and_cancels(tmp_path):
    root = tmp_path / "results"
    with served(root) as (proc, base, _):
        first = post(base + "api/runs", {"session": "a", "members": 3, "years": 3, "doctrines": ["status_quo"],
                                         "parameters": {"reversion_rate": 0.2}})[1]["job"]
        second = post(base + "api/runs", {"session": "b", "members": 2, "years": 2, "doctrines": ["custom"],
                                          "controls": {"aid_share": 0.03}})[1]["job"]
        third = post(base + "api/runs", {"session": "b", "members": 2, "years": 2, "doctrines": ["nato_first"]})[1]
        jobs = get(base + "api/jobs")[1]["jobs"]
        assert [j["session"] for j in jobs] == ["a", "b", "b"]
        assert post(base + f"api/jobs/{third['job']['id']}/cancel")[1]["job"]["status"] in ("cancelled", "running",
                                                                                          "complete")
        a = wait_job(base, first["id"], lambda j: j["status"] == "complete")
        b = wait_job(base, second["id"], lambda j: j["status"] == "complete")
        store = ResultStore.open(root)
        meta_a, meta_b = store.meta(a["run_id"]), store.meta(b["run_id"])
        assert (meta_a["doctrines"], meta_a["members"]) == (["status_quo"], 3)
        assert (meta_b["doctrines"], meta_b["members"]) == (["custom"], 2)
        assert meta_a["parameters"]["reversion_rate"] == [0.2, 0.2]
        assert meta_b["scenario"]["controls"]["custom"]["aid_share"] == 0.03
        # a running job stops after its current chunk, resumable by the CLI
        big = post(base + "api/runs", {"session": "a", "members": 150, "years": 12, "doctrines": ["nato_first"]})
        job = wait_job(base, big[1]["job"]["id"], lambda j: j["done"] > 0)
        post(base + f"api/jobs/{job['id']}/cancel")
        job = wait_job(base, job["id"], lambda j: j["status"] not in ("running", "queued"))
        assert job["status"] == "interrupted" and job["done"] < job["total"], job
        assert f"nato-socialism run --resume {job['run_id']}" in job["message"]
        assert store.meta(job["run_id"])["status"] == "interrupted"
        assert get(base + f"api/run/{job['run_id']}/info")[0] == 200  # a partial run still opens
    code, out, err = run_inprocess(["run", "--resume", job["run_id"], "--results", str(root), "--json"])
    assert code == 0, err
    assert store.meta(job["run_id"])["status"] == "complete"


def test_ctrl_c_stops_the_server_and_leaves_a_resumable_run(tmp_path):
    root = tmp_path / "results"
    with served(root) as (proc, base, errors):
        job = post(base + "api/runs", {"session": "a", "members": 300, "years": 15, "doctrines": ["nato_first"]})[1]
        job = wait_job(base, job["job"]["id"], lambda j: j["done"] > 0)
        proc.send_signal(2)
        t0 = time.monotonic()
        code = proc.wait(60)
        took = time.monotonic() - t0
        out = proc.stdout.read()
    assert code == 0 and "dashboard stopped" in out
    assert f"nato-socialism run --resume {job['run_id']}" in errors.read_text()
    assert "Traceback" not in errors.read_text()
    store = ResultStore.open(root)
    meta = store.meta(job["run_id"])
    assert meta["status"] == "interrupted" and store.pending(job["run_id"]) > 0
    assert store.committed(job["run_id"], verify=True)  # the chunks written are whole
    assert not list(Path(store.run_dir(job["run_id"])).glob("**/.*.tmp"))  # nothing half-written
    print(f"stopped {took:.1f} s after SIGINT")


def test_port_in_use_is_refused(server):
    base, *_ = server
    port = base.rsplit(":", 1)[1].strip("/")
    code, _, err = run_inprocess(["serve", "--port", port, "--results", "x"])
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in err


def test_results_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("")
    code, _, err = run_inprocess(["serve", "--port", "0", "--results", str(tmp_path / "f")])
    assert code == 2 and "is a file, not a results directory" in err


@pytest.mark.parametrize("keep_why", [True, False])
def test_a_version_1_run_opens_with_what_it_has(tmp_path, keep_why):
    store, run_id = small_run(tmp_path / "results", members=3, horizon=3)
    downgrade_to_v1(store, run_id, keep_why=keep_why)
    views = RunViews(store.root)
    info = views.info(run_id)
    assert len(info["countries"]) == 197  # rebuilt from the run's scenario and data
    assert [m["name"] for m in info["modes"]] == (["regime"] if keep_why else [])
    assert info["map"] is keep_why
    with pytest.raises(UserError, match="has no country summary"):
        views.map(run_id, "p_democratic_socialist", "nato_first", 2024)
    if keep_why:
        assert len(views.map(run_id, "regime", "nato_first", 2024, 1)["data"][0]["locations"]) >= 190
        assert views.teach(run_id, "status_quo", 0)["steps"]
    country = views.country(run_id, "DEU", year=2024)
    assert country["fan"] is None and "no country histograms" in country["notes"][0]
    assert (country["why"] is not None) is keep_why
    assert any("schema version 1" in line for line in views.summary(run_id)["missing"])
    assert views.compare(run_id)["rows"]


def test_analysis_runs_show_their_figures(tmp_path):
    root = tmp_path / "results"
    code, _, err = run_inprocess(["sensitivity", "--outcome", "world_living_mean", "--method", "morris",
                                  "--samples", "2", "--years", "2", "--results", str(root), "--json"])
    assert code == 0, err
    views = RunViews(root)
    (run,) = views.runs()
    assert run["kind"] == "sensitivity"
    analysis = views.analysis(run["run_id"])
    assert [f["id"] for f in analysis["figures"]] == ["analysis-indices"] and analysis["note"] == ""
    assert analysis["figures"][0]["figure"]["layout"]["title"]["text"].startswith("Sensitivity: indices")
    assert views.map(run["run_id"], "p_democratic_socialist", "nato_first", 2025)["data"]
    # the sliders are now ranked by this run's indices
    from nato_socialism.dashboard.form import form_spec
    spec = form_spec(root)
    ranked = views.store().read_table(run["run_id"], "indices").sort_values("rank")["parameter"]
    assert spec["ranked_by"] == f"sensitivity run {run['run_id']}"
    assert [s["name"] for s in spec["sliders"]] == list(dict.fromkeys(ranked))[:8]


def test_the_cache_keeps_the_most_recently_used_runs_only(tmp_path, monkeypatch):
    import nato_socialism.dashboard.views as V

    monkeypatch.setattr(V, "KEEP_RUNS", 2)
    root = tmp_path / "results"
    ids = [small_run(root, members=2, horizon=2)[1] for _ in range(3)]
    views = RunViews(root)
    for run_id in [*ids, ids[1]]:
        views.map(run_id, "p_democratic_socialist", "nato_first", 2024)
    assert list(views._keys) == [ids[2], ids[1]]
    assert {k[0] for k in views._extra} == {ids[1], ids[2]}
