"""Model runs used by the validation: ensembles of parameter draws and a stepping loop.

The checks run the model as the ensemble layer does (Latin-hypercube parameter draws over
the registry's ranges, one key per member, :func:`nato_socialism.model.step.step`), but
measure statistics year by year instead of storing full trajectories, so long runs stay
small in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..data import build_blocs
from ..experiments.sampling import latin_hypercube, parameter_ranges
from ..model.context import Context
from ..model.doctrines import DOCTRINES
from ..model.mechanisms import scarcity
from ..model.parameters import Params, default_params, params_from_table
from ..model.rng import member_keys
from ..model.simulate import Events, build_context, initial_state
from ..model.state import Regime, State
from ..model.step import EVENT, StepResult, step
from ..model.switches import Switches
from . import panel_stats as ps

#: A progress callback of the validation steps: ``progress(done, total, what is being done)``.
Progress = Callable[[int, int, str], None]

#: "Socialist movements switched off": the background world the anchors are measured on.
MOVEMENTS_OFF = Switches.without("movement", "organizer_relocation", "transition")
#: The doctrine of every validation run.
STATUS_QUO = DOCTRINES["status_quo"].spec
#: Regimes counted as democracies when the model is compared with V-Dem (RoW >= 2).
DEMOCRATIC = (Regime.CAPITALIST_DEMOCRACY, Regime.DEMOCRATIC_SOCIALIST)


def ensemble(members: int, seed: int, overrides: Mapping[str, float | Sequence[float]] | None = None):
    """Parameter draws (Latin hypercube over the registry's ranges) and member keys.

    ``overrides`` fixes a parameter (a number) or narrows its range (a (low, high) pair).
    Returns ``(params, keys, table)``.
    """
    table = latin_hypercube(members, seed, parameter_ranges(overrides))
    params = params_from_table({k: table[k].to_numpy() for k in table.columns})
    return params, member_keys(seed, range(members)), table


def context(world, horizon: int, switches: Switches = MOVEMENTS_OFF, events: Events | None = None) -> Context:
    """Run context of ``world`` (its year is the start year) with the bundled blocs."""
    return build_context(world, build_blocs(world), world.year, horizon, switches, events)


def walk(ctx: Context, world, p: Params, keys: np.ndarray, years: int,
         visit: Callable[[int, State, StepResult], None], state: State | None = None) -> State:
    """Step the status-quo doctrine ``years`` times, calling ``visit(t, before, result)`` each year."""
    state = initial_state(world, ctx, p, keys) if state is None else state
    for t in range(years):
        res = step(state, p, ctx, STATUS_QUO, keys, decompose=False)  # visitors read no contribution
        visit(t, state, res)
        state = res.state
    return state


def democratic(regime: np.ndarray) -> np.ndarray:
    """Whether each regime code counts as a democracy (RoW >= 2 in V-Dem terms)."""
    return np.isin(regime, DEMOCRATIC)


def income(state: State) -> np.ndarray:
    """Actual GDP per head (potential less the post-transition output gap), as the hazards see it."""
    return scarcity.outputs(state.gdppc, state.scarcity)


def percentiles(values: np.ndarray) -> tuple[float, float, float]:
    """Median and 90 % ensemble interval of per-member figures (NaN members ignored)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return (np.nan, np.nan, np.nan)
    return tuple(float(x) for x in np.percentile(v, [50, 5, 95]))


def republic_hazards_by_band(world, members: int = 8, seed: int = 13, years: int = 30,
                             switches: Switches | None = None):
    """Yearly degeneration, reversion and electoral-loss hazards of socialist republics by income band.

    Every country starts as a democratic socialist republic (default parameters, full model,
    status-quo doctrine); each republic-year counts in Przeworski's band of its income at the
    start of the year (:func:`~nato_socialism.validation.panel_stats.income_band`).

    Returns
    -------
    pandas.DataFrame
        One row per band: ``band``, ``republic_years``, and ``degenerations``, ``reversions``,
        ``electoral_losses`` and their hazards (``degeneration_hazard``, ... events per republic-year).
    """
    ctx = context(world, years, Switches() if switches is None else switches)
    p, keys = default_params(members), member_keys(seed, range(members))
    start = initial_state(world, ctx, p, keys)
    start = start.replace(regime=np.full_like(start.regime, int(Regime.DEMOCRATIC_SOCIALIST)))
    kinds = {("degenerations", "degeneration_hazard"): EVENT["degeneration"],
             ("reversions", "reversion_hazard"): EVENT["reversion"],
             ("electoral_losses", "electoral_loss_hazard"): EVENT["electoral_loss"]}
    counts = np.zeros((4, 1 + len(kinds)))

    def visit(t, before, res):
        band = ps.income_band(income(before))
        soc = res.old_regime == Regime.DEMOCRATIC_SOCIALIST
        for b in range(4):
            here = soc & (band == b)
            counts[b, 0] += here.sum()
            for k, code in enumerate(kinds.values()):
                counts[b, 1 + k] += (here & (res.event == code)).sum()

    walk(ctx, world, p, keys, years, visit, start)
    rows = []
    for b in range(4):
        row = {"band": ps.BAND_LABELS[b], "republic_years": int(counts[b, 0])}
        for k, (events, hazard) in enumerate(kinds):
            row[events] = int(counts[b, 1 + k])
            row[hazard] = counts[b, 1 + k] / counts[b, 0] if counts[b, 0] else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
