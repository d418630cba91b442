"""The 1950-2025 country-year panel in the model's units, and what worlds take from it.

:func:`panel_series` turns the panel into the model's units, one row per entity and year
(:mod:`.panel_world` builds past worlds from it); :func:`recent_population_growth` gives a
world's recent natural population growth (net of refugee flows), where M11's demographic
transition starts.

Series (model units)
--------------------
* **population**: OWID "Population (historical)", else World Bank SP.POP.TOTL. OWID first
  because it covers every country over 1950-2023 from one source, so growth rates never mix
  sources within a country.
* **gdppc** (constant 2021 int-$, PPP): the World Bank value where present (1990 on); else
  the Maddison 2011 int-$ value times the country's own PPP-2021/Maddison ratio in its first
  year having both (about 1990), so the long Maddison series keeps its growth rates and joins
  the World Bank level without a jump; a country never having both uses the pooled median
  ratio of all country-years having both.
* **democracy, regime_row**: V-Dem ``v2x_polyarchy`` and Regimes of the World as coded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nato_socialism.data.loader import PathLike, load_panel

#: Years over which a world's recent population growth is measured (:func:`recent_population_growth`).
RECENT_GROWTH_YEARS = 5


def panel_series(data_dir: PathLike | None = None) -> pd.DataFrame:
    """Return the panel in model units: one row per entity (incl. former states) and year.

    Parameters
    ----------
    data_dir
        Folder with the data files; ``None`` for the bundled ones.

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3``, ``year`` (int), ``historical_entity``, ``population``, ``gdppc``
        (2021 PPP $), ``gdppc_source`` ("wb", "maddison_spliced", "maddison_pooled" or
        missing), ``democracy``, ``regime_row``, ``refugees_origin``, ``refugees_asylum``.
        The pooled Maddison ratio is in ``frame.attrs["maddison_to_ppp2021"]``.
    """
    panel = load_panel(data_dir)
    panel["year"] = panel["year"].astype(int)
    wb, mad = panel["gdppc_ppp_2021intl"], panel["gdppc_maddison_2011intl"]
    both = wb.notna() & mad.notna()
    ratio = wb[both] / mad[both]
    pooled = float(ratio.median())
    overlap = panel.loc[both, ["iso3", "year"]].assign(ratio=ratio)
    own = overlap.sort_values("year").groupby("iso3")["ratio"].first()
    country_ratio = panel["iso3"].map(own)
    spliced = mad * country_ratio.fillna(pooled)
    gdppc = wb.fillna(spliced)
    source = np.select(
        [wb.notna(), mad.notna() & country_ratio.notna(), mad.notna()],
        ["wb", "maddison_spliced", "maddison_pooled"],
        default="",
    )
    out = pd.DataFrame({
        "iso3": panel["iso3"],
        "year": panel["year"],
        "historical_entity": panel["historical_entity"].astype(bool),
        "population": panel["population_owid"].fillna(panel["population_wb"]),
        "gdppc": gdppc,
        "gdppc_source": pd.Series(source, index=panel.index).replace("", np.nan),
        "democracy": panel["vdem_electoral_democracy"],
        "regime_row": panel["vdem_regime_row"],
        "refugees_origin": panel["refugees_by_origin"],
        "refugees_asylum": panel["refugees_by_asylum"],
    })
    out.attrs["maddison_to_ppp2021"] = pooled
    return out


def recent_population_growth(series: pd.DataFrame, iso3: tuple[str, ...], year: int) -> np.ndarray:
    """Recent natural population growth: yearly log growth over the last years, less refugee flows.

    The :data:`RECENT_GROWTH_YEARS` years up to ``year``:
    ``(ln P_year - ln P_first - (dR_asylum - dR_origin) / P_first) / years``, with ``dR`` the
    change of the UNHCR refugee stocks hosted and originating (0 where absent): M6 moves
    refugees itself, so a war's flight or reception must not persist in M11's natural rate.
    Labour migration cannot be netted out (the panel has no series of it) and stays in.
    Per country, in ``iso3`` order; NaN where the panel lacks a population at either end.
    """
    first = year - RECENT_GROWTH_YEARS
    rows = series[series["year"].isin((first, year))]

    def ends(column):
        table = rows.pivot(index="iso3", columns="year", values=column).reindex(index=list(iso3), columns=[first, year])
        return table[first].to_numpy(float), table[year].to_numpy(float)

    p0, p1 = ends("population")
    (a0, a1), (o0, o1) = ends("refugees_asylum"), ends("refugees_origin")
    refugees_in = np.nan_to_num(a1 - a0) - np.nan_to_num(o1 - o0)
    return (np.log(p1) - np.log(p0) - refugees_in / p0) / RECENT_GROWTH_YEARS
