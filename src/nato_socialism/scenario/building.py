"""Building a run from a scenario: the checks and conversions that need the data.

:func:`build` checks country codes, bloc ids and overrides and the start year against the
data and returns the world, the blocs and the model events; every problem names the
scenario file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from nato_socialism.data import Blocs, World, build_blocs, build_world
from nato_socialism.errors import UserError, suggest
from nato_socialism.model.context import POLICY_EVENTS
from nato_socialism.model.simulate import Events

from .messages import shown

if TYPE_CHECKING:
    from .schema import Scenario


def resolve(scenario: Scenario, world: World) -> tuple[Events, dict[str, dict[str, dict[str, int]]]]:
    """Turn the events into model events and merge bloc events into the bloc overrides.

    Parameters
    ----------
    scenario
        A validated scenario.
    world
        The initial world; event countries are positions in ``world.iso3``.

    Returns
    -------
    events
        Regime and policy events for ``build_context``.
    overrides
        ``{bloc: {"add": {iso3: year}, "remove": {iso3: year}}}`` for ``build_blocs``.

    Raises
    ------
    UserError
        For a country code the world does not have (with close matches).
    """
    position = {code: i for i, code in enumerate(world.iso3)}
    overrides = {
        bloc: {"add": dict(table.add), "remove": dict(table.remove)}
        for bloc, table in scenario.blocs.items()
    }
    regimes, policies = [], []
    for i, event in enumerate(scenario.events):
        if event.country not in position:
            raise UserError(
                f"{scenario.source}: events[{i}].country = {shown(event.country)}: not a country "
                f"code of the {world.year} snapshot.{suggest(event.country, world.iso3)}"
            )
        where = position[event.country]
        if event.forced_regime is not None:
            regimes.append((event.year, where, int(event.forced_regime)))
        elif event.kind in POLICY_EVENTS:
            policies.append((event.year, where, event.kind, event.value))
        else:
            table = overrides.setdefault(event.bloc, {"add": {}, "remove": {}})
            table[event.bloc_action][event.country] = event.year
    return Events(regimes=tuple(regimes), policies=tuple(policies)), overrides


def build(scenario: Scenario, world: World | None = None, data_dir=None) -> tuple[World, Blocs, Events]:
    """Return the world, blocs and events of the run, checking everything against the data.

    Parameters
    ----------
    scenario
        A validated scenario.
    world
        The initial world; ``None`` builds it for ``start_year``.
    data_dir
        User data directory (``None``: the bundled data).

    Raises
    ------
    UserError
        For an unsupported start year, an unknown country or bloc, or a bloc naming a
        country twice; the message starts with the scenario file.
    """
    with _in_file(scenario.source):
        world = build_world(scenario.start_year, data_dir=data_dir) if world is None else world
    events, overrides = resolve(scenario, world)
    with _in_file(scenario.source):
        blocs = build_blocs(world, overrides or None, data_dir=data_dir)
    return world, blocs, events


@contextmanager
def _in_file(where: str) -> Iterator[None]:
    """Prefix a data-layer UserError with the scenario file it came from."""
    try:
        yield
    except UserError as err:
        raise UserError(f"{where}: {err}") from None
