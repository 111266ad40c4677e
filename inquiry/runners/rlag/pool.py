"""Pooling a seed sweep of RLAG runs into one verdict, on the runs' per-question test outcomes.

Every training seed of every run is one seed unit (runs differ in their seed, which changes the
training order; the world and the base are fixed by ``world_seed``). The interval of RLAG − best
baseline resamples seed units, then questions within each drawn unit, on the per-question
difference of that unit's RLAG and best-baseline outcomes (the arms of one seed share their
shuffles, so the difference is paired). RLAG's registered rules then decide, as for one run
(:mod:`.verdict`): the preconditions, the best baseline by mean dev accuracy at each run's tuned
learning rate (never by test accuracy), and the interval's sign.

>>> from inquiry.runners.api import Result, VerdictReport
>>> def run(rlag_rows, base_rows):
...     raw = {"outcomes_heldout": {"rlag": rlag_rows, "cpt": base_rows, "sft": base_rows},
...            "base": {"augmented": [1, 1, 1, 0] * 10, "naive": [0, 0, 0, 0] * 10},
...            "tuned_lr": {"rlag": 0.001, "cpt": 0.001, "sft": 0.003},
...            "dev_accuracy": {"rlag": {"0.001": 0.5}, "cpt": {"0.001": 0.4}, "sft": {"0.003": 0.3}},
...            "registered_protocol": True}
...     return Result(raw=raw, verdict=VerdictReport(verdict="supports", reason="r", explanation="e"))
>>> ones, halves = [[1] * 20, [1] * 20], [[1, 0] * 10, [0, 1] * 10]
>>> pooled = pool_runs([run(ones, halves), run(ones, halves)])
>>> pooled.verdict.verdict.value, pooled.metrics["rlag_minus_best_baseline"].value, pooled.raw["best_baseline"]
('supports', 0.5, 'cpt')
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..api import Result, load_registration
from ..pooling import seed_bootstrap_ci
from .config import Config
from .verdict import best_baseline, failed_precondition, judge, preconditions

# the runner module imports this one: read the same file it registers, without importing the runner
REGISTRATION_FILE = Path(__file__).with_name("registration.yaml")


def poolable(results: Sequence[Result]) -> bool:
    """Whether every result keeps the per-question outcomes, base outcomes and dev accuracies, for the same arms."""
    raws = [r.raw for r in results]
    needed = ("outcomes_heldout", "base", "dev_accuracy", "tuned_lr")
    if len(raws) < 2 or any(key not in raw for raw in raws for key in needed):
        return False
    return len({tuple(sorted(raw["outcomes_heldout"])) for raw in raws}) == 1 and "rlag" in raws[0]["outcomes_heldout"]


def pool_runs(results: Sequence[Result]) -> Result:
    """One result for several RLAG runs of one config: seeds-then-questions intervals, RLAG's registered rules."""

    reg = load_registration(REGISTRATION_FILE)
    raws = [r.raw for r in results]
    B = max(raw.get("bootstrap", Config().bootstrap) for raw in raws)
    level = reg.threshold("level")
    scope = results[0].verdict.scope
    rng = np.random.default_rng(len(results))
    rows = {
        arm: [np.asarray(row, dtype=float) for raw in raws for row in raw["outcomes_heldout"][arm]]
        for arm in raws[0]["outcomes_heldout"]
    }
    over = f"{len(rows['rlag'])} training seeds from {len(results)} runs"
    gain = seed_bootstrap_ci(
        [
            np.asarray(raw["base"]["augmented"], dtype=float) - np.asarray(raw["base"]["naive"], dtype=float)
            for raw in raws
        ],
        B=B,
        level=level,
        rng=rng,
        description=f"base accuracy with snippets minus without (training questions), {len(results)} runs",
    )
    dev = {
        arm: float(np.mean([raw["dev_accuracy"][arm][str(raw["tuned_lr"][arm])] for raw in raws]))
        for arm in rows
        if arm != "rlag"
    }
    best = best_baseline(dev)
    metrics = {"context_gain": gain}
    metrics |= {
        f"accuracy_{arm}": seed_bootstrap_ci(
            arm_rows, B=B, level=level, rng=rng, description=f"{arm}: test closed-book accuracy, {over}"
        )
        for arm, arm_rows in rows.items()
    }
    checks = preconditions(gain, reg, all(raw.get("registered_protocol", False) for raw in raws))
    verdict = failed_precondition(checks, gain, reg, scope)
    headline = ["context_gain"]
    if verdict is None:
        diff = seed_bootstrap_ci(
            [rlag - other for rlag, other in zip(rows["rlag"], rows[best])],
            B=B,
            level=level,
            rng=rng,
            description=f"test closed-book accuracy, RLAG minus {best}, {over}",
        )
        metrics["rlag_minus_best_baseline"] = diff
        verdict = judge(diff, best, scope, f"bootstrap over {over}, then over questions", reg)
        verdict = verdict.model_copy(update={"preconditions": checks})
        headline = ["rlag_minus_best_baseline", "accuracy_rlag", f"accuracy_{best}", "context_gain"]
    verdict.explanation += " Runs one by one: " + ", ".join(r.verdict.verdict.value for r in results) + "."
    return Result(
        metrics=metrics,
        headline=headline,
        verdict=verdict,
        raw={
            "runs": len(results),
            "seeds": len(rows["rlag"]),
            "best_baseline": best,
            "outcomes_heldout": {arm: [row.tolist() for row in arm_rows] for arm, arm_rows in rows.items()},
            "bootstrap": B,
            "run_verdicts": [r.verdict.verdict.value for r in results],
        },
    )
