"""Each country's starting politics: vote shares of its last free election before a year.

:func:`build_politics` reads ``party_elections.csv`` (derived from ParlGov and V-Party by
``tools/derive_parties.py``; classes and thresholds in docs/data.md) and returns, for the 197
countries of a world and a start year, the vote shares of three classes of parties in the
most recent *usable* election before that year:

* **radical left** (ParlGov family communist/socialist; V-Party economic left-right at or
  below the calibrated radical threshold),
* **moderate left** (ParlGov social democracy and green; V-Party up to the moderate
  threshold),
* **radical right** (ParlGov family right-wing; V-Party right of the moderate threshold,
  strongly anti-immigration and populist).

An election is usable if it was held at most ``MAX_AGE`` years before the start year, in a
year V-Dem's Regimes of the World rates the country an electoral democracy or better
(``FREE_ROW``; from the panel; elections before the panel's first year use that year), and
parties whose class is known won at least ``MIN_POSITIONED`` % of the vote. Votes in
electoral or closed autocracies do not measure free support, so they are not used. ParlGov
is used where it has a usable election, V-Party otherwise. The other countries take, class by
class, the median of the countries with data in their UN sub-region, else region, else world
(the rule of :mod:`nato_socialism.data.world`), and are flagged with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nato_socialism.data.impute import group_median
from nato_socialism.data.loader import PARTY_FILE, PathLike, load_panel, load_party_elections
from nato_socialism.data.schemas import PARTY_CLASSES, YEAR_MIN
from nato_socialism.errors import UserError

#: Oldest usable election, in years before the start year (two to three legislative terms).
MAX_AGE = 10
#: Lowest V-Dem Regimes of the World category whose elections count (2: electoral democracy).
FREE_ROW = 2
#: Least vote share (%) of parties with a known class for an election to count.
MIN_POSITIONED = 50.0
#: Sources in order of preference.
SOURCES = ("parlgov", "vparty")
SOURCE_LABELS = {"parlgov": "ParlGov", "vparty": "V-Party", "imputed": "imputed"}


@dataclass(frozen=True, eq=False, repr=False)
class Politics:
    """Vote shares of the three party classes per country, in the order of the world's iso3.

    Attributes
    ----------
    year
        Start year: only elections before it count.
    iso3
        Country codes (the world's order).
    radical_left, moderate_left, radical_right
        Vote shares 0-1 in the election used; imputed values where ``imputed``.
    source
        "parlgov", "vparty" or "imputed" per country.
    election_year
        Year of the election used (0 where imputed).
    imputed
        True where no usable election exists and the shares are group medians.
    reason
        Why a country was imputed ("" where it was not).
    parties
        Per country the parties counted in each class with their shares, e.g.
        "radical left: V 6.75; moderate left: S 30.33, MP 5.08; radical right: SD 20.54".
    rule
        One sentence stating how the values were chosen and filled.
    """

    year: int
    iso3: tuple[str, ...]
    radical_left: np.ndarray
    moderate_left: np.ndarray
    radical_right: np.ndarray
    source: tuple[str, ...]
    election_year: np.ndarray
    imputed: np.ndarray
    reason: tuple[str, ...]
    parties: tuple[str, ...]
    rule: str

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    def __repr__(self) -> str:
        return f"Politics(year={self.year}, imputed={int(self.imputed.sum())} of {len(self.iso3)})"

    def left(self, moderate_weight: float) -> np.ndarray:
        """Socialist coalition base: radical left plus ``moderate_weight`` x moderate left."""
        return self.radical_left + moderate_weight * self.moderate_left

    def to_frame(self) -> pd.DataFrame:
        """One row per country, indexed by iso3."""
        columns = ("radical_left", "moderate_left", "radical_right", "source", "election_year", "imputed",
                   "reason", "parties")
        return pd.DataFrame({c: getattr(self, c) for c in columns}, index=pd.Index(self.iso3, name="iso3"))


def build_politics(countries: pd.DataFrame, year: int, data_dir: PathLike | None = None) -> Politics:
    """Starting politics of ``countries`` for a run starting in ``year``.

    Parameters
    ----------
    countries
        One row per country in the world's order: columns ``iso3``, ``region_un``,
        ``subregion_un``.
    year
        Start year; elections of ``year - MAX_AGE`` to ``year - 1`` are considered.
    data_dir
        Folder with the data files; ``None`` for the bundled ones.

    Raises
    ------
    UserError
        If a data file is missing or invalid, or no country has a usable election.
    """
    iso3 = countries["iso3"].tolist()
    elections = _judged(load_party_elections(data_dir), data_dir)
    window = elections[(elections["year"] >= year - MAX_AGE) & (elections["year"] < year)]
    usable = window[window["usable"]].copy()
    usable["preference"] = usable["source"].map(SOURCES.index)
    chosen = (usable.sort_values(["preference", "year", "date"], ascending=[True, False, False], na_position="last")
              .groupby("iso3").head(1).set_index("iso3").reindex(iso3))
    if chosen["source"].isna().all():
        raise UserError(
            f"{PARTY_FILE}: no country has a free election (V-Dem Regimes of the World >= {FREE_ROW}) "
            f"from {year - MAX_AGE} to {year - 1}; starting politics cannot be set for {year}."
        )
    imputed = chosen["source"].isna().to_numpy()
    groups = countries[["region_un", "subregion_un"]].reset_index(drop=True)
    shares = {}
    for name in PARTY_CLASSES:
        observed = (chosen[name] / 100.0).reset_index(drop=True)
        shares[name] = observed.fillna(group_median(observed, groups)).to_numpy(dtype=np.float64)
    reasons = [_reason(code, year, elections, window) if flag else "" for code, flag in zip(iso3, imputed, strict=True)]
    return Politics(
        year=year,
        iso3=tuple(iso3),
        **shares,
        source=tuple(chosen["source"].fillna("imputed")),
        election_year=chosen["year"].fillna(0).to_numpy(dtype=np.int64),
        imputed=imputed,
        reason=tuple(reasons),
        parties=tuple(_parties(row) for _, row in chosen.iterrows()),
        rule=(f"vote shares in the last free election (V-Dem RoW >= {FREE_ROW}) of {year - MAX_AGE}-{year - 1} "
              f"with >= {MIN_POSITIONED:g} % of the vote in classified parties, ParlGov before V-Party; else, "
              "class by class, the median of countries with data in the UN sub-region, else region, else world."),
    )


def _judged(elections: pd.DataFrame, data_dir: PathLike | None) -> pd.DataFrame:
    """Add ``row`` (V-Dem RoW in the election year) and ``usable`` to the election table."""
    panel = load_panel(data_dir)
    row = panel.dropna(subset=["vdem_regime_row"]).set_index(["iso3", "year"])["vdem_regime_row"]
    row.index = row.index.set_levels(row.index.levels[1].astype(int), level=1)
    judged_year = elections["year"].astype(int).clip(lower=YEAR_MIN)
    out = elections.assign(year=elections["year"].astype(int))
    out["row"] = pd.Series(list(zip(out["iso3"], judged_year, strict=True)), index=out.index).map(row)
    out["usable"] = (out["row"] >= FREE_ROW) & (out["positioned"] >= MIN_POSITIONED)
    return out


def _reason(code: str, year: int, elections: pd.DataFrame, window: pd.DataFrame) -> str:
    """Why a country has no usable election before ``year``."""
    own = window[window["iso3"] == code]
    if own.empty:
        earlier = elections.loc[(elections["iso3"] == code) & (elections["year"] < year), "year"]
        if earlier.empty:
            return f"no election before {year} in ParlGov or V-Party"
        return f"last election {int(earlier.max())}, more than {MAX_AGE} years before {year}"
    unfree = own[~(own["row"] >= FREE_ROW)]
    if len(unfree) == len(own):
        years = ", ".join(str(y) for y in sorted(set(own["year"])))
        return f"elections of {years} not free (V-Dem RoW < {FREE_ROW} or not rated)"
    return f"parties with a known position won < {MIN_POSITIONED:g} % of the vote in the free elections"


def _parties(row: pd.Series) -> str:
    if pd.isna(row["source"]):
        return ""
    parts = [f"{name.replace('_', ' ')}: {row[f'{name}_parties']}" for name in PARTY_CLASSES
             if isinstance(row[f"{name}_parties"], str)]
    return "; ".join(parts)

