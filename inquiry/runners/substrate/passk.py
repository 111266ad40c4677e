"""The unbiased pass@k estimator (Chen et al. 2021) in its numerically stable product form.

For one problem with ``c`` correct among ``n`` samples, pass@k = 1 - C(n-c, k) / C(n, k)
= 1 - prod_{i=n-c+1}^{n} (1 - k/i); the product never overflows, unlike the binomials.

>>> round(pass_at_k(10, 3, 1), 12)
0.3
>>> round(pass_at_k(10, 3, 5), 6)   # 1 - C(7,5)/C(10,5) = 1 - 21/252
0.916667
>>> [round(v, 4) for v in pass_at_k_curve([0, 5, 10], 10, [1, 10])]
[0.5, 0.6667]
>>> log2_grid(10)
[1, 2, 4, 8, 10]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of ``k`` samples (drawn without replacement from ``n``) is correct."""
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got c={c}, n={n}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def pass_at_k_curve(counts: Sequence[int], n: int, ks: Sequence[int]) -> list[float]:
    """Mean pass@k over problems (one correct-count per problem) for each k in ``ks``."""
    if len(counts) == 0:
        raise ValueError("pass@k over zero problems is undefined")
    return [float(np.mean([pass_at_k(n, int(c), int(k)) for c in counts])) for k in ks]


def log2_grid(n: int) -> list[int]:
    """Powers of two up to ``n``, with ``n`` itself last: the ks a pass@k curve is drawn at."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    grid = [1 << i for i in range(n.bit_length()) if (1 << i) < n]
    return grid + [n]
