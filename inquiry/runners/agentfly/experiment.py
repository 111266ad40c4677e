"""One AgentFly run: pretrain the case-using base (cached), then every arm on the same episode streams."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from ..api import Artifact, Result, RunContext, Series, Table
from ..arm_plot import save_arms_plot
from ..doc_base import load_base, pretrained_base
from ..rlvr.grpo import completion_logprobs
from ..substrate.model import TinyModelConfig
from ..substrate.sampler import sample
from ..substrate.tokenizer import encode
from .config import Config
from .memory import FEATURES, CaseBank, RecentSameKey, SoftQRetriever
from .verdict import ARMS, base_checks, figures, verdict
from .world import SYMBOLS, Case, Environment, document, parse_answer, prompt

WINDOW = 50  # episodes per point of the moving-average curves


def run_agentfly(config: Config, context: RunContext, registration) -> Result:
    context.setup_torch()
    model_cfg = TinyModelConfig(
        hidden=config.hidden, layers=config.layers, heads=config.heads, ffn=config.hidden * 3, max_len=24
    )
    total = config.pretrain_steps + config.seeds * len(ARMS)

    def on_pretrain(step: int, loss: float) -> None:
        if step % 50 == 0 or step == config.pretrain_steps:
            context.progress(step, total, "pretraining the base", loss=loss)

    folder, losses = pretrained_base(
        context.cache_dir / "agentfly",
        {"runner": "agentfly", "documents": "v2"},
        SYMBOLS,
        document,
        model_cfg=model_cfg,
        steps=config.pretrain_steps,
        batch_size=config.pretrain_batch,
        lr=config.pretrain_lr,
        seed=config.world_seed,
        on_step=on_pretrain,
        check_cancelled=context.check_cancelled,
    )
    env = Environment(config.n_tasks, resample=config.world == "resampled", seed=config.world_seed)
    model, tok = load_base(folder, context.device)
    copies = _answers(model, tok, [prompt([Case(t, env.answer(t), True)], t) for t in env.tasks], None, 0.0)
    raw: dict[str, Any] = {
        "world": config.world,
        "tasks": env.tasks,
        "copies_success": [int(a == env.answer(t)) for a, t in zip(copies, env.tasks)],
        "rewards": {arm: [] for arm in ARMS},
        "streams": [],
        "truths": [],
        "q_weights": [],
        "features": list(FEATURES),
        "pretrain_losses": losses[::25],
    }
    del model
    if not all(c.passed for c in base_checks(registration, figures(raw, config.bootstrap, context.seed))):
        return _result(config, context, registration, raw)  # the frozen base cannot use a case: no stream
    done = config.pretrain_steps
    for seed in range(config.seeds):
        stream = env.stream(config.episodes, seed=context.seed * 1000 + seed)
        truths = [env.visit(task) for task in stream]  # the environment's hidden state at each visit
        raw["streams"].append(stream)
        raw["truths"].append(truths)
        for arm in ARMS:
            context.check_cancelled()
            model, tok = load_base(folder, context.device)
            rewards, q_history = _episodes(
                arm,
                model,
                tok,
                env,
                stream,
                truths,
                config,
                context.torch_generator(10 * seed + ARMS.index(arm)),
                random.Random(f"{context.seed}-{seed}-{arm}"),
            )
            raw["rewards"][arm].append(rewards)
            if q_history:
                raw["q_weights"].append(q_history)
            done += 1
            context.progress(done, total, f"stream {seed}: {arm}", reward=float(np.mean(rewards)))
            del model
    return _result(config, context, registration, raw)


def _answers(model, tok, prompts: list[str], gen, temperature: float) -> list[int | None]:
    out = sample(
        model,
        [encode(tok, p) for p in prompts],
        n=1,
        max_new_tokens=2,
        temperature=temperature,
        eos_id=tok.eos_token_id,
        pad_id=tok.pad_token_id,
        generator=gen,
    )
    return [parse_answer(t[0]) for t in out.texts(tok)]


def _episodes(
    arm: str,
    model,
    tok,
    env: Environment,
    stream: list[str],
    truths: list[int],
    config: Config,
    gen,
    rng: random.Random,
) -> tuple[list[int], list[list[float]]]:
    """Step the stream in rounds: retrieve, answer, get rewards from the environment, then update memory
    (or, for the weight arm, the weights)."""
    bank = CaseBank()
    retriever = (
        RecentSameKey(config.cases_in_context)
        if arm == "similarity"
        else SoftQRetriever(config.cases_in_context, config.q_lr, config.q_temperature, config.candidates)
        if arm == "soft_q"
        else None
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.weight_lr) if arm == "weights" else None
    rewards: list[int] = []
    for start in range(0, len(stream), config.round_size):
        tasks = stream[start : start + config.round_size]
        retrieved = [retriever.retrieve(bank, t, start + i, rng) if retriever else [] for i, t in enumerate(tasks)]
        prompts = [prompt(cases, t) for cases, t in zip(retrieved, tasks)]
        if optimizer is None:
            answers = _answers(model, tok, prompts, gen, config.temperature)
            completions = None
        else:
            out = sample(
                model,
                [encode(tok, p) for p in prompts],
                n=1,
                max_new_tokens=2,
                temperature=config.temperature,
                eos_id=tok.eos_token_id,
                pad_id=tok.pad_token_id,
                generator=gen,
            )
            completions = [c[0] for c in out.completions]
            answers = [parse_answer(t[0]) for t in out.texts(tok)]
        got = [env.reward(t, a, truth) for t, a, truth in zip(tasks, answers, truths[start : start + len(tasks)])]
        rewards.extend(got)
        for i, (t, a, r) in enumerate(zip(tasks, answers, got)):
            if retriever is not None:
                retriever.learn(retrieved[i], t, start + i, r)
            if a is not None:
                bank.add(Case(t, a, bool(r), start + i))
        if optimizer is not None:
            _policy_gradient(model, optimizer, tok, prompts, completions, got)
    history = retriever.history[:: config.round_size] if isinstance(retriever, SoftQRetriever) else []
    return rewards, history


def _policy_gradient(model, optimizer, tok, prompts: list[str], completions, rewards: list[int]) -> None:
    """One update on the round's episodes: advantage = reward minus the round's mean (GRPO's centring)."""
    r = torch.tensor(rewards, dtype=torch.float32)
    advantage = r - r.mean()
    if float(advantage.abs().sum()) == 0:
        return
    device = next(model.parameters()).device
    model.train()
    logprobs, mask = completion_logprobs(model, [encode(tok, p) for p in prompts], completions, tok.pad_token_id)
    per_row = (logprobs * mask).sum(-1)
    loss = -(advantage.to(device) * per_row).mean()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    model.eval()


def _result(config: Config, context: RunContext, registration, raw: dict[str, Any]) -> Result:
    metrics = figures(raw, config.bootstrap, context.seed)
    report = verdict(registration, metrics)
    series = []
    ran = [arm for arm in ARMS if raw["rewards"][arm]]
    for arm in ran:
        mean = np.asarray(raw["rewards"][arm], float).mean(0)
        points = [
            (i + WINDOW, float(mean[i : i + WINDOW].mean()))
            for i in range(0, len(mean) - WINDOW + 1, max(1, WINDOW // 2))
        ]
        series.append(
            Series(
                name=arm,
                x=[float(x) for x, _ in points],
                y=[y for _, y in points],
                chart="stream",
                x_label="episode",
                y_label=f"reward, moving mean over {WINDOW} episodes",
            )
        )
    if raw["q_weights"]:
        history = np.asarray(raw["q_weights"][0], float)
        for j, name in enumerate(raw["features"]):
            series.append(
                Series(
                    name=f"w[{name}]",
                    x=[float(i * config.round_size) for i in range(len(history))],
                    y=history[:, j].tolist(),
                    chart="q_function",
                    x_label="episode",
                    y_label="retrieval Q weight (stream 0)",
                )
            )
    plot = save_arms_plot(
        context.artifact_dir / "agentfly.png",
        {arm: metrics[f"late_{arm}"] for arm in ran} or {"copies_success": metrics["copies_success"]},
        [s for s in series if s.chart == "stream"],
        f"AgentFly miniature ({config.world} world): {report.verdict.value}",
        "late-half reward (95% CI)",
        highlight="soft_q",
    )
    table = Table(
        name="reward per arm (95% CI over late-half episodes)",
        columns=["arm", "whole stream", "late half"],
        rows=[[arm, f"{np.mean(raw['rewards'][arm]):.3f}", str(metrics[f"late_{arm}"])] for arm in ran],
    )
    raw["thresholds"] = dict(registration.thresholds)
    raw["bootstrap"] = config.bootstrap
    return Result(
        metrics=metrics,
        series=series,
        tables=[table],
        raw=raw,
        verdict=report,
        artifacts=[
            Artifact(
                name="arms and learning curves",
                path=plot.name,
                kind="plot",
                description="late-half reward per arm and moving-average reward curves",
            )
        ],
        headline=["memory_gain", "improvement", "memory_minus_weights", "similarity_gain", "copies_success"]
        if ran
        else ["copies_success"],
    )
