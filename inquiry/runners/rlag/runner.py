"""The RLAG runner: RLAG against CPT, SFT and CPT+SFT on knowledge the base model lacks.

This module is the declaration (claim, config, presets, fidelity) and the seed pooling; the
experiment itself is :mod:`.experiment`, imported by :meth:`RLAGRunner.run` because it needs torch.

>>> runner = RLAGRunner()
>>> runner.suitability("Can reinforcement learning embed domain knowledge more effectively than "
...                    "supervised fine-tuning?") >= 2
True
"""

from __future__ import annotations

from typing import TypeAlias

from ..api import MINIATURE_SCOPE_NOTE, FidelityCard, FidelityRow, Result, RunContext, Runner
from .config import PRESETS, Config
from .pool import pool_runs, poolable

FIDELITY = FidelityCard(
    rows=[
        FidelityRow(
            aspect="model",
            paper="Llama-3.1-8B-Instruct (train.sh), Qwen2-7B-Instruct (config)",
            miniature="tiny Llama (hidden 64, 2 layers, ~0.1M parameters), word-level vocabulary",
        ),
        FidelityRow(
            aspect="data",
            paper="USMLE, BarExam, Astronomy, CurrentEvents: MCQ with retrieved ctx "
            "(BM25/embeddings, up to 1,000 tokens)",
            miniature="fictional world: 30 target people x (city, guild, pet); snippets = the person's 3 "
            "facts + 1 distractor fact; 4-option MCQ, 3 paraphrased templates per attribute",
        ),
        FidelityRow(
            aspect="knowledge gap",
            paper="post-cutoff events / specialist domains",
            miniature="target people never seen with true facts in pretraining (only with random ones, "
            "in reading-comprehension examples)",
        ),
        FidelityRow(
            aspect="algorithm",
            paper="RLAG: argmax option scoring with/without ctx, loss "
            "-logsigmoid(bD z + bA min(c,-0.2) - bA max(r,-5) - g), (bD,bA)=(0.5,0)|(0.2,0.5), no reference "
            "model; 9 chunks x 2 epochs x 5 passes; AdamW lr 1e-5, 10% warm-up",
            miniature="the same loss and switch; 3 chunks x 2 epochs x 5 passes; AdamW, 10% warm-up, "
            "constant after, lr tuned per arm on dev over {1e-3, 3e-3, 1e-2}; batch 8; bf16 weights "
            "train through fp32 master copies",
        ),
        FidelityRow(
            aspect="gamma",
            paper="0.8 in train.sh, 8 in configs/config.yaml",
            miniature="0.8 by default (field gamma), recorded with the run",
        ),
        FidelityRow(
            aspect="scoring",
            paper="mean per-token log-prob of the option tokens; sampling prompt plain, "
            "training prompt chat-templated with an in-context example and the option list",
            miniature="the same scoring; the tiny model has no chat template, so training and scoring "
            "use the same plain prompt (the GPU path uses the checkpoint's template)",
        ),
        FidelityRow(
            aspect="baselines",
            paper="CPT on the domain corpus (256-token packed blocks), SFT on question -> answer, CPT then SFT",
            miniature="the same three, each with exactly RLAG's optimizer steps and batch size; CPT reads "
            "the very snippets RLAG's information term reads",
        ),
        FidelityRow(
            aspect="evaluation",
            paper="closed-book option scoring on the test split; explanation rationality judged for correct answers",
            miniature="closed-book option scoring on paraphrased questions and never-trained facts; "
            "explanation proxy: the supporting fact sentence outranks its wrong-option variants",
        ),
        FidelityRow(
            aspect="n, seeds",
            paper="hundreds to thousands of test questions; seed 62512",
            miniature="150 held-out questions (a third of the entities' for dev, the rest for test) x 3 "
            "training seeds, paired bootstrap (2,000 resamples)",
        ),
    ],
    caveats=[
        "The authors' scripts do not run as released (train.sh calls an absent simple_iter.py; train.py reads a "
        "config key the YAML does not define); the method here is read from their code, not run.",
        "Chosen is the model's own augmented prediction, not the gold answer: misleading snippets would train "
        "wrong answers (see the chosen_correct diagnostic).",
        "The clip constants are in mean log-prob per token; with one-token options in the miniature they act "
        "on single-token log-probs.",
        "Each arm's learning rate is tuned on a dev split of held-out entities (seed 0) over a three-point "
        "registered grid, and the best baseline is chosen on that dev split; version 1 chose it on the test "
        "questions and used one lr for every baseline.",
        "Seeds vary the training order only; the world and the base model are fixed by world_seed.",
        MINIATURE_SCOPE_NOTE,
    ],
)


class RLAGRunner(Runner[Config]):
    name = "rlag"
    version = "2"  # equals registration.yaml's version
    title = "RLAG: reinforcement learning from augmented generation vs fine-tuning for embedding knowledge"
    claim = (
        "Nie et al. claim that RLAG, which repeatedly scores answers with and without retrieved snippets and "
        "trains the model to prefer its snippet-informed answer over its uninformed one while raising the "
        "likelihood of the snippets, embeds domain knowledge more effectively than continued pretraining, "
        "supervised fine-tuning, or both: closed-book accuracy and explanation quality are higher on knowledge "
        "the model lacked."
    )
    source = "Nie et al. 2025, arXiv 2509.20162"
    arxiv = ("2509.20162",)
    Config: TypeAlias = Config
    presets = PRESETS
    suits = (
        r"embed\w* (domain )?knowledge",
        r"supervised fine-?tuning",
        r"\bRLAG\b",
        r"augmented generation",
        r"internaliz",
        r"knowledge (injection|embedding)",
        r"continu\w* pre-?training",
    )
    fidelity = FIDELITY

    def run(self, config: Config, context: RunContext) -> Result:
        from .experiment import run_rlag  # torch, transformers and matplotlib: imported only to run

        return run_rlag(config, context)

    def pool(self, results: list[Result]) -> Result:
        """A seed sweep pooled on the per-question outcomes (:mod:`.pool`); others pool conservatively."""
        return pool_runs(results) if poolable(results) else super().pool(results)
