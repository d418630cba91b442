"""What the dashboard's page shows, as JSON-ready dicts: stored runs drawn by the report's figure functions.

Nothing here runs the model: every view reads a stored run and calls a figure function of
:mod:`nato_socialism.report.figures`. The first screen reads only what it draws (the run's
metadata and countries, then the ``country_hist`` columns of one doctrine and one variable),
so a map shows within seconds however many members the run has; the run summary reads
everything the report reads (:func:`~nato_socialism.report.data.load_run_data`). Whatever is
read is cached per run until the run gains chunks or changes status. Bad query values raise
:class:`UserError` naming the value and what was expected (the server answers them with
status 400).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UserError, suggest
from ..report import figures as F
from ..report.build import summary_html
from ..report.data import FAN_QUANTILES, KEPT_COLUMNS, MAP_QUANTILES, RunData, load_run_data

#: Seconds for which a run's state (status, committed chunks) is taken as known.
RECHECK = 1.0
#: Runs whose tables stay cached (the most recently used ones).
KEEP_RUNS = 4
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
        self._keys: dict[str, tuple] = {}
        self._seen: dict[str, tuple[float, tuple]] = {}
        self._extra: dict[tuple, object] = {}
        self._lock = threading.Lock()
        self._loading: dict[tuple, threading.Lock] = {}

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

    def _version(self, run: str) -> tuple[object, str, tuple]:
        """The store, the run id and what identifies the run's current content (status, committed chunks).

        Looked up at most every :data:`RECHECK` seconds per run (a request reads several cached
        items; each lookup opens the database).
        """
        now = time.monotonic()
        seen = self._seen.get(run)
        if seen is not None and now - seen[0] < RECHECK:
            return seen[1]
        store = self.store()
        run_id = store.resolve(run)
        chunks = store.run_dir(run_id) / "chunks"  # manifests are written last, atomically: counting them is enough
        committed = sum(1 for _ in chunks.glob("*.json")) if chunks.is_dir() else 0
        found = (store, run_id, (store.meta(run_id)["status"], committed))
        self._seen[run] = (now, found)
        return found

    def _cached(self, run: str, name: str, make):
        """``make(store, run_id)`` once per run content (recomputed when the run has changed)."""
        store, run_id, key = self._version(run)
        with self._lock:
            if self._keys.get(run_id) != key:  # the run changed: forget all of it
                self._keys[run_id] = key
                self._extra = {k: v for k, v in self._extra.items() if k[0] != run_id}
            self._keys[run_id] = self._keys.pop(run_id)  # most recently used last
            for old in list(self._keys)[:-KEEP_RUNS]:  # memory stays bounded however many runs are opened
                del self._keys[old]
                self._extra = {k: v for k, v in self._extra.items() if k[0] != old}
            lock = self._loading.setdefault((run_id, name), threading.Lock())
        with lock:  # one computation per item at a time; others go on in parallel
            if (run_id, name) not in self._extra:
                self._extra[(run_id, name)] = make(store, run_id)
            return self._extra[(run_id, name)]

    def data(self, run: str) -> RunData:
        """Everything the report reads of the run (the run summary needs it)."""
        return self._cached(run, "data", lambda store, run_id: load_run_data(self.results, run_id))

    def basics(self, run: str) -> dict:
        """The run's metadata, countries (iso3, name, lat, lon) and kept members, read quickly."""
        def make(store, run_id):
            meta = store.meta(run_id)
            if store.files(run_id, "countries"):
                countries = store.read(run_id, "countries")
            else:  # schema version 1: rebuilt from the scenario by the report's loader
                countries = load_run_data(self.results, run_id).countries
            kept = min(int(meta.get("keep_trajectories") or 0), int(meta["members"]))
            doctrines = list(meta.get("doctrines") or [])
            return {"run_id": run_id, "meta": meta, "countries": countries, "doctrines": doctrines,
                    "reference": "nato_first" if "nato_first" in doctrines else (doctrines[0] if doctrines else None),
                    "kept_members": list(range(kept)) if store.files(run_id, "trajectories") else [],
                    "histograms": bool(store.files(run_id, "country_hist")),
                    "names": dict(zip(countries["iso3"], countries["name"], strict=True)) if not countries.empty
                    else {}}
        return self._cached(run, "basics", make)

    # ------------------------------------------------------------------ views
    def info(self, run: str) -> dict:
        """What the page needs to offer a run's views: doctrines, years, map modes, countries."""
        b = self.basics(run)
        meta = b["meta"]
        start, horizon = int(meta["start_year"]), int(meta["horizon"])
        modes = [{"name": k, "label": m.label, "source": m.source} for k, m in F.map_modes().items()
                 if (m.source == "member" and b["kept_members"]) or (m.source != "member" and b["histograms"])]
        return {
            "run_id": b["run_id"], "kind": meta.get("kind"), "status": meta.get("status"),
            "scenario": meta.get("scenario_name"), "members": meta.get("members"), "doctrines": b["doctrines"],
            "reference": b["reference"], "years": [start, start + horizon], "map": bool(modes), "modes": modes,
            "default_mode": "p_democratic_socialist" if b["histograms"] else "regime",
            "kept_members": b["kept_members"],
            "countries": [{"iso3": c, "name": n} for c, n in b["names"].items()],
            "fan_variables": [{"name": v, "label": F.COUNTRY_VARIABLES[v].label} for v in COUNTRY_FAN_VARIABLES],
        }

    def first(self) -> dict:
        """The first screen in one answer: the stored runs, and the newest run's info and default map."""
        runs = self.runs()
        if not runs:
            return {"runs": runs, "info": None, "map": None}
        info = self.info(runs[0]["run_id"])
        shown = None
        if info["map"]:
            member = info["kept_members"][0] if info["kept_members"] else 0
            shown = self.map(info["run_id"], info["default_mode"], info["reference"], info["years"][1], member)
        return {"runs": runs, "info": info, "map": shown}

    def summary(self, run: str) -> dict:
        """The report's run summary (settings, run time, what the run lacks) as HTML, and the notes."""
        rd = self.data(run)
        return {"run_id": rd.run_id, "html": summary_html(rd), "missing": rd.missing}

    def analysis(self, run: str) -> dict:
        """Figures of the run's analysis tables (sensitivity, discovery, optimization), as in the report."""
        from ..report.build import analysis_figures

        rd = self.data(run)
        figures = [{"id": f.id, "caption": f.caption, "figure": spec} for f in analysis_figures(rd)
                   for _, spec in f.variants]
        note = "" if figures else (f"run {rd.run_id} has no analysis tables (they come from `nato-socialism "
                                   "sensitivity`, `discover` and `optimize`).")
        return {"run_id": rd.run_id, "figures": figures, "note": note}

    def map(self, run: str, mode: str, doctrine: str, year, member=0) -> dict:
        """The world map of one mode, doctrine and year (:func:`~nato_socialism.report.figures.world_map_spec`)."""
        from ..report.html import geometry_countries

        b = self.basics(run)
        modes = F.map_modes()
        _choice(mode, list(modes), "map mode")
        _choice(doctrine, b["doctrines"], "doctrine")
        year = self._year(b, year)
        member = _int(member, "member")
        m = modes[mode]
        kept, summary = None, pd.DataFrame()
        if m.source == "member":
            if member not in b["kept_members"]:
                raise UserError(f"run {b['run_id']} kept no member {member}; kept members: "
                                f"{', '.join(map(str, b['kept_members'])) or 'none (--keep-trajectories 0)'}.")
            kept = self._kept(run, doctrine, member)
        elif not b["histograms"]:
            raise UserError(f"run {b['run_id']} has no country summary (schema version 1 or no committed chunk); "
                            "only the kept members' regime map can be drawn.")
        else:
            summary = self._summary(run, doctrine, _variable(m))
        if m.zmin is not None or m.source == "member":
            zrange = F.map_range(m, np.array([]))
        else:  # one colour range over every doctrine and year, so colours compare along the slider
            zrange = self._cached(run, f"range {mode}", lambda *_: F.map_range(m, np.concatenate(
                [self._summary(run, d, _variable(m))[m.column].to_numpy() for d in b["doctrines"]])))
        countries = b["countries"]
        drawn = self._cached(run, "drawn", lambda *_: set(countries["iso3"]) & geometry_countries())
        return F.world_map_spec(summary, mode, doctrine, year, kept=kept, member=member, countries=countries,
                                drawn=drawn, centroids=countries.reindex(columns=["iso3", "lat", "lon"]),
                                zrange=zrange)

    def compare(self, run: str, reference: str | None = None) -> dict:
        """Paired differences of ``reference`` against every other doctrine, for every outcome, and the forest plot."""
        from ..experiments.compare import compare
        from ..formatting import pair_cell
        from ..model.outcomes import OUTCOMES

        b = self.basics(run)
        reference = _choice(reference or b["reference"], b["doctrines"], "doctrine")
        outcomes = self._cached(run, "outcomes", lambda store, run_id: store.read(run_id, "outcomes"))
        empty = {"reference": reference, "rivals": [], "rows": [], "figure": None}
        if len(b["doctrines"]) < 2:
            return {**empty, "note": f"run {b['run_id']} ran one doctrine ({reference}): there is nothing to compare."}
        if outcomes.empty:
            return {**empty, "note": f"run {b['run_id']} has no committed outcomes yet."}
        never = int(b["meta"]["start_year"]) + int(b["meta"]["horizon"]) + 1
        every = self._cached(run, "comparison", lambda *_: compare(outcomes, never_year=never))
        comp = every[(every["a"] == reference) & (every["n"] > 0)]
        rivals = [d for d in b["doctrines"] if d != reference]
        by = comp.set_index(["outcome", "b"])
        rows = []
        for name, o in OUTCOMES.items():
            if name not in set(comp["outcome"]):
                continue
            rows.append({"outcome": name, "unit": o.unit, "better": o.direction,
                         **{d: pair_cell(by.loc[(name, d)]) if (name, d) in by.index else "" for d in rivals}})
        figure = F.forest_plot_spec(every, outcomes, reference, never_year=never)
        return {"reference": reference, "rivals": rivals, "rows": rows, "figure": figure, "note": ""}

    def country(self, run: str, iso3: str, variable: str = "support", doctrine: str | None = None, member=0,
                year=None) -> dict:
        """A country's fan chart per doctrine and the "why" waterfall of its support in one year."""
        b = self.basics(run)
        names = b["names"]
        iso3 = _choice(str(iso3).upper(), list(names), "country code")
        variable = _choice(variable, list(COUNTRY_FAN_VARIABLES), "country variable")
        doctrine = _choice(doctrine or b["reference"], b["doctrines"], "doctrine")
        year = self._year(b, year if year is not None else b["meta"]["start_year"])
        member = _int(member, "member")
        out = {"iso3": iso3, "name": names[iso3], "fan": None, "why": None, "notes": []}
        if not b["histograms"]:
            out["notes"].append(f"run {b['run_id']} stores no country histograms: no fan chart.")
        else:
            summary = self._cached(run, f"country {iso3}",
                                   lambda store, run_id: _country_quantiles(store, run_id, iso3))
            out["fan"] = F.country_fan_spec(summary, iso3, variable, b["doctrines"], names[iso3])
        out["why"], note = self._why(run, b, iso3, doctrine, member, year)
        if note:
            out["notes"].append(note)
        return out

    def teach(self, run: str, doctrine: str, member=0) -> dict:
        """Teaching mode: for each year of one kept member, the largest change and why.

        The largest change of a year is its regime changes (most populous countries first), else
        the country whose coalition support moved most, with the part of the decomposition that
        moved it most.
        """
        from ..model.state import REGIME_LABELS, Regime
        from ..model.switches import CONTRIBUTION_LABELS

        b = self.basics(run)
        doctrine = _choice(doctrine, b["doctrines"], "doctrine")
        member = _int(member, "member")
        if member not in b["kept_members"]:
            raise UserError(f"run {b['run_id']} kept no trajectory of member {member} under {doctrine}; teaching "
                            "mode needs a kept member (run with --keep-trajectories 1 or more).")
        k = self._kept(run, doctrine, member)
        names = b["names"]
        why = self._why_rows(run, doctrine, member)
        regime = k.pivot(index="year", columns="iso3", values="regime").sort_index()
        support = k.pivot(index="year", columns="iso3", values="support").sort_index()
        pop = k.pivot(index="year", columns="iso3", values="pop").sort_index()
        years = [int(y) for y in regime.index]
        steps = [{"year": years[0], "text": f"{years[0]}: the starting world ({doctrine}, member {member})."}]
        for before, after in zip(years[:-1], years[1:], strict=True):
            a, z = regime.loc[before], regime.loc[after]
            changed = [c for c in regime.columns if a[c] != z[c] and np.isfinite(a[c]) and np.isfinite(z[c])]
            changed.sort(key=lambda c: -pop.loc[after, c])  # the most people first
            if changed:
                shown = [f"{names.get(c, c)} {REGIME_LABELS[Regime(int(a[c]))]} → {REGIME_LABELS[Regime(int(z[c]))]}"
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
                    parts = row.iloc[0][[p for p in why.columns if p not in _WHY_KEYS]].astype(float)
                    top = parts.abs().idxmax()
                    text += f", mostly {CONTRIBUTION_LABELS.get(top, top)} ({100 * parts[top]:+.1f} pts)"
                text += "."
            steps.append({"year": after, "text": text})
        return {"doctrine": doctrine, "member": member, "years": [years[0], years[-1]], "steps": steps}

    # ------------------------------------------------------------------ reading
    @staticmethod
    def _year(b: dict, year) -> int:
        year = _int(year, "year")
        first = int(b["meta"]["start_year"])
        last = first + int(b["meta"]["horizon"])
        if not first <= year <= last:
            raise UserError(f"year {year} is outside run {b['run_id']}; expected {first} to {last}.")
        return year

    def _summary(self, run: str, doctrine: str, variable: str) -> pd.DataFrame:
        """The country summary (medians) of one doctrine and variable, from those ``country_hist`` columns only."""
        import pyarrow.parquet as pq

        from ..experiments.recorder import country_summary

        def make(store, run_id):
            paths = [p for p in store.files(run_id, "country_hist") if p.stem.rsplit("-", 1)[0] == doctrine]
            columns = ["doctrine", "year", "iso3", "regime"] + ([variable] if variable != "regime" else [])
            return country_summary((pq.read_table(p, columns=columns, use_threads=False) for p in paths),
                                   qs=MAP_QUANTILES)
        return self._cached(run, f"summary {doctrine} {variable}", make)

    def _kept(self, run: str, doctrine: str, member: int) -> pd.DataFrame:
        """One kept member's trajectories (columns of the report's ``kept``, and population)."""
        def make(store, run_id):
            with store.query(run_id) as con:
                return con.execute(f"select {', '.join(KEPT_COLUMNS)}, pop from trajectories where doctrine = ? "
                                   "and member = ? order by year, iso3", [doctrine, member]).df()
        return self._cached(run, f"kept {doctrine} {member}", make)

    def _why_rows(self, run: str, doctrine: str, member: int) -> pd.DataFrame:
        """One kept member's ``why`` rows of support."""
        def make(store, run_id):
            if not store.files(run_id, "why"):
                return pd.DataFrame(columns=list(_WHY_KEYS))
            with store.query(run_id) as con:
                return con.execute("select * from why where doctrine = ? and member = ? and target = 'support'",
                                   [doctrine, member]).df()
        return self._cached(run, f"why {doctrine} {member}", make)

    def _why(self, run: str, b: dict, iso3: str, doctrine: str, member: int, year: int):
        name = b["names"][iso3]
        if member not in b["kept_members"]:
            return None, (f"member {member} of {doctrine} was not kept: no \"why\" waterfall." if b["kept_members"]
                          else f"run {b['run_id']} kept no member trajectories: no \"why\" waterfall.")
        kept = self._kept(run, doctrine, member)
        year = min(year, int(kept["year"].max()) - 1)  # the why of year y explains y -> y + 1
        why = self._why_rows(run, doctrine, member)
        if why[(why["year"] == year) & (why["iso3"] == iso3)].empty:
            return None, f"no \"why\" row for {name} in {year} ({doctrine}, member {member})."
        return F.why_waterfall_spec(why, kept, doctrine, member, iso3, year, name), ""


#: Key columns of the ``why`` table (the others are the parts of the decomposition).
_WHY_KEYS = ("doctrine", "member", "year", "iso3", "target")


def _variable(mode: F.MapMode) -> str:
    """The country variable an ensemble map mode reads (regime for the regime probabilities)."""
    return next((v for v in F.COUNTRY_VARIABLES if mode.column.startswith(f"{v}_p")), "regime")


def _country_quantiles(store, run_id: str, iso3: str) -> pd.DataFrame:
    """The country summary of one country with the fan quantiles, from its ``country_hist`` rows."""
    import pyarrow.parquet as pq

    from ..experiments.recorder import country_summary

    # one chunk file at a time, in store order (a doctrine's chunks together), this country's rows only
    tables = (pq.read_table(p, filters=[("iso3", "=", iso3)], use_threads=False)
              for p in store.files(run_id, "country_hist"))
    return country_summary(tables, qs=FAN_QUANTILES)
