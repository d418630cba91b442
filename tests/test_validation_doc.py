"""docs/validation.md is current, every verdict is pinned, and the hindcast claims hold.

One `nato-socialism validate` at the documentation's settings (``make validation``: 40
members, the default seed, the 1990-2019 hindcast) is run once for the module; a change to
the model or the data that alters any figure makes the document stale, and one that flips a
verdict fails :func:`test_golden_verdicts` with the check's name.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "validation.md"

#: Every verdict as of the last accepted change. Update only together with docs/validation.md,
#: saying in the commit which verdict changed and why.
GOLDEN = {
    # input consistency
    "breakdown_poor": "PASS",
    "breakdown_lower": "PASS",
    "breakdown_middle": "PASS",
    "breakdown_rich": "PASS",
    "dictatorship_exits_flat": "PASS",
    "emigration_peak": "PASS",
    "emigration_elasticity": "PASS",
    "refugee_reaction": "FAIL",
    "aid_growth": "PASS",
    "aid_diminishing": "PASS",
    "aid_volume": "PASS",
    "campaign_viability": "PASS",
    "campaign_success_nonviolent": "PASS",
    "campaign_success_violent": "PASS",
    "campaign_democratic_outcome": "PASS",
    "diffusion_s_shape": "PASS",
    "democracy_drift": "PASS",
    # validation: emergent
    "emigration_hump_realized": "PASS",
    "democratization_neighbours": "PASS",
    # validation: out of sample (1990-2019 hindcast)
    "breakdown_low_income": "PASS",
    "breakdown_high_income": "PASS",
    "democratization_1990_2019": "PASS",
    "regime_transitions": "FAIL",
    "democracy_population_share_2019": "PASS",
    "democracy_country_share_2019": "PASS",
    "mean_democracy_2019": "FAIL",
    "growth_dispersion_1990_2019": "PASS",
    "growth_negative_share": "PASS",  # FAIL before the review fixes (4.5 % vs 5.7 % bound), now 6.3 %
    "world_growth_1990_2019": "FAIL",
    "world_population_2019": "FAIL",
    "population_growth_gap": "PASS",
    "refugee_stock_2019": "PASS",
    "radical_right_rise": "FAIL",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(markdown text, JSON document) of the documentation's validate run."""
    out = tmp_path_factory.mktemp("validation") / "validation.md"
    done = subprocess.run([sys.executable, "-m", "nato_socialism.cli", "validate", "--members", "40", "--markdown",
                           str(out), "--json"], capture_output=True, text=True, timeout=900, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return out.read_text(encoding="utf-8"), json.loads(done.stdout)


@pytest.mark.slow
def test_validation_doc_is_current(generated):
    text, _ = generated
    assert text == DOC.read_text(encoding="utf-8"), "docs/validation.md is stale: run `make validation`"


@pytest.mark.slow
def test_golden_verdicts(generated):
    _, doc = generated
    verdicts = {c["name"]: c["verdict"] for c in [*doc["anchors"], *doc["hindcast"]["checks"]]}
    assert set(verdicts) == set(GOLDEN)
    flipped = {k: f"{GOLDEN[k]} -> {v}" for k, v in verdicts.items() if v != GOLDEN[k]}
    assert not flipped, f"verdicts changed: {flipped}"


@pytest.mark.slow
def test_headline_counts_only_what_can_fail(generated):
    _, doc = generated
    head = doc["headline"]
    labels = {c["name"]: c["label"] for c in [*doc["anchors"], *doc["hindcast"]["checks"]]}
    assert head["validation"]["checks"] >= 10
    assert all(labels[n] in ("emergent", "out-of-sample") for n in head["validation"]["names"])
    assert all(labels[n] == "input" for n in head["input_consistency"]["names"])
    assert head["validation"]["passed"] == sum(GOLDEN[n] == "PASS" for n in head["validation"]["names"])


@pytest.mark.slow
def test_hindcast_claims_hold_on_the_full_window(generated):
    _, doc = generated
    h = doc["hindcast"]
    assert (h["start"], h["end"]) == (1990, 2019) and h["fit"] == [1960, 1989]
    failed = [c["claim"] for c in h["claims"] if not c["holds"]]
    assert not failed, failed
    assert len(h["claims"]) >= 7 + 9


@pytest.mark.slow
def test_published_range_is_shown_as_published(generated):
    _, doc = generated
    refugee = next(a for a in doc["anchors"] if a["name"] == "refugee_reaction")
    assert (refugee["tolerance"]["low"], refugee["tolerance"]["high"]) == (1.2, 2.0)  # Dustmann et al. 2019
