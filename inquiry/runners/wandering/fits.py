"""The registered model comparison: geometric decay against a length-generalisation cliff.

Both models have two free parameters and are fitted by binomial maximum likelihood to the successes
per depth, so ΔAIC = AIC(cliff) − AIC(geometric) is twice the difference of their log-likelihoods
(> 0 favours the geometric model):

- geometric: s(d) = a · q^(d − d_min), a, q ∈ (0, 1] — a constant per-level hazard 1 − q;
- cliff: s(d) = a / (1 + exp(κ (d − c))), a ∈ (0, 1], c the depth where success halves, κ fixed in the
  registration (a sharp drop, not a gradual one).

Fitting is a grid search refined twice around the best point (9 depths make it cheap), so bootstrap refits are fast.

>>> depths = np.arange(2, 11); n = np.full(9, 400)
>>> k = np.round(n * 0.9 * 0.85 ** (depths - 2)).astype(int)
>>> fit = compare(depths, k, n, steepness=3.0)
>>> round(fit.q, 2), fit.delta_aic > 10
(0.85, True)
>>> k = np.where(depths <= 5, 380, 8)
>>> compare(depths, k, n, steepness=3.0).delta_aic < -10
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EPS = 1e-9
_A = np.linspace(0.0, 1.0, 41)[1:]
_Q = np.linspace(0.0, 1.0, 51)[1:]


@dataclass
class Comparison:
    a: float  # geometric: success at the shallowest depth
    q: float  # geometric: per-level retention
    cliff_a: float
    cliff_c: float
    loglik_geometric: float
    loglik_cliff: float

    @property
    def delta_aic(self) -> float:
        """AIC(cliff) − AIC(geometric); both have two parameters, so it is 2 · Δ log-likelihood."""
        return 2.0 * (self.loglik_geometric - self.loglik_cliff)


def _loglik(p: np.ndarray, k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Binomial log-likelihood (without the constant) summed over the last axis (depths)."""
    p = np.clip(p, _EPS, 1 - _EPS)
    return (k * np.log(p) + (n - k) * np.log1p(-p)).sum(-1)


def fit_geometric(depths: np.ndarray, k: np.ndarray, n: np.ndarray) -> tuple[float, float, float]:
    """(a, q, log-likelihood) of s(d) = a · q^(d − d_min)."""
    steps = depths - depths.min()
    grid_a, grid_q = _A, _Q
    for width in (0.025, 0.02 / 20, 0.001 / 20):  # coarse grid, then two finer ones around the best point
        curves = grid_a[:, None, None] * grid_q[None, :, None] ** steps[None, None, :]
        ll = _loglik(curves, k, n)
        i, j = np.unravel_index(np.argmax(ll), ll.shape)
        a, q = grid_a[i], grid_q[j]
        grid_a = np.clip(a + width * np.arange(-20, 21), 1e-4, 1.0)
        grid_q = np.clip(q + width * np.arange(-20, 21), 1e-4, 1.0)
    return float(a), float(q), float(ll[i, j])


def fit_cliff(depths: np.ndarray, k: np.ndarray, n: np.ndarray, steepness: float) -> tuple[float, float, float]:
    """(a, c, log-likelihood) of s(d) = a / (1 + exp(κ (d − c)))."""
    grid_a, grid_c = _A, np.linspace(depths.min() - 4, depths.max() + 4, 81)
    for width_a, width_c in ((0.025, 0.1), (0.001, 0.005)):
        curves = grid_a[:, None, None] / (1 + np.exp(steepness * (depths[None, None, :] - grid_c[None, :, None])))
        ll = _loglik(curves, k, n)
        i, j = np.unravel_index(np.argmax(ll), ll.shape)
        a, c = grid_a[i], grid_c[j]
        grid_a = np.clip(a + width_a * np.arange(-25, 26), 1e-4, 1.0)
        grid_c = c + width_c * np.arange(-25, 26)
    return float(a), float(c), float(ll[i, j])


def compare(depths, k, n, *, steepness: float) -> Comparison:
    depths, k, n = (np.asarray(x, dtype=float) for x in (depths, k, n))
    a, q, llg = fit_geometric(depths, k, n)
    ca, cc, llc = fit_cliff(depths, k, n, steepness)
    return Comparison(a=a, q=q, cliff_a=ca, cliff_c=cc, loglik_geometric=llg, loglik_cliff=llc)


def bootstrap_q(outcomes: list[np.ndarray], depths: np.ndarray, B: int, rng: np.random.Generator) -> np.ndarray:
    """Geometric q refitted on B resamples of the episodes (resampled within each depth)."""
    n = np.array([len(o) for o in outcomes], dtype=float)
    qs = np.empty(B)
    for b in range(B):
        k = np.array([o[rng.integers(0, len(o), len(o))].sum() for o in outcomes], dtype=float)
        qs[b] = fit_geometric(np.asarray(depths, dtype=float), k, n)[1]
    return qs
