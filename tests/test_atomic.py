"""The one atomic-write helper: temp file in the same folder, fsync, rename, folder fsync, cleanup on failure."""

from __future__ import annotations

import os
import stat

import pytest

import nato_socialism.atomic as atomic
from nato_socialism.atomic import atomic_dir, atomic_path, atomic_write, atomic_write_text


class Spy:
    """Record fsyncs (by inode) and renames while letting them happen."""

    def __init__(self, monkeypatch):
        self.fsynced, self.renamed = [], []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd):
            self.fsynced.append(os.fstat(fd).st_ino)
            return real_fsync(fd)

        def replace(src, dst):
            self.renamed.append((str(src), str(dst)))
            return real_replace(src, dst)

        monkeypatch.setattr(atomic.os, "fsync", fsync)
        monkeypatch.setattr(atomic.os, "replace", replace)


def test_write_goes_through_a_synced_temporary_beside_the_target(tmp_path, monkeypatch):
    spy = Spy(monkeypatch)
    target = tmp_path / "out.txt"
    size = atomic_write_text(target, "hello\n")
    assert size == 6 and target.read_text() == "hello\n"
    ((src, dst),) = spy.renamed
    assert dst == str(target)
    assert os.path.dirname(src) == str(tmp_path) and os.path.basename(src).startswith(".out.txt.")
    assert src.endswith(".tmp")
    assert target.stat().st_ino in spy.fsynced  # the file (same inode after the rename)
    assert tmp_path.stat().st_ino in spy.fsynced  # and its folder, after the rename
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "table.bin"
    target.write_bytes(b"old")

    def write(fh):
        fh.write(b"half of the new")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(target, write)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.bin"]


def test_interrupt_cleans_up_too(tmp_path):
    with pytest.raises(KeyboardInterrupt), atomic_path(tmp_path / "x.csv") as tmp:
        tmp.write_text("partial")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_modes_new_file_as_open_and_replaced_file_kept(tmp_path):
    new = tmp_path / "new.toml"
    atomic_write_text(new, "a = 1\n")
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    old = tmp_path / "old.toml"
    old.write_text("a = 0\n")
    old.chmod(0o640)
    atomic_write_text(old, "a = 1\n")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640


def test_folder_swap_replaces_whole_folder_or_nothing(tmp_path, monkeypatch):
    target = tmp_path / "data"
    target.mkdir()
    (target / "keep.csv").write_text("old")
    with pytest.raises(ValueError), atomic_dir(target) as staging:
        (staging / "new.csv").write_text("new")
        raise ValueError("did not validate")
    assert [p.name for p in target.iterdir()] == ["keep.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    spy = Spy(monkeypatch)
    with atomic_dir(target) as staging:
        (staging / "new.csv").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    assert (target / "new.csv").stat().st_ino in spy.fsynced and tmp_path.stat().st_ino in spy.fsynced


@pytest.mark.parametrize("caller", ["template", "export", "store", "userdata"])
def test_every_writer_uses_the_helper(caller, tmp_path, monkeypatch):
    """Each writer's files go through nato_socialism.atomic (a failed rename leaves nothing behind)."""
    calls = []
    real = atomic.atomic_path

    def counting(path):
        calls.append(str(path))
        return real(path)

    monkeypatch.setattr(atomic, "atomic_path", counting)
    if caller == "template":
        from nato_socialism.scenario import write_scenario_template

        write_scenario_template(tmp_path / "s.toml")
        assert calls == [str(tmp_path / "s.toml")]
    elif caller in ("export", "store"):
        from nato_socialism.api import simulate
        from nato_socialism.experiments.store import ResultStore, export_run

        result = simulate("default", members=2, horizon=2, doctrines=["nato_first"], store=tmp_path / "r")
        assert any(c.endswith(".parquet") for c in calls) and any(c.endswith(".json") for c in calls)
        if caller == "export":
            calls.clear()
            store = ResultStore.open(tmp_path / "r")
            written = export_run(store, result.meta["run_id"], "csv", tmp_path / "e")
            assert sorted(calls) == sorted(map(str, written))
    else:
        real_dir = atomic.atomic_dir

        def counting_dir(target):
            calls.append(str(target))
            return real_dir(target)

        monkeypatch.setattr(atomic, "atomic_dir", counting_dir)
        from nato_socialism.data.userdata import write_data_dir

        write_data_dir(tmp_path / "d", None, {}, "")
        assert calls == [str(tmp_path / "d")] and (tmp_path / "d" / "countries_snapshot.csv").is_file()
