"""The symbolic-vs-semantic experiment: pretrain two models on the same world (the registered symbol share and
the arm's), answer the same test items in three paired conditions, and decide by the registered rule."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import numpy as np
import torch

from ..api import Artifact, Estimate, Result, RunContext, Series, Table
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
from .verdict import Evidence, decide
from .world import World

CONDITIONS = ("semantic", "symbols", "counter")
# bumped whenever World renders documents differently, so a cached pretraining of the old text is not reused
# (2: one-hop facts as pairs "e17 k3 .", symbols typed by role)
WORLD_FORMAT = 2


def _world(c: Config, seed: int) -> World:
    return World(entities=c.entities, categories=c.categories, symbols=c.symbols, seed=seed, hops=c.hops)


def _batches(
    tokenizer, world: World, c: Config, symbol_share: float, rng: random.Random
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Fact documents (loss on every token) and deduction episodes (loss on the answer only)."""
    while True:
        seqs, starts = [], []
        for _ in range(c.pretrain_batch):
            if rng.random() < c.fact_share:
                seqs.append(encode(tokenizer, world.fact_document(rng)))
                starts.append(1)
                continue
            item = world.item(rng)
            if rng.random() < symbol_share:
                condition = "symbols"
            elif rng.random() < c.counter_share:
                condition = "counter"
            else:
                condition = "semantic"
            prompt, answer = world.render(item, condition)
            ids = encode(tokenizer, prompt)
            seqs.append(ids + encode(tokenizer, answer, bos=False))
            starts.append(len(ids))
        width = max(map(len, seqs))
        ids = torch.full((len(seqs), width), tokenizer.pad_token_id, dtype=torch.long)
        labels = torch.full((len(seqs), width), IGNORE, dtype=torch.long)
        for row, (seq, start) in enumerate(zip(seqs, starts)):
            ids[row, : len(seq)] = torch.tensor(seq)
            labels[row, start : len(seq)] = ids[row, start : len(seq)]
        yield ids, labels


def pretrain(c: Config, ctx: RunContext, symbol_share: float, label: str):
    world = _world(c, ctx.seed)
    fields = (
        "hops",
        "entities",
        "categories",
        "symbols",
        "fact_share",
        "counter_share",
        "hidden",
        "layers",
        "heads",
        "pretrain_steps",
        "pretrain_batch",
        "pretrain_lr",
    )
    key = {
        "runner": "symbolic",
        "world_format": WORLD_FORMAT,
        "seed": ctx.seed,
        "symbol_share": symbol_share,
        **{f: getattr(c, f) for f in fields},
    }

    def build(folder):
        tokenizer = build_tokenizer(world.vocabulary, level="word")
        cfg = TinyModelConfig(hidden=c.hidden, layers=c.layers, heads=c.heads, ffn=3 * c.hidden, max_len=64)
        model = build_model(tokenizer, cfg, seed=ctx.seed).to(ctx.device)
        losses = train_lm(
            model,
            _batches(tokenizer, world, c, symbol_share, random.Random(f"sym-{ctx.seed}-{label}")),
            steps=c.pretrain_steps,
            lr=c.pretrain_lr,
            warmup=min(100, c.pretrain_steps // 10),
            check_cancelled=ctx.check_cancelled,
            on_step=ctx.progress_every(50, c.pretrain_steps, f"pretraining ({label})"),
        )
        save_checkpoint(model, tokenizer, folder)
        (folder / "pretrain_loss.txt").write_text("\n".join(f"{x:.5f}" for x in losses))

    folder = cached_checkpoint(ctx.cache_dir / "symbolic", key, build)
    model, tokenizer = load_checkpoint(folder, device=ctx.device)
    return model, tokenizer, world


@torch.inference_mode()
def answer(model, tokenizer, prompts: list[str], batch: int = 512) -> list[str]:
    """The greedy one-token answer to each prompt (prompts of one condition share their length)."""
    device = next(model.parameters()).device
    out: list[str] = []
    for start in range(0, len(prompts), batch):
        ids = [encode(tokenizer, p) for p in prompts[start : start + batch]]
        if len({len(x) for x in ids}) != 1:
            raise ValueError("test prompts of one batch must have equal length")
        logits = model(input_ids=torch.tensor(ids, device=device), logits_to_keep=1).logits[:, -1, :]
        out.extend(tokenizer.convert_ids_to_tokens(logits.argmax(-1).tolist()))
    return out


def measure(model, tokenizer, world: World, items) -> dict[str, dict[str, list]]:
    """Per condition, per item: the model's answer, whether it is right, and (counter) whether it is the memory."""
    out: dict[str, dict[str, list]] = {}
    for condition in CONDITIONS:
        rendered = [world.render(item, condition) for item in items]
        said = answer(model, tokenizer, [p for p, _ in rendered])
        out[condition] = {"answer": said, "correct": [int(s == a) for s, (_, a) in zip(said, rendered)]}
    out["counter"]["memorised"] = [int(s == world.memorised(item)) for s, item in zip(out["counter"]["answer"], items)]
    return out


def tost_interval(a, b, B: int, rng) -> Estimate:
    """The 90% paired bootstrap interval of mean(a) − mean(b): two one-sided 5% tests of equivalence."""
    return paired_diff_ci(a, b, B=B, level=0.90, rng=rng)


def run_symbolic(c: Config, ctx: RunContext, registration) -> Result:
    ctx.setup_torch()
    t0 = time.monotonic()
    th = registration.thresholds
    rng = np.random.default_rng(ctx.seed)
    item_rng = random.Random(f"symbolic-test-{ctx.seed}")
    model, tokenizer, world = pretrain(c, ctx, c.symbol_share, "registered symbol share")
    items = [world.item(item_rng) for _ in range(c.test_items)]
    ctx.progress(0, 1, "answering the test items")
    main = measure(model, tokenizer, world, items)
    arm_model, arm_tok, _ = pretrain(c, ctx, c.arm_symbol_share, "arm symbol share")
    arm = measure(arm_model, arm_tok, world, items)

    def acc(m, cond):
        return np.array(m[cond]["correct"], dtype=float)

    B = c.bootstrap
    S, Y, C = acc(main, "semantic"), acc(main, "symbols"), acc(main, "counter")
    errors = np.array(main["counter"]["memorised"], dtype=float)[C == 0]
    metrics = {
        "semantic_accuracy": bootstrap_ci(S, B=B, rng=rng, description="accuracy, semantic condition"),
        "symbol_accuracy": bootstrap_ci(Y, B=B, rng=rng, description="accuracy, symbols substituted"),
        "counter_accuracy": bootstrap_ci(C, B=B, rng=rng, description="accuracy, counter-commonsense context"),
        "symbol_gap": paired_diff_ci(S, Y, B=B, rng=rng, description="semantic − symbols accuracy (paired items)"),
        "counter_gap": paired_diff_ci(S, C, B=B, rng=rng, description="semantic − counter accuracy (paired items)"),
        "symbol_gap_90": tost_interval(S, Y, B, rng),
        "counter_gap_90": tost_interval(S, C, B, rng),
        "memorised_error_share": (
            bootstrap_ci(
                errors, B=B, rng=rng, description="share of counter-condition errors that are the memorised answer"
            )
            if errors.size
            else Estimate(value=0.0, n=0, description="no counter-condition error to classify")
        ),
    }
    aS, aY, aC = acc(arm, "semantic"), acc(arm, "symbols"), acc(arm, "counter")
    # the arm's registered direction: the gap (S − Y) under the registered share minus the gap under the arm's share
    metrics["arm_symbol_gap"] = paired_diff_ci(aS, aY, B=B, rng=rng, description="semantic − symbols, arm model")
    metrics["arm_gap_shrink"] = paired_diff_ci(
        S - Y,
        aS - aY,
        B=B,
        rng=rng,
        description=f"symbol gap at share {c.symbol_share:g} minus at {c.arm_symbol_share:g} (same items)",
    )
    metrics["arm_counter_gap"] = paired_diff_ci(aS, aC, B=B, rng=rng, description="semantic − counter, arm model")
    share_up = c.arm_symbol_share > c.symbol_share
    evidence = Evidence(
        semantic=metrics["semantic_accuracy"],
        symbol_gap=metrics["symbol_gap"],
        counter_gap=metrics["counter_gap"],
        symbol_gap_90=metrics["symbol_gap_90"],
        counter_gap_90=metrics["counter_gap_90"],
        memorised_share=metrics["memorised_error_share"],
        arm_gap_shrink=metrics["arm_gap_shrink"]
        if share_up
        else metrics["arm_gap_shrink"].model_copy(
            update={
                "value": -metrics["arm_gap_shrink"].value,
                "low": -metrics["arm_gap_shrink"].high,
                "high": -metrics["arm_gap_shrink"].low,
            }
        ),
    )
    verdict = decide(evidence, th)
    verdict.registration = registration.sha
    names = ["semantic", "symbols", "counter"]
    series = [
        Series(
            name=f"accuracy (symbol share {share:g})",
            x=[0.0, 1.0, 2.0],
            y=[float(acc(m, cond).mean()) for cond in names],
            x_label="condition: 0 semantic, 1 symbols, 2 counter-commonsense",
            y_label="accuracy",
            chart="conditions",
        )
        for share, m in ((c.symbol_share, main), (c.arm_symbol_share, arm))
    ]
    from .plot import plot_result

    plot = plot_result(series, metrics, th, ctx.artifact_dir / "symbolic.png")
    table = Table(
        name="conditions",
        columns=["condition", f"accuracy (share {c.symbol_share:g})", f"accuracy (share {c.arm_symbol_share:g})"],
        rows=[
            [cond, round(float(acc(main, cond).mean()), 4), round(float(acc(arm, cond).mean()), 4)] for cond in names
        ],
    )
    raw = {
        "items": [[i.target, i.distractor, int(i.target_first)] for i in items],
        "registered": main,
        "arm": arm,
        "memorised_answer": [world.memorised(i) for i in items],
        "symbol_share": c.symbol_share,
        "arm_symbol_share": c.arm_symbol_share,
        "bootstrap": B,
        "seconds": round(time.monotonic() - t0, 1),
    }
    return Result(
        metrics=metrics,
        series=series,
        tables=[table],
        raw=raw,
        verdict=verdict,
        headline=["symbol_gap", "counter_gap", "memorised_error_share", "arm_gap_shrink"],
        artifacts=[Artifact(name="accuracy by condition", path=plot.name, kind="plot")],
    )
