"""Scenario discovery: the assumptions under which one doctrine beats another, and whether that beats chance.

Doctrines run on common random numbers, so each member gives a paired comparison. For an
outcome with a direction, ``y = 1`` when doctrine A does strictly better than B on that
member (paired as in :func:`~nato_socialism.experiments.compare.compare`: a year never reached
counts as later than any year of the run). ``x`` holds the member's sampled parameters. Two
cases are analysed: where A wins, and where A loses.

PRIM (Friedman & Fisher 1999, as implemented in the EMA Workbench) peels boxes in parameter
space; its peeling trajectory is the coverage/density trade-off. On each box's trajectory we
select the step with the highest coverage among those whose density reaches ``threshold``
(the densest step if none does). Further boxes are sought among the members outside the
boxes found so far (EMA's covering), up to ``boxes``, stopping after the first box that is no
better than chance. CART (Breiman et al. 1984; EMA's wrapper of scikit-learn) is the
alternative: its leaves are the boxes, densest first.

**Chance criterion** (fixed before any box is seen). A box is reported as better than chance
only if all of these hold:

1. it restricts at least one parameter;
2. its density is at least the base rate (the share of members in the case among those the
   box was sought in) plus :data:`MARGIN`;
3. at least one of its restrictions has a quasi-p-value (Bryant & Lempert 2010: one-sided
   binomial test of the box against the box without that restriction) of at most
   :data:`ALPHA`;
4. a permutation test gives p <= :data:`ALPHA`: the case labels are permuted among the
   members ``permutations`` times, the same algorithm is run on each permutation, and p is
   ``(1 + number of permutations whose best density at a coverage at least the box's reaches
   the box's density) / (1 + permutations)``. The permutations stop as soon as p can no
   longer reach :data:`ALPHA`; the p reported is then a lower bound of the full test's p.

PRIM and CART choose boxes on the same data they are scored on, so quasi-p-values alone
are optimistic: on pure noise PRIM finds dense boxes whose restrictions have quasi-p < 0.01.
The permutation test measures what the search finds when there is nothing to find; with
the default 19 permutations a box must beat every one of them. When no box passes, the
answer is "no box better than chance".

Resampling stability of each box better than chance (as EMA's ``PrimBox.resample``,
reimplemented because EMA 2.5.3's picks the wrong rows for boxes after the first): PRIM is
rerun on random halves of the members the box was sought in and, for each restricted
parameter, the share of reruns whose trajectory step nearest the box's coverage
(``reproduce_coverage``) or density (``reproduce_density``) restricts it too is reported.

References
----------
Friedman, J. H. and Fisher, N. I. (1999). Bump hunting in high-dimensional data. Statistics
and Computing 9, 123-143.
Bryant, B. P. and Lempert, R. J. (2010). Thinking inside the box: a participatory,
computer-assisted approach to scenario discovery. Technological Forecasting and Social
Change 77(1), 34-49.
Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. Environmental Modelling &
Software 96, 239-250.
Breiman, L., Friedman, J. H., Olshen, R. A. and Stone, C. J. (1984). Classification and
Regression Trees. Wadsworth.
Good, P. (2005). Permutation, Parametric and Bootstrap Tests of Hypotheses. Springer.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from ..errors import UserError, suggest
from ..model.outcomes import OUTCOMES
from .compare import comparable
from .sensitivity import check_outcome

METHODS = ("prim", "cart")
#: Significance level of the quasi-p-values and of the permutation test (convention).
ALPHA = 0.05
#: Density a box must add to the base rate to count (5 percentage points; a convention).
MARGIN = 0.05
#: Default permutations: the fewest with which the permutation p can reach ALPHA.
PERMUTATIONS = 19
#: Default PRIM reruns on random halves for the stability scores (EMA's default).
RESAMPLES = 10
#: Default number of boxes per case.
BOXES = 3
#: PRIM threshold passed to EMA: any positive value below 1 makes y == 1 the case of interest
#: and keeps every peeled box (the density threshold is applied when selecting on the trajectory).
_EMA_THRESHOLD = 1e-9
CASES = ("win", "lose")


@dataclass(frozen=True)
class DiscoveryConfig:
    """Settings of a discovery (the chance criterion's ALPHA and MARGIN are fixed, not settings).

    ``threshold``: density a selected box should reach; ``boxes``: boxes per case at most;
    ``permutations``: draws of the permutation test; ``resamples``: PRIM reruns on random
    halves for the stability scores; ``peel_alpha``, ``mass_min``: PRIM's peeling share and
    smallest box (share of all members; also CART's smallest leaf); ``seed``: of the
    permutations, resamples and feature scores.
    """

    threshold: float = 0.8
    boxes: int = BOXES
    permutations: int = PERMUTATIONS
    resamples: int = RESAMPLES
    peel_alpha: float = 0.05
    mass_min: float = 0.05
    seed: int = 0

    def check(self) -> None:
        """Refuse bad settings with a clear message."""
        if not 0 < self.threshold <= 1:
            raise UserError(f"--threshold must be in (0, 1], not {self.threshold}.")
        if self.boxes < 1 or self.permutations < 0 or self.resamples < 0:
            raise UserError("--boxes must be at least 1, --permutations and --resamples at least 0.")
        if not (0 < self.peel_alpha < 1 and 0 < self.mass_min < 1):
            raise UserError("peel_alpha and mass_min must be in (0, 1).")


#: ``latest`` for discovery skips runs with fewer members: PRIM's smallest box (mass_min 5 %)
#: should hold at least 5 members.
LATEST_MIN_MEMBERS = 100


def can_answer(meta: dict, better: str, than: str) -> str | None:
    """None if a stored run can be searched for where ``better`` beats ``than``, else why not."""
    if meta["kind"] not in ("ensemble", "ema"):  # ensembles of doctrines (run, or EMA experiments stored)
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
    params = [c for c in exp.columns if c not in ("doctrine", "seed_key", "ema_member")]
    x = exp[params]
    x = x.loc[:, x.nunique() > 1].reset_index(drop=True)  # fixed parameters explain nothing
    return x, d > 0, d < 0


def _restricted(lim: pd.DataFrame, init: pd.DataFrame) -> list[str]:
    return [c for c in lim.columns if lim.loc[0, c] > init.loc[0, c] or lim.loc[1, c] < init.loc[1, c]]


def _quasi_p(x: pd.DataFrame, y: np.ndarray, lim: pd.DataFrame, init: pd.DataFrame, dims: list[str]) -> dict:
    """EMA's quasi-p-values of a box's restrictions: ``{parameter: [lower side, upper side]}`` (-1: not restricted)."""
    from ema_workbench.analysis.prim_util import calculate_qp
    from ema_workbench.analysis.scenario_discovery_util import _in_box

    inside = _in_box(x[dims], lim[dims]) if dims else np.ones(len(x), dtype=bool)
    qp = lim[dims].apply(
        calculate_qp, axis=0, result_type="expand", args=[x[dims], y, int(y[inside].sum()), int(inside.sum()),
                                                          lim[dims], init]
    )
    return qp.to_dict(orient="list")


def _limits(x: pd.DataFrame, lim: pd.DataFrame, init: pd.DataFrame, qp: dict, stability: dict | None = None
            ) -> list[dict]:
    rows = []
    for col in _restricted(lim, init):
        lo_qp, hi_qp = qp.get(col, [-1, -1])
        rows.append({
            "parameter": col,
            "low": float(lim.loc[0, col]),
            "high": float(lim.loc[1, col]),
            "range_low": float(init.loc[0, col]),
            "range_high": float(init.loc[1, col]),
            "qp_low": float(lo_qp) if lo_qp >= 0 else None,
            "qp_high": float(hi_qp) if hi_qp >= 0 else None,
            "reproduce_coverage": None if stability is None else stability[col][0],
            "reproduce_density": None if stability is None else stability[col][1],
        })
    return rows


def _verdict(box: dict, permutations: int) -> dict:
    """Apply the chance criterion (module docstring) to a box; add ``better_than_chance`` and ``reasons``."""
    box["_permutations"] = permutations
    reasons = []
    qps = [v for r in box["restrictions"] for v in (r["qp_low"], r["qp_high"]) if v is not None]
    box["min_quasi_p"] = min(qps) if qps else None
    if not box["restrictions"]:
        reasons.append("it restricts no parameter")
    if box["density"] < box["base_rate"] + MARGIN:
        reasons.append(f"density {box['density']:.0%} is not {MARGIN:.0%} above the base rate {box['base_rate']:.0%}")
    if box["restrictions"] and (not qps or min(qps) > ALPHA):
        reasons.append(f"no restriction has a quasi-p-value <= {ALPHA}")
    k = box.pop("_permutations")
    if box["restrictions"] and k == 0:
        reasons.append("not tested against permuted cases (--permutations 0)")
    elif box["restrictions"] and 1 / (1 + k) > ALPHA:
        reasons.append(f"{k} permutations cannot give p <= {ALPHA} (use at least {round(1 / ALPHA) - 1})")
    elif box["permutation_p"] is not None and box["permutation_p"] > ALPHA:
        reasons.append(
            f"permuted cases give boxes as dense at this coverage (permutation p = {box['permutation_p']:.2f})"
        )
    box["better_than_chance"] = not reasons
    box["reasons"] = reasons
    return box


def _permutation_p(null_statistic: Callable[[], float], observed: float, k: int) -> tuple[float | None, int]:
    """Permutation p of ``observed`` against ``k`` draws of ``null_statistic()``, and the draws made.

    Draws stop once p can no longer reach :data:`ALPHA`; p is then the lower bound
    ``(1 + exceedances) / (1 + k)``.
    """
    exceed = 0
    if k == 0:
        return None, 0
    for done in range(1, k + 1):
        exceed += null_statistic() >= observed - 1e-12
        if (1 + exceed) / (1 + k) > ALPHA:
            return float((1 + exceed) / (1 + k)), done
    return float((1 + exceed) / (1 + k)), k


# ---------------------------------------------------------------------- PRIM
def _select(traj: pd.DataFrame, threshold: float) -> tuple[int, bool]:
    meets = traj["density"] >= threshold
    if meets.any():
        return int(traj.loc[meets, "coverage"].idxmax()), True
    return int(traj["density"].idxmax()), False


def _prim_null(x: pd.DataFrame, y: np.ndarray, coverage: float, share: float, rng, options: dict) -> float:
    """Best density at a coverage >= ``coverage`` that PRIM finds with ``y`` permuted.

    ``share`` converts coverage within these members to coverage of all cases.
    """
    from ema_workbench.analysis import prim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traj = prim.Prim(x, rng.permutation(y), threshold=_EMA_THRESHOLD, **options).find_box().peeling_trajectory
    return float(traj.loc[traj["coverage"] * share >= coverage - 1e-12, "density"].max())


def _stability(
    x: pd.DataFrame, y: np.ndarray, dims: list[str], coverage: float, density: float, rng, options: dict, k: int
) -> dict[str, tuple[float, float]]:
    """Share of ``k`` PRIM reruns on random halves restricting each of ``dims`` (nearest coverage, density)."""
    from ema_workbench.analysis import prim

    counts = {d: [0, 0] for d in dims}
    for _ in range(k):
        half = np.sort(rng.choice(len(y), size=len(y) // 2, replace=False))
        yh = y[half]
        if not 0 < yh.sum() < len(yh):
            continue
        box = prim.Prim(x.iloc[half].reset_index(drop=True), yh, threshold=_EMA_THRESHOLD, **options).find_box()
        traj = box.peeling_trajectory
        nearest = ((traj["coverage"] - coverage).abs().idxmin(), (traj["density"] - density).abs().idxmin())
        for j, i in enumerate(nearest):
            for d in set(dims) & set(box.qp[int(i)]):
                counts[d][j] += 1
    return {d: (c[0] / k, c[1] / k) for d, c in counts.items()}


def prim_boxes(
    x: pd.DataFrame,
    y: np.ndarray,
    config: DiscoveryConfig = DiscoveryConfig(),
    progress: Callable[[int], None] | None = None,
) -> tuple[list[dict], pd.DataFrame]:
    """PRIM boxes of ``y`` (0/1) in ``x``, each judged by the chance criterion, and their trajectories.

    Returns the boxes (dicts: ``box``, ``step`` selected on the trajectory, ``coverage`` (of all
    cases), ``density``, ``mass`` (of all members), ``members``, ``cases``, ``base_rate`` (among
    the members the box was sought in), ``lift`` (density - base rate), ``meets_threshold``,
    ``permutation_p``, ``min_quasi_p``, ``better_than_chance``, ``reasons``, ``restrictions``)
    and the peeling trajectories (``box``, ``step``, ``coverage``, ``density``, ``mass``,
    ``res_dim``, ``members``, ``cases``, ``selected``). Each box costs ``1 + permutations +
    resamples`` PRIM runs; ``progress(n)`` is called as they finish.
    """
    from ema_workbench.analysis import prim

    threshold, permutations, resamples = config.threshold, config.permutations, config.resamples
    peel_alpha, mass_min = config.peel_alpha, config.mass_min
    logging.getLogger("EMA").setLevel(logging.WARNING)
    y = np.asarray(y, dtype=int)
    rng = np.random.default_rng(config.seed)
    algo = prim.Prim(x, y, threshold=_EMA_THRESHOLD, peel_alpha=peel_alpha, mass_min=mass_min)
    total_cases = int(y.sum())
    found, trajectories = [], []
    taken = np.zeros(len(y), dtype=bool)  # members inside the boxes found so far (EMA's covering)
    for b in range(1, config.boxes + 1):
        remaining = np.flatnonzero(~taken)
        cases_left = int(y[remaining].sum())
        if cases_left < 2 or cases_left == len(remaining) or len(remaining) < 4:
            break
        base = cases_left / len(remaining)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = algo.find_box()
        traj = box.peeling_trajectory
        step, meets = _select(traj, threshold)
        box.select(step)
        taken[box.yi] = True
        lim = box.box_lims[step]
        found_box = {
            "box": b,
            "step": step,
            "coverage": float(traj.loc[step, "coverage"]),
            "density": float(traj.loc[step, "density"]),
            "mass": float(traj.loc[step, "mass"]),
            "members": int(traj.loc[step, "n"]),
            "cases": int(traj.loc[step, "k"]),
            "base_rate": base,
            "lift": float(traj.loc[step, "density"]) - base,
            "meets_threshold": meets,
            "permutation_p": None,
        }
        if progress:
            progress(1)
        restricted = _restricted(lim, algo.box_init)
        stability = None
        x_left, y_left = x.iloc[remaining].reset_index(drop=True), y[remaining]
        options = {"peel_alpha": peel_alpha, "mass_min": min(1.0, mass_min * len(y) / len(remaining))}
        if restricted:
            null = partial(_prim_null, x_left, y_left, found_box["coverage"], cases_left / total_cases, rng, options)
            found_box["permutation_p"], _ = _permutation_p(null, found_box["density"], permutations)
        if progress:
            progress(permutations)
        found_box["restrictions"] = _limits(x, lim, algo.box_init, box.qp[step])
        found.append(_verdict(found_box, permutations))
        if found_box["better_than_chance"] and resamples:
            stability = _stability(x_left, y_left, restricted, found_box["coverage"] * total_cases / cases_left,
                                   found_box["density"], rng, options, resamples)
            found_box["restrictions"] = _limits(x, lim, algo.box_init, box.qp[step], stability)
        if progress:
            progress(resamples)
        trajectories.append(pd.DataFrame({
            "box": b,
            "step": traj["id"].astype(int).to_numpy(),
            "coverage": traj["coverage"].to_numpy(dtype=float),
            "density": traj["density"].to_numpy(dtype=float),
            "mass": traj["mass"].to_numpy(dtype=float),
            "res_dim": traj["res_dim"].astype(int).to_numpy(),
            "members": traj["n"].astype(int).to_numpy(),
            "cases": traj["k"].astype(int).to_numpy(),
            "selected": traj["id"].astype(int).to_numpy() == step,
        }))
        if not found_box["better_than_chance"]:
            break
    trajectory = pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame()
    return found, trajectory


# ---------------------------------------------------------------------- CART
def _cart_leaves(x: pd.DataFrame, y: np.ndarray, mass_min: float) -> list[tuple[pd.DataFrame, np.ndarray]]:
    from ema_workbench.analysis import cart

    tree = cart.CART(x, y, mass_min=max(mass_min, 1 / len(y)) + 1e-9)  # EMA floors mass_min x n: keep >= 1 member
    tree.build_tree()
    leaves = tree.clf.apply(tree._x)
    ids = np.flatnonzero(tree.clf.tree_.children_left == -1)  # the order of tree.boxes
    return [(lim, leaves == leaf) for lim, leaf in zip(tree.boxes, ids, strict=True)]


def _leaf_stats(y: np.ndarray, inside: np.ndarray) -> tuple[float, float, float]:
    k, n = y[inside].sum(), inside.sum()
    return k / y.sum(), k / n, n / len(y)


def cart_boxes(
    x: pd.DataFrame,
    y: np.ndarray,
    config: DiscoveryConfig = DiscoveryConfig(),
    progress: Callable[[int], None] | None = None,
) -> list[dict]:
    """CART leaves of ``y`` (0/1) as boxes, densest first, each judged by the chance criterion.

    The leaves reported are those denser than the base rate: those reaching ``threshold`` if
    any, else the densest, at most ``boxes``.

    The fields are those of :func:`prim_boxes` (``step`` is the leaf's position among the
    tree's leaves; no stability scores). The permutation statistic is the densest leaf (or
    the whole sample) of a tree grown on permuted cases whose coverage is at least the box's.
    """
    from ema_workbench.analysis.scenario_discovery_util import _make_box

    threshold, permutations, mass_min = config.threshold, config.permutations, config.mass_min
    y = np.asarray(y, dtype=int)
    base = y.mean()
    init = _make_box(x)
    leaves = _cart_leaves(x, y, mass_min)
    stats = [(*_leaf_stats(y, inside), i) for i, (_, inside) in enumerate(leaves)]
    ranked = sorted((s for s in stats if s[1] > base), key=lambda s: (-s[1], -s[0]))  # leaves richer than average
    chosen = ([s for s in ranked if s[1] >= threshold] or ranked)[: config.boxes]
    rng = np.random.default_rng(config.seed)
    null: list[list[tuple[float, float]]] = []  # per permutation: (coverage, density) of every leaf and the root

    def null_statistic(i: int, coverage: float) -> float:
        while len(null) <= i:  # the same permuted trees serve every box
            yp = rng.permutation(y)
            null.append([(1.0, base)] + [_leaf_stats(yp, inside)[:2] for _, inside in _cart_leaves(x, yp, mass_min)])
        return max(d for c, d in null[i] if c >= coverage - 1e-12)

    out = []
    for rank, (coverage, density, mass, i) in enumerate(chosen, start=1):
        lim, inside = leaves[i]
        dims = _restricted(lim, init)
        box = {
            "box": rank,
            "step": i,
            "coverage": float(coverage),
            "density": float(density),
            "mass": float(mass),
            "members": int(inside.sum()),
            "cases": int(y[inside].sum()),
            "base_rate": float(base),
            "lift": float(density - base),
            "meets_threshold": bool(density >= threshold),
            "permutation_p": None,
        }
        if dims:
            draws = iter(range(permutations))
            box["permutation_p"], _ = _permutation_p(
                lambda draws=draws, coverage=coverage: null_statistic(next(draws), coverage), density, permutations
            )
        box["restrictions"] = _limits(x, lim, init, _quasi_p(x, y, lim, init, dims))
        out.append(_verdict(box, permutations))
    if progress:
        progress(1 + permutations)
    return out


# ---------------------------------------------------------------------- the analysis
def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Extra-trees feature scores of the parameters for predicting ``y`` (descending)."""
    from ema_workbench.analysis.feature_scoring import get_ex_feature_scores
    from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # out-of-bag estimates warn on tiny ensembles
        scores, _ = get_ex_feature_scores(x, y.astype(int), mode=RuleInductionType.CLASSIFICATION, random_state=seed)
    return pd.DataFrame({"parameter": scores.index.astype(str), "score": scores.iloc[:, 0].to_numpy()})


def table_prefix(method: str, better: str, than: str, outcome: str) -> str:
    """Common prefix of a discovery's analysis tables (``<prefix>-boxes``, ``-limits``, ...)."""
    return f"discovery-{method}-{better}-vs-{than}-{outcome}"


def work_units(method: str, config: DiscoveryConfig) -> int:
    """Upper bound of the progress units :func:`discover` reports (for a progress bar)."""
    if method == "prim":
        return len(CASES) * config.boxes * (1 + config.permutations + config.resamples)
    return len(CASES) * (1 + config.permutations)


def discover(
    store,
    run: str,
    outcome: str,
    better: str,
    than: str,
    *,
    method: str = "prim",
    config: DiscoveryConfig = DiscoveryConfig(),
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Find the assumptions under which ``better`` beats ``than`` on ``outcome`` (and loses).

    ``run`` may be ``latest``: the newest ensemble that ran both doctrines with at least
    :data:`LATEST_MIN_MEMBERS` members.

    Returns
    -------
    dict
        ``n``, ``wins`` and ``losses`` (shares of members where A is strictly better or
        strictly worse; the rest are ties), ``criterion`` (the chance criterion's settings),
        ``cases`` (``win`` and ``lose``: ``base_rate``, ``cases``, ``boxes`` as returned by
        :func:`prim_boxes` or :func:`cart_boxes`, ``better_than_chance`` (number of boxes
        that are) and ``message``), ``feature_scores`` (predicting a win) and ``tables``
        (the analysis tables written under the run, see docs/results.md).
    """
    if method not in METHODS:
        raise UserError(f"unknown --method {method!r}; expected prim or cart.{suggest(method, METHODS)}")
    config.check()
    check_direction(outcome)
    run_id = store.resolve(run, lambda meta: can_answer(meta, better, than), f"discovery of {better} vs {than}")
    x, win, lose = paired_wins(store, run_id, outcome, better, than)
    if len(win) < 4 or x.shape[1] == 0:
        raise UserError(
            f"run {run_id} has {len(win)} comparable members and {x.shape[1]} sampled "
            "parameters; scenario discovery needs more (run a larger ensemble)."
        )
    out = {
        "run_id": run_id,
        "outcome": outcome,
        "better": better,
        "than": than,
        "direction": OUTCOMES[outcome].direction,
        "method": method,
        "n": len(win),
        "threshold": config.threshold,
        "wins": float(win.mean()),
        "losses": float(lose.mean()),
        "parameters": x.shape[1],
        "criterion": {"margin": MARGIN, "alpha": ALPHA, "permutations": config.permutations,
                      "resamples": config.resamples},
        "cases": {},
        "feature_scores": [],
    }
    trajectories = []
    for case, y in zip(CASES, (win, lose), strict=True):
        found: list[dict] = []
        if 0 < y.sum() < len(y):
            if method == "prim":
                found, traj = prim_boxes(x, y, config, progress)
                trajectories.append(traj.assign(case=case))
            else:
                found = cart_boxes(x, y, config, progress)
        good = sum(b["better_than_chance"] for b in found)
        if not 0 < y.sum() < len(y):
            message = f"no box: {'every' if y.all() else 'no'} member is in this case"
        elif good:
            message = f"{good} box{'es' if good > 1 else ''} better than chance"
        else:
            message = "no box better than chance"
        out["cases"][case] = {
            "base_rate": float(y.mean()),
            "cases": int(y.sum()),
            "boxes": found,
            "better_than_chance": good,
            "message": message,
        }
    if 0 < win.sum() < len(win):
        out["feature_scores"] = feature_scores(x, win, config.seed).to_dict(orient="records")
    out["tables"] = _store_tables(store, run_id, out, trajectories)
    return out


def _store_tables(store, run_id: str, out: dict, trajectories: list[pd.DataFrame]) -> list[str]:
    """Write the discovery's tables under the run's ``analysis/`` folder; return their names."""
    prefix = table_prefix(out["method"], out["better"], out["than"], out["outcome"])
    keys = {"outcome": out["outcome"], "better": out["better"], "than": out["than"], "method": out["method"]}
    box_rows, limit_rows = [], []
    for case, result in out["cases"].items():
        for b in result["boxes"]:
            box_rows.append({
                "case": case, **{k: v for k, v in b.items() if k not in ("restrictions", "reasons")},
                "reasons": "; ".join(b["reasons"]), "threshold": out["threshold"], "margin": MARGIN, "alpha": ALPHA,
                "permutations": out["criterion"]["permutations"], **keys,
            })
            limit_rows += [{"case": case, "box": b["box"], **r, **keys} for r in b["restrictions"]]
    tables = {
        "boxes": pd.DataFrame(box_rows, columns=list(_BOX_COLUMNS) if not box_rows else None),
        "limits": pd.DataFrame(limit_rows, columns=list(_LIMIT_COLUMNS) if not limit_rows else None),
        "features": pd.DataFrame(out["feature_scores"], columns=["parameter", "score"]).assign(**keys),
    }
    if out["method"] == "prim":
        traj = pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame()
        tables["trajectory"] = traj.assign(**keys) if not traj.empty else pd.DataFrame(columns=list(_TRAJ_COLUMNS))
    names = []
    for suffix, frame in tables.items():
        name = f"{prefix}-{suffix}"
        store.write_table(run_id, name, frame)
        names.append(f"analysis/{name}.parquet")
    return names


_BOX_COLUMNS = (
    "case", "box", "step", "coverage", "density", "mass", "members", "cases", "base_rate", "lift", "meets_threshold",
    "permutation_p", "min_quasi_p", "better_than_chance", "reasons", "threshold", "margin", "alpha", "permutations",
    "outcome", "better", "than", "method",
)
_LIMIT_COLUMNS = (
    "case", "box", "parameter", "low", "high", "range_low", "range_high", "qp_low", "qp_high", "reproduce_coverage",
    "reproduce_density", "outcome", "better", "than", "method",
)
_TRAJ_COLUMNS = ("box", "step", "coverage", "density", "mass", "res_dim", "members", "cases", "selected", "case")
