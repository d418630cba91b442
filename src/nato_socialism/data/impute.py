"""The group-median rule that fills gaps in country data (snapshot, panel years, politics)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def group_median(observed: pd.Series, groups: pd.DataFrame) -> pd.Series:
    """Median of observed values in each country's sub-region, else region, else world.

    ``observed`` and ``groups`` (columns ``subregion_un``, ``region_un``) share one index;
    missing values are ignored, so medians are taken over observed countries only.
    """
    median = pd.Series(np.nan, index=observed.index)
    for level in ("subregion_un", "region_un"):
        median = median.fillna(observed.groupby(groups[level]).transform("median"))
    return median.fillna(observed.median())
