"""The RLVR runner's configuration; defaults are the CPU miniature.

>>> Config().variant, Config().task, Config(**PRESETS["test"]).n_samples
('passk', 'chains', 32)
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator

from ..api import RunnerConfig, param


class Config(RunnerConfig):
    variant: Literal["passk", "one_example", "spurious", "sparsity"] = param(
        "passk",
        "which claim to test: pass@k (Yue), one training example (Wang), spurious rewards (Shao), "
        "parameter-update sparsity (Mukherjee)",
    )
    # task and teacher
    task: Literal["chains", "countdown3"] = param(
        "chains",
        "chains: modular-arithmetic chains with a checked 3-step trace (guess rate 8.2e-5 per sample); "
        "countdown3: three digits to a target (54 expressions, guess rate ~0.07; the variants' task)",
    )
    blind_share: float = param(
        0.1, "chains: share of method x's steps the base's teacher never writes right", ge=0, le=1
    )
    blind_share_y: float = param(0.2, "chains: the same for method y (the weaker method)", ge=0, le=1)
    method_prior: float = param(
        0.5, "chains: share of teacher documents written with method x (the rest y)", ge=0, le=1
    )
    post_training: Literal["grpo", "distill"] = param(
        "grpo",
        "pass@k arm: GRPO on the true reward, or (the control) SFT on a clean teacher's traces with the "
        "same steps, batch (P x G sequences) and learning rate",
    )
    n_held_out: int = param(150, "held-out problems (never seen in pretraining or RL)", unit="problems", ge=10, le=1000)
    n_rl_train: int = param(
        1500,
        "RL training problems (the first n_held_out of them are evaluated too, like Omni-MATH-Train)",
        unit="problems",
        ge=1,
        le=1900,
    )
    noise: float = param(0.6, "share of the teacher's documents that are random expressions", ge=0, le=1)
    trace_prior: float = param(
        0.0,
        "share of teacher documents written as a checked trace '3*4=12,12+5=17' "
        "(the rest as the bare expression '3*4+5')",
        ge=0,
        le=1,
    )
    direct_noise: float = param(0.6, "teacher noise for direct-style documents", ge=0, le=1)
    # base model
    hidden: int = param(96, "hidden size of the tiny Llama", unit="units", ge=16, le=1024)
    layers: int = param(3, "decoder layers", unit="layers", ge=1, le=12)
    heads: int = param(4, "attention heads", unit="heads", ge=1, le=16)
    pretrain_steps: int = param(500, "pretraining steps on the noisy teacher", unit="steps", ge=10, le=20000)
    pretrain_batch: int = param(256, "pretraining batch", unit="sequences", ge=8, le=4096)
    pretrain_lr: float = param(3e-3, "pretraining peak learning rate (AdamW, cosine)", gt=0, le=1)
    # RL
    rl_steps: int = param(200, "GRPO steps", unit="steps", ge=3, le=5000)
    prompts_per_step: int = param(32, "P: prompts per GRPO step", unit="prompts", ge=1, le=1024)
    group_size: int = param(8, "G: samples per prompt", unit="samples", ge=2, le=256)
    minibatches: int = param(
        1, "M: minibatch updates per rollout (1 = on-policy, the clip is inactive)", unit="updates", ge=1, le=64
    )
    clip_eps: float = param(0.2, "PPO clip range epsilon", ge=0, le=10)
    kl_coef: float = param(0.0, "KL penalty to the base (Yue et al. used none)", ge=0, le=10)
    rl_lr: float = param(3e-4, "GRPO learning rate (AdamW, weight decay 0)", gt=0, le=1)
    std_normalise: bool = param(False, "divide advantages by the group's std (GRPO) or not (Dr.GRPO)")
    reward: Literal["true", "random", "format", "incorrect"] = param(
        "true", "reward for the pass@k variant (the other variants set their own arms)"
    )
    rollout_temperature: float = param(1.0, "sampling temperature of RL rollouts", gt=0, le=5)
    # evaluation
    n_samples: int = param(128, "samples per problem for pass@k (n = the largest k)", unit="samples", ge=2, le=4096)
    temperature: float = param(0.6, "evaluation temperature (Yue et al.: 0.6)", gt=0, le=5)  # 0 = greedy: no pass@k
    top_p: float = param(0.95, "evaluation nucleus top-p (Yue et al.: 0.95)", gt=0, le=1)
    sensitivity_temperature: float = param(1.0, "second evaluation temperature (sensitivity check)", gt=0, le=5)
    n_secondary: int = param(
        32, "samples per problem for the sensitivity check and intermediate checkpoints", unit="samples", ge=2, le=4096
    )
    max_new_tokens: int = param(
        16, "generation limit (must not bind: the truncated share is reported)", unit="tokens", ge=1, le=32768
    )
    bootstrap: int = param(1000, "bootstrap resamples", unit="draws", ge=100, le=20000)
    # variants
    contrast_trace_prior: float | None = param(
        0.2,
        "spurious variant: trace_prior of the contrast base, whose accurate (trace) style is low-prior (None skips it)",
        ge=0,
        le=1,
    )
    sparsity_seeds: int = param(2, "RL seeds for the sparsity variant (overlap needs 2)", unit="seeds", ge=1, le=5)
    # checkpoint modes on local files (the GPU path): eval-only (base + RL checkpoints) or GRPO from a checkpoint
    base_checkpoint: str | None = param(
        None,
        "local base checkpoint folder: with rl_checkpoint, eval-only mode; alone, GRPO from it on data_path's problems",
    )
    rl_checkpoint: str | None = param(None, "local RL checkpoint folder (eval-only mode)")
    data_path: str | None = param(
        None,
        "local JSONL of math problems: {prompt, answer}, GSM8K {question, answer "
        "'... #### N'} or MATH {problem, solution with \\boxed{}}",
    )
    dtype: Literal["float32", "bfloat16", "float16"] = param(
        "float32", "checkpoint modes: weights dtype for evaluation; GRPO keeps fp32 masters and autocasts to it"
    )
    chat_template: bool = param(
        True,
        "checkpoint modes: prompt as a user turn of the checkpoint's chat template when it has one (recorded per run)",
    )
    needs_checkpoint: bool = param(
        False,
        "set by the gpu_checkpoint preset: the run stops at once, naming the "
        "field, unless base_checkpoint and data_path are given",
    )
    math_verify: bool = param(
        True,
        "checkpoint modes: check answers with math-verify when installed (extra "
        "'math'); else, or off, the built-in check",
    )

    @field_validator("base_checkpoint", "rl_checkpoint")
    @classmethod
    def _a_checkpoint_folder(cls, value: str | None) -> str | None:
        from ..substrate.model_files import checkpoint_problem  # stdlib only: configs stay light

        problem = checkpoint_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("data_path")
    @classmethod
    def _a_data_file(cls, value: str | None) -> str | None:
        if value and not Path(value).expanduser().is_file():
            raise ValueError(f"data file {value} does not exist")
        return value

    @model_validator(mode="after")
    def _eval_only_needs_all_three(self) -> Config:
        if bool(self.base_checkpoint) != bool(self.data_path) or (self.rl_checkpoint and not self.base_checkpoint):
            raise ValueError(
                "checkpoint modes need base_checkpoint and data_path (and rl_checkpoint for eval-only) together"
            )
        if self.variant == "spurious" and self.minibatches < 4:
            raise ValueError(
                f"the spurious variant needs minibatches >= 4 so the clip is active (got "
                f"{self.minibatches}); its M = 1 control arm is added automatically"
            )
        if self.variant == "spurious" and self.task != "countdown3":
            raise ValueError("the spurious variant needs task countdown3 (its two solution styles)")
        if self.task == "chains" and self.reward in ("format", "incorrect"):
            raise ValueError(f"reward {self.reward!r} is defined on countdown3 only (set task: countdown3)")
        if self.post_training == "distill" and (self.variant != "passk" or self.task != "chains"):
            raise ValueError("post_training distill is the pass@k control on the chains task")
        if self.heads and self.hidden % self.heads:
            raise ValueError(f"hidden={self.hidden} must be divisible by heads={self.heads}")
        return self

    @property
    def eval_only(self) -> bool:
        """Base and RL checkpoints compared on data_path (no training)."""
        return bool(self.base_checkpoint and self.rl_checkpoint)

    @property
    def from_checkpoint(self) -> bool:
        """Either checkpoint mode: eval-only, or GRPO from base_checkpoint on data_path."""
        return bool(self.base_checkpoint)


# The variants keep the countdown-3 task they were built on (its two written styles are the spurious
# variant's high- and low-prior styles); the pass@k claim runs on the chains, where guessing is hopeless.
_COUNTDOWN = dict(task="countdown3")
# The chains base: 400 pretraining steps of 128 sequences (the plateau before the lookups are learned lasts
# ~150 steps; 300 steps of noisy documents left the base at the guessing floor). GRPO at lr 1e-3 (3e-4 for 100
# steps left pass@1 unchanged: +0.0007 [-0.007, 0.008]).
_CHAINS = dict(
    hidden=64, layers=2, pretrain_steps=400, pretrain_batch=128, rl_lr=3e-4, rl_steps=100, rollout_temperature=0.6
)
_TEST = dict(
    _CHAINS, rl_steps=60, prompts_per_step=16, group_size=8, n_held_out=60, n_samples=32, n_secondary=16, bootstrap=300
)
PRESETS: dict[str, dict] = {
    "test": _TEST,
    "default": _CHAINS,
    # the registered pipeline with distillation in place of GRPO: the hypothesis is false by construction
    "control": dict(_CHAINS, post_training="distill", rl_steps=60, n_samples=64, n_secondary=16),
    # the same distillation arm as evidence about claims on distillation ("distillation transfers new reasoning
    # patterns" predicts `contradicts`: the post-trained model solves problems the base cannot)
    "distillation": dict(_CHAINS, post_training="distill", rl_steps=60, n_samples=64, n_secondary=16),
    "one_example": dict(_COUNTDOWN, variant="one_example", n_samples=64, rl_steps=100),
    # 7 GRPO arms (5 rewards/controls on base A, 2 on the contrast base B) and two pretrainings on the longer
    # trace documents: at the default size (hidden 96, 3 layers) this took 611 CPU-s, so it uses the test size
    "spurious": dict(
        _COUNTDOWN,
        variant="spurious",
        trace_prior=0.65,
        noise=0.4,
        direct_noise=0.9,
        minibatches=4,
        rl_lr=1e-4,
        rl_steps=60,
        n_samples=32,
        hidden=64,
        layers=2,
        pretrain_steps=400,
        pretrain_batch=128,
    ),
    # lr 1e-5 for 100 steps left held-out pass@1 unchanged (+0.010, CI [-0.001, 0.020]): nothing to measure
    "sparsity": dict(_COUNTDOWN, variant="sparsity", rl_lr=3e-5, rl_steps=150, n_samples=32),
    # From scratch on CUDA, no checkpoint: the countdown task with a 4.8M-parameter base (hidden 256, 6 layers),
    # 6x the pretraining, 2x the GRPO batch, n = 256 (estimate: docs/results/gpu-path.md, "RLVR").
    "gpu": dict(
        _COUNTDOWN,
        device="cuda",
        hidden=256,
        layers=6,
        heads=8,
        pretrain_steps=3000,
        pretrain_batch=512,
        rl_steps=300,
        prompts_per_step=64,
        group_size=8,
        n_held_out=300,
        n_samples=256,
        n_secondary=64,
    ),
    # Local checkpoints (about 0.5B) and a local GSM8K/MATH JSONL: pass base_checkpoint= and data_path= (and
    # rl_checkpoint= for eval-only). 100 held-out problems x 64 samples of up to 512 tokens per model; GRPO
    # 40 steps of 16 x 8 from the base (fp32 masters, bf16 autocast).
    "gpu_checkpoint": dict(
        device="cuda",
        n_held_out=100,
        n_samples=64,
        max_new_tokens=512,
        dtype="bfloat16",
        rl_steps=40,
        prompts_per_step=16,
        group_size=8,
        rl_lr=1e-6,
        std_normalise=True,
        needs_checkpoint=True,
    ),
}
