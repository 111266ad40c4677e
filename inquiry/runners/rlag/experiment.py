"""One RLAG run: base measurements, every arm trained for every seed, then statistics and the verdict."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from ...errors import ConfigError
from ..api import Artifact, Estimate, Result, RunContext, Series, Table
from ..substrate.stats import bootstrap_ci
from .baselines import BASELINES, train_baseline
from .config import Config
from .evaluate import augmented_correct, closed_book_correct, explanation_supported
from .plot import save_plot
from .sources import Source, miniature, real_checkpoint
from .training import RLAGSettings, planned_steps, train_rlag
from .verdict import decide, pooled

ARMS = ("rlag", *BASELINES)
RATE_KEYS = ("chosen_correct", "rejected_correct", "chosen_failure", "chosen_ne_rejected")
REWARD_KEYS = ("reward_information", "reward_chosen", "reward_rejected", "loss")


def run_rlag(config: Config, context: RunContext) -> Result:
    """Train and measure every arm on the miniature world, or on a local checkpoint and dataset."""
    context.setup_torch()
    if config.needs_checkpoint and not (config.checkpoint and config.dataset):
        raise ConfigError("checkpoint" if not config.checkpoint else "dataset",
                          "this preset runs on a local checkpoint and dataset: give checkpoint=<folder> and "
                          "dataset=<file.jsonl>")
    source = real_checkpoint(config) if config.checkpoint else miniature(config, context)
    return _Experiment(config, context, source).run()


class _Experiment:
    """One run: base measurements, every arm for every seed, then statistics and the verdict."""

    def __init__(self, config: Config, context: RunContext, source: Source):
        self.config, self.context, self.source = config, context, source
        self.heldout = [q for group in source.evaluation.values() for q in group]
        self.steps = planned_steps(n_questions=len(source.train), passes=config.passes, chunks=config.chunks,
                                   epochs_per_chunk=config.epochs_per_chunk, batch_size=config.batch_size)
        self.total = config.seeds * len(ARMS) * self.steps
        self.done = 0

    def run(self) -> Result:
        cfg, src = self.config, self.source
        model, tokenizer = src.load_base(self.context.device)
        base = {"augmented_train": augmented_correct(model, tokenizer, src.train, src.style, cfg.score_batch),
                "naive_train": closed_book_correct(model, tokenizer, src.train, src.style, cfg.score_batch),
                "heldout": closed_book_correct(model, tokenizer, self.heldout, src.style, cfg.score_batch)}
        del model
        outcomes: dict[str, list[list[int]]] = {arm: [] for arm in ARMS}
        train_outcomes: dict[str, list[list[int]]] = {arm: [] for arm in ARMS}
        explanations: dict[str, list[list[int | None]]] = {arm: [] for arm in ARMS}
        diagnostics: list[list[dict[str, float]]] = []
        for seed in range(cfg.seeds):
            for arm in ARMS:
                model, tokenizer = self._train(arm, seed, diagnostics)
                correct = closed_book_correct(model, tokenizer, self.heldout, src.style, cfg.score_batch)
                outcomes[arm].append(correct)
                train_outcomes[arm].append(closed_book_correct(model, tokenizer, src.train, src.style,
                                                               cfg.score_batch))
                if src.has_fact_sentences:
                    explanations[arm].append(explanation_supported(model, tokenizer, self.heldout, correct,
                                                                   cfg.score_batch))
                del model
        return self._result(base, outcomes, train_outcomes, explanations, diagnostics)

    def _train(self, arm: str, seed: int, diagnostics: list):
        cfg, src, ctx = self.config, self.source, self.context
        torch.manual_seed(ctx.seed * 1_000_003 + seed)
        rng = random.Random(f"{ctx.seed}-{seed}")  # every arm sees the same shuffles for a given seed
        model, tokenizer = src.load_base(ctx.device)
        offset = self.done
        if arm == "rlag":
            settings = RLAGSettings(passes=cfg.passes, chunks=cfg.chunks, epochs_per_chunk=cfg.epochs_per_chunk,
                                    batch_size=cfg.batch_size, lr=cfg.lr, gamma=cfg.gamma,
                                    eps_chosen=cfg.eps_chosen, eps_rejected=cfg.eps_rejected,
                                    score_batch=cfg.score_batch)

            def on_rlag_step(step: int, total: int, metrics: dict[str, float]) -> None:
                ctx.progress(offset + step, self.total, f"seed {seed}: rlag", **metrics)

            diagnostics.append(train_rlag(model, tokenizer, src.train, src.style, settings, rng,
                                          on_step=on_rlag_step, check_cancelled=ctx.check_cancelled))
        else:
            def on_step(step: int, total: int, loss: float) -> None:
                if step % 10 == 0 or step == total:
                    ctx.progress(offset + step, self.total, f"seed {seed}: {arm}", loss=loss)

            train_baseline(arm, model, tokenizer, src.train, src.style, steps=self.steps, batch_size=cfg.batch_size,
                           lr=cfg.baseline_lr, rng=rng, on_step=on_step, check_cancelled=ctx.check_cancelled)
        self.done += self.steps
        return model, tokenizer

    def _result(self, base, outcomes, train_outcomes, explanations, diagnostics) -> Result:
        cfg, src = self.config, self.source
        rng = np.random.default_rng(self.context.seed)
        arrays = {arm: np.array(rows) for arm, rows in outcomes.items()}
        report, comparison = decide(np.array(base["augmented_train"]), np.array(base["naive_train"]), arrays,
                                    margin=cfg.context_margin, B=cfg.bootstrap, seed=self.context.seed,
                                    scope=src.scope)
        acc = lambda values, what: bootstrap_ci(pooled(values), B=cfg.bootstrap, rng=rng, description=what)  # noqa: E731
        metrics: dict[str, Estimate] = {
            "base_accuracy_augmented": acc(base["augmented_train"], "base, training questions, snippets in prompt"),
            "base_accuracy_naive": acc(base["naive_train"], "base, training questions, closed book"),
            "base_accuracy_heldout": acc(base["heldout"], "base, held-out questions, closed book"),
            "context_gain": comparison.context_gain,
        }
        groups = self._group_slices()
        for arm in ARMS:
            metrics[f"accuracy_{arm}"] = acc(arrays[arm], f"{arm}: held-out closed-book accuracy, pooled over seeds")
            for group, part in groups.items():
                metrics[f"accuracy_{arm}_{group}"] = acc(arrays[arm][:, part], f"{arm}: {group} questions")
            metrics[f"accuracy_{arm}_train"] = acc(np.array(train_outcomes[arm]), f"{arm}: trained questions")
            supported = [v for row in explanations[arm] for v in row if v is not None]
            if supported:
                metrics[f"explanation_{arm}"] = bootstrap_ci(
                    supported, B=cfg.bootstrap, rng=rng,
                    description=f"{arm}: correct answers whose fact sentence outranks its variants "
                                "(over seed x question pairs)")
        if comparison.difference is not None:
            metrics["rlag_minus_best_baseline"] = comparison.difference
        series = self._series(arrays, train_outcomes, groups, diagnostics)
        plot = save_plot(self.context.artifact_dir / "rlag.png",
                         {arm: metrics[f"accuracy_{arm}"] for arm in ARMS},
                         [s for s in series if s.chart == "rlag_diagnostics"],
                         f"RLAG vs baselines ({src.scope}): {report.verdict.value}")
        return Result(
            metrics=metrics, series=series, tables=[self._table(metrics)],
            artifacts=[Artifact(name="accuracy and diagnostics", path=plot.name, kind="plot",
                                description="held-out accuracy per arm (95% CI) and RLAG's per-step diagnostics")],
            raw=self._raw(base, outcomes, train_outcomes, explanations, diagnostics, comparison.best_baseline),
            verdict=report,
            headline=["rlag_minus_best_baseline", "accuracy_rlag", f"accuracy_{comparison.best_baseline}",
                      "context_gain"] if comparison.difference is not None else ["context_gain"])

    def _group_slices(self) -> dict[str, slice]:
        slices, start = {}, 0
        for name, group in self.source.evaluation.items():
            slices[name] = slice(start, start + len(group))
            start += len(group)
        return slices

    def _series(self, arrays, train_outcomes, groups, diagnostics) -> list[Series]:
        labels = ["trained", *groups]
        series = []
        for arm in ARMS:
            ys = [float(np.mean(train_outcomes[arm]))] + [float(arrays[arm][:, part].mean()) for part in groups.values()]
            series.append(Series(name=arm, x=list(range(len(labels))), y=ys, chart="accuracy",
                                 x_label="question set: " + ", ".join(f"{i} {n}" for i, n in enumerate(labels)),
                                 y_label="closed-book accuracy"))
        if diagnostics:
            steps = min(len(run) for run in diagnostics)
            for chart, keys in (("rlag_diagnostics", RATE_KEYS), ("rlag_rewards", REWARD_KEYS)):
                for key in keys:
                    mean = [float(np.mean([run[i][key] for run in diagnostics])) for i in range(steps)]
                    series.append(Series(name=key, x=list(range(1, steps + 1)), y=mean, chart=chart,
                                         x_label="RLAG optimizer step", y_label="mean over seeds"))
        return series

    def _table(self, metrics: dict[str, Estimate]) -> Table:
        groups = ["train", *self._group_slices()]
        rows = []
        for arm in ARMS:
            explanation = metrics.get(f"explanation_{arm}")
            rows.append([arm, str(metrics[f"accuracy_{arm}"]),
                         *[str(metrics[f"accuracy_{arm}_{g}"]) for g in groups],
                         str(explanation) if explanation else "n/a"])
        return Table(name="closed-book accuracy per arm (pooled over seeds, 95% CI)",
                     columns=["arm", "held-out", *groups, "explanation supported"], rows=rows)

    def _raw(self, base, outcomes, train_outcomes, explanations, diagnostics, best) -> dict[str, Any]:
        describe = lambda qs: [{"question": q.question, "options": list(q.options), "answer": q.answer,  # noqa: E731
                                "entity": q.entity, "attribute": q.attribute, "split": q.split} for q in qs]
        return {"heldout_questions": describe(self.heldout), "train_questions": describe(self.source.train),
                "outcomes_heldout": outcomes, "outcomes_train": train_outcomes, "explanation": explanations,
                "base": base, "rlag_diagnostics": diagnostics, "steps_per_arm": self.steps,
                "best_baseline": best, "pretrain_losses": self.source.pretrain_losses[::10],
                "gamma": self.config.gamma, "context_margin": self.config.context_margin,
                "bootstrap": self.config.bootstrap}
