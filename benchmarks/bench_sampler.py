"""Sampler benchmark: inquiry's KV-cache sampler against ``model.generate`` on the same tiny model.

Both draw the same number of samples for the same prompts (left-padded, mixed lengths), with
plain sampling (T=1, no top-k, no top-p) and explicit pad/eos ids, at 1 and 2 torch threads.
Ours encodes each prompt once and copies its cache rows for the n samples; ``generate`` gets
each prompt repeated n times. Prints samples/s and new tokens/s side by side and the ratio; the
last line is one JSON object.

``--arch qwen`` / ``--arch llama`` run the same comparison on a real-architecture checkpoint built
locally (``tests/fixture_checkpoints.py``: Qwen2 with grouped-query attention, no bos and two eos ids,
prompts through its chat template; Llama with bos), with natural-language prompts of mixed lengths;
``--device cuda`` runs on a GPU (scripts/gpu_check.sh).

    .venv/bin/python benchmarks/bench_sampler.py --quick
    .venv/bin/python benchmarks/bench_sampler.py --quick --arch qwen
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import torch

from inquiry.runners.substrate import (
    AdditionTask,
    TinyModelConfig,
    build_model,
    build_tokenizer,
    encode,
    encode_prompt,
    load_checkpoint,
    sample,
    stop_token_ids,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def make_prompts(tokenizer, count: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [encode(tokenizer, f"{rng.randrange(100)}+{rng.randrange(100)}=") for _ in range(count)]


def make_questions(tokenizer, count: int, seed: int) -> list[list[int]]:
    """Natural-language questions of mixed lengths, through the chat template when the tokenizer has one."""
    rng = random.Random(seed)
    forms = [
        "{a}+{b}=",
        "What is {a} plus {b}?",
        "Sam has {a} apples and buys {b} more. How many apples now?",
        "A train travels {a} km in the morning and {b} km in the afternoon. How far did it go in total?",
    ]
    return [
        encode_prompt(tokenizer, rng.choice(forms).format(a=rng.randrange(100), b=rng.randrange(100)), chat=True)
        for _ in range(count)
    ]


def load_model(arch: str, device: str, hidden: int, layers: int):
    """(model, tokenizer, stop ids, prompt builder) for the miniature or a real-architecture fixture."""
    if arch == "tiny":
        tok = build_tokenizer(AdditionTask.symbols)
        model = build_model(tok, TinyModelConfig(), seed=0).eval().to(device)
        return model, tok, [tok.eos_token_id], make_prompts
    from fixture_checkpoints import build_llama_checkpoint, build_qwen_checkpoint

    build = build_qwen_checkpoint if arch == "qwen" else build_llama_checkpoint
    folder = build(Path(tempfile.mkdtemp()) / arch, hidden=hidden, layers=layers)
    model, tok = load_checkpoint(folder, device=device)
    return model, tok, stop_token_ids(model, tok), make_questions


def run_ours(model, tok, prompts, n, max_new, batch_size, seed, stops):
    device = next(model.parameters()).device
    out = sample(
        model,
        prompts,
        n=n,
        max_new_tokens=max_new,
        eos_id=stops,
        pad_id=tok.pad_token_id,
        generator=torch.Generator(device=device).manual_seed(seed),
        batch_size=batch_size,
    )
    return out.num_tokens


@torch.inference_mode()
def run_generate(model, tok, prompts, n, max_new, batch_size, seed, stops):
    device = next(model.parameters()).device
    torch.manual_seed(seed)
    rows = [p for p in prompts for _ in range(n)]
    tokens = 0
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        width = max(len(r) for r in chunk)
        ids = torch.tensor([[tok.pad_token_id] * (width - len(r)) + r for r in chunk], device=device)
        mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in chunk], device=device)
        out = model.generate(
            input_ids=ids,
            attention_mask=mask,
            do_sample=True,
            temperature=1.0,
            top_k=0,
            top_p=1.0,
            max_new_tokens=max_new,
            pad_token_id=tok.pad_token_id,
            eos_token_id=stops,
        )
        new = out[:, width:]
        # Count real tokens: up to and including the first stop id, as the sampler does.
        is_eos = torch.isin(new, torch.tensor(stops, device=device)).int()
        after_eos = (is_eos.cumsum(1) - is_eos) > 0
        tokens += int((~after_eos).sum())
    return tokens


def timed(fn, repeats, device="cpu"):
    best, tokens = float("inf"), 0
    for _ in range(repeats):
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        tokens = fn()
        if device == "cuda":
            torch.cuda.synchronize()
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
    parser.add_argument(
        "--arch",
        choices=["tiny", "qwen", "llama"],
        default="tiny",
        help="the miniature's tiny Llama, or a real-architecture fixture checkpoint",
    )
    parser.add_argument("--hidden", type=int, default=64, help="fixture width (--arch qwen/llama)")
    parser.add_argument("--layers", type=int, default=2, help="fixture depth (--arch qwen/llama)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.quick:
        args.prompts, args.repeats = 16, 2
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    model, tok, stops, prompt_maker = load_model(args.arch, args.device, args.hidden, args.layers)
    prompts = prompt_maker(tok, args.prompts, seed=0)
    samples = args.prompts * args.n
    lengths = sorted({len(p) for p in prompts})
    print(
        f"model: {type(model).__name__}, {sum(p.numel() for p in model.parameters()):,} params on {args.device}; "
        f"{args.prompts} prompts ({lengths[0]}-{lengths[-1]} tokens) x n={args.n}, up to {args.max_new} new "
        f"tokens, batch {args.batch_size}, stop ids {stops}"
    )
    print(
        f"{'threads':>7} {'ours samples/s':>15} {'ours tok/s':>11} {'generate samples/s':>19} "
        f"{'generate tok/s':>15} {'ratio':>6}"
    )
    report: dict = {
        "samples": samples,
        "n": args.n,
        "prompts": args.prompts,
        "max_new_tokens": args.max_new,
        "arch": type(model).__name__,
        "device": args.device,
        "prompt_lengths": [lengths[0], lengths[-1]],
    }
    for threads in args.threads:
        torch.set_num_threads(threads)
        run_ours(model, tok, prompts[:2], 2, 2, args.batch_size, 0, stops)  # warm-up
        run_generate(model, tok, prompts[:2], 2, 2, args.batch_size, 0, stops)
        ours_s, ours_tok = timed(
            lambda: run_ours(model, tok, prompts, args.n, args.max_new, args.batch_size, 1, stops),
            args.repeats,
            args.device,
        )
        gen_s, gen_tok = timed(
            lambda: run_generate(model, tok, prompts, args.n, args.max_new, args.batch_size, 1, stops),
            args.repeats,
            args.device,
        )
        ratio = gen_s / ours_s
        print(
            f"{threads:>7} {samples / ours_s:>15,.0f} {ours_tok / ours_s:>11,.0f} {samples / gen_s:>19,.0f} "
            f"{gen_tok / gen_s:>15,.0f} {ratio:>6.2f}"
        )
        report[f"threads_{threads}"] = {
            "ours_samples_per_s": samples / ours_s,
            "ours_tokens_per_s": ours_tok / ours_s,
            "generate_samples_per_s": samples / gen_s,
            "generate_tokens_per_s": gen_tok / gen_s,
            "speedup": ratio,
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
