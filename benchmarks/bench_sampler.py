"""Sampler benchmark: inquiry's KV-cache sampler against ``model.generate`` on the same tiny model.

Both draw the same number of samples for the same prompts (left-padded, mixed lengths), with
plain sampling (T=1, no top-k, no top-p) and explicit pad/eos ids, at 1 and 2 torch threads.
Ours encodes each prompt once and copies its cache rows for the n samples; ``generate`` gets
each prompt repeated n times. Prints samples/s and new tokens/s side by side and the ratio; the
last line is one JSON object.

    .venv/bin/python benchmarks/bench_sampler.py --quick
"""

from __future__ import annotations

import argparse
import json
import random
import time

import torch

from inquiry.runners.substrate import AdditionTask, TinyModelConfig, build_model, build_tokenizer, encode, sample


def make_prompts(tokenizer, count: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [encode(tokenizer, f"{rng.randrange(100)}+{rng.randrange(100)}=") for _ in range(count)]


def run_ours(model, tok, prompts, n, max_new, batch_size, seed):
    out = sample(model, prompts, n=n, max_new_tokens=max_new, eos_id=tok.eos_token_id, pad_id=tok.pad_token_id,
                 generator=torch.Generator().manual_seed(seed), batch_size=batch_size)
    return out.num_tokens


@torch.inference_mode()
def run_generate(model, tok, prompts, n, max_new, batch_size, seed):
    torch.manual_seed(seed)
    rows = [p for p in prompts for _ in range(n)]
    tokens = 0
    for start in range(0, len(rows), batch_size):
        chunk = rows[start:start + batch_size]
        width = max(len(r) for r in chunk)
        ids = torch.tensor([[tok.pad_token_id] * (width - len(r)) + r for r in chunk])
        mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in chunk])
        out = model.generate(input_ids=ids, attention_mask=mask, do_sample=True, temperature=1.0, top_k=0,
                             top_p=1.0, max_new_tokens=max_new, pad_token_id=tok.pad_token_id,
                             eos_token_id=tok.eos_token_id)
        new = out[:, width:]
        # Count real tokens: up to and including the first eos, as the sampler does.
        is_eos = (new == tok.eos_token_id).int()
        after_eos = (is_eos.cumsum(1) - is_eos) > 0
        tokens += int((~after_eos).sum())
    return tokens


def timed(fn, repeats):
    best, tokens = float("inf"), 0
    for _ in range(repeats):
        start = time.perf_counter()
        tokens = fn()
        best = min(best, time.perf_counter() - start)
    return best, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: fewer prompts and repeats")
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--n", type=int, default=64, help="samples per prompt")
    parser.add_argument("--max-new", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if args.quick:
        args.prompts, args.repeats = 16, 2
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    tok = build_tokenizer(AdditionTask.symbols)
    model = build_model(tok, TinyModelConfig(), seed=0).eval()
    prompts = make_prompts(tok, args.prompts, seed=0)
    samples = args.prompts * args.n
    print(f"model: {sum(p.numel() for p in model.parameters()):,} params; {args.prompts} prompts x n={args.n}, "
          f"up to {args.max_new} new tokens, batch {args.batch_size}")
    print(f"{'threads':>7} {'ours samples/s':>15} {'ours tok/s':>11} {'generate samples/s':>19} "
          f"{'generate tok/s':>15} {'ratio':>6}")
    report: dict = {"samples": samples, "n": args.n, "prompts": args.prompts, "max_new_tokens": args.max_new}
    for threads in args.threads:
        torch.set_num_threads(threads)
        run_ours(model, tok, prompts[:2], 2, 2, args.batch_size, 0)  # warm-up
        ours_s, ours_tok = timed(lambda: run_ours(model, tok, prompts, args.n, args.max_new, args.batch_size, 1),
                                 args.repeats)
        gen_s, gen_tok = timed(lambda: run_generate(model, tok, prompts, args.n, args.max_new, args.batch_size, 1),
                               args.repeats)
        ratio = gen_s / ours_s
        print(f"{threads:>7} {samples / ours_s:>15,.0f} {ours_tok / ours_s:>11,.0f} {samples / gen_s:>19,.0f} "
              f"{gen_tok / gen_s:>15,.0f} {ratio:>6.2f}")
        report[f"threads_{threads}"] = {"ours_samples_per_s": samples / ours_s, "ours_tokens_per_s": ours_tok / ours_s,
                                        "generate_samples_per_s": samples / gen_s,
                                        "generate_tokens_per_s": gen_tok / gen_s, "speedup": ratio}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
