"""Where democratic socialism emerges in a run, and whether it follows the left's strength.

:func:`socialist_years` runs a scenario (by default the default run: six doctrines, 200
members, 100 years) and counts, per country, the years it spends as a democratic socialist
republic, summed over years and members and divided by the members (pooled over the
doctrines: divided by members x doctrines too). :func:`left_agreement` compares that count
with the data's left strength, the socialist coalition's base in the last free election
(radical left + ``init_moderate_left_weight`` x moderate left, at its default), by Spearman's
rank correlation over the countries that have such an election.

The threshold is stated before measuring (docs/data.md, "Where socialism emerges"): a
correlation of at least ``AGREEMENT_RHO`` counts as agreement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from ..experiments.ensemble import chunks, prepare
from ..model.parameters import registry
from ..model.simulate import simulate_members
from ..model.state import Regime
from ..scenario import Scenario, load_scenario

#: Spearman's rho at or above which simulated socialist country-years agree with left strength.
AGREEMENT_RHO = 0.3
#: Members simulated together (full trajectories are kept for them, so memory grows with it).
CHUNK = 20


@dataclass(frozen=True)
class Agreement:
    """Rank correlation of simulated socialist country-years with the data's left strength."""

    rho: float
    countries: int
    threshold: float = AGREEMENT_RHO

    @property
    def agrees(self) -> bool:
        """True when ``rho`` reaches the threshold."""
        return bool(self.rho >= self.threshold)


def socialist_years(scenario: str | Scenario = "default", *, members: int | None = None,
                    horizon: int | None = None, data_dir=None) -> pd.DataFrame:
    """Democratic-socialist years per country, averaged over members, per doctrine and pooled.

    Returns one row per country (indexed by iso3): ``name``, one column per doctrine, ``pooled``
    (mean over doctrines), ``left`` (the coalition base in the data, 0-1), ``radical_right``,
    ``source``, ``election_year``, ``imputed``, ``parties``, sorted by ``pooled``, largest first.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    setup = prepare(sc.with_overrides(members=members, horizon=horizon), data_dir=data_dir)
    socialist = int(Regime.DEMOCRATIC_SOCIALIST)
    world = setup.world
    columns = {}
    for doctrine, spec in setup.specs.items():
        years = np.zeros(len(world.iso3))
        for block in chunks(setup.members, CHUNK):
            result = simulate_members(setup.ctx, world, setup.params(block), setup.keys[block], block, spec,
                                      keep=len(block))
            # the first row is the start state; each later row is the state after a simulated year
            years += (result.trajectories["regime"][:, 1:] == socialist).sum(axis=(0, 1))
        columns[doctrine] = years / setup.members
    frame = pd.DataFrame(columns, index=pd.Index(world.iso3, name="iso3"))
    frame.insert(0, "name", world.name)
    frame["pooled"] = frame[list(setup.specs)].mean(axis=1)
    politics = world.politics.to_frame()
    frame["left"] = world.politics.left(registry()["init_moderate_left_weight"].default)
    for column in ("radical_right", "source", "election_year", "imputed", "parties"):
        frame[column] = politics[column]
    return frame.sort_values(["pooled", "left"], ascending=False)


def left_agreement(frame: pd.DataFrame, column: str = "pooled") -> Agreement:
    """Spearman's rho of ``frame[column]`` with ``frame["left"]`` over countries with an election."""
    observed = frame[~frame["imputed"].astype(bool)]
    rho = spearmanr(observed[column], observed["left"]).statistic
    return Agreement(rho=float(rho), countries=len(observed))
