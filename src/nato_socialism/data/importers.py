"""Import indicator files, as people download them, into a user data directory.

Three formats are recognised from their header:

* **World Bank** indicator CSV (``API_<CODE>_DS2_en_csv_v2_*.csv``): optional metadata
  preamble, one row per country or aggregate, one column per year; the indicator is the
  row's "Indicator Code" (:data:`WORLD_BANK_CODES`). Aggregates (:data:`WB_AGGREGATES`)
  are dropped.
* **Our World in Data** grapher CSV (``Entity,Code,Year,<value columns>``): every value
  column whose name matches :data:`OWID_COLUMNS` is imported; regions (no code, or an
  ``OWID_`` code that is not one of our former states) are dropped.
* **V-Dem** country-year CSV (full dataset or an extract such as ERT): ``country_text_id``,
  ``year`` and the variables of :data:`VDEM_VARIABLES`; ``NA`` is missing.

Files are streamed line by line (only the fields needed are kept) and checked strictly:
any undecodable, cut, mis-delimited or duplicated line, or a value that is not a
finite number in the schema's range, is a :class:`~nato_socialism.errors.UserError` naming
the file and the line (a last line without a line break is read like the others, so only a
row that was actually cut is refused). Countries are matched by code only; codes not in the data are
reported, never guessed.

Each imported series replaces its indicator for the countries the file covers: in
``countries_snapshot.csv`` by the snapshot's year rule (:data:`YEAR_RULES`), in
``country_year_panel.csv`` for the years the file covers. :func:`import_files` writes the
result with :func:`~nato_socialism.data.userdata.write_data_dir`, which validates it before
it replaces anything.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pandera.pandas as pa

from nato_socialism.data.loader import (
    DATA_DIR,
    PANEL_FILE,
    SNAPSHOT_FILE,
    PathLike,
    data_version,
    load_panel,
    load_snapshot,
)
from nato_socialism.data.schemas import SHOWN, SNAPSHOT_SCHEMA, YEAR_MAX, YEAR_MIN
from nato_socialism.data.userdata import (
    IMPORTED_HEADING,
    SOURCES_FILE,
    check_target,
    provenance_line,
    validate_data_dir,
    write_data_dir,
)
from nato_socialism.errors import UserError, suggest

WORLD_BANK = "World Bank indicator CSV"
OWID = "Our World in Data grapher CSV"
VDEM = "V-Dem country-year CSV"

# Indicator code -> (snapshot indicator, panel column or None).
WORLD_BANK_CODES: Mapping[str, tuple[str, str | None]] = {
    "SP.POP.TOTL": ("population", "population_wb"),
    "NY.GDP.PCAP.PP.KD": ("gdppc_ppp_2021intl", "gdppc_ppp_2021intl"),
    "NY.GDP.PCAP.PP.CD": ("gdppc_ppp_current_intl", None),
    "SM.POP.TOTL": ("migrant_stock", None),
    "SL.UEM.TOTL.ZS": ("unemployment_pct", None),
    "SI.POV.GINI": ("gini", None),
    "SI.POV.DDAY": ("extreme_poverty_pct", None),
    "SP.DYN.LE00.IN": ("life_expectancy", None),
    "SP.URB.TOTL.IN.ZS": ("urban_pct", None),
}
# Codes whose unit changed between World Bank releases -> what "Indicator Name" must say.
WORLD_BANK_UNITS: Mapping[str, str] = {
    "NY.GDP.PCAP.PP.KD": "constant 2021 international $",
    "SI.POV.DDAY": "$3.00 a day",
}
WB_AGGREGATES = frozenset(
    "AFE AFW ARB CEB CSS EAP EAR EAS ECA ECS EMU EUU FCS HIC HPC IBD IBT IDA IDB IDX INX LAC "
    "LCN LDC LIC LMC LMY LTE MEA MIC MNA NAC OED OSS PRE PSS PST SAS SSA SSF SST TEA TEC TLA "
    "TMN TSA TSS UMC WLD".split()
)
_WB_PREAMBLE = ("Data Source", "Last Updated Date")


class OwidColumn(NamedTuple):
    """How an OWID value column is recognised: ``pattern`` searched in its lower-cased name."""

    pattern: str
    example: str
    indicator: str
    panel_column: str | None


# First match wins, so the specific names come before the generic ones they contain.
OWID_COLUMNS: Sequence[OwidColumn] = (
    OwidColumn(
        r"gdp per capita, ppp.*constant 2021",
        "GDP per capita, PPP (constant 2021 international $)",
        "gdppc_ppp_2021intl",
        "gdppc_ppp_2021intl",
    ),
    OwidColumn(
        r"gdp per capita, ppp.*current international",
        "GDP per capita, PPP (current international $)",
        "gdppc_ppp_current_intl",
        None,
    ),
    OwidColumn(
        r"^gdp per capita$|maddison",
        "GDP per capita (Maddison)",
        "gdppc_maddison_2011intl",
        "gdppc_maddison_2011intl",
    ),
    OwidColumn(
        r"^population( \(historical( estimates)?\))?$",
        "Population (historical)",
        "population",
        "population_owid",
    ),
    OwidColumn(
        r"electoral democracy index|electdem_vdem",
        "Electoral democracy index",
        "vdem_electoral_democracy",
        "vdem_electoral_democracy",
    ),
    OwidColumn(
        r"liberal democracy index|libdem_vdem",
        "Liberal democracy index",
        "vdem_liberal_democracy",
        "vdem_liberal_democracy",
    ),
    OwidColumn(r"democracy score|democracy_eiu", "Democracy score", "eiu_democracy_index", "eiu_democracy_index"),
    OwidColumn(r"polity2|democracy \(polity\)|democracy_polity", "polity2", "polity2", "polity2"),
    OwidColumn(r"refugee.*origin", "Refugees by country of origin", "refugees_by_origin", "refugees_by_origin"),
    OwidColumn(r"refugee.*asylum", "Refugees by country of asylum", "refugees_by_asylum", "refugees_by_asylum"),
)
# Confidence bounds published next to an estimate are not the estimate.
_OWID_BOUNDS = re.compile(r"lower bound|upper bound|_low(_|$)|_high(_|$)")
# OWID's own code for a country we list under its ISO-style code.
_OWID_ALIASES = {"OWID_KOS": "XKX"}

VDEM_VARIABLES: Mapping[str, tuple[str, str | None]] = {
    "v2x_polyarchy": ("vdem_electoral_democracy", "vdem_electoral_democracy"),
    "v2x_libdem": ("vdem_liberal_democracy", "vdem_liberal_democracy"),
    "v2x_regime": ("vdem_regime_row", "vdem_regime_row"),
}
# V-Dem's own codes for former states kept in the panel (SOURCES.md), and its
# sub-national units, which are not countries of the data.
_VDEM_ALIASES = {"DDR": "OWID_GDR", "VDR": "OWID_RVN", "YMD": "OWID_YPR"}
_VDEM_SUBNATIONAL = frozenset({"PSG", "PSB", "SML", "ZZB"})
_VDEM_MISSING = frozenset({"", "NA"})

# Snapshot year rule (SOURCES.md): years in order of preference, the first with a value wins.
_RECENT = (2023, 2022, 2021, 2020, 2019, 2018, 2024, 2025)
_SURVEY = (*range(2023, 2012, -1), 2024, 2025)
_IMPORTABLE = sorted(
    {ind for ind, _ in (*WORLD_BANK_CODES.values(), *VDEM_VARIABLES.values())}
    | {column.indicator for column in OWID_COLUMNS}
)
YEAR_RULES: Mapping[str, tuple[int, ...]] = {
    **dict.fromkeys(_IMPORTABLE, _RECENT),
    "gini": _SURVEY,
    "extreme_poverty_pct": _SURVEY,
    "polity2": tuple(range(2023, 2012, -1)),
    "migrant_stock": (2024, 2023, 2022, 2021, 2020, 2019, 2018, 2025),
    "refugees_by_origin": (2023,),
    "refugees_by_asylum": (2023,),
}
# The snapshot's population is the World Bank's, OWID's only where the World Bank has none.
_POPULATION_SOURCE = {"population_wb": "WB", "population_owid": "OWID"}

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_YEAR = re.compile(r"[+-]?\d{1,6}")
# No indicator comes near this (world population is 8e9); a larger value is a broken field.
MAX_MAGNITUDE = 1e12
# The full V-Dem file has ~4,600 columns, about 40 kB a line; far longer is not a CSV of ours.
MAX_LINE_BYTES = 16 * 2**20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# (first line number, fields) of each CSV record of a file.
_Rows = Iterator[tuple[int, list[str]]]


@dataclass(frozen=True)
class SeriesReport:
    """What one imported series changed.

    Attributes
    ----------
    indicator, panel_column
        Snapshot column and panel column (``None`` if the panel has none) written.
    source
        The indicator code, column or variable it was read from.
    year_rule
        The snapshot year rule applied.
    countries_covered
        Countries of the data with at least one value of this series in the file.
    snapshot_values, snapshot_emptied, snapshot_kept
        Snapshot countries given a value; covered but without a value in the rule's years,
        so emptied; left as they were (not covered, or population kept).
    panel_values, panel_rows_added, panel_years
        Panel values written, new (iso3, year) rows, [first, last] year replaced.
    """

    indicator: str
    panel_column: str | None
    source: str
    year_rule: str
    countries_covered: int
    snapshot_values: int = 0
    snapshot_emptied: int = 0
    snapshot_kept: int = 0
    panel_values: int = 0
    panel_rows_added: int = 0
    panel_years: tuple[int, int] | None = None


@dataclass(frozen=True)
class FileReport:
    """What was read from one file.

    Attributes
    ----------
    path, format, sha256
        The file, its recognised format and the hash of its bytes.
    rows_read
        Data rows (without header, preamble and blank lines).
    countries_matched
        Distinct codes matched to countries (or former states) of the data.
    dropped
        Reason ("aggregates", "regions", "sub-national units") -> distinct entities dropped.
    unmatched
        Code (or "(no code)") -> name, for entities not in the data; not imported.
    values_outside_years
        Non-empty values for years outside 1950-2030, ignored.
    series
        One report per imported indicator.
    """

    path: str
    format: str
    sha256: str
    rows_read: int
    countries_matched: int
    dropped: dict[str, int]
    unmatched: dict[str, str]
    values_outside_years: int
    series: tuple[SeriesReport, ...]


@dataclass(frozen=True)
class ImportReport:
    """The result of :func:`import_files`: where the data went and what each file gave."""

    into: str
    base: str | None
    imported_at: str
    data_version: str
    files: tuple[FileReport, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-serialisable nested dicts."""
        return asdict(self)


def known_indicators() -> str:
    """Describe every recognised indicator per format, for messages and help."""
    world_bank = ", ".join(f"{code} ({ind})" for code, (ind, _) in WORLD_BANK_CODES.items())
    owid = ", ".join(f"{column.example!r} ({column.indicator})" for column in OWID_COLUMNS)
    vdem = ", ".join(f"{name} ({ind})" for name, (ind, _) in VDEM_VARIABLES.items())
    return f"World Bank codes: {world_bank}. OWID columns: {owid}. V-Dem variables: {vdem}."


def import_files(paths: Sequence[PathLike], into: PathLike, base_dir: PathLike | None = None) -> ImportReport:
    """Import downloaded indicator files into a new data directory ``into``.

    Parameters
    ----------
    paths
        World Bank, OWID or V-Dem CSV files as downloaded; each indicator at most once.
    into
        Folder to write; an existing data directory there is replaced only after the new
        one has validated.
    base_dir
        Data directory to start from; ``None`` for the bundled data.

    Returns
    -------
    ImportReport
        Per file: rows read, countries matched, entities dropped, unmatched codes, and per
        indicator what changed. The same facts are appended to ``SOURCES.md`` in ``into``.

    Raises
    ------
    UserError
        For a missing, unrecognised or malformed file (naming the file and line), an
        unknown indicator (listing the known ones), an indicator given twice, or an
        unsuitable ``into``.
    """
    if not paths:
        raise UserError("No file to import; name one or more downloaded CSV files.")
    check_target(into, paths, base_dir)
    if base_dir is not None:
        validate_data_dir(base_dir)  # so that a broken base is named as such
    snapshot, panel = load_snapshot(base_dir), load_panel(base_dir)
    known = frozenset(snapshot["iso3"]) | frozenset(panel["iso3"])
    readings = [_read_file(path, known) for path in paths]
    _refuse_repeats(readings)
    # Names for rows the panel lacks: the panel's own spelling, else the snapshot's.
    names = dict(zip(snapshot["iso3"], snapshot["name"], strict=True))
    names.update(zip(panel["iso3"], panel["name"], strict=True))
    panel = panel.set_index(["iso3", "year"])
    files = []
    for reading in readings:
        reports = []
        for series in reading.series:
            report = _replace_in_snapshot(snapshot, series)
            if series.panel_column is not None:
                panel, report = _replace_in_panel(panel, series, names, report)
            reports.append(report)
        files.append(reading.report(tuple(reports)))
    imported = [series for reading in readings for series in reading.series]
    if any(s.indicator == "migrant_stock" or s.panel_column == "population_wb" for s in imported):
        _derive_migrant_share(snapshot, panel)
    panel = _drop_empty_rows(panel).reset_index()
    imported_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = _provenance(files, imported_at, base_dir)
    target = write_data_dir(into, base_dir, {SNAPSHOT_FILE: snapshot, PANEL_FILE: panel}, text, paths)
    return ImportReport(
        into=str(target),
        base=None if base_dir is None else str(base_dir),
        imported_at=imported_at,
        data_version=data_version(target),
        files=tuple(files),
    )


def _read_file(path: PathLike, known: Collection[str]) -> _Reading:
    """Recognise the format of ``path`` and read its series for the countries in ``known``.

    Raises
    ------
    UserError
        If the file cannot be read, is not one of the three formats, is malformed or holds
        no known indicator.
    """
    source = _Source(Path(path))
    rows = source.rows()
    # The first row that is not the World Bank's metadata preamble is the header.
    line, header = next(((n, row) for n, row in rows if row[0].strip() not in _WB_PREAMBLE), (0, []))
    if not header:
        raise source.error("the file holds no header and no data (empty?)")
    header = [name.strip() for name in header]
    lowered = {name.lower() for name in header}
    if "country_text_id" in lowered:
        reader = _read_vdem
    elif lowered & {"country code", "indicator code"}:
        reader = _read_world_bank
    elif "entity" in lowered:
        reader = _read_owid
    else:
        raw = ",".join(header)
        hint = next(
            (f" The fields seem separated by {sep!r}: save the file with ','." for sep in ";\t|" if sep in raw),
            "",
        )
        raise source.error(
            'not a recognised file: expected a World Bank indicator CSV (header "Country Name",'
            '"Country Code","Indicator Name","Indicator Code","1960",...), an Our World in '
            "Data grapher CSV (Entity,Code,Year,...) or a V-Dem country-year CSV (country_text_id,"
            f"year,...); the header is {raw[:120]!r}.{hint}",
            line,
        )
    reading = reader(source, rows, line, header, frozenset(known))
    if not reading.rows_read:
        raise source.error(f"no data rows after the header on line {line}; is the file truncated?")
    if not reading.matched:
        unmatched = ", ".join(reading.unmatched) or "none"
        raise source.error(f"no row is a country of the data (unmatched codes: {unmatched})")
    for series in reading.series:
        _check_values(series, source)
    return reading


class _Source:
    """One input file, read once: decoded line by line, hashed, split into CSV fields."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = hashlib.sha256()
        self.unterminated: int | None = None  # the last line, if no line break follows it

    def error(self, message: str, line: int | None = None) -> UserError:
        where = f", line {line}" if line is not None else ""
        if line is not None and line == self.unterminated:
            message += " (the file ends in this line without a line break: the download may be cut; download it again)"
        return UserError(f"{self.path}{where}: {message}")

    def rows(self) -> _Rows:
        """Yield (first line number, fields) for every non-blank CSV record."""
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed by the with below
        except OSError as exc:
            raise UserError(f"Cannot read {self.path}: {exc.strerror or exc}.") from None
        with handle:
            reader = csv.reader(self._lines(handle), strict=True)
            start = 1
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise self.error(f"not valid CSV: {exc}", reader.line_num) from None
                if fields:
                    yield start, fields
                start = reader.line_num + 1

    def _lines(self, handle: Any) -> Iterator[str]:
        for number in itertools.count(1):
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            self.digest.update(raw)
            if len(raw) > MAX_LINE_BYTES:
                raise self.error(f"line longer than {MAX_LINE_BYTES // 2**20} MiB; not a CSV table", number)
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise self.error(
                    f"byte 0x{raw[exc.start]:02X} (byte {exc.start + 1} of the line) is not UTF-8; "
                    "expected UTF-8 text as downloaded (was the file re-saved in another encoding?)",
                    number,
                ) from None
            if control := _CONTROL.search(text):
                raise self.error(
                    f"control character {control.group()!r} (character {control.start() + 1}); "
                    "expected CSV text, not binary data",
                    number,
                )
            if not text.endswith("\n"):  # only the last line can end without a line break
                if "\r" in text.rstrip("\r"):
                    raise self.error(
                        "lines end in a bare CR (old Mac line endings); save the file with LF or CRLF line breaks",
                        number,
                    )
                # Many real downloads end so; the row is checked like any other (field count,
                # values), so only a row that was actually cut is refused.
                self.unterminated = number
            yield text


@dataclass
class _Series:
    """One indicator read from one file, as (iso3, year, value, line) records.

    There is a record per cell the file states for a matched country, NaN where the file
    leaves the cell empty.
    """

    indicator: str
    panel_column: str | None
    source: str
    records: list[tuple[str, int, float, int]] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """Return the records, keeping only countries with at least one value.

        A country listed without any value (a World Bank row of empty fields, a country of
        another column of an OWID file) says nothing about this indicator: it keeps its data.
        """
        frame = pd.DataFrame(self.records, columns=["iso3", "year", "value", "line"])
        covered = frame.loc[frame["value"].notna(), "iso3"].unique()
        return frame[frame["iso3"].isin(covered)]


@dataclass
class _Reading:
    """What a reader collects from one file: series plus matching statistics."""

    source: _Source
    format: str
    known: frozenset[str]
    aliases: Mapping[str, str] = field(default_factory=dict)
    series: list[_Series] = field(default_factory=list)
    rows_read: int = 0
    matched: set[str] = field(default_factory=set)
    dropped: dict[str, set[str]] = field(default_factory=dict)
    unmatched: dict[str, str] = field(default_factory=dict)
    values_outside_years: int = 0
    _seen: dict[tuple[str, ...], int] = field(default_factory=dict)

    def once(self, key: tuple[str, ...], line: int, what: str) -> None:
        """Refuse a second row for the same ``key`` (e.g. country and year)."""
        first = self._seen.setdefault(key, line)
        if first != line:
            raise self.source.error(f"{what} appears twice, on lines {first} and {line}", line)

    def match(self, code: str, name: str, dropped_as: str | None = None) -> str | None:
        """Return the iso3 of a row's entity, or None (counted as dropped or unmatched)."""
        if dropped_as is not None:
            self.dropped.setdefault(dropped_as, set()).add(code or name)
            return None
        iso3 = self.aliases.get(code, code)
        if iso3 in self.known:
            self.matched.add(iso3)
            return iso3
        # Shown in SOURCES.md and messages: one line, and short even for a garbled field.
        self.unmatched.setdefault(" ".join(code.split())[:40] or "(no code)", " ".join(name.split())[:80])
        return None

    def number(self, text: str, line: int, column: str, missing: Collection[str] = ("",)) -> float | None:
        """Parse one value field: None if missing, else a finite number of sane size."""
        text = text.strip()
        if text in missing:
            return None
        if not _NUMBER.fullmatch(text):
            raise self.source.error(
                f"column {column!r}: expected a number or an empty field, found {text[:40]!r}", line
            )
        value = float(text)
        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
            raise self.source.error(
                f"column {column!r}: {text[:40]!r} is not a plausible value (expected a number "
                f"below {MAX_MAGNITUDE:g} in size)",
                line,
            )
        return value

    def report(self, series: tuple[SeriesReport, ...]) -> FileReport:
        return FileReport(
            path=str(self.source.path),
            format=self.format,
            sha256=self.source.digest.hexdigest(),
            rows_read=self.rows_read,
            countries_matched=len(self.matched),
            dropped={reason: len(names) for reason, names in sorted(self.dropped.items())},
            unmatched=dict(sorted(self.unmatched.items())),
            values_outside_years=self.values_outside_years,
            series=series,
        )


def _columns(source: _Source, line: int, header: list[str], required: Sequence[str]) -> list[int]:
    """Return the positions of ``required`` header names; refuse missing or repeated ones."""
    lowered = [name.lower() for name in header]
    positions = []
    for name in required:
        count = lowered.count(name.lower())
        if count != 1:
            problem = "is missing" if count == 0 else "appears more than once"
            raise source.error(
                f"column {name!r} {problem} in the header; expected the columns {', '.join(repr(n) for n in required)}",
                line,
            )
        positions.append(lowered.index(name.lower()))
    return positions


def _records(source: _Source, rows: _Rows, header_line: int, width: int) -> _Rows:
    """Yield the data rows, refusing any whose field count differs from the header's."""
    for line, fields in rows:
        if len(fields) != width:
            raise source.error(
                f"expected {width} fields as in the header (line {header_line}), found "
                f"{len(fields)}; is the file truncated, or separated by something other than ','?",
                line,
            )
        yield line, fields


def _read_world_bank(
    source: _Source, rows: _Rows, header_line: int, header: list[str], known: frozenset[str]
) -> _Reading:
    name_at, code_at, indicator_at = _columns(
        source, header_line, header, ("Country Name", "Country Code", "Indicator Code")
    )
    unit_at = header.index("Indicator Name") if "Indicator Name" in header else None
    years = {at: int(name) for at, name in enumerate(header) if re.fullmatch(r"\d{4}", name)}
    if not years:
        raise source.error('no year columns ("1960", ..., "2023") in the header', header_line)
    kept = {at: year for at, year in years.items() if YEAR_MIN <= year <= YEAR_MAX}
    reading = _Reading(source, WORLD_BANK, known)
    by_code: dict[str, _Series] = {}
    for line, fields in _records(source, rows, header_line, len(header)):
        reading.rows_read += 1
        code, name, indicator_code = (fields[at].strip() for at in (code_at, name_at, indicator_at))
        series = by_code.get(indicator_code)
        if series is None:
            series = by_code[indicator_code] = _world_bank_series(
                reading, indicator_code, None if unit_at is None else fields[unit_at], line
            )
        reading.once((indicator_code, code or name), line, f"{indicator_code} for {code or name!r}")
        values = {}
        for at, year in years.items():
            value = reading.number(fields[at], line, header[at])
            if value is not None and at not in kept:
                reading.values_outside_years += 1
            elif value is not None:
                values[year] = value
        iso3 = reading.match(code, name, "aggregates" if code in WB_AGGREGATES else None)
        if iso3 is not None:
            series.records.extend((iso3, year, values.get(year, np.nan), line) for year in kept.values())
    return reading


def _world_bank_series(reading: _Reading, code: str, unit: str | None, line: int) -> _Series:
    """Start the series of World Bank indicator ``code``; refuse unknown codes and old units."""
    if code not in WORLD_BANK_CODES:
        raise reading.source.error(
            f"unknown indicator code {code!r}.{suggest(code, WORLD_BANK_CODES)} Known: " + known_indicators(),
            line,
        )
    expected = WORLD_BANK_UNITS.get(code)
    if expected is not None and unit is not None and expected not in unit:
        raise reading.source.error(
            f"{code} is {unit.strip()!r}; the data need {expected!r} (a current World Bank download)",
            line,
        )
    indicator, panel_column = WORLD_BANK_CODES[code]
    series = _Series(indicator, panel_column, code)
    reading.series.append(series)
    return series


def _read_owid(source: _Source, rows: _Rows, header_line: int, header: list[str], known: frozenset[str]) -> _Reading:
    entity_at, code_at, year_at = _columns(source, header_line, header, ("Entity", "Code", "Year"))
    reading = _Reading(source, OWID, known, _OWID_ALIASES)
    columns: dict[int, _Series] = {}
    for at, name in enumerate(header):
        lowered = name.lower()
        if at in (entity_at, code_at, year_at) or _OWID_BOUNDS.search(lowered):
            continue
        for pattern, _, indicator, panel_column in OWID_COLUMNS:
            if re.search(pattern, lowered):
                twin = next((s for s in columns.values() if s.indicator == indicator), None)
                if twin is not None:
                    raise source.error(
                        f"columns {twin.source!r} and {name!r} both hold {indicator}; keep one",
                        header_line,
                    )
                columns[at] = _Series(indicator, panel_column, name)
                break
    if not columns:
        others = [name for at, name in enumerate(header) if at not in (entity_at, code_at, year_at)]
        raise source.error(
            f"no known indicator among the columns {others}. Known: {known_indicators()}",
            header_line,
        )
    reading.series.extend(columns.values())

    def dropped_as(code: str) -> str | None:
        is_region = code.startswith("OWID_") and code not in _OWID_ALIASES and code not in known
        return "regions" if not code or is_region else None

    _read_long(reading, rows, header_line, len(header), (code_at, entity_at, year_at), columns, dropped_as)
    return reading


def _read_vdem(source: _Source, rows: _Rows, header_line: int, header: list[str], known: frozenset[str]) -> _Reading:
    code_at, year_at = _columns(source, header_line, header, ("country_text_id", "year"))
    name_at = header.index("country_name") if "country_name" in header else code_at
    variables = {at: VDEM_VARIABLES[name] for at, name in enumerate(header) if name in VDEM_VARIABLES}
    if not variables:
        raise source.error(
            f"none of the known V-Dem variables {', '.join(VDEM_VARIABLES)} is a column. Known: " + known_indicators(),
            header_line,
        )
    rows = iter(rows)
    first = next(rows, None)
    # R's write.table leaves the row-name column out of the header: one more field per row.
    shift = 1 if first is not None and len(first[1]) == len(header) + 1 else 0
    reading = _Reading(source, VDEM, known, _VDEM_ALIASES)
    columns = {at + shift: _Series(ind, panel, header[at]) for at, (ind, panel) in variables.items()}
    reading.series.extend(columns.values())
    positions = (code_at + shift, name_at + shift, year_at + shift)
    rows = itertools.chain([first] if first is not None else [], rows)

    def dropped_as(code: str) -> str | None:
        return "sub-national units" if code in _VDEM_SUBNATIONAL else None

    _read_long(reading, rows, header_line, len(header) + shift, positions, columns, dropped_as, _VDEM_MISSING)
    return reading


def _read_long(
    reading: _Reading,
    rows: _Rows,
    header_line: int,
    width: int,
    positions: tuple[int, int, int],
    columns: Mapping[int, _Series],
    dropped_as: Callable[[str], str | None],
    missing: Collection[str] = ("",),
) -> None:
    """Read country-year rows (OWID, V-Dem): one value per indicator column and row."""
    for line, fields in _records(reading.source, rows, header_line, width):
        reading.rows_read += 1
        code, name, year_text = (fields[at].strip() for at in positions)
        if not _YEAR.fullmatch(year_text):
            raise reading.source.error(f"column 'year': expected a whole year, found {year_text[:40]!r}", line)
        year = int(year_text)
        reading.once((code or name, str(year)), line, f"{code or name!r} in {year}")
        values = {at: reading.number(fields[at], line, series.source, missing) for at, series in columns.items()}
        if not YEAR_MIN <= year <= YEAR_MAX:
            reading.values_outside_years += sum(value is not None for value in values.values())
            continue
        iso3 = reading.match(code, name, dropped_as(code))
        if iso3 is not None:
            for at, series in columns.items():
                value = values[at]
                series.records.append((iso3, year, np.nan if value is None else value, line))


def _refuse_repeats(readings: Sequence[_Reading]) -> None:
    """Refuse two series writing the same snapshot or panel column."""
    seen: dict[tuple[str, str | None], Path] = {}
    for reading in readings:
        for series in reading.series:
            key = (series.indicator, series.panel_column)
            if key in seen:
                raise UserError(
                    f"{seen[key]} and {reading.source.path} both hold {series.indicator}; import one of them."
                )
            seen[key] = reading.source.path


def _check_values(series: _Series, source: _Source) -> None:
    """Check the series' values against the schema's column for its indicator."""
    frame = series.frame().dropna(subset=["value"])
    column = SNAPSHOT_SCHEMA.columns[series.indicator]
    try:
        pa.DataFrameSchema({series.indicator: column}).validate(
            frame[["value"]].rename(columns={"value": series.indicator}), lazy=True
        )
    except pa.errors.SchemaErrors as exc:
        rows = exc.failure_cases["index"].dropna().astype(int).drop_duplicates()
        found = ", ".join(
            f"{frame.at[row, 'value']:g} (line {frame.at[row, 'line']}, {frame.at[row, 'iso3']} "
            f"{frame.at[row, 'year']})"
            for row in rows.iloc[:SHOWN]
        )
        more = f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
        raise source.error(
            f"{series.source} ({series.indicator}): expected "
            f"{column.description.replace(' (or empty)', '')}; found {found}{more}"
        ) from None


def _replace_in_snapshot(snapshot: pd.DataFrame, series: _Series) -> SeriesReport:
    """Set the indicator of the covered countries by the year rule; return what changed."""
    rule = YEAR_RULES[series.indicator]
    frame = series.frame()
    covered = frame["iso3"].unique()
    ranked = frame.dropna(subset=["value"]).assign(
        rank=lambda f: f["year"].map({year: rank for rank, year in enumerate(rule)})
    )
    chosen = ranked.dropna(subset=["rank"]).sort_values("rank", kind="stable")
    chosen = chosen.drop_duplicates("iso3").set_index("iso3")
    rows = snapshot["iso3"].isin(covered)
    source_label = _POPULATION_SOURCE.get(series.panel_column or "")
    if series.indicator == "population":
        if source_label == "OWID":
            rows &= snapshot["population_source"] == "OWID"
        rows &= snapshot["iso3"].isin(chosen.index)  # population may not be empty: keep the old
    codes = snapshot.loc[rows, "iso3"]
    snapshot.loc[rows, series.indicator] = codes.map(chosen["value"]).to_numpy(dtype=float)
    snapshot.loc[rows, f"{series.indicator}_year"] = codes.map(chosen["year"]).to_numpy(dtype=float)
    if series.indicator == "population":
        snapshot.loc[rows, "population_source"] = source_label
    given = int(codes.isin(chosen.index).sum())
    return SeriesReport(
        indicator=series.indicator,
        panel_column=series.panel_column,
        source=series.source,
        year_rule=_describe_rule(rule),
        countries_covered=len(covered),
        snapshot_values=given,
        snapshot_emptied=int(rows.sum()) - given,
        snapshot_kept=len(snapshot) - int(rows.sum()),
    )


def _replace_in_panel(
    panel: pd.DataFrame, series: _Series, names: Mapping[str, str], report: SeriesReport
) -> tuple[pd.DataFrame, SeriesReport]:
    """Write the file's cells of the covered entities into the panel; an empty cell clears."""
    column = series.panel_column
    frame = series.frame()
    if frame.empty:
        return panel, report
    keys = pd.MultiIndex.from_arrays([frame["iso3"].astype(str), frame["year"].astype(float)], names=["iso3", "year"])
    added = keys[frame["value"].notna().to_numpy()].difference(panel.index)
    if len(added):
        panel = panel.reindex(panel.index.union(added))
        new = panel.index.isin(added)
        codes = panel.index.get_level_values("iso3")[new]
        panel.loc[new, "name"] = codes.map(names)
        panel.loc[new, "historical_entity"] = codes.str.startswith("OWID_")
        panel["historical_entity"] = panel["historical_entity"].astype(bool)
    present = keys.isin(panel.index)  # an empty cell without a row needs none
    panel.loc[keys[present], column] = frame["value"].to_numpy()[present]
    return panel, SeriesReport(
        **{
            **asdict(report),
            "panel_values": int(frame["value"].notna().sum()),
            "panel_rows_added": len(added),
            "panel_years": (int(frame["year"].min()), int(frame["year"].max())),
        }
    )


def _derive_migrant_share(snapshot: pd.DataFrame, panel: pd.DataFrame) -> None:
    """Recompute migrant_stock_pct: migrant stock / World Bank population of its year x 100."""
    keys = pd.MultiIndex.from_arrays([snapshot["iso3"], snapshot["migrant_stock_year"]])
    population = panel["population_wb"].reindex(keys).to_numpy()
    # Rounded like the bundled column, so unchanged countries keep their exact value.
    snapshot["migrant_stock_pct"] = (snapshot["migrant_stock"] / population * 100).round(3)


def _drop_empty_rows(panel: pd.DataFrame) -> pd.DataFrame:
    """Drop panel rows left without any value; the panel holds rows with at least one."""
    values = panel.drop(columns=["name", "historical_entity"])
    return panel[values.notna().any(axis=1)]


def _describe_rule(years: Sequence[int]) -> str:
    """Describe a year preference list, e.g. "latest of 2018-2023, else earliest of 2024-2025"."""
    runs: list[list[int]] = []
    for year in years:
        run = runs[-1] if runs else None
        if run and abs(year - run[-1]) == 1 and (len(run) == 1 or year - run[-1] == run[1] - run[0]):
            run.append(year)
        else:
            runs.append([year])
    parts = []
    for run in runs:
        if len(run) == 1:
            parts.append(str(run[0]))
        else:
            which = "latest" if run[1] < run[0] else "earliest"
            parts.append(f"{which} of {min(run)}-{max(run)}")
    return ", else ".join(parts)


def _provenance(files: Sequence[FileReport], imported_at: str, base_dir: PathLike | None) -> str:
    """Return the Markdown appended to SOURCES.md: one line per imported indicator."""
    base_sources = (DATA_DIR if base_dir is None else Path(base_dir)) / SOURCES_FILE
    known = base_sources.is_file() and IMPORTED_HEADING in base_sources.read_text(encoding="utf-8", errors="replace")
    lines = [] if known else [
        "",
        IMPORTED_HEADING,
        "",
        "Written by `nato-socialism data import`. Each line is one indicator from one file. For",
        "the countries with a value in the file it replaced the indicator in",
        "`countries_snapshot.csv` by the year rule shown, and in `country_year_panel.csv` for",
        "every year the file states (an empty field there clears the value).",
        "",
    ]  # fmt: skip
    for file in files:
        facts = [f"rows read: {file.rows_read:,}", f"countries matched: {file.countries_matched}"]
        facts += [f"{reason} dropped: {count}" for reason, count in file.dropped.items()]
        if file.values_outside_years:
            facts.append(f"values outside {YEAR_MIN}-{YEAR_MAX} ignored: {file.values_outside_years:,}")
        unmatched = ", ".join(f"{code} ({name})" for code, name in file.unmatched.items())
        facts.append(f"unmatched, not imported: {unmatched or 'none'}")
        for series in file.series:
            changes = (
                f"snapshot ({series.year_rule}): set: {series.snapshot_values}, "
                f"emptied: {series.snapshot_emptied}, kept: {series.snapshot_kept}"
            )
            if series.panel_years is not None:
                first, last = series.panel_years
                changes += (
                    f"; panel `{series.panel_column}` {first}-{last}: values: "
                    f"{series.panel_values:,}, rows added: {series.panel_rows_added:,}"
                )
            lines.append(
                provenance_line(
                    series.indicator,
                    f"`{Path(file.path).name}` ({file.format}, {series.source}), sha256 "
                    f"{file.sha256}, imported {imported_at}; {'; '.join(facts)}; {changes}.",
                )
            )
    return "\n".join(lines) + "\n"
