"""Evaluation: n samples per problem, per-problem correct counts, and what Yue et al. compute from them.

Everything downstream (pass@k curves, histograms, solvable sets, ΔSE) is a function of the
per-problem counts, which the runner returns raw so anyone can recompute it.

>>> accuracy_histogram([0, 1, 5, 10], n=10)[0], accuracy_histogram([0, 1, 5, 10], n=10)[-1]
('0', 1)
>>> solvable_sets([0, 3, 0, 2], [1, 0, 0, 4])
{'both': 1, 'base_only': 1, 'rl_only': 1, 'neither': 1}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..api import Estimate, Series
from ..substrate import bootstrap_ci, pass_at_k

if TYPE_CHECKING:  # the statistics below stay light enough for the verdict rules and seed pooling
    import torch


@dataclass
class EvalItem:
    """One problem: the prompt text and the verifier of a completion."""

    prompt: str
    check: Callable[[str], bool]
    style: Callable[[str], str | None] | None = None


@dataclass
class Counts:
    """n samples per problem at one sampling setting: correct counts, style counts, mean entropy."""

    n: int
    temperature: float
    top_p: float
    correct: list[int]
    styled: list[int]  # samples per problem in the tracked style (zeros when none is tracked)
    entropy: float  # mean per-token entropy (nats) of the untempered model at generated positions
    truncated: float  # share of samples that hit max_new_tokens without <eos>


def sample_counts(
    model,
    tokenizer,
    items: Sequence[EvalItem],
    *,
    n: int,
    temperature: float,
    top_p: float,
    max_new_tokens: int,
    generator: torch.Generator,
    tracked_style: str | None = None,
    batch_size: int = 2048,
    encode_prompt: Callable[[str], list[int]] | None = None,
    stop_ids: Sequence[int] | None = None,
) -> Counts:
    """Sample ``n`` completions per item and count the verified ones (and those in ``tracked_style``).

    ``encode_prompt`` / ``stop_ids`` default to the miniature's; a checkpoint passes its chat-template
    encoder and every eos id of its generation config (:func:`~inquiry.runners.substrate.stop_token_ids`).
    """
    from ..substrate import encode, sample  # transformers and torch: only when sampling

    encode_prompt = encode_prompt or (lambda text: encode(tokenizer, text))
    prompts = [encode_prompt(item.prompt) for item in items]
    out = sample(
        model,
        prompts,
        n=n,
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        top_p=top_p,
        eos_id=list(stop_ids) if stop_ids else tokenizer.eos_token_id,
        pad_id=tokenizer.pad_token_id,
        generator=generator,
        batch_size=batch_size,
        return_logprobs=True,
    )
    texts = out.texts(tokenizer)
    correct = [sum(map(item.check, group)) for item, group in zip(items, texts)]
    styled = [
        sum(item.style(t) == tracked_style for t in group) if item.style and tracked_style else 0
        for item, group in zip(items, texts)
    ]
    entropies = [e for per_prompt in out.entropies for row in per_prompt for e in row]
    cut = [not out.stopped(c) for per_prompt in out.completions for c in per_prompt]
    return Counts(
        n=n,
        temperature=temperature,
        top_p=top_p,
        correct=correct,
        styled=styled,
        entropy=float(np.mean(entropies)),
        truncated=float(np.mean(cut)),
    )


def pass_curve_series(
    name: str, counts: Counts, ks: Sequence[int], chart: str, *, B: int = 500, seed: int = 0
) -> Series:
    """pass@k against k with a bootstrap band over problems, for the terminal chart and the plot."""
    rng = np.random.default_rng(seed)
    per_problem = np.array([[pass_at_k(counts.n, c, k) for k in ks] for c in counts.correct])
    bands = [bootstrap_ci(per_problem[:, j], B=B, rng=rng) for j in range(len(ks))]
    return Series.band(name, ks, bands, x_label="k (samples)", y_label="pass@k", log_x=True, chart=chart)


HISTOGRAM_BINS = [
    "0",
    "(0,.1]",
    "(.1,.2]",
    "(.2,.3]",
    "(.3,.4]",
    "(.4,.5]",
    "(.5,.6]",
    "(.6,.7]",
    "(.7,.8]",
    "(.8,.9]",
    "(.9,1)",
    "1",
]


def accuracy_histogram(correct: Sequence[int], n: int) -> list:
    """Problems per accuracy bin (c/n): exactly 0, ten bins of width 0.1, exactly 1 (Yue et al. Fig. 5).

    Returns ``[label_of_first_bin, count, ..., count_of_last_bin]`` flattened as label/count pairs.
    """
    counts = [0] * len(HISTOGRAM_BINS)
    for c in correct:
        if c == 0:
            counts[0] += 1
        elif c == n:
            counts[-1] += 1
        else:
            counts[min(10, 1 + int(np.ceil(c / n * 10 - 1e-9)) - 1)] += 1
    return [x for pair in zip(HISTOGRAM_BINS, counts) for x in pair]


def solvable_sets(base: Sequence[int], rl: Sequence[int]) -> dict[str, int]:
    """Problems solved (>= 1 correct of n) by both, the base only, RL only, neither."""
    pairs = list(zip(base, rl))
    return {
        "both": sum(b > 0 and r > 0 for b, r in pairs),
        "base_only": sum(b > 0 and r == 0 for b, r in pairs),
        "rl_only": sum(b == 0 and r > 0 for b, r in pairs),
        "neither": sum(b == 0 and r == 0 for b, r in pairs),
    }


def rl_only_share(base: Sequence[int], rl: Sequence[int], *, B: int = 1000, seed: int = 0) -> Estimate:
    """Share of problems RL solves (>= 1 of n) and the base never does, bootstrapped over problems.

    Finite n alone makes a few such problems (the base's rare successes can all be missed), so the
    verdict only calls the set non-empty when the interval clears a margin (``verdict.RL_ONLY_MARGIN``).
    """
    only = [float(b == 0 and r > 0) for b, r in zip(base, rl)]
    return bootstrap_ci(
        only, B=B, rng=np.random.default_rng(seed), description="share of problems solved only by RL (>= 1 of n)"
    )


def accuracy_gain(base: Sequence[int], other: Sequence[int], n: int, *, B: int = 1000, seed: int = 0) -> Estimate:
    """pass@1(other) − pass@1(base), paired over problems (bootstrap over problems)."""
    from ..substrate import paired_diff_ci

    return paired_diff_ci(
        np.asarray(other) / n,
        np.asarray(base) / n,
        B=B,
        rng=np.random.default_rng(seed),
        description="pass@1 gain over the base (paired over problems)",
    )


def extract_answer(text: str) -> str | None:
    r"""The final answer of a free-form completion (:func:`inquiry.runners.substrate.answers.extract_answer`).

    >>> extract_answer("so x = 3, and the answer is \\boxed{\\frac{1}{2}}."), extract_answer("it is 7 or -2.5")
    ('\\frac{1}{2}', '-2.5')
    """
    from ..substrate.answers import extract_answer as extract

    return extract(text)


def answer_matches(answer: str, text: str) -> bool:
    """Whether ``text``'s final answer equals ``answer`` (math-verify when installed, else the built-in check:
    :mod:`inquiry.runners.substrate.answers`)."""
    from ..substrate.answers import answers_match

    return answers_match(str(answer), text)
