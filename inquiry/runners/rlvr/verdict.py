"""The verdict rules, read from ``registration.yaml`` (the single source of every threshold).

Each ``*_evidence`` function turns raw per-problem counts into estimates with bootstrap intervals
(seeded, so the runner's verdict can be recomputed exactly from its raw output); each
``*_verdict`` function checks the registered preconditions, applies the registered rule and
returns a :class:`~..api.VerdictReport` carrying the registration's hash and every precondition's
measured figure. A failed precondition gives ``inconclusive`` / ``precondition_failed:<id>``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..api import Estimate, PreconditionCheck, Registration, VerdictReport, load_registration
from ..substrate import log2_grid, paired_diff_ci, paired_passk_bootstrap, pass_at_k
from ..substrate.stats import PassKComparison
from .evaluate import accuracy_gain, rl_only_share


@functools.cache
def registration() -> Registration:
    """The runner's registration file (the same one ``RLVRRunner.registration()`` loads and checks)."""
    return load_registration(Path(__file__).with_name("registration.yaml"))


def threshold(name: str) -> float:
    return registration().threshold(name)


def _report(verdict: str, reason: str, explanation: str, scope: str, checks: list[PreconditionCheck]) -> VerdictReport:
    return VerdictReport(
        verdict=verdict,
        reason=reason,
        explanation=explanation,
        scope=scope,
        registration=registration().sha,
        preconditions=checks,
    )


def _gate(checks: list[PreconditionCheck], numbers: str, scope: str) -> VerdictReport | None:
    """``inconclusive`` on the first failed precondition, else None."""
    for check in checks:
        if not check.passed:
            return _report(
                "inconclusive",
                f"precondition_failed:{check.id}",
                f"Precondition {check.id} failed: {check.detail} Nothing follows about the claim ({numbers}).",
                scope,
                checks,
            )
    return None


def _lower_bound_check(
    pid: str, estimate: Estimate, limit: float, what: str, strict: bool = False
) -> PreconditionCheck:
    low = estimate.low if estimate.low is not None else estimate.value
    passed = low > limit if strict else low >= limit
    return PreconditionCheck(
        id=pid,
        passed=passed,
        value=low,
        threshold=limit,
        detail=f"{what}: lower CI bound {low:.4g} {'>' if strict else '>='} {limit:g} required ({estimate}).",
    )


# ----------------------------------------------------------------------------------------- pass@k
@dataclass
class PassKEvidence:
    n: int
    comparison: PassKComparison  # Δ(k) = pass@k(post-trained) − pass@k(base) on the log2 grid
    rl_only: Estimate
    # pass@n(base) − pass@n(uniform guesser), paired over problems; None when no guess rates were given
    base_over_guesser: Estimate | None = None
    guess_pass_1: float | None = None
    guess_pass_n: float | None = None
    truncated: float | None = None  # the larger truncated share of the two models; None when unknown
    arm: str = "RL"  # what the post-trained model is ("RL", "distillation")

    @property
    def delta_1(self) -> Estimate:
        return self.comparison.delta[0]

    @property
    def delta_n(self) -> Estimate:
        return self.comparison.delta[-1]


def passk_evidence(
    base: list[int],
    rl: list[int],
    n: int,
    *,
    seed: int = 0,
    B: int = 1000,
    guess_rates: list[float] | None = None,
    truncated: float | None = None,
    arm: str = "RL",
) -> PassKEvidence:
    """Δ(k) with paired problem-level intervals, the post-trained-only share, and (given per-problem
    ``guess_rates``) the base's pass@n against a guesser hitting problem i with ``guess_rates[i]``."""
    level = threshold("level")
    comparison = paired_passk_bootstrap(rl, base, n, log2_grid(n), B=B, rng=np.random.default_rng(seed), level=level)
    ev = PassKEvidence(
        n=n, comparison=comparison, rl_only=rl_only_share(base, rl, B=B, seed=seed + 1), truncated=truncated, arm=arm
    )
    if guess_rates is not None:
        guess_n = [1 - (1 - q) ** n for q in guess_rates]
        ev.base_over_guesser = paired_diff_ci(
            [pass_at_k(n, c, n) for c in base],
            guess_n,
            B=B,
            level=level,
            rng=np.random.default_rng(seed + 2),
            description=f"pass@{n}(base) − pass@{n}(uniform guesser)",
        )
        ev.guess_pass_1, ev.guess_pass_n = float(np.mean(guess_rates)), float(np.mean(guess_n))
    return ev


def passk_preconditions(ev: PassKEvidence) -> list[PreconditionCheck]:
    """The registered preconditions of the pass@k rule, measured on ``ev`` (those it can measure)."""
    checks = []
    if ev.base_over_guesser is not None:
        check = _lower_bound_check(
            "base_above_guesser",
            ev.base_over_guesser,
            threshold("guess_margin"),
            f"base pass@{ev.n} minus the uniform guesser's (guesser pass@{ev.n} = "
            f"{ev.guess_pass_n:.4g}, pass@1 = {ev.guess_pass_1:.3g})",
        )
        checks.append(check)
    if ev.truncated is not None:
        limit = threshold("max_truncated_share")
        checks.append(
            PreconditionCheck(
                id="not_truncated",
                passed=ev.truncated <= limit,
                value=ev.truncated,
                threshold=limit,
                detail=f"{ev.truncated:.3%} of samples hit the generation limit (at most {limit:.0%} allowed).",
            )
        )
    checks.append(
        _lower_bound_check("post_training_learned", ev.delta_1, 0.0, f"{ev.arm} pass@1 gain over the base", strict=True)
    )
    return checks


def passk_verdict(ev: PassKEvidence, scope: str = "miniature") -> VerdictReport:
    """Yue et al.: the post-trained model wins at k=1, the base at k=n, nothing solved only after.

    >>> ev = passk_evidence([8] * 60, [40] * 40 + [0] * 20, n=64)  # RL sharp on 2/3, lost the rest
    >>> passk_verdict(ev).verdict.value, passk_verdict(ev).reason
    ('supports', 'rl_wins_at_1_base_wins_at_n')
    >>> floor = passk_evidence([8] * 60, [40] * 40 + [0] * 20, n=64, guess_rates=[0.1] * 60)
    >>> passk_verdict(floor).reason  # base pass@64 1.000 vs the guesser's 0.999
    'precondition_failed:base_above_guesser'
    """
    d1, dn, only = ev.delta_1, ev.delta_n, ev.rl_only
    margin = threshold("rl_only_margin")
    arm = ev.arm
    crossing = ev.comparison.crossing_estimate()
    share = ev.comparison.crossing_share()
    where = (
        f"crossing k* ≈ {crossing.value:.3g} (log2-interpolated; {share:.0%} of bootstrap draws cross)"
        if crossing is not None and share is not None
        else "no crossing on the grid"
    )
    numbers = (
        f"Δpass@1 = {d1}, Δpass@{ev.n} = {dn}, {arm}-only solvable share = {only} against the "
        f"registered margin {margin:g}; {where}"
    )
    checks = passk_preconditions(ev)
    gated = _gate(checks, numbers, scope)
    if gated is not None:
        return gated
    if dn.excludes_zero() == 1:
        return _report(
            "contradicts",
            "rl_wins_at_n",
            f"{arm} beats the base even at k = n ({numbers}): the boundary expanded.",
            scope,
            checks,
        )
    if only.low is not None and only.low > margin:
        return _report(
            "contradicts",
            "rl_only_solvable_set_nonempty",
            f"{arm} solves problems the base never solved in n samples, beyond the registered margin ({numbers}).",
            scope,
            checks,
        )
    if dn.excludes_zero() == -1:
        return _report(
            "supports",
            "rl_wins_at_1_base_wins_at_n",
            f"{arm} sharpens pass@1 but the base covers more at k = n ({numbers}).",
            scope,
            checks,
        )
    return _report(
        "inconclusive",
        "ci_overlaps_zero_at_n",
        f"{arm} improved pass@1, but at k = n the difference is within noise ({numbers}): no "
        "narrowing and no expansion detected.",
        scope,
        checks,
    )


# ------------------------------------------------------------------------ one example / spurious
@dataclass
class GainEvidence:
    """Held-out pass@1 gains over the base of a reference arm and the arm under test."""

    reference: Estimate  # full-set RL (one-example) or true reward (spurious)
    tested: Estimate  # one-example RL or the random reward with the clip active
    # per problem: tested gain − gain_fraction × reference gain, paired bootstrap over problems
    versus_fraction: Estimate
    control: Estimate | None = None  # random-example RL, or the random reward with M = 1


def gain_evidence(
    base: list[int],
    reference: list[int],
    tested: list[int],
    n: int,
    control: list[int] | None = None,
    *,
    seed: int = 0,
    B: int = 1000,
) -> GainEvidence:
    fraction = threshold("gain_fraction")
    b, r, t = (np.asarray(x, dtype=float) / n for x in (base, reference, tested))
    versus = paired_diff_ci(
        t - b,
        fraction * (r - b),
        B=B,
        level=threshold("level"),
        rng=np.random.default_rng(seed + 3),
        description=f"tested gain − {fraction:g} × reference gain, paired over problems",
    )
    return GainEvidence(
        reference=accuracy_gain(base, reference, n, B=B, seed=seed),
        tested=accuracy_gain(base, tested, n, B=B, seed=seed + 1),
        versus_fraction=versus,
        control=accuracy_gain(base, control, n, B=B, seed=seed + 2) if control is not None else None,
    )


def _gain_rule(
    ev: GainEvidence,
    *,
    tested: str,
    reference: str,
    scope: str,
    variant: str,
    extra_checks: Sequence[PreconditionCheck] = (),
) -> VerdictReport:
    fraction = threshold("gain_fraction")
    numbers = (
        f"gain({tested}) = {ev.tested}, gain({reference}) = {ev.reference}, gain({tested}) − "
        f"{fraction:g}·gain({reference}) = {ev.versus_fraction}"
    )
    if ev.control is not None:
        numbers += f", control gain = {ev.control}"
    checks = [
        _lower_bound_check(
            f"{variant}.reference_learned", ev.reference, 0.0, f"{reference}'s pass@1 gain", strict=True
        ),
        *extra_checks,
    ]
    gated = _gate(checks, numbers, scope)
    if gated is not None:
        return gated
    side = ev.versus_fraction.excludes_zero()
    if side == 1:
        return _report(
            "supports",
            f"{tested}_gain_above_fraction",
            f"{tested} gains significantly more than {fraction:g} of {reference}'s gain ({numbers}).",
            scope,
            checks,
        )
    if side == -1:
        return _report(
            "contradicts",
            f"{tested}_gain_below_fraction",
            f"{tested}'s gain is significantly below {fraction:g} of {reference}'s ({numbers}).",
            scope,
            checks,
        )
    return _report(
        "inconclusive",
        "ci_covers_fraction",
        f"the paired interval cannot tell whether {tested} reaches {fraction:g} of {reference}'s gain ({numbers}).",
        scope,
        checks,
    )


def entropy_check(tested_entropy: float, base_entropy: float) -> PreconditionCheck:
    """One-example: the policy has not collapsed (its token entropy keeps a registered share of the base's)."""
    floor = threshold("entropy_floor")
    ratio = tested_entropy / base_entropy if base_entropy > 0 else 0.0
    return PreconditionCheck(
        id="one_example.no_policy_collapse",
        passed=ratio >= floor,
        value=ratio,
        threshold=floor,
        detail=f"one-example policy entropy {tested_entropy:.3f} nats is {ratio:.2f} of the "
        f"base's {base_entropy:.3f} (at least {floor:g} required).",
    )


def one_example_verdict(
    ev: GainEvidence, scope: str = "miniature", entropy: PreconditionCheck | None = None
) -> VerdictReport:
    """Wang et al.: RL on one example gets more than half the full-set gain (paired interval).

    >>> ev = gain_evidence([2] * 50, [8] * 50, [7] * 50, n=16)
    >>> one_example_verdict(ev).verdict.value
    'supports'
    """
    return _gain_rule(
        ev,
        tested="one_example_rl",
        reference="full_set_rl",
        scope=scope,
        variant="one_example",
        extra_checks=[entropy] if entropy is not None else [],
    )


def clip_check(clip_share: float) -> PreconditionCheck:
    """Spurious rewards: the clip must bind on a registered share of tokens, or it cannot bias anything."""
    floor = threshold("min_clip_share")
    return PreconditionCheck(
        id="spurious.clip_binds",
        passed=clip_share >= floor,
        value=clip_share,
        threshold=floor,
        detail=f"the clip bound on {clip_share:.2%} of tokens per step in the random-reward "
        f"arm (at least {floor:.0%} required).",
    )


def spurious_verdict(
    ev: GainEvidence,
    scope: str = "miniature",
    contrast: GainEvidence | None = None,
    clip: PreconditionCheck | None = None,
) -> VerdictReport:
    """Shao et al.: a random reward with the clip active gets more than half the true-reward gain on a
    base whose accurate style is high-prior, and not on a base where it is low-prior (``contrast``).

    The M = 1 control (``ev.control``, clip inactive) is reported and never decides.

    >>> high = gain_evidence([4] * 60, [12] * 60, [10] * 60, n=32, control=[4] * 60)
    >>> spurious_verdict(high).verdict.value
    'supports'
    >>> low = gain_evidence([4] * 60, [12] * 60, [9] * 60, n=32)  # the low-prior base gains too
    >>> report = spurious_verdict(high, contrast=low)
    >>> report.verdict.value, report.reason
    ('inconclusive', 'random_gain_on_low_prior_base_too')
    """
    report = _gain_rule(
        ev,
        tested="random_reward",
        reference="true_reward",
        scope=scope,
        variant="spurious",
        extra_checks=[clip] if clip is not None else [],
    )
    if ev.control is not None:
        if ev.tested.excludes_zero() != 1:
            mechanism = (
                f"gain with the clip inactive (M = 1) = {ev.control}; with no random-reward gain with the "
                "clip active either, there is no effect for it to isolate"
            )
        elif ev.control.excludes_zero() != 1:
            mechanism = "no gain with the clip inactive (M = 1), as the clipping-bias mechanism predicts"
        else:
            mechanism = "a gain even with the clip inactive (M = 1), which the clipping-bias mechanism does not predict"
        report.explanation += f" Mechanism control (exploratory): {mechanism}."
    if contrast is not None:
        report.explanation += (
            f" Contrast base (accurate style low-prior): gain(random_reward) = {contrast.tested}, "
            f"gain(true_reward) = {contrast.reference}."
        )
        if report.verdict.value == "supports" and contrast.tested.excludes_zero() == 1:
            report = VerdictReport(
                **{
                    **report.model_dump(),
                    "verdict": "inconclusive",
                    "reason": "random_gain_on_low_prior_base_too",
                    "explanation": report.explanation + " The random reward helps the contrast "
                    "base as well, so the gain is not specific to a high-prior accurate style.",
                }
            )
    return report


# -------------------------------------------------------------------------------------- sparsity
def registered_precisions() -> dict[str, str]:
    """The comparison each registered precision is judged at (bf16 with the authors' tolerance, fp32 exactly).

    >>> registered_precisions()
    {'bf16': 'bf16_isclose', 'fp32': 'fp32_exact'}
    """
    return dict(registration().settings["sparsity_precisions"])


@dataclass
class SparsityEvidence:
    """Per precision ("bf16_exact", "bf16_isclose", "fp32_exact", ...): RL (per seed) and SFT sparsity."""

    rl: dict[str, list[float]]
    sft: dict[str, float]
    overlap_minus_chance: float | None  # one-sided overlap of changed sets across seeds minus chance
    rank_ratio: float  # mean rank(Δ) / min(shape) over 2-D matrices of the RL update
    rl_gain: Estimate | None = None  # held-out pass@1 gain of RL seed 0: an update that learned nothing
    #                                  (e.g. every group all-wrong, zero advantage) is trivially "sparse"


def sparsity_at(ev: SparsityEvidence, precision: str) -> tuple[str, str]:
    """The registered per-precision rule: (verdict, one line of numbers)."""
    seeds = ev.rl[precision]
    holds = min(seeds) >= threshold("sparse_enough") and float(np.mean(seeds)) > ev.sft[precision]
    line = (
        f"{precision}: RL {np.mean(seeds):.3f} (seeds {', '.join(f'{x:.3f}' for x in seeds)}) vs SFT "
        f"{ev.sft[precision]:.3f}"
    )
    if not holds:
        return "contradicts", line
    extras = ev.rank_ratio >= threshold("rank_ratio_min") and (
        ev.overlap_minus_chance is None or ev.overlap_minus_chance > 0
    )
    return ("supports" if extras else "inconclusive"), line


def sparsity_verdict(ev: SparsityEvidence, scope: str = "miniature") -> VerdictReport:
    """Mukherjee et al.: RL leaves >= 70% of parameters unchanged, more than SFT, with full-rank updates.

    Judged at bf16 (the authors' tolerance) and fp32 (exact) separately; when they disagree the
    verdict is ``inconclusive`` / ``precision_dependent``: "precision/lr-dependent".

    >>> dense = SparsityEvidence({"bf16_isclose": [0.02], "fp32_exact": [0.0]}, {"bf16_isclose": 0.01,
    ...                          "fp32_exact": 0.0}, None, 1.0)
    >>> sparsity_verdict(dense).reason
    'dense_updates_at_every_precision'
    """
    per = {name: sparsity_at(ev, p) for name, p in registered_precisions().items()}
    numbers = "; ".join(line for _, line in per.values()) + f"; rank ratio {ev.rank_ratio:.3f}"
    if ev.overlap_minus_chance is not None:
        numbers += f"; overlap − chance {ev.overlap_minus_chance:+.3f}"
    checks = []
    if ev.rl_gain is not None:
        numbers += f"; RL pass@1 gain {ev.rl_gain}"
        checks.append(
            _lower_bound_check("sparsity.rl_learned", ev.rl_gain, 0.0, "RL seed 0's pass@1 gain", strict=True)
        )
    gated = _gate(checks, numbers, scope)
    if gated is not None:
        return gated
    verdicts = {name: v for name, (v, _) in per.items()}
    said = ", ".join(f"{name} {v}" for name, v in verdicts.items())
    if len(set(verdicts.values())) > 1:
        return _report(
            "inconclusive",
            "precision_dependent",
            f"precision/lr-dependent: the registered rule says {said} ({numbers}).",
            scope,
            checks,
        )
    verdict = verdicts["bf16"]
    reason = {
        "supports": "sparse_at_every_precision",
        "contradicts": "dense_updates_at_every_precision",
        "inconclusive": "sparse_but_low_rank_or_no_overlap",
    }[verdict]
    words = {
        "supports": "RL leaves most parameters unchanged, more than SFT, at bf16 and fp32",
        "contradicts": "RL changed more than the registered share of parameters at bf16 and fp32",
        "inconclusive": "sparse at both precisions, but the rank or overlap conditions fail",
    }[verdict]
    return _report(verdict, reason, f"{words} ({numbers}).", scope, checks)
