"""One Think-in-Games run: pretrain (cached), measure the base, GRPO each arm against the game engine,
evaluate on practised and held-out states and in full games, then the registered verdict."""

from __future__ import annotations

import random
from enum import IntEnum
from typing import Any

import numpy as np

from ..api import Artifact, Result, RunContext, Series, Table
from ..arm_plot import save_arms_plot
from ..doc_base import load_base, pretrained_base
from ..rlvr.grpo import GRPOSettings, train_grpo
from ..substrate.model import TinyModelConfig
from ..substrate.sampler import sample
from ..substrate.tokenizer import encode
from .config import Config
from .verdict import ARMS, base_checks, figures, verdict
from .world import World, description_prompt, fact_prompt, parse_play, play_prompt, rationale, symbols

MAX_NEW = 9  # "K157=1>1" and eos


class Stream(IntEnum):
    """The run's torch random streams (offsets into RunContext.torch_generator), named in one place;
    the numbers are part of the method (renumbering one is a new runner version)."""

    SAMPLING = 1  # every evaluation sample of every arm
    GRPO = 100  # + seed: the GRPO arm of that seed


EXPLORATORY_BOOTSTRAP = 1  # the exploratory intervals' numpy seed: context.seed + this


def run_tig(config: Config, context: RunContext, registration) -> Result:
    context.setup_torch()
    if config.practised_max + 4 > config.max_n:
        from ...errors import ConfigError

        raise ConfigError("practised_max", f"must leave held-out states below max_n={config.max_n}")
    world = World(
        max_n=config.max_n,
        practised_max=config.practised_max,
        noise=config.noise,
        facts=config.facts,
        trap_share=config.trap_share,
        seed=config.world_seed,
    )
    model_cfg = TinyModelConfig(
        hidden=config.hidden, layers=config.layers, heads=config.heads, ffn=config.hidden * 3, max_len=24
    )
    total = config.pretrain_steps + config.seeds * len(ARMS) * config.rl_steps

    def on_pretrain(step: int, loss: float) -> None:
        if step % 50 == 0 or step == config.pretrain_steps:
            context.progress(step, total, "pretraining the base", loss=loss)

    key = {  # no `facts`: both worlds have the same texts, so the control reuses the base
        "runner": "tig",
        "texts": "v2",
        "world": [world.max_n, world.practised_max, world.noise, world.trap_share, world.seed],
        "fact_share": config.fact_share,
    }
    folder, losses = pretrained_base(
        context.cache_dir / "tig",
        key,
        symbols(),
        lambda rng: world.document(rng, config.fact_share),
        model_cfg=model_cfg,
        steps=config.pretrain_steps,
        batch_size=config.pretrain_batch,
        lr=config.pretrain_lr,
        seed=config.world_seed,
        on_step=on_pretrain,
        check_cancelled=context.check_cancelled,
    )
    model, tok = load_base(folder, context.device)
    gen = context.torch_generator(Stream.SAMPLING)
    raw: dict[str, Any] = {
        "states_practised": world.practised,
        "states_heldout": world.held_out,
        "eval_samples": config.eval_samples,
        "facts": config.facts,
        **{f"base_{k}_heldout": v for k, v in _knows(model, tok, world, world.held_out).items()},
        **{f"base_{k}_practised": v for k, v in _knows(model, tok, world, world.practised).items()},
        "base_play": {
            fmt: {
                "heldout": _play(model, tok, fmt, world.held_out, config, gen, world),
                "practised": _play(model, tok, fmt, world.practised, config, gen, world)["wins"],
            }
            for fmt in ARMS
        },
        "base_games": _games(model, tok, "rationale", world),
        "arms": {
            arm: {"heldout": [], "practised": [], "consistent": [], "stated_true": [], "games": []} for arm in ARMS
        },
        "grpo_reward": {arm: [] for arm in ARMS},
        "pretrain_losses": losses[::25],
    }
    raw["base_stated_true_heldout"] = raw["base_play"]["rationale"]["heldout"]["stated_true"]  # the sampled statements
    for fmt in ARMS:
        raw["base_play"][fmt]["heldout"] = raw["base_play"][fmt]["heldout"]["wins"]
    del model
    if not all(check.passed for check in base_checks(registration, figures(raw, config.bootstrap, context.seed))):
        return _result(config, context, registration, raw)  # the miniature cannot test the claim: no RL
    done = config.pretrain_steps
    for seed in range(config.seeds):
        for arm in ARMS:
            model, tok = load_base(folder, context.device)
            settings = GRPOSettings(
                steps=config.rl_steps,
                prompts_per_step=config.prompts_per_step,
                group_size=config.group_size,
                lr=config.rl_lr,
                max_new_tokens=MAX_NEW,
            )
            offset = done

            def on_step(log, arm=arm, seed=seed, offset=offset) -> None:
                context.check_cancelled()
                context.progress(offset + log.step, total, f"seed {seed}: GRPO, {arm} arm", reward=log.reward)

            def reward(n, text: str, arm=arm) -> float:
                return float(world.move_wins(n, parse_play(arm, text)[0]))

            def wins(n, text: str, reward=reward) -> bool:
                return reward(n, text) > 0

            def prompt(n: int, arm=arm) -> str:
                return play_prompt(arm, world.code(n))

            outcome = train_grpo(
                model,
                tok,
                world.practised,
                prompt,
                reward,
                settings,
                generator=context.torch_generator(Stream.GRPO + seed),
                rng=random.Random(f"{context.seed}-{seed}"),
                is_correct=wins,
                on_step=on_step,
            )
            done += config.rl_steps
            raw["grpo_reward"][arm].append([round(log.reward, 4) for log in outcome.logs])
            held = _play(model, tok, arm, world.held_out, config, gen, world)
            slot = raw["arms"][arm]
            slot["heldout"].append(held["wins"])
            slot["consistent"].append(held["consistent"])
            slot["stated_true"].append(held["stated_true"])
            slot["practised"].append(_play(model, tok, arm, world.practised, config, gen, world)["wins"])
            slot["games"].append(_games(model, tok, arm, world))
            del model
    return _result(config, context, registration, raw)


def _complete(model, tok, prompts: list[str], n: int, gen, temperature: float) -> list[list[str]]:
    out = sample(
        model,
        [encode(tok, p) for p in prompts],
        n=n,
        max_new_tokens=MAX_NEW,
        temperature=temperature,
        eos_id=tok.eos_token_id,
        pad_id=tok.pad_token_id,
        generator=gen,
    )
    return out.texts(tok)


def _knows(model, tok, world: World, states: list[int]) -> dict[str, list[int]]:
    """Greedy recall of the declarative knowledge, 1 when it is what the documents say: ``know`` the
    description of the state (``P<code>>`` -> ``K37=1``: its pile and that pile's fact), ``know_fact`` the
    fact alone (``K37=`` -> ``1``)."""
    said = _complete(model, tok, [description_prompt(world.code(n)) for n in states], 1, None, 0.0)
    facts = _complete(model, tok, [fact_prompt(n) for n in states], 1, None, 0.0)
    know = [int(t[0].strip().startswith(rationale(n, world.fact(n)))) for n, t in zip(states, said)]
    fact = [int(t[0].strip()[:1] == str(world.fact(n))) for n, t in zip(states, facts)]
    return {"know": know, "know_fact": fact}


def _play(model, tok, fmt: str, states: list[int], config: Config, gen, world: World) -> dict:
    """Per state: winning moves, moves equal to the stated one, stated moves equal to the fact, out of
    ``eval_samples`` sampled at temperature 1."""
    prompts = [play_prompt(fmt, world.code(n)) for n in states]
    texts = _complete(model, tok, prompts, config.eval_samples, gen, 1.0)
    wins, consistent, stated_true = [], [], []
    for n, group in zip(states, texts):
        parsed = [parse_play(fmt, t, n) for t in group]
        wins.append(sum(world.move_wins(n, move) for move, _ in parsed))
        consistent.append(sum(move is not None and move == stated for move, stated in parsed))
        stated_true.append(sum(stated == world.fact(n) for _, stated in parsed))
    return {"wins": wins, "consistent": consistent, "stated_true": stated_true}


def _games(model, tok, fmt: str, world: World) -> list[int]:
    """Full games from each start against the optimal opponent, the model moving greedily each turn (its greedy
    move for every code, sampled in one batch: the policy is a table)."""
    codes = [world.code(n) for n in range(1, world.max_n + 1)]
    texts = _complete(model, tok, [play_prompt(fmt, c) for c in codes], 1, None, 0.0)
    table = {c: parse_play(fmt, t[0])[0] for c, t in zip(codes, texts)}
    return [int(world.play(n, table.__getitem__, random.Random(n))) for n in world.held_out]


def _result(config: Config, context: RunContext, registration, raw: dict[str, Any]) -> Result:
    from ..substrate.stats import bootstrap_ci

    metrics = figures(raw, config.bootstrap, context.seed)
    report = verdict(registration, metrics)
    trained = [arm for arm in ARMS if raw["arms"][arm]["heldout"]]
    rng = np.random.default_rng(context.seed + EXPLORATORY_BOOTSTRAP)
    exploratory = {
        "game_wins_base": bootstrap_ci(
            raw["base_games"],
            B=config.bootstrap,
            rng=rng,
            description="base (rationale format): full games won from held-out starts against an optimal opponent",
        )
    }
    for arm in trained:
        exploratory[f"game_wins_{arm}"] = bootstrap_ci(
            np.asarray(raw["arms"][arm]["games"], float).mean(0),
            B=config.bootstrap,
            rng=rng,
            description=f"{arm} arm: full games won from held-out starts against an optimal opponent",
        )
    s = config.eval_samples
    series = []
    for arm in trained:
        rewards = np.asarray(raw["grpo_reward"][arm], float).mean(0)
        series.append(
            Series(
                name=f"{arm} arm",
                x=list(range(1, len(rewards) + 1)),
                y=rewards.tolist(),
                chart="training",
                x_label="GRPO step",
                y_label="mean reward (move wins)",
            )
        )
    states = raw["states_practised"] + raw["states_heldout"]
    for arm in trained:
        y = (
            np.concatenate(
                [
                    np.asarray(raw["arms"][arm]["practised"], float).mean(0),
                    np.asarray(raw["arms"][arm]["heldout"], float).mean(0),
                ]
            )
            / s
        )
        series.append(
            Series(
                name=f"{arm} arm",
                x=[float(n) for n in states],
                y=y.tolist(),
                chart="by_state",
                x_label=f"pile size (practised <= {config.practised_max} < held out)",
                y_label="winning-move rate",
            )
        )
    base_y = (
        np.concatenate(
            [
                np.asarray(raw["base_play"]["rationale"]["practised"], float),
                np.asarray(raw["base_play"]["rationale"]["heldout"], float),
            ]
        )
        / s
    )
    series.append(
        Series(
            name="base (rationale format)",
            x=[float(n) for n in states],
            y=base_y.tolist(),
            chart="by_state",
            x_label=f"pile size (practised <= {config.practised_max} < held out)",
            y_label="winning-move rate",
        )
    )
    bars = {
        "base": metrics["base_play_heldout_rationale"],
        **{arm: metrics[f"play_heldout_{arm}"] for arm in trained},
        "knows (facts)": metrics["know_heldout"],
    }
    plot = save_arms_plot(
        context.artifact_dir / "tig.png",
        bars,
        [x for x in series if x.chart == "by_state"],
        f"Think-in-Games miniature ({config.facts} facts): {report.verdict.value}",
        "held-out winning-move rate (95% CI)",
        highlight="rationale",
    )
    table = Table(
        name="winning-move rate per arm (95% CI over states)",
        columns=["arm", "practised", "held-out"],
        rows=[
            [arm, f"{np.mean(raw['arms'][arm]['practised']) / s:.3f}", str(metrics[f"play_heldout_{arm}"])]
            for arm in trained
        ],
    )
    raw["thresholds"] = dict(registration.thresholds)
    raw["bootstrap"] = config.bootstrap
    headline = (
        ["transfer_gain", "rationale_minus_filler", "consistency", "know_heldout", "base_play_heldout"]
        if trained
        else ["know_heldout", "base_play_heldout"]
    )
    return Result(
        metrics=metrics,
        series=series,
        tables=[table],
        raw=raw,
        verdict=report,
        exploratory=exploratory,
        artifacts=[
            Artifact(
                name="arms and per-state play",
                path=plot.name,
                kind="plot",
                description="held-out winning-move rate per arm and per pile size",
            )
        ],
        headline=headline,
    )
