"""The registered decision rule (``registration.yaml``) as a pure function of the measured numbers.

>>> from inquiry.runners.api import Estimate
>>> th = dict(min_semantic_accuracy=0.85, collapse_gap=0.10, memorised_share=0.6, equivalence_margin=0.05)
>>> big, tiny = Estimate(value=.4, low=.3, high=.5), Estimate(value=.0, low=-.02, high=.02)
>>> e = Evidence(semantic=Estimate(value=.95), symbol_gap=big, counter_gap=big, symbol_gap_90=big,
...              counter_gap_90=big, memorised_share=Estimate(value=.9), arm_gap_shrink=Estimate(value=.2, low=.1))
>>> decide(e, th).verdict.value
'supports'
>>> decide(e.model_copy(update={"symbol_gap_90": tiny, "counter_gap_90": tiny}), th).reason
'equivalent_no_collapse'
>>> decide(e.model_copy(update={"semantic": Estimate(value=.5)}), th).reason
'precondition_failed:semantic_competence'
"""

from __future__ import annotations

from pydantic import BaseModel

from ...models import Verdict
from ..api import Estimate, PreconditionCheck, VerdictReport


class Evidence(BaseModel):
    semantic: Estimate  # accuracy in the semantic condition
    symbol_gap: Estimate  # S − Y, 95% paired CI
    counter_gap: Estimate  # S − C, 95% paired CI
    symbol_gap_90: Estimate  # S − Y, 90% paired CI (TOST)
    counter_gap_90: Estimate  # S − C, 90% paired CI (TOST)
    memorised_share: Estimate  # share of C errors that are the memorised answer
    arm_gap_shrink: Estimate  # (S − Y) at the lower symbol share minus at the higher, 95% paired CI


def decide(e: Evidence, th) -> VerdictReport:
    competent = PreconditionCheck(
        id="semantic_competence",
        passed=e.semantic.value >= th["min_semantic_accuracy"],
        value=e.semantic.value,
        threshold=th["min_semantic_accuracy"],
        detail=f"semantic-condition accuracy {e.semantic} against the registered minimum: below it the model has "
        f"not learned the deduction task, so a drop elsewhere says nothing",
    )
    checks = [competent]
    if not competent.passed:
        return VerdictReport(
            verdict=Verdict.INCONCLUSIVE,
            reason="precondition_failed:semantic_competence",
            explanation=f"Precondition semantic_competence failed: {competent.detail}.",
            preconditions=checks,
        )

    def report(verdict, reason, why):
        return VerdictReport(verdict=verdict, reason=reason, explanation=why, preconditions=checks)

    margin = th["equivalence_margin"]

    def within(est: Estimate) -> bool:
        return est.low is not None and est.high is not None and -margin < est.low and est.high < margin

    if within(e.symbol_gap_90) and within(e.counter_gap_90):
        return report(
            Verdict.CONTRADICTS,
            "equivalent_no_collapse",
            f"No collapse: both gaps are equivalent to 0 within ±{margin:g} (TOST, 90% intervals: "
            f"semantic − symbols {e.symbol_gap_90}, semantic − counter {e.counter_gap_90}).",
        )
    gap = th["collapse_gap"]
    failures = []
    if not (e.symbol_gap.low is not None and e.symbol_gap.low > gap):
        failures.append(f"semantic − symbols {e.symbol_gap} is not above {gap:g}")
    if not (e.counter_gap.low is not None and e.counter_gap.low > gap):
        failures.append(f"semantic − counter {e.counter_gap} is not above {gap:g}")
    if e.memorised_share.n == 0 or e.memorised_share.value < th["memorised_share"]:
        failures.append(
            f"the memorised answer is {e.memorised_share} of the counter-condition errors (< {th['memorised_share']:g})"
        )
    if not (e.arm_gap_shrink.low is not None and e.arm_gap_shrink.low > 0):
        failures.append(f"more symbolic pretraining did not shrink the symbol gap ({e.arm_gap_shrink})")
    if failures:
        return report(Verdict.INCONCLUSIVE, "rule_not_met", "Neither rule holds: " + "; ".join(failures) + ".")
    return report(
        Verdict.SUPPORTS,
        "collapse_without_semantics",
        f"With semantics decoupled, accuracy collapses (semantic − symbols {e.symbol_gap}, semantic − "
        f"counter {e.counter_gap}); {e.memorised_share.value:.0%} of the counter-commonsense errors are the "
        f"memorised answer, and more symbolic pretraining shrinks the symbol gap by {e.arm_gap_shrink}.",
    )
