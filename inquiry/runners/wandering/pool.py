"""Pooling a seed sweep of wandering runs (arm ``depth``) on their per-episode counts.

The fits use every seed's episodes together; intervals resample seeds, then episodes within each depth of each
drawn seed, so they cover the seed-to-seed spread. The verdict is the single run's rule, unchanged. The ``rl``
arm and results without the counts pool conservatively (every seed must agree).

>>> from inquiry.runners.api import Result, VerdictReport
>>> def seed(q, n=100):
...     depth = [d for d in range(2, 9) for _ in range(n)]
...     solved = [int(i < n * 0.9 * q ** (d - 2)) for d in range(2, 9) for i in range(n)]
...     rows = {"depth": depth, "solved": solved, "actions": [10] * len(depth), "validity": [1 - s for s in solved],
...             "necessity": [0] * len(depth), "failure": [""] * len(depth)}
...     return Result(raw={"base": rows, "depths": list(range(2, 9)), "train_max_depth": 5},
...                   verdict=VerdictReport(verdict="supports", reason="r", explanation="e"))
>>> th = dict(min_in_range_success=0.5, cliff_steepness=3.0, delta_aic=2, min_hazard=0.02, violation_ratio_low=0.5,
...           violation_ratio_high=1.5, clean_success_supports=0.95, clean_success_contradicts=0.8, rl_fix_ratio=0.5)
>>> pooled = pool_seeds([seed(0.85), seed(0.8)], th)
>>> round(pooled.metrics["hazard_per_level"].value, 2), pooled.metrics["delta_aic"].value > 2
(0.17, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..api import Estimate, Result
from .fits import compare, fit_geometric
from .verdict import DepthEvidence, decide_depth


def poolable(results: Sequence[Result]) -> bool:
    return (
        len(results) >= 2
        and all("base" in r.raw and "rl" not in r.raw for r in results)
        and len({tuple(r.raw["depths"]) for r in results}) == 1
    )


def pool_seeds(results: Sequence[Result], th, B: int = 400) -> Result:
    rng = np.random.default_rng(0)
    depths = np.array(results[0].raw["depths"], dtype=float)
    trained = results[0].raw["train_max_depth"]
    seeds = []
    for r in results:
        rows = r.raw["base"]
        d = np.array(rows["depth"])
        seeds.append(
            {
                "depth": d,
                "solved": np.array(rows["solved"], dtype=float),
                "viol": np.array(rows["validity"], dtype=float) + np.array(rows["necessity"], dtype=float),
                "actions": np.array(rows["actions"], dtype=float),
            }
        )

    def summary(draw: list[dict]) -> tuple[float, float, float, float]:
        k = np.array([sum(s["solved"][s["depth"] == d].sum() for s in draw) for d in depths])
        n = np.array([sum((s["depth"] == d).sum() for s in draw) for d in depths], dtype=float)
        inside = [s["depth"] <= trained for s in draw]
        rate_in = sum(s["viol"][m].sum() for s, m in zip(draw, inside)) / max(
            1.0, sum(s["actions"][m].sum() for s, m in zip(draw, inside))
        )
        rate_out = sum(s["viol"][~m].sum() for s, m in zip(draw, inside)) / max(
            1.0, sum(s["actions"][~m].sum() for s, m in zip(draw, inside))
        )
        solved_in = sum(s["solved"][m].sum() for s, m in zip(draw, inside)) / sum(m.sum() for m in inside)
        clean = sum(s["solved"][s["viol"] == 0].sum() for s in draw) / max(1, sum((s["viol"] == 0).sum() for s in draw))
        return 1 - fit_geometric(depths, k, n)[1], rate_out / max(rate_in, 1e-9), solved_in, clean

    def resample(s: dict) -> dict:
        picks = np.concatenate([rng.choice(np.flatnonzero(s["depth"] == d), (s["depth"] == d).sum()) for d in depths])
        return {key: value[picks] for key, value in s.items()}

    observed = summary(seeds)
    draws = np.array([summary([resample(seeds[i]) for i in rng.integers(0, len(seeds), len(seeds))]) for _ in range(B)])
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    k = [sum(s["solved"][s["depth"] == d].sum() for s in seeds) for d in depths]
    n = [sum((s["depth"] == d).sum() for s in seeds) for d in depths]
    fit = compare(depths, k, n, steepness=th["cliff_steepness"])
    total = int(sum(s["depth"].size for s in seeds))

    def est(i, **fields):
        return Estimate(value=float(observed[i]), low=float(low[i]), high=float(high[i]), n=total, **fields)

    metrics = {
        "hazard_per_level": est(0, unit="/level"),
        "violation_ratio": est(1),
        "in_range_success": est(2),
        "violation_free_success": est(3),
        "delta_aic": Estimate(value=fit.delta_aic, n=total, description="on all seeds' episodes"),
    }
    verdict = decide_depth(
        DepthEvidence(
            in_range_success=metrics["in_range_success"],
            hazard=metrics["hazard_per_level"],
            delta_aic=fit.delta_aic,
            violation_ratio=metrics["violation_ratio"],
            violation_free_success=metrics["violation_free_success"],
        ),
        th,
    )
    verdict.registration = results[0].verdict.registration
    verdict.explanation = f"Pooled over {len(results)} seeds (seeds, then episodes, resampled): {verdict.explanation}"
    return Result(
        metrics=metrics,
        verdict=verdict,
        raw={"seeds": len(results)},
        headline=["delta_aic", "hazard_per_level", "violation_ratio"],
    )
