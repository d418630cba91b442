"""The dashboard's web server: Tornado on 127.0.0.1, a JSON API and the page's static files.

Routes (all answers JSON unless noted; a bad value answers 400 with ``{"error": message}``):

* ``/`` the page (HTML), ``/static/...`` its script and style, ``/assets/plotly.js`` the
  installed plotly.js, ``/assets/geo.js`` the vendored world geometry;
* ``/api/first`` the stored runs with the newest run's info and map (the first screen);
  ``/api/form`` what the scenario panel offers; ``/api/runs`` stored runs (GET) or a new
  run from the form (POST: validated, prepared and queued); ``/api/jobs`` the queue;
  ``/api/jobs/<id>/cancel`` (POST);
* ``/api/run/<run>/info|summary|analysis|map|compare|country|teach`` the views of a stored run (:mod:`.views`).

Only requests whose ``Host`` is this server's loopback address are answered (a web page
elsewhere cannot reach the API through DNS rebinding), and runs are started or cancelled
only by JSON requests from the page itself (another site's page cannot post a form to it). Views and run preparation are
computed in a small thread pool so the page stays responsive; model runs go through
:class:`~.jobs.RunQueue`.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
import signal
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tornado.httpserver
import tornado.netutil
import tornado.web

from ..errors import UserError
from .jobs import RunQueue
from .views import RunViews

STATIC = Path(__file__).parent / "static"
#: Address the server binds to: loopback only, never other machines.
HOST = "127.0.0.1"


@functools.cache
def _asset(name: str) -> tuple[bytes, bytes]:
    """An asset and its gzip encoding (compressed once, not on every request: plotly.js is 4.6 MB)."""
    from ..report.html import geo_assets_script, plotly_js

    raw = (plotly_js() if name == "plotly.js" else geo_assets_script()).encode()
    return raw, gzip.compress(raw, 6)


def _warm() -> None:
    """Pay the one-off costs before the address is printed: imports of the views' libraries, compressed assets."""
    import pyarrow.parquet  # noqa: F401

    from ..experiments import compare, recorder, store  # noqa: F401
    from ..report import build, html  # noqa: F401

    for name in ("plotly.js", "geo.js"):
        _asset(name)


class Base(tornado.web.RequestHandler):
    """Loopback-only JSON handlers: UserError becomes 400 with its message, other errors 500."""

    def initialize(self, views: RunViews, queue: RunQueue, pool: ThreadPoolExecutor, port: list[int]):
        self.views, self.queue, self.pool, self.port = views, queue, pool, port

    def prepare(self):
        allowed = {f"{HOST}:{self.port[0]}", f"localhost:{self.port[0]}"}
        if self.request.host not in allowed:
            raise tornado.web.HTTPError(403, reason="dashboard answers requests to its loopback address only")
        if self.request.method == "POST":  # only this page may start or cancel runs (no cross-site requests)
            origin = self.request.headers.get("Origin")
            if origin is not None and origin not in {f"http://{h}" for h in allowed}:
                raise tornado.web.HTTPError(403, reason=f"requests from {origin} are not accepted")
            if self.request.body and not self.request.headers.get("Content-Type", "").startswith(
                    "application/json"):
                raise tornado.web.HTTPError(415, reason="send the form as application/json")

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")

    def answer(self, value, status: int = 200) -> None:
        """Write ``value`` as JSON (numpy arrays as plotly.js typed arrays)."""
        from ..report.html import script_json

        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(script_json(value))

    async def compute(self, fn: Callable, *args, **kwargs) -> None:
        """Answer ``fn(*args, **kwargs)`` computed in the pool; a UserError answers 400."""
        loop = asyncio.get_running_loop()
        try:
            value = await loop.run_in_executor(self.pool, functools.partial(fn, *args, **kwargs))
        except UserError as err:
            self.answer({"error": str(err)}, 400)
            return
        self.answer(value)

    def write_error(self, status_code: int, **kwargs):
        exc = kwargs.get("exc_info")
        message = self._reason
        if exc and not isinstance(exc[1], tornado.web.HTTPError):
            message = "".join(traceback.format_exception_only(exc[0], exc[1])).strip()
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": message}))

    def body(self) -> dict:
        """The request's JSON object (400 if it is not one)."""
        try:
            value = json.loads(self.request.body or b"{}")
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise tornado.web.HTTPError(400, reason="the request body is not a JSON object")
        return value


class Page(Base):
    """The single page."""

    def get(self):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish((STATIC / "index.html").read_bytes())


class Asset(Base):
    """plotly.js and the geometry, from the installed package."""

    def get(self, name: str):
        if name not in ("plotly.js", "geo.js"):
            raise tornado.web.HTTPError(404)
        raw, packed = _asset(name)
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "max-age=86400")
        if "gzip" in self.request.headers.get("Accept-Encoding", ""):
            self.set_header("Content-Encoding", "gzip")  # Tornado does not compress it again
            self.finish(packed)
        else:
            self.finish(raw)


class Static(Base):
    """The page's own script and style."""

    TYPES = {"app.js": "text/javascript", "style.css": "text/css"}

    def get(self, name: str):
        if name not in self.TYPES:
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", f"{self.TYPES[name]}; charset=utf-8")
        self.finish((STATIC / name).read_bytes())


class Form(Base):
    """What the scenario panel offers."""

    async def get(self):
        await self.compute(self._spec)

    def _spec(self) -> dict:
        from ..report.html import template_json
        from .form import form_spec

        return {**form_spec(self.views.results), "template": template_json()}


class Runs(Base):
    """Stored runs (GET); a new run from the form (POST)."""

    async def get(self):
        await self.compute(self.views.runs)

    async def post(self):
        request = self.body()
        session = str(request.get("session") or "anonymous")[:64]
        await self.compute(self._submit, request, session)

    def _submit(self, request: dict, session: str) -> dict:
        from ..experiments.ensemble import prepare
        from .form import scenario_of

        sc = scenario_of(request)
        setup = prepare(sc)
        label = f"{sc.name}: {', '.join(sc.doctrines)} × {sc.members} members, {sc.horizon} years, seed {sc.seed}"
        job = self.queue.submit(setup, session, label)
        return {"job": job.public(None)}


class First(Base):
    """The first screen in one request (the page asks before plotly.js is parsed)."""

    async def get(self):
        await self.compute(self.views.first)


class Jobs(Base):
    """The run queue."""

    def get(self):
        self.answer({"results": str(self.views.results), "jobs": self.queue.jobs()})


class Cancel(Base):
    """Cancel a job."""

    def post(self, job_id: str):
        try:
            self.answer({"job": self.queue.cancel(job_id)})
        except UserError as err:
            self.answer({"error": str(err)}, 404)


class RunView(Base):
    """One view of a stored run; query arguments are the view's arguments."""

    VIEWS = {"info": (), "summary": (), "analysis": (), "map": ("mode", "doctrine", "year", "member"),
             "compare": ("reference",), "country": ("iso3", "variable", "doctrine", "member", "year"),
             "teach": ("doctrine", "member")}

    async def get(self, run: str, view: str):
        if view not in self.VIEWS:
            raise tornado.web.HTTPError(404)
        args = {k: self.get_argument(k) for k in self.VIEWS[view] if self.get_argument(k, None) is not None}
        await self.compute(getattr(self.views, view), run, **args)


def make_app(results: Path, queue: RunQueue, pool: ThreadPoolExecutor, port: list[int]) -> tornado.web.Application:
    """The Tornado application over a results directory (``port``: a one-item list set once bound)."""
    ctx = {"views": RunViews(results), "queue": queue, "pool": pool, "port": port}
    return tornado.web.Application([
        (r"/", Page, ctx),
        (r"/assets/([\w.]+)", Asset, ctx),
        (r"/static/([\w.]+)", Static, ctx),
        (r"/api/form", Form, ctx),
        (r"/api/runs", Runs, ctx),
        (r"/api/first", First, ctx),
        (r"/api/jobs", Jobs, ctx),
        (r"/api/jobs/(\w+)/cancel", Cancel, ctx),
        (r"/api/run/([\w.-]+)/(\w+)", RunView, ctx),
    ], compress_response=True)


def serve(results: Path, port: int, announce: Callable[[str], None], stopped: Callable[[list], None]) -> None:
    """Serve the dashboard until SIGINT or SIGTERM, then cancel and wait for runs in progress.

    ``announce(url)`` is called once the server listens; ``stopped(jobs)`` after it stops,
    with the jobs whose runs were interrupted (resumable with ``nato-socialism run --resume``).

    Raises
    ------
    UserError
        If the port cannot be bound or ``results`` is a file.
    """
    results = Path(results)
    if results.exists() and not results.is_dir():
        raise UserError(f"--results {results} is a file, not a results directory.")
    if not 0 <= port <= 65535:
        raise UserError(f"--port must be from 0 to 65535 (0: any free port), not {port}.")
    try:
        sockets = tornado.netutil.bind_sockets(port, address=HOST)
    except OSError as err:
        raise UserError(f"cannot listen on {HOST}:{port} ({err.strerror or err}); choose another --port "
                        "(0 picks a free one).") from None
    asyncio.run(_main(results, sockets, announce, stopped))


async def _main(results: Path, sockets, announce, stopped) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    port = [sockets[0].getsockname()[1]]
    queue = RunQueue(results)
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="nato-socialism-views")
    server = tornado.httpserver.HTTPServer(make_app(results, queue, pool, port))
    await loop.run_in_executor(pool, _warm)
    server.add_sockets(sockets)
    announce(f"http://{HOST}:{port[0]}/")
    try:
        await stop.wait()
    finally:
        server.stop()
        left = await loop.run_in_executor(None, queue.shutdown)
        await server.close_all_connections()
        pool.shutdown(wait=True, cancel_futures=True)
        stopped(left)
