"""The registered verdict rule (``registration.yaml``), computed from per-question outcomes pooled over seeds.

Test outcomes are arrays of shape (seeds, questions) with 0/1 entries. Pooling over seeds averages
each question's outcome across seeds, then the bootstrap resamples questions (paired: the same
resampled questions for both arms). Every threshold is read from the registration.

1. Preconditions: the lower bound of the base's context gain (augmented minus naive accuracy on the
   training questions) is at least ``context_margin``, and the run used the registered protocol;
   else ``inconclusive`` with reason ``precondition_failed:<id>``.
2. The best baseline is the one with the highest *dev* accuracy at its tuned learning rate (never
   chosen on the test questions).
3. ``supports`` when RLAG − best baseline on the test split has an interval above 0, ``contradicts``
   when below 0, else ``inconclusive``.

>>> import numpy as np
>>> from inquiry.runners.rlag.runner import RLAGRunner
>>> reg = RLAGRunner.registration()
>>> rlag = np.ones((2, 40)); base = np.zeros((2, 40))
>>> gain = context_gain(np.ones(40), np.zeros(40), reg)
>>> dev = {"cpt": 0.3, "sft": 0.5, "cpt_sft": 0.4}
>>> report, best = decide(gain, dev, {"rlag": rlag, "cpt": base, "sft": base, "cpt_sft": base}, reg)
>>> report.verdict.value, report.reason, best
('supports', 'ci_excludes_zero_positive', 'sft')
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...models import Verdict
from ..api import Estimate, PreconditionCheck, Registration, VerdictReport
from ..registered import first_failed
from ..substrate.stats import paired_diff_ci


def pooled(outcomes: np.ndarray) -> np.ndarray:
    """Per-question mean over seeds (a 1-D array passes through)."""
    outcomes = np.asarray(outcomes, dtype=float)
    return outcomes.mean(0) if outcomes.ndim == 2 else outcomes


def context_gain(base_augmented, base_naive, reg: Registration, B: int = 2000, seed: int = 0) -> Estimate:
    """Base accuracy with snippets minus without, paired over the target questions."""
    return paired_diff_ci(
        pooled(base_augmented),
        pooled(base_naive),
        B=B,
        level=reg.threshold("level"),
        rng=np.random.default_rng(seed),
        description="base accuracy with snippets minus without (every target question)",
    )


def best_baseline(dev_accuracy: Mapping[str, float]) -> str:
    """The baseline with the highest dev accuracy at its tuned learning rate (rule 2).

    >>> best_baseline({"cpt": 0.4, "sft": 0.6})
    'sft'
    """
    return max(dev_accuracy, key=lambda name: dev_accuracy[name])


def preconditions(gain: Estimate, reg: Registration, registered_protocol: bool = True) -> list[PreconditionCheck]:
    margin = reg.threshold("context_margin")
    low = gain.low if gain.low is not None else gain.value
    return [
        PreconditionCheck(
            id="base_can_use_context",
            passed=low >= margin,
            value=low,
            threshold=margin,
            detail=f"base accuracy with snippets minus without {gain}; its lower bound must be at least {margin:g}",
        ),
        PreconditionCheck(
            id="registered_protocol",
            passed=registered_protocol,
            value=float(registered_protocol),
            threshold=1.0,
            detail="the registered learning-rate grid and dev share were used"
            if registered_protocol
            else "the run's learning-rate grid or dev share differ from the registered ones",
        ),
    ]


def failed_precondition(
    checks: list[PreconditionCheck], gain: Estimate, reg: Registration, scope: str
) -> VerdictReport | None:
    """``inconclusive`` naming the first failed precondition, or None when all hold."""
    why = {
        "base_can_use_context": f"The base answers only {gain} better with the snippets than without (the lower "
        f"bound must reach {reg.threshold('context_margin'):g}); RLAG's chosen answers "
        "would be no better than its rejected ones, so the run cannot test the claim.",
        "registered_protocol": "The run's learning-rate grid or dev share is not the registered one, so its "
        "numbers cannot decide the registered hypothesis.",
    }
    return first_failed(checks, reg, scope, why)


def decide(
    gain: Estimate,
    dev_accuracy: Mapping[str, float],
    test: Mapping[str, np.ndarray],
    reg: Registration,
    *,
    registered_protocol: bool = True,
    B: int = 2000,
    seed: int = 0,
    scope: str = "miniature",
) -> tuple[VerdictReport, str]:
    """The verdict and the dev-chosen best baseline; ``test`` holds "rlag" and the baselines' test outcomes."""
    checks = preconditions(gain, reg, registered_protocol)
    best = best_baseline({arm: acc for arm, acc in dev_accuracy.items() if arm != "rlag"})
    failed = failed_precondition(checks, gain, reg, scope)
    if failed is not None:
        return failed, best
    diff = paired_diff_ci(
        pooled(test["rlag"]),
        pooled(test[best]),
        B=B,
        level=reg.threshold("level"),
        rng=np.random.default_rng(seed + 1),
        description=f"test closed-book accuracy, RLAG minus {best} (chosen on dev)",
    )
    report = judge(diff, best, scope, f"paired bootstrap over {diff.n} test questions, pooled over seeds", reg)
    return report.model_copy(update={"preconditions": checks}), best


def judge(diff: Estimate, best: str, scope: str, interval: str, reg: Registration) -> VerdictReport:
    """Rule 3 on the interval of RLAG − best baseline; ``interval`` says how it was computed."""
    sign = diff.excludes_zero()
    if sign > 0:
        verdict, reason, words = Verdict.SUPPORTS, "ci_excludes_zero_positive", "beats"
    elif sign < 0:
        verdict, reason, words = Verdict.CONTRADICTS, "ci_excludes_zero_negative", "loses to"
    else:
        verdict, reason, words = Verdict.INCONCLUSIVE, "ci_overlaps_zero", "is indistinguishable from"
    explanation = (
        f"On held-out closed-book test questions RLAG {words} the best baseline on dev ({best}): "
        f"difference {diff} ({interval})."
    )
    return VerdictReport(verdict=verdict, reason=reason, explanation=explanation, scope=scope, registration=reg.sha)
