"""The registered decision, computed from the per-state counts in ``Result.raw`` (nothing else).

Every figure the rule uses is a paired bootstrap over held-out states of per-state accuracies,
averaged over RL seeds. The thresholds come from ``registration.yaml``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..api import Estimate, PreconditionCheck, Registration, VerdictReport
from ..registered import at_least, at_most, decide
from ..substrate.stats import bootstrap_ci, paired_diff_ci

ARMS = ("rationale", "action", "filler")


def per_state(counts: Any, samples: int) -> np.ndarray:
    """Per-state accuracy from win counts; a (seeds, states) array is averaged over seeds first."""
    arr = np.asarray(counts, dtype=float) / samples
    return arr.mean(0) if arr.ndim == 2 else arr


def figures(raw: dict[str, Any], B: int, seed: int) -> dict[str, Estimate]:
    """The registered metrics from the raw counts (the base's only, when the arms were not trained)."""
    rng = np.random.default_rng(seed)
    s = raw["eval_samples"]
    base = {fmt: per_state(raw["base_play"][fmt]["heldout"], s) for fmt in ARMS}
    base_figures = {
        "know_heldout": bootstrap_ci(
            raw["base_know_heldout"],
            B=B,
            rng=rng,
            description="base: both hops of the declarative knowledge (code -> pile, pile -> fact) recalled greedily, held-out states",
        ),
        "base_play_heldout": bootstrap_ci(
            np.max([base[f] for f in ARMS], axis=0),
            B=B,
            rng=rng,
            description="base: winning-move rate on held-out states, best format",
        ),
    }
    for arm in ARMS:
        base_figures[f"base_play_heldout_{arm}"] = bootstrap_ci(
            base[arm], B=B, rng=rng, description=f"base in the {arm} format, held-out states"
        )
    if not raw["arms"]["rationale"]["heldout"]:
        return base_figures
    arms = {arm: per_state(raw["arms"][arm]["heldout"], s) for arm in ARMS}
    practised = {arm: per_state(raw["arms"][arm]["practised"], s) for arm in ARMS}
    base_practised = per_state(raw["base_play"]["rationale"]["practised"], s)
    consistent = np.asarray(raw["arms"]["rationale"]["consistent"], dtype=float).mean(0) / s
    out = {
        **base_figures,
        "practised_gain": paired_diff_ci(
            practised["rationale"],
            base_practised,
            B=B,
            rng=rng,
            description="rationale arm minus base, winning-move rate on practised states",
        ),
        "transfer_gain": paired_diff_ci(
            arms["rationale"],
            base["rationale"],
            B=B,
            rng=rng,
            description="rationale arm minus base, winning-move rate on held-out (known, never practised) states",
        ),
        "rationale_minus_filler": paired_diff_ci(
            arms["rationale"],
            arms["filler"],
            B=B,
            rng=rng,
            description="held-out winning-move rate, rationale arm minus filler arm (same length, same RL compute)",
        ),
        "rationale_minus_action": paired_diff_ci(
            arms["rationale"],
            arms["action"],
            B=B,
            rng=rng,
            description="held-out winning-move rate, rationale arm minus action-only arm",
        ),
        "consistency": bootstrap_ci(
            consistent,
            B=B,
            rng=rng,
            description="rationale arm, held-out: moves equal to the move the rationale states",
        ),
    }
    for arm in ARMS:
        out[f"play_heldout_{arm}"] = bootstrap_ci(
            arms[arm], B=B, rng=rng, description=f"{arm} arm: winning-move rate, held-out states"
        )
    return out


def base_checks(reg: Registration, m: dict[str, Estimate]) -> list[PreconditionCheck]:
    """The preconditions measurable on the base alone; when one fails no arm is trained."""
    return [
        at_least(
            reg,
            "knows",
            m["know_heldout"].value,
            "knows_floor",
            "base recalls what the texts say of held-out positions (pile and fact)",
        ),
        at_most(
            reg,
            "gap",
            m["base_play_heldout"].value,
            "gap_ceiling",
            "base wins from held-out states (best of the three formats)",
        ),
    ]


def verdict(reg: Registration, m: dict[str, Estimate]) -> VerdictReport:
    checks = base_checks(reg, m)
    if "practised_gain" not in m:  # the arms were not trained: a base precondition failed
        return decide(reg, checks, lambda: ("inconclusive", "arms_not_trained", "No arm was trained."))
    checks.append(
        at_least(
            reg,
            "rl_learned",
            m["practised_gain"].value,
            "min_practised_gain",
            "RL with a rationale improved play on the practised states by",
        )
    )

    def rule() -> tuple[str, str, str]:
        gain, filler, cons = m["transfer_gain"], m["rationale_minus_filler"], m["consistency"]
        floor = reg.threshold("consistency_floor")
        said = f"Held-out gain {gain}; rationale minus filler {filler}; rationale-move consistency {cons.value:.2f}."
        if gain.low is not None and gain.low > 0 and filler.low is not None and filler.low > 0 and cons.value >= floor:
            return (
                "supports",
                "knowledge_converted",
                "RL with a rationale turned declarative knowledge into play on states it never practised, "
                "beyond the compute-matched filler arm, with explanations that match the moves. " + said,
            )
        if gain.high is not None and gain.high < reg.threshold("min_transfer"):
            return (
                "contradicts",
                "no_transfer",
                "RL improved practised play but did not carry over to known, unpractised states "
                f"(upper bound below {reg.threshold('min_transfer'):.2f}). " + said,
            )
        if filler.high is not None and filler.high < 0:
            return (
                "contradicts",
                "filler_beats_rationale",
                "A filler of the same length did better than the rationale: the gain is compute, not "
                "knowledge. " + said,
            )
        return ("inconclusive", "intervals_undecided", "Neither registered pattern holds. " + said)

    return decide(reg, checks, rule)
