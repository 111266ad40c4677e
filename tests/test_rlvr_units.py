"""RLVR runner pieces on hand-built inputs: verdict rules, GRPO mechanics, sparsity measurement."""

import random

import pytest
import torch

from inquiry.runners.rlvr import verdict as rules
from inquiry.runners.rlvr.grpo import GRPOSettings, _update, completion_logprobs, group_advantages
from inquiry.runners.rlvr.sparsity import overlap_minus_chance, per_layer_unchanged, unchanged_share
from inquiry.runners.rlvr.task import Problem, Teacher, make_split, verify
from inquiry.runners.rlvr.verdict import (
    SparsityEvidence,
    clip_check,
    entropy_check,
    gain_evidence,
    one_example_verdict,
    passk_evidence,
    passk_verdict,
    sparsity_verdict,
    spurious_verdict,
)
from inquiry.runners.substrate import TinyModelConfig, build_model, build_tokenizer, encode, sample

N = 64


def reason(report):
    return report.verdict.value, report.reason


# --------------------------------------------------------------------------- pass@k verdict
def test_passk_supports_when_rl_sharpens_and_loses_coverage():
    base, rl = [8] * 60, [40] * 40 + [0] * 20
    assert reason(passk_verdict(passk_evidence(base, rl, N))) == ("supports", "rl_wins_at_1_base_wins_at_n")


def test_passk_inconclusive_when_rl_did_not_learn():
    base = [8] * 60
    assert reason(passk_verdict(passk_evidence(base, list(base), N))) == (
        "inconclusive",
        "precondition_failed:post_training_learned",
    )


def test_passk_contradicts_when_rl_solves_what_the_base_never_does():
    base, rl = [8] * 40 + [0] * 20, [30] * 40 + [20] * 20
    assert reason(passk_verdict(passk_evidence(base, rl, N))) == ("contradicts", "rl_wins_at_n")


def test_passk_contradicts_on_a_significant_rl_only_set_even_without_a_pass_n_gain():
    # RL gains pass@1 and solves 12 problems the base never did, but loses 12 others: Δ(n) near 0
    base, rl = [8] * 48 + [0] * 12, [40] * 36 + [0] * 12 + [30] * 12
    assert reason(passk_verdict(passk_evidence(base, rl, N))) == ("contradicts", "rl_only_solvable_set_nonempty")


def test_passk_a_single_rl_only_problem_stays_within_the_registered_margin():
    base, rl = [8] * 59 + [0], [40] * 40 + [0] * 19 + [3]
    ev = passk_evidence(base, rl, N)
    assert ev.rl_only.value > 0 and ev.rl_only.low <= rules.threshold("rl_only_margin")
    assert passk_verdict(ev).reason == "rl_wins_at_1_base_wins_at_n"


def test_passk_preconditions_are_reported_with_their_figures_and_the_registration_hash():
    ev = passk_evidence([8] * 60, [40] * 40 + [0] * 20, N, guess_rates=[1e-4] * 60, truncated=0.0)
    report = passk_verdict(ev)
    assert report.registration == rules.registration().sha and len(report.registration) == 12
    checks = {c.id: c for c in report.preconditions}
    assert set(checks) == {"base_above_guesser", "not_truncated", "post_training_learned"}
    assert all(c.passed for c in checks.values())
    assert checks["base_above_guesser"].threshold == rules.threshold("guess_margin")
    assert checks["base_above_guesser"].value == ev.base_over_guesser.low
    cut = passk_verdict(passk_evidence([8] * 60, [40] * 40 + [0] * 20, N, truncated=0.2))
    assert cut.reason == "precondition_failed:not_truncated"


def test_the_verdict_reads_its_thresholds_from_the_registration(monkeypatch):
    # a base 0.03 above the guesser at k = n: passes a registered margin of 0.0, fails one of 0.05
    base, rl = [1] * 30 + [0] * 30, [20] * 20 + [0] * 40
    guess = [0.0] * 30 + [0.015] * 30  # guesser pass@64 ~ 0.31 on half the problems
    ev = passk_evidence(base, rl, N, guess_rates=guess)
    assert passk_verdict(ev).reason == "precondition_failed:base_above_guesser"
    registered = rules.registration()
    loose = registered.model_copy(update={"thresholds": {**registered.thresholds, "guess_margin": -1.0}})
    monkeypatch.setattr(rules, "registration", lambda: loose)
    assert passk_verdict(ev).reason != "precondition_failed:base_above_guesser"


def test_passk_inconclusive_when_pass_n_difference_is_noise():
    base, rl = [6] * 60, [30] * 59 + [0]
    assert reason(passk_verdict(passk_evidence(base, rl, N))) == ("inconclusive", "ci_overlaps_zero_at_n")


# ---------------------------------------------------------------- one-example / spurious
@pytest.mark.parametrize(
    "tested,expected",
    [
        ([30] * 80, ("supports", "one_example_rl_gain_above_fraction")),
        ([8] * 80, ("contradicts", "one_example_rl_gain_below_fraction")),
    ],
)
def test_one_example_verdict(tested, expected):
    assert reason(one_example_verdict(gain_evidence([8] * 80, [40] * 80, tested, N))) == expected


def test_one_example_inconclusive_when_full_set_rl_fails_or_intervals_are_wide():
    assert (
        reason(one_example_verdict(gain_evidence([8] * 80, [8] * 80, [30] * 80, N)))[1]
        == "precondition_failed:one_example.reference_learned"
    )
    spread = [0] * 10 + [24] * 10  # mean gain = half the reference, but 20 problems give a wide interval
    ev = gain_evidence([8] * 20, [16] * 20, spread, N)
    assert reason(one_example_verdict(ev)) == ("inconclusive", "ci_covers_fraction")


def test_half_the_gain_is_judged_on_a_paired_interval_of_tested_minus_half_reference():
    # one-example gain 0.19 vs half of the full-set gain 0.16 on average, but per problem the reference swings
    # widely: the paired interval covers 0, so "at least half" is not shown
    base, ref = [8] * 40, [8] * 20 + [48] * 20
    ev = gain_evidence(base, ref, [20] * 40, N)
    assert ev.tested.low > 0 and ev.versus_fraction.low < 0 < ev.versus_fraction.high
    assert reason(one_example_verdict(ev)) == ("inconclusive", "ci_covers_fraction")


def test_one_example_collapse_and_an_idle_clip_make_the_verdict_inconclusive():
    ev = gain_evidence([8] * 80, [40] * 80, [30] * 80, N)
    collapsed = entropy_check(0.1, 1.0)
    assert not collapsed.passed and collapsed.value == pytest.approx(0.1)
    assert reason(one_example_verdict(ev, entropy=collapsed)) == (
        "inconclusive",
        "precondition_failed:one_example.no_policy_collapse",
    )
    assert one_example_verdict(ev, entropy=entropy_check(0.9, 1.0)).verdict.value == "supports"
    idle = clip_check(0.004)
    assert reason(spurious_verdict(ev, clip=idle)) == ("inconclusive", "precondition_failed:spurious.clip_binds")
    assert spurious_verdict(ev, clip=clip_check(0.05)).verdict.value == "supports"


def test_spurious_verdict_reports_the_mechanism_control():
    ev = gain_evidence([8] * 80, [40] * 80, [30] * 80, N, control=[8] * 80)
    report = spurious_verdict(ev)
    assert reason(report) == ("supports", "random_reward_gain_above_fraction")
    assert "no gain with the clip inactive" in report.explanation
    assert reason(spurious_verdict(gain_evidence([8] * 80, [40] * 80, [4] * 80, N))) == (
        "contradicts",
        "random_reward_gain_below_fraction",
    )


# ----------------------------------------------------------------------- sparsity verdict
def _sparsity(rl_bf16, rl_fp32, sft=0.1):
    return SparsityEvidence(
        rl={"bf16_isclose": rl_bf16, "fp32_exact": rl_fp32},
        sft={"bf16_isclose": sft, "fp32_exact": sft},
        overlap_minus_chance=0.2,
        rank_ratio=0.95,
    )


@pytest.mark.parametrize(
    "rl_bf16,rl_fp32,expected",
    [
        ([0.85, 0.8], [0.75, 0.8], ("supports", "sparse_at_every_precision")),
        ([0.85, 0.8], [0.01, 0.02], ("inconclusive", "precision_dependent")),
        ([0.05, 0.1], [0.0, 0.0], ("contradicts", "dense_updates_at_every_precision")),
    ],
)
def test_sparsity_verdict(rl_bf16, rl_fp32, expected):
    report = sparsity_verdict(_sparsity(rl_bf16, rl_fp32))
    assert reason(report) == expected
    if expected[1] == "precision_dependent":
        assert "precision/lr-dependent" in report.explanation
        assert "bf16 supports, fp32 contradicts" in report.explanation


# --------------------------------------------------------------------------- measurement
def test_sparsity_measures_a_known_changed_set_at_each_precision(monkeypatch):
    tok = build_tokenizer(list("0123456789"))
    model = build_model(tok, TinyModelConfig(hidden=16, layers=2, heads=2, ffn=32), seed=0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    after = {k: v.clone() for k, v in before.items()}
    w = after["model.layers.1.mlp.up_proj.weight"]  # 32 x 16
    w[:4] += 0.5  # 64 visible changes
    w[4, 0] += 1e-7  # an fp32-only change, far below bf16 resolution
    total = sum(t.numel() for k, t in before.items() if k != "lm_head.weight")  # tied: counted once
    assert unchanged_share(before, after, "fp32_exact") == pytest.approx(1 - 65 / total)
    assert unchanged_share(before, after, "bf16_exact") == pytest.approx(1 - 64 / total)
    assert unchanged_share(before, after, "bf16_isclose") == pytest.approx(1 - 64 / total)
    layers = per_layer_unchanged(before, after, "bf16_exact")
    assert layers["layer 0"] == 1.0 and layers["layer 1"] < 1.0
    other = {k: v.clone() for k, v in before.items()}
    other["model.layers.1.mlp.up_proj.weight"][:8] += 0.5  # superset of the first changed set
    assert overlap_minus_chance(before, after, other, "bf16_exact") == pytest.approx(1 - 128 / total)
    # the isclose tolerance is the registered sparsity_atol: at 1.0 the +0.5 changes count as unchanged
    registered = rules.registration()
    loose = registered.model_copy(update={"thresholds": {**registered.thresholds, "sparsity_atol": 1.0}})
    monkeypatch.setattr(rules, "registration", lambda: loose)
    assert unchanged_share(before, after, "bf16_isclose") == 1.0


# ------------------------------------------------------------------------------- GRPO
def test_uniform_reward_groups_get_zero_advantage():
    rewards = torch.tensor([[1.0] * 8, [0.0] * 8, [1.0, 0.0] * 4])
    for normalise in (False, True):
        adv = group_advantages(rewards, std_normalise=normalise)
        assert torch.all(adv[:2] == 0) and adv[2].abs().sum() > 0


def _rollout():
    tok = build_tokenizer(list("0123456789+-*=,:>"))
    model = build_model(tok, TinyModelConfig(hidden=16, layers=1, heads=2, ffn=32), seed=0)
    prompts = [encode(tok, "345:017>")] * 6
    completions = [
        encode(tok, text, bos=False) + [tok.eos_token_id]
        for text in ["3*4=12,12+5=17", "3+4+5=12", "5*4=20,20-3=17", "3*5+4=19", "4", "4*5-3=17"]
    ]
    return tok, model, prompts, completions, torch.tensor([1.0, -1.0, 1.0, -1.0, -1.0, 1.0])


def test_the_loss_scores_exactly_the_tokens_the_sampler_drew():
    # the GRPO loss recomputes log-probs of sampled completions (prompt masked, <eos> included); they
    # must equal the sampler's own, or the policy gradient trains something other than the policy
    tok, model, prompts, _, _ = _rollout()
    out = sample(
        model,
        prompts[:2],
        n=4,
        max_new_tokens=16,
        eos_id=tok.eos_token_id,
        pad_id=tok.pad_token_id,
        generator=torch.Generator().manual_seed(0),
        return_logprobs=True,
    )
    rows = [c for group in out.completions for c in group]
    with torch.no_grad():
        logprobs, mask = completion_logprobs(model, [prompts[0]] * len(rows), rows, tok.pad_token_id)
    assert mask.sum(1).tolist() == [len(c) for c in rows]
    sampled = torch.tensor([x for group in out.logprobs for row in group for x in row])
    assert torch.allclose(logprobs[mask], sampled, atol=1e-4)


def test_one_minibatch_makes_the_ratio_exactly_one_and_never_clips():
    tok, model, prompts, completions, adv = _rollout()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    stats = _update(
        model,
        optimizer,
        None,
        prompts,
        completions,
        adv,
        tok.pad_token_id,
        GRPOSettings(minibatches=1),
        torch.Generator().manual_seed(0),
    )
    assert stats["ratio_max_dev"] == 0.0 and stats["clip_fraction"] == 0.0


def test_several_minibatches_move_the_ratio_off_one():
    tok, model, prompts, completions, adv = _rollout()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-2)
    stats = _update(
        model,
        optimizer,
        None,
        prompts,
        completions,
        adv,
        tok.pad_token_id,
        GRPOSettings(minibatches=3, clip_eps=0.01),
        torch.Generator().manual_seed(0),
    )
    assert stats["ratio_max_dev"] > 0 and stats["clip_fraction"] > 0


# ------------------------------------------------------------------------------- task
def test_teacher_documents_verify_at_the_configured_rate_and_held_out_stays_out():
    split = make_split(50, 50, seed=0)
    assert not set(split.held_out) & set(split.pretrain)
    rng = random.Random(0)
    clean = [verify(p, Teacher(noise=0.0, trace_prior=1.0).document(p, rng)) for p in split.pretrain[:200]]
    assert all(clean)
    noisy = [verify(p, Teacher(noise=1.0).document(p, rng)) for p in split.pretrain[:400]]
    assert 0.02 < sum(noisy) / len(noisy) < 0.3  # random expressions hit the target only by luck
    assert not verify(Problem((3, 4, 5), 17), "3*4=12,12+5=17x")
    assert verify(Problem((3, 4, 5), 17), "5*4-3") and not verify(Problem((3, 4, 5), 17), "5*4-4")
