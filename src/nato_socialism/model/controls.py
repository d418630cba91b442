"""Controls: what a doctrine sets, per member and country, each year.

Movement strategy controls (relocation, alliance breadth) act on movements everywhere;
state policy controls (immigration cap, integration investment, aid) are those of the
governments: doctrines set them in democratic socialist republics, and the status-quo
background policy holds elsewhere.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

#: Control names with their meaning and unit (the table in docs/model.md).
CONTROL_DOCS = {
    "relocation_rate": "share of organizers leaving a non-target country per year",
    "relocation_target": "weight of a country as a destination for relocating organizers (0-1)",
    "alliance_breadth": "breadth of the alliance with non-socialists on an economic programme (0-1)",
    "immigration_cap": "immigration admitted per year, share of population",
    "integration_investment": "spending on integration, share of GDP",
    "aid_share": "development aid given, share of GDP",
    "aid_priority": "extra weight of socialist recipients in aid allocation",
    "asylum_acceptance": "share of asylum seekers admitted (outside the immigration cap)",
}


@dataclass(frozen=True)
class Controls:
    """Control arrays shaped (members, countries)."""

    relocation_rate: np.ndarray
    relocation_target: np.ndarray
    alliance_breadth: np.ndarray
    immigration_cap: np.ndarray
    integration_investment: np.ndarray
    aid_share: np.ndarray
    aid_priority: np.ndarray
    asylum_acceptance: np.ndarray

    def replace(self, **changes) -> Controls:
        """A copy with some controls replaced."""
        return dataclasses.replace(self, **changes)

    def arrays(self) -> dict[str, np.ndarray]:
        """Controls by name."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
