"""Verdicts decided under a registration file: precondition checks and the report that cites the file.

Runners that keep their protocol in ``registration.yaml`` (see docs/runner-contract.md) build their
:class:`~inquiry.runners.api.VerdictReport` here, so every report carries the file's hash and every
precondition check, and a failed precondition always reads ``precondition_failed:<id>``.

>>> from inquiry.runners.api import Registration
>>> reg = Registration(runner="x", version="1", hypothesis="h", method="m", decision_rule={"supports": "s"},
...                    thresholds={"floor": 0.9}, preconditions={"knows": "accuracy >= floor"}, sha="abc")
>>> checks = [at_least(reg, "knows", 0.5, "floor", "base accuracy on the facts")]
>>> r = decide(reg, checks, lambda: ("supports", "gain", "it worked"))
>>> r.verdict.value, r.reason, r.registration
('inconclusive', 'precondition_failed:knows', 'abc')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..models import Verdict
from .api import PreconditionCheck, Registration, VerdictReport


def at_least(reg: Registration, check_id: str, value: float, threshold: str, what: str) -> PreconditionCheck:
    """Passes when ``value >= reg.threshold(threshold)``."""
    bound = reg.threshold(threshold)
    passed = value >= bound
    return PreconditionCheck(
        id=check_id,
        passed=passed,
        value=float(value),
        threshold=bound,
        detail=f"{what}: {value:.3f} {'≥' if passed else '<'} {threshold} = {bound:.3f}",
    )


def at_most(reg: Registration, check_id: str, value: float, threshold: str, what: str) -> PreconditionCheck:
    """Passes when ``value <= reg.threshold(threshold)``."""
    bound = reg.threshold(threshold)
    passed = value <= bound
    return PreconditionCheck(
        id=check_id,
        passed=passed,
        value=float(value),
        threshold=bound,
        detail=f"{what}: {value:.3f} {'≤' if passed else '>'} {threshold} = {bound:.3f}",
    )


def decide(
    reg: Registration,
    checks: Sequence[PreconditionCheck],
    rule: Callable[[], tuple[str, str, str]],
    scope: str = "miniature",
) -> VerdictReport:
    """The first failed precondition makes the verdict inconclusive; else ``rule()`` gives
    ``(verdict, reason, explanation)``. Every check and the registration's hash go into the report."""
    missing = [c.id for c in checks if c.id not in reg.preconditions]
    if missing:
        raise ValueError(f"registration {reg.runner} v{reg.version} does not register precondition(s) {missing}")
    failed = next((c for c in checks if not c.passed), None)
    if failed is not None:
        verdict, reason = Verdict.INCONCLUSIVE, f"precondition_failed:{failed.id}"
        explanation = (
            f"The miniature cannot test the claim: {failed.detail} (registered: {reg.preconditions[failed.id]})."
        )
    else:
        word, reason, explanation = rule()
        verdict = Verdict(word)
    return VerdictReport(
        verdict=verdict,
        reason=reason,
        explanation=explanation,
        scope=scope,
        registration=reg.sha,
        preconditions=list(checks),
    )


def first_failed(
    checks: Sequence[PreconditionCheck], reg: Registration, scope: str, why: dict[str, str]
) -> VerdictReport | None:
    """``inconclusive`` naming the first failed precondition with the runner's own wording for it (``why`` by
    check id), or None when every check holds. For runners whose explanations say more than a check's detail."""
    failed = next((c for c in checks if not c.passed), None)
    if failed is None:
        return None
    return VerdictReport(
        verdict=Verdict.INCONCLUSIVE,
        reason=f"precondition_failed:{failed.id}",
        explanation=why[failed.id],
        scope=scope,
        registration=reg.sha,
        preconditions=list(checks),
    )
