"""Decoding on real-architecture checkpoints (tiny Qwen2 and Llama built locally): bos, stop ids, chat
template, left-padded mixed-length batches, the sampler against ``model.generate``."""

import pytest
import torch

from inquiry.runners.substrate import encode, encode_prompt, load_checkpoint, sample, stop_token_ids


@pytest.fixture(scope="module")
def qwen(qwen_checkpoint):
    return load_checkpoint(qwen_checkpoint)


@pytest.fixture(scope="module")
def llama(llama_checkpoint):
    return load_checkpoint(llama_checkpoint)


def test_the_fixtures_are_real_architectures_with_the_tokenizer_quirks(qwen, llama):
    (qm, qt), (lm, lt) = qwen, llama
    assert type(qm).__name__ == "Qwen2ForCausalLM" and type(lm).__name__ == "LlamaForCausalLM"
    assert qm.config.num_key_value_heads < qm.config.num_attention_heads  # grouped-query attention
    assert qt.bos_token_id is None and qt.chat_template
    im_end, endoftext = qt.convert_tokens_to_ids(["<|im_end|>", "<|endoftext|>"])
    assert stop_token_ids(qm, qt) == [im_end, endoftext]
    assert lt.bos_token_id == 1 and not lt.chat_template
    assert lt.pad_token_id == lt.eos_token_id  # no pad in the tokenizer: the loader pads with eos
    assert stop_token_ids(lm, lt) == [2]


def test_prompts_get_a_bos_only_when_the_tokenizer_has_one(qwen, llama):
    (_, qt), (_, lt) = qwen, llama
    assert encode(qt, "2+2=") == qt("2+2=", add_special_tokens=False)["input_ids"]  # no None prepended
    assert encode(lt, "2+2=")[0] == 1 and encode(lt, "2+2=")[1:] == encode(lt, "2+2=", bos=False)
    assert encode_prompt(qt, "") == [qt.eos_token_id]  # never an empty prompt


def test_the_chat_template_wraps_the_prompt_when_asked(qwen, llama):
    (_, qt), (_, lt) = qwen, llama
    templated = qt.decode(encode_prompt(qt, "What is 2+2?", chat=True))
    assert templated.startswith("<|im_start|>system\n") and "<|im_start|>user\nWhat is 2+2?<|im_end|>" in templated
    assert templated.endswith("<|im_start|>assistant\n")
    assert encode_prompt(qt, "What is 2+2?", chat=False) == encode(qt, "What is 2+2?")
    assert encode_prompt(lt, "hi", chat=True) == encode(lt, "hi")  # no template: plain prompt with bos


def test_sampling_stops_on_any_of_several_eos_ids(qwen):
    model, tok = qwen
    prompt = encode_prompt(tok, "Say something.", chat=True)
    greedy = dict(
        n=1, max_new_tokens=6, temperature=0.0, pad_id=tok.pad_token_id, generator=torch.Generator().manual_seed(0)
    )
    free = sample(model, [prompt], eos_id=tok.eos_token_id, **greedy).completions[0][0]
    first = free[0]
    assert first != tok.eos_token_id and len(free) > 1
    # the model's own first token declared a second stop id: the completion ends right there
    out = sample(model, [prompt], eos_id=[tok.eos_token_id, first], **greedy)
    assert out.completions[0][0] == [first] and out.stopped(out.completions[0][0])
    assert out.eos_ids == (tok.eos_token_id, first)


@pytest.mark.parametrize("which", ["qwen", "llama"])
def test_mixed_length_prompts_share_a_batch_and_match_generate(which, request):
    model, tok = request.getfixturevalue(which)
    texts = ["1+1=", "What is twelve times eleven?", "A much longer prompt about numbers, 3+4="]
    prompts = [encode_prompt(tok, t, chat=True) for t in texts]
    assert len({len(p) for p in prompts}) == len(prompts)
    stops = stop_token_ids(model, tok)
    batch = sample(
        model,
        prompts,
        n=1,
        max_new_tokens=6,
        temperature=0.0,
        eos_id=stops,
        pad_id=tok.pad_token_id,
        generator=torch.Generator().manual_seed(0),
    )
    for prompt, (completion,) in zip(prompts, batch.completions):
        alone = sample(
            model,
            [prompt],
            n=1,
            max_new_tokens=6,
            temperature=0.0,
            eos_id=stops,
            pad_id=tok.pad_token_id,
            generator=torch.Generator().manual_seed(0),
        ).completions[0][0]
        reference = model.generate(
            torch.tensor([prompt]),
            attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
            max_new_tokens=6,
            do_sample=False,
            eos_token_id=stops,
            pad_token_id=tok.pad_token_id,
        )[0, len(prompt) :].tolist()
        # generate pads after a stop; the sampler returns the completion up to and including the stop id
        assert completion == alone == reference[: len(completion)]
        assert len(completion) == 6 or completion[-1] in stops


def test_a_cpu_generator_drives_sampling_whatever_the_model_device(qwen):
    model, tok = qwen
    gen = torch.Generator(device="cpu").manual_seed(3)
    out = sample(
        model,
        [encode(tok, "ab"), encode(tok, "abc")],
        n=3,
        max_new_tokens=3,
        eos_id=stop_token_ids(model, tok),
        pad_id=tok.pad_token_id,
        generator=gen,
        top_p=0.9,
    )
    assert [len(group) for group in out.completions] == [3, 3]


@pytest.mark.parametrize("positions", ["from_prompt_end", "prompt_end_only"])
def test_steered_generation_shares_a_batch_across_prompt_lengths(qwen, positions):
    """One left-padded steered batch gives what each prompt gets alone under the absolute-position hook."""
    from inquiry.runners.steering.generate import Steering, generate
    from inquiry.runners.steering.hooks import steer
    from inquiry.runners.substrate import decoder_layers

    model, tok = qwen
    prompts = [encode_prompt(tok, t, chat=True) for t in ["1+1=", "What is twelve times eleven?", "Q"]]
    prompts.append([tok.eos_token_id])  # a one-token prompt: its prefill is a single position 0
    vector = torch.randn(model.config.hidden_size, generator=torch.Generator().manual_seed(0)) * 4
    steering = Steering(layer=1, vector=vector, positions=positions)
    stops = stop_token_ids(model, tok)
    batched = generate(
        model,
        prompts,
        steering,
        n=1,
        max_new_tokens=5,
        temperature=0.0,
        eos_id=stops,
        pad_id=tok.pad_token_id,
        generator=torch.Generator().manual_seed(0),
    )
    plain = generate(
        model,
        prompts,
        None,
        n=1,
        max_new_tokens=5,
        temperature=0.0,
        eos_id=stops,
        pad_id=tok.pad_token_id,
        generator=torch.Generator().manual_seed(0),
    )
    assert batched != plain  # the vector changes what is generated
    for prompt, (got,) in zip(prompts, batched):
        start = len(prompt) - 1
        with steer(decoder_layers(model)[1], vector, start, None if positions == "from_prompt_end" else start + 1):
            alone = sample(
                model,
                [prompt],
                n=1,
                max_new_tokens=5,
                temperature=0.0,
                eos_id=stops,
                pad_id=tok.pad_token_id,
                generator=torch.Generator().manual_seed(0),
            ).completions[0][0]
        assert got == [t for t in alone if t not in stops]
