"""The installed command on bad scenario input: exit 2, one message on stderr, no traceback.

Each case runs ``nato-socialism`` in a subprocess (the console script beside this Python,
else on PATH, else ``python -m nato_socialism.cli``) in a fresh folder, so that what the
user sees is tested, and checks that no file was written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nato_socialism.scenario import scenario_template


def _command() -> list[str]:
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    script = shutil.which("nato-socialism", path=search)
    return [script] if script else [sys.executable, "-m", "nato_socialism.cli"]


COMMAND = _command()


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run(
        [*COMMAND, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _assert_user_error(result, *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for part in expected:
        assert part in result.stderr, result.stderr


CASES = {
    "toml syntax": ("members = 200\nhorizon = \n", ["line 2", "not valid TOML"]),
    "unknown field": ("horizn = 10\n", ["unknown field 'horizn'", "Did you mean 'horizon'"]),
    "unknown nested field": (
        "[parameters]\naid_grwth_effect = 0.3\n",
        ["parameters.aid_grwth_effect", "'aid_growth_effect'"],
    ),
    "wrong type": ('horizon = "100"\n', ['horizon = "100"', "expected a whole number"]),
    "negative horizon": ("horizon = -5\n", ["horizon = -5", "from 1 to 300"]),
    "share above 1": (
        "[parameters]\ninit_moderate_left_weight = 1.5\n",
        ["parameters.init_moderate_left_weight = 1.5", "from 0 to 1"],
    ),
    "members 0": ("members = 0\n", ["members = 0", "from 1 to 1000000"]),
    "unknown iso3": (
        '[[events]]\nyear = 2030\ncountry = "FRN"\nkind = "transition"\n',
        ['events[0].country = "FRN"', "'FRA'"],
    ),
    "unknown bloc": ("[blocs.natoo]\nadd = {UKR = 2030}\n", ["'natoo'", "Did you mean 'nato'"]),
    "bloc names a country twice": (
        "[blocs.nato]\nadd = {UKR = 2030}\nremove = {UKR = 2040}\n",
        ["'nato'", "UKR", "both 'add' and 'remove'"],
    ),
    "event outside the run": (
        '[[events]]\nyear = 2200\ncountry = "FRA"\nkind = "transition"\n',
        ["events[0].year = 2200", "outside the run"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_bad_file(tmp_path, case):
    text, expected = CASES[case]
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    before = _files(tmp_path)
    result = run(tmp_path, "scenario", "check", "bad.toml")
    _assert_user_error(result, "bad.toml", *expected)
    assert _files(tmp_path) == before


def test_check_missing_file(tmp_path):
    result = run(tmp_path, "scenario", "check", "missing.toml")
    _assert_user_error(result, "missing.toml", "does not exist")
    assert _files(tmp_path) == {}


def test_new_refuses_to_overwrite(tmp_path):
    (tmp_path / "mine.toml").write_text("members = 3\n")
    before = _files(tmp_path)
    result = run(tmp_path, "scenario", "new", "mine.toml")
    _assert_user_error(result, "mine.toml", "--force")
    assert _files(tmp_path) == before


def test_new_into_missing_folder(tmp_path):
    result = run(tmp_path, "scenario", "new", "nowhere/x.toml")
    _assert_user_error(result, "nowhere", "does not exist")
    assert _files(tmp_path) == {}


def test_new_then_check_round_trip(tmp_path):
    result = run(tmp_path, "scenario", "new", "run.toml")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "run.toml").read_text(encoding="utf-8") == scenario_template()
    assert _files(tmp_path).keys() == {"run.toml"}

    result = run(tmp_path, "scenario", "check", "run.toml")
    assert result.returncode == 0, result.stderr
    assert "Scenario run is valid" in result.stdout and "2023 to 2123" in result.stdout

    result = run(tmp_path, "scenario", "new", "run.toml", "--force")
    assert result.returncode == 0, result.stderr


def test_check_json(tmp_path):
    (tmp_path / "s.toml").write_text(
        "horizon = 30\n[parameters]\naid_growth_effect = [0.3, 0.4]\n[mechanisms]\naid = false\n"
        '[[events]]\nyear = 2030\ncountry = "FRA"\nkind = "transition"\n'
    )
    result = run(tmp_path, "scenario", "check", "s.toml", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["name"] == "s" and summary["end_year"] == 2053
    assert summary["sampled_parameters"] == {"aid_growth_effect": [0.3, 0.4]}
    assert summary["switches_off"] == ["aid"]
    assert summary["events"] == [{"year": 2030, "country": "FRA", "kind": "transition"}]


def test_check_bundled_name(tmp_path):
    result = run(tmp_path, "scenario", "check", "default", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "default"


def test_python_dash_m_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "nato_socialism.cli", "scenario", "check", "nope.toml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    _assert_user_error(result, "nope.toml")


@pytest.mark.parametrize("command", ["validate", "discover"])
def test_negative_seed_is_a_usage_error(tmp_path, command):
    """A seed below 0 would reach NumPy's SeedSequence and fail there; the option refuses it."""
    result = run(tmp_path, command, "--seed", "-1")
    _assert_user_error(result, "--seed", "greater than or equal to 0")
