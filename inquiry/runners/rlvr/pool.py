"""Pooling a seed sweep of pass@k runs into one verdict, on the runs' per-problem counts.

Each pass@k run (miniature, or eval-only on checkpoints) keeps in ``Result.raw`` how many of ``n``
samples were correct on each held-out problem, for the base and for the RL model. Per problem,
Δ(k) = pass@k(RL) − pass@k(base) is paired within a seed (each miniature seed draws its own
split, trains its own base and RL model); its intervals resample seeds, then problems within each
drawn seed (:func:`~inquiry.runners.pooling.seed_bootstrap_ci`), so they cover the seed-to-seed
spread of training as well as the problem-to-problem one. The pre-registered pass@k rule
(:func:`.verdict.passk_verdict`) then decides on the pooled intervals, unchanged. The other
variants, and results without the counts, pool conservatively (:func:`not_pooled`).

>>> from inquiry.runners.api import Result, VerdictReport
>>> def seed(base, rl):
...     raw = {"seed": 0, "n": 64, "bootstrap": 300, "held_out": {"base": base, "rl": rl}}
...     return Result(raw=raw, verdict=VerdictReport(verdict="supports", reason="r", explanation="e"))
>>> sharpened = seed([8] * 60, [40] * 40 + [0] * 20)  # RL sharp on 2/3 of the problems, lost the rest
>>> pooled = pool_passk([sharpened, sharpened])
>>> pooled.verdict.reason, round(pooled.metrics["delta_pass1"].value, 3), pooled.metrics["delta_pass64"].n
('rl_wins_at_1_base_wins_at_n', 0.292, 120)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..api import Estimate, Result, Series
from ..pooling import seed_bootstrap_ci
from ..substrate import log2_grid, pass_at_k
from ..substrate.stats import PassKComparison, crossing_point
from .config import Config
from .verdict import PassKEvidence, passk_verdict

PASSK_ARMS = {"base", "rl"}  # the held-out arms of the pass@k variant (and of eval-only)


def why_not_poolable(results: Sequence[Result]) -> str | None:
    """None when the results pool on their counts, else why not, in words for the verdict's explanation."""
    if len(results) < 2:
        return f"{len(results)} result(s), and pooling on counts needs at least two seeds"
    raws = [r.raw for r in results]
    if any("n" not in raw or not isinstance(raw.get("held_out"), dict) for raw in raws):
        return "some results keep no per-problem held-out counts in their raw output"
    arms = {tuple(sorted(raw["held_out"])) for raw in raws}
    if arms != {tuple(sorted(PASSK_ARMS))}:
        named = "; ".join(", ".join(a) for a in sorted(arms))
        return (
            f"held-out arms ({named}) are not the pass@k variant's base and RL; the other variants' "
            "rules are not pooled on counts"
        )
    if len({raw["n"] for raw in raws}) > 1:
        return f"the runs sampled different n ({', '.join(str(raw['n']) for raw in raws)})"
    if len({r.verdict.scope for r in results}) > 1:
        return "the runs measured different models (scopes " + ", ".join(r.verdict.scope for r in results) + ")"
    return None


def not_pooled(conservative: Result, why: str) -> Result:
    """The conservative pooling, its reason and explanation saying why the counts were not pooled."""
    report = conservative.verdict
    explanation = f"Not pooled on per-problem counts: {why}. Pooled conservatively instead: {report.explanation}"
    return conservative.model_copy(
        update={
            "verdict": report.model_copy(
                update={"reason": f"not_pooled_on_counts:{report.reason}", "explanation": explanation}
            )
        }
    )


def pool_passk(results: Sequence[Result]) -> Result:
    """One result for several seeds of the pass@k variant: seeds-then-problems intervals, the same rule."""
    raws = [r.raw for r in results]
    n = raws[0]["n"]
    B = max(raw.get("bootstrap", Config().bootstrap) for raw in raws)
    ks = log2_grid(n)
    curve = np.array([[pass_at_k(n, c, k) for k in ks] for c in range(n + 1)])  # row c: pass@k with c correct
    base = [np.asarray(raw["held_out"]["base"], dtype=int) for raw in raws]
    rl = [np.asarray(raw["held_out"]["rl"], dtype=int) for raw in raws]
    over = f"{len(raws)} seeds × held-out problems"

    def pooled(per_seed: list[np.ndarray], description: str) -> Estimate:
        # the same generator seed for every statistic: all of them see the same seed and problem resamples
        return seed_bootstrap_ci(
            per_seed, B=B, rng=np.random.default_rng(len(raws)), description=f"{description}, {over}"
        )

    delta = [
        pooled([curve[r, j] - curve[b, j] for b, r in zip(base, rl)], f"pass@{k}(RL) − pass@{k}(base)")
        for j, k in enumerate(ks)
    ]
    # the per-draw crossings need the joint draws, which seed_bootstrap_ci does not return: none recorded
    comparison = PassKComparison(
        ks=ks, delta=delta, crossing=[], crossing_observed=crossing_point([d.value for d in delta], ks)
    )
    evidence = PassKEvidence(
        n=n,
        comparison=comparison,
        rl_only=pooled(
            [((b == 0) & (r > 0)).astype(float) for b, r in zip(base, rl)],
            f"share of problems solved only by RL (>= 1 of {n})",
        ),
    )
    metrics = {"delta_pass1": delta[0], f"delta_pass{n}": delta[-1], "rl_only_share": evidence.rl_only}
    for k, j in ((1, 0), (n, len(ks) - 1)):
        metrics[f"pass{k}_base"] = pooled([curve[b, j] for b in base], f"base pass@{k} (held-out)")
        metrics[f"pass{k}_rl"] = pooled([curve[r, j] for r in rl], f"RL pass@{k} (held-out)")
    truncated = [raw["truncated"] for raw in raws if "truncated" in raw]
    evidence.truncated = max(truncated) if truncated else None
    if all("guess_rates" in raw for raw in raws):
        guess_n = [1 - (1 - np.asarray(raw["guess_rates"], dtype=float)) ** n for raw in raws]
        evidence.base_over_guesser = pooled(
            [curve[b, -1] - g for b, g in zip(base, guess_n)], f"pass@{n}(base) − pass@{n}(uniform guesser)"
        )
        evidence.guess_pass_1 = float(np.mean(np.concatenate([raw["guess_rates"] for raw in raws])))
        evidence.guess_pass_n = float(np.mean(np.concatenate(guess_n)))
        metrics[f"base_minus_guess_pass{n}"] = evidence.base_over_guesser
        metrics[f"guess_pass{n}"] = Estimate(
            value=evidence.guess_pass_n, description=f"uniform guesser pass@{n} (exact), mean over {over}"
        )
    if comparison.crossing_observed is not None:
        metrics["crossing_k"] = Estimate(
            value=comparison.crossing_observed, description="k* where pooled Δ(k) reaches 0, interpolated on log2 k"
        )
    verdict = passk_verdict(evidence, scope=results[0].verdict.scope)
    verdict.explanation += (
        f" (seed-level bootstrap over {len(raws)} seeds, then problems; by seed: "
        + ", ".join(r.verdict.verdict.value for r in results)
        + ")"
    )
    series = [
        Series.band(
            "Δ pass@k, RL − base (pooled)",
            ks,
            delta,
            x_label="k (samples)",
            y_label="Δ pass@k",
            log_x=True,
            chart="pooled Δ pass@k",
        )
    ]
    return Result(
        metrics=metrics,
        series=series,
        verdict=verdict,
        headline=[
            "delta_pass1",
            f"delta_pass{n}",
            "pass1_base",
            "pass1_rl",
            f"pass{n}_base",
            f"pass{n}_rl",
            "rl_only_share",
        ],
        raw={
            "seeds": [raw.get("seed") for raw in raws],
            "n": n,
            "bootstrap": B,
            "held_out": {"base": [b.tolist() for b in base], "rl": [r.tolist() for r in rl]},
            "seed_verdicts": [r.verdict.verdict.value for r in results],
        },
    )
