"""The registered decision, computed from the per-problem outcomes in ``Result.raw`` (nothing else)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..api import Estimate, Registration, VerdictReport
from ..registered import at_least, decide
from ..substrate.stats import bootstrap_ci, paired_diff_ci

ARMS = ("direct", "monolithic", "best_of_k", "tools")


def figures(raw: dict[str, Any], B: int, seed: int) -> dict[str, Estimate]:
    rng = np.random.default_rng(seed)
    o = {arm: np.asarray(raw["outcomes"][arm], dtype=float) for arm in ARMS}
    out = {
        f"accuracy_{arm}": bootstrap_ci(o[arm], B=B, rng=rng, description=f"{arm}: evaluation accuracy") for arm in ARMS
    }
    for other in ("direct", "monolithic", "best_of_k"):
        out[f"tools_minus_{other}"] = paired_diff_ci(
            o["tools"],
            o[other],
            B=B,
            rng=rng,
            description=f"accuracy, isolated tool calls minus {other}, paired over problems",
        )
    out["parts_known"] = bootstrap_ci(
        raw["parts_known"],
        B=B,
        rng=rng,
        description="problems whose three operations the model computes in isolation (greedy)",
    )
    out["examine_accuracy"] = bootstrap_ci(
        raw["examine"], B=B, rng=rng, description="examine calls judged right (balanced true/false results)"
    )
    return out


def verdict(reg: Registration, m: dict[str, Estimate]) -> VerdictReport:
    checks = [
        at_least(
            reg,
            "examine_works",
            m["examine_accuracy"].value,
            "examine_floor",
            "the examine tool's accuracy on true and false step results",
        ),
        at_least(
            reg,
            "parts_known",
            m["parts_known"].value,
            "parts_floor",
            "share of evaluation problems whose every operation the model computes in isolation",
        ),
    ]

    def rule() -> tuple[str, str, str]:
        d, mono, bok = m["tools_minus_direct"], m["tools_minus_monolithic"], m["tools_minus_best_of_k"]
        said = f"Tools minus direct {d}; minus monolithic {mono}; minus best-of-k {bok}."
        if all(x.low is not None and x.low > 0 for x in (d, mono, bok)):
            return (
                "supports",
                "tools_beat_all_controls",
                "Isolated tool calls beat the direct answer, one monolithic context, and best-of-k with the "
                "same number of calls. " + said,
            )
        if d.high is not None and d.high < reg.threshold("min_gain"):
            return (
                "contradicts",
                "tools_do_not_help",
                f"Tool calls do not beat the direct answer by {reg.threshold('min_gain'):.2f} (upper bound). " + said,
            )
        if bok.high is not None and bok.high < 0:
            return (
                "contradicts",
                "compute_explains_gain",
                "Best-of-k with the same number of calls does better: the gain is compute, not modularity. " + said,
            )
        return ("inconclusive", "intervals_undecided", "Neither registered pattern holds. " + said)

    return decide(reg, checks, rule)
