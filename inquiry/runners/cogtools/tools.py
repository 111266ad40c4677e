"""The four ways of answering, each driving the frozen model through its sampler.

* ``direct``: one call, the answer at once (greedy).
* ``monolithic``: one call that writes the whole worked chain in one context (greedy).
* ``tools``: a Python loop calls the model in isolated contexts: a STEP call per operation (only
  that operation in its context), then an EXAMINE call on its result; when the check says no, the
  loop backtracks and samples the step again, up to ``retries`` times. Every call is counted.
* ``best_of_k``: k direct answers sampled at temperature 1, the most frequent one kept (k = the tool
  loop's mean number of calls, rounded up: the same compute in calls).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from ..substrate.sampler import sample
from ..substrate.tokenizer import encode
from .world import (
    STEPS,
    Problem,
    answer,
    apply,
    digits,
    direct_prompt,
    examine_prompt,
    mono_prompt,
    parse_digit,
    parse_mono,
    step_prompt,
)


class Caller:
    """Model calls with a shared generator; every prompt sent is one call."""

    def __init__(self, model, tok, generator):
        self.model, self.tok, self.generator = model, tok, generator

    def complete(
        self, prompts: list[str], *, n: int = 1, temperature: float = 0.0, max_new_tokens: int = 2
    ) -> list[list[str]]:
        if not prompts:
            return []
        out = sample(
            self.model,
            [encode(self.tok, p) for p in prompts],
            n=n,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            eos_id=self.tok.eos_token_id,
            pad_id=self.tok.pad_token_id,
            generator=self.generator,  # unused when greedy
        )
        return out.texts(self.tok)


def direct(caller: Caller, problems: list[Problem]) -> list[int]:
    texts = caller.complete([direct_prompt(p) for p in problems])
    return [int(parse_digit(t[0]) == answer(p)) for p, t in zip(problems, texts)]


def monolithic(caller: Caller, problems: list[Problem]) -> list[int]:
    texts = caller.complete([mono_prompt(p) for p in problems], max_new_tokens=2 * STEPS + 1)
    return [int(parse_mono(t[0]) == answer(p)) for p, t in zip(problems, texts)]


@dataclass
class ToolRun:
    correct: list[int]  # per problem
    calls: list[int]  # model calls per problem
    backtracks: list[int]  # re-sampled steps per problem
    step_correct: list[int]  # per problem, steps whose kept result is right (given its inputs)


def _or_zero(digit: int | None) -> int:
    """An unparsed step result carries on as 0 (the chain goes on; the step is scored wrong)."""
    return digit if digit is not None else 0


def tool_loop(caller: Caller, problems: list[Problem], retries: int) -> ToolRun:
    """All problems advance together, one operation at a time; each call sees only its own operation."""
    values = [p[0] for p in problems]
    calls = [0] * len(problems)
    backtracks = [0] * len(problems)
    step_correct = [0] * len(problems)
    for position in range(STEPS):
        fns = [p[1:][position] for p in problems]
        first = caller.complete([step_prompt(f, v) for f, v in zip(fns, values)])
        results = [parse_digit(t[0]) for t in first]
        for i in range(len(problems)):
            calls[i] += 1
        pending = list(range(len(problems)))
        for attempt in range(retries + 1):
            checks = caller.complete([examine_prompt(fns[i], values[i], _or_zero(results[i])) for i in pending])
            for i in pending:
                calls[i] += 1
            rejected = [i for i, t in zip(pending, checks) if t[0].strip() != "y" or results[i] is None]
            if attempt == retries or not rejected:
                break
            redo = caller.complete([step_prompt(fns[i], values[i]) for i in rejected], temperature=1.0)
            for i, t in zip(rejected, redo):
                results[i] = parse_digit(t[0])
                calls[i] += 1
                backtracks[i] += 1
            pending = rejected
        for i in range(len(problems)):
            step_correct[i] += int(results[i] == apply(fns[i], values[i]))
            values[i] = _or_zero(results[i])
    return ToolRun(
        correct=[int(v == answer(p)) for v, p in zip(values, problems)],
        calls=calls,
        backtracks=backtracks,
        step_correct=step_correct,
    )


def calls_budget(calls: list[int]) -> int:
    """k for best-of-k: the tool loop's mean calls per problem, rounded up.

    >>> calls_budget([6, 7, 6])
    7
    """
    return max(1, math.ceil(sum(calls) / len(calls) - 1e-9))


def best_of_k(caller: Caller, problems: list[Problem], k: int) -> tuple[list[int], list[int]]:
    """(majority-vote correct, any-of-k correct) per problem, from k sampled direct answers each."""
    texts = caller.complete([direct_prompt(p) for p in problems], n=k, temperature=1.0)
    voted, oracle = [], []
    for p, group in zip(problems, texts):
        answers = [parse_digit(t) for t in group]
        counts = Counter(a for a in answers if a is not None)
        pick = counts.most_common(1)[0][0] if counts else None
        voted.append(int(pick == answer(p)))
        oracle.append(int(answer(p) in answers))
    return voted, oracle


def parts_known(caller: Caller, problems: list[Problem]) -> list[int]:
    """Per evaluation problem, 1 when the model (greedy, isolated) computes all three of its true steps."""
    from .world import steps

    rows = [steps(p) for p in problems]
    flat = [step_prompt(f, x) for row in rows for f, x, _ in row]
    texts = caller.complete(flat)
    ok = [parse_digit(t[0]) == z for t, (_, _, z) in zip(texts, [s for row in rows for s in row])]
    return [int(all(ok[STEPS * i : STEPS * i + STEPS])) for i in range(len(problems))]


def examine_accuracy(caller: Caller, problems: list[Problem]) -> list[int]:
    """Per evaluation problem's steps, the check judged right (one true and one false result per step)."""
    from .world import steps

    prompts, truth = [], []
    for p in problems:
        for f, x, z in steps(p):
            wrong = (z + 1 + p[0]) % 10
            prompts += [examine_prompt(f, x, z), examine_prompt(f, x, wrong if wrong != z else (z + 1) % 10)]
            truth += ["y", "n"]
    texts = caller.complete(prompts)
    return [int(t[0].strip() == want) for t, want in zip(texts, truth)]


__all__ = [
    "Caller",
    "ToolRun",
    "best_of_k",
    "calls_budget",
    "digits",
    "direct",
    "examine_accuracy",
    "monolithic",
    "parts_known",
    "tool_loop",
]
