"""The RLAG runner: RLAG against CPT, SFT and CPT+SFT on knowledge the base model lacks.

>>> runner = RLAGRunner()
>>> runner.suitability("Can reinforcement learning embed domain knowledge more effectively than "
...                    "supervised fine-tuning?") >= 2
True
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from ..api import (Artifact, Estimate, FidelityCard, FidelityRow, Result, RunContext, Runner, Series, Table)
from ..substrate.stats import bootstrap_ci
from .baselines import BASELINES, train_baseline
from .config import PRESETS, Config
from .evaluate import augmented_correct, closed_book_correct, explanation_supported
from .plot import save_plot
from .pool import pool_runs, poolable
from .sources import Source, miniature, real_checkpoint
from .training import RLAGSettings, planned_steps, train_rlag
from .verdict import decide, pooled

ARMS = ("rlag", *BASELINES)
RATE_KEYS = ("chosen_correct", "rejected_correct", "chosen_failure", "chosen_ne_rejected")
REWARD_KEYS = ("reward_information", "reward_chosen", "reward_rejected", "loss")

FIDELITY = FidelityCard(
    rows=[
        FidelityRow(aspect="model", paper="Llama-3.1-8B-Instruct (train.sh), Qwen2-7B-Instruct (config)",
                    miniature="tiny Llama (hidden 64, 2 layers, ~0.1M parameters), word-level vocabulary"),
        FidelityRow(aspect="data", paper="USMLE, BarExam, Astronomy, CurrentEvents: MCQ with retrieved ctx "
                    "(BM25/embeddings, up to 1,000 tokens)",
                    miniature="fictional world: 30 target people x (city, guild, pet); snippets = the person's 3 "
                    "facts + 1 distractor fact; 4-option MCQ, 3 paraphrased templates per attribute"),
        FidelityRow(aspect="knowledge gap", paper="post-cutoff events / specialist domains",
                    miniature="target people never seen with true facts in pretraining (only with random ones, "
                    "in reading-comprehension examples)"),
        FidelityRow(aspect="algorithm", paper="RLAG: argmax option scoring with/without ctx, loss "
                    "-logsigmoid(bD z + bA min(c,-0.2) - bA max(r,-5) - g), (bD,bA)=(0.5,0)|(0.2,0.5), no reference "
                    "model; 9 chunks x 2 epochs x 5 passes; AdamW lr 1e-5, 10% warm-up",
                    miniature="the same loss and switch; 3 chunks x 2 epochs x 5 passes; AdamW lr 1e-3, 10% warm-up, "
                    "constant after; batch 8"),
        FidelityRow(aspect="gamma", paper="0.8 in train.sh, 8 in configs/config.yaml",
                    miniature="0.8 by default (field gamma), recorded with the run"),
        FidelityRow(aspect="scoring", paper="mean per-token log-prob of the option tokens; sampling prompt plain, "
                    "training prompt chat-templated with an in-context example and the option list",
                    miniature="the same scoring; the tiny model has no chat template, so training and scoring "
                    "use the same plain prompt (the GPU path uses the checkpoint's template)"),
        FidelityRow(aspect="baselines", paper="CPT on the domain corpus (256-token packed blocks), SFT on "
                    "question -> answer, CPT then SFT",
                    miniature="the same three, each with exactly RLAG's optimizer steps and batch size; CPT reads "
                    "the very snippets RLAG's information term reads"),
        FidelityRow(aspect="evaluation", paper="closed-book option scoring on the test split; explanation "
                    "rationality judged for correct answers",
                    miniature="closed-book option scoring on paraphrased questions and never-trained facts; "
                    "explanation proxy: the supporting fact sentence outranks its wrong-option variants"),
        FidelityRow(aspect="n, seeds", paper="hundreds to thousands of test questions; seed 62512",
                    miniature="150 held-out questions x 3 training seeds, paired bootstrap (2,000 resamples)"),
    ],
    caveats=[
        "The authors' scripts do not run as released (train.sh calls an absent simple_iter.py; train.py reads a "
        "config key the YAML does not define); the method here is read from their code, not run.",
        "Chosen is the model's own augmented prediction, not the gold answer: misleading snippets would train "
        "wrong answers (see the chosen_correct diagnostic).",
        "The clip constants are in mean log-prob per token; with one-token options in the miniature they act "
        "on single-token log-probs.",
        "The best baseline is picked on the held-out set itself, which favours the baselines.",
        "Learning rates are not tuned per arm; the miniature uses one lr for RLAG and one for all baselines.",
        "Seeds vary the training order only; the world and the base model are fixed by world_seed.",
        "A miniature verdict is evidence about the mechanism in a controlled model, not about the paper's models.",
    ],
)


class RLAGRunner(Runner):
    name = "rlag"
    title = "RLAG: reinforcement learning from augmented generation vs fine-tuning for embedding knowledge"
    claim = ("Nie et al. claim that RLAG, which repeatedly scores answers with and without retrieved snippets and "
             "trains the model to prefer its snippet-informed answer over its uninformed one while raising the "
             "likelihood of the snippets, embeds domain knowledge more effectively than continued pretraining, "
             "supervised fine-tuning, or both: closed-book accuracy and explanation quality are higher on knowledge "
             "the model lacked.")
    source = "Nie et al. 2025, arXiv 2509.20162"
    arxiv = ("2509.20162",)
    Config = Config
    presets = PRESETS
    suits = (r"embed\w* (domain )?knowledge", r"supervised fine-?tuning", r"\bRLAG\b", r"augmented generation",
             r"internaliz", r"knowledge (injection|embedding)", r"continu\w* pre-?training")
    fidelity = FIDELITY

    def run(self, config: Config, context: RunContext) -> Result:
        context.setup_torch()
        source = real_checkpoint(config) if config.checkpoint else miniature(config, context)
        return _Experiment(config, context, source).run()

    def pool(self, results: list[Result]) -> Result:
        """A seed sweep pooled on the per-question outcomes (:mod:`.pool`); others pool conservatively."""
        return pool_runs(results) if poolable(results) else super().pool(results)


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
