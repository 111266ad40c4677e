"""A small real runner kept for tests and smoke checks: pass@k of a freshly trained tiny model.

It pretrains a tiny Llama on noisy addition for a few seconds, samples ``n`` answers per held-out
problem, and tests the claim that more attempts solve more problems (pass@n > pass@1), with a
bootstrap interval over problems. Everything is real computation, and it calls
``check_cancelled`` and ``progress`` every step so the run machinery can be exercised on it.

This module is the declaration and the statistics (numpy only; the config is :mod:`.config`); the
training and sampling live in :mod:`.experiment`, imported by :meth:`ProbeRunner.run`, so listing
runners stays fast.
"""

from __future__ import annotations

import json
from typing import TypeAlias

import numpy as np

from ...models import Verdict
from ..api import (
    MINIATURE_SCOPE_NOTE,
    Artifact,
    FidelityCard,
    FidelityRow,
    Result,
    RunContext,
    Runner,
    Series,
    Table,
    VerdictReport,
)
from ..pooling import seed_bootstrap_ci
from ..substrate import bootstrap_ci, log2_grid, paired_diff_ci, pass_at_k
from .config import PRESETS, Config


class ProbeRunner(Runner[Config]):
    name = "probe"
    title = "pass@k of a freshly trained tiny model (test probe)"
    version = "1"
    claim = (
        "Sampling more attempts solves more problems: for a model with a broad answer distribution, "
        "pass@k grows with k, so pass@n clearly exceeds pass@1."
    )
    source = "Chen et al. 2021, 'Evaluating Large Language Models Trained on Code', arXiv 2107.03374"
    arxiv = ("2107.03374",)
    Config: TypeAlias = Config
    presets = PRESETS
    diagnostic = True  # it checks the measuring chain; its verdicts never count toward a claim's status
    # A diagnostic of the measuring chain: it is suggested only for claims that say exactly what it
    # measures, never for a literature claim that merely mentions pass@k (its verdict would read as
    # evidence about that claim).
    suits = (r"pass@\s*k\s+(rises|grows|increases)\s+with\s+k", r"more (samples|attempts) solve more")
    fidelity = FidelityCard(
        rows=[
            FidelityRow(
                aspect="model",
                paper="Codex (12M-12B parameter GPT models)",
                miniature="tiny LlamaForCausalLM (about 30k-110k parameters), char tokenizer",
            ),
            FidelityRow(
                aspect="data",
                paper="HumanEval: 164 Python problems with unit tests",
                miniature="held-out a+b= problems, exact-match verifier",
            ),
            FidelityRow(
                aspect="sampling",
                paper="n=200 per problem, T in {0.2, 0.6, 0.8}, top-p 0.95",
                miniature="n per problem from the config, temperature from the config, no top-p",
            ),
            FidelityRow(
                aspect="estimator",
                paper="unbiased pass@k, product form",
                miniature="the same estimator; bootstrap intervals over problems",
            ),
            FidelityRow(aspect="seeds", paper="not reported", miniature="one seed per run"),
        ],
        caveats=[
            "A briefly trained model on noisy data has a broad answer distribution by construction; "
            "the probe checks the measuring chain, not a property of large code models.",
            MINIATURE_SCOPE_NOTE,
        ],
    )

    def run(self, config: Config, context: RunContext) -> Result:
        from .experiment import measure  # torch and transformers: imported only to run

        test, counts, examples = measure(self.name, self.version, config, context)
        return self._result(config, context, test, counts, examples)

    def _result(self, config, context, test, counts, examples) -> Result:
        rng = np.random.default_rng(context.seed)
        n = config.n
        ks = log2_grid(n)
        per_problem = {k: [pass_at_k(n, c, k) for c in counts] for k in ks}
        curve = [bootstrap_ci(per_problem[k], B=config.bootstrap, rng=rng) for k in ks]
        gain = paired_diff_ci(
            per_problem[n],
            per_problem[1],
            B=config.bootstrap,
            rng=rng,
            description=f"pass@{n} − pass@1 over held-out problems",
        )
        verdict = self._verdict(n, config.min_gain, curve[-1].value, gain)
        samples_path = context.artifact_dir / "samples.jsonl"
        samples_path.write_text("".join(json.dumps(e) + "\n" for e in examples))
        metrics = {
            "pass@1": curve[0].model_copy(update={"description": "share of single samples that are right"}),
            f"pass@{n}": curve[-1].model_copy(update={"description": f"share of problems solved within {n}"}),
            "gain": gain,
        }
        return Result(
            metrics=metrics,
            headline=["gain", "pass@1", f"pass@{n}"],
            series=[Series.band("pass@k", ks, curve, x_label="k", y_label="pass@k", log_x=True)],
            tables=[
                Table(
                    name="pass@k",
                    columns=["k", "pass@k", "low", "high"],
                    rows=[[k, e.value, e.low, e.high] for k, e in zip(ks, curve)],
                )
            ],
            artifacts=[
                Artifact(
                    name="samples",
                    path=samples_path.name,
                    kind="samples",
                    description="up to 8 decoded samples per held-out problem",
                )
            ],
            raw={
                "n": n,
                "ks": ks,
                "problems": [p.prompt for p in test],
                "answers": [p.answer for p in test],
                "correct_counts": counts,
                "min_gain": config.min_gain,
                "bootstrap": config.bootstrap,
            },
            verdict=verdict,
        )

    def pool(self, results: list[Result]) -> Result:
        """Pool seeds on the raw per-problem counts: seeds-then-problems bootstrap, the same verdict rule.

        Results from different ``n`` (or without raw counts) fall back to the conservative default.
        """
        raws = [r.raw for r in results]
        if len(results) < 2 or any("correct_counts" not in raw for raw in raws) or len({raw["n"] for raw in raws}) != 1:
            return super().pool(results)
        n = raws[0]["n"]
        per_k = {k: [[pass_at_k(n, c, k) for c in raw["correct_counts"]] for raw in raws] for k in (1, n)}
        gains = [[a - b for a, b in zip(at_n, at_1)] for at_n, at_1 in zip(per_k[n], per_k[1])]
        B = max(raw.get("bootstrap", Config().bootstrap) for raw in raws)
        rng = np.random.default_rng(len(results))
        seeds = f"{len(results)} seeds"
        pass_1 = seed_bootstrap_ci(per_k[1], B=B, rng=rng, description=f"pass@1 pooled over {seeds}")
        pass_n = seed_bootstrap_ci(per_k[n], B=B, rng=rng, description=f"pass@{n} pooled over {seeds}")
        gain = seed_bootstrap_ci(gains, B=B, rng=rng, description=f"pass@{n} − pass@1 over {seeds} × held-out problems")
        min_gain = min(raw.get("min_gain", Config().min_gain) for raw in raws)
        verdict = self._verdict(n, min_gain, pass_n.value, gain)
        verdict.explanation += (
            f" (seed-level bootstrap over {seeds}: " + ", ".join(r.verdict.verdict.value for r in results) + ")"
        )
        return Result(
            metrics={"pass@1": pass_1, f"pass@{n}": pass_n, "gain": gain},
            headline=["gain", "pass@1", f"pass@{n}"],
            raw={
                "n": n,
                "seeds": len(results),
                "correct_counts": [raw["correct_counts"] for raw in raws],
                "min_gain": min_gain,
                "bootstrap": B,
            },
            verdict=verdict,
        )

    @staticmethod
    def _verdict(n: int, min_gain: float, pass_at_n: float, gain) -> VerdictReport:
        if pass_at_n == 0:
            return VerdictReport(
                verdict=Verdict.INCONCLUSIVE,
                reason="precondition_failed:model_solves_nothing",
                explanation=f"No held-out problem was solved in {n} samples; "
                "train longer before asking how pass@k grows.",
            )
        if gain.low is not None and gain.low > 0:
            return VerdictReport(
                verdict=Verdict.SUPPORTS,
                reason="ci_excludes_zero_positive",
                explanation=f"pass@{n} − pass@1 = {gain} lies above 0.",
            )
        if gain.high is not None and gain.high < min_gain:
            return VerdictReport(
                verdict=Verdict.CONTRADICTS,
                reason="ci_below_min_gain",
                explanation=f"pass@{n} − pass@1 = {gain} lies below {min_gain}: more samples did not help.",
            )
        return VerdictReport(
            verdict=Verdict.INCONCLUSIVE,
            reason="ci_covers_zero",
            explanation=f"pass@{n} − pass@1 = {gain}: the interval is too wide to tell.",
        )
