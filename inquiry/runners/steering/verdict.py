"""The registered verdict rule (``registration.yaml``) as a pure function of the measured numbers.

Every threshold comes from the registration; nothing numeric about the rule lives here.

>>> from inquiry.runners.api import Estimate
>>> from inquiry.runners.steering.runner import SteeringRunner
>>> reg = SteeringRunner.registration()
>>> up, flat = Estimate(value=.3, low=.2, high=.4), Estimate(value=.0, low=-.05, high=.05)
>>> down = Estimate(value=-.4, low=-.5, high=-.3)
>>> nums = Evidence(tag_gain=up, steer_gain=up, null_p95=.05, beats_sign_flip=up, beats_label_shuffle=up,
...                 scratchpad_gain=up, valid_format_drop=0.0, nll_increase=0.1, untagged_nll_increase=0.1,
...                 gain_below_half_tag=flat, grid_pvalues=[1e-6, 0.5])
>>> decide(nums, reg).reason
'ci_excludes_zero_positive'
>>> decide(nums.model_copy(update={"tag_gain": flat}), reg).reason
'precondition_failed:explicit_tag_helps'
>>> no_gain = nums.model_copy(update={"steer_gain": flat, "grid_pvalues": [0.3, 0.04], "gain_below_half_tag": down})
>>> decide(no_gain, reg).verdict.value
'contradicts'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel

from ...models import Verdict
from ..api import Estimate, PreconditionCheck, Registration, VerdictReport
from ..registered import first_failed


class Evidence(BaseModel):
    """Test-split numbers; gains are paired differences against alpha = 0 on the untagged prompts."""

    tag_gain: Estimate  # explicit reason tag (positive control) minus alpha = 0, greedy accuracy
    steer_gain: Estimate  # dev-chosen primary cell minus alpha = 0, greedy accuracy
    null_p95: float  # the registered quantile of the same gain for random vectors of equal norm
    beats_sign_flip: Estimate  # steered minus the sign-flipped vector, paired
    beats_label_shuffle: Estimate  # steered minus the label-shuffled vector, paired
    scratchpad_gain: Estimate  # scratchpad-format rate, steered minus alpha = 0
    valid_format_drop: float  # valid-format rate, alpha = 0 minus steered
    nll_increase: float  # NLL of reference traces after the reason-tagged prompt, steered minus unsteered
    untagged_nll_increase: float  # NLL of untagged text, steered minus unsteered
    gain_below_half_tag: Estimate  # per item (steered - alpha0) - share x (tag - alpha0), paired
    grid_pvalues: list[float]  # one-sided exact McNemar p of steered > alpha = 0, every primary-grid cell
    registered_grid: bool = True  # the run used the registered primary mode and alphas


def mcnemar_p(treated: ArrayLike, control: ArrayLike) -> float:
    """One-sided exact McNemar p-value that ``treated`` beats ``control`` on paired 0/1 outcomes.

    Among the discordant pairs, wins ~ Binomial(wins + losses, 1/2) under the null.

    >>> mcnemar_p([1, 1, 1, 1, 1, 0], [0, 0, 0, 0, 0, 0])  # 5 wins, no loss: 1/32
    0.03125
    >>> mcnemar_p([0, 1], [1, 0])
    0.75
    """
    t, c = np.asarray(treated) > 0.5, np.asarray(control) > 0.5
    wins, losses = int((t & ~c).sum()), int((~t & c).sum())
    n = wins + losses
    if n == 0:
        return 1.0
    return sum(math.comb(n, k) for k in range(wins, n + 1)) / 2**n


def holm_rejections(pvalues: Sequence[float], alpha: float) -> int:
    """How many hypotheses Holm's step-down procedure rejects at family-wise level ``alpha``.

    >>> holm_rejections([0.001, 0.01, 0.04], 0.05)  # .001 <= .05/3, .01 <= .05/2, .04 <= .05
    3
    >>> holm_rejections([0.02, 0.03, 0.04], 0.05)  # .02 > .05/3: nothing survives
    0
    """
    m = len(pvalues)
    rejected = 0
    for i, p in enumerate(sorted(pvalues)):
        if p > alpha / (m - i):
            break
        rejected += 1
    return rejected


def preconditions(tag_gain: Estimate, registered_grid: bool, reg: Registration) -> list[PreconditionCheck]:
    floor = reg.threshold("tag_gain_min_low")
    low = tag_gain.low if tag_gain.low is not None else float("-inf")
    return [
        PreconditionCheck(
            id="explicit_tag_helps",
            passed=low > floor,
            value=tag_gain.low,
            threshold=floor,
            detail=f"reason tag minus untagged accuracy {tag_gain}; its lower bound must exceed {floor:g}",
        ),
        PreconditionCheck(
            id="registered_grid",
            passed=registered_grid,
            value=float(registered_grid),
            threshold=1.0,
            detail="the run used the registered primary mode and alphas"
            if registered_grid
            else "the run's mode or alphas differ from the registered grid",
        ),
    ]


def failed_precondition(
    checks: list[PreconditionCheck], tag_gain: Estimate, reg: Registration, scope: str
) -> VerdictReport | None:
    """``inconclusive`` naming the first failed precondition, or None when every one holds."""
    why = {
        "explicit_tag_helps": f"The explicit reasoning prompt did not beat the untagged one significantly "
        f"(gain {tag_gain}), so there is no mode worth eliciting to test.",
        "registered_grid": "The run's injection mode or alphas are not the registered grid, so its "
        "numbers cannot decide the registered hypothesis.",
    }
    return first_failed(checks, reg, scope, why)


def decide(e: Evidence, reg: Registration, *, scope: str = "miniature") -> VerdictReport:
    checks = preconditions(e.tag_gain, e.registered_grid, reg)

    def report(verdict: Verdict, reason: str, why: str) -> VerdictReport:
        return VerdictReport(
            verdict=verdict, reason=reason, explanation=why, scope=scope, registration=reg.sha, preconditions=checks
        )

    failed = failed_precondition(checks, e.tag_gain, reg, scope)
    if failed is not None:
        return failed

    holm = holm_rejections(e.grid_pvalues, reg.threshold("holm_alpha"))
    failures = []
    if e.steer_gain.excludes_zero() <= 0:
        failures.append(("ci_overlaps_zero", f"the chosen cell's gain {e.steer_gain} has an interval reaching 0"))
    if e.steer_gain.value <= e.null_p95:
        failures.append(
            (
                "gain_within_null",
                f"its gain {e.steer_gain.value:.3f} does not exceed the random-vector null's quantile {e.null_p95:.3f}",
            )
        )
    if e.beats_sign_flip.excludes_zero() <= 0 or e.beats_label_shuffle.excludes_zero() <= 0:
        failures.append(
            (
                "controls_not_beaten",
                f"it does not beat the sign-flipped ({e.beats_sign_flip}) and "
                f"label-shuffled ({e.beats_label_shuffle}) vectors",
            )
        )
    if e.scratchpad_gain.excludes_zero() <= 0:
        failures.append(("scratchpad_rate_not_raised", f"the scratchpad rate did not rise ({e.scratchpad_gain})"))
    bounds = (
        reg.threshold("max_valid_format_drop"),
        reg.threshold("max_nll_increase"),
        reg.threshold("max_untagged_nll_increase"),
    )
    if e.valid_format_drop > bounds[0] or e.nll_increase > bounds[1] or e.untagged_nll_increase > bounds[2]:
        failures.append(
            (
                "damage_exceeds_bound",
                f"damage exceeds a bound (valid-format drop {e.valid_format_drop:.3f} vs {bounds[0]}, NLL "
                f"rise on tagged traces {e.nll_increase:.3f} vs {bounds[1]}, on untagged text "
                f"{e.untagged_nll_increase:.3f} vs {bounds[2]})",
            )
        )
    if not failures:
        return report(
            Verdict.SUPPORTS,
            "ci_excludes_zero_positive",
            f"Steering untagged prompts raised test accuracy by {e.steer_gain} (random-vector null "
            f"quantile {e.null_p95:.3f}; beats the sign-flipped vector by {e.beats_sign_flip} and the "
            f"label-shuffled one by {e.beats_label_shuffle}) and the scratchpad rate by "
            f"{e.scratchpad_gain}, within the damage bounds; the explicit tag gains {e.tag_gain}. "
            f"{holm} of {len(e.grid_pvalues)} grid cells are Holm-corrected positives.",
        )
    share = reg.threshold("contradicts_gap_share")
    if holm == 0 and e.gain_below_half_tag.excludes_zero() < 0:
        return report(
            Verdict.CONTRADICTS,
            "no_gain_in_grid",
            f"The explicit tag helps ({e.tag_gain}) but no cell of the registered grid raised accuracy "
            f"after Holm's correction, and the chosen cell recovers less than {share:g} of the tag's gain "
            f"(steered gain minus {share:g} x tag gain: {e.gain_below_half_tag}): activation addition did "
            "not elicit the mode.",
        )
    return report(
        Verdict.INCONCLUSIVE,
        failures[0][0],
        f"{holm} of {len(e.grid_pvalues)} grid cells are Holm-corrected positives, but at the dev-chosen "
        "cell " + "; ".join(w for _, w in failures) + ".",
    )


def evidence_from_raw(raws: Sequence[dict], reg: Registration, interval) -> tuple[dict[str, Estimate], Evidence]:
    """The rule's inputs from one or more runs' per-item outcomes (``Result.raw``), and their metrics.

    ``interval(per_run_values, description)`` turns one array of per-item values per run into an
    :class:`Estimate` of their mean (a paired bootstrap for one run, seeds-then-items for several), so a
    single run and a pooled seed sweep are decided from the same numbers by the same rule.
    """

    def arm(raw: dict, name: str, field: str = "correct") -> np.ndarray:
        return np.asarray(raw["arms"][name][field], dtype=float)

    def gain(name: str, field: str, description: str, against: str = "alpha=0") -> Estimate:
        return interval([arm(raw, name, field) - arm(raw, against, field) for raw in raws], description)

    share = reg.threshold("contradicts_gap_share")
    metrics = {
        "accuracy_gain": gain("steered", "correct", "greedy accuracy, steered minus alpha = 0, test"),
        "tag_gain": gain("reason tag", "correct", "greedy accuracy, explicit reason tag minus untagged"),
        "beats_sign_flip": gain(
            "steered", "correct", "greedy accuracy, steered minus the sign-flipped vector", against="sign-flipped"
        ),
        "beats_label_shuffle": gain(
            "steered", "correct", "greedy accuracy, steered minus the label-shuffled vector", against="label-shuffled"
        ),
        "scratchpad_rate_gain": gain("steered", "scratchpad", "scratchpad-format rate, steered minus alpha = 0"),
        "valid_format_gain": gain("steered", "valid", "valid-format rate on untagged prompts, steered minus alpha = 0"),
        "gain_below_half_tag": interval(
            [
                (arm(raw, "steered") - arm(raw, "alpha=0")) - share * (arm(raw, "reason tag") - arm(raw, "alpha=0"))
                for raw in raws
            ],
            f"per problem, steered gain minus {share:g} x the tag's gain",
        ),
        "nll_increase": interval(
            [np.subtract(raw["nll"]["steered"], raw["nll"]["unsteered"]) for raw in raws],
            "NLL of reference traces after the reason-tagged prompt, steered minus unsteered (nats/token)",
        ),
        "untagged_nll_increase": interval(
            [np.subtract(raw["nll"]["untagged_steered"], raw["nll"]["untagged_unsteered"]) for raw in raws],
            "NLL of untagged text, steered minus unsteered (nats/token)",
        ),
    }
    null_gain = np.concatenate([np.asarray(raw["random_vector_accuracy"]) - arm(raw, "alpha=0").mean() for raw in raws])
    quantile = reg.threshold("null_quantile")
    metrics["null_p95"] = Estimate(
        value=float(np.quantile(null_gain, quantile)),
        n=len(null_gain),
        description=f"the {quantile:g} quantile of the accuracy gain of random directions of equal norm",
    )
    primary = raws[0]["primary_positions"]
    cells = [_cells(raw, primary) for raw in raws]
    shared = [cell for cell in cells[0] if all(cell in c for c in cells)]
    base = np.concatenate([arm(raw, "alpha=0") for raw in raws])
    pvalues = [mcnemar_p(np.concatenate([c[cell] for c in cells]), base) for cell in shared]
    holm = holm_rejections(pvalues, reg.threshold("holm_alpha"))
    metrics["holm_positive_cells"] = Estimate(
        value=float(holm),
        n=len(pvalues),
        description=f"primary-grid cells whose one-sided exact McNemar test "
        f"survives Holm at {reg.threshold('holm_alpha'):g}",
    )
    evidence = Evidence(
        tag_gain=metrics["tag_gain"],
        steer_gain=metrics["accuracy_gain"],
        null_p95=metrics["null_p95"].value,
        beats_sign_flip=metrics["beats_sign_flip"],
        beats_label_shuffle=metrics["beats_label_shuffle"],
        scratchpad_gain=metrics["scratchpad_rate_gain"],
        valid_format_drop=-metrics["valid_format_gain"].value,
        nll_increase=metrics["nll_increase"].value,
        untagged_nll_increase=metrics["untagged_nll_increase"].value,
        gain_below_half_tag=metrics["gain_below_half_tag"],
        grid_pvalues=pvalues,
        registered_grid=all(raw.get("registered_grid", False) for raw in raws),
    )
    return metrics, evidence


def _cells(raw: dict, positions: str) -> dict[tuple[int, float], np.ndarray]:
    return {
        (entry["layer"], entry["alpha"]): np.asarray(entry["correct"], dtype=float)
        for entry in raw["test_grid"]
        if entry["positions"] == positions
    }
