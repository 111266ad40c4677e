"""GRPO written out by hand: P prompts x G samples per step, group-normalised advantages,
a clipped importance ratio over M minibatch updates per rollout, optional KL to the base.

With M = 1 the whole rollout is one minibatch and one update, whose "old" log-probs come from
the same forward pass as the new ones: the ratio is exactly 1 and the clip never fires. That is
the mechanism control of the spurious-rewards variant (Shao et al. attribute random-reward gains
to the clip).

>>> group_advantages(torch.tensor([[1., 1., 1., 1.], [1., 0., 0., 0.]]))
tensor([[ 0.0000,  0.0000,  0.0000,  0.0000],
        [ 0.7500, -0.2500, -0.2500, -0.2500]])
"""

from __future__ import annotations

import contextlib
import copy
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from ..substrate import encode, sample

P = TypeVar("P")  # a problem: the miniature's tuple, a checkpoint dataset's row
RewardFn = Callable[[P, str], float]  # (problem, completion text) -> reward


@dataclass(frozen=True)
class GRPOSettings:
    steps: int = 150
    prompts_per_step: int = 32  # P
    group_size: int = 16  # G
    minibatches: int = 1  # M updates per rollout; 1 = on-policy, ratio == 1
    clip_eps: float = 0.2
    kl_coef: float = 0.0  # Yue et al. used no KL
    lr: float = 3e-4
    weight_decay: float = 0.0
    temperature: float = 1.0  # rollout temperature
    std_normalise: bool = True  # (r - mean) / (std + eps) as in GRPO; False = Dr.GRPO's r - mean
    grad_clip: float = 1.0
    max_new_tokens: int = 16
    checkpoints: int = 3  # snapshots at 0, 1/3, 2/3, end (plus the end)
    # Reduced precision: the weights (and AdamW's state) stay fp32 masters, forwards run under autocast to
    # this dtype ("bfloat16" on a GPU); None = plain fp32. Same code on CPU and CUDA.
    autocast_dtype: str | None = None
    micro_batch: int = 0  # rows per forward in the update, gradients accumulated (0 = the whole minibatch)


def group_advantages(rewards: torch.Tensor, std_normalise: bool = False, eps: float = 1e-4) -> torch.Tensor:
    """Per-group (row) advantages: r - mean(r), divided by std(r) + eps when ``std_normalise``.

    A group whose rewards are all equal gets zero advantage: it carries no learning signal.
    """
    centred = rewards - rewards.mean(dim=1, keepdim=True)
    if std_normalise:
        centred = centred / (rewards.std(dim=1, keepdim=True, unbiased=False) + eps)
    return centred


def completion_logprobs(
    model: PreTrainedModel, prompts: Sequence[Sequence[int]], completions: Sequence[Sequence[int]], pad_id: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probs of each completion token under ``model``: ``(logprobs, mask)``, both (rows, width).

    Rows are prompt + completion, right-padded; prompts may differ in length, positions count from
    each row's first token, so the numbers match what the sampler saw.
    """
    device = next(model.parameters()).device
    seqs = [list(p) + list(c) for p, c in zip(prompts, completions)]
    width = max(map(len, seqs))
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width - 1), dtype=torch.bool)
    for row, (p, seq) in enumerate(zip(prompts, seqs)):
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, len(p) - 1 : len(seq) - 1] = True  # position t predicts token t+1
    ids, mask = ids.to(device), mask.to(device)
    logits = model(input_ids=ids).logits[:, :-1].float()
    logprobs = torch.log_softmax(logits, dim=-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
    return logprobs, mask


def autocast(device: torch.device, dtype: str | None):
    """``torch.autocast`` to ``dtype`` on ``device``'s type, or nothing when ``dtype`` is None or float32."""
    if dtype is None or dtype == "float32":
        return contextlib.nullcontext()
    return torch.autocast(device_type=torch.device(device).type, dtype=getattr(torch, dtype))


@dataclass
class StepLog:
    step: int
    reward: float
    entropy: float
    clip_fraction: float
    ratio_max_dev: float  # max |ratio - 1| over the step's tokens
    kl: float
    mixed_groups: float  # share of groups with non-zero advantage
    style_share: float  # share of rollouts in the base's high-prior style (spurious variant)
    accuracy: float  # share of rollouts the true verifier accepts (whatever the reward)


@dataclass
class GRPOOutcome:
    logs: list[StepLog] = field(default_factory=list)
    snapshots: dict[int, dict[str, torch.Tensor]] = field(default_factory=dict)  # step -> state dict


def snapshot_steps(steps: int, parts: int = 3) -> list[int]:
    """Steps at which the policy is kept: 0, 1/3, 2/3 and the end.

    >>> snapshot_steps(150)
    [0, 50, 100, 150]
    """
    return sorted({round(steps * i / parts) for i in range(parts + 1)})


def train_grpo(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    problems: Sequence[P],
    prompt_of: Callable[[P], str],
    reward: RewardFn[P],
    settings: GRPOSettings,
    *,
    generator: torch.Generator,
    rng: random.Random,
    is_correct: Callable[[P, str], bool],
    style_of: Callable[[str], str | None] | None = None,
    high_prior_style: str | None = None,
    on_step: Callable[[StepLog], None] | None = None,
    encode_prompt: Callable[[str], list[int]] | None = None,
    stop_ids: Sequence[int] | None = None,
) -> GRPOOutcome:
    """Run GRPO on ``problems``, updating ``model`` in place; returns per-step logs and snapshots.

    ``encode_prompt`` and ``stop_ids`` default to the miniature's (:func:`encode`, the tokenizer's
    eos); a checkpoint passes its chat-template encoder and every eos id of its generation config.
    """
    s = settings
    device = next(model.parameters()).device
    if any(p.dtype != torch.float32 for p in model.parameters() if p.requires_grad):
        raise ValueError(
            "GRPO trains fp32 master weights (load the model in float32 and set "
            "autocast_dtype for reduced-precision forwards); AdamW updates round away in bf16"
        )
    encode_prompt = encode_prompt or (lambda text: encode(tokenizer, text))
    reference = None
    if s.kl_coef > 0:
        reference = copy.deepcopy(model).eval().requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=s.lr, betas=(0.9, 0.99), weight_decay=s.weight_decay)
    keep = set(snapshot_steps(s.steps))
    outcome = GRPOOutcome()
    pad = tokenizer.pad_token_id
    eos = list(stop_ids) if stop_ids else tokenizer.eos_token_id
    for step in range(s.steps + 1):
        if step in keep:
            outcome.snapshots[step] = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if step == s.steps:
            break
        batch_problems = [problems[rng.randrange(len(problems))] for _ in range(s.prompts_per_step)]
        prompt_ids = [encode_prompt(prompt_of(p)) for p in batch_problems]
        with autocast(device, s.autocast_dtype):
            rollout = sample(
                model,
                prompt_ids,
                n=s.group_size,
                max_new_tokens=s.max_new_tokens,
                temperature=s.temperature,
                eos_id=eos,
                pad_id=pad,
                generator=generator,
                return_logprobs=True,
            )
        texts = rollout.texts(tokenizer)
        rewards = torch.tensor([[reward(p, t) for t in group] for p, group in zip(batch_problems, texts)])
        advantages = group_advantages(rewards, s.std_normalise).flatten()
        rows_prompt = [ids for ids in prompt_ids for _ in range(s.group_size)]
        rows_completion = [c for group in rollout.completions for c in group]
        with autocast(device, s.autocast_dtype):
            stats = _update(
                model, optimizer, reference, rows_prompt, rows_completion, advantages.to(device), pad, s, generator
            )
        flat = [(p, t) for p, group in zip(batch_problems, texts) for t in group]
        entropies = [e for group in rollout.entropies for row in group for e in row]
        log = StepLog(
            step=step + 1,
            reward=float(rewards.mean()),
            entropy=sum(entropies) / max(1, len(entropies)),
            mixed_groups=float((rewards.std(dim=1) > 0).float().mean()),
            style_share=(
                sum(style_of(t) == high_prior_style for _, t in flat) / len(flat)
                if style_of and high_prior_style
                else float("nan")
            ),
            accuracy=sum(is_correct(p, t) for p, t in flat) / len(flat),
            **stats,
        )
        outcome.logs.append(log)
        if on_step is not None:
            on_step(log)
    model.eval()
    return outcome


def _update(
    model, optimizer, reference, prompts, completions, advantages, pad, s: GRPOSettings, generator: torch.Generator
) -> dict[str, float]:
    """M minibatch updates over one rollout with the clipped surrogate; returns clip/ratio/KL stats."""
    # the draw happens on the generator's device (a CUDA generator cannot drive a CPU randint)
    order = torch.randperm(
        len(prompts),
        generator=torch.Generator().manual_seed(
            int(torch.randint(0, 2**31 - 1, (1,), generator=generator, device=generator.device))
        ),
    )
    chunks = [order[i :: s.minibatches].tolist() for i in range(s.minibatches)]
    # each minibatch in micro-batches of at most s.micro_batch rows, gradients accumulated: a real vocabulary
    # (150k ids) makes full-batch logits tens of GB; the update is the same as one full-batch forward
    micro = [
        [chunk[k : k + s.micro_batch] for k in range(0, len(chunk), s.micro_batch)] if s.micro_batch else [chunk]
        for chunk in chunks
    ]

    def logprobs_of(net, rows):
        return completion_logprobs(net, [prompts[i] for i in rows], [completions[i] for i in rows], pad)

    model.eval()  # no dropout in Llama, but keep old and new log-probs on the same code path
    with torch.no_grad():  # the behaviour policy's log-probs, before any update of this rollout
        old = [[logprobs_of(model, rows)[0] for rows in parts] for parts in micro]
        ref = (
            [[logprobs_of(reference, rows)[0] for rows in parts] for parts in micro] if reference is not None else None
        )
    clipped = tokens = 0
    max_dev = kl_sum = 0.0
    for j, chunk in enumerate(chunks):
        if not chunk:
            continue
        optimizer.zero_grad(set_to_none=True)
        chunk_tokens = sum(len(completions[i]) for i in chunk)
        for m, rows in enumerate(micro[j]):
            new, mask = logprobs_of(model, rows)
            ratio = torch.exp(new - old[j][m])
            adv = advantages[rows][:, None]
            surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - s.clip_eps, 1 + s.clip_eps) * adv)
            per_token = -surrogate
            if ref is not None:
                log_gap = ref[j][m] - new  # k3 estimator of KL(pi || ref), always >= 0
                kl = torch.exp(log_gap) - log_gap - 1
                per_token = per_token + s.kl_coef * kl
                kl_sum += float(kl[mask].sum())
            # token mean over the minibatch (one micro-batch: exactly the plain mean)
            loss = per_token[mask].mean() if len(micro[j]) == 1 else per_token[mask].sum() / max(1, chunk_tokens)
            loss.backward()
            dev = (ratio.detach() - 1).abs()[mask]
            clipped += int((dev > s.clip_eps).sum())
            tokens += int(mask.sum())
            if dev.numel():
                max_dev = max(max_dev, float(dev.max()))
        torch.nn.utils.clip_grad_norm_(model.parameters(), s.grad_clip)
        optimizer.step()
    return {"clip_fraction": clipped / max(1, tokens), "ratio_max_dev": max_dev, "kl": kl_sum / max(1, tokens)}
