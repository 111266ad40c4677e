"""One RLAG run: base measurements, each arm's learning rate tuned on the dev split, every seed, the verdict."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ...errors import ConfigError
from ..api import Artifact, Estimate, Result, RunContext, Series, Table, load_registration
from ..substrate.stats import bootstrap_ci, paired_diff_ci
from .baselines import BASELINES, train_baseline
from .config import Config
from .evaluate import augmented_correct, closed_book_correct, explanation_supported
from .plot import save_plot
from .sources import Source, miniature, real_checkpoint
from .training import RLAGSettings, planned_steps, train_rlag
from .verdict import context_gain, decide, pooled
from .world import Question, fabricated, fabricated_answers

# the runner module imports this one: read the same file it registers, without importing the runner
REGISTRATION_FILE = Path(__file__).with_name("registration.yaml")

ARMS = ("rlag", *BASELINES)
RATE_KEYS = ("chosen_correct", "rejected_correct", "chosen_failure", "chosen_ne_rejected")
REWARD_KEYS = ("reward_information", "reward_chosen", "reward_rejected", "loss")


def run_rlag(config: Config, context: RunContext) -> Result:
    """Train and measure every arm on the miniature world, or on a local checkpoint and dataset."""
    context.setup_torch()
    if config.needs_checkpoint and not (config.checkpoint and config.dataset):
        raise ConfigError(
            "checkpoint" if not config.checkpoint else "dataset",
            "this preset runs on a local checkpoint and dataset: give checkpoint=<folder> and dataset=<file.jsonl>",
        )
    source = real_checkpoint(config) if config.checkpoint else miniature(config, context)
    return _Experiment(config, context, source).run()


def split_dev_test(
    evaluation: dict[str, list[Question]], share: float, seed: int
) -> tuple[list[Question], dict[str, list[Question]]]:
    """The held-out questions split into dev and test: by entity when questions name one (a share of the
    entities, all their questions), else by item; test keeps the evaluation's groups."""
    questions = [q for group in evaluation.values() for q in group]
    rng = random.Random(f"dev-split-{seed}")
    if all(q.entity for q in questions):
        entities = sorted({q.entity for q in questions})
        rng.shuffle(entities)
        dev_keys = set(entities[: max(1, round(share * len(entities)))])
        is_dev = [q.entity in dev_keys for q in questions]
    else:
        order = list(range(len(questions)))
        rng.shuffle(order)
        dev_items = set(order[: max(1, round(share * len(questions)))])
        is_dev = [i in dev_items for i in range(len(questions))]
    dev = [q for q, d in zip(questions, is_dev) if d]
    flags = iter(is_dev)
    test = {name: [q for q in group if not next(flags)] for name, group in evaluation.items()}
    return dev, {name: group for name, group in test.items() if group}


class _Experiment:
    """One run: base measurements, each arm's learning rate tuned on dev, every seed, then the verdict."""

    def __init__(self, config: Config, context: RunContext, source: Source):
        self.config, self.context, self.source = config, context, source
        self.registration = load_registration(REGISTRATION_FILE)
        registered = self.registration.settings
        grid = [float(lr) for lr in registered["lr_grid"]["miniature" if source.scope == "miniature" else "checkpoint"]]
        self.lr_grid = sorted(config.lr_grid or grid)
        share = config.dev_share or float(registered["dev_share"])
        self.registered_protocol = self.lr_grid == sorted(grid) and share == float(registered["dev_share"])
        self.dev, self.test_groups = split_dev_test(source.evaluation, share, config.world_seed)
        self.heldout = [q for group in self.test_groups.values() for q in group]  # the test split
        self.steps = planned_steps(
            n_questions=len(source.train),
            passes=config.passes,
            chunks=config.chunks,
            epochs_per_chunk=config.epochs_per_chunk,
            batch_size=config.batch_size,
        )
        self.total = (len(self.lr_grid) + config.seeds - 1) * len(ARMS) * self.steps
        self.done = 0
        # the world's information (see Config.informative_arms): fabricated snippets, random answer keys
        uninformed_snippets = fabricated(source.train, config.world_seed)
        self.train_data = dict.fromkeys(ARMS, source.train)
        if config.informative_arms == "baselines":
            self.train_data["rlag"] = uninformed_snippets
        elif config.informative_arms == "rlag":
            self.train_data["cpt"] = uninformed_snippets
            self.train_data["sft"] = fabricated_answers(source.train, config.world_seed)
            self.train_data["cpt_sft"] = fabricated_answers(uninformed_snippets, config.world_seed)

    def run(self) -> Result:
        cfg, src, reg = self.config, self.source, self.registration
        model, tokenizer = src.load_base(self.context.device)
        # the context gain is a property of the base: measured on every target question, trained or held out
        everything = [*src.train, *self.dev, *self.heldout]
        base = {
            "augmented": augmented_correct(model, tokenizer, everything, src.style, cfg.score_batch),
            "naive": closed_book_correct(model, tokenizer, everything, src.style, cfg.score_batch),
            "heldout": closed_book_correct(model, tokenizer, self.heldout, src.style, cfg.score_batch),
            "dev": closed_book_correct(model, tokenizer, self.dev, src.style, cfg.score_batch),
        }
        del model
        gain = context_gain(base["augmented"], base["naive"], reg, B=cfg.bootstrap, seed=self.context.seed)
        # every arm is trained even when a precondition fails (the verdict is then inconclusive): the numbers
        # still show why, and the checkpoint path is exercised whole
        outcomes: dict[str, list[list[int]]] = {arm: [] for arm in ARMS}
        train_outcomes: dict[str, list[list[int]]] = {arm: [] for arm in ARMS}
        explanations: dict[str, list[list[int | None]]] = {arm: [] for arm in ARMS}
        diagnostics: list[list[dict[str, float]]] = []
        dev_accuracy: dict[str, dict[float, float]] = {arm: {} for arm in ARMS}
        tuned: dict[str, float] = {}
        for arm in ARMS:
            # seed 0 at every rate of the grid; the rate with the best dev accuracy is kept (the smaller on ties),
            # and seed 0's test outcomes at that rate are its first seed
            kept = None
            for lr in self.lr_grid:
                logs: list[list[dict[str, float]]] = []
                measured = self._train_and_measure(arm, 0, lr, logs)
                dev_accuracy[arm][lr] = float(np.mean(measured["dev"]))
                if kept is None or dev_accuracy[arm][lr] > dev_accuracy[arm][tuned[arm]]:
                    kept, tuned[arm] = (measured, logs), lr
            assert kept is not None  # lr_grid is the config's or the registered one: never empty
            measured, logs = kept
            runs = [measured] + [self._train_and_measure(arm, seed, tuned[arm], logs) for seed in range(1, cfg.seeds)]
            for m in runs:
                outcomes[arm].append(m["test"])
                train_outcomes[arm].append(m["train"])
                if m["explanation"] is not None:
                    explanations[arm].append(m["explanation"])
            if arm == "rlag":
                diagnostics.extend(logs)
        arrays = {arm: np.array(rows) for arm, rows in outcomes.items()}
        dev_best = {arm: dev_accuracy[arm][tuned[arm]] for arm in ARMS}
        report, best = decide(
            gain,
            dev_best,
            arrays,
            reg,
            registered_protocol=self.registered_protocol,
            B=cfg.bootstrap,
            seed=self.context.seed,
            scope=src.scope,
        )
        return self._result(
            base, gain, outcomes, train_outcomes, explanations, diagnostics, dev_accuracy, tuned, report, best
        )

    def _train_and_measure(self, arm: str, seed: int, lr: float, logs: list) -> dict[str, Any]:
        cfg, src = self.config, self.source
        model, tokenizer = self._train(arm, seed, lr, logs)
        test = closed_book_correct(model, tokenizer, self.heldout, src.style, cfg.score_batch)
        out = {
            "test": test,
            "dev": closed_book_correct(model, tokenizer, self.dev, src.style, cfg.score_batch),
            "train": closed_book_correct(model, tokenizer, src.train, src.style, cfg.score_batch),
            "explanation": (
                explanation_supported(model, tokenizer, self.heldout, test, cfg.score_batch)
                if src.has_fact_sentences
                else None
            ),
        }
        del model
        return out

    def _train(self, arm: str, seed: int, lr: float, diagnostics: list):
        cfg, src, ctx = self.config, self.source, self.context
        torch.manual_seed(ctx.seed * 1_000_003 + seed)
        rng = random.Random(f"{ctx.seed}-{seed}")  # every arm sees the same shuffles for a given seed
        model, tokenizer = src.load_base(ctx.device)
        offset = self.done
        label = f"seed {seed}, lr {lr:g}: {arm}"
        if arm == "rlag":
            settings = RLAGSettings(
                passes=cfg.passes,
                chunks=cfg.chunks,
                epochs_per_chunk=cfg.epochs_per_chunk,
                batch_size=cfg.batch_size,
                lr=lr,
                gamma=cfg.gamma,
                eps_chosen=cfg.eps_chosen,
                eps_rejected=cfg.eps_rejected,
                score_batch=cfg.score_batch,
            )

            def on_rlag_step(step: int, total: int, metrics: dict[str, float]) -> None:
                ctx.progress(offset + step, self.total, label, **metrics)

            diagnostics.append(
                train_rlag(
                    model,
                    tokenizer,
                    self.train_data[arm],
                    src.style,
                    settings,
                    rng,
                    on_step=on_rlag_step,
                    check_cancelled=ctx.check_cancelled,
                )
            )
        else:

            def on_step(step: int, total: int, loss: float) -> None:
                if step % 10 == 0 or step == total:
                    ctx.progress(offset + step, self.total, label, loss=loss)

            train_baseline(
                arm,
                model,
                tokenizer,
                self.train_data[arm],
                src.style,
                steps=self.steps,
                batch_size=cfg.batch_size,
                lr=lr,
                rng=rng,
                on_step=on_step,
                check_cancelled=ctx.check_cancelled,
            )
        self.done += self.steps
        return model, tokenizer

    def _base_metrics(self, base, gain) -> dict[str, Estimate]:
        cfg = self.config
        rng = np.random.default_rng(self.context.seed)
        level = self.registration.threshold("level")
        acc = lambda values, what: bootstrap_ci(
            pooled(values),
            B=cfg.bootstrap,
            level=level,
            rng=rng,
            description=what,
        )
        return {
            "base_accuracy_augmented": acc(base["augmented"], "base, every target question, snippets in prompt"),
            "base_accuracy_naive": acc(base["naive"], "base, every target question, closed book"),
            "base_accuracy_heldout": acc(base["heldout"], "base, test questions, closed book"),
            "context_gain": gain,
        }

    def _result(
        self, base, gain, outcomes, train_outcomes, explanations, diagnostics, dev_accuracy, tuned, report, best
    ) -> Result:
        cfg, src = self.config, self.source
        rng = np.random.default_rng(self.context.seed + 7)
        level = self.registration.threshold("level")
        arrays = {arm: np.array(rows) for arm, rows in outcomes.items()}
        acc = lambda values, what: bootstrap_ci(
            pooled(values),
            B=cfg.bootstrap,
            level=level,
            rng=rng,
            description=what,
        )
        metrics = self._base_metrics(base, gain)
        exploratory: dict[str, Estimate] = {}
        groups = self._group_slices()
        for arm in ARMS:
            metrics[f"accuracy_{arm}"] = acc(
                arrays[arm], f"{arm} at lr {tuned[arm]:g}: test closed-book accuracy, pooled over seeds"
            )
            metrics[f"dev_accuracy_{arm}"] = Estimate(
                value=dev_accuracy[arm][tuned[arm]],
                n=len(self.dev),
                description=f"{arm}: dev accuracy at its tuned lr {tuned[arm]:g} (seed 0; selection only)",
            )
            for group, part in groups.items():
                exploratory[f"accuracy_{arm}_{group}"] = acc(arrays[arm][:, part], f"{arm}: {group} test questions")
            exploratory[f"accuracy_{arm}_train"] = acc(np.array(train_outcomes[arm]), f"{arm}: trained questions")
            supported = [v for row in explanations[arm] for v in row if v is not None]
            if supported:
                exploratory[f"explanation_{arm}"] = bootstrap_ci(
                    supported,
                    B=cfg.bootstrap,
                    level=level,
                    rng=rng,
                    description=f"{arm}: correct answers whose fact sentence outranks its variants "
                    "(over seed x question pairs)",
                )
        diff = paired_diff_ci(
            pooled(arrays["rlag"]),
            pooled(arrays[best]),
            B=cfg.bootstrap,
            level=level,
            rng=np.random.default_rng(self.context.seed + 1),
            description=f"test closed-book accuracy, RLAG minus {best} (chosen on dev)",
        )
        metrics["rlag_minus_best_baseline"] = diff
        series = self._series(arrays, train_outcomes, groups, diagnostics)
        plot = save_plot(
            self.context.artifact_dir / "rlag.png",
            {arm: metrics[f"accuracy_{arm}"] for arm in ARMS},
            [s for s in series if s.chart == "rlag_diagnostics"],
            f"RLAG vs baselines ({src.scope}): {report.verdict.value}",
        )
        tables = [
            self._table(metrics, exploratory),
            Table(
                name="dev accuracy per learning rate (seed 0; the tuned rate is starred)",
                columns=["arm", *[f"lr {lr:g}" for lr in self.lr_grid]],
                rows=[
                    [arm, *[f"{dev_accuracy[arm][lr]:.3f}{'*' if lr == tuned[arm] else ''}" for lr in self.lr_grid]]
                    for arm in ARMS
                ],
            ),
        ]
        return Result(
            metrics=metrics,
            series=series,
            tables=tables,
            exploratory=exploratory,
            artifacts=[
                Artifact(
                    name="accuracy and diagnostics",
                    path=plot.name,
                    kind="plot",
                    description="test accuracy per arm (95% CI) and RLAG's per-step diagnostics",
                )
            ],
            raw=self._raw(base, outcomes, train_outcomes, explanations, diagnostics, best, dev_accuracy, tuned),
            verdict=report,
            headline=["rlag_minus_best_baseline", "accuracy_rlag", f"accuracy_{best}", "context_gain"],
        )

    def _group_slices(self) -> dict[str, slice]:
        slices, start = {}, 0
        for name, group in self.test_groups.items():
            slices[name] = slice(start, start + len(group))
            start += len(group)
        return slices

    def _series(self, arrays, train_outcomes, groups, diagnostics) -> list[Series]:
        labels = ["trained", *groups]
        series = []
        for arm in ARMS:
            ys = [float(np.mean(train_outcomes[arm]))] + [
                float(arrays[arm][:, part].mean()) for part in groups.values()
            ]
            series.append(
                Series(
                    name=arm,
                    x=list(range(len(labels))),
                    y=ys,
                    chart="accuracy",
                    x_label="question set: " + ", ".join(f"{i} {n}" for i, n in enumerate(labels)),
                    y_label="closed-book accuracy",
                )
            )
        if diagnostics:
            steps = min(len(run) for run in diagnostics)
            for chart, keys in (("rlag_diagnostics", RATE_KEYS), ("rlag_rewards", REWARD_KEYS)):
                for key in keys:
                    mean = [float(np.mean([run[i][key] for run in diagnostics])) for i in range(steps)]
                    series.append(
                        Series(
                            name=key,
                            x=list(range(1, steps + 1)),
                            y=mean,
                            chart=chart,
                            x_label="RLAG optimizer step",
                            y_label="mean over seeds",
                        )
                    )
        return series

    def _table(self, metrics: dict[str, Estimate], exploratory: dict[str, Estimate]) -> Table:
        groups = ["train", *self._group_slices()]
        rows = []
        for arm in ARMS:
            explanation = exploratory.get(f"explanation_{arm}")
            rows.append(
                [
                    arm,
                    str(metrics[f"accuracy_{arm}"]),
                    *[str(exploratory[f"accuracy_{arm}_{g}"]) for g in groups],
                    str(explanation) if explanation else "n/a",
                ]
            )
        return Table(
            name="closed-book accuracy per arm (pooled over seeds, 95% CI)",
            columns=["arm", "test", *groups, "explanation supported"],
            rows=rows,
        )

    def _raw(
        self, base, outcomes, train_outcomes, explanations, diagnostics, best, dev_accuracy, tuned
    ) -> dict[str, Any]:
        return {
            "heldout_questions": _describe(self.heldout),
            "dev_questions": _describe(self.dev),
            "train_questions": _describe(self.source.train),
            "outcomes_heldout": outcomes,
            "outcomes_train": train_outcomes,
            "explanation": explanations,
            "base": base,
            "rlag_diagnostics": diagnostics,
            "steps_per_arm": self.steps,
            "best_baseline": best,
            "pretrain_losses": self.source.pretrain_losses[::10],
            "lr_grid": self.lr_grid,
            "tuned_lr": tuned,
            "dev_accuracy": {arm: {str(lr): acc for lr, acc in by_lr.items()} for arm, by_lr in dev_accuracy.items()},
            "informative_arms": self.config.informative_arms,
            "registered_protocol": self.registered_protocol,
            "gamma": self.config.gamma,
            "bootstrap": self.config.bootstrap,
        }


def _describe(questions) -> list[dict[str, Any]]:
    return [
        {
            "question": q.question,
            "options": list(q.options),
            "answer": q.answer,
            "entity": q.entity,
            "attribute": q.attribute,
            "split": q.split,
        }
        for q in questions
    ]
