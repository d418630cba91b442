"""Property tests: whatever is done to a downloaded file, `data import` succeeds with a valid
folder or exits 2 naming the file, and never leaves a partly written or changed --into."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from cli_helpers import run_inprocess as _cli
from nato_socialism.data import build_world, load_panel
from nato_socialism.data.importers import import_files
from test_importers import owid_csv, owid_multi_csv, vdem_csv, world_bank_csv

SAMPLES = {
    "API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_1.csv": world_bank_csv(),
    "gdp-per-capita-worldbank.csv": owid_csv(),
    "co2-emissions-vs-gdp.csv": owid_multi_csv(),
    "ert.csv": vdem_csv(),
}
FUZZ = settings(max_examples=30, deadline=None, database=None)
# A numeric field of any sample: between separators or quotes.
_NUMERIC = re.compile(rb'(?<=[,"])-?\d+(?:\.\d+)?(?=[,"\r\n])')


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A folder with a valid data folder `data` (from an earlier import) to be replaced."""
    root = tmp_path_factory.mktemp("fuzz")
    source = root / "ert.csv"
    source.write_bytes(SAMPLES["ert.csv"])
    import_files([source], root / "data")
    source.unlink()
    return root


def _fingerprint(folder):
    if not folder.exists():
        return None
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _check_import(workspace, name, data, fresh):
    """Import ``data`` as file ``name``; check the outcome is a valid folder or a clean exit 2.

    Returns the exit code.
    """
    path = workspace / name
    path.write_bytes(data)
    into = workspace / ("fresh" if fresh else "data")
    before = _fingerprint(into)
    try:
        code, _, err = _cli(["data", "import", str(path), "--into", str(into)])
        assert code in (0, 2), (code, err)
        if code == 0:
            load_panel(into)
            assert len(build_world(data_dir=into).iso3) == 197
        else:
            assert name in err and "Traceback" not in err, err
            assert _fingerprint(into) == before  # untouched, or still absent
        leftovers = {p.name for p in workspace.iterdir()} - {"data", "fresh", name}
        assert not leftovers  # no staging or backup folder survives
        return code
    finally:
        path.unlink()
        if fresh:
            shutil.rmtree(into, ignore_errors=True)


samples = st.sampled_from(sorted(SAMPLES))


@st.composite
def truncated(draw):
    name = draw(samples)
    data = SAMPLES[name]
    return name, data[: draw(st.integers(0, len(data) - 1))]


@st.composite
def random_bytes(draw):
    name = draw(samples)
    data = SAMPLES[name]
    at = draw(st.integers(0, len(data)))
    junk = draw(st.binary(min_size=1, max_size=24))
    cut = draw(st.integers(0, 24))  # 0: insert; else overwrite that many bytes
    return name, data[:at] + junk + data[at + cut if cut else at :]


@st.composite
def latin1(draw):
    name = draw(samples)
    text = SAMPLES[name].decode("utf-8-sig")
    data = text.encode("latin-1", errors="replace")
    if draw(st.booleans()):  # a BOM kept from the original in front of latin-1 bytes
        data = "\ufeff".encode() + data
    return name, data


@st.composite
def semicolons(draw):
    name = draw(samples)
    lines = SAMPLES[name].split(b"\n")
    start = draw(st.integers(0, len(lines) - 2))
    changed = [line.replace(b",", b";") if i >= start else line for i, line in enumerate(lines)]
    return name, b"\n".join(changed)


def _replace_number(draw, replacement):
    name = draw(samples)
    data = SAMPLES[name]
    matches = list(_NUMERIC.finditer(data))
    match = matches[draw(st.integers(0, len(matches) - 1))]
    return name, data[: match.start()] + replacement + data[match.end() :]


@st.composite
def huge_numbers(draw):
    huge = draw(
        st.one_of(
            st.sampled_from([b"1e400", b"-1e400", b"1e308", b"9" * 40, b"1e12", b"999999999999.5"]),
            st.floats(min_value=1e9, allow_nan=False).map(lambda x: repr(x).encode()),
        )
    )
    return _replace_number(draw, huge)


@st.composite
def nan_strings(draw):
    token = draw(
        st.sampled_from(
            [b"NaN", b"nan", b"inf", b"-Infinity", b"NA", b"N/A", b"null", b"#N/A", b"..",
             b"-", b"1.2.3", b"0x10", b"1_000", b" ", b"\xc2\xa0"]
        )
    )  # fmt: skip
    return _replace_number(draw, token)


@st.composite
def duplicate_rows(draw):
    name = draw(samples)
    lines = SAMPLES[name].splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if re.search(rb"Country Code|Entity|country_text_id", line))
    row = draw(st.integers(header + 1, len(lines) - 1))
    at = draw(st.integers(header + 1, len(lines)))
    return name, b"".join(lines[:at] + [lines[row]] + lines[at:])


@st.composite
def dropped_columns(draw):
    name = draw(samples)
    data = SAMPLES[name]
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    world_bank = "Indicator Code" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = next(i for i, row in enumerate(rows) if len(row) > 3)
    column = draw(st.integers(0, len(rows[header]) - 1))
    header_only = draw(st.booleans())
    kept = [
        row[:column] + row[column + 1 :] if i == header or (i > header and not header_only) else row
        for i, row in enumerate(rows)
    ]
    out = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if world_bank else csv.QUOTE_MINIMAL
    csv.writer(out, quoting=quoting, lineterminator="\r\n" if world_bank else "\n").writerows(kept)
    return name, ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def _fuzz(workspace, case, fresh):
    event(f"exit {_check_import(workspace, *case, fresh)}")


@FUZZ
@given(case=truncated(), fresh=st.booleans())
def test_truncated_file(workspace, case, fresh):
    _fuzz(workspace, case, fresh)


@FUZZ
@given(case=random_bytes(), fresh=st.booleans())
def test_random_bytes(workspace, case, fresh):
    _fuzz(workspace, case, fresh)


@FUZZ
@given(case=latin1(), fresh=st.booleans())
def test_latin1_encoding(workspace, case, fresh):
    _fuzz(workspace, case, fresh)


@FUZZ
@given(case=semicolons(), fresh=st.booleans())
def test_semicolon_delimiter(workspace, case, fresh):
    _fuzz(workspace, case, fresh)


@FUZZ
@given(case=huge_numbers(), fresh=st.booleans())
def test_huge_numbers(workspace, case, fresh):
    _fuzz(workspace, case, fresh)


@FUZZ
@given(case=nan_strings(), fresh=st.booleans())
def test_nan_and_junk_values(workspace, case, fresh):
    _fuzz(workspace, case, fresh)


@FUZZ
@given(case=duplicate_rows(), fresh=st.booleans())
def test_duplicate_rows(workspace, case, fresh):
    _fuzz(workspace, case, fresh)


@FUZZ
@given(case=dropped_columns(), fresh=st.booleans())
def test_dropped_columns(workspace, case, fresh):
    _fuzz(workspace, case, fresh)


def test_unmutated_samples_import(workspace):
    for name, data in SAMPLES.items():
        assert _check_import(workspace, name, data, fresh=True) == 0
