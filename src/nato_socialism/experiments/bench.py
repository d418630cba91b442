"""The benchmark suite behind ``nato-socialism bench`` (``make bench``).

Every figure is measured in this process or in child processes started here, and comes with
its target and whether it was met:

* ``core_throughput``: country-years per second of the full yearly step with every mechanism
  on (:func:`~nato_socialism.model.simulate.simulate_members`, ``keep=0``, doctrine
  ``nato_first``, default-scenario parameters): doctrine, moralist pressure, every mechanism,
  the decomposition and the outcome bookkeeping;
* ``default_run_in_process`` / ``default_run_command``: wall time of the default run (six
  doctrines, 200 members, 100 years), as :func:`~nato_socialism.experiments.ensemble.run` and as
  the whole ``nato-socialism run`` command in a child process;
* ``peak_rss_10000`` / ``peak_rss_flat``: peak resident memory of a 10,000-member run of one
  doctrine streamed to a results store, and its ratio to a 2,000-member run (flat memory);
* ``dask_speedup``: a local Dask cluster of 2 workers against 1 on the same 2,000 members
  (cluster start-up excluded; each worker simulates on one thread);
* ``report_seconds`` / ``report_mb`` / ``report_load_seconds``: ``nato-socialism report`` of
  the default run (200 members) as a command: its wall time, the file's size, and the time from
  navigation to the first screen drawn in a local offline Chromium (first of three loads; a
  child process, the report being an outer layer); the details give the time until every
  figure is drawn, the CPU seconds of the command and of the page's main thread (what the
  times would be on an idle machine), the load average, and the size of a 50-member report
  (the file's size does not grow with members: it holds summaries);
* ``dashboard_first_map_seconds``: ``nato-socialism serve`` on that run's results directory,
  the page opened in a fresh offline Chromium, from navigation until the map is drawn (first
  of three loads; a child process, ``python -m nato_socialism.dashboard.timing``);
* ``plain_loop_ratio`` / ``mesa_ratio`` / ``ema_ratio``: the native core against the plain-loop
  and Mesa re-implementations of ``reference/`` and against the EMA Workbench adapter run
  member by member, all on the same small ensemble;
* ``startup_help`` / ``startup_version`` / ``startup_params_json``: median wall time of
  ``nato-socialism --help``, ``--version`` and ``params --json`` as child processes (warm
  caches: one unmeasured call first), the start-up a user waits for before any work.

A figure that could not be measured has value None and its ``error`` (or a ``note``) in its
detail; one measured another way than named says so in ``detail["fallback"]``.

``quick=True`` shrinks every size so that a test can run the whole suite in about a minute;
its numbers are not comparable with the targets.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

#: name -> (unit, comparison, target value, meaning)
TARGETS: dict[str, tuple[str, str, float, str]] = {
    "core_throughput": ("country-years/s", ">=", 3e6, "full step, every mechanism on (aim: 6 M)"),
    "plain_loop_ratio": ("x", ">=", 300.0, "native core / plain-loop reference, same small ensemble"),
    "mesa_ratio": ("x", ">=", 400.0, "native core / Mesa reference, same small ensemble"),
    "ema_ratio": ("x", ">=", 5.0, "EMA adapter member by member / native ensemble (time), same members"),
    "default_run_in_process": ("s", "<", 15.0, "experiments.ensemble.run of the default scenario"),
    "default_run_command": ("s", "<", 15.0, "`nato-socialism run` as a command, start-up included"),
    "peak_rss_10000": ("MiB", "<", 1024.0, "peak RSS of `run --members 10000 --doctrine status_quo`"),
    "peak_rss_flat": ("x", "<=", 1.25, "peak RSS at 10,000 members / at 2,000 members"),
    "dask_speedup": ("x", ">=", 1.3, "time on 1 Dask worker / on 2 workers, 2,000 members"),
    "startup_help": ("s", "<=", 0.3, "`nato-socialism --help`, median wall time"),
    "startup_version": ("s", "<=", 0.3, "`nato-socialism --version`, median wall time"),
    "startup_params_json": ("s", "<=", 0.3, "`nato-socialism params --json`, median wall time"),
    "report_seconds": ("s", "<", 10.0, "`nato-socialism report` of the default run as a command, start-up included"),
    "report_mb": ("MB", "<", 15.0, "size of that self-contained HTML report (200 members)"),
    "report_load_seconds": ("s", "<", 3.0, "report opened offline in Chromium until its first screen is drawn "
                            "(the rest follows in the background; detail: all figures)"),
    "dashboard_first_map_seconds": ("s", "<", 3.0, "`nato-socialism serve` of that run opened in Chromium until "
                                    "its map is drawn (cold server and browser)"),
}
#: Start-up figure -> command-line arguments.
STARTUP = {"startup_help": ("--help",), "startup_version": ("--version",), "startup_params_json": ("params", "--json")}

#: Sizes of the full and the quick suite.
SIZES = {
    False: dict(core_members=1000, core_years=100, run_members=None, run_years=None, rss_big=10_000,
                rss_small=2_000, rss_years=None, dask_members=2_000, dask_years=None, dask_chunk=250,
                small_members=32, small_years=10, startup_runs=11, report_members=(200, 50), report_years=None),
    True: dict(core_members=64, core_years=5, run_members=8, run_years=5, rss_big=200, rss_small=40,
               rss_years=5, dask_members=64, dask_years=5, dask_chunk=16, small_members=2, small_years=2,
               startup_runs=3, report_members=(6, 3), report_years=5),
}


@dataclass
class Figure:
    """One measured figure with its target."""

    name: str
    value: float | None
    unit: str
    target: str
    met: bool | None
    meaning: str
    detail: dict = field(default_factory=dict)


def _figure(name: str, value: float | None, detail: dict | None = None) -> Figure:
    unit, op, goal, meaning = TARGETS[name]
    met = None
    detail = dict(detail or {})
    if value is not None and np.isfinite(value):
        met = bool({">=": value >= goal, "<": value < goal, "<=": value <= goal}[op])
    else:
        if value is not None:
            detail.setdefault("error", f"the measured value {value!r} is not finite")
        value = None
    return Figure(name, value, unit, f"{op} {goal:g}", met, meaning, detail)


# ---------------------------------------------------------------------------- machine
def machine() -> dict:
    """CPU, cores, Python/NumPy versions, BLAS configuration and the thread setting."""
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        usable = os.cpu_count()
    try:
        from threadpoolctl import threadpool_info

        blas = [{k: v for k, v in lib.items() if k != "filepath"} for lib in threadpool_info()]
    except Exception as err:  # pragma: no cover - threadpoolctl missing
        blas = [{"error": str(err)}]
    import numba

    from ..model.simulate import default_threads

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "blas": blas,
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                                                "OMP_NUM_THREADS", "NATO_SOCIALISM_THREADS")},
        "simulation_threads": default_threads(),
    }


# ---------------------------------------------------------------------------- helpers
def _setup(members: int, years: int | None = None, doctrines=("nato_first",), scenario="default"):
    from ..scenario import load_scenario
    from .ensemble import prepare

    sc = load_scenario(scenario).with_overrides(members=members, horizon=years, doctrines=list(doctrines))
    return prepare(sc)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "nato_socialism.cli", *args]


def _script() -> tuple[list[str], str | None]:
    """The installed ``nato-socialism`` script beside this Python, else ``python -m nato_socialism.cli``.

    The second item says why the fallback was timed (a different start-up path), or is None.
    """
    script = Path(sys.executable).with_name("nato-socialism")
    if script.is_file():
        return [str(script)], None
    return _cli(), f"no {script}: timed `python -m nato_socialism.cli` instead"


_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.stderr.write(r.stderr[-2000:])\n"
    "sys.exit(r.returncode)\n"
)

_STREAM_FALLBACK = (
    "import sys\n"
    "from nato_socialism.scenario import load_scenario\n"
    "from nato_socialism.experiments.ensemble import prepare, run_chunk, chunks\n"
    "members, years = int(sys.argv[1]), (int(sys.argv[2]) or None)\n"
    "sc = load_scenario('default').with_overrides(members=members, horizon=years, doctrines=['status_quo'])\n"
    "setup = prepare(sc)\n"
    "for block in chunks(members, 250):\n"
    "    run_chunk(setup, 'status_quo', block)\n"
)


def _peak_rss_mib(cmd: list[str]) -> tuple[float, float]:
    """Peak RSS (MiB) and wall time of a command run as the only child of a wrapper process."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, *cmd], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:6])} ... failed: {out.stderr.strip()[-500:]}")
    return int(out.stdout.strip().splitlines()[-1]) / 1024.0, elapsed


# ---------------------------------------------------------------------------- measurements
def core_throughput(members: int, years: int, threads: int | None = None) -> tuple[float, dict]:
    """Country-years per second of simulate_members (keep=0), doctrine nato_first."""
    from ..model.simulate import default_threads, simulate_members

    setup = _setup(members, years)
    idx = np.arange(members)
    p = setup.params(idx)
    spec = setup.specs["nato_first"]
    warm = idx[: min(members, 16)]
    simulate_members(setup.ctx, setup.world, setup.params(warm), setup.keys[warm], warm, spec, threads=threads)
    start = time.perf_counter()
    simulate_members(setup.ctx, setup.world, p, setup.keys, idx, spec, keep=0, threads=threads)
    elapsed = time.perf_counter() - start
    cy = members * years * setup.ctx.n
    return cy / elapsed, {"members": members, "years": years, "countries": setup.ctx.n, "seconds": elapsed,
                          "threads": default_threads() if threads is None else threads}


def startup(runs: int) -> dict[str, tuple[float, dict]]:
    """Median wall time of each :data:`STARTUP` command over ``runs`` child processes (after one warm-up)."""
    out = {}
    script, fallback = _script()
    for name, args in STARTUP.items():
        cmd = [*script, *args]
        times = []
        for i in range(runs + 1):
            start = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()[-500:]}")
            if i:  # the first call warms the file system and bytecode caches
                times.append(elapsed)
        out[name] = (float(np.median(times)), {"command": "nato-socialism " + " ".join(args), "runs": runs,
                                                "min": min(times), "max": max(times),
                                                **({"fallback": fallback} if fallback else {})})
    return out


def default_run_in_process(members: int | None, years: int | None) -> tuple[float, dict]:
    """Seconds of experiments.ensemble.run for the default scenario (prepare timed apart)."""
    from ..scenario import load_scenario
    from .ensemble import prepare, run

    sc = load_scenario("default").with_overrides(members=members, horizon=years)
    start = time.perf_counter()
    setup = prepare(sc)
    prepared = time.perf_counter()
    run(setup)
    done = time.perf_counter()
    return done - prepared, {"prepare_seconds": prepared - start, "members": setup.members,
                             "doctrines": len(setup.specs), "years": sc.horizon}


def default_run_command(members: int | None, years: int | None) -> tuple[float, dict]:
    """Seconds of the whole ``nato-socialism run`` command in a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        args = ["run", "--results", str(Path(tmp) / "results")]
        if members:
            args += ["--members", str(members)]
        if years:
            args += ["--years", str(years)]
        start = time.perf_counter()
        out = subprocess.run(_cli(*args), capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"nato-socialism run failed: {out.stderr.strip()[-500:]}")
    return elapsed, {"command": "nato-socialism " + " ".join(args[:1] + args[3:])}


def peak_rss(big: int, small: int, years: int | None) -> dict[str, tuple[float, dict]]:
    """Peak RSS of a streamed single-doctrine run at ``big`` and ``small`` members."""
    out = {}
    fallback = {}
    with tempfile.TemporaryDirectory() as tmp:
        how = "nato-socialism run --doctrine status_quo --results DIR (streamed store)"
        for n in (small, big):
            cmd = _cli("run", "--members", str(n), "--doctrine", "status_quo", "--results",
                       str(Path(tmp) / f"r{n}"), "--json", *(["--years", str(years)] if years else []))
            try:
                out[n] = _peak_rss_mib(cmd)
            except RuntimeError as err:
                how = "run_chunk blocks of 250, discarded (fallback: no results store)"
                fallback[n] = f"the run command failed, measured run_chunk without a store instead ({err})"
                out[n] = _peak_rss_mib([sys.executable, "-c", _STREAM_FALLBACK, str(n), str(years or 0)])
    (rss_big, t_big), (rss_small, t_small) = out[big], out[small]
    flagged = {"fallback": "; ".join(f"{n} members: {why}" for n, why in fallback.items())} if fallback else {}
    return {
        "peak_rss_10000": (rss_big, {"members": big, "seconds": t_big, "how": how, **flagged}),
        "peak_rss_flat": (rss_big / rss_small, {"members": [small, big], "peak_rss_mib": [rss_small, rss_big],
                                                "seconds": [t_small, t_big], **flagged}),
    }


def report_figures(members: tuple[int, int], years: int | None) -> dict[str, tuple[float, dict]]:
    """Wall time and size of ``nato-socialism report`` of a default run, and its load time in Chromium.

    The run (all six doctrines) is made first with ``nato-socialism run``; a second, smaller
    run gives the report's size at fewer members.
    """
    big, small = members
    sizes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (small, big):
            results = str(Path(tmp) / f"r{n}")
            run = _cli("run", "--results", results, "--members", str(n), "--json",
                       *(["--years", str(years)] if years else []))
            out = subprocess.run(run, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                raise RuntimeError(f"nato-socialism run failed: {out.stderr.strip()[-500:]}")
            html = Path(tmp) / f"report{n}.html"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            out = subprocess.run(_cli("report", "--results", results, "--out", str(html), "--json"),
                                 capture_output=True, text=True, check=False)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if out.returncode != 0:
                raise RuntimeError(f"nato-socialism report failed: {out.stderr.strip()[-500:]}")
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            sizes[n] = (html.stat().st_size, elapsed, json.loads(out.stdout)["html"], cpu)
        timing = [sys.executable, "-m", "nato_socialism.report.timing", str(Path(tmp) / f"report{big}.html")]
        out = subprocess.run(timing, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"loading the report in Chromium failed: {out.stderr.strip()[-500:]}")
        load = json.loads(out.stdout)
        served = [sys.executable, "-m", "nato_socialism.dashboard.timing", str(Path(tmp) / f"r{big}")]
        out = subprocess.run(served, capture_output=True, text=True, check=False)
        dashboard = json.loads(out.stdout) if out.returncode == 0 else RuntimeError(
            f"timing the dashboard failed: {out.stderr.strip()[-500:]}")
    size, elapsed, facts, cpu = sizes[big]
    common = {"members": big, "years": years or 100, "doctrines": 6, "load_average": os.getloadavg()[0]}
    return {
        "report_seconds": (elapsed, {**common, "cpu_seconds": cpu, "render_seconds": facts["seconds"],
                                     "figures": len(facts["figures"])}),
        "report_mb": (size / 1e6, {**common, f"mb_at_{small}_members": sizes[small][0] / 1e6,
                                   "countries_drawn": facts["countries_drawn"],
                                   "missing_geometry": facts["missing_geometry"]}),
        "report_load_seconds": (load["first_load_seconds"], {**common, "loads_seconds": load["load_seconds"],
                                                             "all_figures_seconds": load["all_drawn_seconds"],
                                                             "main_thread_cpu_seconds": load["main_thread_cpu_seconds"],
                                                             "blocked_requests": load["blocked_requests"],
                                                             "console_errors": load["console_errors"],
                                                             "countries_drawn_in_browser": load["countries_drawn"]}),
        "dashboard_first_map_seconds": dashboard if isinstance(dashboard, Exception) else (
            dashboard["first_map_seconds"], {**common, "map_seconds": dashboard["map_seconds"],
                                             "server_startup_seconds": dashboard["server_startup_seconds"],
                                             "blocked_requests": dashboard["blocked_requests"],
                                             "console_errors": dashboard["console_errors"],
                                             "countries_drawn_in_browser": dashboard["countries_drawn"]}),
    }


def dask_speedup(members: int, years: int | None, chunk: int) -> tuple[float, dict]:
    """Time on a 1-worker local Dask cluster / on a 2-worker one (start-up and warm-up excluded)."""
    from .executors import DaskExecutor, chunk_plan, compute_task, tasks_for

    setup = _setup(members, years)
    tasks = tasks_for(["nato_first"], chunk_plan(members, chunk, 0), 0)
    times = {}
    old = os.environ.get("NATO_SOCIALISM_THREADS")
    os.environ["NATO_SOCIALISM_THREADS"] = "1"  # inherited by the worker processes: one thread each
    try:
        for workers in (1, 2):
            with DaskExecutor(workers=workers) as ex:
                warm = tasks_for(["nato_first"], [(i, i + 1) for i in range(2 * workers)], 0)
                for _ in ex.map(compute_task, setup, warm):
                    pass
                start = time.perf_counter()
                for _ in ex.map(compute_task, setup, tasks):
                    pass
                times[workers] = time.perf_counter() - start
    finally:
        if old is None:
            os.environ.pop("NATO_SOCIALISM_THREADS", None)
        else:
            os.environ["NATO_SOCIALISM_THREADS"] = old
    return times[1] / times[2], {"members": members, "years": setup.ctx.horizon, "chunk": chunk,
                                 "tasks": len(tasks), "seconds_1_worker": times[1],
                                 "seconds_2_workers": times[2]}


def _native_small(members: int, years: int) -> float:
    """Native country-years/s on the references' own ensemble (reference.timing's inputs)."""
    from reference import timing

    from ..model.doctrines import DOCTRINES
    from ..model.simulate import simulate_members

    ctx, world, p, keys = timing._setup(members, years)
    spec = DOCTRINES["nato_first"].spec
    simulate_members(ctx, world, p, keys, np.arange(members), spec)
    start = time.perf_counter()
    simulate_members(ctx, world, p, keys, np.arange(members), spec)
    return members * years * ctx.n / (time.perf_counter() - start)


def references(members: int, years: int) -> dict[str, tuple[float | None, dict]]:
    """Native / plain-loop and native / Mesa throughput on the same small ensemble."""
    try:
        root = str(Path(__file__).resolve().parents[3])
        if root not in sys.path and (Path(root) / "reference").is_dir():
            sys.path.insert(0, root)
        from reference.timing import time_mesa, time_plain
    except ImportError as err:
        na = {"available": False, "note": f"not available ({err})"}
        return {"plain_loop_ratio": (None, na), "mesa_ratio": (None, na)}
    native = _native_small(members, years)
    plain = time_plain(members, years)
    mesa = time_mesa(members, years)
    common = {"members": members, "years": years, "native_country_years_per_s": native}
    return {
        "plain_loop_ratio": (native / plain, {**common, "plain_loop_country_years_per_s": plain}),
        "mesa_ratio": (native / mesa, {**common, "mesa_country_years_per_s": mesa}),
    }


def ema_ratio(members: int, years: int) -> tuple[float | None, dict]:
    """Seconds of the members run one at a time by EMA's SequentialEvaluator / as one native ensemble."""
    try:
        from .ema_adapter import ema_model
    except ImportError as err:
        return None, {"available": False, "note": f"not available ({err})"}
    import logging

    from ema_workbench import Policy, Scenario, SequentialEvaluator

    from .ensemble import run_chunk

    setup = _setup(members, years)
    idx = np.arange(members)
    run_chunk(setup, "nato_first", idx[:1])  # warm
    start = time.perf_counter()
    native = run_chunk(setup, "nato_first", idx).outcomes
    t_native = time.perf_counter() - start

    model = ema_model(setup.scenario, levers="doctrine")
    names = {u.name for u in model.uncertainties}
    scenarios = [
        Scenario(f"m{i}", **{k: float(v) for k, v in setup.parameters.iloc[i].items() if k in names}, member=int(i))
        for i in idx
    ]
    policy = Policy("nato_first", doctrine="nato_first")
    model.function(doctrine="nato_first", member=0)  # warm: the adapter builds its setup once
    logging.getLogger("EMA").setLevel(logging.WARNING)
    start = time.perf_counter()
    with SequentialEvaluator(model) as evaluator:
        _, outcomes = evaluator.perform_experiments(scenarios=scenarios, policies=[policy])
    t_ema = time.perf_counter() - start
    same = bool(np.allclose(np.asarray(outcomes["demsoc_share_end"], dtype=float),
                            native["demsoc_share_end"].to_numpy(), rtol=1e-12, atol=0, equal_nan=True))
    return t_ema / t_native, {"members": members, "years": years, "seconds_ema": t_ema, "seconds_native": t_native,
                              "same_outcomes": same}


# ---------------------------------------------------------------------------- suite
def run_suite(quick: bool = False, progress: Callable[[str], None] | None = None) -> dict:
    """Measure every figure; a failed measurement gives a figure with value None and its error."""
    s = SIZES[quick]
    described = machine()  # before Dask, whose nanny sets thread variables in this process
    figures: list[Figure] = []
    say = progress or (lambda _msg: None)

    def measure(label: str, fn, *args):
        say(label)
        start = time.perf_counter()
        try:
            result = fn(*args)
        except Exception as err:  # a benchmark reports, it does not crash
            result = err
        say(f"{label}: {time.perf_counter() - start:.1f} s")
        return result

    def add(name, result):
        if isinstance(result, Exception):
            figures.append(_figure(name, None, {"error": f"{type(result).__name__}: {result}"}))
        else:
            figures.append(_figure(name, result[0], result[1]))

    def add_each(names, results):
        """Add several figures measured together (one error stands for all of them)."""
        for name in names:
            add(name, results if isinstance(results, Exception) else results[name])

    add_each(tuple(STARTUP), measure("start-up", startup, s["startup_runs"]))
    core = measure("core throughput", core_throughput, s["core_members"], s["core_years"])
    single = measure("core throughput, one thread", core_throughput, s["core_members"], s["core_years"], 1)
    if not isinstance(core, Exception) and not isinstance(single, Exception):
        core[1]["one_thread_country_years_per_s"] = single[0]
    add("core_throughput", core)
    refs = measure("references", references, s["small_members"], s["small_years"])
    add_each(("plain_loop_ratio", "mesa_ratio"), refs)
    add("ema_ratio", measure("EMA adapter", ema_ratio, s["small_members"], s["small_years"]))
    add("default_run_in_process", measure("default run (in process)", default_run_in_process, s["run_members"],
                                          s["run_years"]))
    add("default_run_command", measure("default run (command)", default_run_command, s["run_members"],
                                       s["run_years"]))
    rss = measure("peak memory", peak_rss, s["rss_big"], s["rss_small"], s["rss_years"])
    add_each(("peak_rss_10000", "peak_rss_flat"), rss)
    add("dask_speedup", measure("Dask 1 vs 2 workers", dask_speedup, s["dask_members"], s["dask_years"],
                                s["dask_chunk"]))
    report = measure("report", report_figures, s["report_members"], s["report_years"])
    add_each(("report_seconds", "report_mb", "report_load_seconds", "dashboard_first_map_seconds"), report)
    return {"quick": quick, "machine": described, "figures": [asdict(f) for f in figures]}


def to_json(report: dict) -> str:
    """The report as one JSON document."""
    return json.dumps(report, indent=2, default=float)
