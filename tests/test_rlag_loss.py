"""The RLAG loss against hand-computed values, the option scorer against manual log-prob sums,
and the verdict rules on outcomes whose answer is known."""

import math

import numpy as np
import torch

from inquiry.runners.rlag.loss import rlag_loss
from inquiry.runners.rlag.scoring import score_options, split_prompt_target
from inquiry.runners.rlag.verdict import decide
from inquiry.runners.substrate import TinyModelConfig, build_model, build_tokenizer


def softplus_neg(x: float) -> float:
    """-log(sigmoid(x))."""
    return math.log1p(math.exp(-x))


def test_loss_matches_hand_computation_with_both_clips_and_the_beta_switch():
    # item 0: chosen != rejected, chosen log-prob above eps1 (clipped to -0.2), rejected below eps2 (clipped to -5)
    # item 1: chosen != rejected, neither clipped
    # item 2: chosen == rejected: (βD, βA) = (0.5, 0), only the snippet term is left
    z = torch.tensor([-1.0, -2.0, -3.0], requires_grad=True)
    c = torch.tensor([-0.1, -1.0, -0.7], requires_grad=True)
    r = torch.tensor([-6.0, -2.0, -0.9], requires_grad=True)
    same = torch.tensor([False, False, True])
    terms = rlag_loss(z, c, r, same, gamma=0.8)

    margins = [
        0.2 * -1 + 0.5 * -0.2 - 0.5 * -5 - 0.8,  # 1.4
        0.2 * -2 + 0.5 * -1 - 0.5 * -2 - 0.8,  # -0.7
        0.5 * -3 - 0.8,
    ]  # -2.3
    expected = sum(softplus_neg(m) for m in margins) / 3
    assert math.isclose(float(terms.loss.detach()), expected, rel_tol=1e-6)
    assert torch.allclose(terms.information, torch.tensor([-0.2, -0.4, -1.5]))
    assert torch.allclose(terms.chosen, torch.tensor([-0.1, -0.5, 0.0]))
    assert torch.allclose(terms.rejected, torch.tensor([-2.5, -1.0, 0.0]))

    terms.loss.backward()
    # Clipped terms and the βA = 0 item carry no gradient; the unclipped item does, with the right sign.
    assert c.grad[0] == 0 and r.grad[0] == 0 and c.grad[2] == 0 and r.grad[2] == 0
    sig = 1 / (1 + math.exp(-0.7))  # d(-logsigmoid(x))/dx = -(1 - sigmoid(x)) = -sigmoid(0.7) at x = -0.7
    assert math.isclose(float(c.grad[1]), -sig * 0.5 / 3, rel_tol=1e-5)
    assert math.isclose(float(r.grad[1]), sig * 0.5 / 3, rel_tol=1e-5)
    assert math.isclose(float(z.grad[2]), -(1 / (1 + math.exp(-2.3))) * 0.5 / 3, rel_tol=1e-5)


def test_gamma_is_a_margin():
    args = (torch.tensor([-1.0]), torch.tensor([-1.0]), torch.tensor([-3.0]), torch.tensor([False]))
    assert float(rlag_loss(*args, gamma=8.0).loss) > float(rlag_loss(*args, gamma=0.8).loss)


def test_option_scores_are_mean_log_probs_of_the_option_tokens():
    tok = build_tokenizer(["where", "is", "kalo", "?", "in", "quell", "far", "north", "south"], level="word")
    model = build_model(tok, TinyModelConfig(hidden=16, layers=1, heads=2, ffn=32), seed=1).eval()
    prefix, options = "where is kalo ?", ("quell", "far north", "in far south")
    scores = score_options(model, tok, [prefix], [options])[0]

    prefix_ids = [tok.bos_token_id, *tok(prefix, add_special_tokens=False)["input_ids"]]
    for option, score in zip(options, scores):
        option_ids = tok(option, add_special_tokens=False)["input_ids"]
        full = torch.tensor([prefix_ids + option_ids])
        with torch.no_grad():
            logp = torch.log_softmax(model(input_ids=full).logits[0], dim=-1)
        manual = sum(float(logp[len(prefix_ids) - 1 + i, t]) for i, t in enumerate(option_ids)) / len(option_ids)
        assert math.isclose(score, manual, rel_tol=1e-5, abs_tol=1e-6)
    # Padding in a batch does not change a score.
    batched = score_options(model, tok, [prefix, "kalo"], [options, ("in far north south",)])[0]
    assert np.allclose(batched, scores, atol=1e-5)
    assert split_prompt_target(tok, prefix, "far north")[1] == tok("far north", add_special_tokens=False)["input_ids"]


def test_verdict_rules():
    from inquiry.runners.rlag.runner import RLAGRunner
    from inquiry.runners.rlag.verdict import context_gain

    reg = RLAGRunner.registration()
    n = 60
    rng = np.random.default_rng(0)
    good, bad = np.ones((2, n)), (rng.random((2, n)) < 0.3).astype(float)
    arms = {"rlag": bad, "cpt": good, "sft": bad, "cpt_sft": bad}
    reads = context_gain(np.ones(n), np.zeros(n), reg, B=500)
    dev = {"cpt": 0.6, "sft": 0.3, "cpt_sft": 0.3}
    report, best = decide(reads, dev, arms, reg, B=500)
    assert (report.verdict.value, report.reason, best) == ("contradicts", "ci_excludes_zero_negative", "cpt")
    assert report.registration == reg.sha and all(c.passed for c in report.preconditions)
    # the best baseline is the one best on dev, even when another one does better on the test questions
    report, best = decide(reads, {"cpt": 0.3, "sft": 0.6, "cpt_sft": 0.3}, arms, reg, B=500)
    assert best == "sft" and report.reason == "ci_overlaps_zero"
    report, _ = decide(context_gain(np.ones(n), np.ones(n), reg, B=500), dev, arms, reg, B=500)
    assert report.reason == "precondition_failed:base_can_use_context"
    report, _ = decide(reads, dev, arms, reg, registered_protocol=False, B=500)
    assert report.reason == "precondition_failed:registered_protocol"
    report, _ = decide(reads, dev, {"rlag": bad, "cpt": bad, "sft": bad, "cpt_sft": bad}, reg, B=500)
    assert report.reason == "ci_overlaps_zero"
