"""The registered decision, computed from the per-episode rewards in ``Result.raw`` (nothing else).

Comparisons between arms pair episodes (the arms face the same stream); the learning-curve figure
compares the late half of each stream with its early half.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..api import Estimate, PreconditionCheck, Registration, VerdictReport
from ..registered import at_least, decide
from ..substrate.stats import bootstrap_ci, paired_diff_ci

ARMS = ("no_memory", "similarity", "soft_q", "weights")


def halves(raw: dict[str, Any], arm: str) -> tuple[np.ndarray, np.ndarray]:
    """(early, late) rewards of ``arm``, concatenated over streams in the same order for every arm."""
    rows = [np.asarray(r, dtype=float) for r in raw["rewards"][arm]]
    mid = len(rows[0]) // 2
    return (np.concatenate([r[:mid] for r in rows]), np.concatenate([r[len(r) - mid :] for r in rows]))


def figures(raw: dict[str, Any], B: int, seed: int) -> dict[str, Estimate]:
    """The registered metrics (only the base's, when no stream was run)."""
    rng = np.random.default_rng(seed)
    copies = bootstrap_ci(
        raw["copies_success"],
        B=B,
        rng=rng,
        description="frozen base answers a task right with its rewarded case in context",
    )
    if not raw["rewards"]["soft_q"]:
        return {"copies_success": copies}
    parts = {arm: halves(raw, arm) for arm in ARMS}
    out = {
        f"late_{arm}": bootstrap_ci(parts[arm][1], B=B, rng=rng, description=f"{arm}: reward, late half")
        for arm in ARMS
    }
    out["memory_gain"] = paired_diff_ci(
        parts["soft_q"][1],
        parts["no_memory"][1],
        B=B,
        rng=rng,
        description="late-half reward, learned case retrieval minus no memory (paired over episodes)",
    )
    out["improvement"] = paired_diff_ci(
        parts["soft_q"][1],
        parts["soft_q"][0],
        B=B,
        rng=rng,
        description="learned case retrieval: late-half minus early-half reward",
    )
    out["memory_minus_weights"] = paired_diff_ci(
        parts["soft_q"][1],
        parts["weights"][1],
        B=B,
        rng=rng,
        description="late-half reward, learned case retrieval minus weight updates on the same episodes",
    )
    out["similarity_gain"] = paired_diff_ci(
        parts["similarity"][1],
        parts["no_memory"][1],
        B=B,
        rng=rng,
        description="late-half reward, same-key recent retrieval minus no memory",
    )
    out["copies_success"] = copies
    return out


def base_checks(reg: Registration, m: dict[str, Estimate]) -> list[PreconditionCheck]:
    """Measured on the frozen base before any stream; when one fails no stream is run."""
    return [
        at_least(
            reg,
            "uses_cases",
            m["copies_success"].value,
            "copy_floor",
            "the frozen base reuses a rewarded case of the same task",
        )
    ]


def verdict(reg: Registration, m: dict[str, Estimate]) -> VerdictReport:
    checks = base_checks(reg, m)
    if "memory_gain" not in m:
        return decide(reg, checks, lambda: ("inconclusive", "streams_not_run", "No stream was run."))

    def rule() -> tuple[str, str, str]:
        gain, imp, vs = m["memory_gain"], m["improvement"], m["memory_minus_weights"]
        said = f"Memory gain {gain}; improvement over the stream {imp}; memory minus weight updates {vs}."
        margin = reg.threshold("weights_margin")
        (gain_low, gain_high), imp_low, vs_low = gain.interval(), imp.interval()[0], vs.interval()[0]
        if gain_low > 0 and imp_low > 0 and vs_low > -margin:
            return (
                "supports",
                "memory_improves_frozen_model",
                "The frozen model improved over the stream through case memory alone, and was no worse than "
                f"weight updates on the same episodes (by more than {margin:.2f}). " + said,
            )
        if gain_high < reg.threshold("min_gain"):
            return (
                "contradicts",
                "memory_does_not_help",
                f"Case memory did not raise reward by {reg.threshold('min_gain'):.2f} (upper bound). " + said,
            )
        return ("inconclusive", "intervals_undecided", "Neither registered pattern holds. " + said)

    return decide(reg, checks, rule)
