"""The dashboard: ``nato-socialism serve``, a local web application over a results directory.

A Tornado server bound to 127.0.0.1 (:mod:`.server`) answers a small page of vanilla
JavaScript (``static/``) that draws with the plotly.js and map geometry of the installed
package, so nothing is fetched from the network. Figures are the report's figure functions
(:mod:`nato_socialism.report.figures`) sent as JSON (:mod:`.views`); runs started from the
page go through one queue per results directory into the same store as the CLI
(:mod:`.jobs`); the scenario form is validated by the same code as scenario files and
command-line options (:mod:`.form`). See docs/dashboard.md.
"""
