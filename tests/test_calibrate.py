"""Calibration: fit on a small window; --accept writes a scenario file (or, asked, a registry copy), comments kept."""

from __future__ import annotations

import json
import shutil
import tomllib

import pytest
import typer
from typer.testing import CliRunner

from nato_socialism.cli.validate import calibrate as calibrate_command
from nato_socialism.errors import UserError
from nato_socialism.model import registry as parameters
from nato_socialism.scenario import load_scenario
from nato_socialism.validation.calibrate import CALIBRATED, SOURCE_PREFIX, accept, calibrate, default_test_window

FIT, TEST = (1960, 1979), (1980, 1989)

_app = typer.Typer()


@_app.callback()
def _root() -> None:
    """Test app."""


_app.command("calibrate")(calibrate_command)


@pytest.fixture(scope="module")
def cal():
    return calibrate(FIT, TEST)


@pytest.fixture
def registry_copy(tmp_path):
    path = tmp_path / "parameters.toml"
    shutil.copy(parameters.REGISTRY_PATH, path)
    return path


def test_estimates_and_intervals(cal):
    assert list(cal.estimates) == list(CALIBRATED)
    for name, e in cal.estimates.items():
        lo, hi = parameters.registry()[name].bounds
        assert lo <= e.low <= e.value <= e.high <= hi, name
        assert e.n > 0 and e.method
    assert cal.estimates["convergence_rate"].value >= 0  # clipped to the parameter's sign
    assert cal.reference_year == FIT[1] + 1


def test_pop_growth_base_moves_with_the_trend(cal):
    trend = cal.estimates["pop_growth_trend"].value
    later = cal.at(cal.reference_year + 10)["pop_growth_base"]
    assert later.value == pytest.approx(cal.estimates["pop_growth_base"].value - 10 * trend)


def test_errors_in_and_out_of_sample(cal):
    windows = set(cal.errors["window"])
    assert windows == {"in sample 1960-1979", "out of sample 1980-1989"}
    rmse = cal.errors.set_index(["window", "metric"])
    # in sample, the fitted growth equation cannot do worse than the registry's (least squares)
    assert rmse.loc[("in sample 1960-1979", "growth_rmse"), "fitted"] <= \
        rmse.loc[("in sample 1960-1979", "growth_rmse"), "registry"] + 1e-12


def test_accept_edits_only_the_calibrated_lines(cal, registry_copy):
    before = registry_copy.read_text().splitlines()
    accept(cal, registry_copy, registry_file=True, date="2000-01-01")
    after = registry_copy.read_text().splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed and all(a.split("=")[0] == b.split("=")[0] for a, b in changed)
    assert {a.split("=")[0].strip() for a, _ in changed} <= {"default", "low", "high", "source"}
    assert sum(line.startswith("#") for line in before) == sum(line.startswith("#") for line in after)
    raw = tomllib.loads(registry_copy.read_text())
    for name in CALIBRATED:
        assert raw[name]["source"].startswith(f"{SOURCE_PREFIX} 1960-1979 on 2000-01-01")
        assert raw[name]["low"] <= raw[name]["default"] <= raw[name]["high"]
    # the literature reference is kept once, also after a second acceptance
    accept(cal, registry_copy, registry_file=True, date="2000-01-02")
    src = tomllib.loads(registry_copy.read_text())["frontier_growth"]["source"]
    assert src.count("literature:") == 1 and "Maddison" in src


def test_rewritten_registry_still_loads(cal, registry_copy, monkeypatch):
    accept(cal, registry_copy, registry_file=True, date="2000-01-01")
    monkeypatch.setattr(parameters, "REGISTRY_PATH", registry_copy)
    parameters.registry.cache_clear()
    try:
        reg = parameters.registry()
        assert reg["frontier_growth"].default == pytest.approx(cal.at(2023)["frontier_growth"].value, rel=1e-3)
        assert reg["adult_share"].default == 0.7  # other entries untouched
    finally:
        monkeypatch.undo()
        parameters.registry.cache_clear()


def test_cli_accept_writes_the_copy_not_the_package_registry(registry_copy):
    package = parameters.REGISTRY_PATH.read_bytes()
    args = ["calibrate", "--fit", "1960:1979", "--test", "1980:1989", "--accept", "--registry", str(registry_copy),
            "--json"]
    result = CliRunner().invoke(_app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["accepted"] == str(registry_copy) and set(doc["estimates"]) == set(CALIBRATED)
    assert parameters.REGISTRY_PATH.read_bytes() == package
    assert SOURCE_PREFIX in registry_copy.read_text()


def test_cli_without_accept_writes_nothing(registry_copy):
    before = registry_copy.read_bytes()
    result = CliRunner().invoke(_app, ["calibrate", "--fit", "1960:1979", "--test", "none",
                                       "--registry", str(registry_copy)])
    assert result.exit_code == 0, result.output
    assert "Not written" in result.stdout and registry_copy.read_bytes() == before


def test_default_test_window_follows_the_fit():
    assert default_test_window((1960, 1989)) == (1990, 2019)
    assert default_test_window((1980, 2009)) == (2010, 2022)
    assert default_test_window((1990, 2019)) is None


def test_bad_windows_are_user_errors():
    for args in (["--fit", "1960"], ["--fit", "1989:1960"], ["--fit", "1940:1960"], ["--test", "1970:1980"]):
        result = CliRunner().invoke(_app, ["calibrate", *args])
        assert isinstance(result.exception, UserError), args


SCENARIO = """# my notes on this scenario
name = "mine"
members = 3  # small on purpose

[parameters]
# erosion as in the essay
erosion_strength = [1.5, 2.5]
frontier_growth = 0.01  # my guess

[mechanisms]
aid = false
"""


def test_accept_updates_a_scenario_keeping_comments_and_other_keys(cal, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(SCENARIO)
    accept(cal, path, date="2000-01-01")
    text = path.read_text()
    for line in ("# my notes on this scenario", "members = 3  # small on purpose", "# erosion as in the essay",
                 "erosion_strength = [1.5, 2.5]", "aid = false"):
        assert line in text
    assert "my guess" not in text  # the calibrated value replaced the user's
    sc = load_scenario(path)
    assert sc.name == "mine" and sc.members == 3 and sc.switches_off() == ["aid"]
    sampled = sc.sampled_parameters()
    assert sampled["erosion_strength"] == (1.5, 2.5)
    for name, est in cal.at(2023).items():
        assert sampled[name] == pytest.approx((est.low, est.high), rel=1e-3, abs=1e-12), name
    assert "estimate" in text and "1960-1979 on 2000-01-01" in text


def test_cli_accept_writes_a_scenario_not_the_package_registry(tmp_path, monkeypatch):
    package = parameters.REGISTRY_PATH.read_bytes()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(_app, ["calibrate", "--fit", "1960:1979", "--test", "none", "--accept", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accepted"] == "calibrated.toml"
    assert parameters.REGISTRY_PATH.read_bytes() == package
    assert set(load_scenario(tmp_path / "calibrated.toml").sampled_parameters()) == set(CALIBRATED)
    assert [p.name for p in tmp_path.iterdir()] == ["calibrated.toml"]  # no temporary left


def test_accept_refuses_a_broken_scenario_and_leaves_it(cal, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("members = \n")
    with pytest.raises(UserError, match="broken.toml"):
        accept(cal, path, date="2000-01-01")
    assert path.read_text() == "members = \n"
    path.write_text("horizon = 5\n[[events]]\nyear = 2090\ncountry = 'FRA'\nkind = 'transition'\n")
    before = path.read_bytes()
    with pytest.raises(UserError, match="outside the run"):  # checked as a scenario before writing
        accept(cal, path, date="2000-01-01")
    assert path.read_bytes() == before
