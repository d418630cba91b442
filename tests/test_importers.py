"""`nato-socialism data import/show/diff`: real-format downloads land in a valid data folder."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from nato_socialism.cli.app import main
from nato_socialism.data import build_world, load_panel, load_snapshot
from nato_socialism.data.importers import import_files
from nato_socialism.data.userdata import describe_data_dir, diff_data_dirs, provenance
from nato_socialism.errors import UserError

WB_YEARS = list(range(1960, 2025))


def _quoted(fields):
    return ",".join(f'"{field}"' for field in fields) + ","


def world_bank_csv(rows=None, code="NY.GDP.PCAP.PP.KD", preamble=True):
    """A World Bank API download: BOM, CRLF, preamble, all quoted, trailing comma, aggregates."""
    name = {
        "NY.GDP.PCAP.PP.KD": "GDP per capita, PPP (constant 2021 international $)",
        "SL.UEM.TOTL.ZS": "Unemployment, total (% of total labor force) (modeled ILO estimate)",
        "SP.POP.TOTL": "Population, total",
        "XX.UNKNOWN.CODE": "Something else",
    }[code]
    rows = rows or {
        ("Afghanistan", "AFG"): {2010: 2800.5, 2022: 1900.25, 2023: 1992.75},
        ("Cuba", "CUB"): {2019: 9000.0, 2020: 8500.5},  # no 2023: latest of 2018-2022
        ("Eritrea", "ERI"): {2015: 1700.0, 2024: 1800.0},  # only after 2023: 2024
        ("Egypt, Arab Rep.", "EGY"): {2010: 12000.0},  # none in the rule's years: emptied
        ("Bhutan", "BTN"): {},  # listed without any value: says nothing, kept
        ("Côte d'Ivoire", "CIV"): {2023: 6500.0},
        ("Türkiye", "TUR"): {2023: 38000.0},
        ("Curaçao", "CUW"): {2023: 30000.0},  # not a country of ours: reported
        ("World", "WLD"): {2023: 21000.0},  # aggregates: dropped
        ("High income", "HIC"): {2023: 60000.0},
    }
    lines = [_quoted(["Country Name", "Country Code", "Indicator Name", "Indicator Code", *WB_YEARS])]
    for (country, iso3), values in rows.items():
        cells = ["" if values.get(y) is None else repr(values[y]) for y in WB_YEARS]
        lines.append(_quoted([country, iso3, name, code, *cells]))
    head = ['"Data Source","World Development Indicators",', "", '"Last Updated Date","2025-07-01",', ""]
    text = "\r\n".join((head if preamble else []) + lines) + "\r\n"
    return "\ufeff".encode() + text.encode("utf-8")


def owid_csv():
    """An OWID grapher download: quoted comma name, extra columns, regions, blank values."""
    return (
        'Entity,Code,Year,"GDP per capita, PPP (constant 2021 international $)",'
        "World region according to OWID,Continent\n"
        "Afghanistan,AFG,2021,2100.5,,\n"
        "Afghanistan,AFG,2022,2001.5,,\n"
        "Afghanistan,AFG,2023,,Asia,Asia\n"  # blank value: 2022 is used
        "Africa,,2023,5000.1,,\n"  # region without code: dropped
        "World,OWID_WRL,2023,21000.0,,\n"  # OWID_ region: dropped
        "Kosovo,OWID_KOS,2023,14000.0,Europe,Europe\n"  # OWID's code for XKX
        "Côte d'Ivoire,CIV,2023,6600.0,Africa,Africa\n"
        "Hong Kong,HKG,2023,70000.0,Asia,Asia\n"  # not a country of ours: reported
    ).encode()


def owid_multi_csv():
    """OWID co2-vs-gdp style: Maddison GDP and population in one file, plus a CO2 column."""
    return (
        "Entity,Code,Year,Annual CO₂ emissions (per capita),GDP per capita,900793-annotations,"
        "Population (historical),World regions according to OWID\n"
        "Afghanistan,AFG,-10000,,,,14737,\n"
        "Afghanistan,AFG,2022,0.26,1400,,40578801,\n"
        "Afghanistan,AFG,2023,0.27,,,41454709,Asia\n"
        "Taiwan,TWN,2023,11.1,,,23400000,Asia\n"
        "USSR,OWID_USS,1990,10.2,7000,,290000000,\n"
        "Europe,,2023,7.1,,,744000000,\n"
    ).encode()


def vdem_csv():
    """A V-Dem/ERT extract as R writes it: unnamed row-name column, NA, V-Dem's own codes."""
    header = [
        "", "country_id", "country_text_id", "country_name", "year",
        "v2x_regime", "v2x_polyarchy", "v2x_polyarchy_codelow", "reg_type",
    ]  # fmt: skip
    rows = [
        (3, "MEX", "Mexico", 1900, "0", "0.124", "0.112", "0"),  # before 1950: ignored
        (3, "MEX", "Mexico", 2023, "2", "0.6", "0.55", "1"),
        (3, "MEX", "Mexico", 2024, "2", "0.58", "0.53", "1"),
        (124, "NAM", "Namibia", 2023, "2", "0.7", "NA", "NA"),  # ISO2 "NA", ISO3 NAM
        (125, "ZWE", "Zimbabwe", 2010, "1", "0.3", "0.25", "0"),
        (125, "ZWE", "Zimbabwe", 2023, "NA", "NA", "NA", "NA"),  # none in 2018-2025: emptied
        (26, "BTN", "Bhutan", 2023, "NA", "NA", "NA", "NA"),  # no value at all: kept
        (47, "DDR", "German Democratic Republic", 1989, "0", "0.2", "0.1", "0"),
        (35, "VDR", "Republic of Vietnam", 1953, "1", "0.3", "0.2", "0"),  # new panel row
        (138, "PSG", "Palestine/Gaza", 2023, "1", "0.2", "0.1", "0"),  # sub-national: dropped
        (139, "SML", "Somaliland", 2023, "1", "0.4", "0.3", "0"),
        (140, "HKG", "Hong Kong", 2023, "1", "0.3", "0.2", "0"),  # no match: reported
    ]
    lines = [",".join(f'"{h}"' for h in header)]
    for i, (cid, code, name, year, *values) in enumerate(rows, start=1):
        lines.append(",".join([f'"{i}"', str(cid), f'"{code}"', f'"{name}"', str(year), *values]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _row(frame, iso3, year=None):
    rows = frame[frame["iso3"] == iso3]
    if year is not None:
        rows = rows[rows["year"] == year]
    assert len(rows) == 1, (iso3, year, len(rows))
    return rows.iloc[0]


def test_world_bank_download_lands_in_snapshot_and_panel(tmp_path):
    path = _write(tmp_path, "API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_1.csv", world_bank_csv())
    into = tmp_path / "data"
    report = import_files([path], into)

    (file,) = report.files
    assert file.format == "World Bank indicator CSV"
    assert file.rows_read == 10
    assert file.dropped == {"aggregates": 2}
    assert file.unmatched == {"CUW": "Curaçao"}
    assert file.countries_matched == 7
    (series,) = file.series
    assert (series.indicator, series.panel_column) == ("gdppc_ppp_2021intl", "gdppc_ppp_2021intl")
    assert (series.countries_covered, series.snapshot_values, series.snapshot_emptied) == (6, 5, 1)
    assert series.snapshot_kept == 197 - 6

    bundled, snapshot = load_snapshot(), load_snapshot(into)
    for iso3, value, year in [
        ("AFG", 1992.75, 2023), ("CUB", 8500.5, 2020), ("ERI", 1800.0, 2024), ("CIV", 6500.0, 2023),
    ]:  # fmt: skip
        row = _row(snapshot, iso3)
        assert (row["gdppc_ppp_2021intl"], row["gdppc_ppp_2021intl_year"]) == (value, year)
    assert np.isnan(_row(snapshot, "EGY")["gdppc_ppp_2021intl"])
    assert np.isnan(_row(snapshot, "EGY")["gdppc_ppp_2021intl_year"])
    # Countries the file does not cover keep their values; other columns are untouched.
    for iso3 in ("USA", "BTN"):
        assert _row(snapshot, iso3)["gdppc_ppp_2021intl"] == _row(bundled, iso3)["gdppc_ppp_2021intl"]
    assert snapshot.drop(columns=["gdppc_ppp_2021intl", "gdppc_ppp_2021intl_year"]).equals(
        bundled.drop(columns=["gdppc_ppp_2021intl", "gdppc_ppp_2021intl_year"])
    )

    panel = load_panel(into)
    assert _row(panel, "AFG", 2010)["gdppc_ppp_2021intl"] == 2800.5
    assert np.isnan(_row(panel, "AFG", 2015)["gdppc_ppp_2021intl"])  # replaced by the file's gap
    assert _row(panel, "ERI", 2024)["gdppc_ppp_2021intl"] == 1800.0
    for iso3 in ("USA", "BTN"):
        mine = panel[panel["iso3"] == iso3]["gdppc_ppp_2021intl"]
        assert mine.equals(load_panel()[lambda p, c=iso3: p["iso3"] == c]["gdppc_ppp_2021intl"])

    world = build_world(data_dir=into)
    assert world.gdppc[world.index("CUB")] == 8500.5
    assert not world.imputed.loc["CUB", "gdppc"]


def test_world_bank_without_preamble_and_other_indicator(tmp_path):
    rows = {("Mexico", "MEX"): {2022: 3.0, 2023: 2.75}, ("Andorra", "AND"): {2021: 1.5}}
    path = _write(tmp_path, "unemployment.csv", world_bank_csv(rows, "SL.UEM.TOTL.ZS", preamble=False))
    import_files([path], tmp_path / "data")
    snapshot = load_snapshot(tmp_path / "data")
    assert tuple(_row(snapshot, "MEX")[["unemployment_pct", "unemployment_pct_year"]]) == (2.75, 2023)
    assert tuple(_row(snapshot, "AND")[["unemployment_pct", "unemployment_pct_year"]]) == (1.5, 2021)


def test_owid_download_drops_regions_and_reads_quoted_column(tmp_path):
    path = _write(tmp_path, "gdp-per-capita-worldbank.csv", owid_csv())
    report = import_files([path], tmp_path / "data")
    (file,) = report.files
    assert file.format == "Our World in Data grapher CSV"
    assert file.dropped == {"regions": 2}
    assert file.unmatched == {"HKG": "Hong Kong"}
    assert file.series[0].source == "GDP per capita, PPP (constant 2021 international $)"

    snapshot = load_snapshot(tmp_path / "data")
    assert tuple(_row(snapshot, "AFG")[["gdppc_ppp_2021intl", "gdppc_ppp_2021intl_year"]]) == (
        2001.5,
        2022,
    )
    assert _row(snapshot, "XKX")["gdppc_ppp_2021intl"] == 14000.0
    panel = load_panel(tmp_path / "data")
    assert _row(panel, "AFG", 2021)["gdppc_ppp_2021intl"] == 2100.5
    assert np.isnan(_row(panel, "AFG", 2023)["gdppc_ppp_2021intl"])
    build_world(data_dir=tmp_path / "data")


def test_owid_file_with_two_indicators_imports_both(tmp_path):
    path = _write(tmp_path, "co2-emissions-vs-gdp.csv", owid_multi_csv())
    report = import_files([path], tmp_path / "data")
    (file,) = report.files
    assert {s.indicator for s in file.series} == {"gdppc_maddison_2011intl", "population"}
    assert file.values_outside_years == 1  # the population of -10000
    snapshot, bundled = load_snapshot(tmp_path / "data"), load_snapshot()
    # The snapshot's population is the World Bank's; OWID's only replaces OWID-sourced rows.
    assert _row(snapshot, "AFG")["population"] == _row(bundled, "AFG")["population"]
    assert tuple(_row(snapshot, "TWN")[["population", "population_source"]]) == (23400000, "OWID")
    assert tuple(_row(snapshot, "AFG")[["gdppc_maddison_2011intl", "gdppc_maddison_2011intl_year"]]) == (
        1400,
        2022,
    )
    panel = load_panel(tmp_path / "data")
    assert _row(panel, "AFG", 2023)["population_owid"] == 41454709
    assert _row(panel, "AFG", 2023)["population_wb"] == _row(load_panel(), "AFG", 2023)["population_wb"]
    assert _row(panel, "OWID_USS", 1990)["gdppc_maddison_2011intl"] == 7000
    # TWN is in the file for its population only: its Maddison values stay.
    maddison = ["gdppc_maddison_2011intl", "gdppc_maddison_2011intl_year"]
    assert _row(snapshot, "TWN")[maddison].equals(_row(bundled, "TWN")[maddison])
    build_world(data_dir=tmp_path / "data")


def test_vdem_extract_with_row_names_na_and_vdem_codes(tmp_path):
    path = _write(tmp_path, "ert.csv", vdem_csv())
    report = import_files([path], tmp_path / "data")
    (file,) = report.files
    assert file.format == "V-Dem country-year CSV"
    assert file.dropped == {"sub-national units": 2}
    assert file.rows_read == 12
    assert file.unmatched == {"HKG": "Hong Kong"}
    assert file.values_outside_years == 2
    assert {s.indicator for s in file.series} == {"vdem_regime_row", "vdem_electoral_democracy"}

    snapshot = load_snapshot(tmp_path / "data")
    mex = _row(snapshot, "MEX")
    assert (mex["vdem_electoral_democracy"], mex["vdem_electoral_democracy_year"]) == (0.6, 2023)
    assert (mex["vdem_regime_row"], mex["vdem_regime_row_year"]) == (2, 2023)
    assert _row(snapshot, "NAM")["vdem_electoral_democracy"] == 0.7
    assert np.isnan(_row(snapshot, "ZWE")["vdem_electoral_democracy"])
    bundled = load_snapshot()
    assert _row(snapshot, "BTN")["vdem_electoral_democracy"] == _row(bundled, "BTN")["vdem_electoral_democracy"]

    panel = load_panel(tmp_path / "data")
    assert _row(panel, "MEX", 2024)["vdem_electoral_democracy"] == 0.58
    assert _row(panel, "ZWE", 2010)["vdem_electoral_democracy"] == 0.3
    # Only the cells the file states are replaced: ZWE 2011 and BTN keep their values.
    for iso3, year in (("ZWE", 2011), ("BTN", 2023)):
        assert _row(panel, iso3, year)["vdem_regime_row"] == _row(load_panel(), iso3, year)["vdem_regime_row"]
    assert _row(panel, "OWID_GDR", 1989)["vdem_electoral_democracy"] == 0.2
    rvn = _row(panel, "OWID_RVN", 1953)  # a row the panel did not have
    assert rvn["historical_entity"] and rvn["name"] == _row(panel, "OWID_RVN", 1960)["name"]
    assert rvn["vdem_regime_row"] == 1
    world = build_world(data_dir=tmp_path / "data")
    assert world.imputed.loc["ZWE", "democracy"]


def test_provenance_is_appended_to_sources(tmp_path):
    path = _write(tmp_path, "API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2_1.csv", world_bank_csv())
    report = import_files([path], tmp_path / "data")
    text = (tmp_path / "data" / "SOURCES.md").read_text(encoding="utf-8")
    assert text.startswith("# Country data: sources and provenance")
    (line,) = [ln for ln in text.splitlines() if ln.startswith("- `gdppc_ppp_2021intl` from")]
    assert report.files[0].sha256 in line
    assert report.imported_at in line and report.imported_at.endswith("Z")
    facts = ("rows read: 10", "countries matched: 7", "aggregates dropped: 2", "CUW (Curaçao)")
    for fact in facts:
        assert fact in line
    lines = provenance(tmp_path / "data")["gdppc_ppp_2021intl"]
    assert len(lines) == 2 and "constant 2021" in lines[0]  # the bundled table row, then ours


def test_import_on_top_of_an_earlier_import_keeps_both(tmp_path):
    first = tmp_path / "first"
    import_files([_write(tmp_path, "ert.csv", vdem_csv())], first)
    wb = _write(tmp_path, "wb.csv", world_bank_csv())
    import_files([wb], tmp_path / "second", base_dir=first)
    snapshot = load_snapshot(tmp_path / "second")
    assert _row(snapshot, "MEX")["vdem_electoral_democracy"] == 0.6
    assert _row(snapshot, "CUB")["gdppc_ppp_2021intl"] == 8500.5
    text = (tmp_path / "second" / "SOURCES.md").read_text(encoding="utf-8")
    assert text.count("## Imported data") == 1
    assert "- `vdem_electoral_democracy` from `ert.csv`" in text and "from `wb.csv`" in text
    # In place: the folder is both the base and the target.
    import_files([wb], first, base_dir=first)
    assert load_snapshot(first).equals(snapshot)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ert.csv", "first", "second", "wb.csv"]


def test_migrant_share_is_recomputed(tmp_path):
    rows = {("Mexico", "MEX"): {2020: 1.0e6, 2024: 2.0e6}}
    data = world_bank_csv(rows, "NY.GDP.PCAP.PP.KD").replace(b"NY.GDP.PCAP.PP.KD", b"SM.POP.TOTL")
    import_files([_write(tmp_path, "migrants.csv", data)], tmp_path / "data")
    mex = _row(load_snapshot(tmp_path / "data"), "MEX")
    population = _row(load_panel(), "MEX", 2024)["population_wb"]
    assert (mex["migrant_stock"], mex["migrant_stock_year"]) == (2.0e6, 2024)
    assert mex["migrant_stock_pct"] == round(2.0e6 / population * 100, 3)
    # Everyone else's share is unchanged by the recomputation.
    bundled = load_snapshot()
    others = load_snapshot(tmp_path / "data")["iso3"] != "MEX"
    assert load_snapshot(tmp_path / "data")[others]["migrant_stock_pct"].equals(bundled[others]["migrant_stock_pct"])


def test_unknown_indicator_is_refused_with_the_known_ones(tmp_path):
    path = _write(tmp_path, "other.csv", world_bank_csv(code="XX.UNKNOWN.CODE"))
    with pytest.raises(UserError, match=r"other.csv, line 6: unknown indicator code 'XX.UNKNOWN.CODE'"):
        import_files([path], tmp_path / "data")
    owid = _write(tmp_path, "co2.csv", b"Entity,Code,Year,Annual CO2 emissions\nFrance,FRA,2023,4.5\n")
    with pytest.raises(UserError, match="no known indicator .* Known: World Bank codes: SP.POP.TOTL"):
        import_files([owid], tmp_path / "data")
    assert not (tmp_path / "data").exists()


def test_old_unit_download_is_refused(tmp_path):
    data = world_bank_csv().replace(b"constant 2021 international", b"constant 2017 international")
    with pytest.raises(UserError, match="constant 2017 international .* need 'constant 2021"):
        import_files([_write(tmp_path, "old.csv", data)], tmp_path / "data")


def test_same_indicator_twice_is_refused(tmp_path):
    a = _write(tmp_path, "a.csv", world_bank_csv())
    b = _write(tmp_path, "b.csv", owid_csv())
    with pytest.raises(UserError, match="both hold gdppc_ppp_2021intl"):
        import_files([a, b], tmp_path / "data")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ": the file holds no header and no data"),
        (owid_csv()[:-12], ", line 9: expected 6 fields .* found 4.*ends in this line without a line break"),
        (owid_csv().replace(b"\n", b"\r"), ", line 1: lines end in a bare CR"),
        (owid_csv().replace(b"2001.5", b"NaN"), ", line 3: column 'GDP per capita, PPP .*found 'NaN'"),
        (owid_csv().replace(b"2001.5", b"1e400"), ", line 3: .*'1e400' is not a plausible value"),
        (owid_csv().replace(b"2001.5", b"-5"), r": .*expected a number > 0; found -5 \(line 3, AFG 2022\)"),
        (owid_csv().replace(b"AFG,2022", b"AFG,2021"), ", line 3: 'AFG' in 2021 appears twice, on lines 2"),
        (owid_csv().replace(b",", b";"), ", line 1: not a recognised file.*separated by ';'"),
        (owid_csv().replace("Côte".encode(), "Côte".encode("latin-1")), ", line 8: byte 0xF4 .*UTF-8"),
        (owid_csv().replace(b"Kosovo,OWID_KOS,", b"Kosovo,"), ", line 7: expected 6 fields .* found 5"),
        (b"\x00\x01garbage\n", ", line 1: control character"),
        (vdem_csv().replace(b'"country_text_id"', b'"country"'), ", line 1: not a recognised file"),
        (vdem_csv().replace(b'"year"', b'"yr"'), ", line 1: column 'year' is missing"),
        (vdem_csv().replace(b",0.6,", b",1.6,"), r": v2x_polyarchy .*from 0 to 1; found 1.6 \(line 3"),
    ],
)
def test_malformed_files_name_file_and_line(tmp_path, data, expected):
    path = _write(tmp_path, "broken.csv", data)
    with pytest.raises(UserError, match=f"broken.csv{expected}"):
        import_files([path], tmp_path / "data")
    assert not (tmp_path / "data").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["broken.csv"]  # no temporary leftovers


def test_failed_import_leaves_existing_folder_untouched(tmp_path):
    into = tmp_path / "data"
    import_files([_write(tmp_path, "ert.csv", vdem_csv())], into)
    before = {p.name: p.read_bytes() for p in into.iterdir() if p.is_file()}
    bad = _write(tmp_path, "bad.csv", owid_csv().replace(b"2001.5", b"abc"))
    with pytest.raises(UserError):
        import_files([bad], into)
    assert {p.name: p.read_bytes() for p in into.iterdir() if p.is_file()} == before


def test_into_must_not_be_a_foreign_folder_or_hold_the_input(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    path = _write(tmp_path, "ert.csv", vdem_csv())
    with pytest.raises(UserError, match="holds other files"):
        import_files([path], tmp_path / "notes")
    inside = tmp_path / "data"
    import_files([path], inside)
    moved = _write(inside, "ert.csv", vdem_csv())
    with pytest.raises(UserError, match="inside --into"):
        import_files([moved], inside)
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep me"


def test_describe_and_diff(tmp_path):
    into = tmp_path / "data"
    import_files([_write(tmp_path, "wb.csv", world_bank_csv())], into)
    summary = describe_data_dir(into)
    assert summary["countries"] == 197
    gdp = summary["indicators"]["gdppc_ppp_2021intl"]
    assert gdp["years"] == [2020, 2024]
    assert any("wb.csv" in line for line in gdp["provenance"])
    assert {"countries_snapshot.csv", "SOURCES.md", "blocs.toml"} <= {f["name"] for f in summary["files"]}

    diff = diff_data_dirs(None, into)
    assert list(diff["indicators"]) == ["gdppc_ppp_2021intl"]
    changes = diff["indicators"]["gdppc_ppp_2021intl"]
    assert changes["became_present"] == ["CUB", "ERI"]
    assert changes["became_missing"] == ["EGY"]
    assert changes["largest_changes"][0]["iso3"] in {"TUR", "CIV", "AFG"}
    assert set(diff["panel"]) == {"gdppc_ppp_2021intl"}
    assert diff_data_dirs(into, into)["indicators"] == {}


def _cli(capsys, *args):
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_import_show_diff_json(tmp_path, capsys):
    path = _write(tmp_path, "ert.csv", vdem_csv())
    into = tmp_path / "data"
    code, out, _ = _cli(capsys, "data", "import", str(path), "--into", str(into), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["files"][0]["series"][0]["indicator"] == "vdem_regime_row"
    code, out, _ = _cli(capsys, "data", "show", "--data", str(into), "--json")
    assert code == 0 and json.loads(out)["data_version"] == report["data_version"]
    code, out, _ = _cli(capsys, "data", "diff", "bundled", str(into), "--json")
    assert code == 0 and "vdem_electoral_democracy" in json.loads(out)["indicators"]
    code, out, _ = _cli(capsys, "data", "show")
    assert code == 0 and "vdem_electoral_democracy" in out
    code, out, _ = _cli(capsys, "data", "import", str(path), "--into", str(tmp_path / "text"))
    assert code == 0 and "ert.csv" in out


def test_cli_refuses_unknown_indicator_with_exit_2(tmp_path, capsys):
    path = _write(tmp_path, "other.csv", world_bank_csv(code="XX.UNKNOWN.CODE"))
    code, _, err = _cli(capsys, "data", "import", str(path), "--into", str(tmp_path / "data"))
    assert code == 2
    assert "other.csv, line 6: unknown indicator code" in err and "SP.POP.TOTL" in err


def test_subprocess_corrupt_file_exits_2_without_traceback(tmp_path):
    path = _write(tmp_path, "corrupt.csv", vdem_csv().replace(b",0.58,", b",0.5\xff8,"))
    result = subprocess.run(
        [sys.executable, "-m", "nato_socialism.cli", "data", "import", str(path), "--into",
         str(tmp_path / "data")],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "corrupt.csv, line 4:" in result.stderr and "not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()


def _imported(tmp_path, name: str, data: bytes, into: str):
    report = import_files([_write(tmp_path, name, data)], tmp_path / into)
    return report, load_snapshot(tmp_path / into), load_panel(tmp_path / into)


@pytest.mark.parametrize(
    ("name", "sample", "line_end"),
    [("gdp-per-capita-worldbank.csv", owid_csv, b"\n"), ("co2-emissions-vs-gdp.csv", owid_multi_csv, b"\n"),
     ("API_NY.GDP.PCAP.PP.KD_DS2_en_csv_v2.csv", world_bank_csv, b"\r\n"), ("ert.csv", vdem_csv, b"\n")],
)
def test_download_without_final_line_break_imports_like_with_one(tmp_path, name, sample, line_end):
    """Many real downloads (OWID grapher CSVs among them) end without a line break after the last row."""
    data = sample()
    assert data.endswith(line_end)
    with_break = _imported(tmp_path, name, data, "with")
    without = _imported(tmp_path, "cut-" + name, data[: -len(line_end)], "without")
    assert with_break[0].files[0].rows_read == without[0].files[0].rows_read > 0
    pd.testing.assert_frame_equal(with_break[1], without[1])
    pd.testing.assert_frame_equal(with_break[2], without[2])


def test_a_last_row_actually_cut_is_refused(tmp_path):
    data = owid_csv()
    last = data.rstrip(b"\n").rsplit(b"\n", 1)[1]  # Hong Kong,HKG,2023,70000.0,Asia,Asia
    for cut in (b"Hong Kong,HK", b"Hong Kong,HKG,2023,70000.0,Asia", b'"Hong Kong,HKG'):
        assert last.startswith(cut.lstrip(b'"'))
        broken = data[: len(data) - len(last) - 1] + cut
        path = _write(tmp_path, "cut.csv", broken)
        with pytest.raises(UserError, match=r"cut.csv, line 9: .*(fields|not valid CSV)"):
            import_files([path], tmp_path / "data")
        assert not (tmp_path / "data").exists()
