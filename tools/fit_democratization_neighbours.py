#!/usr/bin/env python3
"""Fit the neighbour term of the democratization hazard on the panel's 1950-1989 years.

Usage: .venv/bin/python tools/fit_democratization_neighbours.py

Logit of autocracy exits (V-Dem RoW < 2 in t, >= 2 in t+1) on the neighbours' democratic
share in t, t in 1950-1989 only, country-clustered errors (statsmodels). Prints the
coefficient, its 95 % interval, the sample and the mean share: the registry entry
``democratization_neighbour_effect`` and ``background.NEIGHBOUR_REFERENCE_SHARE`` come from
this output. Years from 1990 are left for the out-of-sample ``democratization_neighbours`` check.
"""

from __future__ import annotations

from nato_socialism.data import build_world
from nato_socialism.validation import panel_stats as ps


def main() -> None:
    world = build_world()
    frame = ps.neighbour_frame(ps.window(ps.pairs(), *ps.NEIGHBOUR_FIT_WINDOW), world.iso3, world.neighbours)
    fit = ps.democratization_neighbour_logit(frame)
    lo, hi = fit.ci95[1]
    print(f"window {ps.NEIGHBOUR_FIT_WINDOW[0]}-{ps.NEIGHBOUR_FIT_WINDOW[1]}: {fit.n:,} autocracy-years, "
          f"{fit.clusters} countries, {fit.events} exits")
    print(f"constant {fit.coef[0]:.3f} (s.e. {fit.se[0]:.3f})")
    print(f"neighbours' democratic share {fit.coef[1]:.3f} (clustered s.e. {fit.se[1]:.3f}; 95 % CI {lo:.2f}-{hi:.2f})")
    print(f"mean share {fit.mean_x:.3f}")


if __name__ == "__main__":
    main()
