"""Atomic writes: a reader, or a crash, sees the old file (or folder) or the new one, never part of one.

Every file the package writes for a user goes through this module (the result store's
tables and manifests, exports, scenario templates, calibrated parameters, data folders), with
one guarantee:

1. the new content is written under a hidden temporary name in the target's own folder (the
   same file system, so the rename below is atomic);
2. it is flushed and fsynced;
3. it is renamed over the target (``os.replace``);
4. the folder is fsynced, so the rename itself survives a power cut;
5. on any failure (an exception, an interrupt too) the temporary is removed, the target is
   left as it was, and the error propagates unchanged (callers turn ``OSError`` into a
   :class:`~nato_socialism.errors.UserError` that says what to do).

A new file gets the mode a plain ``open()`` would give it (0666 minus the umask); a replaced
file keeps its mode. Temporary names start with ``.`` and end with ``.tmp`` (or ``.partial``
for folders), so globs such as ``*.parquet`` never match them.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO


def fsync_dir(path: str | os.PathLike) -> None:
    """Flush a folder's entries (new names, renames) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@functools.cache
def _umask() -> int:
    # Read once: reading it means setting it for a moment, which other threads would see.
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def _default_mode(full: int) -> int:
    """The mode ``open()`` (0o666) or ``mkdir()`` (0o777) would give: ``full`` minus the umask."""
    return full & ~_umask()


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error, it replaces ``path``.

    For writers that need a file name (DuckDB's ``COPY ... TO``); :func:`atomic_write` is the
    same for writers that take an open file.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else _default_mode(0o666))
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> int:
    """Write ``path`` through ``write(file)`` (a binary file open for writing); return its size in bytes."""
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        write(fh)
    return path.stat().st_size


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> int:
    """Write ``text`` to ``path``; return its size in bytes."""
    return atomic_write(path, lambda fh: fh.write(text.encode(encoding)))


@contextmanager
def atomic_dir(target: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty staging folder beside ``target``; when the block ends without error, it becomes ``target``.

    Every file in it is fsynced, an existing ``target`` is moved aside until the staging
    folder has taken its name (and put back if that fails), then removed. The staging folder
    gets the mode of the folder it replaces, else a new folder's.
    """
    target = Path(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".partial", dir=target.parent))
    try:
        staging.chmod(target.stat().st_mode & 0o7777 if target.is_dir() else _default_mode(0o777))
        yield staging
        for folder, _, files in os.walk(staging):
            for name in files:
                _fsync_file(Path(folder) / name)
            fsync_dir(folder)
        _swap(staging, target)
        fsync_dir(target.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already after a successful swap


def _swap(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``, moving an existing ``target`` aside until done."""
    if not target.exists():
        os.rename(staging, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".old", dir=target.parent))
    os.rmdir(old)  # only the unique name is needed
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:  # an interrupt too: put the old folder back
        if not target.exists():
            os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
