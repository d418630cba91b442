"""The series registry: every yearly series column of the ``series`` table, by quantity and scope.

A *quantity* (e.g. ``demsoc_share``) is measured over *scopes*: the world, the first world
and the five primary blocs. Each (quantity, scope) pair that exists is one column of the
stored ``series`` table (one row per doctrine, member and year). The world-level columns and
``demsoc_share_<bloc>`` come from the model's own bookkeeping
(:data:`nato_socialism.model.simulate.SERIES`); the other bloc columns are recorded by
:mod:`~nato_socialism.experiments.recorder` (store schema version 2). Interfaces (report,
dashboard) iterate this registry, so a quantity added here appears there without changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.simulate import PRIMARY_BLOCS

#: Scopes of the series, in display order.
SCOPES = ("world", "first_world", *PRIMARY_BLOCS)
SCOPE_LABELS = {
    "world": "world",
    "first_world": "first world",
    "nato": "NATO",
    "bric": "BRIC",
    "brics_plus": "BRICS+ (new members)",
    "periphery": "democratic periphery",
    "developing": "developing world",
}


@dataclass(frozen=True)
class Quantity:
    """A yearly quantity and the series columns that hold it, scope -> column name."""

    name: str
    label: str
    unit: str
    columns: dict[str, str] = field(default_factory=dict)
    #: how a bloc value aggregates over the bloc's countries (recorded bloc columns only):
    #: ``("pop_share", regime code)``, ``("pop_mean", state variable)`` or ``("sum", state variable)``
    bloc_rule: tuple[str, object] | None = None
    #: an outcome-like quantity the report draws (population is a denominator, not drawn)
    drawn: bool = True

    def column(self, scope: str) -> str | None:
        """The series column of this quantity in ``scope`` (None if it is not recorded)."""
        return self.columns.get(scope)


def _blocs(quantity: str) -> dict[str, str]:
    return {b: f"{quantity}_{b}" for b in PRIMARY_BLOCS}


_Q = Quantity
#: Every quantity of the ``series`` table, in display order.
QUANTITIES: dict[str, Quantity] = {
    q.name: q
    for q in (
        _Q("demsoc_share", "population share under democratic socialism", "share",
           {"world": "demsoc_share", "first_world": "first_world_demsoc_share", **_blocs("demsoc_share")}),
        _Q("bureaucratic_share", "population share under bureaucratic class regimes", "share",
           {"world": "bureaucratic_share", **_blocs("bureaucratic_share")}, ("pop_share", 3)),
        _Q("reactionary_share", "population share under reactionary regimes", "share",
           {"world": "reactionary_share", **_blocs("reactionary_share")}, ("pop_share", 4)),
        _Q("autocracy_share", "population share under any autocracy (capitalist, bureaucratic, reactionary)",
           "share", {"world": "autocracy_share"}),
        _Q("living", "living standard (consumption per head)", "2021 int-$ PPP per head per year",
           {"world": "world_living", "first_world": "first_world_living", **_blocs("living")}, ("pop_mean", "living")),
        _Q("poverty", "extreme-poverty share", "share",
           {"world": "world_poverty", **_blocs("poverty")}, ("pop_mean", "poverty")),
        _Q("poverty_upper", "share below $8.30 a day (2021 PPP)", "share", {"world": "world_poverty_upper"}),
        _Q("displaced", "people displaced, not yet returned", "persons",
           {"world": "displaced", **_blocs("displaced")}, ("sum", "displaced")),
        _Q("population", "population", "persons", {"world": "world_pop"}, drawn=False),
    )
}

#: Bloc columns recorded outside the model's bookkeeping: column -> (quantity, bloc).
RECORDED_BLOC_COLUMNS: dict[str, tuple[str, str]] = {
    q.columns[b]: (q.name, b) for q in QUANTITIES.values() if q.bloc_rule for b in PRIMARY_BLOCS
}

#: Key columns of the series table.
SERIES_KEYS = ("doctrine", "member", "year")


def all_columns() -> list[str]:
    """Every series column of store schema version 2, keys excluded."""
    return [c for q in QUANTITIES.values() for c in q.columns.values()]
