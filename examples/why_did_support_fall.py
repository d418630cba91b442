"""Ask the model why coalition support changed in one country and year.

Run: python examples/why_did_support_fall.py [ISO3] [YEAR]
"""

import sys

from nato_socialism.api import simulate

iso3 = sys.argv[1] if len(sys.argv) > 1 else "FRA"
year = int(sys.argv[2]) if len(sys.argv) > 2 else 2040
horizon = year - 2023 + 1

# keep the full trajectories and the decomposition of the first member
result = simulate("default", members=1, horizon=horizon, doctrines=["nato_first"], keep_trajectories=1)
why = result.why.query("iso3 == @iso3 and year == @year and target == 'support'")
parts = why.drop(columns=["doctrine", "member", "year", "iso3", "target"]).iloc[0]
print(f"Change of coalition support in {iso3}, {year}: {parts.sum():+.4f}")
for mechanism, value in parts[parts != 0].sort_values(key=abs, ascending=False).items():
    print(f"  {mechanism:>9} {value:+.4f}")
