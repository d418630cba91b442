"""PNG export of the report's figures through the local Chromium (see test_report_browser.py)."""

from __future__ import annotations

import os

import pytest

from nato_socialism.errors import UserError
from nato_socialism.report import load_run_data
from nato_socialism.report.html import render_specs
from nato_socialism.report.png import export_png
from report_helpers import png_size, require_chromium, small_run

if os.environ.get("NATO_SOCIALISM_SKIP_BROWSER"):
    pytest.skip("NATO_SOCIALISM_SKIP_BROWSER is set", allow_module_level=True)


@pytest.fixture(scope="module")
def rd(tmp_path_factory):
    require_chromium()
    store, run_id = small_run(tmp_path_factory.mktemp("png") / "results", members=6, horizon=8)
    return load_run_data(store.root, run_id)


def test_png_export_has_the_stated_size(rd, tmp_path):
    specs = [s for s in render_specs(rd) if s.id in ("map", "fan-demsoc_share", "forest")]
    specs[0].variants = specs[0].variants[:1]
    specs[1].variants = specs[1].variants[:2]
    specs[2].variants = specs[2].variants[:1]
    written = export_png(specs, tmp_path / "png", width=640, height=400)
    assert [os.path.basename(w["path"]) for w in written] == ["map.png", "fan-demsoc_share-world.png",
                                                               "fan-demsoc_share-first-world.png", "forest.png"]
    for w in written:
        assert png_size(w["path"]) == (640, 400) == (w["width"], w["height"])
        assert os.path.getsize(w["path"]) > 5_000  # drawn, not blank


def test_png_export_refuses_bad_sizes(rd, tmp_path):
    with pytest.raises(UserError, match="out of range"):
        export_png(render_specs(rd)[:1], tmp_path, width=10)
