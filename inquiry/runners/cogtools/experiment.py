"""One cognitive-tools run: pretrain (cached), then every arm on the same evaluation problems, no training."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..api import Artifact, Estimate, Result, RunContext, Series, Table
from ..arm_plot import save_arms_plot
from ..doc_base import load_base, pretrained_base
from ..substrate.model import TinyModelConfig
from ..substrate.stats import bootstrap_ci
from .config import Config
from .tools import Caller, best_of_k, calls_budget, direct, examine_accuracy, monolithic, parts_known, tool_loop
from .verdict import ARMS, figures, verdict
from .world import SYMBOLS, World


def run_cogtools(config: Config, context: RunContext, registration) -> Result:
    context.setup_torch()
    world = World(
        n_solved=config.n_solved,
        n_eval=config.n_eval,
        evaluate_on=config.evaluate_on,
        mono_share=config.mono_share,
        seed=config.world_seed,
    )
    model_cfg = TinyModelConfig(
        hidden=config.hidden, layers=config.layers, heads=config.heads, ffn=config.hidden * 3, max_len=24
    )
    total = config.pretrain_steps + 5

    def on_pretrain(step: int, loss: float) -> None:
        if step % 50 == 0 or step == config.pretrain_steps:
            context.progress(step, total, "pretraining the base", loss=loss)

    # the key names the training problems, not the evaluation side: the control reuses the same base
    key = {
        "runner": "cogtools",
        "n_solved": config.n_solved,
        "mono_share": config.mono_share,
        "world_seed": config.world_seed,
    }
    folder, losses = pretrained_base(
        context.cache_dir / "cogtools",
        key,
        SYMBOLS,
        world.document,
        model_cfg=model_cfg,
        steps=config.pretrain_steps,
        batch_size=config.pretrain_batch,
        lr=config.pretrain_lr,
        seed=config.world_seed,
        on_step=on_pretrain,
        check_cancelled=context.check_cancelled,
    )
    model, tok = load_base(folder, context.device)
    caller = Caller(model, tok, context.torch_generator(1))
    problems = world.evaluation
    step = config.pretrain_steps
    raw: dict[str, Any] = {
        "problems": ["".join(map(str, p)) for p in problems],
        "evaluate_on": config.evaluate_on,
        "pretrain_losses": losses[::25],
    }
    raw["examine"] = examine_accuracy(caller, problems)
    raw["parts_known"] = parts_known(caller, problems)
    context.progress(step + 1, total, "measuring the tools")
    outcomes: dict[str, list[int]] = {"direct": direct(caller, problems), "monolithic": monolithic(caller, problems)}
    context.progress(step + 2, total, "direct and monolithic arms")
    tools = tool_loop(caller, problems, config.retries)
    outcomes["tools"] = tools.correct
    context.progress(step + 3, total, "tool loop")
    k = calls_budget(tools.calls)
    outcomes["best_of_k"], oracle = best_of_k(caller, problems, k)
    context.progress(step + 4, total, f"best-of-{k}")
    # majority vote and oracle selection for every k up to the budget: the curve beside the fixed-k arm
    curve = {kk: best_of_k(caller, problems, kk) for kk in sorted({1, 2, 4, k, 2 * k})}
    raw |= {
        "outcomes": outcomes,
        "oracle_best_of_k": oracle,
        "k": k,
        "tool_calls": tools.calls,
        "backtracks": tools.backtracks,
        "tool_steps_correct": tools.step_correct,
        "best_of_k_curve": {str(kk): {"vote": v, "oracle": o} for kk, (v, o) in curve.items()},
    }
    context.progress(total, total, "done")
    return _result(config, context, registration, raw)


def _result(config: Config, context: RunContext, registration, raw: dict[str, Any]) -> Result:
    metrics = figures(raw, config.bootstrap, context.seed)
    report = verdict(registration, metrics)
    rng = np.random.default_rng(context.seed + 1)
    k = raw["k"]
    exploratory = {
        "oracle_best_of_k": bootstrap_ci(
            raw["oracle_best_of_k"],
            B=config.bootstrap,
            rng=rng,
            description=f"any of {k} sampled direct answers right (upper bound)",
        ),
        "calls_per_problem": Estimate(
            value=float(np.mean(raw["tool_calls"])),
            n=len(raw["tool_calls"]),
            unit=" calls",
            description="tool loop: model calls per problem",
        ),
        "backtracks_per_problem": Estimate(
            value=float(np.mean(raw["backtracks"])),
            n=len(raw["backtracks"]),
            description="tool loop: re-sampled steps per problem",
        ),
    }
    ks = sorted(int(x) for x in raw["best_of_k_curve"])
    series = [
        Series(
            name=f"best-of-k, {kind}",
            x=[float(x) for x in ks],
            y=[float(np.mean(raw["best_of_k_curve"][str(x)][kind])) for x in ks],
            chart="calls",
            x_label="model calls per problem",
            y_label="accuracy",
            log_x=True,
        )
        for kind in ("vote", "oracle")
    ]
    series.append(
        Series(
            name="tools",
            x=[float(np.mean(raw["tool_calls"]))],
            y=[metrics["accuracy_tools"].value],
            chart="calls",
            x_label="model calls per problem",
            y_label="accuracy",
            log_x=True,
        )
    )
    series.append(
        Series(
            name="direct",
            x=[1.0],
            y=[metrics["accuracy_direct"].value],
            chart="calls",
            x_label="model calls per problem",
            y_label="accuracy",
            log_x=True,
        )
    )
    plot = save_arms_plot(
        context.artifact_dir / "cogtools.png",
        {arm: metrics[f"accuracy_{arm}"] for arm in ARMS},
        series[:2],
        f"Cognitive tools miniature ({raw['evaluate_on']}): {report.verdict.value}",
        "accuracy (95% CI)",
        highlight="tools",
    )
    table = Table(
        name="accuracy per arm (95% CI over problems)",
        columns=["arm", "calls per problem", "accuracy"],
        rows=[
            ["direct", 1, str(metrics["accuracy_direct"])],
            ["monolithic", 1, str(metrics["accuracy_monolithic"])],
            ["best_of_k", k, str(metrics["accuracy_best_of_k"])],
            ["tools", f"{np.mean(raw['tool_calls']):.2f}", str(metrics["accuracy_tools"])],
        ],
    )
    raw["thresholds"] = dict(registration.thresholds)
    raw["bootstrap"] = config.bootstrap
    return Result(
        metrics=metrics,
        series=series,
        tables=[table],
        raw=raw,
        verdict=report,
        exploratory=exploratory,
        artifacts=[
            Artifact(
                name="arms and calls",
                path=plot.name,
                kind="plot",
                description="accuracy per arm, and best-of-k accuracy against calls",
            )
        ],
        headline=[
            "tools_minus_direct",
            "tools_minus_best_of_k",
            "tools_minus_monolithic",
            "examine_accuracy",
            "parts_known",
        ],
    )
