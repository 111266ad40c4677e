"""Pooling several seeds' results of one runner and config into one result.

:func:`seed_bootstrap_ci`, a two-level bootstrap (resample seeds, then items within each drawn
seed) for runners whose ``Result.raw`` keeps per-item outcomes, so the interval covers the
seed-to-seed spread as well as the item-to-item one. Runners that do not pool their raw data keep
the default :meth:`~inquiry.runners.api.Runner.pool` (:func:`~inquiry.runners.api.pool_conservatively`).

>>> import numpy as np
>>> est = seed_bootstrap_ci([[1, 1, 0, 1], [1, 0, 1, 1], [0, 1, 1, 1]], B=500, rng=np.random.default_rng(0))
>>> est.value, est.n, est.low <= est.value <= est.high
(0.75, 12, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from .api import Estimate


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
