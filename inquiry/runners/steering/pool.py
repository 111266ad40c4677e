"""Pooling a seed sweep of steering runs into one verdict, on the runs' per-item test outcomes.

Each run keeps, in ``Result.raw``, every test item's outcome for every arm at the setting its dev
sweep chose, the test-grid cells, the random-vector null and the neutral-text NLLs. When every
seed chose the same (block, alpha, positions), the gains are paired per item within a seed and
their intervals resample seeds, then items (:func:`~inquiry.runners.pooling.seed_bootstrap_ci`);
the random-vector null pools every seed's random directions, each against its own seed's
alpha = 0. The verdict is then the single run's rule (:func:`.verdict.decide`), unchanged.

>>> from inquiry.runners.api import Result, VerdictReport
>>> def seed(steered, base=(0, 1) * 20):
...     arm = lambda correct, scratch: {"correct": list(correct), "scratchpad": [scratch] * 40, "valid": [1] * 40}
...     nll = {key: [2.0] * 8 for key in ("unsteered", "steered", "untagged_unsteered", "untagged_steered")}
...     raw = {"chosen": {"layer": 1, "alpha": 2.0, "positions": "prompt_end_only"},
...            "primary_positions": "prompt_end_only", "registered_grid": True,
...            "arms": {"alpha=0": arm(base, 0), "steered": arm(steered, 1), "reason tag": arm([1] * 40, 1),
...                     "sign-flipped": arm(base, 0), "label-shuffled": arm(base, 0)},
...            "test_grid": [{"layer": 1, "alpha": 2.0, "positions": "prompt_end_only", "correct": list(steered)}],
...            "random_vector_accuracy": [0.5] * 20, "nll": nll}
...     return Result(raw=raw, verdict=VerdictReport(verdict="supports", reason="r", explanation="e"))
>>> pooled = pool_seeds([seed([1] * 40), seed([1, 1, 1, 0] * 10)])
>>> pooled.verdict.verdict.value, pooled.metrics["accuracy_gain"].value, pooled.metrics["accuracy_gain"].n
('supports', 0.375, 80)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..api import Estimate, Result, load_registration
from ..pooling import seed_bootstrap_ci
from .config import Config
from .verdict import decide, evidence_from_raw

# the runner module imports this one: read the same file it registers, without importing the runner
REGISTRATION_FILE = Path(__file__).with_name("registration.yaml")


def poolable(results: Sequence[Result]) -> bool:
    """Whether there are several results and each keeps its chosen setting and per-item arm outcomes."""
    needed = ("chosen", "primary_positions", "arms", "test_grid", "random_vector_accuracy", "nll")
    return (
        len(results) >= 2
        and all(all(key in r.raw for key in needed) for r in results)
        and len({r.verdict.registration for r in results}) == 1
    )


def same_setting(results: Sequence[Result]) -> bool:
    """Whether every seed's dev sweep chose the same (block, alpha, positions)."""
    return len({_cell(r.raw["chosen"]) for r in results}) == 1


def settings_differ(conservative: Result, results: Sequence[Result]) -> Result:
    """The conservative pooling, its reason and explanation saying the seeds chose different settings."""
    settings = "; ".join(_label(r.raw["chosen"]) for r in results)
    report = conservative.verdict
    explanation = (
        f"The seeds' dev sweeps chose different settings ({settings}), so their items measure "
        f"different interventions and are not pooled; by seed: {report.explanation}"
    )
    return conservative.model_copy(
        update={
            "verdict": report.model_copy(
                update={"reason": f"settings_differ:{report.reason}", "explanation": explanation}
            )
        }
    )


def pool_seeds(results: Sequence[Result]) -> Result:
    """One result for several seeds that chose the same setting: seeds-then-items intervals, the same rule."""

    reg = load_registration(REGISTRATION_FILE)
    raws = [r.raw for r in results]
    B = max(raw.get("bootstrap", Config().bootstrap) for raw in raws)
    level = reg.threshold("level")
    rng = np.random.default_rng(len(results))
    over = f"{len(results)} seeds × test items"

    def interval(per_run: list[np.ndarray], description: str) -> Estimate:
        return seed_bootstrap_ci(per_run, B=B, level=level, rng=rng, description=f"{description}, {over}")

    metrics, evidence = evidence_from_raw(raws, reg, interval)
    for arm in raws[0]["arms"]:
        if all(arm in raw["arms"] for raw in raws):
            metrics[f"accuracy[{arm}]"] = interval(
                [np.asarray(raw["arms"][arm]["correct"], dtype=float) for raw in raws], f"greedy accuracy, {arm}"
            )
    verdict = decide(evidence, reg, scope=results[0].verdict.scope)
    verdict.explanation += (
        f" (seed-level bootstrap over {len(results)} seeds at {_label(raws[0]['chosen'])}; "
        "by seed: " + ", ".join(r.verdict.verdict.value for r in results) + ")"
    )
    return Result(
        metrics=metrics,
        verdict=verdict,
        headline=["accuracy_gain", "tag_gain", "beats_sign_flip", "beats_label_shuffle", "holm_positive_cells"],
        raw={
            "seeds": len(results),
            "chosen": raws[0]["chosen"],
            "bootstrap": B,
            "seed_verdicts": [r.verdict.verdict.value for r in results],
        },
    )


def _cell(setting: dict) -> tuple[int, float, str]:
    return setting["layer"], setting["alpha"], setting["positions"]


def _label(setting: dict) -> str:
    return f"block {setting['layer']}, alpha {setting['alpha']}, {setting['positions']}"
