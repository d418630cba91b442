"""The README's research loop, followed as written, answers every question.

Each command of the README's research-loop block runs as the installed script in one empty
working folder (so `./results` is the README's default), in the README's order, with only
size options appended (fewer members and years). Every command must exit 0 without a
traceback; `discover latest` must pick the run that can answer it (the newest ensemble that
ran both doctrines with enough members), not the sensitivity run made after it; and nothing
but the files the commands name may appear in the working folder.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from cli_helpers import COMMAND, ENV
from test_importers import world_bank_csv

pytestmark = pytest.mark.slow

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
#: Appended to each command (later options win): sizes only.
SIZES = {
    "run": ["--members", "100", "--years", "10"],
    "sensitivity": ["--samples", "2", "--years", "10"],
    "optimize": ["--members", "2", "--years", "3", "--pop-size", "4", "--generations", "1"],
    "validate": ["--members", "2", "--years", "10"],
}
#: Commands of the block not run here, and why.
SKIPPED = {"bench": "tests/test_bench.py runs it (--quick); at full size it takes minutes"}


def loop_commands() -> list[list[str]]:
    block = re.search(r"Research loop.*?```sh\n(.*?)```", README, re.S).group(1)
    commands = []
    for line in block.splitlines():
        words = shlex.split(line.split("#", 1)[0])
        assert words[0] == "nato-socialism", line
        commands.append(words[1:])
    return commands


def test_readme_research_loop_as_written(tmp_path):
    population = world_bank_csv({("France", "FRA"): {2022: 68_100_000.0, 2023: 68_300_000.0}}, "SP.POP.TOTL")
    (tmp_path / "API_SP.POP.TOTL_DS2_en_csv_v2.csv").write_bytes(population)  # the download the README names
    env = {k: v for k, v in ENV.items() if k != "NATO_SOCIALISM_RESULTS"}
    ran = []
    for args in loop_commands():
        if args[0] in SKIPPED:
            continue
        extra = [] if "--resume" in args or "--run" in args else SIZES.get(args[0], [])
        done = subprocess.run([*COMMAND, *args, *extra], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, (args, done.stderr[-3000:])
        assert "Traceback" not in done.stderr, (args, done.stderr[-3000:])
        ran.append((args, done))
    assert len(ran) == len(loop_commands()) - len(SKIPPED)

    listed = subprocess.run([*COMMAND, "results", "list", "--json"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, check=True)
    runs = {r["run_id"]: r for r in json.loads(listed.stdout)}
    (discovered,) = [d for a, d in ran if a[0] == "discover"]
    picked = re.search(r"Run (\S+):", discovered.stdout).group(1)
    assert runs[picked]["kind"] == "ensemble" and runs[picked]["members"] == 100
    assert {"nato_first", "open_solidarity"} <= set(json.loads(runs[picked]["doctrines"]))
    assert any(r["kind"] == "sensitivity" and r["started"] > runs[picked]["started"] for r in runs.values())
    assert "Where nato_first wins: base rate" in discovered.stdout
    (reanalysed,) = [d for a, d in ran if a[0] == "sensitivity" and "--run" in a]
    assert picked in reanalysed.stdout  # the same ensemble, not the Morris run made after it

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["API_SP.POP.TOTL_DS2_en_csv_v2.csv", "results", "calibrated.toml", "mydata"])
    assert not list((tmp_path / "results").glob("hindcast-*"))
