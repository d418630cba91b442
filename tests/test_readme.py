"""The README's examples work: its scenario file validates and its commands run (small sizes)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _cli():
    exe = shutil.which("nato-socialism", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "nato_socialism.cli"]


def test_readme_starts_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    assert first_block.splitlines()[0].startswith("make run")
    assert first_block.splitlines()[1].startswith("make test")


def test_readme_scenario_is_valid_and_runs(tmp_path):
    block = re.search(r"```toml\n(.*?)```", README, re.S).group(1)
    path = tmp_path / "readme.toml"
    path.write_text(block)
    check = subprocess.run([*_cli(), "scenario", "check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    run = subprocess.run([*_cli(), "run", str(path), "--members", "4", "--years", "10", "--json", "--no-store"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_readme_commands_exist():
    """Every `nato-socialism <command>` shown in the README is a real command (its --help works)."""
    commands = sorted(set(re.findall(r"^nato-socialism ([a-z]+)", README, re.M)))
    assert "run" in commands and "explain" in commands
    for command in commands:
        out = subprocess.run([*_cli(), command, "--help"], capture_output=True, text=True)
        assert out.returncode == 0, (command, out.stderr)
