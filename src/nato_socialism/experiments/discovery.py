"""Scenario discovery: the assumptions under which one doctrine beats another.

Doctrines run on common random numbers, so each member gives a paired comparison. For an
outcome with a direction, ``y = 1`` when doctrine A does strictly better than B on that
member (paired as in :func:`~nato_socialism.experiments.compare.compare`: a year never reached
counts as later than any year of the run). ``x`` holds the member's sampled parameters from
the experiments table. PRIM (Friedman & Fisher 1999, as implemented in the EMA Workbench)
then looks for boxes in parameter space where A wins (and, separately, where it loses) with
density at least ``threshold``; extra-trees feature scores rank the parameters that predict
the result.

On the peeling trajectory we report the box with the highest coverage among those whose
density reaches the threshold (the densest box if none does, flagged ``meets_threshold =
False``).

References
----------
Friedman, J. H. and Fisher, N. I. (1999). Bump hunting in high-dimensional data. Statistics
and Computing 9, 123-143.
Bryant, B. P. and Lempert, R. J. (2010). Thinking inside the box: a participatory,
computer-assisted approach to scenario discovery. Technological Forecasting and Social
Change 77(1), 34-49.
Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. Environmental Modelling &
Software 96, 239-250.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from ..errors import UserError, suggest
from ..model.outcomes import OUTCOMES
from .compare import comparable
from .sensitivity import check_outcome

#: ``latest`` for discovery skips runs with fewer members: PRIM's smallest box (mass_min 5 %)
#: should hold at least 5 members.
LATEST_MIN_MEMBERS = 100


def can_answer(meta: dict, better: str, than: str) -> str | None:
    """None if a stored run can be searched for where ``better`` beats ``than``, else why not."""
    if meta["kind"] != "ensemble":
        return f"a {meta['kind']} run"
    missing = [d for d in (better, than) if d not in (meta["doctrines"] or [])]
    if missing:
        return f"no {' or '.join(missing)}"
    if meta["members"] < LATEST_MIN_MEMBERS:
        return f"{meta['members']} members (latest needs {LATEST_MIN_MEMBERS})"
    return None


def check_direction(outcome: str) -> None:
    """Refuse an unknown outcome or one without a better direction."""
    check_outcome(outcome)
    if OUTCOMES[outcome].direction == "none":
        with_direction = [k for k, o in OUTCOMES.items() if o.direction != "none"]
        raise UserError(f"outcome {outcome} has no better direction; choose one of {', '.join(with_direction)}.")


def paired_wins(
    store, run_id: str, outcome: str, better: str, than: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Return ``x`` (sampled parameters per member), A strictly better and A strictly worse."""
    check_direction(outcome)
    meta = store.meta(run_id)
    for name in (better, than):
        if name not in meta["doctrines"]:
            raise UserError(
                f"run {run_id} has no doctrine {name!r}; it ran "
                f"{', '.join(meta['doctrines'])}.{suggest(name, meta['doctrines'])}"
            )
    if better == than:
        raise UserError("--better and --than name the same doctrine.")
    outcomes = store.read(run_id, "outcomes", columns=["member", "doctrine", outcome])
    never = meta["start_year"] + meta["horizon"] + 1
    a = outcomes[outcomes["doctrine"] == better].set_index("member")[outcome]
    b = outcomes[outcomes["doctrine"] == than].set_index("member")[outcome]
    common = a.index.intersection(b.index)
    va, vb = comparable(a.loc[common], outcome, never), comparable(b.loc[common], outcome, never)
    ok = ~(np.isnan(va) | np.isnan(vb))
    d = va[ok] - vb[ok]
    if OUTCOMES[outcome].direction == "lower":
        d = -d
    members = common[ok]
    exp = store.read(run_id, "experiments")
    exp = exp[exp["doctrine"] == better].set_index("member").loc[members]
    params = [c for c in exp.columns if c not in ("doctrine", "seed_key")]
    x = exp[params]
    x = x.loc[:, x.nunique() > 1].reset_index(drop=True)  # fixed parameters explain nothing
    return x, d > 0, d < 0


def _box(x: pd.DataFrame, y: np.ndarray, threshold: float, peel_alpha: float, mass_min: float) -> dict:
    from ema_workbench.analysis import prim

    algo = prim.Prim(x, y, threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min)
    box = algo.find_box()
    traj = box.peeling_trajectory
    meets = traj["density"] >= threshold
    i = int(traj.loc[meets, "coverage"].idxmax()) if meets.any() else int(traj["density"].idxmax())
    box.select(i)
    lim = box.box_lim
    restricted = []
    for col in x.columns:
        lo, hi = float(lim.loc[0, col]), float(lim.loc[1, col])
        full_lo, full_hi = float(x[col].min()), float(x[col].max())
        if lo > full_lo or hi < full_hi:
            restricted.append({"parameter": col, "low": lo, "high": hi, "range_low": full_lo, "range_high": full_hi})
    return {
        "coverage": float(box.coverage),
        "density": float(box.density),
        "mass": float(box.mass),
        "cases": int(y.sum()),
        "meets_threshold": bool(meets.any()),
        "restrictions": restricted,
    }


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Extra-trees feature scores of the parameters for predicting ``y`` (descending)."""
    from ema_workbench.analysis.feature_scoring import get_ex_feature_scores
    from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # out-of-bag estimates warn on tiny ensembles
        scores, _ = get_ex_feature_scores(x, y.astype(int), mode=RuleInductionType.CLASSIFICATION, random_state=seed)
    return pd.DataFrame({"parameter": scores.index.astype(str), "score": scores.iloc[:, 0].to_numpy()})


def discover(
    store,
    run: str,
    outcome: str,
    better: str,
    than: str,
    *,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    seed: int = 0,
) -> dict:
    """Find the assumptions under which ``better`` beats ``than`` on ``outcome`` (and loses).

    ``run`` may be ``latest``: the newest ensemble that ran both doctrines with at least
    :data:`LATEST_MIN_MEMBERS` members.

    Returns
    -------
    dict
        ``n``, ``wins`` and ``losses`` (shares of members where A is strictly better or
        strictly worse; the rest are ties), ``win_box`` and ``lose_box`` (coverage,
        density, mass, restricted parameter ranges; ``None`` when no or every member is in
        that case) and ``feature_scores`` (predicting a win).
    """
    check_direction(outcome)
    run_id = store.resolve(run, lambda meta: can_answer(meta, better, than), f"discovery of {better} vs {than}")
    if not 0 < threshold <= 1:
        raise UserError(f"--threshold must be in (0, 1], not {threshold}.")
    x, y, worse = paired_wins(store, run_id, outcome, better, than)
    out = {
        "run_id": run_id,
        "outcome": outcome,
        "better": better,
        "than": than,
        "direction": OUTCOMES[outcome].direction,
        "n": len(y),
        "threshold": threshold,
        "wins": float(y.mean()) if len(y) else float("nan"),
        "losses": float(worse.mean()) if len(y) else float("nan"),
        "parameters": x.shape[1],
        "win_box": None,
        "lose_box": None,
        "feature_scores": [],
    }
    if len(y) < 4 or x.shape[1] == 0:
        raise UserError(
            f"run {run_id} has {len(y)} comparable members and {x.shape[1]} sampled "
            "parameters; scenario discovery needs more (run a larger ensemble)."
        )
    logging.getLogger("EMA").setLevel(logging.WARNING)
    if 0 < y.sum() < len(y):
        out["win_box"] = _box(x, y, threshold, peel_alpha, mass_min)
        out["feature_scores"] = feature_scores(x, y, seed).to_dict(orient="records")
    if 0 < worse.sum() < len(y):
        out["lose_box"] = _box(x, worse, threshold, peel_alpha, mass_min)
    return out
