"""Pooling a seed sweep of RLAG runs into one verdict, on the runs' per-question outcomes.

Every training seed of every run is one seed unit (runs differ in their seed, which changes the
training order; the world and the base are fixed by ``world_seed``). The interval of RLAG − best
baseline resamples seed units, then questions within each drawn unit, on the per-question
difference of that unit's RLAG and best-baseline outcomes (the arms of one seed share their
shuffles, so the difference is paired). RLAG's own rules then decide, as for one run
(:mod:`.verdict`): the base must gain ``context_margin`` from the snippets, the best baseline is the
one with the highest pooled accuracy, and the interval's sign gives the verdict.

>>> from inquiry.runners.api import Result, VerdictReport
>>> def run(rlag_rows, base_rows):
...     raw = {"outcomes_heldout": {"rlag": rlag_rows, "cpt": base_rows, "sft": base_rows},
...            "base": {"augmented_train": [1, 1, 1, 0], "naive_train": [0, 0, 1, 0]}}
...     return Result(raw=raw, verdict=VerdictReport(verdict="supports", reason="r", explanation="e"))
>>> ones, halves = [[1] * 20, [1] * 20], [[1, 0] * 10, [0, 1] * 10]
>>> pooled = pool_runs([run(ones, halves), run(ones, halves)])
>>> pooled.verdict.verdict.value, pooled.metrics["rlag_minus_best_baseline"].value, pooled.raw["seeds"]
('supports', 0.5, 4)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..api import Result
from ..pooling import seed_bootstrap_ci
from .config import Config
from .verdict import best_baseline, judge, precondition


def poolable(results: Sequence[Result]) -> bool:
    """Whether every result keeps the per-question outcomes and base outcomes, for the same arms."""
    raws = [r.raw for r in results]
    if len(raws) < 2 or any("outcomes_heldout" not in raw or "base" not in raw for raw in raws):
        return False
    return len({tuple(sorted(raw["outcomes_heldout"])) for raw in raws}) == 1 and "rlag" in raws[0]["outcomes_heldout"]


def pool_runs(results: Sequence[Result]) -> Result:
    """One result for several RLAG runs of one config: seeds-then-questions intervals, RLAG's verdict rules."""
    raws = [r.raw for r in results]
    defaults = Config()
    B = max(raw.get("bootstrap", defaults.bootstrap) for raw in raws)
    margin = max(raw.get("context_margin", defaults.context_margin) for raw in raws)  # the strictest run's
    scope = results[0].verdict.scope
    rng = np.random.default_rng(len(results))
    rows = {arm: [np.asarray(row, dtype=float) for raw in raws for row in raw["outcomes_heldout"][arm]]
            for arm in raws[0]["outcomes_heldout"]}
    over = f"{len(rows['rlag'])} training seeds from {len(results)} runs"
    gain = seed_bootstrap_ci(
        [np.asarray(raw["base"]["augmented_train"], dtype=float) - np.asarray(raw["base"]["naive_train"], dtype=float)
         for raw in raws], B=B, rng=rng,
        description=f"base accuracy with snippets minus without (training questions), {len(results)} runs")
    best = best_baseline({arm: np.concatenate(arm_rows) for arm, arm_rows in rows.items() if arm != "rlag"})
    metrics = {"context_gain": gain}
    metrics |= {f"accuracy_{arm}": seed_bootstrap_ci(arm_rows, B=B, rng=rng,
                                                    description=f"{arm}: held-out closed-book accuracy, {over}")
                for arm, arm_rows in rows.items()}
    verdict = precondition(gain, margin, scope)
    headline = ["context_gain"]
    if verdict is None:
        diff = seed_bootstrap_ci([rlag - other for rlag, other in zip(rows["rlag"], rows[best])], B=B, rng=rng,
                                 description=f"held-out closed-book accuracy, RLAG minus {best}, {over}")
        metrics["rlag_minus_best_baseline"] = diff
        verdict = judge(diff, best, scope, f"95% bootstrap over {over}, then over questions")
        headline = ["rlag_minus_best_baseline", "accuracy_rlag", f"accuracy_{best}", "context_gain"]
    verdict.explanation += " Runs one by one: " + ", ".join(r.verdict.verdict.value for r in results) + "."
    return Result(metrics=metrics, headline=headline, verdict=verdict,
                  raw={"runs": len(results), "seeds": len(rows["rlag"]), "best_baseline": best,
                       "outcomes_heldout": {arm: [row.tolist() for row in arm_rows] for arm, arm_rows in rows.items()},
                       "context_margin": margin, "bootstrap": B,
                       "run_verdicts": [r.verdict.verdict.value for r in results]})
