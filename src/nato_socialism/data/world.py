"""The initial world: one array per country variable, gaps imputed and flagged.

:func:`build_world` turns the validated 2023 snapshot and the geography tables into a
:class:`World` of N = 197 countries sorted by ISO3 code, in model units (shares as 0-1).

Imputation
----------
The rules are deterministic and each imputed cell is flagged in ``World.imputed``:

* **gdppc** (GDP per head, constant 2021 international $, PPP): the World Bank value; if
  missing, the Maddison 2011 int-$ value times ``maddison_to_ppp2021``, the median over
  countries having both of PPP 2021 / Maddison 2011 (the Maddison value is for 2022, the PPP
  value for 2023, so the ratio includes a year of growth); if both are missing, the group
  median below.
* **democracy, unemployment, gini, poverty, migrant_share**: the median over countries with
  an observed value in the same UN sub-region; if the sub-region has none, the UN region;
  if the region has none, the world.
* **regime_row**: the floor of that median, so a split group leans to the less democratic
  category.
* **refugees_origin, refugees_asylum**: 0, since UNHCR lists no refugees for that country
  in 2023.

Medians are always taken over observed values, never over imputed ones, so the result
does not depend on the order in which countries or variables are filled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from nato_socialism.data.impute import group_median
from nato_socialism.data.loader import (
    CENTROIDS_FILE,
    NEIGHBOURS_FILE,
    PathLike,
    load_centroids,
    load_neighbours,
    load_snapshot,
)
from nato_socialism.data.panel import panel_series, recent_population_growth
from nato_socialism.data.parties import Politics, build_politics
from nato_socialism.errors import UserError, suggest

SNAPSHOT_YEAR = 2023
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
ROW_LABELS = ("closed autocracy", "electoral autocracy", "electoral democracy", "liberal democracy")

# Model variable -> (snapshot column, factor to the model unit).
SOURCE_COLUMNS: Mapping[str, tuple[str, float]] = MappingProxyType(
    {
        "gdppc": ("gdppc_ppp_2021intl", 1.0),
        "democracy": ("vdem_electoral_democracy", 1.0),
        "regime_row": ("vdem_regime_row", 1.0),
        "unemployment": ("unemployment_pct", 0.01),
        "gini": ("gini", 0.01),
        "poverty": ("extreme_poverty_pct", 0.01),
        "migrant_share": ("migrant_stock_pct", 0.01),
        "refugees_origin": ("refugees_by_origin", 1.0),
        "refugees_asylum": ("refugees_by_asylum", 1.0),
    }
)
_MEDIAN_FILLED = (
    "gdppc",
    "democracy",
    "regime_row",
    "unemployment",
    "gini",
    "poverty",
    "migrant_share",
)
_ZERO_FILLED = ("refugees_origin", "refugees_asylum")
_MEDIAN_RULE = "the median of observed countries in its UN sub-region, else UN region, else world"
# Variable -> how a gap is filled; completed into one sentence per variable by build_world.
_GAP_RULES = {
    "gdppc": (
        "Maddison 2011 int-$ x {ratio:.4f} (median PPP-2021/Maddison ratio over the {pairs} "
        "countries having both), else " + _MEDIAN_RULE
    ),
    "regime_row": "the floor of " + _MEDIAN_RULE,
    "refugees_origin": "0, as UNHCR lists no refugees for that country in 2023",
    "refugees_asylum": "0, as UNHCR lists no refugees for that country in 2023",
}


@dataclass(frozen=True, eq=False, repr=False)
class World:
    """Initial state of every country, as read-only arrays in ISO3 order.

    Attributes
    ----------
    year
        Year the values describe.
    iso3, name
        Country codes (sorted) and English short names.
    region_un, subregion_un
        UN M49 region and sub-region names.
    population
        People.
    gdppc
        GDP per head, constant 2021 international $ (PPP).
    democracy
        V-Dem electoral democracy index ``v2x_polyarchy``, 0-1.
    regime_row
        V-Dem Regimes of the World, int8: 0 closed autocracy, 1 electoral autocracy,
        2 electoral democracy, 3 liberal democracy (labels in ``ROW_LABELS``).
    unemployment, gini, poverty, migrant_share
        Shares 0-1: unemployment of the labour force, Gini coefficient, population below
        $3.00/day (2021 PPP), international migrant stock over population.
    refugees_origin, refugees_asylum
        Refugees under UNHCR mandate from and hosted by the country, people.
    neighbours
        (N, N) bool, symmetric, False on the diagonal: land borders and nearest links.
    distance_km
        (N, N) great-circle distance between centroids, 0 on the diagonal.
    imputed
        Bool frame indexed by iso3, one column per variable of ``SOURCE_COLUMNS``; True
        where the value was imputed.
    imputation_rules
        Variable -> the sentence stating how its gaps were filled.
    maddison_to_ppp2021
        Ratio converting Maddison 2011 int-$ into constant 2021 int-$ (PPP).
    politics
        Vote shares of the radical left, moderate left and radical right in each country's
        last free election before ``year``, imputed and flagged where there is none
        (:mod:`nato_socialism.data.parties`).
    pop_growth
        Recent population growth, mean yearly log change over the panel's
        :data:`~nato_socialism.data.panel.RECENT_GROWTH_YEARS` years up to ``year``; NaN
        where the panel lacks it. M11's natural growth starts from it.
    """

    year: int
    iso3: tuple[str, ...]
    name: tuple[str, ...]
    region_un: np.ndarray
    subregion_un: np.ndarray
    population: np.ndarray
    gdppc: np.ndarray
    democracy: np.ndarray
    regime_row: np.ndarray
    unemployment: np.ndarray
    gini: np.ndarray
    poverty: np.ndarray
    migrant_share: np.ndarray
    refugees_origin: np.ndarray
    refugees_asylum: np.ndarray
    neighbours: np.ndarray
    distance_km: np.ndarray
    imputed: pd.DataFrame
    imputation_rules: Mapping[str, str]
    maddison_to_ppp2021: float
    politics: Politics
    pop_growth: np.ndarray
    _position: dict[str, int] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)  # frozen means the arrays too
        object.__setattr__(self, "_position", {code: i for i, code in enumerate(self.iso3)})

    def __repr__(self) -> str:
        return f"World(year={self.year}, countries={len(self.iso3)})"

    def index(self, iso3: str) -> int:
        """Return the position of country ``iso3`` in every array.

        Raises
        ------
        UserError
            If the code is not one of the world's countries.
        """
        try:
            return self._position[iso3]
        except KeyError:
            raise UserError(f"Unknown country code {iso3!r}.{suggest(iso3, self.iso3)}") from None

    def to_frame(self) -> pd.DataFrame:
        """Return the per-country variables as a frame indexed by iso3 (no matrices)."""
        columns = ("name", "region_un", "subregion_un", "population", *SOURCE_COLUMNS)
        per_country = {column: getattr(self, column) for column in columns}
        return pd.DataFrame(per_country, index=pd.Index(self.iso3, name="iso3"))


def build_world(year: int | None = None, data_dir: PathLike | None = None) -> World:
    """Build the initial world from the snapshot and geography files.

    Parameters
    ----------
    year
        Start year; ``None`` or 2023 (the snapshot year).
    data_dir
        Folder with the data files; ``None`` for the bundled ones.

    Returns
    -------
    World
        All countries of the snapshot, sorted by iso3, gaps imputed (see module docstring).

    Raises
    ------
    UserError
        For another year, or if a data file is missing or invalid.
    """
    if year is not None and year != SNAPSHOT_YEAR:
        raise UserError(
            f"Year {year}: only the snapshot year {SNAPSHOT_YEAR} is supported by build_world; "
            "hindcast worlds come from the panel."
        )
    snapshot = load_snapshot(data_dir).sort_values("iso3", ignore_index=True)
    values, imputed, ratio, pairs = _impute(snapshot)
    iso3 = tuple(snapshot["iso3"])
    neighbours, distance_km = _geography(iso3, data_dir)
    rules = {
        var: f"{column}{' / 100' if factor != 1 else ''}; if missing, "
        + _GAP_RULES.get(var, _MEDIAN_RULE).format(ratio=ratio, pairs=pairs)
        + "."
        for var, (column, factor) in SOURCE_COLUMNS.items()
    }
    return World(
        year=SNAPSHOT_YEAR,
        iso3=iso3,
        name=tuple(snapshot["name"]),
        region_un=snapshot["region_un"].to_numpy(dtype=str),
        subregion_un=snapshot["subregion_un"].to_numpy(dtype=str),
        population=snapshot["population"].to_numpy(dtype=np.float64),
        regime_row=values.pop("regime_row").to_numpy(dtype=np.int8),
        **{var: column.to_numpy(dtype=np.float64) for var, column in values.items()},
        neighbours=neighbours,
        distance_km=distance_km,
        imputed=imputed.set_index(pd.Index(iso3, name="iso3")),
        imputation_rules=MappingProxyType(rules),
        maddison_to_ppp2021=ratio,
        politics=build_politics(snapshot[["iso3", "region_un", "subregion_un"]], SNAPSHOT_YEAR, data_dir),
        pop_growth=_recent_growth(iso3, SNAPSHOT_YEAR, data_dir),
    )


def _recent_growth(iso3: tuple[str, ...], year: int, data_dir: PathLike | None) -> np.ndarray:
    return recent_population_growth(panel_series(data_dir), iso3, year)


def _impute(snapshot: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, float, int]:
    """Fill the model variables; return values, flags, the Maddison ratio and its sample size."""
    raw = pd.DataFrame(
        {var: snapshot[column] * factor for var, (column, factor) in SOURCE_COLUMNS.items()}
    )
    imputed = raw.isna()
    values = raw.copy()

    maddison = snapshot["gdppc_maddison_2011intl"]
    both = raw["gdppc"].notna() & maddison.notna()
    ratio = float((raw["gdppc"][both] / maddison[both]).median())
    values["gdppc"] = values["gdppc"].fillna(maddison * ratio)

    for var in _MEDIAN_FILLED:
        values[var] = values[var].fillna(group_median(raw[var], snapshot))
    values["regime_row"] = np.floor(values["regime_row"])
    values[list(_ZERO_FILLED)] = values[list(_ZERO_FILLED)].fillna(0.0)
    return values, imputed, ratio, int(both.sum())


def _geography(iso3: tuple[str, ...], data_dir: PathLike | None) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour matrix from the links table and haversine distances between centroids."""
    position = {code: i for i, code in enumerate(iso3)}
    centroids = load_centroids(data_dir).set_index("iso3")
    lacking = [code for code in iso3 if code not in centroids.index]
    if lacking:
        raise UserError(
            f"{CENTROIDS_FILE} has no centroid for {', '.join(lacking)}; "
            "every country of the snapshot needs one."
        )
    lat = np.radians(centroids.loc[list(iso3), "lat"].to_numpy(dtype=np.float64))
    lon = np.radians(centroids.loc[list(iso3), "lon"].to_numpy(dtype=np.float64))
    half_dlat = (lat[:, None] - lat[None, :]) / 2
    half_dlon = (lon[:, None] - lon[None, :]) / 2
    a = (
        np.sin(half_dlat) ** 2
        + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(half_dlon) ** 2
    )
    distance_km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))

    links = load_neighbours(data_dir)
    for column in ("iso3", "neighbour"):
        unknown = links.loc[~links[column].isin(position), column]
        if not unknown.empty:
            row = unknown.index[0]
            raise UserError(
                f"{NEIGHBOURS_FILE}, line {row + 2}, column '{column}': {unknown.iloc[0]!r} is "
                f"not a country of the snapshot.{suggest(unknown.iloc[0], iso3)}"
            )
    neighbours = np.zeros((len(iso3), len(iso3)), dtype=bool)
    rows = links["iso3"].map(position).to_numpy()
    cols = links["neighbour"].map(position).to_numpy()
    # Links are undirected: a pair listed one way only still counts both ways.
    neighbours[rows, cols] = True
    neighbours[cols, rows] = True
    np.fill_diagonal(neighbours, False)
    return neighbours, distance_km
