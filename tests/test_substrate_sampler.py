"""The KV-cache sampler against a no-cache reference, eos handling and left padding."""

import random

import pytest
import torch

from inquiry.runners.substrate import (
    AdditionTask,
    TinyModelConfig,
    build_model,
    build_tokenizer,
    encode,
    pad_batch,
    sample,
    train_lm,
)


@pytest.fixture(scope="module")
def trained():
    """A tiny model trained for a few seconds on 1-digit addition: peaked, prompt-dependent outputs."""
    torch.set_num_threads(1)
    task = AdditionTask(digits=1)
    tok = build_tokenizer(task.symbols)
    model = build_model(tok, TinyModelConfig(hidden=32, layers=2, heads=2, ffn=64), seed=0)
    train, _ = task.split(held_out=10, seed=0)
    stream = task.training_texts(train, noise=0.2, rng=random.Random(0))

    def batches():
        while True:
            problems = [next(stream) for _ in range(64)]
            seqs = [encode(tok, p.prompt + p.answer) + [tok.eos_token_id] for p in problems]
            yield pad_batch(seqs, tok.pad_token_id, [len(encode(tok, p.prompt)) for p in problems])

    train_lm(model, batches(), steps=100, lr=1e-2, warmup=5)
    return model, tok


def _kwargs(tok, **extra):
    return dict(eos_id=tok.eos_token_id, pad_id=tok.pad_token_id, **extra)


@torch.no_grad()
def reference_sample(model, prompts, n, max_new_tokens, eos_id, pad_id, generator, temperature=1.0):
    """No cache: recompute the whole (equal-length) sequence each step; same one-uniform-per-row draws."""
    seqs = torch.tensor([p for p in prompts for _ in range(n)])
    done = torch.zeros(len(seqs), dtype=torch.bool)
    out = []
    for _ in range(max_new_tokens):
        probs = torch.softmax(model(seqs).logits[:, -1].float() / temperature, -1)
        cdf = probs.cumsum(-1)
        draws = torch.rand(len(seqs), 1, generator=generator) * cdf[:, -1:]
        token = torch.searchsorted(cdf, draws).clamp(max=cdf.shape[-1] - 1).squeeze(-1).masked_fill(done, pad_id)
        out.append(token)
        done |= token == eos_id
        seqs = torch.cat([seqs, token[:, None]], 1)
        if done.all():
            break
    rows = torch.stack(out, 1).tolist()
    trimmed = [row[: row.index(eos_id) + 1] if eos_id in row else row for row in rows]
    return [trimmed[i * n : (i + 1) * n] for i in range(len(prompts))]


def test_kv_cache_sampling_equals_full_recompute(trained):
    model, tok = trained
    prompts = [encode(tok, f"{a}+{b}=") for a, b in [(1, 2), (3, 4), (9, 9)]]
    ours = sample(model, prompts, n=5, max_new_tokens=5, generator=torch.Generator().manual_seed(11), **_kwargs(tok))
    ref = reference_sample(model, prompts, 5, 5, tok.eos_token_id, tok.pad_token_id, torch.Generator().manual_seed(11))
    assert ours.completions == ref


def test_completions_stop_at_eos_and_are_mostly_right(trained):
    model, tok = trained
    task = AdditionTask(digits=1)
    problems = [task.problem(a, b) for a in range(0, 10, 3) for b in range(0, 10, 3)]
    out = sample(
        model,
        [encode(tok, p.prompt) for p in problems],
        n=8,
        max_new_tokens=6,
        generator=torch.Generator().manual_seed(0),
        **_kwargs(tok),
    )
    for per_prompt in out.completions:
        assert len(per_prompt) == 8
        for completion in per_prompt:
            assert tok.eos_token_id not in completion[:-1]  # nothing after eos
            assert completion[-1] == tok.eos_token_id or len(completion) == 6
    texts = out.texts(tok)
    accuracy = sum(task.verify(p, t) for p, ts in zip(problems, texts) for t in ts) / (8 * len(problems))
    assert accuracy > 0.1  # trained for a few seconds: well above a random model (< 0.01)


def test_prompt_alone_equals_prompt_in_a_left_padded_batch(trained):
    model, tok = trained
    prompts = [encode(tok, "7+8="), encode(tok, "=7+8="), encode(tok, "12+3+4="), encode(tok, "5=")]
    together = sample(
        model, prompts, n=2, max_new_tokens=6, temperature=0, generator=torch.Generator(), **_kwargs(tok)
    ).completions
    for prompt, batched in zip(prompts, together):
        alone = sample(
            model, [prompt], n=1, max_new_tokens=6, temperature=0, generator=torch.Generator(), **_kwargs(tok)
        ).completions[0][0]
        assert batched == [alone, alone]
    assert len({tuple(c[0]) for c in together}) > 1  # the prompts really get different answers


def test_chunking_and_tiny_top_p_match_greedy(trained):
    model, tok = trained
    prompts = [encode(tok, f"{a}+{a}=") for a in range(5)]
    greedy = sample(
        model, prompts, n=3, max_new_tokens=4, temperature=0, generator=torch.Generator(), **_kwargs(tok)
    ).completions
    chunked = sample(
        model, prompts, n=3, max_new_tokens=4, temperature=0, batch_size=2, generator=torch.Generator(), **_kwargs(tok)
    ).completions
    nucleus = sample(
        model, prompts, n=3, max_new_tokens=4, top_p=1e-6, generator=torch.Generator().manual_seed(0), **_kwargs(tok)
    ).completions
    assert chunked == greedy == nucleus


def test_logprobs_match_a_teacher_forced_forward(trained):
    model, tok = trained
    prompt = encode(tok, "4+5=")
    out = sample(
        model,
        [prompt],
        n=4,
        max_new_tokens=5,
        temperature=1.5,
        return_logprobs=True,
        generator=torch.Generator().manual_seed(3),
        **_kwargs(tok),
    )
    for completion, logprobs, entropies in zip(out.completions[0], out.logprobs[0], out.entropies[0]):
        with torch.no_grad():
            logits = model(torch.tensor([prompt + completion])).logits[0, len(prompt) - 1 : -1]
        log_dist = torch.log_softmax(logits, -1)
        expected = log_dist.gather(-1, torch.tensor(completion)[:, None]).squeeze(-1)
        assert logprobs == pytest.approx(expected.tolist(), abs=1e-4)
        assert entropies == pytest.approx((-(log_dist.exp() * log_dist).sum(-1)).tolist(), abs=1e-4)


def test_same_seed_same_samples_and_bad_arguments_are_named(trained):
    model, tok = trained
    prompts = [encode(tok, "1+1=")]
    runs = [
        sample(
            model, prompts, n=16, max_new_tokens=4, generator=torch.Generator().manual_seed(5), **_kwargs(tok)
        ).completions
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    with pytest.raises(ValueError, match="top_p"):
        sample(model, prompts, n=1, max_new_tokens=1, top_p=0, generator=torch.Generator(), **_kwargs(tok))
    with pytest.raises(ValueError, match="at least one token"):
        sample(model, [[]], n=1, max_new_tokens=1, generator=torch.Generator(), **_kwargs(tok))
