"""Scenario files: schema, defaults, conversions, error messages and the template."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from nato_socialism.data import build_world
from nato_socialism.errors import UserError
from nato_socialism.model.doctrines import CUSTOM_CONTROLS, DEFAULT_DOCTRINES, DOCTRINE_NAMES, custom_spec
from nato_socialism.model.parameters import registry
from nato_socialism.model.state import Regime
from nato_socialism.model.switches import ALL_SWITCHES, Switches
from nato_socialism.scenario import (
    EVENT_KINDS,
    REGIME_NAMES,
    Scenario,
    bundled_scenarios,
    load_scenario,
    scenario_template,
    write_scenario_template,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"


@pytest.fixture(scope="module")
def world():
    return build_world()


def _write(tmp_path, text, name="scenario.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path, text, name="bad.toml") -> str:
    """The UserError message of loading and building ``text``."""
    path = _write(tmp_path, text, name)
    with pytest.raises(UserError) as info:
        load_scenario(path).build()
    return str(info.value)


def _uncommented(template: str) -> str:
    """The template with every commented-out TOML line (key = ... or [table]) restored."""
    return re.sub(r"(?m)^# (?=[a-z_]+ = |\[)", "", template)


# ---------------------------------------------------------------- defaults and loading


def test_defaults():
    s = Scenario()
    assert (s.start_year, s.horizon, s.members, s.seed) == (2023, 100, 200, 1)
    assert s.doctrines == list(DEFAULT_DOCTRINES)  # custom equals nato_first unless set: not run by default
    assert s.fixed_parameters() == {} and s.sampled_parameters() == {}
    assert s.switches() == Switches()
    assert s.custom_spec() == custom_spec()
    assert s.events == [] and s.blocs == {}


def test_empty_file_is_the_default_named_after_the_file(tmp_path):
    s = load_scenario(_write(tmp_path, "", "my_run.toml"))
    assert s.name == "my_run"
    assert s.model_dump(exclude={"name"}) == Scenario().model_dump(exclude={"name"})
    assert s.source == str(tmp_path / "my_run.toml")


def test_bundled_scenarios_load_by_name(world):
    names = bundled_scenarios()
    assert "default" in names
    for name in names:
        s = load_scenario(name)
        assert s.name == name
        assert s.source.endswith(f"{name}.toml")
        s.build(world)


def test_path_given_as_str_or_path(tmp_path):
    path = _write(tmp_path, "members = 7\n")
    assert load_scenario(str(path)).members == load_scenario(path).members == 7


def test_full_scenario(tmp_path, world):
    path = _write(
        tmp_path,
        """
name = "full"
description = "every table"
horizon = 50
members = 10
seed = 3
doctrines = ["status_quo", "custom"]

[parameters]
aid_growth_effect = 0.4
init_moderate_left_weight = [0.3, 0.4]
democratic_outcome_base = -0.5

[mechanisms]
migration = false
reaction_contact = false
aid = true

[controls.custom]
aid_share = 0.02
relocation_to_nato = 0

[blocs.nato]
remove = {TUR = 2040}

[[events]]
year = 2030
country = "FRA"
kind = "transition"

[[events]]
year = 2031
country = "HUN"
kind = "regime"
regime = "reactionary"

[[events]]
year = 2035
country = "DEU"
kind = "immigration_cap"
value = 0

[[events]]
year = 2040
country = "IRL"
kind = "join_bloc"
bloc = "nato"

[[events]]
year = 2050
country = "NOR"
kind = "leave_bloc"
bloc = "first_world"
""",
    )
    s = load_scenario(path)
    assert (s.name, s.horizon, s.members, s.seed, s.end_year) == ("full", 50, 10, 3, 2073)
    assert s.fixed_parameters() == {"aid_growth_effect": 0.4, "democratic_outcome_base": -0.5}
    assert s.sampled_parameters() == {"init_moderate_left_weight": (0.3, 0.4)}
    assert s.switches_off() == ["migration", "reaction_contact"]
    assert s.switches() == Switches.without("migration", "reaction_contact")
    assert not s.switches().on("migration_caps")  # a term is off with its mechanism
    assert s.custom_spec() == custom_spec({"aid_share": 0.02, "relocation_to_nato": 0.0})
    assert s.custom_spec().relocate_to == "south"

    events, overrides = s.resolve(world)
    fra, hun, deu = (world.index(c) for c in ("FRA", "HUN", "DEU"))
    assert events.regimes == (
        (2030, fra, int(Regime.DEMOCRATIC_SOCIALIST)),
        (2031, hun, int(Regime.REACTIONARY)),
    )
    assert events.policies == ((2035, deu, "immigration_cap", 0.0),)
    assert overrides == {
        "nato": {"add": {"IRL": 2040}, "remove": {"TUR": 2040}},
        "first_world": {"add": {}, "remove": {"NOR": 2050}},
    }

    _, blocs, built_events = s.build(world)
    assert built_events == events
    assert "IRL" in blocs.members("nato", 2040) and "IRL" not in blocs.members("nato", 2039)
    assert "TUR" not in blocs.members("nato", 2040)
    assert "NOR" not in blocs.members("first_world", 2050)

    summary = s.summary()
    assert json.loads(json.dumps(summary)) == summary | {
        "sampled_parameters": {"init_moderate_left_weight": [0.3, 0.4]}
    }
    assert summary["events"][2] == {
        "year": 2035, "country": "DEU", "kind": "immigration_cap", "value": 0.0
    }  # fmt: skip


def test_regime_names_follow_the_regime_enum():
    assert [Regime[name.upper()] for name in REGIME_NAMES] == list(Regime)
    assert set(EVENT_KINDS) >= {"transition", "regime", "join_bloc", "leave_bloc"}


def test_with_overrides(tmp_path):
    s = load_scenario(_write(tmp_path, 'members = 5\nhorizon = 20\ndoctrines = ["custom"]\n'))
    assert s.with_overrides() is s
    t = s.with_overrides(members=9, horizon=None, seed=4, doctrines=("status_quo", "custom"))
    assert (t.members, t.horizon, t.seed, t.doctrines) == (9, 20, 4, ["status_quo", "custom"])
    assert (s.members, s.seed) == (5, 1)  # the original is unchanged
    assert t.name == s.name


def test_overrides_are_validated_against_the_file(tmp_path):
    s = load_scenario(
        _write(tmp_path, '[[events]]\nyear = 2060\ncountry = "FRA"\nkind = "transition"\n')
    )
    with pytest.raises(UserError, match=r"with command-line options\): events\[0\]\.year = 2060"):
        s.with_overrides(horizon=10)
    with pytest.raises(UserError, match="members = 0: expected a whole number from 1"):
        s.with_overrides(members=0)
    with pytest.raises(UserError, match="doctrines\\[0\\] = \"nato_frist\".*'nato_first'"):
        s.with_overrides(doctrines=["nato_frist"])


# ---------------------------------------------------------------- errors


def _event(**fields) -> str:
    """An [[events]] table: FRA's transition in 2030, changed by ``fields`` (None drops one)."""
    fields = {"year": 2030, "country": "FRA", "kind": "transition"} | fields
    return "[[events]]\n" + "".join(
        f"{key} = {json.dumps(value)}\n" for key, value in fields.items() if value is not None
    )


P = "[parameters]\n"
NATO = "[blocs.nato]\n"
BAD = [
    # (file text, substrings of the message)
    ("horizon = \n", ["line 1, column 11", "not valid TOML"]),
    ("horizn = 10\n", ["unknown field 'horizn'", "'horizon'"]),
    ("xyzzy = 1\n", ["unknown field 'xyzzy'", "Valid fields here: name, description"]),
    (P + "aid_grwth_effect = 0.3\n", ["'parameters.aid_grwth_effect'", "'aid_growth_effect'"]),
    ("[mechanisms]\nmigraton = false\n", ["'mechanisms.migraton'", "'migration'"]),
    ("[controls.nato_first]\naid_share = 0.1\n", ["'controls.nato_first'", "fields here: custom"]),
    ("[controls.custom]\naid_shar = 0.01\n", ["'controls.custom.aid_shar'", "'aid_share'"]),
    (NATO + "ad = {UKR = 2030}\n", ["'blocs.nato.ad'", "'add'"]),
    (_event(valeu=1), ["'events[0].valeu'", "'value'"]),
    ('horizon = "100"\n', ['horizon = "100"', "expected a whole number from 1 to 300"]),
    ("members = 2.0\n", ["members = 2.0", "whole number"]),
    ("seed = true\n", ["seed = true", "whole number from 0 to 9223372036854775807"]),
    ('[mechanisms]\nmigration = "no"\n', ['mechanisms.migration = "no"', "true or false"]),
    ("parameters = 3\n", ["parameters = 3", "expected a table"]),
    ("horizon = -5\n", ["horizon = -5", "from 1 to 300"]),
    ("members = 0\n", ["members = 0", "from 1 to 1000000"]),
    ("start_year = 1900\n", ["start_year = 1900", "from 1950 to 2023"]),
    ("start_year = 2000\n", ["Year 2000", "only the snapshot year 2023"]),
    (P + "init_moderate_left_weight = 1.5\n", ["init_moderate_left_weight = 1.5", "from 0 to 1"]),
    (P + "aid_growth_effect = -1\n", ["parameters.aid_growth_effect = -1", "of at least 0"]),
    (P + "aid_growth_effect = [0.5, 0.2]\n", ["[0.5, 0.2]", "low <= high"]),
    (P + "aid_growth_effect = [0.2, 0.3, 0.4]\n", ["= [0.2, 0.3, 0.4]", "[low, high]"]),
    (P + 'aid_growth_effect = "0.3"\n', ['aid_growth_effect = "0.3"', "expected a number"]),
    (P + "aid_growth_effect = nan\n", ["aid_growth_effect = NaN", "expected a number"]),
    ("[controls.custom]\naid_share = 0.1\n", ["custom.aid_share = 0.1", "from 0 to 0.05"]),
    ('doctrines = ["nato_frist"]\n', ['doctrines[0] = "nato_frist"', "'nato_first'"]),
    ("doctrines = []\n", ["doctrines = []", "at least one item"]),
    ('doctrines = ["custom", "custom"]\n', ['doctrines[1] = "custom"', "listed twice"]),
    (_event(country="FRN"), ['events[0].country = "FRN"', "'FRA'"]),
    (_event(year=2200), ["events[0].year = 2200", "outside the run", "2023 to 2122"]),
    (_event(year=2022), ["events[0].year = 2022", "outside the run"]),
    (_event(year=None), ["events[0].year is missing", "whole number"]),
    (_event(kind="transitoin"), ['events[0].kind = "transitoin"', "'transition'"]),
    (_event(kind="regime"), ["events[0].regime: missing", '"reactionary"']),
    (_event(kind="regime", regime="socialist"), ['= "socialist"', "'democratic_socialist'"]),
    (_event(value=0.3), ["events[0].value = 0.3", "does not apply to an event of kind"]),
    (_event(kind="aid_share", value=1.5), ["events[0].value = 1.5", "from 0 to 1"]),
    (_event(kind="join_bloc", bloc="natoo"), ['events[0].bloc = "natoo"', "'nato'"]),
    (_event(kind="join_bloc", bloc="developing"), ['bloc = "developing"', "first_world"]),
    (
        _event() + _event(kind="regime", regime="bureaucratic"),
        ["events[1]: sets the same thing as events[0]", "FRA, regime in 2030"],
    ),
    ("[blocs.natoo]\nadd = {UKR = 2030}\n", ["unknown bloc 'natoo'", "'nato'"]),
    (NATO + "add = {FRN = 2030}\n", ["'FRN'", "'FRA'"]),
    (NATO + "add = {UKR = 2030}\nremove = {UKR = 2040}\n", ["UKR in both 'add' and 'remove'"]),
    (NATO + "add = {UKR = 2030, UKR = 2031}\n", ["line 2", "Duplicate"]),
    (
        NATO + "add = {UKR = 2030}\n" + _event(country="UKR", kind="join_bloc", bloc="nato"),
        ['events[0].country = "UKR"', "already in blocs.nato.add"],
    ),
    (NATO + "add = {UKR = 2030.5}\n", ["blocs.nato.add.UKR = 2030.5", "whole number"]),
]


@pytest.mark.parametrize(("text", "expected"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_gives_one_readable_paragraph(tmp_path, text, expected):
    message = _error(tmp_path, text)
    assert "bad.toml" in message
    for part in expected:
        assert part in message
    assert "\n" not in message and "pydantic" not in message and "validation error" not in message


def test_several_problems_report_the_first_and_count_the_rest(tmp_path):
    message = _error(tmp_path, "horizon = 0\nmembers = 0\nseed = -1\n")
    assert message.startswith(f"{tmp_path / 'bad.toml'}: horizon = 0")
    assert message.endswith("(2 more problems after this one.)")


def test_missing_file_and_unknown_bundled_name(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        load_scenario(tmp_path / "missing.toml")
    with pytest.raises(UserError, match="no bundled scenario.*Did you mean 'default'"):
        load_scenario("defualt")
    with pytest.raises(UserError, match="is a folder"):
        load_scenario(tmp_path)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('description = "Müller"\n'.encode("latin-1"))
    with pytest.raises(UserError, match="not UTF-8"):
        load_scenario(path)


def test_tables_follow_the_registries():
    fields = Scenario.model_fields
    assert list(fields["mechanisms"].annotation.model_fields) == list(ALL_SWITCHES)
    assert list(fields["parameters"].annotation.model_fields) == list(registry())
    custom = fields["controls"].annotation.model_fields["custom"].annotation
    assert list(custom.model_fields) == [*CUSTOM_CONTROLS, "targets"]


# ---------------------------------------------------------------- template and docs


def test_template_loads_as_the_default_run(tmp_path):
    path = _write(tmp_path, scenario_template(), "template.toml")
    s = load_scenario(path)
    assert s.model_dump(exclude={"name"}) == Scenario().model_dump(exclude={"name"})


def test_template_examples_are_valid(tmp_path, world):
    text = _uncommented(scenario_template())
    s = load_scenario(_write(tmp_path, text, "examples.toml"))
    assert s.name == "my_scenario"
    assert len(s.fixed_parameters()) + len(s.sampled_parameters()) == 3
    assert len(s.custom_controls()) == len(s.controls.custom.model_fields)
    assert len(s.events) == 4 and s.blocs
    s.build(world)


def test_template_documents_every_switch_control_kind_and_regime():
    text = scenario_template()
    for name in (*ALL_SWITCHES, *CUSTOM_CONTROLS, *DOCTRINE_NAMES, *EVENT_KINDS, *REGIME_NAMES):
        assert name in text
    assert "nato-socialism params" in text


def test_docs_show_the_current_template():
    docs = DOCS.read_text(encoding="utf-8")
    assert "```toml\n" + scenario_template() + "```" in docs


def test_write_template_atomically(tmp_path):
    path = tmp_path / "new.toml"
    assert write_scenario_template(path) == path
    assert path.read_text(encoding="utf-8") == scenario_template()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    path.write_text("members = 3\n")
    with pytest.raises(UserError, match="already exists; pass --force"):
        write_scenario_template(path)
    assert path.read_text() == "members = 3\n"
    write_scenario_template(path, force=True)
    assert path.read_text(encoding="utf-8") == scenario_template()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.toml"]  # no temporary files
    with pytest.raises(UserError, match="does not exist"):
        write_scenario_template(tmp_path / "nowhere" / "x.toml")
