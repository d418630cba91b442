"""The report: one self-contained HTML file (and PNG images) of a stored run.

>>> from nato_socialism.report import load_run_data, figures, write_report   # doctest: +SKIP
>>> rd = load_run_data("results", "latest")                                  # doctest: +SKIP
>>> figures.fan_chart(rd.series_quantiles, "demsoc_share", "nato")          # doctest: +SKIP
>>> write_report(rd, "report.html")                                          # doctest: +SKIP

The report is an interface layer: it reads stored results (:mod:`.data`), draws them with
pure figure functions (:mod:`.figures`) and writes them (:mod:`.html`, :mod:`.png`); it
never runs the model.
"""

from . import figures
from .data import RunData, load_run_data
from .html import render, write_report

__all__ = ["RunData", "figures", "load_run_data", "render", "write_report"]
