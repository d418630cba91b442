#!/usr/bin/env python3
"""Print where democratic socialism emerges in a run and its agreement with left strength.

Usage: .venv/bin/python tools/politics_report.py [SCENARIO] [--members N] [--json FILE]

Runs the scenario (default: the default run), prints the top countries by simulated
democratic-socialist country-years with their last election, and Spearman's rho against the
data's left strength (nato_socialism.validation.politics; threshold in docs/data.md).
"""

from __future__ import annotations

import argparse
import time

from nato_socialism.validation.politics import left_agreement, socialist_years


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="default")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--csv", default=None, help="also write the per-country table here")
    args = parser.parse_args()
    started = time.perf_counter()
    frame = socialist_years(args.scenario, members=args.members)
    elapsed = time.perf_counter() - started
    if args.csv:
        frame.to_csv(args.csv)
    doctrines = [c for c in frame.columns if c not in
                 ("name", "pooled", "left", "radical_right", "source", "election_year", "imputed", "parties")]
    print(f"{args.scenario}: {elapsed:.0f} s")
    print("| rank | country | socialist years (pooled) | " + " | ".join(doctrines)
          + " | left base (w = 0.5) | radical right | last election | parties |")
    print("| --- " * (7 + len(doctrines)) + "|")
    for rank, (iso3, row) in enumerate(frame.head(args.top).iterrows(), 1):
        election = "imputed" if row["imputed"] else f"{row['source']} {row['election_year']}"
        print(f"| {rank} | {iso3} {row['name']} | {row['pooled']:.1f} | "
              + " | ".join(f"{row[d]:.1f}" for d in doctrines)
              + f" | {100 * row['left']:.1f} | {100 * row['radical_right']:.1f} | {election} | "
              + row["parties"].replace("|", "/") + " |")
    for column in ("pooled", *doctrines):
        agreement = left_agreement(frame, column)
        print(f"Spearman rho ({column}) = {agreement.rho:.3f} over {agreement.countries} countries; "
              f"agreement (rho >= {agreement.threshold}): {agreement.agrees}")


if __name__ == "__main__":
    main()
