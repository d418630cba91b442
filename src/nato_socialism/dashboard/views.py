"""What the dashboard's page shows, as JSON-ready dicts: stored runs drawn by the report's figure functions.

Nothing here runs the model: every view reads a stored run (:func:`~nato_socialism.report.data.load_run_data`,
cached per run until the run gains chunks or changes status) and calls a figure function of
:mod:`nato_socialism.report.figures`. Bad query values raise :class:`UserError` naming the
value and what was expected (the server answers them with status 400).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UserError, suggest
from ..report import figures as F
from ..report.build import drawn_countries, mode_range, summary_html
from ..report.data import FAN_QUANTILES, RunData, load_run_data

#: Country variables the country panel can draw as fan charts (the non-categorical ones).
COUNTRY_FAN_VARIABLES = ("support", "reaction", "living", "displaced_share")


def _choice(value: str | None, choices, what: str) -> str:
    if value not in choices:
        raise UserError(f"unknown {what} {value!r}; expected one of {', '.join(map(str, choices))}."
                        + suggest(str(value), [str(c) for c in choices]))
    return value


def _int(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UserError(f"{what} must be a whole number, not {value!r}.") from None


class RunViews:
    """The views of every run in one results directory."""

    def __init__(self, results: Path):
        self.results = Path(results)
        self._cache: dict[str, tuple[tuple, RunData]] = {}
        self._extra: dict[tuple, object] = {}
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    # ------------------------------------------------------------------ runs
    def store(self):
        """The results directory's store (UserError if it holds no store yet)."""
        from ..experiments.store import ResultStore

        return ResultStore.open(self.results)

    def runs(self) -> list[dict]:
        """Every stored run, newest first (empty when the directory holds no store yet)."""
        from ..experiments.store import DB_NAME

        if not (self.results / DB_NAME).is_file():
            return []
        frame = self.store().runs()
        out = []
        for r in frame.to_dict(orient="records"):
            out.append({"run_id": r["run_id"], "kind": r["kind"], "scenario": r["scenario_name"],
                        "status": r["status"], "members": int(r["members"]), "horizon": int(r["horizon"]),
                        "doctrines": json.loads(r["doctrines"] or "[]"), "started": None if pd.isna(r["started"]) else
                        pd.Timestamp(r["started"]).isoformat(timespec="seconds"),
                        "chunks": f"{r['chunks_done']}/{r['chunks_total']}"})
        return out

    def data(self, run: str) -> RunData:
        """The run's report data, reloaded when the run has changed since it was read."""
        store = self.store()
        run_id = store.resolve(run)
        meta = store.meta(run_id)
        key = (meta["status"], len(store.committed(run_id)))
        with self._lock:
            lock = self._loading.setdefault(run_id, threading.Lock())
        with lock:  # one load per run at a time; other runs load in parallel
            cached = self._cache.get(run_id)
            if cached is None or cached[0] != key:
                self._cache[run_id] = (key, load_run_data(self.results, run_id))
                self._extra = {k: v for k, v in self._extra.items() if k[0] != run_id}
            return self._cache[run_id][1]

    def _memo(self, key: tuple, make):
        if key not in self._extra:
            self._extra[key] = make()
        return self._extra[key]

    # ------------------------------------------------------------------ views
    def info(self, run: str) -> dict:
        """What the page needs to offer a run's views: doctrines, years, map modes, countries, notes."""
        rd = self.data(run)
        start, horizon = int(rd.meta["start_year"]), int(rd.meta["horizon"])
        modes = [{"name": k, "label": m.label, "source": m.source}
                 for k, m in F.map_modes().items() if m.source != "member" or not rd.kept.empty]
        countries = rd.countries[["iso3", "name"]].to_dict(orient="records") if not rd.countries.empty else []
        return {
            "run_id": rd.run_id, "kind": rd.meta.get("kind"), "status": rd.meta.get("status"),
            "scenario": rd.meta.get("scenario_name"), "members": rd.meta.get("members"),
            "doctrines": rd.doctrines, "reference": rd.reference, "years": [start, start + horizon],
            "map": not rd.country_summary.empty or not rd.kept.empty, "modes": modes,
            "default_mode": "p_democratic_socialist" if not rd.country_summary.empty else "regime",
            "kept_members": sorted({int(x) for x in rd.kept["member"]}) if not rd.kept.empty else [],
            "countries": countries, "fan_variables": [{"name": v, "label": F.COUNTRY_VARIABLES[v].label}
                                                      for v in COUNTRY_FAN_VARIABLES],
            "missing": rd.missing, "summary_html": summary_html(rd),
        }

    def map(self, run: str, mode: str, doctrine: str, year, member=0) -> dict:
        """The world map of one mode, doctrine and year (:func:`~nato_socialism.report.figures.world_map_spec`)."""
        from ..report.html import geometry_countries

        rd = self.data(run)
        modes = F.map_modes()
        _choice(mode, list(modes), "map mode")
        _choice(doctrine, rd.doctrines, "doctrine")
        year = self._year(rd, year)
        member = _int(member, "member")
        m = modes[mode]
        if m.source == "member":
            kept = sorted({int(x) for x in rd.kept["member"]})
            if member not in kept:
                raise UserError(f"run {rd.run_id} kept no member {member}; kept members: "
                                f"{', '.join(map(str, kept)) or 'none (it ran with --keep-trajectories 0)'}.")
        elif rd.country_summary.empty:
            raise UserError(f"run {rd.run_id} has no country summary (schema version 1 or no committed chunk); "
                            "only the kept members' regime map can be drawn.")
        drawn = self._memo((rd.run_id, "drawn"), lambda: drawn_countries(rd, geometry_countries())[0])
        zrange = self._memo((rd.run_id, "range", mode), lambda: mode_range(rd, m))
        centroids = rd.countries.reindex(columns=["iso3", "lat", "lon"])
        return F.world_map_spec(rd.country_summary, mode, doctrine, year, kept=rd.kept, member=member,
                                countries=rd.countries, drawn=drawn, centroids=centroids, zrange=zrange)

    def compare(self, run: str, reference: str | None = None) -> dict:
        """Paired differences of ``reference`` against every other doctrine, for every outcome, and the forest plot."""
        from ..formatting import pair_cell
        from ..model.outcomes import OUTCOMES

        rd = self.data(run)
        reference = _choice(reference or rd.reference, rd.doctrines, "doctrine")
        if len(rd.doctrines) < 2:
            return {"reference": reference, "rivals": [], "rows": [], "figure": None,
                    "note": f"run {rd.run_id} ran one doctrine ({reference}): there is nothing to compare."}
        if rd.outcomes.empty:
            return {"reference": reference, "rivals": [], "rows": [], "figure": None,
                    "note": f"run {rd.run_id} has no committed outcomes yet."}
        last = int(rd.meta["start_year"]) + int(rd.meta["horizon"])
        comp = rd.comparison
        comp = comp[(comp["a"] == reference) & (comp["n"] > 0)]
        rivals = [d for d in rd.doctrines if d != reference]
        by = comp.set_index(["outcome", "b"])
        rows = []
        for name, o in OUTCOMES.items():
            if name not in set(comp["outcome"]):
                continue
            rows.append({"outcome": name, "unit": o.unit, "better": o.direction,
                         **{d: pair_cell(by.loc[(name, d)]) if (name, d) in by.index else "" for d in rivals}})
        figure = F.forest_plot_spec(rd.comparison, rd.outcomes, reference, never_year=last + 1)
        return {"reference": reference, "rivals": rivals, "rows": rows, "figure": figure, "note": ""}

    def country(self, run: str, iso3: str, variable: str = "support", doctrine: str | None = None, member=0,
                year=None) -> dict:
        """A country's fan chart per doctrine and the "why" waterfall of its support in one year."""
        rd = self.data(run)
        names = dict(zip(rd.countries["iso3"], rd.countries["name"], strict=True)) if not rd.countries.empty else {}
        iso3 = _choice(str(iso3).upper(), list(names), "country code")
        variable = _choice(variable, list(COUNTRY_FAN_VARIABLES), "country variable")
        doctrine = _choice(doctrine or rd.reference, rd.doctrines, "doctrine")
        year = self._year(rd, year if year is not None else rd.meta["start_year"])
        member = _int(member, "member")
        out = {"iso3": iso3, "name": names[iso3], "fan": None, "why": None, "notes": []}
        summary = self._memo((rd.run_id, "country", iso3), lambda: self._country_quantiles(rd, iso3))
        if summary.empty:
            out["notes"].append(f"run {rd.run_id} stores no country histograms: no fan chart.")
        else:
            out["fan"] = F.country_fan_spec(summary, iso3, variable, rd.doctrines, names[iso3])
        out["why"], note = self._why(rd, iso3, doctrine, member, year, names[iso3])
        if note:
            out["notes"].append(note)
        return out

    def teach(self, run: str, doctrine: str, member=0) -> dict:
        """Teaching mode: for each year of one kept member, the largest change and why."""
        from ..model.state import REGIME_LABELS, Regime
        from ..model.switches import CONTRIBUTION_LABELS

        rd = self.data(run)
        doctrine = _choice(doctrine, rd.doctrines, "doctrine")
        member = _int(member, "member")
        k = rd.kept[(rd.kept["doctrine"] == doctrine) & (rd.kept["member"] == member)]
        if k.empty:
            raise UserError(f"run {rd.run_id} kept no trajectory of member {member} under {doctrine}; teaching "
                            "mode needs a kept member (run with --keep-trajectories 1 or more).")
        names = dict(zip(rd.countries["iso3"], rd.countries["name"], strict=True)) if not rd.countries.empty else {}
        why = self._why_rows(rd, doctrine, member)
        regime = k.pivot(index="year", columns="iso3", values="regime").sort_index()
        support = k.pivot(index="year", columns="iso3", values="support").sort_index()
        years = [int(y) for y in regime.index]
        steps = [{"year": years[0], "text": f"{years[0]}: the starting world ({doctrine}, member {member})."}]
        for before, after in zip(years[:-1], years[1:], strict=True):
            a, b = regime.loc[before], regime.loc[after]
            changed = [c for c in regime.columns if a[c] != b[c] and np.isfinite(a[c]) and np.isfinite(b[c])]
            if changed:
                shown = [f"{names.get(c, c)} {REGIME_LABELS[Regime(int(a[c]))]} → {REGIME_LABELS[Regime(int(b[c]))]}"
                         for c in changed[:4]]
                more = f" and {len(changed) - 4} more" if len(changed) > 4 else ""
                text = f"{after}: regime change in " + "; ".join(shown) + more + "."
            else:
                delta = (support.loc[after] - support.loc[before]).dropna()
                if delta.empty:
                    continue
                c = delta.abs().idxmax()
                text = (f"{after}: largest change: support for the socialist coalition in {names.get(c, c)} "
                        f"{100 * support.loc[before, c]:.1f} % → {100 * support.loc[after, c]:.1f} %")
                row = why[(why["iso3"] == c) & (why["year"] == before)]
                if not row.empty:
                    parts = row.iloc[0][[p for p in why.columns if p not in ("doctrine", "member", "year", "iso3",
                                                                             "target")]].astype(float)
                    top = parts.abs().idxmax()
                    text += f", mostly {CONTRIBUTION_LABELS.get(top, top)} ({100 * parts[top]:+.1f} pts)"
                text += "."
            steps.append({"year": after, "text": text})
        return {"doctrine": doctrine, "member": member, "years": [years[0], years[-1]], "steps": steps}

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _year(rd: RunData, year) -> int:
        year = _int(year, "year")
        first, last = int(rd.meta["start_year"]), int(rd.meta["start_year"]) + int(rd.meta["horizon"])
        if not first <= year <= last:
            raise UserError(f"year {year} is outside run {rd.run_id}; expected {first} to {last}.")
        return year

    def _country_quantiles(self, rd: RunData, iso3: str) -> pd.DataFrame:
        """The country summary of one country with the fan quantiles, from its ``country_hist`` rows."""
        import pyarrow.parquet as pq

        from ..experiments.recorder import country_summary

        paths = self.store().files(rd.run_id, "country_hist")
        if not paths:
            return pd.DataFrame()
        # one chunk file at a time, in store order (a doctrine's chunks together), this country's rows only
        tables = (pq.read_table(p, filters=[("iso3", "=", iso3)], use_threads=False) for p in paths)
        return country_summary(tables, qs=FAN_QUANTILES)

    def _why_rows(self, rd: RunData, doctrine: str, member: int, iso3: str | None = None) -> pd.DataFrame:
        store = self.store()
        if not store.files(rd.run_id, "why"):
            return pd.DataFrame(columns=["doctrine", "member", "year", "iso3", "target"])
        where = "doctrine = ? and member = ? and target = 'support'" + (" and iso3 = ?" if iso3 else "")
        args = [doctrine, member] + ([iso3] if iso3 else [])
        with store.query(rd.run_id) as con:
            return con.execute(f"select * from why where {where}", args).df()

    def _why(self, rd: RunData, iso3: str, doctrine: str, member: int, year: int, name: str):
        if rd.kept.empty:
            return None, f"run {rd.run_id} kept no member trajectories: no \"why\" waterfall."
        kept = rd.kept[(rd.kept["doctrine"] == doctrine) & (rd.kept["member"] == member)]
        if kept.empty:
            return None, f"member {member} of {doctrine} was not kept: no \"why\" waterfall."
        last = int(kept["year"].max())
        year = min(year, last - 1)  # the why of year y explains y -> y + 1
        why = self._why_rows(rd, doctrine, member, iso3)
        if why[why["year"] == year].empty:
            return None, f"no \"why\" row for {name} in {year} ({doctrine}, member {member})."
        return F.why_waterfall_spec(why, kept, doctrine, member, iso3, year, name), ""
