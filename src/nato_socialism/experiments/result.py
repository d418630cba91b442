"""The one result shape every interface reads (CLI, store, report, dashboard).

A :class:`Result` holds tidy pandas tables (schema version ``RESULT_SCHEMA_VERSION``,
documented column by column in ``docs/results.md``):

``experiments``  one row per member and doctrine: ``member``, ``doctrine``, ``seed_key`` and
                 every parameter value;
``outcomes``     one row per member and doctrine: ``member``, ``doctrine`` and every outcome
                 of :data:`nato_socialism.model.outcomes.OUTCOMES` (NaN = never / undefined);
``series``       one row per doctrine, member and year: world and bloc-level yearly series
                 (columns listed by :data:`nato_socialism.experiments.series.QUANTITIES`);
``country_hist`` one row per doctrine, chunk, year and country: member counts per bin of each
                 country variable (:data:`nato_socialism.experiments.recorder.COUNTRY_VARIABLES`),
                 read through :meth:`Result.country_summary`;
``trajectories`` one row per doctrine, kept member, year and country: state variables,
                 requested and applied controls, regime event code;
``why``          one row per doctrine, kept member, year, country and target (``support`` or
                 ``reaction``): the change of that share during the year split by mechanism.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .compare import compare, summarize

#: 2 added ``country_hist``, the recorded bloc series and the run-level ``countries`` and
#: ``blocs`` tables; version 1 runs are still read (the parts they lack are named).
RESULT_SCHEMA_VERSION = 2
#: Tables a chunk produces, in the order the store commits them.
CHUNK_TABLE_NAMES = ("outcomes", "series", "country_hist", "trajectories", "why")


@dataclass
class Result:
    """Outcomes and trajectories of an ensemble run."""

    meta: dict
    experiments: pd.DataFrame
    outcomes: pd.DataFrame
    series: pd.DataFrame = field(default_factory=pd.DataFrame)
    country_hist: pd.DataFrame = field(default_factory=pd.DataFrame)
    trajectories: pd.DataFrame = field(default_factory=pd.DataFrame)
    why: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def doctrines(self) -> list[str]:
        """Doctrines in run order."""
        return list(self.meta["doctrines"])

    def summary(self) -> pd.DataFrame:
        """Per doctrine and outcome: median, 90 % interval, mean, Monte Carlo error."""
        return summarize(self.outcomes)

    def country_summary(self) -> pd.DataFrame:
        """Per doctrine, year and country: regime probabilities and quantiles over members."""
        from .recorder import country_summary

        return country_summary(self.country_hist) if not self.country_hist.empty else pd.DataFrame()

    def compare(self) -> pd.DataFrame:
        """Paired differences between every ordered pair of doctrines."""
        return compare(self.outcomes, never_year=self.meta["start_year"] + self.meta["horizon"] + 1)
