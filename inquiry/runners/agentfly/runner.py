"""The AgentFly/Memento runner: can a frozen model learn from experience through case memory alone?

>>> runner = AgentFlyRunner()
>>> runner.suitability("Can agents learn continuously from experience without updating weights?") >= 2
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
            paper="GPT-4.1 planner, o3/o4-mini executors (frozen)",
            miniature="tiny Llama (hidden 64, 2 layers, ~0.1M parameters), frozen after pretraining",
        ),
        FidelityRow(
            aspect="environment",
            paper="GAIA, DeepResearcher, SimpleQA, HLE tasks with tools",
            miniature="40 recurring two-digit tasks, each with a hidden answer digit; the environment pays "
            "1 for the right answer, stepped by code episode by episode",
        ),
        FidelityRow(
            aspect="memory",
            paper="case bank of (state, action, reward); non-parametric (similarity) and "
            "parametric (learned Q over cases, soft Q-learning) retrieval; subtask and tool memories",
            miniature="case bank of (task, answer, rewarded); recent same-task retrieval and a linear "
            "soft-Q retriever learned online by logistic regression on episode rewards; no subtask/tool "
            "memory",
        ),
        FidelityRow(
            aspect="weight-update control",
            paper="none (compared with other agents)",
            miniature="policy gradient on the same episodes, one update per round of 8",
        ),
        FidelityRow(
            aspect="n, seeds",
            paper="GAIA validation (165 tasks), 3 runs",
            miniature="600 episodes x 2 streams; late-half rewards paired over episodes, 2,000 resamples",
        ),
    ],
    caveats=[
        "The miniature's task is recall of a hidden answer: it tests credit assignment through memory, not "
        "planning or tool use.",
        "The base is pretrained to use cases in context; that skill stands in for an LLM's in-context learning.",
        MINIATURE_SCOPE_NOTE,
    ],
)


class AgentFlyRunner(Runner[Config]):
    name = "agentfly"
    title = "AgentFly/Memento: a frozen model learning from an episode stream through case memory"
    version = "1"
    claim = (
        "Zhou et al. claim that an LLM agent can learn continually from experience without updating its "
        "weights: a memory-augmented MDP with a case bank, whose retrieval policy is learned from rewards, does "
        "credit assignment and policy improvement entirely through memory operations."
    )
    source = "Zhou et al. 2025, AgentFly / Memento, arXiv 2508.16153"
    arxiv = ("2508.16153",)
    Config: TypeAlias = Config
    presets = PRESETS
    suits = (
        r"without updating (its |the )?weights",
        r"\bAgentFly\b",
        r"\bMemento\b",
        r"case[- ]based|case memory",
        r"episodic memory",
        r"memory[- ]augmented",
        r"learn\w* continu\w*|continual(ly)? learn",
    )
    fidelity = FIDELITY

    def run(self, config: Config, context: RunContext) -> Result:
        from .experiment import run_agentfly  # torch, transformers and matplotlib: imported only to run

        return run_agentfly(config, context, self.registration())
