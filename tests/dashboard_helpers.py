"""A `nato-socialism serve` process on a free loopback port, and small HTTP helpers, for the dashboard tests."""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from cli_helpers import COMMAND, ENV


@contextmanager
def served(results: Path, timeout: float = 60.0):
    """Start the dashboard on --port 0; yield (process, base URL, stderr file); stop it with SIGINT."""
    errors = Path(results).parent / f"serve-{time.time_ns()}.err"
    with open(errors, "w") as err:
        proc = subprocess.Popen([*COMMAND, "serve", "--port", "0", "--results", str(results)], stdout=subprocess.PIPE,
                                stderr=err, text=True, env=ENV)
    try:
        line = proc.stdout.readline()  # the address comes first
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, f"no address in {line!r}; stderr: {errors.read_text()}"
        yield proc, found[0], errors
    finally:
        if proc.poll() is None:
            proc.send_signal(2)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def get(url: str, headers: dict | None = None) -> tuple[int, dict | str]:
    """GET: (status, JSON body or text)."""
    return _open(urllib.request.Request(url, headers=headers or {}))


def post(url: str, body: dict | None = None) -> tuple[int, dict | str]:
    """POST a JSON body: (status, JSON body)."""
    data = json.dumps(body or {}).encode()
    return _open(urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"}))


def _open(request) -> tuple[int, dict | str]:
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            status, text, kind = r.status, r.read().decode(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as err:
        status, text, kind = err.code, err.read().decode(), err.headers.get("Content-Type", "")
    return status, json.loads(text) if kind.startswith("application/json") else text


def wait_job(base: str, job_id: str, until, timeout: float = 120.0) -> dict:
    """Poll the queue until ``until(job)`` holds; return the job."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job = next(j for j in get(base + "api/jobs")[1]["jobs"] if j["id"] == job_id)
        if until(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached the state; last: {job}")
