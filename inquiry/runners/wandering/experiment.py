"""The wandering experiment: pretrain on teacher episodes (depths in the trained range), play episodes
at every depth up to well beyond it with the environment answering inside the sampling loop, fit the
registered models, and (arm ``rl``) run outcome-reward GRPO on the trained depths and measure again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from enum import IntEnum

import numpy as np
import torch

from ..api import Artifact, Estimate, Result, RunContext, Series, Table
from ..rlvr.grpo import group_advantages
from ..substrate import (
    IGNORE,
    TinyModelConfig,
    bootstrap_ci,
    build_model,
    build_tokenizer,
    cached_checkpoint,
    encode,
    load_checkpoint,
    paired_diff_ci,
    save_checkpoint,
    train_lm,
)
from .config import Config
from .env import NECESSITY, START, SYMBOLS, VALIDITY, teacher_trace
from .fits import bootstrap_q, compare
from .rollout import Played, play
from .verdict import DepthEvidence, RLEvidence, decide_depth, decide_rl


class Stream(IntEnum):
    """The run's torch random streams (offsets into RunContext.torch_generator), named in one place;
    the numbers are part of the method (renumbering one is a new runner version)."""

    EVALUATION = 17  # the episodes every arm plays at every depth
    GRPO = 29  # the RL arm's rollouts


def _batches(tokenizer, c: Config, rng: random.Random) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Teacher episodes as (input_ids, labels); the loss is on the teacher's actions only."""
    while True:
        seqs = []
        for _ in range(c.pretrain_batch):
            depth = rng.randint(c.train_min_depth, c.train_max_depth)
            wander = c.wander_rate if rng.random() < c.wander_share else 0.0
            seqs.append(encode(tokenizer, teacher_trace(depth, wander, c.budget_per_level, rng)))
        width = max(map(len, seqs))
        ids = torch.full((len(seqs), width), tokenizer.pad_token_id, dtype=torch.long)
        labels = torch.full((len(seqs), width), IGNORE, dtype=torch.long)
        for row, seq in enumerate(seqs):
            ids[row, : len(seq)] = torch.tensor(seq)
            labels[row, 2 : len(seq) : 2] = ids[row, 2 : len(seq) : 2]  # <bos> S a r a r ...: actions sit at 2, 4, ...
        yield ids, labels


def _base_key(c: Config, seed: int) -> dict:
    fields = (
        "wander_share",
        "wander_rate",
        "train_min_depth",
        "train_max_depth",
        "budget_per_level",
        "hidden",
        "layers",
        "heads",
        "pretrain_steps",
        "pretrain_batch",
        "pretrain_lr",
    )
    return {"runner": "wandering", "seed": seed, **{f: getattr(c, f) for f in fields}}


def _model_cfg(c: Config) -> TinyModelConfig:
    # RoPE has no learned positions, so max_len only bounds the config; it covers every test depth the config allows
    return TinyModelConfig(hidden=c.hidden, layers=c.layers, heads=c.heads, ffn=3 * c.hidden, max_len=2048)


def pretrain(c: Config, ctx: RunContext) -> tuple[object, object, list[float]]:
    def build(folder):
        tokenizer = build_tokenizer(SYMBOLS)
        model = build_model(tokenizer, _model_cfg(c), seed=ctx.seed).to(ctx.device)
        losses = train_lm(
            model,
            _batches(tokenizer, c, random.Random(f"wandering-pretrain-{ctx.seed}")),
            steps=c.pretrain_steps,
            lr=c.pretrain_lr,
            warmup=min(100, c.pretrain_steps // 10),
            check_cancelled=ctx.check_cancelled,
            on_step=ctx.progress_every(50, c.pretrain_steps, "pretraining on teacher episodes"),
        )
        save_checkpoint(model, tokenizer, folder)
        (folder / "pretrain_loss.txt").write_text("\n".join(f"{x:.5f}" for x in losses))

    folder = cached_checkpoint(ctx.cache_dir / "wandering", _base_key(c, ctx.seed), build)
    model, tokenizer = load_checkpoint(folder, device=ctx.device)
    losses = [float(x) for x in (folder / "pretrain_loss.txt").read_text().split()]
    return model, tokenizer, losses


def _secrets(depth: int, count: int, rng: random.Random) -> list[tuple[int, ...]]:
    return [tuple(rng.randrange(2) for _ in range(depth)) for _ in range(count)]


def evaluate(model, tokenizer, c: Config, ctx: RunContext, label: str) -> list[Played]:
    """``episodes_per_depth`` episodes at every depth; the codes depend on the seed only (paired arms)."""
    rng = random.Random(f"wandering-eval-{ctx.seed}")
    secrets = [s for d in c.depths for s in _secrets(d, c.episodes_per_depth, rng)]
    ctx.progress(0, 1, f"playing {len(secrets)} episodes ({label})")
    return play(
        model,
        tokenizer,
        secrets,
        budget_per_level=c.budget_per_level,
        temperature=c.temperature,
        generator=ctx.torch_generator(Stream.EVALUATION),
    )


def grpo(model, tokenizer, c: Config, ctx: RunContext) -> list[dict]:
    """Outcome-reward GRPO (reward 1 if solved) on codes of the trained depths; Dr.GRPO advantages (r − mean),
    on-policy (one update per rollout, so the clipped ratio is 1), loss on the model's actions only."""
    rng = random.Random(f"wandering-rl-{ctx.seed}")
    generator = ctx.torch_generator(Stream.GRPO)
    optimizer = torch.optim.AdamW(model.parameters(), lr=c.rl_lr, betas=(0.9, 0.99), weight_decay=0.0)
    bos, start = tokenizer.bos_token_id, encode(tokenizer, START, bos=False)[0]
    logs = []
    for step in range(c.rl_steps):
        ctx.check_cancelled()
        codes = [
            tuple(rng.randrange(2) for _ in range(rng.randint(c.train_min_depth, c.train_max_depth)))
            for _ in range(c.rl_prompts)
        ]
        played = play(
            model,
            tokenizer,
            [s for s in codes for _ in range(c.rl_group)],
            budget_per_level=c.budget_per_level,
            temperature=1.0,
            generator=generator,
        )
        rewards = torch.tensor([float(p.solved) for p in played]).view(c.rl_prompts, c.rl_group)
        advantages = group_advantages(rewards, std_normalise=False).flatten()
        seqs = [p.sequence(bos, start) for p in played]
        width = max(len(ids) for ids, _ in seqs)
        ids = torch.full((len(seqs), width), tokenizer.pad_token_id, dtype=torch.long)
        scored = torch.zeros((len(seqs), width - 1), dtype=torch.bool)
        for row, (seq, is_action) in enumerate(seqs):
            ids[row, : len(seq)] = torch.tensor(seq)
            scored[row] = torch.tensor(is_action[1:] + [False] * (width - len(seq)))  # position t predicts t+1
        ids, scored = ids.to(ctx.device), scored.to(ctx.device)
        model.train()
        logits = model(input_ids=ids).logits[:, :-1].float()
        logprobs = torch.log_softmax(logits, dim=-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
        loss = -(advantages.to(ctx.device)[:, None] * logprobs)[scored].mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        model.eval()
        logs.append({"step": step + 1, "reward": float(rewards.mean())})
        ctx.progress(step + 1, c.rl_steps, "GRPO on the trained depths", reward=float(rewards.mean()))
    return logs


# ---------------------------------------------------------------- measurement


def episode_rows(played: list[Played]) -> dict[str, list]:
    """Per-episode raw counts (every figure recomputes from these)."""
    return {
        "depth": [p.depth for p in played],
        "solved": [int(p.solved) for p in played],
        "actions": [len(p.violations) for p in played],
        "validity": [sum(v in VALIDITY for v in p.violations) for p in played],
        "necessity": [sum(v in NECESSITY for v in p.violations) for p in played],
        "failure": [p.failure for p in played],
    }


def _ratio(num_v, num_a, den_v, den_a, rng, B, **fields) -> Estimate:
    """(Σv/Σa over one set) / (Σv/Σa over another), each set resampled independently."""

    def rate(v, a, idx):
        return v[idx].sum() / max(1.0, a[idx].sum())

    draws = []
    for _ in range(B):
        i = rng.integers(0, num_v.size, num_v.size)
        j = rng.integers(0, den_v.size, den_v.size)
        draws.append(rate(num_v, num_a, i) / max(1e-9, rate(den_v, den_a, j)))
    low, high = np.percentile(draws, [2.5, 97.5])
    value = (num_v.sum() / max(1.0, num_a.sum())) / max(1e-9, den_v.sum() / max(1.0, den_a.sum()))
    return Estimate(value=float(value), low=float(low), high=float(high), n=int(num_v.size + den_v.size), **fields)


def depth_measures(rows: dict[str, list], c: Config, steepness: float, rng: np.random.Generator) -> dict:
    depth = np.array(rows["depth"])
    solved = np.array(rows["solved"], dtype=float)
    viol = np.array(rows["validity"]) + np.array(rows["necessity"])
    actions = np.array(rows["actions"])
    inside = depth <= c.train_max_depth
    per_depth = {d: solved[depth == d] for d in c.depths}
    fit = compare(
        c.depths, [per_depth[d].sum() for d in c.depths], [per_depth[d].size for d in c.depths], steepness=steepness
    )
    qs = bootstrap_q([per_depth[d] for d in c.depths], np.array(c.depths), c.bootstrap, rng)
    hazard_low, hazard_high = np.percentile(1 - qs, [2.5, 97.5])
    clean = viol == 0
    return {
        "fit": fit,
        "in_range_success": bootstrap_ci(
            solved[inside], B=c.bootstrap, rng=rng, description="success rate at the trained depths"
        ),
        "hazard": Estimate(
            value=1 - fit.q,
            low=float(hazard_low),
            high=float(hazard_high),
            n=int(solved.size),
            unit="/level",
            description="per-level failure hazard 1 − q of the geometric fit",
        ),
        "log_q": Estimate(
            value=float(np.log(max(fit.q, 1e-9))),
            low=float(np.log(max(np.percentile(qs, 2.5), 1e-9))),
            high=float(np.log(max(np.percentile(qs, 97.5), 1e-9))),
            n=int(solved.size),
            description="slope of log success against depth (geometric fit)",
        ),
        "violation_ratio": _ratio(
            viol[~inside].astype(float),
            actions[~inside].astype(float),
            viol[inside].astype(float),
            actions[inside].astype(float),
            rng,
            c.bootstrap,
            description="violations per action beyond the trained depths / within them",
        ),
        "violation_free_success": (
            bootstrap_ci(
                solved[clean], B=c.bootstrap, rng=rng, description="success rate of episodes with no violation"
            )
            if clean.any()
            else Estimate(value=0.0, n=0, description="no violation-free episode: nothing to measure")
        ),
        "per_depth": per_depth,
    }


def _curves(rows: dict[str, list], c: Config, label: str, rng) -> list[Series]:
    depth = np.array(rows["depth"])
    solved = np.array(rows["solved"], dtype=float)
    v = np.array(rows["validity"], dtype=float)
    n = np.array(rows["necessity"], dtype=float)
    a = np.array(rows["actions"], dtype=float)
    succ, vrate, nrate = [], [], []
    for d in c.depths:
        m = depth == d
        succ.append(bootstrap_ci(solved[m], B=200, rng=rng))
        vrate.append(v[m].sum() / max(1.0, a[m].sum()))
        nrate.append(n[m].sum() / max(1.0, a[m].sum()))
    xs = [float(d) for d in c.depths]
    return [
        Series.band(
            f"success ({label})",
            xs,
            succ,
            x_label="code length (bits)",
            y_label="success rate",
            chart="success",
        ),
        Series(
            name=f"validity violations/action ({label})",
            x=xs,
            y=vrate,
            x_label="code length (bits)",
            y_label="violations per action",
            chart="violations",
        ),
        Series(
            name=f"necessity violations/action ({label})",
            x=xs,
            y=nrate,
            x_label="code length (bits)",
            y_label="violations per action",
            chart="violations",
        ),
    ]


def run_wandering(c: Config, ctx: RunContext, registration) -> Result:
    ctx.setup_torch()
    t0 = time.monotonic()
    th = registration.thresholds
    model, tokenizer, losses = pretrain(c, ctx)
    rng = np.random.default_rng(ctx.seed)
    base_rows = episode_rows(evaluate(model, tokenizer, c, ctx, "base"))
    m = depth_measures(base_rows, c, th["cliff_steepness"], rng)
    fit = m["fit"]
    metrics = {
        "in_range_success": m["in_range_success"],
        "hazard_per_level": m["hazard"],
        "log_success_slope": m["log_q"],
        "delta_aic": Estimate(
            value=fit.delta_aic,
            n=len(base_rows["depth"]),
            description="AIC(cliff) − AIC(geometric); > 0 favours exponential decay",
        ),
        "violation_ratio": m["violation_ratio"],
        "violation_free_success": m["violation_free_success"],
    }
    for d in c.depths:
        metrics[f"success_d{d}"] = bootstrap_ci(m["per_depth"][d], B=200, rng=rng, description=f"success at depth {d}")
    series = _curves(base_rows, c, "base", rng)
    fitted = [float(fit.a * fit.q ** (d - c.depths[0])) for d in c.depths]
    cliff = [float(fit.cliff_a / (1 + np.exp(th["cliff_steepness"] * (d - fit.cliff_c)))) for d in c.depths]
    series += [
        Series(name="geometric fit", x=[float(d) for d in c.depths], y=fitted, chart="success"),
        Series(name="cliff fit", x=[float(d) for d in c.depths], y=cliff, chart="success"),
    ]
    raw = {
        "base": base_rows,
        "depths": c.depths,
        "train_max_depth": c.train_max_depth,
        "fit": {
            "a": fit.a,
            "q": fit.q,
            "cliff_a": fit.cliff_a,
            "cliff_c": fit.cliff_c,
            "loglik_geometric": fit.loglik_geometric,
            "loglik_cliff": fit.loglik_cliff,
        },
        "pretrain_loss_last": float(np.mean(losses[-20:])),
        "bootstrap": c.bootstrap,
    }
    evidence = DepthEvidence(
        in_range_success=m["in_range_success"],
        hazard=m["hazard"],
        delta_aic=fit.delta_aic,
        violation_ratio=m["violation_ratio"],
        violation_free_success=m["violation_free_success"],
    )
    if c.arm == "depth":
        verdict = decide_depth(evidence, th)
    else:
        logs = grpo(model, tokenizer, c, ctx)
        rl_rows = episode_rows(evaluate(model, tokenizer, c, ctx, "RL"))
        raw["rl"], raw["rl_log"] = rl_rows, logs
        depth = np.array(base_rows["depth"])
        inside = depth <= c.train_max_depth
        gain = paired_diff_ci(
            np.array(rl_rows["solved"])[inside],
            np.array(base_rows["solved"])[inside],
            B=c.bootstrap,
            rng=rng,
            description="RL − base success at the trained depths (same codes)",
        )

        def deep(rows, key):
            return np.array(rows[key], dtype=float)[~inside]

        rl_v, base_v = (
            deep(rl_rows, "validity") + deep(rl_rows, "necessity"),
            deep(base_rows, "validity") + deep(base_rows, "necessity"),
        )
        ratio = _ratio(
            rl_v,
            deep(rl_rows, "actions"),
            base_v,
            deep(base_rows, "actions"),
            rng,
            c.bootstrap,
            description="violations per action beyond the trained depths, RL / base",
        )
        rl_m = depth_measures(rl_rows, c, th["cliff_steepness"], rng)
        metrics.update(
            {
                "rl_in_range_gain": gain,
                "rl_deep_violation_ratio": ratio,
                "rl_deep_success_gain": paired_diff_ci(
                    deep(rl_rows, "solved"),
                    deep(base_rows, "solved"),
                    B=c.bootstrap,
                    rng=rng,
                    description="RL − base success beyond the trained depths",
                ),
            }
        )
        for d in c.depths:
            metrics[f"rl_success_d{d}"] = bootstrap_ci(rl_m["per_depth"][d], B=200, rng=rng)
        series += _curves(rl_rows, c, "RL", rng)
        verdict = decide_rl(RLEvidence(in_range_success=m["in_range_success"], gain=gain, deep_ratio=ratio), th)
    verdict.registration = registration.sha
    from .plot import plot_result

    plot = plot_result(series, c.train_max_depth, ctx.artifact_dir / "wandering.png")
    table = Table(
        name="per depth",
        columns=["depth", "episodes", "success", "validity/action", "necessity/action"],
        rows=[
            [
                d,
                int(m["per_depth"][d].size),
                round(float(m["per_depth"][d].mean()), 4),
                round(series[1].y[i], 4),
                round(series[2].y[i], 4),
            ]
            for i, d in enumerate(c.depths)
        ],
    )
    raw["seconds"] = round(time.monotonic() - t0, 1)
    headline = (
        ["rl_in_range_gain", "rl_deep_violation_ratio"]
        if c.arm == "rl"
        else ["delta_aic", "hazard_per_level", "violation_ratio"]
    )
    return Result(
        metrics=metrics,
        series=series,
        tables=[table],
        raw=raw,
        verdict=verdict,
        headline=headline,
        artifacts=[Artifact(name="success and violations by depth", path=plot.name, kind="plot")],
    )
