"""Compare the essay's doctrine with open solidarity under the essay's own premises.

Run: python examples/compare_doctrines.py [members]
"""

import sys

from nato_socialism.api import simulate

members = int(sys.argv[1]) if len(sys.argv) > 1 else 100
result = simulate("essay_premises", members=members, doctrines=["nato_first", "open_solidarity"])

summary = result.summary()
print(summary[summary.outcome.isin(["first_world_failure_rate", "poverty_years_830", "demsoc_share_end"])]
      [["doctrine", "outcome", "median", "p05", "p95", "mc_se"]].to_string(index=False))

pair = result.compare().query("a == 'nato_first' and b == 'open_solidarity'")
print(pair[["outcome", "diff_mean", "diff_mean_se", "p_a_better"]].to_string(index=False))
