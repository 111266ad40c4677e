"""The symbolic-vs-semantic runner's configuration; defaults are the CPU miniature.

>>> Config().symbol_share, Config(**PRESETS["control"]).counter_share
(0.05, 0.5)
"""

from __future__ import annotations

from pydantic import model_validator

from ..api import RunnerConfig, param


class Config(RunnerConfig):
    # the world
    entities: int = param(96, "entities in the world (each belongs to one category)", unit="entities", ge=4, le=5000)
    categories: int = param(12, "categories (each has one property)", unit="categories", ge=2, le=500)
    hops: int = param(
        1,
        "deduction hops: 1 ('e17 is k3 . e5 is k8 . ? e17 is') or 2 (adds 'k3 can p3', asks '? e17 can')",
        unit="hops",
        ge=1,
        le=2,
    )
    symbols: int = param(
        24,
        "arbitrary symbol tokens used by symbolic episodes (half for entities, half for categories and properties)",
        unit="symbols",
        ge=8,
        le=1000,
    )
    # pretraining mixture
    fact_share: float = param(0.3, "share of pretraining documents that state a fact of the world", ge=0, le=0.9)
    symbol_share: float = param(
        0.05, "share of deduction episodes written with symbols (the rest with words)", ge=0, le=1
    )
    arm_symbol_share: float = param(
        0.3, "the second registered arm: the same pretraining with this symbol share", ge=0, le=1
    )
    counter_share: float = param(
        0.0,
        "share of word episodes whose context contradicts the world (0 in the "
        "hypothesis' world; the control raises it)",
        ge=0,
        le=1,
    )
    # the model
    hidden: int = param(64, "hidden size of the tiny Llama", unit="units", ge=16, le=1024)
    layers: int = param(3, "decoder layers", unit="layers", ge=1, le=12)
    heads: int = param(4, "attention heads", unit="heads", ge=1, le=16)
    pretrain_steps: int = param(1500, "pretraining steps per arm", unit="steps", ge=1, le=50000)
    pretrain_batch: int = param(64, "pretraining batch", unit="documents", ge=4, le=4096)
    pretrain_lr: float = param(3e-3, "pretraining peak learning rate (AdamW, cosine)", gt=0, le=1)
    # evaluation
    test_items: int = param(300, "test items, each rendered in all three conditions", unit="items", ge=20, le=100000)
    bootstrap: int = param(1000, "bootstrap resamples", unit="draws", ge=100, le=20000)

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        if self.entities < self.categories:
            raise ValueError(f"entities={self.entities} must be at least categories={self.categories}")
        if self.hidden % self.heads:
            raise ValueError(f"hidden={self.hidden} must be divisible by heads={self.heads}")
        if self.arm_symbol_share == self.symbol_share:
            raise ValueError("arm_symbol_share must differ from symbol_share: the arm changes the symbol share")
        return self


_TEST = dict(
    entities=48, categories=8, hidden=48, layers=3, pretrain_steps=500, pretrain_batch=48, test_items=150, bootstrap=300
)
# The registered world where the hypothesis is false: half the word episodes' contexts contradict the facts (so the
# facts say nothing the context does not) and most episodes are symbolic, so what pretraining rewards is reading the
# context, for words and symbols alike. The larger batch is what makes symbol binding learnable in the budget: at
# the test size, 500 steps of 48 left symbols at 0.2 accuracy; 500 steps of 128 reached 1.0 (and 400 steps 0.93).
CONTROL_WORLD = dict(counter_share=0.5, symbol_share=0.6, arm_symbol_share=0.9, symbols=12, pretrain_batch=128)

PRESETS: dict[str, dict] = {
    "test": _TEST,
    "default": {},
    "control": CONTROL_WORLD,
    "gpu": dict(
        device="cuda",
        entities=1000,
        categories=60,
        symbols=200,
        hidden=256,
        layers=6,
        pretrain_steps=8000,
        pretrain_batch=256,
        test_items=2000,
        bootstrap=2000,
    ),
}
