"""The two tasks the RLVR miniature runs on, behind one interface the pipeline uses.

``chains`` (:mod:`.chains`) is the pass@k task: a checked three-step trace whose uniform guesser
hits 8.2e-5 per sample. ``countdown3`` (:mod:`.task`) is the variants' task: two written styles,
but a guesser over its 54 expressions reaches pass@128 ~ 0.99, so it cannot carry a large-k claim.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import chains, task
from .config import Config


@dataclass(frozen=True)
class TaskKit:
    name: str
    symbols: list[str]
    max_answer_len: int
    split: Any  # held_out / rl_train / pretrain problem lists
    teacher: Any  # the noisy teacher the base is pretrained on (``document(problem, rng)``)
    clean_teacher: Any  # a teacher that solves every problem (distillation, SFT arms)
    verify: Callable[[Any, str], bool]
    guess_rate: Callable[[Any], float]
    style_of: Callable[[str], str | None]
    guesser: str  # what the uniform guesser draws from, in words
    cache_key: dict  # what determines the base besides the model and training settings
    in_support: Callable[[Any], bool] | None = None  # chains: whether the base's teacher can solve it at all
    open_methods: Callable[[Any], set[str]] | None = None  # chains: the methods with no blind step on its path


def task_kit(c: Config, seed: int) -> TaskKit:
    if c.task == "chains":
        world = chains.World.make(seed, blind_share=c.blind_share, blind_share_y=c.blind_share_y)
        return TaskKit(
            name="chains",
            symbols=chains.SYMBOLS,
            max_answer_len=chains.MAX_ANSWER_LEN,
            split=chains.make_split(c.n_held_out, c.n_rl_train, seed=seed),
            teacher=world.teacher(c.method_prior),
            clean_teacher=world.clean_teacher(),
            verify=chains.verify,
            guess_rate=chains.guess_rate,
            style_of=chains.style_of,
            guesser=f"well-formed traces (1 in {chains.MODULUS}^{chains.HOPS})",
            cache_key={
                "task": "chains",
                "world": seed,
                "blind_share": c.blind_share,
                "blind_share_y": c.blind_share_y,
                "version": 2,
                "method_prior": c.method_prior,
            },
            in_support=world.in_support,
            open_methods=world.open_methods,
        )
    teacher = task.Teacher(noise=c.noise, direct_noise=c.direct_noise, trace_prior=c.trace_prior)
    return TaskKit(
        name="countdown3",
        symbols=task.SYMBOLS,
        max_answer_len=task.MAX_ANSWER_LEN,
        split=task.make_split(c.n_held_out, c.n_rl_train, seed=seed),
        teacher=teacher,
        clean_teacher=task.Teacher(noise=0.0, trace_prior=c.trace_prior, direct_noise=0.0),
        verify=task.verify,
        guess_rate=task.guess_rate,
        style_of=task.style_of,
        guesser="the 54 expressions over the digits",
        cache_key={"teacher": vars(teacher)},
    )
