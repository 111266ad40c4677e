"""The steering hook and the steering vector: output conventions, KV-cache equivalence, hand computations."""

import pytest
import torch

from inquiry.runners.steering.generate import Steering, generate
from inquiry.runners.steering.hooks import steer
from inquiry.runners.steering.vector import block_outputs, mean_difference, random_directions, shuffled_difference
from inquiry.runners.substrate import TinyModelConfig, build_model, build_tokenizer, decoder_layers, encode


class TensorBlock(torch.nn.Module):
    """A decoder block in the transformers 5.x convention: a plain tensor out."""

    def forward(self, hidden, position_ids=None):
        return hidden * 2


class TupleBlock(torch.nn.Module):
    """A decoder block in the transformers 4.x convention: ``(hidden, attention weights)`` out."""

    def forward(self, hidden, position_ids=None):
        return hidden * 2, "attn"


def test_the_hook_adds_from_the_start_position_under_both_output_conventions():
    hidden = torch.ones(2, 4, 3)
    positions = torch.arange(4)[None].expand(2, 4)
    vector = torch.tensor([1.0, -1.0, 0.5])
    expected = hidden * 2
    expected[:, 2:] += vector
    block = TensorBlock()
    with steer(block, vector, start=2):
        plain = block(hidden, position_ids=positions)
    assert isinstance(plain, torch.Tensor) and torch.equal(plain, expected)
    assert torch.equal(block(hidden, position_ids=positions), hidden * 2)  # removed on exit
    tupled = TupleBlock()
    with steer(tupled, vector, start=2):
        out = tupled(hidden, position_ids=positions)
    assert isinstance(out, tuple) and out[1] == "attn" and torch.equal(out[0], expected)


def test_a_single_decoding_step_is_steered_by_its_absolute_position():
    block = TensorBlock()
    with steer(block, torch.ones(3), start=5):
        before = block(torch.zeros(1, 1, 3), position_ids=torch.tensor([[4]]))
        after = block(torch.zeros(1, 1, 3), position_ids=torch.tensor([[5]]))
    assert before.abs().sum() == 0 and torch.equal(after, torch.ones(1, 1, 3))


def test_a_bounded_range_steers_the_prompt_end_alone_and_no_later_decoding_step():
    block = TupleBlock()
    with steer(block, torch.ones(3), start=2, stop=3):
        prefill, _ = block(torch.zeros(1, 3, 3), position_ids=torch.arange(3)[None])
        step, _ = block(torch.zeros(1, 1, 3), position_ids=torch.tensor([[3]]))
    assert prefill[0].sum(-1).tolist() == [0.0, 0.0, 3.0]
    assert step.abs().sum() == 0


def _tiny():
    tok = build_tokenizer(list("0123456789+="))
    model = build_model(tok, TinyModelConfig(hidden=32, layers=2, heads=4, ffn=64), seed=3).eval()
    return tok, model


@torch.no_grad()
def _greedy_without_cache(model, prompt, steering, max_new_tokens, eos_id):
    """Greedy decoding that reruns the whole sequence each step, steering by hand-computed positions."""
    ids = list(prompt)
    block = decoder_layers(model)[steering.layer]
    start = len(prompt) - 1
    stop = start + 1 if steering.positions == "prompt_end_only" else None
    for _ in range(max_new_tokens):
        with steer(block, steering.vector, start=start, stop=stop):
            logits = model(
                input_ids=torch.tensor([ids]), position_ids=torch.arange(len(ids))[None], use_cache=False
            ).logits
        token = int(logits[0, -1].argmax())
        if token == eos_id:
            break
        ids.append(token)
    return ids[len(prompt) :]


def _greedy(model, tok, prompts, steering):
    return generate(
        model,
        prompts,
        steering,
        n=1,
        max_new_tokens=8,
        temperature=0.0,
        eos_id=tok.eos_token_id,
        pad_id=tok.pad_token_id,
        generator=torch.Generator().manual_seed(0),
    )


@pytest.mark.parametrize("positions", ["from_prompt_end", "prompt_end_only"])
def test_steered_greedy_generation_is_the_same_with_and_without_the_kv_cache(positions):
    tok, model = _tiny()
    prompts = [encode(tok, "12+34="), encode(tok, "7+8=")]
    vector = torch.randn(32, generator=torch.Generator().manual_seed(0)) * 4
    steering = Steering(layer=1, vector=vector, positions=positions)
    cached = _greedy(model, tok, prompts, steering)
    for prompt, completions in zip(prompts, cached):
        assert completions[0] == _greedy_without_cache(model, prompt, steering, 8, tok.eos_token_id)
    assert cached != _greedy(model, tok, prompts, None)  # the vector is strong enough to change the output


def test_block_outputs_read_the_last_prompt_token_and_match_hidden_states():
    tok, model = _tiny()
    prompts = [encode(tok, "1+2="), encode(tok, "123+45="), encode(tok, "9=")]
    last, mean_norm = block_outputs(model, decoder_layers(model)[0], prompts, tok.pad_token_id)
    norms = []
    for row, prompt in enumerate(prompts):  # each prompt alone, no padding: hidden_states[1] = block 0's output
        with torch.no_grad():
            states = model(input_ids=torch.tensor([prompt]), output_hidden_states=True).hidden_states[1][0]
        assert torch.allclose(last[row], states[-1], atol=1e-5)
        norms.extend(states[1:].norm(dim=-1).tolist())
    assert abs(mean_norm - sum(norms) / len(norms)) < 1e-4


def test_difference_of_means_against_a_hand_computation():
    positive = torch.tensor([[1.0, 0.0, 2.0], [3.0, 2.0, 0.0]])
    negative = torch.tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 1.0], [2.0, 3.0, 1.0]])
    # means: positive (2, 1, 1), negative (1, 1, 1) -> (1, 0, 0)
    assert mean_difference(positive, negative).tolist() == [1.0, 0.0, 0.0]
    shuffled = shuffled_difference(positive, negative, torch.Generator().manual_seed(0))
    generator = torch.Generator().manual_seed(0)
    pos, neg = positive[torch.randperm(2, generator=generator)], negative[torch.randperm(3, generator=generator)]
    halves = torch.cat([pos[:1], neg[:1]]), torch.cat([pos[1:], neg[1:]])  # one positive in each half
    assert torch.allclose(shuffled, halves[0].mean(0) - halves[1].mean(0))


def test_the_label_blind_control_cancels_a_contrast_that_dwarfs_the_scatter():
    generator = torch.Generator().manual_seed(1)
    scatter = torch.randn(64, 8, generator=generator) * 0.01
    contrast = torch.zeros(8)
    contrast[0] = 10.0
    positive, negative = scatter[:32] + contrast, scatter[32:]
    shuffled = shuffled_difference(positive, negative, generator)
    assert abs(shuffled[0]) < 0.05 and shuffled.norm() < 0.05  # only the scatter is left, not the contrast
    directions = random_directions(20, 3, torch.Generator().manual_seed(0))
    assert directions.shape == (20, 3) and torch.allclose(directions.norm(dim=1), torch.ones(20))
