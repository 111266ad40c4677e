"""The wandering runner: do reasoning models fail at depth because they wander instead of searching?

Declaration only (claim, config, presets, fidelity); the experiment (:mod:`.experiment`) needs torch and
is imported by :meth:`WanderingRunner.run`.

>>> WanderingRunner().suitability("Success probability drops exponentially with problem depth.") >= 1
True
"""

from __future__ import annotations

from typing import TypeAlias

from ..api import MINIATURE_SCOPE_NOTE, FidelityCard, FidelityRow, Result, RunContext, Runner
from .config import PRESETS, Config


class WanderingRunner(Runner[Config]):
    name = "wandering"
    title = "Wandering solution explorers: success against search depth"
    version = "1"
    claim = (
        "Reasoning models explore a solution space by wandering rather than by systematic search: their steps "
        "violate validity (invalid or repeated moves) and necessity (throwing away progress), so the "
        "probability of success falls exponentially with the depth of the problem — medium problems stay "
        "solvable, deep ones become catastrophically harder — and RL that only narrows sampling does not fix "
        "a model that wanders."
    )
    source = "Lu et al. 2025, 'Reasoning LLMs are Wandering Solution Explorers', arXiv 2505.20296"
    arxiv = ("2505.20296",)
    Config: TypeAlias = Config
    presets = PRESETS
    # the RL-narrowing arm decides its own claim ("RL that only narrows sampling won't fix ..."), so it counts too
    evidence_presets = frozenset({"default", "gpu", "rl_narrowing"})
    suits = (
        r"wander",
        r"systematic (exploration|search)",
        r"exponential\w* .{0,40}depth|depth.{0,60}exponential",
        r"deep(er)? problem",
        r"validity.{0,40}necessity",
        r"problem depth",
    )
    fidelity = FidelityCard(
        rows=[
            FidelityRow(
                aspect="model",
                paper="reasoning LLMs (o3-mini, DeepSeek-R1, Qwen3, ...) prompted zero-shot",
                miniature="tiny Llama from scratch: hidden 64, 2 layers (~0.1M params); test preset hidden 48",
            ),
            FidelityRow(
                aspect="task",
                paper="search problems of growing depth (e.g. combination locks, permutations, "
                "tree search) stated in text; the model writes the whole trace",
                miniature="find a hidden d-bit code: the model acts (bit / backtrack / stop) and the environment "
                "answers ok / dead / solved inside the sampling loop",
            ),
            FidelityRow(
                aspect="wandering",
                paper="emerges from the models' training; diagnosed from traces",
                miniature="put there by pretraining: half the episodes come from a teacher that violates "
                "validity/necessity with probability 0.15 per action, half from a depth-first teacher",
            ),
            FidelityRow(
                aspect="depths",
                paper="increasing problem sizes, no notion of a trained range",
                miniature="trained on 2–5 bits, evaluated on 2–10 (budget 4 actions per bit)",
            ),
            FidelityRow(
                aspect="analysis",
                paper="success vs depth and a theoretical bound (exponential decay)",
                miniature="registered ΔAIC between a geometric and a cliff model of success vs depth; "
                "violations per action within vs beyond the trained range",
            ),
            FidelityRow(
                aspect="RL",
                paper="argued, not run: RL that narrows sampling will not fix wandering",
                miniature="arm rl: outcome-reward GRPO (Dr.GRPO advantages, on-policy) on 2–5-bit codes, "
                "violations measured at 6–10 bits",
            ),
            FidelityRow(
                aspect="n / seeds",
                paper="tens of instances per size",
                miniature="200 episodes per depth (test: 60), one seed; episodes resampled within depth for intervals",
            ),
        ],
        caveats=[
            "The miniature's wandering is a property of its teacher, so the depth arm tests whether a constant "
            "per-action violation rate carries over to unseen depths and produces geometric (not cliff-like) "
            "decay; it does not test why real models wander.",
            "The environment reveals dead ends immediately, so the state a systematic explorer must track is short; "
            "real search problems require tracking more state as depth grows, which could make violations rise "
            "with depth.",
            "In the miniature every decision is local (the same few states recur at every depth), so outcome RL on "
            "shallow codes can generalise to deep ones; the rl arm measures whether it does.",
            MINIATURE_SCOPE_NOTE,
        ],
    )

    def run(self, config: Config, context: RunContext) -> Result:
        from .experiment import run_wandering  # torch: imported only to run

        return run_wandering(config, context, self.registration())

    def pool(self, results: list[Result]) -> Result:
        """A seed sweep of the depth arm pooled on the per-episode counts (:mod:`.pool`); otherwise conservatively."""
        from .pool import pool_seeds, poolable

        if not poolable(results):
            return super().pool(results)
        return pool_seeds(results, self.registration().thresholds)
