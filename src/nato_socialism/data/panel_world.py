"""Worlds of earlier years, built from the 1950-2025 country-year panel (hindcasts).

:func:`build_panel_world` picks one year of the panel in model units
(:func:`~.panel.panel_series`) and returns the same :class:`~.world.World`
as :func:`~.world.build_world` (the 197 countries of the snapshot, sorted by ISO3, with the
snapshot's geography), so a run can start in, say, 1990.

World of a year
---------------
Gaps in gdppc, democracy and regime_row are filled by the same rules as the snapshot
(:func:`nato_socialism.data.impute.group_median`: the median of observed countries of the
same UN sub-region that year, else region, else world; regime_row is the floor of it).
Refugee counts come from the panel's UNHCR columns of that year, 0 where absent.
Starting politics come from the last free election before that year
(:func:`nato_socialism.data.parties.build_politics`), so a 1990 hindcast starts from the
elections of 1980-1989.
Unemployment, Gini, extreme poverty and the migrant-stock share have no panel series: they
keep the snapshot's (2023, imputed) values as documented defaults and are flagged as
imputed; a hindcast is judged only on population, GDP per head, democracy and regime.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from nato_socialism.data.impute import group_median
from nato_socialism.data.loader import PathLike
from nato_socialism.data.panel import panel_series, recent_population_growth
from nato_socialism.data.parties import build_politics
from nato_socialism.data.world import SNAPSHOT_YEAR, SOURCE_COLUMNS, World, build_world
from nato_socialism.errors import UserError

#: Years a world can be built for: population, GDP and V-Dem all reach from 1950 to 2023.
FIRST_YEAR, LAST_YEAR = 1950, 2023
#: Variables without a panel series: the snapshot's values are used as defaults.
SNAPSHOT_DEFAULTS = ("unemployment", "gini", "poverty", "migrant_share")


def build_panel_world(year: int, data_dir: PathLike | None = None) -> World:
    """Build the world of ``year`` from the panel (see the module docstring for the rules).

    Parameters
    ----------
    year
        A year from 1950 to 2023.
    data_dir
        Folder with the data files; ``None`` for the bundled ones.

    Returns
    -------
    World
        The snapshot's 197 countries with that year's population, GDP per head, democracy,
        regime and refugees; ``imputed`` flags every value not observed in that year.

    Raises
    ------
    UserError
        For a year outside 1950-2023, or a missing or invalid data file.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UserError(f"Year {year}: panel worlds can be built for {FIRST_YEAR}-{LAST_YEAR} only.")
    snap = build_world(data_dir=data_dir)
    series = panel_series(data_dir)
    frame = snap.to_frame()
    rows = series[series["year"] == year].set_index("iso3").reindex(frame.index)
    groups = frame[["region_un", "subregion_un"]].reset_index(drop=True)

    values, imputed = {}, {}
    for var in ("gdppc", "democracy", "regime_row"):
        observed = rows[var].reset_index(drop=True)
        imputed[var] = observed.isna().to_numpy()
        values[var] = observed.fillna(group_median(observed, groups)).to_numpy(dtype=np.float64)
    values["regime_row"] = np.floor(values["regime_row"])
    for var in ("refugees_origin", "refugees_asylum"):
        imputed[var] = rows[var].isna().to_numpy()
        values[var] = rows[var].fillna(0.0).to_numpy(dtype=np.float64)
    for var in SNAPSHOT_DEFAULTS:
        imputed[var] = np.full(len(frame), year != SNAPSHOT_YEAR)
        values[var] = np.asarray(getattr(snap, var), dtype=np.float64).copy()
    population = rows["population"].to_numpy(dtype=np.float64)
    if np.isnan(population).any():
        lacking = ", ".join(frame.index[np.isnan(population)])
        raise UserError(f"The panel has no population for {lacking} in {year}.")

    ratio = series.attrs["maddison_to_ppp2021"]
    rule = "the median of observed countries in its UN sub-region, else UN region, else world, in {year}"
    rules = {
        "gdppc": (f"World Bank PPP 2021 in {year}; else Maddison 2011 int-$ x the country's own splice "
                  f"ratio (else the pooled {ratio:.4f}); else " + rule.format(year=year) + "."),
        "democracy": f"V-Dem v2x_polyarchy in {year}; else " + rule.format(year=year) + ".",
        "regime_row": f"V-Dem v2x_regime in {year}; else the floor of " + rule.format(year=year) + ".",
        "refugees_origin": f"UNHCR refugees by origin in {year}; else 0.",
        "refugees_asylum": f"UNHCR refugees by asylum in {year}; else 0.",
        **{var: f"no panel series: the snapshot's {SNAPSHOT_YEAR} value (documented default). "
                + snap.imputation_rules[var] for var in SNAPSHOT_DEFAULTS},
    }
    return World(
        year=year,
        iso3=snap.iso3,
        name=snap.name,
        region_un=np.asarray(snap.region_un).copy(),
        subregion_un=np.asarray(snap.subregion_un).copy(),
        population=population,
        gdppc=values["gdppc"],
        democracy=values["democracy"],
        regime_row=values["regime_row"].astype(np.int8),
        unemployment=values["unemployment"],
        gini=values["gini"],
        poverty=values["poverty"],
        migrant_share=values["migrant_share"],
        refugees_origin=values["refugees_origin"],
        refugees_asylum=values["refugees_asylum"],
        neighbours=np.asarray(snap.neighbours).copy(),
        distance_km=np.asarray(snap.distance_km).copy(),
        imputed=pd.DataFrame({var: imputed[var] for var in SOURCE_COLUMNS}, index=frame.index),
        imputation_rules=MappingProxyType({var: rules[var] for var in SOURCE_COLUMNS}),
        maddison_to_ppp2021=ratio,
        politics=build_politics(frame.reset_index()[["iso3", "region_un", "subregion_un"]], year, data_dir),
        pop_growth=recent_population_growth(series, snap.iso3, year),
    )
