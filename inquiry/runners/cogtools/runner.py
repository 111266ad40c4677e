"""The cognitive-tools runner: do modular tool calls unlock reasoning without training?

>>> runner = CogToolsRunner()
>>> runner.suitability("Can modular cognitive tools unlock reasoning without training?") >= 2
True
"""

from __future__ import annotations

from typing import TypeAlias

from ..api import MINIATURE_SCOPE_NOTE, FidelityCard, FidelityRow, Result, RunContext, Runner
from .config import PRESETS, Config

FIDELITY = FidelityCard(
    rows=[
        FidelityRow(
            aspect="model",
            paper="GPT-4.1, Qwen2.5 7B-32B, Llama3 70B (frozen, no RL)",
            miniature="tiny Llama (hidden 64, 2 layers, ~0.1M parameters), character vocabulary, frozen "
            "after pretraining (loss on each document's answer only)",
        ),
        FidelityRow(
            aspect="task",
            paper="AIME 2024, MATH500, AMC, Smolbenchmark",
            miniature="three-step chains of one-digit lookup functions, a(d(b(5))); 300 evaluation problems "
            "never solved in pretraining (100 solved ones are)",
        ),
        FidelityRow(
            aspect="tools",
            paper="understand question, recall related, examine answer, backtracking; "
            "each a separate LLM call whose output returns to the main loop",
            miniature="STEP (one function in its own context), EXAMINE (check one result), backtracking "
            "(re-sample a rejected step, up to 2 times), driven by a Python loop",
        ),
        FidelityRow(
            aspect="controls",
            paper="baseline prompt; cognitive prompting (all in one prompt)",
            miniature="direct answer; monolithic worked chain in one context; best-of-k majority vote "
            "with the tool loop's mean number of calls",
        ),
        FidelityRow(
            aspect="n, seeds",
            paper="pass@1 over benchmark problems",
            miniature="300 problems, paired bootstrap (2,000 resamples), one base",
        ),
    ],
    caveats=[
        "The plan (which operation comes next) is fixed by the code, not chosen by the model; in the paper the "
        "model decides which tool to call.",
        "The monolithic format is a small share of pretraining; how well it works depends on that share.",
        "Recall-related (retrieving similar solved problems) is not modelled.",
        MINIATURE_SCOPE_NOTE,
    ],
)


class CogToolsRunner(Runner[Config]):
    name = "cogtools"
    title = "Cognitive tools: isolated tool calls vs direct, monolithic and best-of-k answers, no training"
    version = "2"
    claim = (
        "Ebouky et al. claim that cognitive tools, each run as an isolated LLM call whose result returns to "
        "an orchestrating loop, raise reasoning accuracy without any training, because modularity enforces an "
        "operation isolation that a single prompt cannot guarantee; this elicits capability the model already "
        "has."
    )
    source = "Ebouky et al. 2025, Eliciting Reasoning in Language Models with Cognitive Tools, arXiv 2506.12115"
    arxiv = ("2506.12115",)
    Config: TypeAlias = Config
    presets = PRESETS
    suits = (
        r"cognitive tools?",
        r"modular\w*",
        r"tool[- ]orchestration",
        r"sandboxed (llm )?calls?",
        r"operation isolation",
        r"without (any )?(rl )?training",
    )
    fidelity = FIDELITY

    def run(self, config: Config, context: RunContext) -> Result:
        from .experiment import run_cogtools  # torch, transformers and matplotlib: imported only to run

        return run_cogtools(config, context, self.registration())
