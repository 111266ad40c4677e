"""Episodes played by the model inside the sampling loop: the environment's answer is appended to the
KV cache after every action, so the model sees it before choosing the next one.

Every row starts from the same prompt (``<bos>S``), so rows stay aligned without padding: each step
feeds two tokens (the sampled action and the environment's answer) to every still-running row, and
finished rows are dropped from the cache (``batch_select_indices``). Actions are drawn from the full
vocabulary (a reply or special token is a format failure), one uniform per row per step, from
``generator``, so a run is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..substrate import cache_kwarg, cache_of, encode
from ..substrate.sampler import _pick
from .env import START, Episode


@dataclass
class Played:
    """One finished episode: its actions, the answers, and the environment's bookkeeping."""

    depth: int
    secret: tuple[int, ...]
    actions: list[str]
    replies: list[str]
    violations: list[str | None]
    solved: bool
    failure: str
    action_ids: list[int]  # token ids of the actions (what a policy-gradient update scores)
    reply_ids: list[int]

    def sequence(self, bos_id: int, start_id: int) -> tuple[list[int], list[bool]]:
        """Token ids of the whole episode and, per position, whether it is a model action."""
        ids, is_action = [bos_id, start_id], [False, False]
        for a, r in zip(self.action_ids, self.reply_ids):
            ids.append(a)
            is_action.append(True)
            if r >= 0:
                ids.append(r)
                is_action.append(False)
        return ids, is_action


@torch.inference_mode()
def play(
    model,
    tokenizer,
    secrets: list[tuple[int, ...]],
    *,
    budget_per_level: int,
    temperature: float,
    generator: torch.Generator,
    batch_size: int = 512,
) -> list[Played]:
    """Play one episode per secret (all of one depth or mixed) with the model choosing every action."""
    out: list[Played] = []
    for start in range(0, len(secrets), batch_size):
        out.extend(
            _play_chunk(
                model,
                tokenizer,
                secrets[start : start + batch_size],
                budget_per_level=budget_per_level,
                temperature=temperature,
                generator=generator,
            )
        )
    return out


def _play_chunk(model, tokenizer, secrets, *, budget_per_level, temperature, generator) -> list[Played]:
    device = next(model.parameters()).device
    vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    token_id = {token: i for i, token in enumerate(vocab)}
    envs = [Episode(secret=s, budget=budget_per_level * len(s)) for s in secrets]
    actions: list[list[int]] = [[] for _ in secrets]
    replies: list[list[int]] = [[] for _ in secrets]
    prompt = torch.tensor([encode(tokenizer, START)] * len(secrets), device=device)
    out = model(input_ids=prompt, use_cache=True, logits_to_keep=1)
    cache, logits = cache_of(out), out.logits[:, -1, :]
    active = list(range(len(secrets)))  # episode index of each cache row
    position = prompt.shape[1]
    name = cache_kwarg(model)
    while active:
        picked = _pick(logits, temperature, 1.0, generator).tolist()
        feed, keep = [], []
        for row, episode in enumerate(active):
            action = picked[row]
            reply = envs[episode].step(vocab[action])
            actions[episode].append(action)
            replies[episode].append(token_id[reply] if reply else -1)
            if not envs[episode].done:
                keep.append(row)
                feed.append([action, token_id[reply]])
        if not keep:
            break
        if len(keep) < len(active):
            cache.batch_select_indices(torch.tensor(keep, device=device))
            active = [active[row] for row in keep]
        ids = torch.tensor(feed, device=device)
        positions = torch.arange(position, position + 2, device=device).expand(len(active), 2)
        out = model(input_ids=ids, position_ids=positions, use_cache=True, **{name: cache})
        cache, logits = cache_of(out), out.logits[:, -1, :]
        position += 2
    return [
        Played(
            depth=len(env.secret),
            secret=env.secret,
            actions=[vocab[a] for a in acts],
            replies=[vocab[r] if r >= 0 else "" for r in reps],
            violations=list(env.violations),
            solved=env.solved,
            failure=env.failure,
            action_ids=acts,
            reply_ids=reps,
        )
        for env, acts, reps in zip(envs, actions, replies)
    ]
