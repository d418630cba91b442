"""A full disk while a run is stored: the atomic file writer is patched to fail with ENOSPC
(after a byte budget, on the k-th file, at fsync or at the rename). The command must end
with exit 2 and one message naming the file and the cause, leave no temporary or partial
file, keep every committed chunk complete, and a later `run --resume` (or, when the run was
never registered, a fresh run) must give the bitwise result of an undisturbed run."""

from __future__ import annotations

import errno
import io
import os

import pyarrow.parquet as pq
import pytest

import nato_socialism.atomic as atomic_module
import nato_socialism.experiments.store as store_module
from cli_helpers import cli
from nato_socialism.experiments.store import ResultStore
from test_store import bitwise_equal

ARGS = ["--members", "8", "--years", "10", "--doctrine", "nato_first", "--doctrine", "one_country",
        "--chunk-size", "2"]  # fmt: skip
#: Files one run writes: 2 experiments tables, then per chunk outcomes, series, manifest.
FILES = 2 + 2 * 4 * 3
ENOSPC = os.strerror(errno.ENOSPC)  # "No space left on device"
_fsync, _replace = os.fsync, os.replace  # the real ones (the test patches the os module's)


class Disk:
    """Counts the store's temporary files and bytes; fails one way once a limit is reached."""

    def __init__(self, mode: str, limit: int):
        self.mode, self.limit = mode, limit  # mode: bytes, file, fsync, replace
        self.files = self.bytes = 0
        self.failed = None

    def full(self, path) -> OSError:
        self.failed = str(path)
        return OSError(errno.ENOSPC, ENOSPC)

    def open(self, file, mode="r", *args, **kwargs):
        if not str(file).endswith(".tmp"):
            return open(file, mode, *args, **kwargs)  # the lock files
        self.files += 1
        if self.mode == "file" and self.files == self.limit:
            raise self.full(file)
        disk = self

        class Writer(io.FileIO):
            def write(self, data):
                data = memoryview(data).cast("B")
                room = disk.limit - disk.bytes if disk.mode == "bytes" else len(data)
                if room < len(data):
                    written = super().write(data[: max(room, 0)])  # a partial write, then full
                    disk.bytes += written
                    raise disk.full(file)
                disk.bytes += len(data)
                return super().write(data)

        return Writer(file, mode.replace("b", ""))

    def fsync(self, fd):
        if self.mode == "fsync" and self.files == self.limit:
            raise self.full(f"fd {fd}")
        return _fsync(fd)

    def replace(self, src, dst):
        if self.mode == "replace" and self.files == self.limit:
            raise self.full(dst)
        return _replace(src, dst)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    results = tmp_path_factory.mktemp("disk") / "reference"
    code, _, err = cli("run", *ARGS, "--results", str(results), "--json")
    assert code == 0, err
    store = ResultStore.open(results)
    (run_id,) = store.runs()["run_id"]
    folders = ("experiments", "outcomes", "series", "chunks")
    assert sum(len(list((results / run_id / f).iterdir())) for f in folders) == FILES
    return store.load(run_id).outcomes


def check_store(results) -> list[str]:
    """Every committed chunk complete, no temporary file, the store opens; return run ids."""
    assert not list(results.glob("**/.*.tmp")), "a temporary file survived"
    store = ResultStore.open(results)
    code, _, err = cli("results", "list", "--results", str(results), "--json")
    assert code == 0, err
    ids = list(store.runs()["run_id"])
    for run_id in ids:
        for chunk in store.committed(run_id):
            for f in chunk.manifest["files"].values():
                path = store.run_dir(run_id) / f["path"]
                assert path.stat().st_size == f["bytes"]
                assert pq.read_metadata(path).num_rows == f["rows"]
        for path in store.files(run_id, "experiments"):
            pq.read_metadata(path)
    return ids


CASES = [("file", k) for k in (1, 2, 3, 4, 5, 9, 17, FILES)]
CASES += [("bytes", n) for n in (0, 100, 5_000, 40_000, 150_000)]
CASES += [("fsync", 1), ("fsync", 12), ("replace", 2), ("replace", FILES)]


@pytest.mark.parametrize(("mode", "limit"), CASES, ids=[f"{m}-{n}" for m, n in CASES])
def test_disk_full_then_resume(reference, tmp_path, monkeypatch, mode, limit):
    results = tmp_path / "results"
    disk = Disk(mode, limit)
    with monkeypatch.context() as patch:
        patch.setattr(atomic_module, "open", disk.open, raising=False)  # the store writes through it
        patch.setattr(store_module.os, "fsync", disk.fsync)
        patch.setattr(store_module.os, "replace", disk.replace)
        code, out, err = cli("run", *ARGS, "--results", str(results), "--json")
    assert disk.failed is not None, "the fault was never injected"
    assert code == 2, err
    assert "error: cannot write " + str(results) in err, err
    assert ENOSPC in err and "ENOSPC" in err and "--resume" in err and "Traceback" not in err, err
    assert not out

    ids = check_store(results)
    if ids:
        (run_id,) = ids
        if code == 2:
            assert ResultStore.open(results).meta(run_id)["status"] == "failed"
            code, _, err = cli("run", "--resume", run_id, "--results", str(results), "--json")
            assert code == 0, err
    else:  # the very first file failed: no run was registered, the folder takes a new run
        code, _, err = cli("run", *ARGS, "--results", str(results), "--json")
        assert code == 0, err
        (run_id,) = check_store(results)
    assert ResultStore.open(results).meta(run_id)["status"] == "complete"
    bitwise_equal(ResultStore.open(results).load(run_id).outcomes, reference)
