"""The verdict rules of issue 6, fixed before any run: one per variant, each from measured counts.

Each ``*_evidence`` function turns raw per-problem counts into estimates with bootstrap intervals
(seeded, so the runner's verdict can be recomputed exactly from its raw output); each
``*_verdict`` function applies the rule to that evidence and returns an :class:`~..api.VerdictReport`
whose ``reason`` is a machine-readable code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..api import Estimate, VerdictReport
from ..substrate import log2_grid, paired_diff_ci, pass_at_k, two_level_passk_bootstrap
from ..substrate.stats import PassKComparison
from .evaluate import accuracy_gain, rl_only_share

RL_ONLY_MARGIN = 0.01  # an RL-only share must clear at least 1% of problems, and the finite-n allowance below
FLOOR_MARGIN = 0.02  # base pass@n within 2 points of a uniform guesser's counts as "at the guessing floor"
GAIN_FRACTION = 0.5  # one-example / spurious gains must reach half the full / true-reward gain


# ----------------------------------------------------------------------------------------- pass@k
@dataclass
class PassKEvidence:
    n: int
    comparison: PassKComparison  # Δ(k) = pass@k(RL) − pass@k(base) on the log2 grid
    rl_only: Estimate
    # pass@n(base) − pass@(n/2)(base): the share of problems the base newly solved in its second n/2
    # samples. Coverage is concave in k, so n more samples would add at most about this much: problems
    # "only RL solves" up to this share are what a finite n misses, not an expanded boundary.
    finite_n_allowance: float = 0.0
    # pass@n(base) − pass@n(uniform guesser), paired over problems; None when no guess rates were given
    base_over_guesser: Estimate | None = None
    guess_pass_1: float | None = None
    guess_pass_n: float | None = None

    @property
    def delta_1(self) -> Estimate:
        return self.comparison.delta[0]

    @property
    def delta_n(self) -> Estimate:
        return self.comparison.delta[-1]


def passk_evidence(base: list[int], rl: list[int], n: int, *, seed: int = 0, B: int = 1000,
                   guess_rates: list[float] | None = None) -> PassKEvidence:
    """Δ(k) with intervals, the RL-only share, and (given per-problem ``guess_rates``) the base's
    pass@n against a guesser that hits each problem with probability ``guess_rates[i]`` per sample."""
    comparison = two_level_passk_bootstrap(rl, base, n, log2_grid(n), B=B, rng=np.random.default_rng(seed))
    ev = PassKEvidence(n=n, comparison=comparison, rl_only=rl_only_share(base, rl, B=B, seed=seed + 1),
                       finite_n_allowance=finite_n_allowance(base, n))
    if guess_rates is not None:
        guess_n = [1 - (1 - q) ** n for q in guess_rates]
        ev.base_over_guesser = paired_diff_ci([pass_at_k(n, c, n) for c in base], guess_n, B=B,
                                              rng=np.random.default_rng(seed + 2),
                                              description=f"pass@{n}(base) − pass@{n}(uniform guesser)")
        ev.guess_pass_1, ev.guess_pass_n = float(np.mean(guess_rates)), float(np.mean(guess_n))
    return ev


def finite_n_allowance(base: Sequence[int], n: int) -> float:
    """pass@n(base) − pass@(n/2)(base): see :attr:`PassKEvidence.finite_n_allowance`.

    >>> round(finite_n_allowance([0, 1, 4], n=4), 3)  # the 1-of-4 problem is solved at k = 2 half the time
    0.167
    """
    return float(np.mean([float(c > 0) - pass_at_k(n, c, max(1, n // 2)) for c in base]))


def guessing_floor_note(ev: PassKEvidence) -> str:
    """A plain statement when the base's coverage at k = n is not clearly above a uniform guesser's.

    "Clearly above" means the paired interval of pass@n(base) − pass@n(guesser) lies above 0 and
    its estimate is at least ``FLOOR_MARGIN``. The note qualifies what "the base wins at large k"
    means here; it never changes the verdict.
    """
    gap = ev.base_over_guesser
    if gap is None or (gap.excludes_zero() == 1 and gap.value >= FLOOR_MARGIN):
        return ""
    base_n = gap.value + ev.guess_pass_n
    return (f" Caution: the base's pass@{ev.n} ({base_n:.3f}) is not clearly above a uniform guesser's over the "
            f"answer space (guesser pass@1 = {ev.guess_pass_1:.3f}, pass@{ev.n} = {ev.guess_pass_n:.3f}; base "
            f"minus guesser at k = {ev.n}: {gap}). The base's coverage at large k is at the guessing floor: it "
            f"shows a broad output distribution, not reasoning that reaches those answers.")


def passk_verdict(ev: PassKEvidence, scope: str = "miniature") -> VerdictReport:
    """Yue et al.: RL wins at k=1, the base wins at k=n, RL solves nothing the base cannot.

    The rule is the pre-registered one; when the base's pass@n is not clearly above a uniform
    guesser's the explanation says so (:func:`guessing_floor_note`).

    >>> ev = passk_evidence([8] * 60, [40] * 40 + [0] * 20, n=64)  # RL sharp on 2/3, lost the rest
    >>> passk_verdict(ev).verdict.value, passk_verdict(ev).reason
    ('supports', 'rl_wins_at_1_base_wins_at_n')
    >>> floor = passk_evidence([8] * 60, [40] * 40 + [0] * 20, n=64, guess_rates=[0.1] * 60)
    >>> "not clearly above a uniform guesser" in passk_verdict(floor).explanation  # 1.000 vs 0.999
    True
    """
    report = _passk_rule(ev, scope)
    report.explanation += guessing_floor_note(ev)
    return report


def _passk_rule(ev: PassKEvidence, scope: str) -> VerdictReport:
    d1, dn, only = ev.delta_1, ev.delta_n, ev.rl_only
    margin = max(RL_ONLY_MARGIN, ev.finite_n_allowance)
    numbers = (f"Δpass@1 = {d1}, Δpass@{ev.n} = {dn}, RL-only solvable share = {only} against a finite-n "
               f"allowance of {margin:.3f}")
    if d1.excludes_zero() != 1:
        return VerdictReport(verdict="inconclusive", reason="precondition_failed:rl_did_not_learn", scope=scope,
                             explanation=f"RL did not raise pass@1 significantly ({numbers}); the claim is "
                                         "about what RL that works does, so nothing follows.")
    if dn.excludes_zero() == 1:
        return VerdictReport(verdict="contradicts", reason="rl_wins_at_n", scope=scope,
                             explanation=f"RL beats the base even at k = n ({numbers}): the boundary expanded.")
    if only.low is not None and only.low > margin:
        return VerdictReport(verdict="contradicts", reason="rl_only_solvable_set_nonempty", scope=scope,
                             explanation=f"RL solves problems the base never solved in n samples, beyond "
                                         f"finite-n noise ({numbers}).")
    if dn.excludes_zero() == -1:
        crossing = ev.comparison.crossing_estimate()
        where = f"crossing k* ≈ {crossing}" if crossing else "crossing inside the grid"
        return VerdictReport(verdict="supports", reason="rl_wins_at_1_base_wins_at_n", scope=scope,
                             explanation=f"RL sharpens pass@1 but the base covers more at k = n ({numbers}; "
                                         f"{where}).")
    return VerdictReport(verdict="inconclusive", reason="ci_overlaps_zero_at_n", scope=scope,
                         explanation=f"RL improved pass@1, but at k = n the difference is within noise "
                                     f"({numbers}): no narrowing and no expansion detected.")


# ------------------------------------------------------------------------------------ one example
@dataclass
class GainEvidence:
    """Held-out pass@1 gains over the base of a reference arm and the arm under test."""

    reference: Estimate  # full-set RL (one-example) or true reward (spurious)
    tested: Estimate  # one-example RL or the random reward with the clip active
    control: Estimate | None = None  # random-example RL, or the random reward with M = 1


def gain_evidence(base: list[int], reference: list[int], tested: list[int], n: int,
                  control: list[int] | None = None, *, seed: int = 0, B: int = 1000) -> GainEvidence:
    return GainEvidence(
        reference=accuracy_gain(base, reference, n, B=B, seed=seed),
        tested=accuracy_gain(base, tested, n, B=B, seed=seed + 1),
        control=accuracy_gain(base, control, n, B=B, seed=seed + 2) if control is not None else None)


def _gain_rule(ev: GainEvidence, *, tested: str, reference: str, scope: str) -> VerdictReport:
    ref, got = ev.reference, ev.tested
    numbers = f"gain({tested}) = {got}, gain({reference}) = {ref}"
    if ev.control is not None:
        numbers += f", control gain = {ev.control}"
    if ref.excludes_zero() != 1:
        return VerdictReport(verdict="inconclusive", reason=f"precondition_failed:{reference}_did_not_learn",
                             scope=scope, explanation=f"{reference} itself did not improve pass@1 ({numbers}).")
    half = GAIN_FRACTION * ref.value
    if got.excludes_zero() == 1 and got.value >= half:
        return VerdictReport(verdict="supports", reason=f"{tested}_gain_at_least_half", scope=scope,
                             explanation=f"{tested} gains significantly and at least half as much as "
                                         f"{reference} ({numbers}).")
    if got.high is not None and got.high < half:
        return VerdictReport(verdict="contradicts", reason=f"{tested}_gain_below_half", scope=scope,
                             explanation=f"{tested}'s gain is significantly below half of {reference}'s "
                                         f"({numbers}).")
    return VerdictReport(verdict="inconclusive", reason="ci_too_wide", scope=scope,
                         explanation=f"the intervals cannot tell whether {tested} reaches half of "
                                     f"{reference}'s gain ({numbers}).")


def one_example_verdict(ev: GainEvidence, scope: str = "miniature") -> VerdictReport:
    """Wang et al.: RL on one example (base success in [0.2, 0.8]) gets at least half the full-set gain.

    >>> ev = gain_evidence([2] * 50, [8] * 50, [7] * 50, n=16)
    >>> one_example_verdict(ev).verdict.value
    'supports'
    """
    return _gain_rule(ev, tested="one_example_rl", reference="full_set_rl", scope=scope)


def spurious_verdict(ev: GainEvidence, scope: str = "miniature", contrast: GainEvidence | None = None
                     ) -> VerdictReport:
    """Shao et al.: a random reward with the clip active gets at least half the true-reward gain on a
    base whose accurate style is high-prior, and not on a base where it is low-prior (``contrast``).

    The M = 1 control (``ev.control``, clip inactive) is the mechanism check: Shao et al. predict no
    gain there; it is reported in the explanation and does not change the verdict. A significant
    random-reward gain on the contrast base too turns ``supports`` into ``inconclusive``: the gain
    would then not be the high-prior-style effect the paper describes.

    >>> high = gain_evidence([4] * 60, [12] * 60, [10] * 60, n=32, control=[4] * 60)
    >>> spurious_verdict(high).verdict.value
    'supports'
    >>> low = gain_evidence([4] * 60, [12] * 60, [9] * 60, n=32)  # the low-prior base gains too
    >>> report = spurious_verdict(high, contrast=low)
    >>> report.verdict.value, report.reason
    ('inconclusive', 'random_gain_on_low_prior_base_too')
    """
    report = _gain_rule(ev, tested="random_reward", reference="true_reward", scope=scope)
    if ev.control is not None:
        if ev.tested.excludes_zero() != 1:
            mechanism = (f"gain with the clip inactive (M = 1) = {ev.control}; with no random-reward gain with the "
                         "clip active either, there is no effect for it to isolate")
        elif ev.control.excludes_zero() != 1:
            mechanism = "no gain with the clip inactive (M = 1), as the clipping-bias mechanism predicts"
        else:
            mechanism = "a gain even with the clip inactive (M = 1), which the clipping-bias mechanism does not predict"
        report.explanation += f" Mechanism control: {mechanism}."
    if contrast is not None:
        report.explanation += (f" Contrast base (accurate style low-prior): gain(random_reward) = {contrast.tested}, "
                               f"gain(true_reward) = {contrast.reference}.")
        if report.verdict.value == "supports" and contrast.tested.excludes_zero() == 1:
            report = VerdictReport(verdict="inconclusive", reason="random_gain_on_low_prior_base_too", scope=scope,
                                   explanation=report.explanation + " The random reward helps the contrast base "
                                   "as well, so the gain is not specific to a high-prior accurate style.")
    return report


# -------------------------------------------------------------------------------------- sparsity
SPARSE_ENOUGH = 0.70  # Mukherjee et al.: RL updates 5-30% of parameters, i.e. >= 70% unchanged


@dataclass
class SparsityEvidence:
    """Per precision ("bf16_exact", "bf16_isclose", "fp32_exact"): RL (per seed) and SFT sparsity."""

    rl: dict[str, list[float]]
    sft: dict[str, float]
    overlap_minus_chance: float | None  # one-sided overlap of changed sets across seeds minus chance
    rank_ratio: float  # mean rank(Δ) / min(shape) over 2-D matrices of the RL update
    rl_gain: Estimate | None = None  # held-out pass@1 gain of RL seed 0: an update that learned nothing
    #                                  (e.g. every group all-wrong, zero advantage) is trivially "sparse"


def sparsity_verdict(ev: SparsityEvidence, scope: str = "miniature") -> VerdictReport:
    """Mukherjee et al.: RL leaves >= 70% of parameters unchanged, more than SFT, with full-rank updates.

    Judged per precision; when the answer flips with the precision of the comparison the verdict is
    ``inconclusive`` / ``precision_dependent`` (Zhu et al.'s precision gate).

    >>> dense = SparsityEvidence({"bf16_exact": [0.02], "fp32_exact": [0.0]}, {"bf16_exact": 0.01,
    ...                          "fp32_exact": 0.0}, None, 1.0)
    >>> sparsity_verdict(dense).reason
    'dense_updates_at_every_precision'
    """
    holds = {p: min(v) >= SPARSE_ENOUGH and float(np.mean(v)) > ev.sft[p] for p, v in ev.rl.items()}
    numbers = "; ".join(f"{p}: RL {np.mean(v):.3f} (seeds {', '.join(f'{x:.3f}' for x in v)}) vs SFT "
                        f"{ev.sft[p]:.3f}" for p, v in ev.rl.items())
    numbers += f"; rank ratio {ev.rank_ratio:.3f}"
    if ev.overlap_minus_chance is not None:
        numbers += f"; overlap − chance {ev.overlap_minus_chance:+.3f}"
    if ev.rl_gain is not None:
        numbers += f"; RL pass@1 gain {ev.rl_gain}"
        if ev.rl_gain.excludes_zero() != 1:
            return VerdictReport(verdict="inconclusive", reason="precondition_failed:rl_did_not_learn", scope=scope,
                                 explanation=f"RL did not raise held-out pass@1 significantly, so its update's "
                                             f"sparsity says nothing about RL that works ({numbers}).")
    if all(holds.values()):
        extras = ev.rank_ratio >= 0.9 and (ev.overlap_minus_chance is None or ev.overlap_minus_chance > 0)
        if extras:
            return VerdictReport(verdict="supports", reason="sparse_at_every_precision", scope=scope,
                                 explanation=f"RL leaves most parameters unchanged, more than SFT ({numbers}).")
        return VerdictReport(verdict="inconclusive", reason="sparse_but_low_rank_or_no_overlap", scope=scope,
                             explanation=f"sparse, but the rank or overlap conditions fail ({numbers}).")
    if not any(holds.values()):
        return VerdictReport(verdict="contradicts", reason="dense_updates_at_every_precision", scope=scope,
                             explanation=f"RL changed most parameters at every precision measured ({numbers}).")
    sparse_at = ", ".join(p for p, ok in holds.items() if ok)
    return VerdictReport(verdict="inconclusive", reason="precision_dependent", scope=scope,
                         explanation=f"sparse only at {sparse_at}: the finding depends on the precision of "
                                     f"the comparison ({numbers}).")
