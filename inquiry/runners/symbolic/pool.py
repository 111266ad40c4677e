"""Pooling a seed sweep of symbolic runs on their per-item answers, then the single run's rule unchanged.

Every gap is a per-item paired difference within a seed; its interval resamples seeds, then items
(:func:`~inquiry.runners.pooling.seed_bootstrap_ci`), at 95% (and 90% for the equivalence test).

>>> from inquiry.runners.api import Result, VerdictReport
>>> def seed(counter):
...     cond = lambda correct: {"correct": list(correct), "answer": ["p0"] * len(correct)}
...     model = {"semantic": cond([1] * 40), "symbols": cond([0, 1] * 20), "counter": cond(counter)}
...     model["counter"]["memorised"] = [1 - c for c in counter]
...     arm = {"semantic": cond([1] * 40), "symbols": cond([1] * 40), "counter": cond(counter)}
...     return Result(raw={"registered": model, "arm": arm, "symbol_share": 0.05, "arm_symbol_share": 0.3},
...                   verdict=VerdictReport(verdict="supports", reason="r", explanation="e"))
>>> pooled = pool_seeds([seed([0] * 40), seed([0, 0, 0, 1] * 10)], {"min_semantic_accuracy": 0.85,
...     "collapse_gap": 0.1, "memorised_share": 0.6, "equivalence_margin": 0.05})
>>> pooled.verdict.verdict.value, pooled.metrics["symbol_gap"].value, pooled.metrics["symbol_gap"].n
('supports', 0.5, 80)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..api import Estimate, Result
from ..pooling import seed_bootstrap_ci
from .verdict import Evidence, decide


def poolable(results: Sequence[Result]) -> bool:
    return len(results) >= 2 and all("registered" in r.raw and "arm" in r.raw for r in results)


def pool_seeds(results: Sequence[Result], thresholds) -> Result:
    rng = np.random.default_rng(0)

    def per_seed(fn):
        return [fn(r.raw) for r in results]

    def correct(raw, model, cond):
        return np.array(raw[model][cond]["correct"], dtype=float)

    S = per_seed(lambda raw: correct(raw, "registered", "semantic"))
    Y = per_seed(lambda raw: correct(raw, "registered", "symbols"))
    C = per_seed(lambda raw: correct(raw, "registered", "counter"))
    aS = per_seed(lambda raw: correct(raw, "arm", "semantic"))
    aY = per_seed(lambda raw: correct(raw, "arm", "symbols"))
    sign = [1.0 if r.raw["arm_symbol_share"] > r.raw["symbol_share"] else -1.0 for r in results]
    memorised = [np.array(r.raw["registered"]["counter"]["memorised"], dtype=float)[c == 0] for r, c in zip(results, C)]
    memorised = [m for m in memorised if m.size]  # seeds without a counter-condition error have nothing to add
    metrics = {
        "semantic_accuracy": seed_bootstrap_ci(S, rng=rng, description="accuracy, semantic condition"),
        "symbol_accuracy": seed_bootstrap_ci(Y, rng=rng),
        "counter_accuracy": seed_bootstrap_ci(C, rng=rng),
        "symbol_gap": seed_bootstrap_ci([s - y for s, y in zip(S, Y)], rng=rng),
        "counter_gap": seed_bootstrap_ci([s - c for s, c in zip(S, C)], rng=rng),
        "symbol_gap_90": seed_bootstrap_ci([s - y for s, y in zip(S, Y)], level=0.90, rng=rng),
        "counter_gap_90": seed_bootstrap_ci([s - c for s, c in zip(S, C)], level=0.90, rng=rng),
        "memorised_error_share": (
            seed_bootstrap_ci(memorised, rng=rng)
            if memorised
            else Estimate(value=0.0, n=0, description="no counter-condition error")
        ),
        "arm_gap_shrink": seed_bootstrap_ci(
            [k * ((s - y) - (a - b)) for k, s, y, a, b in zip(sign, S, Y, aS, aY)],
            rng=rng,
            description="symbol gap at the lower share minus the higher",
        ),
    }
    evidence = Evidence(
        semantic=metrics["semantic_accuracy"],
        symbol_gap=metrics["symbol_gap"],
        counter_gap=metrics["counter_gap"],
        symbol_gap_90=metrics["symbol_gap_90"],
        counter_gap_90=metrics["counter_gap_90"],
        memorised_share=metrics["memorised_error_share"],
        arm_gap_shrink=metrics["arm_gap_shrink"],
    )
    verdict = decide(evidence, thresholds)
    verdict.registration = results[0].verdict.registration
    verdict.explanation = f"Pooled over {len(results)} seeds (seeds, then items, resampled): {verdict.explanation}"
    return Result(
        metrics=metrics,
        verdict=verdict,
        raw={"seeds": len(results)},
        headline=["symbol_gap", "counter_gap", "memorised_error_share", "arm_gap_shrink"],
    )
