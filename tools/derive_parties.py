#!/usr/bin/env python3
"""Derive the bundled election table ``party_elections.csv`` from ParlGov and V-Party.

Input (a folder holding the files described in its SOURCES.md, e.g. ``../shared/data/parties``):
  parlgov_elections.csv, parlgov_parties.csv   ParlGov development snapshot (2024-08 export)
  vparty_parties.csv                           V-Party V2 (vdemdata 16.0), 14 of its columns
and src/nato_socialism/data/files/countries_snapshot.csv (the 197-country universe).

Output: src/nato_socialism/data/files/party_elections.csv, one row per national parliamentary
election: iso3, source, year, date, radical_left, moderate_left, radical_right (vote shares,
% of all votes), positioned (% of the vote cast for parties whose class is known) and the
parties counted in each class ("name share; ...").

Classes (docs/data.md, "Starting politics"):
  * ParlGov, by party family: radical left = ``com`` (communist/socialist); moderate left =
    ``soc`` (social democracy) and ``eco`` (green/ecologist); radical right = ``right``.
  * V-Party, by the party's positions: radical left = economic left-right ``v2pariglef`` <=
    T_RADICAL; moderate left = T_RADICAL < v2pariglef <= T_MODERATE; radical right =
    v2pariglef > T_MODERATE and immigration ``v2paimmig`` <= T_IMMIGRATION and populism
    ``v2xpa_popul`` >= T_POPULISM. The four thresholds are calibrated here, not chosen by hand:
    on the elections both sources cover (same country and year, 1970 on), the grid values
    (steps of 0.1; populism 0.05) that minimise the mean absolute difference between the
    V-Party class shares and ParlGov's family shares (left thresholds jointly, then the
    radical-right pair given T_MODERATE). Ties go to the first value in grid order.

Kept: ParlGov elections of type "parliament"; V-Party elections from 1970 (V-Party's expert
positions start in 1970); both from 1940 (a start year needs an election at most ten years old,
and the panel starts in 1950); countries of the snapshot. Dropped, and counted in the printed
provenance: elections with no vote share, V-Party elections whose listed vote shares add up to
more than 100.5 % (separate rolls, ZWE 1979-1985), V-Party codes outside the snapshot.
An election whose listed shares add up to 100-100.5 % (the sources round) is scaled to 100 %.

Deterministic: the same inputs give a byte-identical output. Prints the provenance block that
data/files/SOURCES.md holds. Run from the repository root:
    .venv/bin/python tools/derive_parties.py ../shared/data/parties
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FILES = ROOT / "src" / "nato_socialism" / "data" / "files"
OUT = FILES / "party_elections.csv"

FIRST_YEAR = 1940
VPARTY_FIRST_YEAR = 1970
MAX_LISTED = 100.5
FAMILIES = {"radical_left": ("com",), "moderate_left": ("soc", "eco"), "radical_right": ("right",)}
CLASSES = tuple(FAMILIES)


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def parlgov_parties(source: Path) -> pd.DataFrame:
    """One row per party and parliamentary election, with its class (or none)."""
    elections = read(source / "parlgov_elections.csv")
    parties = read(source / "parlgov_parties.csv")[["party_id", "party_family"]]
    rows = elections[elections["type"] == "parliament"].merge(parties, on="party_id", how="left")
    rows = rows.dropna(subset=["vote_share"])
    family_class = {family: name for name, families in FAMILIES.items() for family in families}
    return pd.DataFrame({
        "iso3": rows["country"],
        "source": "parlgov",
        "year": rows["date"].str[:4].astype(int),
        "date": rows["date"],
        "party": rows["party"],
        "vote": rows["vote_share"].astype(float),
        "positioned": rows["party_family"].notna(),
        "class": rows["party_family"].map(family_class),
    })


def vparty_rows(source: Path) -> pd.DataFrame:
    """V-Party rows from VPARTY_FIRST_YEAR with a vote share, codes renamed to iso3."""
    rows = read(source / "vparty_parties.csv")
    rows = rows[(rows["year"] >= VPARTY_FIRST_YEAR) & rows["v2pavote"].notna()]
    return rows.rename(columns={"country_text_id": "iso3"})


def vparty_classes(rows: pd.DataFrame, t_radical, t_moderate, t_immigration, t_populism) -> pd.Series:
    """Class of each V-Party row by the thresholds (NaN: neither class, or no position)."""
    lr = rows["v2pariglef"]
    right = (lr > t_moderate) & (rows["v2paimmig"] <= t_immigration) & (rows["v2xpa_popul"] >= t_populism)
    out = np.select([lr <= t_radical, lr <= t_moderate, right], list(CLASSES), default="")
    return pd.Series(out, index=rows.index).replace("", np.nan)


def vparty_parties(rows: pd.DataFrame, thresholds) -> pd.DataFrame:
    return pd.DataFrame({
        "iso3": rows["iso3"],
        "source": "vparty",
        "year": rows["year"].astype(int),
        "date": "",
        "party": rows["v2pashname"],
        "vote": rows["v2pavote"].astype(float),
        "positioned": rows["v2pariglef"].notna(),
        "class": vparty_classes(rows, *thresholds),
    })


def class_shares(parties: pd.DataFrame) -> pd.DataFrame:
    """Per election: the vote share of each class and the positioned share (%)."""
    keys = ["iso3", "source", "year", "date"]
    out = parties.groupby(keys, sort=True)["vote"].sum().rename("listed").to_frame()
    for name in CLASSES:
        out[name] = parties["vote"].where(parties["class"] == name, 0.0).groupby(
            [parties[k] for k in keys]).sum()
    out["positioned"] = parties["vote"].where(parties["positioned"], 0.0).groupby(
        [parties[k] for k in keys]).sum()
    return out.reset_index()


def calibrate(parlgov: pd.DataFrame, vparty: pd.DataFrame) -> tuple[tuple[float, ...], dict]:
    """Thresholds whose V-Party class shares best reproduce ParlGov's on common elections."""
    pg = class_shares(parlgov)
    # A year with two elections (GRC 2012) compares V-Party's row with ParlGov's later one.
    pg = pg.sort_values("date").groupby(["iso3", "year"]).last()
    common = sorted(set(pg.index) & set(zip(vparty["iso3"], vparty["year"], strict=True)))
    target = pg.loc[common, list(CLASSES)]
    v = vparty.set_index(["iso3", "year"]).loc[common].reset_index()
    keys = [v["iso3"], v["year"]]
    lr = v["v2pariglef"]

    def share(mask):
        return v["v2pavote"].where(mask, 0.0).groupby(keys).sum().loc[common]

    best = None
    for t_radical in np.round(np.arange(-3.5, -0.95, 0.1), 1):
        radical_error = (share(lr <= t_radical) - target["radical_left"]).abs().mean()
        for t_moderate in np.round(np.arange(t_radical + 0.1, 1.05, 0.1), 1):
            moderate = share((lr > t_radical) & (lr <= t_moderate))
            error = radical_error + (moderate - target["moderate_left"]).abs().mean()
            if best is None or error < best[0] - 1e-12:
                best = (error, t_radical, t_moderate, radical_error, error - radical_error)
    _, t_radical, t_moderate, radical_error, moderate_error = best
    best_right = None
    for t_immigration in np.round(np.arange(-4.0, 1.05, 0.1), 1):
        for t_populism in np.round(np.arange(0.0, 0.96, 0.05), 2):
            mask = (lr > t_moderate) & (v["v2paimmig"] <= t_immigration) & (v["v2xpa_popul"] >= t_populism)
            error = (share(mask) - target["radical_right"]).abs().mean()
            if best_right is None or error < best_right[0] - 1e-12:
                best_right = (error, t_immigration, t_populism)
    right_error, t_immigration, t_populism = best_right
    fit = {"elections": len(common), "countries": len({c for c, _ in common}),
           "mae_radical_left": radical_error, "mae_moderate_left": moderate_error,
           "mae_radical_right": right_error}
    return (float(t_radical), float(t_moderate), float(t_immigration), float(t_populism)), fit


def listing(parties: pd.DataFrame, name: str) -> pd.Series:
    """Per election, "party share; ..." of the parties in class ``name``, largest first."""
    chosen = parties[parties["class"] == name].sort_values(["vote", "party"], ascending=[False, True])
    text = chosen["party"].astype(str).str.replace(";", ",") + " " + chosen["vote"].map("{:g}".format)
    return text.groupby([chosen[k] for k in ("iso3", "source", "year", "date")]).agg("; ".join)


def derive(source: Path) -> tuple[pd.DataFrame, dict]:
    universe = set(read(FILES / "countries_snapshot.csv")["iso3"])
    pg_parties = parlgov_parties(source)
    v_rows = vparty_rows(source)
    thresholds, fit = calibrate(pg_parties, v_rows)
    parties = pd.concat([pg_parties, vparty_parties(v_rows, thresholds)], ignore_index=True)
    outside = sorted(set(parties["iso3"]) - universe)
    parties = parties[parties["iso3"].isin(universe) & (parties["year"] >= FIRST_YEAR)]
    table = class_shares(parties)
    keys = ["iso3", "source", "year", "date"]
    for name in CLASSES:
        table = table.merge(listing(parties, name).rename(f"{name}_parties").reset_index(), on=keys, how="left")
    no_vote = table["listed"] <= 0
    overfull = table["listed"] > MAX_LISTED
    stats = {"thresholds": thresholds, "fit": fit, "outside": outside,
             "no_vote": int(no_vote.sum()), "overfull": table.loc[overfull, ["iso3", "year"]].values.tolist()}
    table = table[~no_vote & ~overfull]
    # Shares are rounded by the sources, so an election can add up to a little over 100 %.
    scale = 100.0 / table["listed"].clip(lower=100.0)
    stats["rescaled"] = int((scale < 1).sum())
    table = table.drop(columns="listed")
    for column in (*CLASSES, "positioned"):
        table[column] = (table[column] * scale).round(2)
    columns = [*keys, *CLASSES, "positioned", *(f"{name}_parties" for name in CLASSES)]
    table = table[columns].sort_values(["iso3", "source", "year", "date"], ignore_index=True)
    stats["rows"] = table.groupby("source").size().to_dict()
    stats["countries"] = table.groupby("source")["iso3"].nunique().to_dict()
    return table, stats


def provenance(stats: dict) -> str:
    t_radical, t_moderate, t_immigration, t_populism = stats["thresholds"]
    fit = stats["fit"]
    return "\n".join([
        f"* V-Party thresholds: radical left v2pariglef <= {t_radical:g}; moderate left "
        f"{t_radical:g} < v2pariglef <= {t_moderate:g}; radical right v2pariglef > {t_moderate:g}, "
        f"v2paimmig <= {t_immigration:g} and v2xpa_popul >= {t_populism:g}.",
        f"* Calibrated on {fit['elections']} elections in {fit['countries']} countries covered by both "
        f"sources (1970 on): mean absolute difference from ParlGov's family shares "
        f"{fit['mae_radical_left']:.1f} pp (radical left), {fit['mae_moderate_left']:.1f} pp "
        f"(moderate left), {fit['mae_radical_right']:.1f} pp (radical right).",
        f"* Rows: {stats['rows'].get('parlgov', 0)} ParlGov elections ({stats['countries'].get('parlgov', 0)} "
        f"countries), {stats['rows'].get('vparty', 0)} V-Party elections "
        f"({stats['countries'].get('vparty', 0)} countries).",
        f"* Dropped: {stats['no_vote']} elections with no vote share; V-Party elections whose listed shares "
        f"exceed {MAX_LISTED:g} %: " + ", ".join(f"{c} {y}" for c, y in stats["overfull"]) + "; codes outside "
        "the snapshot: " + ", ".join(stats["outside"]) + f". Rescaled to 100 % (rounding in the "
        f"source): {stats['rescaled']} elections whose listed shares add up to 100-{MAX_LISTED:g} %.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder holding the ParlGov and V-Party CSV files")
    args = parser.parse_args()
    table, stats = derive(args.source)
    table.to_csv(OUT, index=False, lineterminator="\n")
    print(f"wrote {OUT} ({len(table)} elections)\n")
    print(provenance(stats))


if __name__ == "__main__":
    main()
