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
...     raw = {"chosen": {"layer": 1, "alpha": 2.0, "positions": "prompt_end_only"},
...            "arms": {"alpha=0": arm(base, 0), "steered": arm(steered, 1), "reason tag": arm([1] * 40, 1)},
...            "test_grid": [{"layer": 1, "alpha": 2.0, "positions": "prompt_end_only", "correct": list(steered)}],
...            "random_vector_accuracy": [0.5] * 20, "nll": {"unsteered": [2.0] * 8, "steered": [2.1] * 8}}
...     return Result(raw=raw, verdict=VerdictReport(verdict="supports", reason="r", explanation="e"))
>>> pooled = pool_seeds([seed([1] * 40), seed([1, 1, 1, 0] * 10)])
>>> pooled.verdict.verdict.value, pooled.metrics["accuracy_gain"].value, pooled.metrics["accuracy_gain"].n
('supports', 0.375, 80)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..api import Estimate, Result
from ..pooling import seed_bootstrap_ci
from .config import Config
from .verdict import Evidence, decide


def poolable(results: Sequence[Result]) -> bool:
    """Whether there are several results and each keeps its chosen setting and per-item arm outcomes."""
    needed = ("chosen", "arms", "test_grid", "random_vector_accuracy", "nll")
    return len(results) >= 2 and all(all(key in r.raw for key in needed) for r in results)


def same_setting(results: Sequence[Result]) -> bool:
    """Whether every seed's dev sweep chose the same (block, alpha, positions)."""
    return len({_cell(r.raw["chosen"]) for r in results}) == 1


def settings_differ(conservative: Result, results: Sequence[Result]) -> Result:
    """The conservative pooling, its reason and explanation saying the seeds chose different settings."""
    settings = "; ".join(_label(r.raw["chosen"]) for r in results)
    report = conservative.verdict
    explanation = (f"The seeds' dev sweeps chose different settings ({settings}), so their items measure "
                   f"different interventions and are not pooled; by seed: {report.explanation}")
    return conservative.model_copy(update={"verdict": report.model_copy(update={
        "reason": f"settings_differ:{report.reason}", "explanation": explanation})})


def pool_seeds(results: Sequence[Result]) -> Result:
    """One result for several seeds that chose the same setting: seeds-then-items intervals, the same rule."""
    raws = [r.raw for r in results]
    defaults = Config()
    B = max(raw.get("bootstrap", defaults.bootstrap) for raw in raws)
    # the strictest run's damage bounds
    max_drop = min(raw.get("max_valid_format_drop", defaults.max_valid_format_drop) for raw in raws)
    max_nll = min(raw.get("max_nll_increase", defaults.max_nll_increase) for raw in raws)
    rng = np.random.default_rng(len(results))
    over = f"{len(results)} seeds × test items"

    def per_item(raw: dict, arm: str, field: str = "correct", within: str = "arms") -> np.ndarray:
        return np.asarray(raw[within][arm][field], dtype=float)

    def gain(arm: str, field: str, description: str, within: str = "arms") -> Estimate:
        diffs = [per_item(raw, arm, field, within) - per_item(raw, "alpha=0", field, within) for raw in raws]
        return seed_bootstrap_ci(diffs, B=B, rng=rng, description=f"{description}, {over}")

    metrics = {
        "accuracy_gain": gain("steered", "correct", "greedy accuracy, steered minus alpha = 0"),
        "tag_gain": gain("reason tag", "correct", "greedy accuracy, explicit reason tag minus untagged"),
        "scratchpad_rate_gain": gain("steered", "scratchpad", "scratchpad-format rate, steered minus alpha = 0"),
        "valid_format_gain": gain("steered", "valid", "valid-format rate, steered minus alpha = 0"),
        "nll_increase": seed_bootstrap_ci(
            [np.asarray(raw["nll"]["steered"]) - np.asarray(raw["nll"]["unsteered"]) for raw in raws], B=B, rng=rng,
            description=f"NLL on neutral text, steered minus unsteered (nats/token), {len(results)} seeds × texts"),
    }
    if all("steered" in raw.get("sampled", {}) and "alpha=0" in raw.get("sampled", {}) for raw in raws):
        metrics["avg_accuracy_gain"] = gain("steered", "correct", "avg@k accuracy, steered minus alpha = 0",
                                            within="sampled")
    null_gain = np.concatenate([np.asarray(raw["random_vector_accuracy"]) - per_item(raw, "alpha=0").mean()
                                for raw in raws])
    metrics["null_p95"] = Estimate(value=float(np.percentile(null_gain, 95)), n=len(null_gain),
                                   description="95th percentile of the accuracy gain of random directions of "
                                               f"equal norm, pooled over {len(results)} seeds")
    for arm in raws[0]["arms"]:
        if all(arm in raw["arms"] for raw in raws):
            metrics[f"accuracy[{arm}]"] = seed_bootstrap_ci([per_item(raw, arm) for raw in raws], B=B, rng=rng,
                                                            description=f"greedy accuracy, {arm}, {over}")
    evidence = Evidence(tag_gain=metrics["tag_gain"], steer_gain=metrics["accuracy_gain"],
                        null_p95=metrics["null_p95"].value, scratchpad_gain=metrics["scratchpad_rate_gain"],
                        valid_format_drop=-metrics["valid_format_gain"].value,
                        nll_increase=metrics["nll_increase"].value, grid_gains=_grid_gains(raws, B, rng))
    verdict = decide(evidence, max_valid_format_drop=max_drop, max_nll_increase=max_nll,
                     scope=results[0].verdict.scope)
    verdict.explanation += (f" (seed-level bootstrap over {len(results)} seeds at {_label(raws[0]['chosen'])}; "
                            "by seed: " + ", ".join(r.verdict.verdict.value for r in results) + ")")
    return Result(metrics=metrics, verdict=verdict,
                  headline=["accuracy_gain", "tag_gain", "scratchpad_rate_gain", "null_p95"],
                  raw={"seeds": len(results), "chosen": raws[0]["chosen"], "bootstrap": B,
                       "max_valid_format_drop": max_drop, "max_nll_increase": max_nll,
                       "seed_verdicts": [r.verdict.verdict.value for r in results]})


def _grid_gains(raws: list[dict], B: int, rng: np.random.Generator) -> list[Estimate]:
    """Each grid cell every seed measured: its pooled accuracy gain over alpha = 0."""
    by_seed = [{_cell(entry): np.asarray(entry["correct"], dtype=float) for entry in raw["test_grid"]}
               for raw in raws]
    shared = [cell for cell in by_seed[0] if all(cell in cells for cells in by_seed)]
    bases = [np.asarray(raw["arms"]["alpha=0"]["correct"], dtype=float) for raw in raws]
    return [seed_bootstrap_ci([cells[cell] - base for cells, base in zip(by_seed, bases)], B=B, rng=rng,
                              description=_label(dict(zip(("layer", "alpha", "positions"), cell))))
            for cell in shared]


def _cell(setting: dict) -> tuple[int, float, str]:
    return setting["layer"], setting["alpha"], setting["positions"]


def _label(setting: dict) -> str:
    return f"block {setting['layer']}, alpha {setting['alpha']}, {setting['positions']}"
