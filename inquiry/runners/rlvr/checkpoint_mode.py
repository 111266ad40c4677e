"""RLVR on local checkpoints and a local math dataset (the GPU path; tested on CPU with tiny real architectures).

Two modes, chosen by which paths are set:

* **eval-only** (``base_checkpoint`` + ``rl_checkpoint`` + ``data_path``): Yue et al.'s own form — n
  samples per problem from both checkpoints with the same decoding, pass@k curves compared;
* **GRPO from a checkpoint** (``base_checkpoint`` + ``data_path``): the same GRPO code as the miniature
  trains a copy of the base on the dataset's training share (fp32 master weights, forwards under
  autocast to ``dtype``), then both are evaluated on the held-out share.

Prompts are user turns of the checkpoint's chat template when it has one and ``chat_template`` is on;
completions stop at every eos id of the generation config; answers are checked by math-verify when
installed, else by the built-in checker (:mod:`inquiry.runners.substrate.answers`). The run records
which of each it used in ``raw["decoding"]``.
"""

from __future__ import annotations

import copy
import random
from functools import partial
from pathlib import Path

import torch

from ..api import Artifact, Estimate, Result, RunContext
from ..substrate import (
    answers,
    encode_prompt,
    has_chat_template,
    load_checkpoint,
    load_qa_jsonl,
    log2_grid,
    save_checkpoint,
    stop_token_ids,
)
from .config import Config
from .evaluate import Counts, EvalItem, pass_curve_series, sample_counts
from .grpo import GRPOSettings, autocast, train_grpo
from .plots import plot_pass_curves
from .verdict import passk_evidence, passk_verdict

SAMPLER_BACKEND = "inquiry.runners.substrate.sample (HF forward, KV cache, inverse-CDF top-p)"


class _Decoding:
    """How one checkpoint is prompted and stopped, and how answers are checked."""

    def __init__(self, model, tokenizer, c: Config):
        self.tokenizer = tokenizer
        self.chat = c.chat_template and has_chat_template(tokenizer)
        self.stop_ids = stop_token_ids(model, tokenizer)
        self.use_math_verify = c.math_verify

    def encode(self, text: str) -> list[int]:
        return encode_prompt(self.tokenizer, text, chat=self.chat)

    def check(self, reference: str, completion: str) -> bool:
        return answers.answers_match(reference, completion, use_math_verify=self.use_math_verify)

    def record(self) -> dict:
        return {
            "chat_template": self.chat,
            "stop_ids": self.stop_ids,
            "bos": self.tokenizer.bos_token_id,
            "answer_checker": answers.backend() if self.use_math_verify else "builtin",
        }


def _split(c: Config, seed: int) -> tuple[list[dict], list[dict]]:
    """(held-out, RL-train) problems: all of them held out in eval-only mode (capped at n_held_out)."""
    assert c.data_path  # Config's validator admits a checkpoint mode only with data_path
    rows = load_qa_jsonl(Path(c.data_path).expanduser())
    random.Random(seed).shuffle(rows)
    if c.eval_only:
        return rows[: c.n_held_out], []
    held = min(c.n_held_out, len(rows) // 2)
    if held < 1:
        raise ValueError(f"{c.data_path} has {len(rows)} problems; GRPO from a checkpoint needs at least 2")
    return rows[:held], rows[held:]


def _counts(model, decoding: _Decoding, rows: list[dict], c: Config, ctx: RunContext, stream: int) -> Counts:
    items = [EvalItem(r["prompt"], partial(decoding.check, r["answer"])) for r in rows]
    device = next(model.parameters()).device
    with autocast(device, c.dtype if next(model.parameters()).dtype == torch.float32 else None):
        return sample_counts(
            model,
            decoding.tokenizer,
            items,
            n=c.n_samples,
            temperature=c.temperature,
            top_p=c.top_p,
            max_new_tokens=c.max_new_tokens,
            generator=ctx.torch_generator(stream),
            batch_size=512 if ctx.device == "cuda" else 2048,
            encode_prompt=decoding.encode,
            stop_ids=decoding.stop_ids,
        )


def run_from_checkpoints(c: Config, ctx: RunContext) -> Result:
    """Eval-only or GRPO-from-checkpoint (see the module docstring)."""
    assert c.base_checkpoint and c.data_path  # Config's validator admits a checkpoint mode only with both
    held_out, train = _split(c, ctx.seed)
    counts: dict[str, Counts] = {}
    artifacts: list[Artifact] = []
    raw: dict = {
        "seed": ctx.seed,
        "bootstrap": c.bootstrap,
        "n": c.n_samples,
        "sampler_backend": SAMPLER_BACKEND,
        "mode": "eval_only" if c.eval_only else "grpo_from_checkpoint",
        "held_out_prompts": [r["prompt"] for r in held_out],
    }
    if c.eval_only:
        assert c.rl_checkpoint  # what eval_only means
        for label, folder in (("base", c.base_checkpoint), ("rl", c.rl_checkpoint)):
            ctx.progress(0, 2, f"sampling {label} from {folder}")
            model, tok = load_checkpoint(folder, device=ctx.device, dtype=getattr(torch, c.dtype))
            decoding = _Decoding(model, tok, c)
            counts[label] = _counts(model, decoding, held_out, c, ctx, stream=7)
            raw.setdefault("decoding", {})[label] = decoding.record()
            del model
        scope_name = Path(c.rl_checkpoint).name
    else:
        # fp32 master weights; the dtype applies through autocast (GRPO on CUDA runs the same code as on CPU)
        base, tok = load_checkpoint(c.base_checkpoint, device=ctx.device, dtype=torch.float32)
        decoding = _Decoding(base, tok, c)
        raw["decoding"] = {"base": decoding.record(), "rl": decoding.record()}
        ctx.progress(0, 1, "sampling the base")
        counts["base"] = _counts(base, decoding, held_out, c, ctx, stream=7)
        model = copy.deepcopy(base).train()
        settings = GRPOSettings(
            steps=c.rl_steps,
            prompts_per_step=c.prompts_per_step,
            group_size=c.group_size,
            minibatches=c.minibatches,
            clip_eps=c.clip_eps,
            kl_coef=c.kl_coef,
            lr=c.rl_lr,
            temperature=c.rollout_temperature,
            std_normalise=c.std_normalise,
            max_new_tokens=c.max_new_tokens,
            autocast_dtype=None if c.dtype == "float32" else c.dtype,
            micro_batch=8,
        )  # a real vocabulary's logits: 8 rows per forward

        def on_step(log) -> None:
            ctx.check_cancelled()
            ctx.progress(
                log.step,
                settings.steps,
                "GRPO from the checkpoint",
                reward=log.reward,
                accuracy=log.accuracy,
                entropy=log.entropy,
            )

        outcome = train_grpo(
            model,
            tok,
            train,
            lambda r: str(r["prompt"]),
            lambda r, text: float(decoding.check(r["answer"], text)),
            settings,
            generator=ctx.torch_generator(1),
            rng=random.Random(f"{ctx.seed}-grpo"),
            is_correct=lambda r, text: decoding.check(r["answer"], text),
            on_step=on_step,
            encode_prompt=decoding.encode,
            stop_ids=decoding.stop_ids,
        )
        del base
        ctx.progress(0, 1, "sampling the RL model")
        counts["rl"] = _counts(model.eval(), decoding, held_out, c, ctx, stream=8)
        raw["training_log"] = [vars(log) for log in outcome.logs]
        save_checkpoint(model, tok, ctx.artifact_dir / "rl_checkpoint")
        artifacts.append(
            Artifact(
                name="rl_checkpoint",
                path="rl_checkpoint",
                kind="checkpoint",
                description="the base after GRPO (safetensors)",
            )
        )
        scope_name = Path(c.base_checkpoint).name + "+grpo"
    n = c.n_samples
    ev = passk_evidence(counts["base"].correct, counts["rl"].correct, n, seed=ctx.seed, B=c.bootstrap)
    verdict = passk_verdict(ev, scope=f"checkpoint:{scope_name}")
    ks = log2_grid(n)
    series = [pass_curve_series(label, cnt, ks, "pass@k", B=c.bootstrap) for label, cnt in counts.items()]
    plot = plot_pass_curves(series, ctx.artifact_dir / "passk.png", f"pass@k on {Path(c.data_path).name}")
    raw["held_out"] = {label: cnt.correct for label, cnt in counts.items()}
    metrics = {
        "delta_pass1": ev.delta_1,
        f"delta_pass{n}": ev.delta_n,
        "rl_only_share": ev.rl_only,
        "truncated_share": Estimate(
            value=max(cnt.truncated for cnt in counts.values()),
            description="samples cut at max_new_tokens (must be ~0)",
        ),
    }
    artifacts.insert(0, Artifact(name="pass@k curves", path=plot.name, kind="plot"))
    return Result(
        metrics=metrics,
        series=series,
        raw=raw,
        verdict=verdict,
        artifacts=artifacts,
        headline=["delta_pass1", f"delta_pass{n}"],
    )
