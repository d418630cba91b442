"""Blocs of countries, by year: membership lists from ``blocs.toml`` plus rule-defined blocs.

List blocs (``nato``, ``bric``, ``brics_plus``) hold a country for
``joined <= year < left``. Rule blocs are evaluated on the :class:`~.world.World`
snapshot, re-using the list blocs of the same year:

* ``periphery``: not in NATO that year and V-Dem Regimes of the World >= 2 (electoral or
  liberal democracy), i.e. the democracies outside the alliance.
* its sub-blocs split it by UN geography: ``periphery_middle_east`` (Western Asia and
  Northern Africa), ``periphery_africa`` (Sub-Saharan Africa), ``periphery_latin_america``
  (Latin America and the Caribbean), ``periphery_asia_oceania`` (the rest of Asia, and
  Oceania), ``periphery_europe`` (Europe, and Northern America should a scenario take the
  USA or Canada out of NATO), so that every periphery country has exactly one sub-bloc.
* ``developing``: every country in none of ``nato``, ``bric``, ``brics_plus``,
  ``periphery`` that year.
* ``first_world``: NATO that year, plus the high-income democracies: GDP per head
  >= 35,000 constant 2021 int-$ (PPP) and Regimes of the World >= 2.

Overrides (from scenario files) change any bloc except ``developing``, which is always the
rest: ``{"nato": {"add": {"SWE": 2024}, "remove": {"USA": 2040}}}`` makes a country a
member from the given year on, or not a member from the given year on, whatever the data
or the rule say. A country may appear once per bloc override.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from nato_socialism.data.loader import BLOCS_FILE, PathLike, data_file, read_toml
from nato_socialism.data.world import World
from nato_socialism.errors import UserError, suggest

LIST_BLOC_IDS = ("nato", "bric", "brics_plus")
PERIPHERY_SUBBLOCS = (
    "periphery_middle_east",
    "periphery_africa",
    "periphery_latin_america",
    "periphery_asia_oceania",
    "periphery_europe",
)
BLOC_IDS = (*LIST_BLOC_IDS, "periphery", *PERIPHERY_SUBBLOCS, "developing", "first_world")
OVERRIDABLE = tuple(bloc for bloc in BLOC_IDS if bloc != "developing")  # it is the rest
PRECEDENCE = ("nato", "bric", "brics_plus", "periphery", "developing")
DEMOCRACY_MIN_ROW = 2  # V-Dem RoW: 2 electoral democracy, 3 liberal democracy
FIRST_WORLD_MIN_GDPPC = 35_000.0  # constant 2021 int-$ (PPP)

RULE_BLOCS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "periphery": (
            "Democratic periphery",
            "Not in NATO that year, and V-Dem Regimes of the World >= 2 in the snapshot.",
        ),
        "periphery_middle_east": (
            "Periphery: Middle East",
            "Periphery countries in UN Western Asia or Northern Africa.",
        ),
        "periphery_africa": ("Periphery: Africa", "Periphery countries in UN Sub-Saharan Africa."),
        "periphery_latin_america": (
            "Periphery: Latin America",
            "Periphery countries in UN Latin America and the Caribbean.",
        ),
        "periphery_asia_oceania": (
            "Periphery: Asia and Oceania",
            "Periphery countries in UN Asia outside Western Asia, and in Oceania.",
        ),
        "periphery_europe": (
            "Periphery: Europe",
            "Periphery countries in UN Europe (and Northern America, outside NATO).",
        ),
        "developing": (
            "Developing world",
            "Every country in none of nato, bric, brics_plus, periphery that year.",
        ),
        "first_world": (
            "First world",
            "NATO that year, plus GDP per head >= 35,000 (constant 2021 int-$ PPP) and "
            "V-Dem Regimes of the World >= 2 in the snapshot.",
        ),
    }
)

_BLOC_KEYS = ("name", "source", "joined", "left")  # keys of a bloc's table in blocs.toml
NEVER = np.iinfo(np.int32).max  # year sentinel: never joined / never left
FIRST_YEAR, LAST_YEAR = 1900, 2500  # plausible membership years an override may give

Overrides = Mapping[str, Mapping[str, Mapping[str, int]]]


class BlocChange(NamedTuple):
    """A change of membership during a run: ``event`` is "joined" or "left"."""

    year: int
    iso3: str
    event: str


@dataclass(frozen=True, eq=False, repr=False)
class Blocs:
    """Bloc membership of the world's countries in any year; build with :func:`build_blocs`.

    Attributes
    ----------
    ids
        All bloc ids (``BLOC_IDS``).
    iso3
        The world's country codes; masks follow this order.
    names, notes
        Bloc id -> display name; bloc id -> source note (list blocs) or rule (rule blocs).
    """

    ids: tuple[str, ...]
    iso3: tuple[str, ...]
    names: Mapping[str, str]
    notes: Mapping[str, str]
    _joined: Mapping[str, np.ndarray]
    _left: Mapping[str, np.ndarray]
    _add_from: Mapping[str, np.ndarray]
    _remove_from: Mapping[str, np.ndarray]
    _democratic: np.ndarray
    _rich_democratic: np.ndarray
    _subbloc: np.ndarray
    _position: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_position", {code: i for i, code in enumerate(self.iso3)})

    def __repr__(self) -> str:
        return f"Blocs(ids={self.ids}, countries={len(self.iso3)})"

    def mask(self, bloc_id: str, year: int) -> np.ndarray:
        """Return the (N,) bool membership of ``bloc_id`` in ``year``, in world order."""
        _check_bloc(bloc_id)
        return self._evaluate(year)[bloc_id]

    def members(self, bloc_id: str, year: int) -> tuple[str, ...]:
        """Return the iso3 codes of the members of ``bloc_id`` in ``year``, sorted."""
        mask = self.mask(bloc_id, year)
        return tuple(code for code, member in zip(self.iso3, mask, strict=True) if member)

    def blocs_of(self, iso3: str, year: int) -> list[str]:
        """Return every bloc ``iso3`` belongs to in ``year``, in ``BLOC_IDS`` order."""
        if iso3 not in self._position:
            raise UserError(f"Unknown country code {iso3!r}.{suggest(iso3, self.iso3)}")
        position = self._position[iso3]
        return [bloc for bloc, mask in self._evaluate(year).items() if mask[position]]

    def primary(self, year: int) -> np.ndarray:
        """Return each country's one bloc in ``year`` by ``PRECEDENCE`` (str array, world order).

        ``developing`` is everything outside the blocs before it, so each country gets one.
        """
        masks = self._evaluate(year)
        return np.select([masks[bloc] for bloc in PRECEDENCE], PRECEDENCE, default="")

    def changes(self, bloc_id: str, start: int, end: int) -> list[BlocChange]:
        """List who joins or leaves ``bloc_id`` in the years ``start + 1`` to ``end``.

        Parameters
        ----------
        bloc_id
            A bloc of ``BLOC_IDS``.
        start, end
            First and last year of a run; membership in ``start`` is the initial state.
        """
        _check_bloc(bloc_id)
        events = []
        before = self.mask(bloc_id, start)
        for year in range(start + 1, end + 1):
            now = self.mask(bloc_id, year)
            for position in np.flatnonzero(now != before):
                event = "joined" if now[position] else "left"
                events.append(BlocChange(year, self.iso3[position], event))
            before = now
        return events

    def _evaluate(self, year: int) -> dict[str, np.ndarray]:
        """All blocs' masks in ``year``; rule blocs in dependency order."""
        masks = {}
        for bloc in LIST_BLOC_IDS:
            listed = (self._joined[bloc] <= year) & (year < self._left[bloc])
            masks[bloc] = self._override(bloc, listed, year)
        masks["periphery"] = self._override("periphery", ~masks["nato"] & self._democratic, year)
        for bloc in PERIPHERY_SUBBLOCS:
            masks[bloc] = self._override(bloc, masks["periphery"] & (self._subbloc == bloc), year)
        masks["developing"] = ~np.logical_or.reduce([masks[bloc] for bloc in PRECEDENCE[:-1]])
        masks["first_world"] = self._override(
            "first_world", masks["nato"] | self._rich_democratic, year
        )
        return {bloc: masks[bloc] for bloc in BLOC_IDS}

    def _override(self, bloc_id: str, base: np.ndarray, year: int) -> np.ndarray:
        return (base | (self._add_from[bloc_id] <= year)) & (year < self._remove_from[bloc_id])


def build_blocs(
    world: World, overrides: Overrides | None = None, data_dir: PathLike | None = None
) -> Blocs:
    """Build the blocs of ``world`` from ``blocs.toml``, the rules and the overrides.

    Parameters
    ----------
    world
        The snapshot world; rule blocs use its regime, income and UN regions.
    overrides
        ``{bloc_id: {"add": {iso3: year}, "remove": {iso3: year}}}``: member from / not a
        member from that year on.
    data_dir
        Folder holding ``blocs.toml``; ``None`` for the bundled one.

    Raises
    ------
    UserError
        For an invalid ``blocs.toml`` or override: unknown bloc or country (with close
        matches), a country named twice, a year that is not a whole number.
    """
    names = {bloc: rule[0] for bloc, rule in RULE_BLOCS.items()}
    notes = {bloc: rule[1] for bloc, rule in RULE_BLOCS.items()}
    joined, left = {}, {}
    for bloc, spec in _read_list_blocs(world.iso3, data_dir).items():
        names[bloc], notes[bloc], joined[bloc], left[bloc] = spec
    add_from, remove_from = _parse_overrides(overrides or {}, world.iso3, joined)
    democratic = world.regime_row >= DEMOCRACY_MIN_ROW
    rich_democratic = democratic & (world.gdppc >= FIRST_WORLD_MIN_GDPPC)
    subbloc = _periphery_subbloc(world.region_un, world.subregion_un)
    arrays = [*joined.values(), *left.values(), *add_from.values(), *remove_from.values()]
    for array in (*arrays, democratic, rich_democratic, subbloc):
        array.setflags(write=False)  # frozen means the arrays too
    return Blocs(
        ids=BLOC_IDS,
        iso3=world.iso3,
        names=MappingProxyType({bloc: names[bloc] for bloc in BLOC_IDS}),
        notes=MappingProxyType({bloc: notes[bloc] for bloc in BLOC_IDS}),
        _joined=MappingProxyType(joined),
        _left=MappingProxyType(left),
        _add_from=MappingProxyType(add_from),
        _remove_from=MappingProxyType(remove_from),
        _democratic=democratic,
        _rich_democratic=rich_democratic,
        _subbloc=subbloc,
    )


def _check_bloc(bloc_id: str) -> None:
    if bloc_id not in BLOC_IDS:
        raise UserError(f"Unknown bloc {bloc_id!r}.{suggest(bloc_id, BLOC_IDS)}")


def _periphery_subbloc(region: np.ndarray, subregion: np.ndarray) -> np.ndarray:
    """Each country's periphery sub-bloc from its UN region and sub-region."""
    return np.select(
        [
            np.isin(subregion, ["Western Asia", "Northern Africa"]),
            subregion == "Sub-Saharan Africa",
            subregion == "Latin America and the Caribbean",
            np.isin(region, ["Asia", "Oceania"]),
        ],
        PERIPHERY_SUBBLOCS[:4],
        default="periphery_europe",
    )


def _read_list_blocs(
    iso3: tuple[str, ...], data_dir: PathLike | None
) -> dict[str, tuple[str, str, np.ndarray, np.ndarray]]:
    """Parse ``blocs.toml`` into bloc id -> (name, source, joined, left) year arrays."""
    spec = read_toml(BLOCS_FILE, data_dir)
    where = str(data_file(BLOCS_FILE, data_dir))
    for bloc in spec:
        if bloc not in LIST_BLOC_IDS:
            raise UserError(
                f"{where}: unknown bloc [{bloc}]; it lists {', '.join(LIST_BLOC_IDS)} "
                f"(rule blocs are not listed).{suggest(bloc, LIST_BLOC_IDS)}"
            )
    blocs = {}
    for bloc in LIST_BLOC_IDS:
        table = spec.get(bloc)
        if not isinstance(table, dict):
            raise UserError(f"{where}: bloc [{bloc}] is missing.")
        for key in table:
            if key not in _BLOC_KEYS:
                raise UserError(
                    f"{where}: [{bloc}] has an unknown key {key!r}; expected "
                    f"{', '.join(_BLOC_KEYS)}.{suggest(key, _BLOC_KEYS)}"
                )
        for key in ("name", "source"):
            if not isinstance(table.get(key), str) or not table[key].strip():
                raise UserError(f"{where}: [{bloc}] needs a non-empty text '{key}'.")
        joined = _years_by_country(table.get("joined"), f"{where}: [{bloc}.joined]", iso3)
        left = _years_by_country(table.get("left", {}), f"{where}: [{bloc}.left]", iso3)
        for code, year in left.items():
            if code not in joined:
                raise UserError(f"{where}: [{bloc}.left] names {code}, which never joined.")
            if year <= joined[code]:
                raise UserError(
                    f"{where}: [{bloc}.left] {code} leaves in {year}, not after joining "
                    f"in {joined[code]}."
                )
        blocs[bloc] = (
            table["name"],
            table["source"],
            _year_array(joined, iso3),
            _year_array(left, iso3),
        )
    return blocs


def _years_by_country(table: Any, where: str, iso3: tuple[str, ...]) -> dict[str, int]:
    """Invert ``{year: [iso3, ...]}`` into ``{iso3: year}``, validating both."""
    if not isinstance(table, dict):
        raise UserError(f"{where} must be a table of year = [ISO3 codes].")
    years: dict[str, int] = {}
    for key, codes in table.items():
        if not key.isdigit():
            raise UserError(f"{where}: key {key!r} is not a year.")
        if not isinstance(codes, list):
            raise UserError(f"{where}: {key} must be a list of ISO3 codes, not {codes!r}.")
        for code in codes:
            _check_country(code, iso3, f"{where} {key}")
            if code in years:
                raise UserError(f"{where}: {code} is listed twice ({years[code]} and {key}).")
            years[code] = int(key)
    return years


def _parse_overrides(
    overrides: Overrides, iso3: tuple[str, ...], listed: Mapping[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Validate overrides into per-bloc 'member from' and 'not a member from' year arrays."""
    add_from, remove_from = {}, {}
    for bloc, spec in overrides.items():
        if bloc not in BLOC_IDS:
            raise UserError(f"Bloc override: unknown bloc {bloc!r}.{suggest(bloc, BLOC_IDS)}")
        if bloc == "developing":
            raise UserError(
                "Bloc override: 'developing' is always the countries in no other bloc; "
                "override nato, bric, brics_plus or periphery instead."
            )
        if not isinstance(spec, Mapping):
            raise UserError(f"Bloc override of {bloc!r} must map 'add'/'remove' to {{ISO3: year}}.")
        for action in spec:
            if action not in ("add", "remove"):
                raise UserError(
                    f"Bloc override of {bloc!r}: unknown action {action!r}; use 'add' or "
                    f"'remove'.{suggest(action, ('add', 'remove'))}"
                )
        add = _override_years(spec.get("add", {}), f"Bloc override {bloc}.add", iso3)
        remove = _override_years(spec.get("remove", {}), f"Bloc override {bloc}.remove", iso3)
        twice = sorted(set(add) & set(remove))
        if twice:
            raise UserError(
                f"Bloc override of {bloc!r} names {', '.join(twice)} in both 'add' and "
                "'remove'; give each country once per bloc."
            )
        if bloc in listed:
            never = [code for code in remove if listed[bloc][iso3.index(code)] == NEVER]
            if never:
                raise UserError(
                    f"Bloc override {bloc}.remove: {', '.join(never)} never joined {bloc} "
                    "in the data; nothing to remove."
                )
        add_from[bloc] = _year_array(add, iso3)
        remove_from[bloc] = _year_array(remove, iso3)
    for bloc in OVERRIDABLE:
        add_from.setdefault(bloc, _year_array({}, iso3))
        remove_from.setdefault(bloc, _year_array({}, iso3))
    return add_from, remove_from


def _override_years(spec: Any, where: str, iso3: tuple[str, ...]) -> dict[str, int]:
    if not isinstance(spec, Mapping):
        raise UserError(f"{where} must map ISO3 codes to years, not {spec!r}.")
    for code, year in spec.items():
        _check_country(code, iso3, where)
        if isinstance(year, bool) or not isinstance(year, int):
            raise UserError(f"{where}: the year for {code} must be a whole number, not {year!r}.")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise UserError(
                f"{where}: the year for {code} is {year}; expected a year from {FIRST_YEAR} to {LAST_YEAR}."
            )
    return dict(spec)


def _check_country(code: Any, iso3: tuple[str, ...], where: str) -> None:
    if code not in iso3:
        hint = suggest(code, iso3) if isinstance(code, str) else ""
        raise UserError(f"{where}: {code!r} is not a country code of the snapshot.{hint}")


def _year_array(years: Mapping[str, int], iso3: tuple[str, ...]) -> np.ndarray:
    """(N,) int32 array of years in world order, ``NEVER`` for countries not named."""
    return np.array([years.get(code, NEVER) for code in iso3], dtype=np.int32)
