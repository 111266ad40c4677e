"""Bootstrap confidence intervals, including a two-level bootstrap for pass@k differences.

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

from ..api import Estimate
from .passk import pass_at_k


def _interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(draws, [tail, 100.0 - tail])
    return float(low), float(high)


def _bias_corrected_interval(draws: np.ndarray, observed: float, level: float) -> tuple[float, float]:
    """The percentile interval shifted so that its median sits on the observed estimate.

    The Jeffreys redraw of the two-level bootstrap is biased where counts sit at 0 or n (a problem
    never solved in n samples is "solved" in a good share of redraws), which can move the whole
    bootstrap distribution off the point estimate. The spread of the draws is kept; their median
    bias is removed. (Efron's z0 correction degenerates when every draw lies on one side.)

    >>> _bias_corrected_interval(np.arange(101.0), 50.0, 0.9) == _interval(np.arange(101.0), 0.9)
    True
    >>> low, high = _bias_corrected_interval(np.linspace(0.2, 0.6, 401), 0.1, 0.95)  # all draws above
    >>> round(low, 3), round(high, 3)  # same width as the percentile interval, centred on 0.1
    (-0.09, 0.29)
    """
    shift = observed - float(np.median(draws))
    low, high = _interval(draws, level)
    return low + shift, high + shift


def bootstrap_ci(values: Sequence[float], stat: Callable[[np.ndarray], float] = np.mean, B: int = 2000,
                 level: float = 0.95, rng: np.random.Generator | None = None, **estimate_fields) -> Estimate:
    """Percentile bootstrap interval of ``stat`` over ``values`` (items resampled with replacement)."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("cannot bootstrap an empty sample")
    rng = rng if rng is not None else np.random.default_rng(0)
    picks = rng.integers(0, data.size, size=(B, data.size))
    draws = np.array([stat(data[row]) for row in picks])
    low, high = _interval(draws, level)
    return Estimate(value=float(stat(data)), low=low, high=high, level=level, n=int(data.size), **estimate_fields)


def paired_diff_ci(a: Sequence[float], b: Sequence[float], stat: Callable[[np.ndarray], float] = np.mean,
                   B: int = 2000, level: float = 0.95, rng: np.random.Generator | None = None,
                   **estimate_fields) -> Estimate:
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
    return Estimate(value=float(stat(a_arr) - stat(b_arr)), low=low, high=high, level=level,
                    n=int(a_arr.size), **estimate_fields)


@dataclass
class PassKComparison:
    """Δ(k) = pass@k(a) − pass@k(b) with intervals, and where a stops beating b.

    ``crossing`` holds, per bootstrap draw, the smallest k with Δ(k) <= 0 (None when Δ stays
    positive on the grid); ``crossing_observed`` is the same on the data themselves.
    """

    ks: list[int]
    delta: list[Estimate]
    crossing_observed: int | None
    crossing: list[int | None]

    def crossing_share(self) -> float:
        """Fraction of bootstrap draws in which the curves cross on the grid."""
        return sum(k is not None for k in self.crossing) / len(self.crossing)

    def crossing_estimate(self, level: float = 0.95) -> Estimate | None:
        """Percentile interval of k* over draws that cross (None when none do)."""
        crossed = np.array([k for k in self.crossing if k is not None], dtype=float)
        if crossed.size == 0:
            return None
        low, high = _interval(crossed, level)
        return Estimate(value=float(np.median(crossed)), low=low, high=high, level=level, n=int(crossed.size),
                        description="crossing point k* (median over bootstrap draws that cross)")


def _curve_matrix(counts: np.ndarray, n: int, ks: Sequence[int]) -> np.ndarray:
    """pass@k for every (problem, k): shape (len(counts), len(ks))."""
    table = {c: [pass_at_k(n, c, k) for k in ks] for c in range(n + 1)}
    return np.array([table[int(c)] for c in counts])


def _first_nonpositive(delta: np.ndarray, ks: Sequence[int]) -> int | None:
    hits = np.flatnonzero(delta <= 0)
    return int(ks[hits[0]]) if hits.size else None


def two_level_passk_bootstrap(counts_a: Sequence[int], counts_b: Sequence[int], n: int, ks: Sequence[int],
                              B: int = 1000, rng: np.random.Generator | None = None,
                              level: float = 0.95) -> PassKComparison:
    """Paired two-level bootstrap of Δ(k) = pass@k(a) − pass@k(b) over problems.

    Level 1 resamples problems (the same problems for both models, so the comparison is paired);
    level 2 redraws each problem's success rate from Beta(c + 1/2, n − c + 1/2) (Jeffreys) and its
    count from Binomial(n, p*), so the sampling noise of a finite n is carried into the interval.
    Intervals are percentile intervals recentred on the estimate (:func:`_bias_corrected_interval`),
    because that redraw is biased for problems solved 0 or n times.
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
    table = _curve_matrix(np.arange(n + 1), n, ks)  # row c = pass@k curve of a problem with c correct
    observed = table[a].mean(0) - table[b].mean(0)
    draws = np.empty((B, len(ks)))
    for i in range(B):
        problems = rng.integers(0, a.size, size=a.size)
        redrawn = [rng.binomial(n, rng.beta(c[problems] + 0.5, n - c[problems] + 0.5)) for c in (a, b)]
        draws[i] = table[redrawn[0]].mean(0) - table[redrawn[1]].mean(0)
    delta = []
    for j, k in enumerate(ks):
        low, high = _bias_corrected_interval(draws[:, j], float(observed[j]), level)
        delta.append(Estimate(value=float(observed[j]), low=low, high=high, level=level, n=int(a.size),
                              description=f"pass@{k} difference"))
    return PassKComparison(ks=ks, delta=delta, crossing_observed=_first_nonpositive(observed, ks),
                           crossing=[_first_nonpositive(row, ks) for row in draws])
