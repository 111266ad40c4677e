"""Option scoring as the authors' code does it: mean per-token log-prob of the option tokens.

For a prefix and an option, the input is ``prefix + " " + option``; the option's tokens are the
last ``len(full) - len(prefix)`` tokens (the authors' mask, which also handles BPE merges at the
boundary). The option's score is the mean log-prob of those tokens, so options of different
lengths are compared per token. ``chosen`` is the argmax under the augmented prefix (snippets in
the prompt), ``rejected`` the argmax under the naive prefix.

>>> from inquiry.runners.substrate import TinyModelConfig, build_model, build_tokenizer
>>> tok = build_tokenizer(["q", "a", "b", "c", ":"], level="word")
>>> model = build_model(tok, TinyModelConfig(hidden=16, layers=1, heads=2, ffn=32), seed=0)
>>> scores = score_options(model, tok, ["q :"], [("a", "b c")])
>>> len(scores[0]), all(s < 0 for s in scores[0])
(2, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase


def tokenize(tokenizer: PreTrainedTokenizerBase, text: str) -> list[int]:
    """Token ids of ``text`` with the tokenizer's bos first (when it has one and the text lacks it)."""
    ids = list(tokenizer(text, add_special_tokens=False)["input_ids"])
    bos = tokenizer.bos_token_id
    if bos is not None and (not ids or ids[0] != bos):
        ids = [bos, *ids]
    if not ids:  # a tokenizer with no bos and an empty text: condition on eos as a start token
        ids = [tokenizer.eos_token_id]
    return ids


def split_prompt_target(
    tokenizer: PreTrainedTokenizerBase, prefix: str, continuation: str, separator: str = " "
) -> tuple[list[int], list[int]]:
    """``(prompt_ids, target_ids)`` of ``prefix + separator + continuation`` with the authors' mask.

    >>> from inquiry.runners.substrate import build_tokenizer
    >>> tok = build_tokenizer(["q", "a", "b"], level="word")
    >>> split_prompt_target(tok, "q", "a b")
    ([1, 4], [5, 6])
    """
    prefix_len = len(tokenize(tokenizer, prefix)) if prefix else (1 if tokenizer.bos_token_id is not None else 0)
    full = tokenize(tokenizer, f"{prefix}{separator}{continuation}" if prefix else continuation)
    target_len = max(1, len(full) - prefix_len)
    return full[:-target_len], full[-target_len:]


def sequence_logprobs(
    model: PreTrainedModel, pairs: Sequence[tuple[list[int], list[int]]], pad_id: int
) -> torch.Tensor:
    """Mean log-prob of each target given its prompt, one forward pass (differentiable).

    Rows are right-padded, so padding never precedes a real token and positions stay 0..n-1.
    """
    device = next(model.parameters()).device
    lengths = [len(p) + len(t) for p, t in pairs]
    width = max(lengths)
    ids = torch.full((len(pairs), width), pad_id, dtype=torch.long)
    target_mask = torch.zeros((len(pairs), width), dtype=torch.bool)
    for row, (prompt, target) in enumerate(pairs):
        ids[row, : lengths[row]] = torch.tensor(prompt + target)
        target_mask[row, len(prompt) : lengths[row]] = True
    attention = torch.arange(width)[None, :] < torch.tensor(lengths)[:, None]
    ids, target_mask, attention = ids.to(device), target_mask.to(device), attention.to(device)
    logits = model(input_ids=ids, attention_mask=attention.long()).logits[:, :-1].float()
    token_logp = torch.gather(logits, 2, ids[:, 1:, None]).squeeze(2) - torch.logsumexp(logits, dim=2)
    mask = target_mask[:, 1:]
    return (token_logp * mask).sum(1) / mask.sum(1)


@torch.no_grad()
def score_options(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prefixes: Sequence[str],
    options: Sequence[Sequence[str]],
    *,
    separator: str = " ",
    batch_size: int = 256,
) -> list[list[float]]:
    """For question i, the mean per-token log-prob of each of ``options[i]`` after ``prefixes[i]``."""
    if len(prefixes) != len(options):
        raise ValueError(f"{len(prefixes)} prefixes but {len(options)} option lists")
    pairs, owner = [], []
    for i, (prefix, opts) in enumerate(zip(prefixes, options)):
        for option in opts:
            pairs.append(split_prompt_target(tokenizer, prefix, option, separator))
            owner.append(i)
    was_training = model.training
    model.eval()
    flat: list[float] = []
    for start in range(0, len(pairs), batch_size):
        flat += sequence_logprobs(model, pairs[start : start + batch_size], tokenizer.pad_token_id).tolist()
    model.train(was_training)
    scores: list[list[float]] = [[] for _ in prefixes]
    for i, value in zip(owner, flat):
        scores[i].append(value)
    return scores


def argmax(values: Sequence[float]) -> int:
    """Index of the largest value (the first on ties, as ``torch.argmax`` does).

    >>> argmax([-2.0, -0.5, -0.5])
    1
    """
    return max(range(len(values)), key=lambda i: (values[i], -i))
