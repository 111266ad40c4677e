"""The verdict, fixed before the run, computed from per-question outcomes pooled over seeds.

Outcomes are arrays of shape (seeds, questions) with 0/1 entries. Pooling over seeds averages each
question's outcome across seeds, then the bootstrap resamples questions (paired: the same
resampled questions for both arms).

1. Precondition: the base's augmented accuracy beats its naive accuracy by >= ``margin``; else
   ``inconclusive`` with reason ``precondition_failed:base_cannot_use_context`` (RLAG would reduce
   to pretraining on the snippets).
2. The best baseline is the one with the highest pooled held-out accuracy.
3. ``supports`` when RLAG − best baseline has a 95% CI above 0, ``contradicts`` when below 0,
   else ``inconclusive``.

>>> import numpy as np
>>> rlag = np.ones((2, 40)); base = np.zeros((2, 40))
>>> report, _ = decide(np.ones(40), np.zeros(40), {"rlag": rlag, "cpt": base, "sft": base, "cpt_sft": base})
>>> report.verdict.value, report.reason
('supports', 'ci_excludes_zero_positive')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ...models import Verdict
from ..api import Estimate, VerdictReport
from ..substrate.stats import paired_diff_ci

CONTEXT_MARGIN = 0.10


@dataclass
class Comparison:
    best_baseline: str
    context_gain: Estimate  # base augmented − naive accuracy
    difference: Estimate | None  # RLAG − best baseline, pooled over seeds


def pooled(outcomes: np.ndarray) -> np.ndarray:
    """Per-question mean over seeds (a 1-D array passes through)."""
    outcomes = np.asarray(outcomes, dtype=float)
    return outcomes.mean(0) if outcomes.ndim == 2 else outcomes


def decide(base_augmented: np.ndarray, base_naive: np.ndarray, arms: Mapping[str, np.ndarray], *,
           margin: float = CONTEXT_MARGIN, B: int = 2000, seed: int = 0,
           scope: str = "miniature") -> tuple[VerdictReport, Comparison]:
    """The verdict and the numbers it rests on; ``arms`` holds "rlag" and the baselines."""
    rng = np.random.default_rng(seed)
    gain = paired_diff_ci(pooled(base_augmented), pooled(base_naive), B=B, rng=rng,
                          description="base accuracy with snippets minus without (training questions)")
    baselines = {name: pooled(v) for name, v in arms.items() if name != "rlag"}
    best = best_baseline(baselines)
    failed = precondition(gain, margin, scope)
    if failed is not None:
        return failed, Comparison(best, gain, None)
    diff = paired_diff_ci(pooled(arms["rlag"]), baselines[best], B=B, rng=rng,
                          description=f"held-out closed-book accuracy, RLAG minus {best}")
    return judge(diff, best, scope, f"95% paired bootstrap over {diff.n} questions, pooled over seeds"), \
        Comparison(best, gain, diff)


def best_baseline(baselines: Mapping[str, np.ndarray]) -> str:
    """The baseline with the highest mean held-out outcome (rule 2).

    >>> best_baseline({"cpt": np.array([0, 1]), "sft": np.array([1, 1])})
    'sft'
    """
    return max(baselines, key=lambda name: np.mean(baselines[name]))


def precondition(gain: Estimate, margin: float, scope: str) -> VerdictReport | None:
    """Rule 1: ``inconclusive`` when the base gains less than ``margin`` from the snippets, else None."""
    if gain.value >= margin:
        return None
    return VerdictReport(
        verdict=Verdict.INCONCLUSIVE, reason="precondition_failed:base_cannot_use_context", scope=scope,
        explanation=(f"The base answers only {gain.value:+.1%} better with the snippets than without "
                     f"(needs {margin:+.0%}); RLAG's chosen answers would be no better than its rejected "
                     "ones, so the run cannot test the claim."))


def judge(diff: Estimate, best: str, scope: str, interval: str) -> VerdictReport:
    """Rule 3 on the interval of RLAG − best baseline; ``interval`` says how it was computed.

    >>> judge(Estimate(value=0.2, low=0.1, high=0.3), "sft", "miniature", "by hand").reason
    'ci_excludes_zero_positive'
    """
    sign = diff.excludes_zero()
    if sign > 0:
        verdict, reason, words = Verdict.SUPPORTS, "ci_excludes_zero_positive", "beats"
    elif sign < 0:
        verdict, reason, words = Verdict.CONTRADICTS, "ci_excludes_zero_negative", "loses to"
    else:
        verdict, reason, words = Verdict.INCONCLUSIVE, "ci_overlaps_zero", "is indistinguishable from"
    explanation = (f"On held-out closed-book questions RLAG {words} the best baseline ({best}): "
                   f"difference {diff} ({interval}).")
    return VerdictReport(verdict=verdict, reason=reason, explanation=explanation, scope=scope)
