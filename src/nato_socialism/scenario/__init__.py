"""Scenario files: one TOML file describes a run, validated into a :class:`Scenario`.

A scenario fixes or narrows model parameters, turns mechanisms off, sets the ``custom``
doctrine's controls, overrides bloc membership and schedules events. Every key is optional
(``docs/scenarios.md`` lists them; :func:`scenario_template` writes a commented file).

Loading works in two stages. :func:`load_scenario` checks the file on its own (syntax,
field names, types, ranges, event years; :mod:`.schema`); :meth:`Scenario.build` then checks
what needs the data (country codes, bloc ids and overrides; :mod:`.building`) and returns
the world, the blocs and the events of the run. Every problem raises
:class:`~nato_socialism.errors.UserError` with one paragraph naming the file, the field
(``events[2].year``), the bad value and what was expected (:mod:`.messages`).
:mod:`.template` writes the commented template.
"""

from .loading import BUNDLED_DIR, bundled_scenarios, load_scenario
from .schema import (
    EVENT_KINDS,
    REGIME_NAMES,
    BlocOverride,
    ControlTable,
    CustomControlTable,
    Event,
    MechanismTable,
    ParameterTable,
    Scenario,
)
from .template import scenario_template, write_scenario_template

__all__ = [
    "BUNDLED_DIR",
    "EVENT_KINDS",
    "REGIME_NAMES",
    "BlocOverride",
    "ControlTable",
    "CustomControlTable",
    "Event",
    "MechanismTable",
    "ParameterTable",
    "Scenario",
    "bundled_scenarios",
    "load_scenario",
    "scenario_template",
    "write_scenario_template",
]
