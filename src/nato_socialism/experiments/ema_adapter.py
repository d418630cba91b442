"""The model as an EMA Workbench model, for users who run their own experiments.

>>> from ema_workbench import SequentialEvaluator
>>> from nato_socialism.experiments.ema_adapter import ema_model
>>> model = ema_model("default", horizon=20)                     # doctest: +SKIP
>>> with SequentialEvaluator(model) as evaluator:                  # doctest: +SKIP
...     experiments, outcomes = evaluator.perform_experiments(scenarios=50, policies=4)

Uncertainties are generated from the parameter registry after the scenario's overrides (every
sampled parameter as a ``RealParameter`` over its range; fixed ones as ``Constant``), plus
``member``, an ``IntegerParameter`` choosing the member key (the random shocks) from the
scenario seed. Levers are either the custom doctrine's controls (``RealParameter`` over the
bounds of :data:`~nato_socialism.model.doctrines.CUSTOM_CONTROLS`) or one
``CategoricalParameter`` ``doctrine`` over the named doctrines. Outcomes are every outcome of
:data:`~nato_socialism.model.outcomes.OUTCOMES` as a ``ScalarOutcome`` whose kind follows its
direction (lower: MINIMIZE, higher: MAXIMIZE, none: INFO); "never" is NaN.

The model function simulates one member (:class:`MemberFunction`); it is picklable, so EMA's
multiprocessing evaluator works too (each process builds the world once).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..errors import UserError
from ..model.doctrines import CUSTOM_CONTROLS, DOCTRINE_NAMES, DOCTRINES, custom_spec
from ..model.outcomes import OUTCOMES
from ..model.parameters import registry
from ..model.rng import member_keys
from .ensemble import prepare, run_chunk
from .executors import scenario_from_json, scenario_json
from .sampling import parameter_ranges

LEVERS = ("custom", "doctrine")
#: Member keys the ``member`` uncertainty draws from.
MEMBER_RANGE = 10_000


class MemberFunction:
    """``f(**kwargs) -> {outcome: value}``: one member of one doctrine.

    Keyword arguments: any registry parameter (missing ones take the scenario's fixed value or
    the registry default), ``member`` (member index, 0 by default), and either the custom
    controls or ``doctrine`` (a named doctrine).
    """

    def __init__(self, scenario, data_dir=None):
        self.scenario_json = scenario_json(scenario.with_overrides(members=1))
        self.data_dir = data_dir
        self._setup = None

    def __getstate__(self):
        return {"scenario_json": self.scenario_json, "data_dir": self.data_dir, "_setup": None}

    def _base(self):
        if self._setup is None:
            self._setup = prepare(scenario_from_json(self.scenario_json), data_dir=self.data_dir)
        return self._setup

    def __call__(self, **kwargs) -> dict[str, float]:
        """Simulate one member and return every outcome."""
        base = self._base()
        sc = base.scenario
        doctrine = kwargs.pop("doctrine", None)
        controls = {k: float(kwargs.pop(k)) for k in list(kwargs) if k in CUSTOM_CONTROLS}
        member = int(kwargs.pop("member", 0))
        unknown = set(kwargs) - set(registry())
        if unknown:
            raise ValueError(f"unknown model inputs: {', '.join(sorted(unknown))}")
        values = {name: p.default for name, p in registry().items()} | sc.fixed_parameters()
        values.update({k: float(v) for k, v in kwargs.items()})
        spec = DOCTRINES[doctrine].spec if doctrine and doctrine != "custom" else custom_spec(controls)
        table = pd.DataFrame({k: [v] for k, v in values.items()}).rename_axis("member")
        setup = replace(base, parameters=table, keys=member_keys(sc.seed, [member]), specs={"ema": spec})
        row = run_chunk(setup, "ema", [0]).outcomes.iloc[0]
        return {name: float(row[name]) for name in OUTCOMES}


def ema_model(
    scenario="default",
    *,
    horizon: int | None = None,
    start_year: int | None = None,
    levers: str = "custom",
    data_dir=None,
    name: str = "natosocialism",
):
    """Return an ``ema_workbench.Model`` of the scenario (see the module docstring).

    Parameters
    ----------
    scenario
        Bundled scenario name, path or :class:`~nato_socialism.scenario.Scenario`.
    horizon, start_year
        Override the scenario's values.
    levers
        ``"custom"`` (the custom doctrine's controls) or ``"doctrine"`` (a categorical lever
        over the named doctrines).
    """
    from ema_workbench import CategoricalParameter, Constant, IntegerParameter, Model, RealParameter, ScalarOutcome

    from ..scenario import Scenario, load_scenario

    if levers not in LEVERS:
        raise UserError(f"levers must be one of {', '.join(LEVERS)}, not {levers!r}.")
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    sc = sc.with_overrides(horizon=horizon, start_year=start_year)
    model = Model(name, function=MemberFunction(sc, data_dir=data_dir))
    ranges = parameter_ranges({**sc.fixed_parameters(), **sc.sampled_parameters()})
    model.uncertainties = [RealParameter(k, lo, hi) for k, (lo, hi) in ranges.items() if lo < hi] + [
        IntegerParameter("member", 0, MEMBER_RANGE - 1)
    ]
    model.constants = [Constant(k, lo) for k, (lo, hi) in ranges.items() if lo == hi]
    if levers == "custom":
        model.levers = [RealParameter(k, lo, hi) for k, (lo, hi, _) in CUSTOM_CONTROLS.items()]
    else:
        model.levers = [CategoricalParameter("doctrine", [d for d in DOCTRINE_NAMES if d != "custom"])]
    kinds = {"lower": ScalarOutcome.MINIMIZE, "higher": ScalarOutcome.MAXIMIZE, "none": ScalarOutcome.INFO}
    model.outcomes = [ScalarOutcome(k, kind=kinds[o.direction]) for k, o in OUTCOMES.items()]
    return model


def member_outcomes(
    scenario, parameters: dict[str, float], member: int = 0, doctrine: str = "nato_first", data_dir=None
) -> dict[str, float]:
    """Outcomes of one member without EMA (the same function the EMA model calls)."""
    return MemberFunction(scenario, data_dir=data_dir)(**parameters, member=member, doctrine=doctrine)
