"""Runs started from the dashboard: one queue per results directory, one run at a time.

The store allows one writer per results directory (``ResultStore.writer``), so the
dashboard does not give sessions directories of their own: it queues. Every browser
session's runs go into one first-in first-out queue, run one after another in a worker
thread of the server, each into the same store as the CLI (``nato-socialism run --resume``
finishes one that was cancelled or stopped). While another process (a CLI run) holds the
directory's writer lock, the next job waits and says so. Cancelling a queued job removes it;
cancelling the running job stops it after its current chunk (status ``interrupted``, its
committed chunks kept). Stopping the server cancels everything the same way.
"""

from __future__ import annotations

import secrets
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError

#: Members per stored chunk of a dashboard run: small, so progress and cancelling answer
#: within a chunk (results do not depend on the chunking).
DASHBOARD_CHUNK = 25
#: Seconds between attempts to take the directory's writer lock while another process holds it.
LOCK_RETRY = 1.0


@dataclass
class Job:
    """One requested run and what became of it."""

    id: str
    session: str
    label: str
    setup: object = field(repr=False)
    total: int = 0
    done: int = 0
    #: queued, waiting (for the writer lock), running, complete, interrupted (cancelled), failed
    status: str = "queued"
    run_id: str | None = None
    message: str = ""
    created: float = field(default_factory=time.time)
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def public(self, position: int | None) -> dict:
        """The job as the page sees it."""
        return {"id": self.id, "session": self.session, "label": self.label, "status": self.status,
                "done": self.done, "total": self.total, "run_id": self.run_id, "message": self.message,
                "position": position}


class RunQueue:
    """First-in first-out runs into one results directory, computed by one worker thread."""

    def __init__(self, results: Path, chunk_size: int = DASHBOARD_CHUNK, keep: int | None = None):
        from ..experiments.ensemble import DEFAULT_KEEP

        self.results = Path(results)
        self.chunk_size = chunk_size
        self.keep = DEFAULT_KEEP if keep is None else keep
        self._jobs: list[Job] = []
        self._wake = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._work, name="nato-socialism-runs", daemon=True)
        self._thread.start()

    def submit(self, setup, session: str, label: str) -> Job:
        """Queue a prepared setup (``experiments.ensemble.prepare``) and return its job."""
        job = Job(secrets.token_hex(6), session, label, setup, total=setup.members * len(setup.specs))
        with self._wake:
            if self._closing:
                raise UserError("the server is stopping; no new runs are accepted.")
            self._jobs.append(job)
            self._wake.notify()
        return job

    def cancel(self, job_id: str) -> dict:
        """Cancel a queued job (it never starts) or the running one (it stops after its current chunk)."""
        with self._wake:
            job = next((j for j in self._jobs if j.id == job_id), None)
            if job is None:
                raise UserError(f"no job {job_id!r} in this server's queue.")
            job.cancel.set()
            if job.status == "queued":
                job.status, job.message, job.finished = "cancelled", "cancelled before it started", time.time()
            return job.public(None)

    def jobs(self) -> list[dict]:
        """Every job, oldest first, with the queue position of waiting ones (0: next)."""
        with self._wake:
            waiting = [j for j in self._jobs if j.status == "queued"]
            return [j.public(waiting.index(j) if j in waiting else None) for j in self._jobs]

    def shutdown(self, timeout: float | None = None) -> list[Job]:
        """Cancel every job, wait for the running one to stop, and return the jobs that left a run behind."""
        with self._wake:
            self._closing = True
            for j in self._jobs:
                j.cancel.set()
                if j.status == "queued":
                    j.status, j.message = "cancelled", "the server stopped before it started"
            self._wake.notify_all()
        self._thread.join(timeout)
        return [j for j in self._jobs if j.run_id is not None and j.status != "complete"]

    # ------------------------------------------------------------------ the worker
    def _next(self) -> Job | None:
        with self._wake:
            while True:
                job = next((j for j in self._jobs if j.status == "queued"), None)
                if job is not None or self._closing:
                    return job
                self._wake.wait()

    def _work(self) -> None:
        while (job := self._next()) is not None:
            try:
                self._run(job)
            except UserError as err:
                job.status, job.message = "failed", str(err)
            except Exception as err:  # noqa: BLE001 - reported on the page; the queue goes on
                job.status, job.message = "failed", f"{type(err).__name__}: {err}"
            job.finished, job.setup = time.time(), None  # the setup holds the members' parameters

    def _run(self, job: Job) -> None:
        from ..experiments.executors import RunCancelled, SerialExecutor, start_run
        from ..experiments.store import ResultStore

        store = ResultStore.create(self.results)
        with ExitStack() as stack:
            while True:
                try:
                    stack.enter_context(store.writer())
                    break
                except UserError as err:  # another process writes runs here: wait our turn
                    job.status, job.message = "waiting", str(err)
                    if job.cancel.wait(LOCK_RETRY):
                        job.status, job.message = "cancelled", "cancelled while waiting for the results directory"
                        return
            if job.cancel.is_set():
                job.status, job.message = "cancelled", "cancelled before it started"
                return
            job.status, job.message = "running", ""

            def advance(n: int) -> None:
                job.done += n
                if job.cancel.is_set():
                    raise RunCancelled

            def started(run_id: str) -> None:
                job.run_id = run_id

            try:
                start_run(job.setup, store, chunk_size=self.chunk_size, keep=self.keep, executor=SerialExecutor(),
                          progress=advance, on_start=started)
            except RunCancelled:
                job.status = "interrupted"
                job.message = (f"cancelled after {job.done} of {job.total} member runs; finish it with "
                               f"`nato-socialism run --resume {job.run_id} --results {self.results}`")
                return
        job.status = "complete"
