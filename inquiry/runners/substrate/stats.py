"""Bootstrap confidence intervals: items resampled with replacement, paired where two arms share items.

Everything takes a ``numpy.random.Generator`` so runs are reproducible from the runner's seed.

>>> rng = np.random.default_rng(0)
>>> est = bootstrap_ci([1.0, 2.0, 3.0, 4.0], rng=rng)
>>> est.value, est.low <= 2.5 <= est.high
(2.5, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..api import Estimate
from .passk import pass_at_k


def _interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(draws, [tail, 100.0 - tail])
    return float(low), float(high)


def bootstrap_ci(
    values: ArrayLike,
    stat: Callable[[np.ndarray], float] = np.mean,
    B: int = 2000,
    level: float = 0.95,
    rng: np.random.Generator | None = None,
    **estimate_fields,
) -> Estimate:
    """Percentile bootstrap interval of ``stat`` over ``values`` (items resampled with replacement)."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("cannot bootstrap an empty sample")
    rng = rng if rng is not None else np.random.default_rng(0)
    picks = rng.integers(0, data.size, size=(B, data.size))
    draws = np.array([stat(data[row]) for row in picks])
    low, high = _interval(draws, level)
    return Estimate(value=float(stat(data)), low=low, high=high, level=level, n=int(data.size), **estimate_fields)


def paired_diff_ci(
    a: ArrayLike,
    b: ArrayLike,
    stat: Callable[[np.ndarray], float] = np.mean,
    B: int = 2000,
    level: float = 0.95,
    rng: np.random.Generator | None = None,
    **estimate_fields,
) -> Estimate:
    """Bootstrap interval of ``stat(a) - stat(b)`` with items resampled jointly (a[i] pairs with b[i])."""
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a_arr.shape != b_arr.shape:
        raise ValueError(f"paired samples need equal lengths, got {a_arr.size} and {b_arr.size}")
    if a_arr.size == 0:
        raise ValueError("cannot bootstrap an empty sample")
    rng = rng if rng is not None else np.random.default_rng(0)
    picks = rng.integers(0, a_arr.size, size=(B, a_arr.size))
    draws = np.array([stat(a_arr[row]) - stat(b_arr[row]) for row in picks])
    low, high = _interval(draws, level)
    return Estimate(
        value=float(stat(a_arr) - stat(b_arr)), low=low, high=high, level=level, n=int(a_arr.size), **estimate_fields
    )


@dataclass
class PassKComparison:
    """Δ(k) = pass@k(a) − pass@k(b) with intervals, and where a stops beating b.

    ``crossing`` holds, per bootstrap draw, the crossing point k* (see :func:`crossing_point`; None
    when Δ stays positive on the grid); ``crossing_observed`` is the same on the data themselves.
    """

    ks: list[int]
    delta: list[Estimate]
    crossing_observed: float | None
    crossing: list[float | None]

    def crossing_share(self) -> float | None:
        """Fraction of bootstrap draws in which the curves cross on the grid (None without draws)."""
        if not self.crossing:
            return None
        return sum(k is not None for k in self.crossing) / len(self.crossing)

    def crossing_estimate(self, level: float = 0.95) -> Estimate | None:
        """k* on the data, with the percentile interval of k* over the draws that cross (None when
        the data's own curves do not cross). Read it with :meth:`crossing_share`: the interval
        speaks only for that share of the draws."""
        if self.crossing_observed is None:
            return None
        crossed = np.array([k for k in self.crossing if k is not None], dtype=float)
        share = self.crossing_share()
        low, high = _interval(crossed, level) if crossed.size else (None, None)
        return Estimate(
            value=float(self.crossing_observed),
            low=low,
            high=high,
            level=level,
            n=int(crossed.size),
            description=f"crossing point k* (log2-interpolated); interval over the "
            f"{share if share is not None else 0:.0%} of bootstrap draws that cross",
        )


def crossing_point(delta: Sequence[float], ks: Sequence[int]) -> float | None:
    """Where Δ(k) first reaches 0, interpolated linearly in log2 k between the grid points around it.

    None when Δ stays positive on the whole grid; ``ks[0]`` when it starts at or below 0.

    >>> crossing_point([0.3, 0.1, -0.1], [1, 2, 4])  # halfway between log2 2 and log2 4
    2.8284271247461903
    >>> crossing_point([0.3, 0.2], [1, 2]) is None, crossing_point([-0.1, 0.2], [1, 2])
    (True, 1.0)
    """
    values = np.asarray(delta, dtype=float)
    hits = np.flatnonzero(values <= 0)
    if hits.size == 0:
        return None
    j = int(hits[0])
    if j == 0:
        return float(ks[0])
    before, after = values[j - 1], values[j]
    t = before / (before - after)
    log_k = np.log2(ks[j - 1]) + t * (np.log2(ks[j]) - np.log2(ks[j - 1]))
    return float(2.0**log_k)


def passk_table(n: int, ks: Sequence[int]) -> np.ndarray:
    """pass@k for every count c in 0..n (rows) and k in ``ks`` (columns)."""
    return np.array([[pass_at_k(n, c, int(k)) for k in ks] for c in range(n + 1)])


def paired_passk_bootstrap(
    counts_a: Sequence[int],
    counts_b: Sequence[int],
    n: int,
    ks: Sequence[int],
    B: int = 1000,
    rng: np.random.Generator | None = None,
    level: float = 0.95,
) -> PassKComparison:
    """Paired problem-level bootstrap of Δ(k) = pass@k(a) − pass@k(b).

    Each draw resamples problems with replacement, the same problems for both arms (each problem's
    per-k values are the unbiased estimator on its own n samples); intervals are plain percentile
    intervals, with no recentring. A coverage simulation in ``tests/test_substrate_passk.py`` keeps
    this honest; the earlier two-level variant (problems, then a Beta-Binomial redraw) counted the
    within-problem noise twice, was biased where c = 0, and covered no better.
    """
    a, b = np.asarray(counts_a, dtype=int), np.asarray(counts_b, dtype=int)
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"need equal, non-empty per-problem counts, got {a.size} and {b.size}")
    if a.min() < 0 or b.min() < 0 or a.max() > n or b.max() > n:
        raise ValueError(f"counts must lie in [0, {n}]")
    ks = [int(k) for k in ks]
    if any(not 1 <= k <= n for k in ks):
        raise ValueError(f"every k must lie in [1, {n}], got {ks}")
    rng = rng if rng is not None else np.random.default_rng(0)
    table = passk_table(n, ks)
    per_problem = table[a] - table[b]  # (problems, ks)
    observed = per_problem.mean(0)
    picks = rng.integers(0, a.size, size=(B, a.size))
    draws = per_problem[picks].mean(1)  # (B, ks)
    delta = []
    for j, k in enumerate(ks):
        low, high = _interval(draws[:, j], level)
        delta.append(
            Estimate(
                value=float(observed[j]),
                low=low,
                high=high,
                level=level,
                n=int(a.size),
                description=f"pass@{k} difference",
            )
        )
    return PassKComparison(
        ks=ks,
        delta=delta,
        crossing_observed=crossing_point(observed, ks),
        crossing=[crossing_point(row, ks) for row in draws],
    )
