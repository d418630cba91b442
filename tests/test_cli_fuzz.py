"""Fuzzing the argument layer: whatever argv a user types, the command line exits 0, or 2 with a
message, and never shows a traceback.

For every command, hypothesis draws argv from the command's own options (taken from the
click tree, so a new option without a value table here fails the test): good values, values
of the wrong type or out of range, typos of option and command names, unknown options,
options without their value, junk tokens and paths with quotes. Sizes stay tiny (a prefix sets
2 members and 2 years; the values drawn are small), results go to a temporary store that
holds one small run, the working folder is a temporary one, and each example has a deadline.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import typer.main
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cli_helpers import run_inprocess
from nato_socialism.cli.app import _register, app
from nato_socialism.model.registry import REGISTRY_PATH

pytestmark = pytest.mark.slow

DOCTRINES = ["nato_first", "open_solidarity", "status_quo", "custom", "nato_frist", ""]
OUTCOMES = ["demsoc_share_end", "first_world_failure_rate", "year_demsoc_50", "essay_sequence", "demsoc_shar", "x"]
WINDOWS = ["1990:2019", "2000:2004", "1960:1989", "2019:1990", "1800:1850", "x", "none", "1990-2019"]
SMALL = ["1", "2", "3", "0", "-1", "abc", "", "2.5", "1e2"]


def _values(tmp: Path) -> dict[str, list[str]]:
    """Values drawn for each parameter name (good and bad ones); paths live under ``tmp``."""
    quote = str(tmp / "it's here")
    paths = [str(tmp / "out"), str(tmp / "new dir" / "x"), quote, str(tmp / "file.txt"), ""]
    return {
        "scenario": ["default", "essay_premises", "skeptic_premises", str(tmp / "scenario.toml"),
                     str(tmp / "bad.toml"), "defualt", str(tmp / "missing.toml"), str(tmp)],
        "source": ["default", str(tmp / "scenario.toml"), str(tmp / "bad.toml"), "nosuch", str(tmp)],
        "file": [str(tmp / "new.toml"), str(tmp / "scenario.toml"), str(tmp), quote + ".toml",
                 str(tmp / "no" / "x.toml")],
        "files": [str(tmp / "owid.csv"), str(tmp / "owid-no-newline.csv"), str(tmp / "bad.toml"),
                  str(tmp / "missing.csv")],
        "run": ["latest", "20", "nosuch", ""],
        "resume": ["latest", "nosuch", ""],
        "doctrine": DOCTRINES, "better": DOCTRINES, "than": DOCTRINES,
        "outcome": OUTCOMES, "objective": OUTCOMES,
        "method": ["morris", "sobol", "delta", "pawn", "rbd_fast", "prim", "cart", "morri", "MORRIS"],
        "format": ["csv", "parquet", "xls", "CSV"],
        "robustness": ["mean", "p10", "regret", "median"],
        "bloc": ["nato", "bric", "world", "natoo", "developing", ""],
        "country": ["FRA", "fra", "FRN", "USA", "", "ZZZ"],
        "members": SMALL, "samples": SMALL, "pop_size": SMALL, "generations": SMALL, "chunk_size": SMALL,
        "keep_trajectories": SMALL, "workers": ["0", "-1", "abc"],  # a valid count would start Dask
        "years": ["1", "2", "3", "10", "0", "-5", "400", "abc"],
        "start_year": ["2023", "1990", "2500", "abc"],
        "seed": ["0", "1", "-1", "abc", "99999999999999999999999"],
        "year": ["2023", "2024", "2030", "1900", "abc"],
        "member": ["0", "1", "-1", "5", "abc"],
        "threshold": ["0.8", "0", "1.5", "-1", "abc"],
        "boxes": ["1", "2", "0", "abc"], "permutations": ["0", "1", "-1", "abc"], "resamples": ["0", "1", "-2", "x"],
        "hindcast_window": WINDOWS, "fit": WINDOWS, "test": WINDOWS,
        "results": [str(tmp / "store"), str(tmp / "empty"), quote, str(tmp / "file.txt")],
        "data": [str(tmp / "missing"), str(tmp), str(tmp / "file.txt")],
        "base": ["bundled", str(tmp / "missing")],
        "a": ["bundled", str(tmp / "missing"), str(tmp)], "b": ["bundled", str(tmp / "missing")],
        "out": paths, "markdown": [p + ".md" for p in paths], "into": [*paths, str(tmp / "scenario.toml")],
        "registry_path": paths,
        # --png: only folders that cannot be made (a valid one exports every figure through Chromium,
        # which the browser tests cover)
        "png": [str(tmp / "file.txt"), str(tmp / "file.txt" / "x")],
        "only": ["map", "forest", "list", "mapp", ""],
        "width": ["1200", "49", "0", "-1", "10001", "abc"], "height": ["400", "49", "20000", "abc"],
        "port": ["0", "-1", "70000", "abc"],
    }


#: Options never drawn with a value: --scheduler would reach out to a network address.
NEVER = {"scheduler"}
#: Prefix per command: small sizes and the temporary store (later values override them).
PREFIX = {
    "run": ["--members", "2", "--years", "2"],
    "sensitivity": ["--samples", "2", "--years", "2"],
    "optimize": ["--members", "2", "--years", "2", "--pop-size", "2", "--generations", "1"],
    "validate": ["--members", "1", "--years", "10"],
}
#: Commands that take minutes when valid: every example holds a mistake.
ALWAYS_WRONG = {"bench"}


def _commands() -> dict[str, object]:
    _register()
    found = {}

    def walk(command, path):
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = command

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A temporary folder with a store holding one run, scenario files and downloads."""
    tmp = tmp_path_factory.mktemp("argv")
    code, _, err = run_inprocess(["run", "--members", "4", "--years", "2", "--doctrine", "nato_first",
                                  "--doctrine", "open_solidarity", "--keep-trajectories", "1",
                                  "--results", str(tmp / "store"), "--json"])
    assert code == 0, err
    assert run_inprocess(["scenario", "new", str(tmp / "scenario.toml")])[0] == 0
    (tmp / "bad.toml").write_text("members = \n")
    (tmp / "file.txt").write_text("not a folder\n")
    (tmp / "empty").mkdir()
    owid = "Entity,Code,Year,GDP per capita\nFrance,FRA,2022,50000.5\nGermany,DEU,2022,55000.1\n"
    (tmp / "owid.csv").write_text(owid)
    (tmp / "owid-no-newline.csv").write_text(owid.rstrip("\n"))
    return tmp


def _typo(name: str, draw) -> str:
    body = name[2:]
    if len(body) < 2:
        return name + "x"
    i = draw(st.integers(0, len(body) - 1))
    kind = draw(st.sampled_from(["drop", "double", "swap"]))
    if kind == "drop":
        body = body[:i] + body[i + 1:]
    elif kind == "double":
        body = body[:i] + body[i] + body[i:]
    elif i + 1 < len(body):
        body = body[:i] + body[i + 1] + body[i] + body[i + 2:]
    return "--" + body


@st.composite
def argvs(draw, path: str, values: dict[str, list[str]]):
    """argv for one command: its path, a size prefix, then drawn pieces."""
    command = COMMANDS[path]
    pieces: list[list[str]] = []
    for param in command.params:
        if param.name in NEVER or param.param_type_name != "argument":
            continue
        if param.required or draw(st.booleans()):
            pieces.append([draw(st.sampled_from(values[param.name]))])
    options = [p for p in command.params if p.param_type_name == "option" and p.name not in NEVER]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["option"] * 6 + ["typo", "unknown", "no value", "junk", "help"]))
        if kind == "help":
            pieces.append(["--help"])
            continue
        if not options:
            kind = "unknown"
        param = draw(st.sampled_from(options)) if options else None
        if kind == "option" and getattr(param, "is_flag", False):
            pieces.append([param.opts[0]])
        elif kind == "option":
            pieces.append([param.opts[0], draw(st.sampled_from(values[param.name]))])
        elif kind == "typo":
            pieces.append([_typo(param.opts[0], draw)])
        elif kind == "no value" and getattr(param, "is_flag", False):
            pieces.append([param.opts[0]])  # a flag takes no value: this is no mistake
        elif kind == "no value":
            pieces.append([])
            pieces.append([param.opts[0]])  # at the end below: a missing value
        elif kind == "unknown":
            pieces.append([draw(st.sampled_from(["--bogus", "-x", "--members=", "--json=1"]))])
        else:
            pieces.append([draw(st.text(min_size=0, max_size=6))])
    order = draw(st.permutations(pieces[:-1])) + pieces[-1:] if pieces else []
    tokens = [token for piece in order for token in piece]
    if path.split()[0] in ALWAYS_WRONG:
        tokens.insert(0, "--bogus")  # first, so no option missing its value can take it as one
    prefix = PREFIX.get(path, [])
    if "results" in {p.name for p in command.params}:
        prefix = [*prefix, "--results", values["results"][0]]
    if draw(st.integers(0, 9)) == 0:  # a mistyped command name
        words = path.split()
        return [*words[:-1], _typo("--" + words[-1], draw)[2:], *tokens]
    return [*path.split(), *prefix, *tokens]


def test_every_parameter_has_values(world):
    values = _values(world)
    missing = {f"{path}: {p.name}" for path, c in COMMANDS.items() for p in c.params
               if p.name not in values and p.name not in NEVER and not getattr(p, "is_flag", False)}
    assert not missing, sorted(missing)


async def _bound_only(results, sockets, announce, stopped):
    for sock in sockets:
        sock.close()


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_argv_fuzz_never_shows_a_traceback(world, path):
    values = _values(world)
    package_registry = REGISTRY_PATH.read_bytes()
    cwd = world / "cwd"

    @settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")), deadline=timedelta(seconds=90), database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(argv=argvs(path, values))
    def check(argv):
        shutil.rmtree(cwd, ignore_errors=True)
        cwd.mkdir()
        # a valid `serve` checks its options and binds its port, then returns instead of serving until
        # Ctrl-C (a mistake can become a value, e.g. `--results --prt`, so serve cannot be kept always wrong)
        with contextlib.chdir(cwd), mock.patch("nato_socialism.dashboard.server._main", _bound_only):
            code, out, err = run_inprocess(argv)
        event(f"exit {code}")
        assert code in (0, 2), (argv, code, err[-2000:])
        assert "Traceback" not in err and "Traceback" not in out, (argv, err[-2000:])
        if code == 2:
            assert err.strip(), argv  # a reason is given
        elif "--json" in argv and "--help" not in argv and out.strip():
            json.loads(out)
        assert REGISTRY_PATH.read_bytes() == package_registry, argv

    check()
