"""The steering runner: is a reasoning mode latent in the base, so that adding a vector elicits it?

Pipeline: a base (pretrained miniature or local checkpoint) → difference-of-means vectors per
layer from reason- vs direct-tagged contrast prompts → a (layer, alpha, injection positions) grid
on the dev split → every arm and control on the test split, at the chosen setting's positions →
bootstrap intervals → the verdict fixed in advance (:mod:`.experiment`, imported only to run, as it
needs torch; this module is the declaration, light enough to list and describe runners quickly).
"""

from __future__ import annotations

from typing import TypeAlias

from ..api import MINIATURE_SCOPE_NOTE, FidelityCard, FidelityRow, Result, RunContext, Runner
from .config import PRESETS, Config
from .pool import pool_seeds, poolable, same_setting, settings_differ


class SteeringRunner(Runner[Config]):
    name = "steering"
    title = "Latent reasoning elicited by activation steering"
    version = "3"  # equals registration.yaml's version
    claim = (
        "Base models already contain the ability to reason: the reasoning mode is present in their "
        "activations and can be elicited without training. Adding a steering vector (the difference of mean "
        "residual activations between reasoning and direct prompts) to the base model's residual stream "
        "switches on written reasoning and recovers much of the accuracy gap to explicitly prompted (or "
        "thinking) models; random directions of the same norm do not."
    )
    source = (
        "Venhoff et al. 2025, 'Base Models Know How to Reason, Thinking Models Learn When', arXiv 2510.07364; "
        "method: ActAdd (Turner et al., arXiv 2308.10248) and CAA (Rimsky et al., arXiv 2312.06681)"
    )
    arxiv = ("2510.07364", "2308.10248", "2312.06681")
    Config: TypeAlias = Config
    presets = PRESETS
    suits = (
        r"\blatent\b",
        r"hidden reasoning",
        r"already (present|contain|exist)",
        r"in (the )?base model",
        r"\belicit",
        r"steering",
        r"activation (addition|engineering|steering)",
        r"steering vector",
        r"base models? (already )?(know|contain)",
    )
    fidelity = FidelityCard(
        rows=[
            FidelityRow(
                aspect="model",
                paper="Venhoff et al.: Qwen2.5 / Llama-3.1 base models, 1.5B-32B, steered "
                "towards thinking-model behaviour",
                miniature="2-block Llama, hidden 64 (~0.1M params), "
                "pretrained for 3k steps on chained modular sums of 4 digits",
            ),
            FidelityRow(
                aspect="latent mode",
                paper="reasoning behaviours (backtracking, sub-goals, ...) found "
                "by an SAE taxonomy of thinking-model traces",
                miniature="a written running-sum "
                "scratchpad the base saw with a 'R' tag, and untagged only 10% of the time",
            ),
            FidelityRow(
                aspect="vector",
                paper="per-behaviour steering vectors; CAA: mean difference at the answer token of A/B contrast pairs",
                miniature="one vector per layer: mean difference "
                "of the block output at the last prompt token, reason- vs direct-tagged prompts",
            ),
            FidelityRow(
                aspect="injection",
                paper="~12% of tokens, positions chosen by the thinking model",
                miniature="registered (v3): the last prompt token alone (the format decision), alpha x "
                "mean residual norm on a registered grid, chosen on dev; every position from the last "
                "prompt token on (v2's registered mode) is exploratory",
            ),
            FidelityRow(
                aspect="data",
                paper="GSM8K, MATH500",
                miniature="held-out chained sums (answer = sum of K digits mod 10), disjoint dev and test splits",
            ),
            FidelityRow(
                aspect="sampling / n",
                paper="greedy; full benchmarks",
                miniature="greedy and avg@8 at T=1; 400 test problems; 20 random vectors; 1 seed",
            ),
        ],
        caveats=[
            "The miniature's reasoning mode was put there by pretraining with a tag; a real base model's "
            "reasoning ability is learned from web text and may be spread over many directions.",
            "Venhoff et al. steer tokens a thinking model selects; here the positions are fixed in advance (the "
            "last prompt token alone, or it and every generated token), which is cruder.",
            "Version 2 registered injection at every position from the prompt end (alpha <= 1), which gave no "
            "gain; the last-prompt-token mode that version 3 registers was added after seeing that result.",
            "The construct is close to tautological: the mode was planted behind a tag and the vector is the tag's "
            "difference at the token where the format is decided. The control world (reason_format = hint) shows "
            "the pipeline says contradicts when the explicit prompt helps without a latent mode.",
            "In the miniature the format is decided by one token (the first generated one), so steering the last "
            "prompt token alone can switch the whole trace; in a real model reasoning is spread over many tokens "
            "and a single push may fade.",
            MINIATURE_SCOPE_NOTE,
        ],
    )

    def run(self, config: Config, context: RunContext) -> Result:
        from .experiment import run_steering  # torch: imported only to run

        return run_steering(config, context)

    def pool(self, results: list[Result]) -> Result:
        """A seed sweep pooled on the per-item outcomes at the shared chosen setting (:mod:`.pool`).

        Seeds whose dev sweeps chose different settings measured different interventions, so they
        pool conservatively, and the reason says why.
        """
        if not poolable(results):
            return super().pool(results)
        if not same_setting(results):
            return settings_differ(super().pool(results), results)
        return pool_seeds(results)
