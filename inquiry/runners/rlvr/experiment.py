"""One RLVR run: pretrain a tiny base on a noisy teacher, run GRPO, compare pass@k curves.

The variants (one training example, spurious rewards, update sparsity) are configurations of the
same pipeline with their own arms and verdict rule; eval-only mode compares two local checkpoints
on a local JSONL file through the same sampler (the faithful form of Yue et al. on a GPU). It
imports torch, so :meth:`~inquiry.runners.rlvr.runner.RLVRRunner.run` imports it only when it runs.
"""

from __future__ import annotations

import collections
import copy
import random
from enum import IntEnum
from functools import partial
from pathlib import Path

import numpy as np

from ...errors import ConfigError
from ..api import Artifact, Estimate, Result, RunContext, Series, Table
from ..substrate import TinyModelConfig, bootstrap_ci, load_checkpoint, log2_grid, save_checkpoint, train_lm
from . import sparsity as sp
from .base import cached_base, teacher_batches
from .config import Config
from .evaluate import (
    Counts,
    EvalItem,
    accuracy_gain,
    accuracy_histogram,
    pass_curve_series,
    sample_counts,
    solvable_sets,
)
from .grpo import GRPOSettings, train_grpo
from .plots import plot_pass_curves
from .rewards import RewardKind, make_reward
from .task import MAX_ANSWER_LEN, Problem, final_value
from .verdict import (
    SparsityEvidence,
    clip_check,
    entropy_check,
    gain_evidence,
    one_example_verdict,
    passk_evidence,
    passk_verdict,
    registered_precisions,
    sparsity_at,
    sparsity_verdict,
    spurious_verdict,
)
from .worlds import task_kit

SAMPLER_BACKEND = "inquiry.runners.substrate.sample (HF forward, KV cache, inverse-CDF top-p)"


class Stream(IntEnum):
    """Every random stream of a miniature RLVR run, named in one place.

    Each is an offset into :meth:`~inquiry.runners.api.RunContext.torch_generator` (and, for GRPO,
    the seed of its minibatch order). The numbers are part of the method: renumbering one changes
    the run's results, so it is a new runner version.
    """

    RL = 1  # the pass@k arm's GRPO
    ONE_EXAMPLE_RL = 20  # + arm index: full set, one example, random example
    # spurious rewards: + i arm i's reward labels, + 1 + i its GRPO; as sampling slots, itself (the base's
    # held-out samples) and + 20 + i (arm i's)
    REWARD_ARMS = 40
    SEED_RL = 60  # + seed: the sparsity variant's GRPO of each seed
    CONTRAST_ARMS = 90  # the contrast base's reward arms, laid out as REWARD_ARMS
    WRONG_LABELS = 99  # the base's samples that pick each RL problem's incorrect label
    SAMPLING = 10_000  # + a Sampling slot: the pass@k samples of one model on one problem set


class Sampling(IntEnum):
    """The sampling slots under :attr:`Stream.SAMPLING`, one per (model, problems, temperature) drawn.

    A variant is a run of its own, so two variants may reuse a slot number (the aliases below).
    """

    BASE_HELD_OUT = 0
    BASE_TRAIN = 1  # the RL problems (pass@k: at T; one example: at the rollout temperature)
    BASE_HOT = 2  # held-out at the sensitivity temperature
    BASE_HELD_OUT_2 = 2  # one example and sparsity: the base on held-out problems
    RL_HELD_OUT = 3
    RL_TRAIN = 4
    RL_HOT = 5
    ONE_EXAMPLE_ARMS = 30  # + arm index
    SEED_HELD_OUT = 70  # + seed
    SFT_HELD_OUT = 80
    CHECKPOINT = 100  # + step: the RL snapshots


# Seeds of the bootstrap intervals (numpy generators, apart from the torch streams above): ctx.seed + these.
BOOTSTRAP_TRAIN_EVIDENCE = 7
CURVE_RL_HELD_OUT, CURVE_BASE_TRAIN, CURVE_RL_TRAIN = 1, 2, 3


def run_rlvr(config: Config, context: RunContext) -> Result:
    """The configured variant on the miniature, or eval-only on two local checkpoints."""
    context.setup_torch()
    if config.needs_checkpoint and not config.from_checkpoint:
        raise ConfigError(
            "base_checkpoint",
            "this preset runs on local checkpoints: give base_checkpoint=<folder> "
            "and data_path=<file.jsonl> (and rl_checkpoint=<folder> for eval-only)",
        )
    if config.from_checkpoint:  # eval-only or GRPO from a local checkpoint: the GPU path
        from .checkpoint_mode import run_from_checkpoints

        return run_from_checkpoints(config, context)
    pipeline = _Pipeline(config, context)
    return {
        "passk": pipeline.passk,
        "one_example": pipeline.one_example,
        "spurious": pipeline.spurious,
        "sparsity": pipeline.sparsity,
    }[config.variant]()


def _estimate(counts: list[int], n: int, k: int, B: int, seed: int, description: str) -> Estimate:
    from ..substrate import pass_at_k

    return bootstrap_ci(
        [pass_at_k(n, c, k) for c in counts], B=B, rng=np.random.default_rng(seed), description=description
    )


class _Pipeline:
    """The shared steps of every variant: base, items, evaluation, GRPO arms."""

    def __init__(self, config: Config, context: RunContext, tracked_style: str | None = None):
        self.cfg, self.ctx = config, context
        self.kit = task_kit(config, context.seed)
        self.split = self.kit.split
        # RL-training problems evaluated like the held-out ones (Omni-MATH-Train): a same-size sample of them.
        self.train_eval = self.split.rl_train[: config.n_held_out]
        self.teacher = self.kit.teacher
        # the base's high-prior style, unless the caller tracks a given one (the spurious contrast base);
        # on the chains, method x
        default_style = "x" if config.task == "chains" else "trace" if config.trace_prior >= 0.5 else "direct"
        self.tracked_style = tracked_style or default_style
        self.device = context.device
        self.base_dir = self._base()
        self.base, self.tok = load_checkpoint(self.base_dir, device=self.device)
        self.raw: dict = {
            "seed": context.seed,
            "bootstrap": config.bootstrap,
            "n": config.n_samples,
            "held_out_prompts": [p.prompt for p in self.split.held_out],
        }

    # ---------------------------------------------------------------------------------- steps
    def _base(self) -> Path:
        c = self.cfg
        model_cfg = TinyModelConfig(hidden=c.hidden, layers=c.layers, heads=c.heads, ffn=3 * c.hidden, max_len=32)
        key = {
            "runner": "rlvr-base",
            "version": 1,
            "model": model_cfg.model_dump(),
            **self.kit.cache_key,
            "steps": c.pretrain_steps,
            "batch": c.pretrain_batch,
            "lr": c.pretrain_lr,
            "seed": self.ctx.seed,
            "held_out": c.n_held_out,
        }

        def on_step(step: int, loss: float) -> None:
            if step % 20 == 0 or step == c.pretrain_steps:
                self.ctx.progress(step, c.pretrain_steps, "pretraining the base on the noisy teacher", loss=loss)

        return cached_base(
            self.ctx.cache_dir / "rlvr-base",
            key,
            self.split.pretrain,
            self.teacher,
            model_cfg,
            symbols=self.kit.symbols,
            steps=c.pretrain_steps,
            batch_size=c.pretrain_batch,
            lr=c.pretrain_lr,
            seed=self.ctx.seed,
            on_step=on_step,
            check_cancelled=self.ctx.check_cancelled,
        )

    def items(self, problems: list[Problem]) -> list[EvalItem]:
        verify = self.kit.verify
        return [EvalItem(p.prompt, partial(verify, p), self.kit.style_of) for p in problems]

    def counts(
        self, model, problems: list[Problem], *, n: int | None = None, temperature: float | None = None, offset: int = 0
    ) -> Counts:
        c = self.cfg
        return sample_counts(
            model,
            self.tok,
            self.items(problems),
            n=n or c.n_samples,
            temperature=c.temperature if temperature is None else temperature,
            top_p=c.top_p if temperature is None else 1.0,
            max_new_tokens=self.kit.max_answer_len,
            generator=self.ctx.torch_generator(Stream.SAMPLING + offset),
            tracked_style=self.tracked_style,
        )

    def settings(self, **overrides) -> GRPOSettings:
        c = self.cfg
        values = dict(
            steps=c.rl_steps,
            prompts_per_step=c.prompts_per_step,
            group_size=c.group_size,
            minibatches=c.minibatches,
            clip_eps=c.clip_eps,
            kl_coef=c.kl_coef,
            lr=c.rl_lr,
            temperature=c.rollout_temperature,
            std_normalise=c.std_normalise,
            max_new_tokens=self.kit.max_answer_len,
        )
        return GRPOSettings(**{**values, **overrides})

    def rl(self, label: str, problems: list[Problem], reward, settings: GRPOSettings, stream: int):
        model = copy.deepcopy(self.base).train()
        total = settings.steps

        def on_step(log) -> None:
            self.ctx.check_cancelled()
            self.ctx.progress(
                log.step,
                total,
                f"GRPO ({label})",
                reward=log.reward,
                entropy=log.entropy,
                clip_fraction=log.clip_fraction,
                accuracy=log.accuracy,
            )

        outcome = train_grpo(
            model,
            self.tok,
            problems,
            lambda p: p.prompt,
            reward,
            settings,
            generator=self.ctx.torch_generator(stream),
            rng=random.Random(f"{self.ctx.seed}-{int(stream)}"),
            is_correct=self.kit.verify,
            style_of=self.kit.style_of,
            high_prior_style=self.tracked_style,
            on_step=on_step,
        )
        return model.eval(), outcome

    def save(self, model, name: str) -> Artifact:
        save_checkpoint(model, self.tok, self.ctx.artifact_dir / name)
        return Artifact(name=name, path=name, kind="checkpoint", description=f"{name} checkpoint (safetensors)")

    def training_series(self, label: str, outcome, chart: str = "training") -> list[Series]:
        steps = [float(log.step) for log in outcome.logs]
        out = [
            Series(
                name=f"{label} reward",
                x=steps,
                y=[log.reward for log in outcome.logs],
                x_label="step",
                y_label="mean reward",
                chart=chart,
            ),
            Series(
                name=f"{label} accuracy",
                x=steps,
                y=[log.accuracy for log in outcome.logs],
                x_label="step",
                y_label="rollout accuracy",
                chart=chart,
            ),
        ]
        return out

    # ------------------------------------------------------------------------------ variants
    def post_train(self):
        """The pass@k arm: GRPO on the true reward, or (the control) SFT on the clean teacher's traces with
        GRPO's steps, batch (P x G sequences) and learning rate. Returns (model, GRPO outcome or None)."""
        c, ctx = self.cfg, self.ctx
        if c.post_training == "grpo":
            reward = make_reward(
                c.reward,
                seed=ctx.seed,
                verifier=self.kit.verify,
                wrong_labels=self.wrong_labels() if c.reward == "incorrect" else None,
            )
            return self.rl("rl", self.split.rl_train, reward, self.settings(), stream=Stream.RL)
        model = copy.deepcopy(self.base).train()
        total = c.rl_steps

        def on_step(step: int, loss: float) -> None:
            if step % 10 == 0 or step == total:
                ctx.progress(step, total, "distillation: SFT on the clean teacher's traces", loss=loss)

        train_lm(
            model,
            teacher_batches(
                self.tok,
                self.split.rl_train,
                self.kit.clean_teacher,
                c.prompts_per_step * c.group_size,
                random.Random(f"distill-{ctx.seed}"),
            ),
            steps=total,
            lr=c.rl_lr,
            weight_decay=0.0,
            betas=(0.9, 0.99),
            cosine=False,
            on_step=on_step,
            check_cancelled=ctx.check_cancelled,
        )
        return model.eval(), None

    def passk(self) -> Result:
        c, ctx, split = self.cfg, self.ctx, self.split
        n, B = c.n_samples, c.bootstrap
        arm = "RL" if c.post_training == "grpo" else "distillation"
        ctx.progress(0, 1, "sampling the base")
        # the RL-training problems are exploratory: sampled n_secondary times, to keep the run short
        base_held = self.counts(self.base, split.held_out)
        base_train = self.counts(self.base, self.train_eval, n=c.n_secondary, offset=Sampling.BASE_TRAIN)
        base_hot = self.counts(
            self.base, split.held_out, n=c.n_secondary, temperature=c.sensitivity_temperature, offset=Sampling.BASE_HOT
        )
        rl_model, outcome = self.post_train()
        ctx.progress(0, 1, f"sampling the {arm} model")
        rl_held = self.counts(rl_model, split.held_out, offset=Sampling.RL_HELD_OUT)
        rl_train = self.counts(rl_model, self.train_eval, n=c.n_secondary, offset=Sampling.RL_TRAIN)
        rl_hot = self.counts(
            rl_model, split.held_out, n=c.n_secondary, temperature=c.sensitivity_temperature, offset=Sampling.RL_HOT
        )
        checkpoints = {}
        for step, state in sorted((outcome.snapshots if outcome else {}).items()):
            if 0 < step < c.rl_steps:
                snap = copy.deepcopy(self.base)
                snap.load_state_dict(state)
                checkpoints[step] = self.counts(
                    snap.eval(), split.held_out, n=c.n_secondary, offset=Sampling.CHECKPOINT + step
                )

        guess_rates = [self.kit.guess_rate(p) for p in split.held_out]
        truncated = max(base_held.truncated, rl_held.truncated)
        evidence = passk_evidence(
            base_held.correct,
            rl_held.correct,
            n,
            seed=ctx.seed,
            B=B,
            guess_rates=guess_rates,
            truncated=truncated,
            arm=arm,
        )
        verdict = passk_verdict(evidence)
        train_ev = passk_evidence(
            base_train.correct, rl_train.correct, c.n_secondary, seed=ctx.seed + BOOTSTRAP_TRAIN_EVIDENCE, B=B, arm=arm
        )
        ks = log2_grid(n)
        series = [
            pass_curve_series("base (held-out)", base_held, ks, "pass@k held-out, T=0.6", B=B, seed=ctx.seed),
            pass_curve_series(
                f"{arm} (held-out)", rl_held, ks, "pass@k held-out, T=0.6", B=B, seed=ctx.seed + CURVE_RL_HELD_OUT
            ),
            pass_curve_series(
                "base (RL train)",
                base_train,
                log2_grid(c.n_secondary),
                "pass@k RL-training problems",
                B=B,
                seed=ctx.seed + CURVE_BASE_TRAIN,
            ),
            pass_curve_series(
                f"{arm} (RL train)",
                rl_train,
                log2_grid(c.n_secondary),
                "pass@k RL-training problems",
                B=B,
                seed=ctx.seed + CURVE_RL_TRAIN,
            ),
        ]
        guesser = guess_curve(guess_rates, ks, self.kit.guesser)
        series.append(guesser)
        hot_ks = log2_grid(c.n_secondary)
        series += [
            pass_curve_series(f"base T={c.sensitivity_temperature}", base_hot, hot_ks, "sensitivity", B=B),
            pass_curve_series(f"{arm} T={c.sensitivity_temperature}", rl_hot, hot_ks, "sensitivity", B=B),
        ]
        series += [
            pass_curve_series(f"RL step {s}", cnt, hot_ks, "checkpoints", B=200) for s, cnt in checkpoints.items()
        ]
        if outcome is not None:
            series += self.training_series("rl", outcome)
        plot = plot_pass_curves(
            [*series[:2], guesser], ctx.artifact_dir / "passk.png", "pass@k on held-out problems (T=0.6, top-p 0.95)"
        )
        comparison = evidence.comparison
        crossing = comparison.crossing_estimate()
        metrics = {
            "pass1_base": _estimate(base_held.correct, n, 1, B, ctx.seed, "base pass@1 (held-out)"),
            "pass1_rl": _estimate(rl_held.correct, n, 1, B, ctx.seed, f"{arm} pass@1 (held-out)"),
            f"pass{n}_base": _estimate(base_held.correct, n, n, B, ctx.seed, f"base pass@{n} (held-out)"),
            f"pass{n}_rl": _estimate(rl_held.correct, n, n, B, ctx.seed, f"{arm} pass@{n} (held-out)"),
            "delta_pass1": evidence.delta_1,
            f"delta_pass{n}": evidence.delta_n,
            "rl_only_share": evidence.rl_only,
            "crossing_share": Estimate(
                value=comparison.crossing_share() or 0.0,
                description="share of bootstrap draws whose curves cross on the grid",
            ),
            "guess_rate": Estimate(
                value=float(np.mean(guess_rates)),
                description=(
                    f"uniform guesser's per-sample success over {self.kit.guesser}, mean over held-out problems"
                ),
            ),
            "guess_pass1": Estimate(
                value=guesser.y[0], description=f"uniform guesser over {self.kit.guesser}, pass@1 (exact, held-out)"
            ),
            f"guess_pass{n}": Estimate(value=guesser.y[-1], description=f"uniform guesser pass@{n} (exact)"),
            f"base_minus_guess_pass{n}": evidence.base_over_guesser,
            "entropy_base": Estimate(value=base_held.entropy, unit=" nats", description="mean per-token entropy"),
            "entropy_rl": Estimate(value=rl_held.entropy, unit=" nats", description="mean per-token entropy"),
            "truncated_share": Estimate(value=truncated, description="samples cut at max_new_tokens (must be ~0)"),
        }
        if crossing is not None:
            metrics["crossing_k"] = crossing
        exploratory = {
            "delta_pass1_train": train_ev.delta_1,
            f"delta_pass{c.n_secondary}_train": train_ev.delta_n,
            "delta_se": self.delta_se(base_held, rl_held),
        }
        for label, cnt in (("base", base_held), ("rl", rl_held)):
            exploratory[f"style_share_{label}"] = self.style_share(cnt, label)
        for step, cnt in checkpoints.items():
            exploratory[f"pass1_rl_step{step}"] = _estimate(
                cnt.correct, cnt.n, 1, B, ctx.seed, f"RL pass@1 at step {step}"
            )
        if self.kit.in_support is not None:
            support = [self.kit.in_support(p) for p in split.held_out]
            outside = [i for i, ok in enumerate(support) if not ok]
            exploratory["outside_base_support_share"] = Estimate(
                value=len(outside) / len(support),
                description="held-out problems the base's teacher never solves (a blind step on every method's path)",
            )
            if outside:
                exploratory[f"pass{n}_rl_outside_support"] = Estimate(
                    value=float(np.mean([rl_held.correct[i] > 0 for i in outside])),
                    n=len(outside),
                    description=(f"{arm}: share of those problems solved at least once in n"),
                )
            self.raw["in_base_support"] = support
            open_methods = self.kit.open_methods
            assert open_methods is not None  # a world with a support (chains) names each problem's open methods
            y_only = [i for i, p in enumerate(split.held_out) if open_methods(p) == {"y"}]
            if y_only:
                for label, cnt in (("base", base_held), ("rl", rl_held)):
                    exploratory[f"pass{n}_{label}_y_only"] = Estimate(
                        value=float(np.mean([cnt.correct[i] > 0 for i in y_only])),
                        n=len(y_only),
                        description=(
                            f"{label}: share solved (>= 1 of n) of the held-out problems only method y's teacher solves"
                        ),
                    )
        self.raw.update(
            {
                "task": self.kit.name,
                "arm": arm,
                "truncated": truncated,
                "held_out": {"base": base_held.correct, "rl": rl_held.correct},
                "guess_rates": guess_rates,
                "rl_train": {"n": c.n_secondary, "base": base_train.correct, "rl": rl_train.correct},
                "sensitivity": {
                    "temperature": c.sensitivity_temperature,
                    "n": c.n_secondary,
                    "base": base_hot.correct,
                    "rl": rl_hot.correct,
                },
                "checkpoints": {str(s): cnt.correct for s, cnt in checkpoints.items()},
                "training_log": [vars(log) for log in outcome.logs] if outcome else [],
                "sampler_backend": SAMPLER_BACKEND,
            }
        )
        tables = [
            self.solvable_table("held-out", base_held, rl_held),
            self.solvable_table("RL train", base_train, rl_train),
            self.histogram_table(base_held, rl_held, names=("base", arm)),
        ]
        artifacts = [
            Artifact(
                name="pass@k curves",
                path=plot.name,
                kind="plot",
                description=f"held-out pass@k of base and {arm} with 95% bootstrap bands",
            ),
            self.save(rl_model, "rl_checkpoint"),
        ]
        return Result(
            metrics=metrics,
            series=series,
            tables=tables,
            artifacts=artifacts,
            raw=self.raw,
            verdict=verdict,
            exploratory=exploratory,
            headline=[
                "delta_pass1",
                f"delta_pass{n}",
                "pass1_base",
                "pass1_rl",
                f"pass{n}_base",
                f"pass{n}_rl",
                "rl_only_share",
                "crossing_k",
                f"guess_pass{n}",
            ],
        )

    def delta_se(self, base: Counts, rl: Counts) -> Estimate:
        from ..substrate import paired_diff_ci, pass_at_k

        return paired_diff_ci(
            [pass_at_k(base.n, x, base.n) for x in base.correct],
            [x / rl.n for x in rl.correct],
            B=self.cfg.bootstrap,
            rng=np.random.default_rng(self.ctx.seed),
            description="ΔSE = pass@n(base) − pass@1(RL) (lower is better)",
        )

    def solvable_table(self, name: str, base: Counts, rl: Counts) -> Table:
        sets = solvable_sets(base.correct, rl.correct)
        return Table(name=f"solvable sets ({name}, >= 1 of {base.n})", columns=list(sets), rows=[list(sets.values())])

    def histogram_table(self, *counts: Counts, names=("base", "RL")) -> Table:
        rows = []
        for label, cnt in zip(names, counts):
            flat = accuracy_histogram(cnt.correct, cnt.n)
            rows.append([label, *flat[1::2]])
        return Table(
            name="accuracy histogram (held-out, problems per c/n bin)",
            columns=["model", *accuracy_histogram([], 1)[0::2]],
            rows=rows,
        )

    def wrong_labels(self) -> dict[Problem, int]:
        """Per RL problem, the base's most frequent wrong final value (else target + 1): the incorrect label."""
        labels: dict[Problem, int] = {}
        texts = _sample_texts(
            self.base,
            self.tok,
            self.split.rl_train,
            self.cfg.n_secondary,
            self.ctx.torch_generator(Stream.WRONG_LABELS),
        )
        for problem, group in zip(self.split.rl_train, texts):
            wrong = collections.Counter(v for v in map(final_value, group) if v is not None and v != problem.target)
            labels[problem] = wrong.most_common(1)[0][0] if wrong else problem.target + 1
        return labels

    def one_example(self) -> Result:
        c, ctx, split = self.cfg, self.ctx, self.split
        # base success at the rollout temperature: what decides whether GRPO's groups get any advantage
        base_train = self.counts(
            self.base, split.rl_train, n=c.n_secondary, temperature=c.rollout_temperature, offset=Sampling.BASE_TRAIN
        )
        rates = [x / base_train.n for x in base_train.correct]
        eligible = [i for i, r in enumerate(rates) if 0.2 <= r <= 0.8]
        if not eligible:
            raise ValueError("no RL training problem has base success in [0.2, 0.8]; raise n_rl_train")
        chosen = min(eligible, key=lambda i: (abs(rates[i] - 0.5), i))
        control = random.Random(f"one-example-{ctx.seed}").randrange(len(split.rl_train))
        reward = make_reward("true", verifier=self.kit.verify)
        arms = {
            "full_set": split.rl_train,
            "one_example": [split.rl_train[chosen]],
            "random_example": [split.rl_train[control]],
        }
        base_held = self.counts(self.base, split.held_out, offset=Sampling.BASE_HELD_OUT_2)
        held, series = {"base": base_held}, []
        for i, (arm, problems) in enumerate(arms.items()):
            model, outcome = self.rl(arm, problems, reward, self.settings(), stream=Stream.ONE_EXAMPLE_RL + i)
            held[arm] = self.counts(model, split.held_out, offset=Sampling.ONE_EXAMPLE_ARMS + i)
            series += self.training_series(arm, outcome)
        ev = gain_evidence(
            base_held.correct,
            held["full_set"].correct,
            held["one_example"].correct,
            c.n_samples,
            control=held["random_example"].correct,
            seed=ctx.seed,
            B=c.bootstrap,
        )
        collapse = entropy_check(held["one_example"].entropy, base_held.entropy)
        verdict = one_example_verdict(ev, entropy=collapse)
        ks = log2_grid(c.n_samples)
        series = [
            pass_curve_series(arm, cnt, ks, "pass@k held-out, T=0.6", B=c.bootstrap) for arm, cnt in held.items()
        ] + series
        plot = plot_pass_curves(series[: len(held)], ctx.artifact_dir / "passk.png", "one-example RL: held-out pass@k")
        self.raw.update(
            {
                "held_out": {arm: cnt.correct for arm, cnt in held.items()},
                "entropy": {arm: cnt.entropy for arm, cnt in held.items()},
                "chosen_example": {"prompt": split.rl_train[chosen].prompt, "base_success": rates[chosen]},
                "random_example": {"prompt": split.rl_train[control].prompt, "base_success": rates[control]},
            }
        )
        metrics = {
            "gain_full_set": ev.reference,
            "gain_one_example": ev.tested,
            "gain_random_example": ev.control,
            "one_example_vs_half_full": ev.versus_fraction,
            "entropy_ratio_one_example": Estimate(
                value=collapse.value,
                description=("mean token entropy of the one-example policy / the base's (held-out samples)"),
            ),
            "chosen_base_success": Estimate(
                value=rates[chosen],
                n=base_train.n,
                description=(
                    f"base success on the chosen example {split.rl_train[chosen].prompt!r} "
                    f"({len(eligible)} of {len(rates)} examples were in [0.2, 0.8])"
                ),
            ),
            "random_example_base_success": Estimate(value=rates[control], n=base_train.n),
        }
        # collapse diagnostic: a policy sharpened onto one example's answer stops solving the other problems
        metrics.update(
            {
                f"unsolved_share_{arm}": Estimate(
                    value=sum(x == 0 for x in cnt.correct) / len(cnt.correct),
                    description=f"held-out problems with 0 of {cnt.n} samples correct ({arm})",
                )
                for arm, cnt in held.items()
            }
        )
        return Result(
            metrics=metrics,
            series=series,
            raw=self.raw,
            verdict=verdict,
            tables=[self.histogram_table(*held.values(), names=list(held))],
            artifacts=[Artifact(name="pass@k curves", path=plot.name, kind="plot")],
            headline=["gain_one_example", "gain_full_set", "gain_random_example"],
        )

    def spurious(self) -> Result:
        c, ctx, _split = self.cfg, self.ctx, self.split
        wrong = self.wrong_labels()
        arms: dict[str, tuple[RewardKind, int]] = {
            "true": ("true", c.minibatches),
            "random": ("random", c.minibatches),
            "random_M1": ("random", 1),
            "format": ("format", c.minibatches),
            "incorrect": ("incorrect", c.minibatches),
        }
        held, series, metrics = self.reward_arms(arms, wrong, stream=Stream.REWARD_ARMS)
        ev = gain_evidence(
            held["base"].correct,
            held["true"].correct,
            held["random"].correct,
            c.n_samples,
            control=held["random_M1"].correct,
            seed=ctx.seed,
            B=c.bootstrap,
        )
        raw_styled = {arm: cnt.styled for arm, cnt in held.items()}
        contrast_ev = None
        if c.contrast_trace_prior is not None:
            # Base B: the same task, the accurate (trace) style now low-prior; it is tracked as before
            contrast = _Pipeline(
                c.model_copy(update={"trace_prior": c.contrast_trace_prior}), ctx, tracked_style=self.tracked_style
            )
            c_held, c_series, c_metrics = contrast.reward_arms(
                {"true": ("true", c.minibatches), "random": ("random", c.minibatches)},
                None,
                stream=Stream.CONTRAST_ARMS,
                label="contrast ",
            )
            contrast_ev = gain_evidence(
                c_held["base"].correct,
                c_held["true"].correct,
                c_held["random"].correct,
                c.n_samples,
                seed=ctx.seed,
                B=c.bootstrap,
            )
            series += c_series
            metrics.update({f"contrast_{k}": v for k, v in c_metrics.items()})
            self.raw["contrast"] = {
                "trace_prior": c.contrast_trace_prior,
                "held_out": {arm: cnt.correct for arm, cnt in c_held.items()},
                "styled": {arm: cnt.styled for arm, cnt in c_held.items()},
            }
        verdict = spurious_verdict(ev, contrast=contrast_ev, clip=clip_check(metrics["clip_fraction_random"].value))
        metrics["random_vs_half_true"] = ev.versus_fraction
        self.raw.update(
            {
                "held_out": {arm: cnt.correct for arm, cnt in held.items()},
                "styled": raw_styled,
                "tracked_style": self.tracked_style,
            }
        )
        ks = log2_grid(c.n_samples)
        curves = [pass_curve_series(arm, cnt, ks, "pass@k held-out, T=0.6", B=c.bootstrap) for arm, cnt in held.items()]
        plot = plot_pass_curves(curves, ctx.artifact_dir / "passk.png", "spurious rewards: held-out pass@k")
        rows = [
            [
                arm,
                metrics[f"gain_{arm}"].value,
                metrics[f"style_share_{arm}"].value,
                metrics[f"clip_fraction_{arm}"].value,
            ]
            for arm in arms
        ]
        rows += [
            [
                f"contrast {arm}",
                metrics[f"contrast_gain_{arm}"].value,
                metrics[f"contrast_style_share_{arm}"].value,
                metrics[f"contrast_clip_fraction_{arm}"].value,
            ]
            for arm in ("true", "random")
            if f"contrast_gain_{arm}" in metrics
        ]
        table = Table(
            name=f"spurious rewards: held-out pass@1 gain, {self.tracked_style}-style share, clip fraction",
            columns=["arm", "pass@1 gain", "style share", "mean clip fraction"],
            rows=rows,
        )
        return Result(
            metrics=metrics,
            series=curves + series,
            raw=self.raw,
            verdict=verdict,
            tables=[table],
            artifacts=[Artifact(name="pass@k curves", path=plot.name, kind="plot")],
            headline=[
                "gain_true",
                "gain_random",
                "gain_random_M1",
                "gain_format",
                "gain_incorrect",
                "pass1_base",
                "style_share_base",
                "style_share_random",
            ],
        )

    def reward_arms(
        self, arms: dict[str, tuple[RewardKind, int]], wrong: dict | None, stream: int, label: str = ""
    ) -> tuple[dict[str, Counts], list[Series], dict[str, Estimate]]:
        """GRPO from this base once per arm (reward kind, M); held-out counts, per-step series, metrics."""
        c, ctx = self.cfg, self.ctx
        held = {"base": self.counts(self.base, self.split.held_out, offset=stream)}
        series, metrics = (
            [],
            {
                "style_share_base": self.style_share(held["base"], f"{label}base"),
                "pass1_base": _estimate(
                    held["base"].correct, held["base"].n, 1, c.bootstrap, ctx.seed, f"{label}base pass@1 (held-out)"
                ),
            },
        )
        for i, (arm, (kind, m)) in enumerate(arms.items()):
            reward = make_reward(kind, seed=ctx.seed + stream + i, wrong_labels=wrong)
            model, outcome = self.rl(
                f"{label}{arm}", self.split.rl_train, reward, self.settings(minibatches=m), stream=stream + 1 + i
            )
            held[arm] = self.counts(model, self.split.held_out, offset=stream + 20 + i)
            steps = [float(log.step) for log in outcome.logs]
            for name, values, chart in (
                (
                    f"{self.tracked_style}-style share",
                    [log.style_share for log in outcome.logs],
                    "high-prior style share (rollouts)",
                ),
                ("accuracy", [log.accuracy for log in outcome.logs], "rollout accuracy"),
                ("clip fraction", [log.clip_fraction for log in outcome.logs], "clip fraction"),
            ):
                series.append(
                    Series(name=f"{label}{arm} {name}", x=steps, y=values, x_label="step", y_label=name, chart=chart)
                )
            metrics[f"gain_{arm}"] = self.gain(held["base"], held[arm], f"{label}{kind} reward, M = {m}", offset=i)
            metrics[f"style_share_{arm}"] = self.style_share(held[arm], f"{label}{arm}")
            metrics[f"clip_fraction_{arm}"] = Estimate(
                value=float(np.mean([log.clip_fraction for log in outcome.logs])),
                description=f"mean share of clipped tokens per step ({label}{arm}, M = {m}; 0 when M = 1)",
            )
        return held, series, metrics

    def style_share(self, counts: Counts, label: str) -> Estimate:
        return Estimate(
            value=sum(counts.styled) / (len(counts.styled) * counts.n),
            description=f"held-out samples in the {self.tracked_style} style ({label})",
        )

    def sparsity(self) -> Result:
        c, ctx, split = self.cfg, self.ctx, self.split
        before = {k: v.detach().clone() for k, v in self.base.state_dict().items()}
        reward = make_reward("true", verifier=self.kit.verify)
        runs, gains = [], []
        base_held = self.counts(self.base, split.held_out, offset=Sampling.BASE_HELD_OUT_2)
        for seed in range(c.sparsity_seeds):
            model, _ = self.rl(f"rl seed {seed}", split.rl_train, reward, self.settings(), stream=Stream.SEED_RL + seed)
            runs.append(model.state_dict())
            gains.append(self.counts(model, split.held_out, offset=Sampling.SEED_HELD_OUT + seed))
        # SFT on gold answers (off-policy), matched to RL: AdamW, weight decay 0, the same constant lr,
        # batch P x G sequences and number of steps.
        sft = copy.deepcopy(self.base).train()
        gold = self.kit.clean_teacher
        ctx.progress(0, c.rl_steps, "SFT on gold answers (contrast arm)")
        train_lm(
            sft,
            teacher_batches(
                self.tok, split.rl_train, gold, c.prompts_per_step * c.group_size, random.Random(f"sft-{ctx.seed}")
            ),
            steps=c.rl_steps,
            lr=c.rl_lr,
            weight_decay=0.0,
            betas=(0.9, 0.99),
            cosine=False,
            check_cancelled=ctx.check_cancelled,
        )
        sft_held = self.counts(sft.eval(), split.held_out, offset=Sampling.SFT_HELD_OUT)
        rl_share = {p: [sp.unchanged_share(before, after, p) for after in runs] for p in sp.PRECISIONS}
        sft_share = {p: sp.unchanged_share(before, sft.state_dict(), p) for p in sp.PRECISIONS}
        overlap = sp.overlap_minus_chance(before, runs[0], runs[1], "bf16_isclose") if len(runs) > 1 else None
        ranks = sp.update_rank_ratios(before, runs[0])
        rank = float(np.mean(list(ranks.values())))
        rl_gain = self.gain(base_held, gains[0], "RL seed 0")
        ev = SparsityEvidence(
            rl=rl_share, sft=sft_share, overlap_minus_chance=overlap, rank_ratio=rank, rl_gain=rl_gain
        )
        verdict = sparsity_verdict(ev)
        per_precision = {name: sparsity_at(ev, p)[0] for name, p in registered_precisions().items()}
        self.raw["verdict_per_precision"] = per_precision
        layers = {p: sp.per_layer_unchanged(before, runs[0], p) for p in sp.PRECISIONS}
        metrics = {
            f"unchanged_rl_{p}": Estimate(
                value=float(np.mean(v)),
                low=min(v),
                high=max(v),
                n=len(v),
                description=f"RL sparsity ({p}); low/high = min/max over seeds",
            )
            for p, v in rl_share.items()
        }
        metrics.update(
            {f"unchanged_sft_{p}": Estimate(value=v, description=f"SFT sparsity ({p})") for p, v in sft_share.items()}
        )
        metrics["rank_ratio"] = Estimate(value=rank, description="mean rank(Δ)/min(shape), RL seed 0")
        if overlap is not None:
            metrics["overlap_minus_chance"] = Estimate(
                value=overlap,
                description="one-sided overlap of seed 0's and seed 1's changed sets (bf16 isclose) "
                "minus chance (seed 1's density)",
            )
        metrics["gain_rl_seed0"] = rl_gain
        metrics["gain_sft"] = self.gain(base_held, sft_held, "SFT on gold answers")
        self.raw.update(
            {
                "rl_unchanged": rl_share,
                "sft_unchanged": sft_share,
                "per_layer": layers,
                "rank_ratio_per_matrix": ranks,
                "held_out": {
                    "base": base_held.correct,
                    "sft": sft_held.correct,
                    **{f"rl_seed{i}": cnt.correct for i, cnt in enumerate(gains)},
                },
            }
        )
        tables = [
            Table(
                name="unchanged share per layer (RL seed 0)",
                columns=["group", *sp.PRECISIONS],
                rows=[[g, *(layers[p][g] for p in sp.PRECISIONS)] for g in layers[sp.PRECISIONS[0]]],
            ),
            Table(
                name="rank(Δ) / min(shape) per matrix (RL seed 0)",
                columns=["matrix", "rank ratio"],
                rows=[[name, r] for name, r in ranks.items()],
            ),
            Table(
                name="unchanged share, RL seeds vs SFT",
                columns=["arm", *sp.PRECISIONS],
                rows=[
                    *([f"RL seed {i}", *(rl_share[p][i] for p in sp.PRECISIONS)] for i in range(len(runs))),
                    ["SFT (gold)", *(sft_share[p] for p in sp.PRECISIONS)],
                ],
            ),
            Table(
                name="registered rule per precision",
                columns=["precision", "comparison", "verdict"],
                rows=[[name, p, per_precision[name]] for name, p in registered_precisions().items()],
            ),
        ]
        return Result(
            metrics=metrics,
            raw=self.raw,
            verdict=verdict,
            tables=tables,
            headline=[
                "unchanged_rl_bf16_isclose",
                "unchanged_sft_bf16_isclose",
                "unchanged_rl_fp32_exact",
                "rank_ratio",
                "gain_rl_seed0",
            ],
        )

    def gain(self, base: Counts, other: Counts, label: str, offset: int = 0) -> Estimate:
        estimate = accuracy_gain(base.correct, other.correct, base.n, B=self.cfg.bootstrap, seed=self.ctx.seed + offset)
        return estimate.model_copy(update={"description": f"held-out pass@1 gain over the base: {label}"})


def guess_curve(rates: list[float], ks: list[int], over: str = "the answer space") -> Series:
    """pass@k of a uniform guesser hitting problem i with probability ``rates[i]`` per sample, exact:
    mean over problems of 1 - (1 - q)^k. The floor of the task: coverage at large k means something
    only above it.

    >>> [round(y, 4) for y in guess_curve([4 / 54], [1, 2]).y]
    [0.0741, 0.1427]
    """
    q = np.asarray(rates, dtype=float)
    return Series(
        name="uniform guesser",
        x=[float(k) for k in ks],
        y=[float(np.mean(1 - (1 - q) ** k)) for k in ks],
        x_label="k (samples)",
        y_label="pass@k",
        log_x=True,
        chart="pass@k held-out, T=0.6",
    )


def _sample_texts(model, tok, problems, n, generator) -> list[list[str]]:
    from ..substrate import encode, sample

    out = sample(
        model,
        [encode(tok, p.prompt) for p in problems],
        n=n,
        max_new_tokens=MAX_ANSWER_LEN,
        temperature=1.0,
        eos_id=tok.eos_token_id,
        pad_id=tok.pad_token_id,
        generator=generator,
    )
    return out.texts(tok)
