"""The RLVR runner: does RL expand what a model can solve, or only sharpen it? (pass@k curves)

This module is the declaration (claim, config, presets, fidelity) and the seed pooling
(:mod:`.pool`); the experiment itself is :mod:`.experiment`, imported by :meth:`RLVRRunner.run`
because it needs torch.

>>> RLVRRunner().suitability("Does RLVR expand the reasoning boundary at large pass@k?") >= 2
True
"""

from __future__ import annotations

from typing import TypeAlias

from ..api import MINIATURE_SCOPE_NOTE, FidelityCard, FidelityRow, Result, RunContext, Runner
from .config import PRESETS, Config
from .pool import not_pooled, pool_passk, why_not_poolable


class RLVRRunner(Runner[Config]):
    name = "rlvr"
    # registration.yaml v2: preconditions, the chains task, the distillation control; v3: the sparsity tolerance and
    # registered precisions moved from constants in code into the file
    version = "3"
    title = "RLVR: does RL expand what a model can solve, or only sharpen it? (pass@k curves)"
    claim = (
        "RL with verifiable rewards (RLVR) raises pass@1 but does not make the model solve problems its base "
        "could not: sampled enough times (large k), the base model solves as many or more problems, so RL "
        "sharpens the base's distribution toward paths it already had instead of expanding its reasoning "
        "boundary. Variants test related claims: RL on a single training example recovers most of the "
        "full-set gain; spurious (random, format-only, incorrect-label) rewards improve a model whose "
        "accurate solution style is high-prior, through GRPO's clipping bias; RL updates only a small "
        "fraction of the parameters."
    )
    source = (
        "Yue et al. 2025, arXiv 2504.13837 (+ Wang et al. 2504.20571, Shao et al. 2506.10947, "
        "Mukherjee et al. 2505.11711)"
    )
    arxiv = ("2504.13837", "2504.20571", "2506.10947", "2505.11711")
    Config: TypeAlias = Config
    presets = PRESETS
    # the variants test their own claims (Wang, Shao, Mukherjee) and `distillation` the seed's distillation claim;
    # `test` and `control` never count
    evidence_presets = frozenset(
        {"default", "gpu", "gpu_checkpoint", "one_example", "spurious", "sparsity", "distillation"}
    )
    suits = (
        r"pass@\s*k",
        r"expand\w*\b.{0,60}\b(solv|reason|capab|boundar)",
        r"reasoning (capacity|boundary)",
        r"sampling efficiency",
        r"single (training )?example|one(-| )(shot|example)",
        r"spurious reward|random reward",
        r"fraction of (the )?parameters|sparse (subnetwork|update)",
        r"\bRLVR\b",
        r"sharpen",
    )
    fidelity = FidelityCard(
        rows=[
            FidelityRow(
                aspect="model",
                paper="Qwen2.5-7B/14B/32B-Base, LLaMA-3.1-8B (billions of parameters)",
                miniature="tiny Llama from scratch: hidden 64, 2 layers for pass@k; the variants hidden 96, "
                "3 layers (one example, sparsity) or 64, 2 (spurious)",
            ),
            FidelityRow(
                aspect="data",
                paper="GSM8K/MATH train; Omni-MATH-Rule 2,000 train / 821 test; AIME, AMC",
                miniature="pass@k: modular-arithmetic chains, three steps on Z_23 written as a checked trace in "
                "one of two methods (uniform guesser 8.2e-5 per sample); base pretrained on a "
                "teacher that knows each step only in part and has blind spots. Variants: "
                "countdown-3 (54 expressions; a guesser reaches pass@128 0.99)",
            ),
            FidelityRow(
                aspect="algorithm",
                paper="GRPO/PPO/RLOO/… in VeRL, no KL, 128 prompts x 8 rollouts, T=1.0",
                miniature="hand-written GRPO, P=32 x G=8, Dr.GRPO advantages (r - mean), clip 0.2, M=1, "
                "no KL, AdamW lr 3e-4, 100 steps (test 60 x 16 prompts), rollouts at T=0.6 (at "
                "T=1.0 the chains base's rollouts were right 1.5% of the time: no signal)",
            ),
            FidelityRow(
                aspect="sampling",
                paper="T=0.6, top-p 0.95, zero-shot, same prompt for base and RL",
                miniature="T=0.6, top-p 0.95 (plus T=1.0 sensitivity), same prompt for both",
            ),
            FidelityRow(aspect="n", paper="n = 128 to 1024 samples per problem", miniature="n = 128 (test: 32)"),
            FidelityRow(
                aspect="seeds",
                paper="several vLLM seeds concatenated",
                miniature="one seed per run: paired "
                "problem-level bootstrap; a pass@k seed sweep pools the per-problem counts (resample seeds, "
                "then problems)",
            ),
            FidelityRow(
                aspect="control",
                paper="distillation (DeepSeek-R1-Distill-Qwen-7B) lies above base at all k",
                miniature="control preset: SFT on a clean teacher's traces (same steps, batch, lr as GRPO) "
                "in place of GRPO; it must contradict the registered hypothesis",
            ),
        ],
        caveats=[
            "The chains base's 'reasoning paths' are two methods (notations) with per-step reliabilities and blind "
            "spots drawn per world; RL can sharpen both or drop the weaker one. A miniature 'supports' shows that "
            "mechanism operating in a controlled model, not that it operates in the paper's models.",
            "Guessing floor: on the chains a uniform guesser over well-formed traces hits 1 in 23^3 per sample "
            "(pass@128 = 0.010); the verdict is inconclusive unless the base's pass@n exceeds it by the registered "
            "margin (lower CI bound). On countdown-3 (the variants' task) the guesser reaches pass@128 = 0.991, which "
            "is why the pass@k claim no longer runs there.",
            "In fp32 with Adam almost every parameter moves; sparsity depends on the precision of the comparison. "
            "The miniature keeps fp32 master weights and compares bf16 copies, as the authors' script does on "
            "checkpoints; it does not train in bf16. The verdict is given per precision.",
            "One-example: the example is chosen by base success in [0.2, 0.8] at the rollout temperature (closest "
            "to 0.5), not by the paper's historical-variance score; no entropy-bonus or entropy-only arms.",
            "Spurious rewards: one seed per arm (runners.md asks for >= 5), no majority-vote or eps = inf arms; the "
            "incorrect label is the base's most frequent wrong value per problem; the 'high-prior style' is the "
            "written trace, the analogue of Qwen-Math's code reasoning. Base A has trace_prior 0.65 (accurate "
            "style high-prior), the contrast base B 0.2.",
            MINIATURE_SCOPE_NOTE,
        ],
    )

    def run(self, config: Config, context: RunContext) -> Result:
        from .experiment import run_rlvr  # torch, transformers and matplotlib: imported only to run

        return run_rlvr(config, context)

    def pool(self, results: list[Result]) -> Result:
        """A pass@k seed sweep pooled on the per-problem counts (:mod:`.pool`).

        The other variants, and results without the counts, pool conservatively; the reason says so.
        """
        why = why_not_poolable(results)
        return pool_passk(results) if why is None else not_pooled(super().pool(results), why)
