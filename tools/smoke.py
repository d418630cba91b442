"""Smoke test of an installed nato-socialism, run from outside the checkout (`.ci/run`).

    VENV/bin/python -I tools/smoke.py [--reference CHECKOUT]   # -I: nothing from the working folder

With ``--reference``, the Mesa re-implementation of the checkout's ``reference/`` also runs
(the ``reference`` extra: Mesa).

Run in an empty temporary folder, it checks that the installed package (not a source tree)
works end to end: start-up commands, a 2-member stored run and its results (DuckDB,
Parquet), the Latin hypercube design, the bundled data loaded through the schemas, a
scenario file, the HTML report and a PNG, tiny sensitivity, discovery and optimization runs (SALib, EMA Workbench,
pymoo), a Dask run, calibration, command-line mistakes (exit 2, no traceback) and the
plotting libraries. Importing alone proves little; each step makes the library compute.
Exits non-zero at the first failure, naming the step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
SCRIPT = str(BIN / "nato-socialism")
ENV = {**os.environ, "NO_COLOR": "1", "NATO_SOCIALISM_THREADS": "1", "COLUMNS": "100"}
ENV.pop("NATO_SOCIALISM_RESULTS", None)


def cli(*args: str, code: int = 0) -> subprocess.CompletedProcess:
    """Run the installed command; it must exit with ``code`` and never print a traceback."""
    start = time.perf_counter()
    done = subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=ENV, timeout=900)
    took = time.perf_counter() - start
    ok = done.returncode == code and "Traceback" not in done.stderr
    print(f"{'ok ' if ok else 'FAIL'} {took:6.1f} s  nato-socialism {' '.join(args)}", flush=True)
    if not ok:
        sys.exit(f"exit {done.returncode} (expected {code}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def serve(run_id: str) -> None:
    """The dashboard from the wheel: its page, its assets and the stored run's first map, then Ctrl-C."""
    import re
    import signal
    import urllib.request

    start = time.perf_counter()
    proc = subprocess.Popen([SCRIPT, "serve", "--port", "0", "--results", "results"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        base = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline())[0]
        page = urllib.request.urlopen(base, timeout=60).read().decode()
        for asset in ("static/app.js", "static/style.css", "assets/plotly.js", "assets/geo.js"):
            if not urllib.request.urlopen(base + asset, timeout=60).read():
                raise SystemExit(f"serve: {asset} is empty")
        first = json.loads(urllib.request.urlopen(base + "api/first", timeout=120).read())
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(120)
    ok = code == 0 and "/static/app.js" in page and first["info"]["run_id"] == run_id and len(
        first["map"]["data"][0]["locations"]) >= 190 and "Traceback" not in proc.stderr.read()
    print(f"{'ok ' if ok else 'FAIL'} {time.perf_counter() - start:6.1f} s  nato-socialism serve (page, map, Ctrl-C)",
          flush=True)
    if not ok:
        sys.exit(f"serve: exit {code}, first screen {str(first)[:500]}")


def python(code: str) -> None:
    """Run Python code with the installed package (isolated from the working folder)."""
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, env=ENV, timeout=600)
    first = code.strip().splitlines()[0]
    print(f"{'ok ' if done.returncode == 0 else 'FAIL'}          python: {first[:80]}", flush=True)
    if done.returncode:
        sys.exit(done.stderr[-3000:])


def main(reference: Path | None) -> None:
    versions = subprocess.run([sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True).stdout
    wanted = ("numpy", "pandas", "scipy", "numba", "pyarrow", "duckdb", "pydantic", "typer", "click", "pandera",
              "salib", "pymoo", "ema-workbench", "dask", "matplotlib", "tomlkit")
    print("versions:", ", ".join(line for line in versions.split() if line.lower().split("==")[0] in wanted))
    python("import nato_socialism, sys, pathlib\n"
           "p = pathlib.Path(nato_socialism.__file__)\n"
           "assert 'site-packages' in p.parts, p  # the installed copy, not a checkout\n"
           "print(p)")
    assert cli("--version").stdout.startswith("nato-socialism ")
    assert len(json.loads(cli("params", "--json").stdout)) > 50
    assert "hindcast" in cli("validate", "--help").stdout
    cli("--help")

    # the bundled data, read through the pandera schemas, and the Latin hypercube design
    python("from nato_socialism.data import build_world, build_blocs, load_panel\n"
           "w = build_world(); b = build_blocs(w); p = load_panel()\n"
           "assert len(w.iso3) == 197 and len(p) > 10000 and b.mask('nato', 2023).sum() >= 30\n"
           "from nato_socialism.experiments.sampling import latin_hypercube, parameter_ranges\n"
           "import numpy as np\n"
           "ranges = parameter_ranges()\n"
           "d = latin_hypercube(16, 1, ranges)\n"
           "assert d.shape == (16, len(ranges)) and d.notna().all().all()\n"
           "for name, (low, high) in ranges.items():  # one member in each of 16 strata\n"
           "    if high > low:\n"
           "        strata = np.floor((d[name].to_numpy() - low) / (high - low) * 16)\n"
           "        assert sorted(strata) == list(range(16)), name\n")
    countries = json.loads(cli("countries", "--bloc", "nato", "--json").stdout)
    assert any(c["iso3"] == "FRA" for c in countries)
    cli("data", "show", "--json")

    # a 2-member stored run, then its results through DuckDB and Parquet
    cli("run", "--members", "2", "--years", "3", "--doctrine", "nato_first", "--doctrine", "open_solidarity",
        "--keep-trajectories", "1", "--results", "results", "--json")
    cli("results", "list")
    cli("results", "show", "latest", "--bloc", "nato")
    cli("results", "show", "latest", "--country", "FRA", "--json")
    for fmt in ("csv", "parquet"):
        cli("results", "export", "latest", "--format", fmt, "--out", f"export-{fmt}")
    cli("scenario", "new", "mine.toml")
    cli("scenario", "check", "mine.toml")
    cli("run", "mine.toml", "--members", "2", "--years", "2", "--no-store", "--json")

    # the analysis libraries at work: SALib, EMA Workbench (PRIM), pymoo, Dask, calibration
    for method in ("morris", "sobol"):
        cli("sensitivity", "--outcome", "poverty_years_830", "--method", method, "--samples", "2", "--years", "2",
            "--no-store", "--json")
    cli("run", "--members", "8", "--years", "10", "--doctrine", "nato_first", "--doctrine", "open_solidarity",
        "--results", "results", "--json")
    run_id = json.loads(cli("results", "list", "--json").stdout)[0]["run_id"]
    cli("discover", run_id, "--outcome", "first_world_living_growth", "--json")
    # the report: plotly.js and the map geometry inlined from the wheel; one PNG through Playwright + Chromium
    html = json.loads(cli("report", run_id, "--results", "results", "--out", "report.html", "--json").stdout)["html"]
    if html["bytes"] < 1_000_000 or html["countries_drawn"] < 190:
        raise SystemExit(f"report: {html['bytes']} bytes, {html['countries_drawn']} countries drawn")
    cli("report", run_id, "--results", "results", "--only", "forest", "--png", "png", "--no-html", "--json")
    if not list(Path("png").glob("forest*.png")):
        raise SystemExit("report --png wrote no forest*.png")
    serve(run_id)
    cli("optimize", "--members", "2", "--years", "3", "--pop-size", "4", "--generations", "1", "--no-store", "--json")
    cli("run", "--members", "4", "--years", "2", "--doctrine", "status_quo", "--workers", "1", "--no-store", "--json")
    cli("calibrate", "--fit", "1960:1979", "--test", "1980:1989", "--accept", "--json")
    cli("run", "calibrated.toml", "--members", "2", "--years", "2", "--no-store", "--json")

    # mistakes: usage, close matches, exit 2, no traceback
    assert "Did you mean 'run'" in cli("runn", code=2).stderr
    assert "Did you mean" in cli("run", "--membrs", "5", code=2).stderr
    cli("run", "--members", "abc", code=2)
    cli("explain", "--country", code=2)
    cli("results", "show", code=2)
    assert "is not a known doctrine" in cli("run", "--doctrine", "nato_frist", code=2).stderr

    # declared for the reports: they must import and draw with this NumPy
    python("import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
           "fig, ax = plt.subplots(); ax.plot([0, 1], [1, 0]); fig.savefig('plot.png')\n"
           "import plotly.graph_objects as go\ngo.Figure(go.Scatter(x=[0, 1], y=[1, 0])).to_json()")
    if reference:  # the `reference` extra (Mesa) against the installed package
        python(f"import sys\nsys.path.insert(0, {str(reference)!r})\nfrom reference.timing import time_mesa\n"
               "assert time_mesa(2, 2) > 0")
    print("smoke test passed")


if __name__ == "__main__":
    args = sys.argv[1:]
    checkout = Path(args[args.index("--reference") + 1]).resolve() if "--reference" in args else None
    with tempfile.TemporaryDirectory(prefix="nato-socialism-smoke-") as folder:
        os.chdir(folder)
        main(checkout)
