"""Bloc membership by year, precedence, overrides, and the countries command."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from nato_socialism.cli.countries import countries
from nato_socialism.data import BLOC_IDS, PRECEDENCE, BlocChange, build_blocs, build_world
from nato_socialism.data.blocs import PERIPHERY_SUBBLOCS
from nato_socialism.data.loader import DATA_DIR
from nato_socialism.errors import UserError

NATO_1949 = {"BEL", "CAN", "DNK", "FRA", "ISL", "ITA", "LUX", "NLD", "NOR", "PRT", "GBR", "USA"}
FIRST_WORLD_OUTSIDE_NATO_2024 = {
    "AND", "AUS", "AUT", "CHE", "CYP", "IRL", "ISR", "JPN", "KOR",
    "LIE", "MCO", "MLT", "NZL", "PAN", "SMR", "TWN", "VAT",
}  # fmt: skip


@pytest.fixture(scope="module")
def world():
    return build_world()


@pytest.fixture(scope="module")
def blocs(world):
    return build_blocs(world)


@pytest.mark.parametrize(
    ("year", "count"), [(1948, 0), (1950, 12), (2023, 31), (2024, 32), (2025, 32)]
)
def test_nato_size_by_year(blocs, year, count):
    assert len(blocs.members("nato", year)) == count
    assert blocs.mask("nato", year).sum() == count


def test_nato_founders_and_accessions(blocs):
    assert set(blocs.members("nato", 1950)) == NATO_1949
    assert "FIN" in blocs.members("nato", 2023) and "SWE" not in blocs.members("nato", 2023)
    assert blocs.changes("nato", 2023, 2123) == [BlocChange(2024, "SWE", "joined")]
    assert len(blocs.changes("nato", 1948, 2025)) == 32
    assert [c.iso3 for c in blocs.changes("nato", 1950, 1955)] == ["GRC", "TUR", "DEU"]


def test_bric_and_brics_plus(blocs):
    assert blocs.members("bric", 2005) == ()
    assert blocs.members("bric", 2023) == ("BRA", "CHN", "IND", "RUS")
    assert [len(blocs.members("brics_plus", y)) for y in (2009, 2010, 2023, 2024, 2025)] == [
        4, 5, 5, 9, 10
    ]  # fmt: skip
    assert "SAU" not in blocs.members("brics_plus", 2025)
    assert {c.iso3 for c in blocs.changes("brics_plus", 2023, 2030)} == {
        "EGY", "ETH", "IRN", "ARE", "IDN"
    }  # fmt: skip


def test_periphery_rule_and_subblocs(world, blocs):
    for year in (2023, 2024):
        periphery = blocs.mask("periphery", year)
        assert not (periphery & blocs.mask("nato", year)).any()
        assert (world.regime_row[periphery] >= 2).all()
        subs = np.array([blocs.mask(sub, year) for sub in PERIPHERY_SUBBLOCS])
        assert (subs.sum(axis=0) == periphery).all()  # each periphery country in one sub-bloc
    assert len(blocs.members("periphery", 2023)) == 82
    assert blocs.members("periphery_middle_east", 2023) == ("ARM", "CYP", "GEO", "ISR")
    assert "BRA" in blocs.members("periphery_latin_america", 2023)
    assert "JPN" in blocs.members("periphery_asia_oceania", 2023)
    assert blocs.blocs_of("SWE", 2023) == ["periphery", "periphery_europe", "first_world"]
    assert blocs.blocs_of("SWE", 2024) == ["nato", "first_world"]
    assert blocs.changes("periphery", 2023, 2030) == [BlocChange(2024, "SWE", "left")]


def test_first_world(blocs):
    first = set(blocs.members("first_world", 2024))
    nato = set(blocs.members("nato", 2024))
    assert nato <= first
    assert {"AUS", "NZL", "JPN", "KOR", "CHE", "AUT", "IRL"} <= first
    assert first - nato == FIRST_WORLD_OUTSIDE_NATO_2024
    assert "SGP" not in first  # rich, but an electoral autocracy


def test_primary_gives_each_country_one_bloc(blocs):
    for year in (1950, 2023, 2024, 2025, 2100):
        primary = blocs.primary(year)
        assert primary.shape == (197,)
        assert set(primary) <= set(PRECEDENCE)
        memberships = np.array([blocs.mask(bloc, year) for bloc in PRECEDENCE])
        first = memberships.argmax(axis=0)
        assert memberships.any(axis=0).all()
        assert (primary == np.array(PRECEDENCE)[first]).all()
    assert Counter(blocs.primary(2023).tolist()) == {
        "nato": 31, "bric": 4, "brics_plus": 1, "periphery": 80, "developing": 81
    }  # fmt: skip
    primary_2025 = blocs.primary(2025)
    assert primary_2025[blocs.iso3.index("IDN")] == "brics_plus"
    assert primary_2025[blocs.iso3.index("BRA")] == "bric"


def test_developing_is_the_rest(blocs):
    others = np.logical_or.reduce([blocs.mask(b, 2023) for b in PRECEDENCE[:-1]])
    assert (blocs.mask("developing", 2023) == ~others).all()
    assert "CHN" not in blocs.members("developing", 2023)
    assert "AFG" in blocs.members("developing", 2023)


def test_ids_names_notes(blocs):
    assert blocs.ids == BLOC_IDS
    assert set(blocs.names) == set(blocs.notes) == set(BLOC_IDS)
    assert "nato.int" in blocs.notes["nato"]
    assert "35,000" in blocs.notes["first_world"]


def test_override_add_and_remove(world):
    blocs = build_blocs(world, {"nato": {"add": {"JPN": 2030}, "remove": {"USA": 2040}}})
    assert "USA" in blocs.members("nato", 2039)
    assert "USA" not in blocs.members("nato", 2040)
    assert "JPN" in blocs.members("nato", 2030) and "JPN" not in blocs.members("nato", 2029)
    assert blocs.changes("nato", 2023, 2050) == [
        BlocChange(2024, "SWE", "joined"),
        BlocChange(2030, "JPN", "joined"),
        BlocChange(2040, "USA", "left"),
    ]
    # rule blocs follow: JPN leaves the periphery, the USA (a democracy) enters it
    assert "JPN" not in blocs.members("periphery", 2030)
    assert blocs.blocs_of("USA", 2040) == ["periphery", "periphery_europe", "first_world"]
    assert len(blocs.members("nato", 2040)) == 32


def test_override_of_rule_bloc(world):
    blocs = build_blocs(world, {"periphery": {"remove": {"TWN": 2023}, "add": {"SGP": 2030}}})
    assert blocs.blocs_of("TWN", 2023) == ["developing", "first_world"]
    assert "SGP" in blocs.members("periphery", 2030)
    assert "SGP" not in blocs.members("periphery", 2029)
    assert blocs.primary(2030)[blocs.iso3.index("SGP")] == "periphery"


def test_same_override_as_data_changes_nothing(world, blocs):
    same = build_blocs(world, {"nato": {"add": {"SWE": 2024}}})
    for year in (2023, 2024):
        assert same.members("nato", year) == blocs.members("nato", year)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"natto": {"add": {"SWE": 2024}}}, "unknown bloc 'natto'.*Did you mean 'nato'"),
        ({"nato": {"add": {"SWD": 2024}}}, "'SWD' is not a country code.*'SWE'"),
        (
            {"nato": {"add": {"SWE": 2024}, "remove": {"SWE": 2030}}},
            "SWE in both 'add' and 'remove'",
        ),
        ({"nato": {"ad": {"SWE": 2024}}}, "unknown action 'ad'.*Did you mean 'add'"),
        ({"nato": {"add": {"SWE": "2024"}}}, "year for SWE must be a whole number"),
        ({"bric": {"remove": {"USA": 2030}}}, "USA never joined bric"),
        ({"developing": {"add": {"USA": 2030}}}, "'developing' is always the countries"),
    ],
    ids=["bloc", "country", "twice", "action", "year", "never-member", "developing"],
)
def test_bad_overrides_raise(world, overrides, message):
    with pytest.raises(UserError, match=message):
        build_blocs(world, overrides)


def test_unknown_bloc_and_country_in_queries(blocs):
    with pytest.raises(UserError, match="Did you mean 'periphery'"):
        blocs.mask("peripheri", 2023)
    with pytest.raises(UserError, match="Unknown country code 'DEX'.*'DEU'"):
        blocs.blocs_of("DEX", 2023)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace('"LUX"', '"LUXX"'), r"\[nato.joined\] 1949: 'LUXX'"),
        (
            lambda text: text.replace('2023 = ["FIN"]', '2023 = ["FIN", "BEL"]'),
            "BEL is listed twice",
        ),
        (lambda text: text + '\n[nato_plus]\nname = "x"\n', "unknown bloc \\[nato_plus\\]"),
        (
            lambda text: text.replace("[nato.joined]", "[nato.join]"),
            "'join'.*Did you mean 'joined'",
        ),
    ],
    ids=["country", "twice", "bloc", "table"],
)
def test_broken_blocs_file_raises(tmp_path, world, edit, message):
    for path in DATA_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    blocs_file = tmp_path / "blocs.toml"
    blocs_file.write_text(edit(blocs_file.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(UserError, match=message) as error:
        build_blocs(world, data_dir=tmp_path)
    assert str(blocs_file) in str(error.value)


# The countries command, mounted the way the main app will mount it.
_app = typer.Typer()


@_app.callback()
def _root() -> None:
    """Test app."""


_app.command("countries")(countries)


def _countries_json(*args):
    result = CliRunner().invoke(_app, ["countries", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # exactly one JSON document, nothing else


def test_countries_command_json():
    rows = _countries_json()
    assert len(rows) == 197
    afg = rows[0]
    assert afg["iso3"] == "AFG" and afg["blocs"] == ["developing"]
    assert afg["regime"] == "closed autocracy" and afg["imputed"] == ["gini", "poverty", "politics"]
    assert afg["politics"]["source"] == "imputed" and afg["politics"]["election_year"] is None
    sweden = next(row for row in rows if row["iso3"] == "SWE")
    assert sweden["politics"]["source"] == "parlgov" and sweden["politics"]["election_year"] == 2022
    assert "politics" not in sweden["imputed"]
    assert len(_countries_json("--bloc", "nato", "--year", "2025")) == 32
    assert len(_countries_json("--bloc", "nato", "--year", "2023")) == 31
    sweden = _countries_json("--bloc", "periphery_europe")
    assert "SWE" in [row["iso3"] for row in sweden]


def test_countries_command_table_and_bad_bloc():
    result = CliRunner().invoke(_app, ["countries", "--bloc", "bric"])
    assert result.exit_code == 0
    assert "Brazil" in result.stdout and "4 countries" in result.stdout
    from cli_helpers import cli

    code, _, err = cli("countries", "--bloc", "natto")  # a usage error: the bloc ids are the option's choices
    assert code == 2 and "'natto' is not a known bloc" in err and "Did you mean 'nato'" in err


def test_countries_command_reads_a_user_data_directory(tmp_path):
    import json
    import shutil
    from pathlib import Path

    import nato_socialism.data.world as world_module
    from cli_helpers import cli

    user = tmp_path / "data"
    shutil.copytree(Path(world_module.__file__).with_name("files"), user)
    code, out, _ = cli("countries", "--data", str(user), "--bloc", "nato", "--year", "2025", "--json")
    assert code == 0 and len(json.loads(out)) == 32
    code, _, err = cli("countries", "--data", str(tmp_path / "missing"))
    assert code == 2 and "not found" in err


def test_override_year_far_outside_any_run_is_refused():
    import pytest

    from nato_socialism.data import build_blocs, build_world
    from nato_socialism.errors import UserError

    with pytest.raises(UserError, match="expected a year from 1900 to 2500"):
        build_blocs(build_world(), {"nato": {"add": {"SWE": 10**30}}})
