"""The registered decision rules (``registration.yaml``), as pure functions of the measured numbers.

>>> from inquiry.runners.api import Estimate
>>> th = dict(min_in_range_success=0.5, delta_aic=2, min_hazard=0.02, violation_ratio_low=0.5,
...           violation_ratio_high=1.5, clean_success_supports=0.95, clean_success_contradicts=0.8,
...           rl_fix_ratio=0.5)
>>> e = DepthEvidence(in_range_success=Estimate(value=.8, low=.75, high=.85), hazard=Estimate(value=.1, low=.08,
...     high=.12), delta_aic=30, violation_ratio=Estimate(value=1.0), violation_free_success=Estimate(value=1.0))
>>> decide_depth(e, th).verdict.value
'supports'
>>> decide_depth(e.model_copy(update={"delta_aic": -5}), th).reason
'cliff_beats_geometric'
>>> decide_depth(e.model_copy(update={"in_range_success": Estimate(value=.2, low=.1, high=.3)}), th).reason
'precondition_failed:in_range_competence'
"""

from __future__ import annotations

from pydantic import BaseModel

from ...models import Verdict
from ..api import Estimate, PreconditionCheck, VerdictReport


class DepthEvidence(BaseModel):
    in_range_success: Estimate
    hazard: Estimate  # 1 − q of the geometric fit, bootstrap CI
    delta_aic: float  # AIC(cliff) − AIC(geometric)
    violation_ratio: Estimate  # violations/action beyond the trained depths ÷ within them
    violation_free_success: Estimate


class RLEvidence(BaseModel):
    in_range_success: Estimate  # of the base
    gain: Estimate  # RL − base success at the trained depths
    deep_ratio: Estimate  # violations/action beyond the trained depths, RL ÷ base


def _competence(e_success: Estimate, th) -> PreconditionCheck:
    return PreconditionCheck(
        id="in_range_competence",
        passed=(e_success.low or 0) >= th["min_in_range_success"],
        value=e_success.low,
        threshold=th["min_in_range_success"],
        detail=f"lower CI bound of the base's success at the trained depths ({e_success}) against the registered "
        f"minimum: below it the model has not learned the environment's protocol",
    )


def _inconclusive(check: PreconditionCheck, checks) -> VerdictReport:
    return VerdictReport(
        verdict=Verdict.INCONCLUSIVE,
        reason=f"precondition_failed:{check.id}",
        explanation=f"Precondition {check.id} failed: {check.detail}.",
        preconditions=checks,
    )


def decide_depth(e: DepthEvidence, th) -> VerdictReport:
    check = _competence(e.in_range_success, th)
    checks = [check]
    if not check.passed:
        return _inconclusive(check, checks)

    def report(verdict, reason, why):
        return VerdictReport(verdict=verdict, reason=reason, explanation=why, preconditions=checks)

    clean = e.violation_free_success.value
    no_clean = e.violation_free_success.n == 0  # no violation-free episode at all (an estimate of nothing)
    if e.delta_aic <= -th["delta_aic"]:
        return report(
            Verdict.CONTRADICTS,
            "cliff_beats_geometric",
            f"A length-generalisation cliff fits success against depth better than geometric decay "
            f"(ΔAIC = {e.delta_aic:.1f} ≤ −{th['delta_aic']:g}).",
        )
    if e.hazard.high is not None and e.hazard.high < th["min_hazard"]:
        return report(
            Verdict.CONTRADICTS,
            "no_decay_with_depth",
            f"Success does not fall with depth: the per-level hazard {e.hazard} stays below "
            f"{th['min_hazard']:g} (a systematic explorer).",
        )
    if not no_clean and clean < th["clean_success_contradicts"]:
        return report(
            Verdict.CONTRADICTS,
            "violation_free_traces_fail",
            f"Episodes without any validity or necessity violation still fail often (success {clean:.3f} "
            f"< {th['clean_success_contradicts']:g}): failures are not explained by wandering.",
        )
    failures = []
    if not (e.hazard.low is not None and e.hazard.low > 0):
        failures.append(f"the hazard's CI {e.hazard} reaches 0")
    if e.delta_aic < th["delta_aic"]:
        failures.append(
            f"geometric decay does not beat the cliff by ΔAIC ≥ {th['delta_aic']:g} (ΔAIC = {e.delta_aic:.1f})"
        )
    if not th["violation_ratio_low"] <= e.violation_ratio.value <= th["violation_ratio_high"]:
        failures.append(
            f"the violation rate beyond the trained depths is not within "
            f"[{th['violation_ratio_low']:g}, {th['violation_ratio_high']:g}] x the rate within them "
            f"(ratio {e.violation_ratio})"
        )
    if no_clean or clean < th["clean_success_supports"]:
        failures.append(f"violation-free episodes succeed {clean:.3f} < {th['clean_success_supports']:g}")
    if failures:
        return report(Verdict.INCONCLUSIVE, "rule_not_met", "Neither rule holds: " + "; ".join(failures) + ".")
    return report(
        Verdict.SUPPORTS,
        "geometric_decay_from_constant_violations",
        f"Success falls geometrically with depth (per-level hazard {e.hazard}; ΔAIC = {e.delta_aic:.1f} "
        f"over the cliff), the violation rate per action beyond the trained depths is {e.violation_ratio} "
        f"x the rate within them, and violation-free episodes succeed {clean:.3f}.",
    )


def decide_rl(e: RLEvidence, th) -> VerdictReport:
    check = _competence(e.in_range_success, th)
    learned = PreconditionCheck(
        id="rl_learned",
        passed=(e.gain.low or 0) > 0,
        value=e.gain.low,
        threshold=0.0,
        detail=f"lower CI bound of RL − base success at the trained depths ({e.gain}) must exceed 0: "
        f"otherwise RL changed nothing to judge",
    )
    checks = [check, learned]
    for c in checks:
        if not c.passed:
            return _inconclusive(c, checks)
    fix = th["rl_fix_ratio"]
    if e.deep_ratio.low is not None and e.deep_ratio.low >= fix:
        return VerdictReport(
            verdict=Verdict.SUPPORTS,
            reason="rl_leaves_deep_wandering",
            preconditions=checks,
            explanation=f"RL raised success at the trained depths by {e.gain} but left at least "
            f"{fix:g} of the violations per action beyond them (RL/base {e.deep_ratio}).",
        )
    if e.deep_ratio.high is not None and e.deep_ratio.high < fix:
        return VerdictReport(
            verdict=Verdict.CONTRADICTS,
            reason="rl_fixes_deep_wandering",
            preconditions=checks,
            explanation=f"RL on the trained depths cut the violations per action beyond them to "
            f"{e.deep_ratio} of the base's (< {fix:g}): narrowing did fix the wandering.",
        )
    return VerdictReport(
        verdict=Verdict.INCONCLUSIVE,
        reason="ci_straddles_fix_ratio",
        preconditions=checks,
        explanation=f"The deep violation ratio RL/base {e.deep_ratio} straddles {fix:g}.",
    )
