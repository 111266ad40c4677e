"""A batched sampler with a KV cache: n completions per prompt, temperature / top-p, seeded.

Each distinct prompt is encoded once and its cache rows are copied for its n samples, which is
where the speed over ``model.generate`` comes from when n is large. Prompts of different lengths
are left-padded with a matching attention mask and position ids, so a prompt gives the same
greedy completion alone or in a padded batch. Draws come from one uniform per row per step
(inverse CDF), so a run is reproducible under the same ``torch.Generator`` seed.

Log-probs and entropies, when asked for, are those of the model's untempered distribution
(softmax of the raw logits) at each generated position: what an RL loss or a perplexity
analysis needs, whatever temperature was used to draw.

>>> import torch
>>> from inquiry.runners.substrate import TinyModelConfig, build_model, build_tokenizer, encode
>>> tok = build_tokenizer(list("ab"))
>>> model = build_model(tok, TinyModelConfig(hidden=16, layers=1, heads=2, ffn=32), seed=0)
>>> out = sample(model, [encode(tok, "ab")], n=3, max_new_tokens=4, eos_id=tok.eos_token_id,
...              pad_id=tok.pad_token_id, generator=torch.Generator().manual_seed(0))
>>> len(out.completions[0]), all(1 <= len(c) <= 4 for c in out.completions[0])
(3, True)
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedModel


@dataclass
class SampleBatch:
    """Per prompt, its completions (token ids, ending with a stop id when the model stopped)."""

    completions: list[list[list[int]]]
    logprobs: list[list[list[float]]] | None = None
    entropies: list[list[list[float]]] | None = None
    eos_id: int | None = None  # the first stop id
    eos_ids: tuple[int, ...] = ()  # every id that ended a completion

    def stopped(self, completion: list[int]) -> bool:
        """Whether ``completion`` ended on a stop id (rather than at the token limit)."""
        return bool(completion) and completion[-1] in self.eos_ids

    @property
    def num_tokens(self) -> int:
        """Generated tokens in all completions (eos included)."""
        return sum(len(c) for per_prompt in self.completions for c in per_prompt)

    def texts(self, tokenizer) -> list[list[str]]:
        """Completions decoded without special tokens."""
        return [[tokenizer.decode(c, skip_special_tokens=True) for c in per_prompt] for per_prompt in self.completions]


def _chunks(counts: list[int], batch_size: int) -> list[list[tuple[int, int]]]:
    """Split (prompt, samples) work into chunks of at most ``batch_size`` rows, in prompt order.

    >>> _chunks([3, 3, 5], 4)
    [[(0, 3)], [(1, 3)], [(2, 4)], [(2, 1)]]
    >>> _chunks([1, 1, 1], 4)
    [[(0, 1), (1, 1), (2, 1)]]
    """
    chunks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    rows = 0
    for index, count in enumerate(counts):
        while count > 0:
            take = min(count, batch_size)
            if rows + take > batch_size:
                chunks.append(current)
                current, rows = [], 0
            current.append((index, take))
            rows += take
            count -= take
    if current:
        chunks.append(current)
    return chunks


def _left_pad(prompts: list[list[int]], pad_id: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, prompt in enumerate(prompts):
        if prompt:
            ids[row, width - len(prompt) :] = torch.tensor(prompt, dtype=torch.long)
            mask[row, width - len(prompt) :] = 1
    return ids.to(device), mask.to(device)


def _pick(logits: torch.Tensor, temperature: float, top_p: float, generator: torch.Generator) -> torch.Tensor:
    """One token per row: argmax when temperature is 0, else an inverse-CDF draw from the top-p set."""
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    order = None
    if top_p < 1.0:
        probs, order = probs.sort(dim=-1, descending=True)
        mass_before = probs.cumsum(dim=-1) - probs
        probs = probs.masked_fill(mass_before >= top_p, 0.0)
    cdf = probs.cumsum(dim=-1)
    # drawn on the generator's own device: a CPU generator can drive CUDA sampling and vice versa
    draws = torch.rand(cdf.shape[0], 1, generator=generator, device=generator.device).to(cdf.device) * cdf[:, -1:]
    picked = torch.searchsorted(cdf, draws).clamp_(max=cdf.shape[-1] - 1)
    if order is not None:
        picked = order.gather(-1, picked)
    return picked.squeeze(-1)


def cache_kwarg(model: PreTrainedModel) -> str:
    """The forward keyword that takes a KV cache: ``cache`` from transformers 5.24, else ``past_key_values``.

    An unknown keyword is silently swallowed by ``**kwargs`` (the model then recomputes without the
    cache and returns wrong logits), so the name is read off the signature rather than guessed.
    """
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def cache_of(output):
    """The KV cache a forward returned, under either name."""
    cache = getattr(output, "cache", None)
    return cache if cache is not None else output.past_key_values


@torch.inference_mode()
def _sample_chunk(
    model, prompts, counts, *, max_new_tokens, temperature, top_p, eos_ids, pad_id, generator, return_logprobs
):
    device = next(model.parameters()).device
    stop = torch.tensor(eos_ids, dtype=torch.long, device=device)
    ids, mask = _left_pad(prompts, pad_id, device)
    padded = bool((mask == 0).any())
    positions = (mask.cumsum(-1) - 1).clamp_(min=0)
    cache_name = cache_kwarg(model)
    out = model(
        input_ids=ids, attention_mask=mask if padded else None, position_ids=positions, use_cache=True, logits_to_keep=1
    )
    cache = cache_of(out)
    expand = torch.repeat_interleave(torch.arange(len(prompts), device=device), torch.tensor(counts, device=device))
    if any(count != 1 for count in counts):  # copy each prompt's cache rows for its samples
        cache.batch_select_indices(expand)
    logits = out.logits[:, -1, :][expand]
    mask = mask[expand]
    next_position = positions[expand, -1:] + 1
    rows = len(expand)
    tokens = torch.full((rows, max_new_tokens), pad_id, dtype=torch.long, device=device)
    logprobs = torch.zeros((rows, max_new_tokens), device=device) if return_logprobs else None
    entropies = torch.zeros((rows, max_new_tokens), device=device) if return_logprobs else None
    lengths = torch.full((rows,), max_new_tokens, dtype=torch.long, device=device)
    done = torch.zeros(rows, dtype=torch.bool, device=device)
    if padded:
        mask = torch.cat([mask, torch.ones((rows, max_new_tokens), dtype=mask.dtype, device=device)], dim=1)
    width = ids.shape[1]
    for step in range(max_new_tokens):
        token = _pick(logits, temperature, top_p, generator)
        token = token.masked_fill(done, pad_id)
        tokens[:, step] = token
        if logprobs is not None and entropies is not None:
            log_dist = torch.log_softmax(logits.float(), dim=-1)
            logprobs[:, step] = log_dist.gather(-1, token[:, None]).squeeze(-1)
            entropies[:, step] = -(log_dist.exp() * log_dist).sum(-1)
        stopped = torch.isin(token, stop) & ~done
        lengths[stopped] = step + 1
        done |= stopped
        if step + 1 == max_new_tokens or bool(done.all()):
            break
        out = model(
            input_ids=token[:, None],
            position_ids=next_position,
            attention_mask=mask[:, : width + step + 1] if padded else None,
            use_cache=True,
            **{cache_name: cache},
        )
        cache = cache_of(out)
        logits = out.logits[:, -1, :]
        next_position = next_position + 1
    kept = lengths.tolist()
    token_rows = tokens.tolist()
    result = [row[:length] for row, length in zip(token_rows, kept)]
    if logprobs is None or entropies is None:
        return result, None, None
    lp = [row[:length] for row, length in zip(logprobs.tolist(), kept)]
    ent = [row[:length] for row, length in zip(entropies.tolist(), kept)]
    return result, lp, ent


def sample(
    model: PreTrainedModel,
    prompts: list[list[int]],
    *,
    n: int,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_p: float = 1.0,
    eos_id: int | Sequence[int],
    pad_id: int,
    generator: torch.Generator,
    batch_size: int = 1024,
    return_logprobs: bool = False,
) -> SampleBatch:
    """``n`` completions of up to ``max_new_tokens`` for each prompt (greedy when ``temperature == 0``).

    ``eos_id`` is one stop id or several (a checkpoint's generation config may list more than one:
    :func:`~inquiry.runners.substrate.model.stop_token_ids`); a completion ends at the first of any.
    """
    eos_ids = tuple(int(t) for t in (eos_id if isinstance(eos_id, Sequence) else [eos_id]))
    if not eos_ids:
        raise ValueError("need at least one stop id (eos_id)")
    if n < 1 or max_new_tokens < 1 or batch_size < 1:
        raise ValueError(f"n, max_new_tokens and batch_size must be >= 1 (got {n}, {max_new_tokens}, {batch_size})")
    if temperature < 0 or not 0 < top_p <= 1:
        raise ValueError(f"need temperature >= 0 and 0 < top_p <= 1 (got {temperature}, {top_p})")
    if any(len(p) == 0 for p in prompts):
        raise ValueError("every prompt needs at least one token (e.g. <bos>)")
    was_training = model.training
    model.eval()
    completions: list[list[list[int]]] = [[] for _ in prompts]
    logprobs: list[list[list[float]]] = [[] for _ in prompts]
    entropies: list[list[list[float]]] = [[] for _ in prompts]
    try:
        for chunk in _chunks([n] * len(prompts), batch_size):
            rows, lp, ent = _sample_chunk(
                model,
                [prompts[i] for i, _ in chunk],
                [count for _, count in chunk],
                max_new_tokens=max_new_tokens,
                temperature=temperature,
                top_p=top_p,
                eos_ids=eos_ids,
                pad_id=pad_id,
                generator=generator,
                return_logprobs=return_logprobs,
            )
            start = 0
            for index, count in chunk:
                completions[index].extend(rows[start : start + count])
                if return_logprobs:
                    logprobs[index].extend(lp[start : start + count])
                    entropies[index].extend(ent[start : start + count])
                start += count
    finally:
        model.train(was_training)
    return SampleBatch(
        completions, logprobs if return_logprobs else None, entropies if return_logprobs else None, eos_ids[0], eos_ids
    )
