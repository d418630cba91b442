"""A small stored run for the report tests, and a way to make it look like a version 1 run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from nato_socialism.experiments.ensemble import prepare
from nato_socialism.experiments.executors import start_run
from nato_socialism.experiments.series import RECORDED_BLOC_COLUMNS
from nato_socialism.experiments.store import ResultStore, write_parquet
from nato_socialism.scenario import load_scenario

DOCTRINES = ["nato_first", "open_solidarity", "status_quo"]


def require_chromium() -> str:
    """The local Chromium of the browser tests; fail naming what is missing (NATO_SOCIALISM_SKIP_BROWSER=1 skips)."""
    import pytest

    from nato_socialism.errors import UserError
    from nato_socialism.report.browser import find_chromium

    try:
        return find_chromium()
    except UserError as err:
        pytest.fail(f"{err} (or set NATO_SOCIALISM_SKIP_BROWSER=1)")


def small_run(root: Path, members: int = 12, horizon: int = 15) -> tuple[ResultStore, str]:
    """3 doctrines x ``members`` x ``horizon`` years, 2 kept members, stored under ``root``."""
    sc = load_scenario("default").with_overrides(members=members, horizon=horizon, doctrines=DOCTRINES)
    store = ResultStore.create(root)
    with store.writer():
        run_id = start_run(prepare(sc), store, chunk_size=5, keep=2)
    return store, run_id


def downgrade_to_v1(store: ResultStore, run_id: str, keep_why: bool = True) -> None:
    """Make a stored run look as version 1 wrote it: no country_hist, no recorded bloc columns,
    no run-level tables (and, with ``keep_why=False``, no trajectories or why)."""
    folder = store.run_dir(run_id)
    drop = {"country_hist"} | (set() if keep_why else {"trajectories", "why"})
    for name in ("countries", "blocs", "data_notes"):
        (folder / f"{name}.parquet").unlink()
    for name in drop:
        shutil.rmtree(folder / name, ignore_errors=True)
    for path in (folder / "series").glob("*.parquet"):
        table = pq.read_table(path)
        keep = [c for c in table.column_names if c not in RECORDED_BLOC_COLUMNS]
        write_parquet(path, table.select(keep), "series", run_id)
    for manifest in (folder / "chunks").glob("*.json"):
        m = json.loads(manifest.read_text())
        m["files"] = {k: v for k, v in m["files"].items() if k not in drop}
        if "series" in m["files"]:
            m["files"]["series"]["bytes"] = (folder / m["files"]["series"]["path"]).stat().st_size
        m["schema_version"] = 1
        manifest.write_text(json.dumps(m))
    with store._db(write=True) as db:
        db.execute("update runs set schema_version = 1, keep_trajectories = ? where run_id = ?",
                   [2 if keep_why else 0, run_id])
    store._order.clear()


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file from its IHDR chunk."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
