"""The Think-in-Games runner: does RL on play with a stated rationale close the knowing–doing gap?

This module is the declaration (claim, config, presets, fidelity); the experiment is
:mod:`.experiment`, imported by :meth:`TiGRunner.run` because it needs torch.

>>> runner = TiGRunner()
>>> runner.suitability("Can language modeling close the knowing-doing gap in AI? Think-In Games ...") >= 2
True
>>> runner.registration().threshold("knows_floor")
0.9
"""

from __future__ import annotations

from typing import TypeAlias

from ..api import MINIATURE_SCOPE_NOTE, FidelityCard, FidelityRow, Result, RunContext, Runner
from .config import PRESETS, Config

FIDELITY = FidelityCard(
    rows=[
        FidelityRow(
            aspect="model",
            paper="Qwen2.5 / Qwen3 LLMs (7B-32B)",
            miniature="tiny Llama (hidden 64, 2 layers, ~0.1M parameters), character vocabulary",
        ),
        FidelityRow(
            aspect="game",
            paper="Honor of Kings macro-level decisions (a MOBA), language-guided policies",
            miniature="a pile game with traps (take 1-3, last stone wins); piles 1..150 named by opaque codes; "
            "the engine steps the game",
        ),
        FidelityRow(
            aspect="declarative knowledge",
            paper="the LLM's game knowledge from pretraining",
            miniature="'K37=1' facts and 'Pqe>K37=1' descriptions (code -> pile -> best move) for every "
            "winning pile in pretraining",
        ),
        FidelityRow(
            aspect="procedural data",
            paper="real game states from play, outcome-based rewards",
            miniature="noisy play transcripts (70% random moves) for piles <= 40 only",
        ),
        FidelityRow(
            aspect="algorithm",
            paper="GRPO on the policy's reasoning + action, reward from the game's outcome",
            miniature="GRPO (rlvr.grpo) 150 steps x 16 positions x 8 samples per arm, lr 1e-4, reward "
            "= the move wins against an optimal opponent (computed by the engine)",
        ),
        FidelityRow(
            aspect="controls",
            paper="base and SFT models; no compute-matched rationale control",
            miniature="action-only arm and a filler-rationale arm of equal length and equal RL compute",
        ),
        FidelityRow(
            aspect="evaluation",
            paper="action accuracy on held-out game states; explanation quality",
            miniature="winning-move rate on piles 41..150 (known, never practised), paired over piles; "
            "rationale-move consistency; full games against an optimal opponent (exploratory)",
        ),
        FidelityRow(
            aspect="n, seeds",
            paper="one training run per size",
            miniature="57 held-out positions x 16 samples x 2 RL seeds, 2,000 bootstrap resamples",
        ),
    ],
    caveats=[
        "The miniature's knowledge is one fact per state; the paper's is game understanding in natural language.",
        "The rationale is a recalled fact, not free-form reasoning; explainability is measured as the move "
        "matching the stated fact.",
        "The claim that the approach reduces data demands is not tested.",
        MINIATURE_SCOPE_NOTE,
    ],
)


class TiGRunner(Runner[Config]):
    name = "tig"
    title = "Think-in-Games: RL with a stated rationale turns declarative game knowledge into play"
    version = "2"
    claim = (
        "Liao et al. claim that LLMs whose language-guided policies are refined by feedback from the game "
        "environment turn declarative knowledge (knowing what should happen) into procedural competence "
        "(making it happen) while staying explainable: the model reasons in language before each action."
    )
    source = "Liao et al. 2025, Think-In Games, arXiv 2508.21365"
    arxiv = ("2508.21365",)
    Config: TypeAlias = Config
    presets = PRESETS
    suits = (
        r"knowing[- ]doing",
        r"think[- ]in[- ]games",
        r"declarative knowledge",
        r"procedural (competence|knowledge)",
        r"language[- ]guided polic",
    )
    fidelity = FIDELITY

    def run(self, config: Config, context: RunContext) -> Result:
        from .experiment import run_tig  # torch, transformers and matplotlib: imported only to run

        return run_tig(config, context, self.registration())
