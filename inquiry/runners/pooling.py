"""Pooling several seeds' results of one runner and config into one result.

Two tools: :func:`seed_bootstrap_ci`, a two-level bootstrap (resample seeds, then items within each
drawn seed) for runners whose ``Result.raw`` keeps per-item outcomes, so the interval covers the
seed-to-seed spread as well as the item-to-item one; and :func:`pool_conservatively`, the default
:meth:`~inquiry.runners.api.Runner.pool` for runners that do not pool their raw data: the pooled
verdict *supports* (or *contradicts*) only when every seed says so, else it is *inconclusive*.

>>> import numpy as np
>>> est = seed_bootstrap_ci([[1, 1, 0, 1], [1, 0, 1, 1], [0, 1, 1, 1]], B=500, rng=np.random.default_rng(0))
>>> est.value, est.n, est.low <= est.value <= est.high
(0.75, 12, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ..models import Verdict
from .api import Estimate, Result, VerdictReport


def seed_bootstrap_ci(
    per_seed: Sequence[ArrayLike],
    B: int = 2000,
    level: float = 0.95,
    rng: np.random.Generator | None = None,
    **estimate_fields,
) -> Estimate:
    """Mean over all items of all seeds, with a seeds-then-items percentile bootstrap interval.

    Each resample draws as many seeds as there are, with replacement, then for each drawn seed
    as many of its items as it has, with replacement, and takes the item-weighted mean.
    """
    seeds = [np.asarray(values, dtype=float) for values in per_seed]
    if not seeds or any(values.size == 0 for values in seeds):
        raise ValueError("pooling needs at least one seed, each with at least one item")
    rng = rng if rng is not None else np.random.default_rng(0)
    sizes = np.array([values.size for values in seeds], dtype=float)
    # item-level resample of every seed, B times: sums[s, b] is the sum of seed s's b-th resample
    sums = np.stack([values[rng.integers(0, values.size, size=(B, values.size))].sum(axis=1) for values in seeds])
    drawn = rng.integers(0, len(seeds), size=(B, len(seeds)))  # seed-level resample
    columns = np.arange(B)[:, None]
    draws = sums[drawn, columns].sum(axis=1) / sizes[drawn].sum(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    value = float(np.concatenate(seeds).mean())
    return Estimate(value=value, low=float(low), high=float(high), level=level, n=int(sizes.sum()), **estimate_fields)


def pool_conservatively(results: Sequence[Result]) -> Result:
    """The default pooling: a verdict holds only if every seed gives it; metrics keep the seeds' envelope.

    Each metric present in every result becomes the mean of the seeds' values with the widest
    interval any seed had (a conservative envelope, not a new bootstrap).

    >>> from inquiry.runners.api import Estimate, Result, VerdictReport
    >>> def seed(verdict, value):
    ...     return Result(metrics={"gain": Estimate(value=value, low=value - 0.1, high=value + 0.1)},
    ...                   verdict=VerdictReport(verdict=verdict, reason="r", explanation="e"))
    >>> pooled = pool_conservatively([seed("supports", 0.3), seed("supports", 0.5)])
    >>> pooled.verdict.verdict.value, round(pooled.metrics["gain"].value, 3), round(pooled.metrics["gain"].low, 3)
    ('supports', 0.4, 0.2)
    >>> pool_conservatively([seed("supports", 0.3), seed("inconclusive", 0.0)]).verdict.reason
    'seeds_disagree'
    """
    if not results:
        raise ValueError("nothing to pool")
    verdicts = [r.verdict.verdict for r in results]
    words = ", ".join(v.value for v in verdicts)
    if len(set(verdicts)) == 1:
        verdict, reason = verdicts[0], "all_seeds_agree"
        explanation = f"All {len(results)} seeds say {verdicts[0].value}."
    else:
        verdict, reason = Verdict.INCONCLUSIVE, "seeds_disagree"
        explanation = f"The seeds disagree ({words}); the pooled verdict stays inconclusive."
    shared = [key for key in results[0].metrics if all(key in r.metrics for r in results)]
    metrics = {}
    for key in shared:
        estimates = [r.metrics[key] for r in results]
        lows = [e.low for e in estimates if e.low is not None]
        highs = [e.high for e in estimates if e.high is not None]
        metrics[key] = estimates[0].model_copy(
            update={
                "value": float(np.mean([e.value for e in estimates])),
                "low": min(lows) if len(lows) == len(estimates) else None,
                "high": max(highs) if len(highs) == len(estimates) else None,
                "description": f"mean over {len(results)} seeds, widest seed interval",
            }
        )
    scope = results[0].verdict.scope
    return Result(
        metrics=metrics,
        headline=[k for k in results[0].headline if k in metrics],
        raw={"seeds": len(results), "seed_verdicts": [v.value for v in verdicts]},
        verdict=VerdictReport(verdict=verdict, reason=reason, explanation=explanation, scope=scope),
    )
