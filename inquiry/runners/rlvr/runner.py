"""The RLVR runner: does RL expand what a model can solve, or only sharpen it? (pass@k curves)

This module is the declaration (claim, config, presets, fidelity) and the seed pooling
(:mod:`.pool`); the experiment itself is :mod:`.experiment`, imported by :meth:`RLVRRunner.run`
because it needs torch.

>>> RLVRRunner().suitability("Does RLVR expand the reasoning boundary at large pass@k?") >= 2
True
"""

from __future__ import annotations

from ..api import MINIATURE_SCOPE_NOTE, FidelityCard, FidelityRow, Result, RunContext, Runner
from .config import PRESETS, Config
from .pool import not_pooled, pool_passk, why_not_poolable


class RLVRRunner(Runner):
    name = "rlvr"
    title = "RLVR: does RL expand what a model can solve, or only sharpen it? (pass@k curves)"
    claim = ("RL with verifiable rewards (RLVR) raises pass@1 but does not make the model solve problems its base "
             "could not: sampled enough times (large k), the base model solves as many or more problems, so RL "
             "sharpens the base's distribution toward paths it already had instead of expanding its reasoning "
             "boundary. Variants test related claims: RL on a single training example recovers most of the "
             "full-set gain; spurious (random, format-only, incorrect-label) rewards improve a model whose "
             "accurate solution style is high-prior, through GRPO's clipping bias; RL updates only a small "
             "fraction of the parameters.")
    source = "Yue et al. 2025, arXiv 2504.13837 (+ Wang et al. 2504.20571, Shao et al. 2506.10947, " \
             "Mukherjee et al. 2505.11711)"
    arxiv = ("2504.13837", "2504.20571", "2506.10947", "2505.11711")
    Config = Config
    presets = PRESETS
    suits = (r"pass@\s*k", r"expand\w*\b.{0,60}\b(solv|reason|capab|boundar)", r"reasoning (capacity|boundary)",
             r"sampling efficiency", r"single (training )?example|one(-| )(shot|example)",
             r"spurious reward|random reward", r"fraction of (the )?parameters|sparse (subnetwork|update)",
             r"\bRLVR\b", r"sharpen")
    fidelity = FidelityCard(rows=[
        FidelityRow(aspect="model", paper="Qwen2.5-7B/14B/32B-Base, LLaMA-3.1-8B (billions of parameters)",
                    miniature="tiny Llama from scratch: hidden 96, 3 layers (~0.37M params); test 0.11M"),
        FidelityRow(aspect="data", paper="GSM8K/MATH train; Omni-MATH-Rule 2,000 train / 821 test; AIME, AMC",
                    miniature="countdown-3 (three digits, a target, + - * left to right), answer the bare "
                              "expression '3*4+5' (a checked trace '3*4=12,12+5=17' with trace_prior=1); base "
                              "pretrained on a noisy teacher (60% random expressions)"),
        FidelityRow(aspect="algorithm", paper="GRPO/PPO/RLOO/… in VeRL, no KL, 128 prompts x 8 rollouts, T=1.0",
                    miniature="hand-written GRPO, P=32 x G=8, Dr.GRPO advantages (r - mean), clip 0.2, M=1, "
                              "no KL, AdamW lr 3e-4, 200 steps (test 150)"),
        FidelityRow(aspect="sampling", paper="T=0.6, top-p 0.95, zero-shot, same prompt for base and RL",
                    miniature="T=0.6, top-p 0.95 (plus T=1.0 sensitivity), same prompt for both"),
        FidelityRow(aspect="n", paper="n = 128 to 1024 samples per problem", miniature="n = 128 (test: 32)"),
        FidelityRow(aspect="seeds", paper="several vLLM seeds concatenated", miniature="one seed per run: paired "
                    "two-level bootstrap over problems and Beta(c+1/2, n-c+1/2) success rates; a pass@k seed "
                    "sweep pools the per-problem counts (resample seeds, then problems)"),
    ], caveats=[
        "The base's errors come from a teacher that writes random expressions; RL can remove that 'noise mode', "
        "which resembles format correction more than new reasoning.",
        "Guessing floor: the countdown answer space is small (54 expressions), so a uniform guesser over it "
        "reaches pass@1 = 0.069 and pass@128 = 0.991 on the default 150 held-out problems (0.072 and pass@32 = "
        "0.819 on the test preset's 60). The base's pass@n sits at that floor (test preset, seed 0: base "
        "pass@32 = 0.833 vs the guesser's 0.819, difference CI [-0.07, 0.10]), so 'the base wins at large k' "
        "here shows a broad output distribution, not reasoning that reaches those answers. The verdict's "
        "explanation says so with the run's numbers whenever base pass@n is not clearly (>= 0.02, CI above 0) "
        "above the guesser's (metrics guess_pass*, base_minus_guess_pass<n>). Real math has far larger answer "
        "spaces. A written trace does not shrink this floor, and at this size it made the base too weak for RL "
        "to learn (tried: trace_prior=1).",
        "In fp32 with Adam almost every parameter moves; sparsity depends on the precision of the comparison. "
        "The miniature keeps fp32 master weights and compares bf16 copies, as the authors' script does on "
        "checkpoints; it does not train in bf16.",
        "One-example: the example is chosen by base success in [0.2, 0.8] at the rollout temperature (closest "
        "to 0.5), not by the paper's historical-variance score; no entropy-bonus or entropy-only arms.",
        "Spurious rewards: one seed per arm (runners.md asks for >= 5), no majority-vote or eps = inf arms; the "
        "incorrect label is the base's most frequent wrong value per problem; the 'high-prior style' is the "
        "written trace, the analogue of Qwen-Math's code reasoning. Base A has trace_prior 0.65 (accurate "
        "style high-prior), the contrast base B 0.2.",
        MINIATURE_SCOPE_NOTE,
    ])

    def run(self, config: Config, context: RunContext) -> Result:
        from .experiment import run_rlvr  # torch, transformers and matplotlib: imported only to run

        return run_rlvr(config, context)

    def pool(self, results: list[Result]) -> Result:
        """A pass@k seed sweep pooled on the per-problem counts (:mod:`.pool`).

        The other variants, and results without the counts, pool conservatively; the reason says so.
        """
        why = why_not_poolable(results)
        return pool_passk(results) if why is None else not_pooled(super().pool(results), why)
