"""Property tests: whatever is done to a scenario file, `scenario check FILE` and
`run FILE --members 2 --years 3 --no-store` exit 0, or exit 2 with one message naming the
file; never another exit code, never a traceback, and never a file written."""

from __future__ import annotations

import contextlib
import json
import re

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from cli_helpers import run_inprocess as _cli

#: A valid scenario touching every table (parameters, mechanisms, controls, blocs, events).
BASE = b"""\
name = "fuzz_base"
description = "A valid scenario touching every table."
start_year = 2023
horizon = 3
members = 2
seed = 7
doctrines = ["nato_first", "custom"]

[parameters]
erosion_strength = [1.5, 2.5]
init_moderate_left_weight = 0.4

[mechanisms]
aid = false
reaction_contact = true

[controls.custom]
aid_share = 0.01
relocation_rate = 0.05

[blocs.nato]
add = { SWE = 2024 }

[[events]]
year = 2024
country = "FRA"
kind = "transition"

[[events]]
year = 2025
country = "DEU"
kind = "aid_share"
value = 0.02
"""
LINES = BASE.splitlines(keepends=True)
#: Lines holding `key = value` (not headers, not blank).
ASSIGNMENTS = [i for i, line in enumerate(LINES) if b"=" in line and not line.startswith(b"[")]
HEADERS = [i for i, line in enumerate(LINES) if line.startswith(b"[")]
FUZZ = settings(max_examples=25, deadline=None, database=None)
# A numeric value: after '= ', '[', ', ' or '= ' inside an inline table.
_NUMERIC = re.compile(rb"(?<=[=\[,] )-?\d+(?:\.\d+)?|(?<=\[)-?\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return tmp_path_factory.mktemp("scenario_fuzz")


def _check(workspace, data: bytes) -> tuple[int, int]:
    """Check both commands on ``data``; return their exit codes (check, run)."""
    path = workspace / "fuzzed.toml"
    path.write_bytes(data)
    codes = []
    try:
        with contextlib.chdir(workspace):  # a stray `results/` would land here
            for args in (
                ["scenario", "check", str(path)],
                ["run", str(path), "--members", "2", "--years", "3", "--no-store"],
            ):
                code, out, err = _cli(args)
                assert code in (0, 2), (args, code, err)
                assert "Traceback" not in err and "Traceback" not in out, err
                if code == 2:
                    assert str(path) in err, err  # the message names the file
                    assert err.startswith("error: ") and not out, (out, err)
                codes.append(code)
                assert {p.name for p in workspace.iterdir()} == {path.name}, "a file was written"
    finally:
        path.unlink()
    # both commands read the file the same way: if check refuses it, so does run
    # (the converse need not hold: --years 3 may leave an event outside the run)
    assert not (codes[0] == 2 and codes[1] == 0), codes
    return codes[0], codes[1]


def _fuzz(workspace, data):
    check, run = _check(workspace, data)
    event(f"check exit {check}, run exit {run}")


def _replace_value(draw, replacement: bytes) -> bytes:
    """Replace one number of BASE by ``replacement``."""
    matches = list(_NUMERIC.finditer(BASE))
    m = matches[draw(st.integers(0, len(matches) - 1))]
    return BASE[: m.start()] + replacement + BASE[m.end() :]


def _set_value(draw, value: bytes) -> bytes:
    """Replace the whole value of one `key = value` line by ``value``."""
    i = draw(st.sampled_from(ASSIGNMENTS))
    key = LINES[i].split(b"=", 1)[0]
    return b"".join([*LINES[:i], key + b"= " + value + b"\n", *LINES[i + 1 :]])


@st.composite
def truncated(draw):
    return BASE[: draw(st.integers(0, len(BASE) - 1))]


@st.composite
def random_bytes(draw):
    at = draw(st.integers(0, len(BASE)))
    junk = draw(st.binary(min_size=1, max_size=24))
    cut = draw(st.integers(0, 24))  # 0: insert; else overwrite that many bytes
    return BASE[:at] + junk + BASE[at + cut if cut else at :]


@st.composite
def bad_encoding(draw):
    how = draw(st.sampled_from(["latin1 description", "invalid utf-8", "utf-16", "bom"]))
    if how == "latin1 description":
        text = draw(st.text(st.characters(min_codepoint=0xA0, max_codepoint=0xFF), min_size=1, max_size=8))
        return BASE.replace(b"every table", text.encode("latin-1"))
    if how == "invalid utf-8":
        junk = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]))
        at = draw(st.integers(0, len(BASE)))
        return BASE[:at] + junk + BASE[at:]
    if how == "utf-16":
        return BASE.decode().encode("utf-16")
    return b"\xef\xbb\xbf" + BASE  # a UTF-8 byte order mark (TOML does not allow one)


@st.composite
def huge_numbers(draw):
    huge = draw(
        st.one_of(
            st.sampled_from(
                [b"1e308", b"-1e308", b"1e400", b"1" + b"0" * 30, b"-1" + b"0" * 30, b"9" * 40,
                 b"9223372036854775808", b"4294967296", b"5e-324", b"0x7fffffffffffffff"]
            ),
            st.integers(min_value=2**31).map(lambda x: str(x).encode()),
            st.floats(min_value=1e9, allow_infinity=False).map(lambda x: repr(x).encode()),
        )
    )  # fmt: skip
    return _replace_value(draw, huge)


@st.composite
def nan_inf(draw):
    token = draw(st.sampled_from([b"nan", b"+nan", b"-nan", b"inf", b"+inf", b"-inf", b"NaN", b"Infinity"]))
    return _replace_value(draw, token) if draw(st.booleans()) else _set_value(draw, token)


@st.composite
def duplicates(draw):
    if draw(st.booleans()):  # a key twice in its table
        i = draw(st.sampled_from(ASSIGNMENTS))
        return b"".join([*LINES[: i + 1], LINES[i], *LINES[i + 1 :]])
    i = draw(st.sampled_from(HEADERS))  # a table header twice (an [[array]] one is fine)
    at = draw(st.integers(i + 1, len(LINES)))
    return b"".join([*LINES[:at], b"\n", LINES[i], *LINES[at:]])


@st.composite
def missing_or_renamed(draw):
    lines = list(LINES)
    i = draw(st.sampled_from(ASSIGNMENTS + HEADERS))
    if draw(st.booleans()):
        del lines[i]
        return b"".join(lines)
    line = lines[i].decode()
    key_end = line.index("]") if line.startswith("[") else line.index(" ")
    start = 2 if line.startswith("[[") else (1 if line.startswith("[") else 0)
    key = line[start:key_end]
    pos = draw(st.integers(0, len(key)))
    cut = draw(st.integers(0, 1))
    extra = draw(st.sampled_from(["", "s", "_", "x", "é", "0"]))
    new = key[:pos] + extra + key[pos + cut :]
    lines[i] = (line[:start] + new + line[key_end:]).encode()
    return b"".join(lines)


TOML_VALUES = st.sampled_from(
    [b'"text"', b'""', b"true", b"false", b"0", b"-1", b"0.5", b"[]", b"[1, 2, 3]", b'["a", "b"]',
     b"[[1, 2]]", b"{}", b"{ a = 1 }", b"1979-05-27", b"1979-05-27T07:32:00Z", b"07:32:00",
     b'"2024"', b"2024.0", b"[0.5, 0.1]", b'["nato_first", "nato_first"]', b'"FRA"', b"'''multi\nline'''"]
)  # fmt: skip


@st.composite
def wrong_types(draw):
    return _set_value(draw, draw(TOML_VALUES))


@st.composite
def unicode_keys(draw):
    text = draw(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12))
    key = json.dumps(text, ensure_ascii=False).encode()  # a TOML basic string
    line = key + b" = " + draw(TOML_VALUES) + b"\n"
    at = draw(st.sampled_from([0, *(h + 1 for h in HEADERS), len(LINES)]))
    return b"".join([*LINES[:at], line, *LINES[at:]])


@FUZZ
@given(data=truncated())
def test_truncated(workspace, data):
    _fuzz(workspace, data)


@FUZZ
@given(data=random_bytes())
def test_random_bytes(workspace, data):
    _fuzz(workspace, data)


@FUZZ
@given(data=bad_encoding())
def test_bad_encoding(workspace, data):
    _fuzz(workspace, data)


@FUZZ
@given(data=huge_numbers())
def test_huge_numbers(workspace, data):
    _fuzz(workspace, data)


@FUZZ
@given(data=nan_inf())
def test_nan_and_inf(workspace, data):
    _fuzz(workspace, data)


@FUZZ
@given(data=duplicates())
def test_duplicate_keys_and_tables(workspace, data):
    _fuzz(workspace, data)


@FUZZ
@given(data=missing_or_renamed())
def test_missing_or_renamed_keys(workspace, data):
    _fuzz(workspace, data)


@FUZZ
@given(data=wrong_types())
def test_wrong_types(workspace, data):
    _fuzz(workspace, data)


@FUZZ
@given(data=unicode_keys())
def test_unicode_keys(workspace, data):
    _fuzz(workspace, data)


def test_unmutated_base_runs(workspace):
    assert _check(workspace, BASE) == (0, 0)


def test_seed_beyond_int64_is_refused_before_anything_is_stored(workspace):
    """Found by test_huge_numbers: a seed of 10**30 passed validation, ran without --no-store,
    and crashed with a DuckDB ConversionException (a traceback) leaving an orphan run folder."""
    data = BASE.replace(b"seed = 7", b"seed = 1" + b"0" * 30)
    path = workspace / "fuzzed.toml"
    path.write_bytes(data)
    try:
        with contextlib.chdir(workspace):
            code, out, err = _cli(["run", str(path), "--members", "2", "--years", "3", "--results", "res"])
            assert code == 2 and "seed = 1000000000000000000000000000000" in err and str(path) in err, err
            assert "9223372036854775807" in err and "Traceback" not in err
            assert {p.name for p in workspace.iterdir()} == {path.name}
            path.write_bytes(BASE)
            code, _, err = _cli(["run", str(path), "--seed", str(2**63), "--no-store"])
            assert code == 2 and "(with command-line options)" in err, err
    finally:
        path.unlink()
