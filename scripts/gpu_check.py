"""Run every runner's GPU path once, time each phase, compare the sampler with ``model.generate``.

On a CUDA machine (default) the phases are sized to finish in about 6 minutes in all (budget: 8): each
runner's ``gpu`` preset (from scratch, no checkpoint) shrunk in steps and items, and its
``gpu_checkpoint`` preset on real-architecture checkpoints built locally from configs (Qwen2 with no bos,
two eos ids and a chat template; Llama with bos — ``tests/fixture_checkpoints.py``; no hub needed) in
bf16. ``--cpu --tiny`` runs the same phases on CPU at test sizes (about a minute), which is how it is
tested without a GPU. Prints one line per phase (seconds, samples/s where it samples) and a JSON
summary; exits 1 when any phase fails.

    scripts/gpu_check.sh                 # on a GPU machine
    scripts/gpu_check.sh --cpu --tiny    # anywhere
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

# Phase sizes: (CUDA, --tiny). The CUDA sizes shrink each gpu preset's steps and items; shapes stay the preset's.
SIZES = {
    "fixture": ({"hidden": 512, "layers": 8}, {"hidden": 32, "layers": 2}),
    "sampler": (
        {"prompts": 64, "n": 16, "max_new": 64, "batch": 1024},
        {"prompts": 6, "n": 4, "max_new": 6, "batch": 64},
    ),
    "rlvr gpu": (
        {"pretrain_steps": 300, "rl_steps": 20, "n_held_out": 100, "n_samples": 64, "n_secondary": 16},
        {
            "hidden": 32,
            "layers": 1,
            "heads": 2,
            "pretrain_steps": 20,
            "pretrain_batch": 32,
            "rl_steps": 3,
            "prompts_per_step": 4,
            "group_size": 2,
            "n_held_out": 10,
            "n_samples": 4,
            "n_secondary": 2,
            "bootstrap": 100,
        },
    ),
    "rlvr gpu_checkpoint eval-only": (
        {"n_held_out": 32, "n_samples": 32, "max_new_tokens": 128},
        {"n_held_out": 10, "n_samples": 4, "max_new_tokens": 6, "bootstrap": 100},
    ),
    "rlvr gpu_checkpoint grpo": (
        {"n_held_out": 32, "n_samples": 16, "max_new_tokens": 64, "rl_steps": 5, "prompts_per_step": 8},
        {
            "n_held_out": 10,
            "n_samples": 4,
            "max_new_tokens": 6,
            "rl_steps": 3,
            "prompts_per_step": 2,
            "group_size": 2,
            "bootstrap": 100,
        },
    ),
    "rlag gpu": (
        {"pretrain_steps": 300, "passes": 1, "chunks": 2, "seeds": 1},
        {
            "n_known": 8,
            "n_target": 4,
            "hidden": 32,
            "layers": 1,
            "heads": 2,
            "pretrain_steps": 10,
            "pretrain_batch": 8,
            "passes": 1,
            "chunks": 1,
            "epochs_per_chunk": 1,
            "seeds": 1,
            "bootstrap": 100,
        },
    ),
    "rlag gpu_checkpoint": (
        {"passes": 1, "chunks": 2, "epochs_per_chunk": 1},
        {"passes": 1, "chunks": 1, "epochs_per_chunk": 1, "bootstrap": 100},
    ),
    "steering gpu": (
        {"pretrain_steps": 400, "contrast_pairs": 128, "dev_items": 60, "test_items": 200, "alphas": [0.5, 2.0]},
        {
            "operands": 2,
            "hidden": 32,
            "layers": 1,
            "heads": 2,
            "ffn": 64,
            "pretrain_steps": 20,
            "batch_size": 16,
            "contrast_pairs": 8,
            "dev_items": 10,
            "test_items": 10,
            "samples": 2,
            "alphas": [1.0],
            "positions": ["prompt_end_only"],
            "bootstrap": 100,
        },
    ),
    "steering gpu_checkpoint": (
        {"dev_items": 20, "test_items": 40, "contrast_pairs": 32, "max_new_tokens": 64, "alphas": [0.3]},
        {
            "dev_items": 10,
            "test_items": 10,
            "contrast_pairs": 10,
            "max_new_tokens": 4,
            "samples": 2,
            "alphas": [1.0],
            "positions": ["prompt_end_only"],
            "bootstrap": 100,
        },
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu", action="store_true", help="run on CPU (no GPU needed)")
    parser.add_argument("--tiny", action="store_true", help="test sizes: about a minute on one CPU core")
    parser.add_argument("--only", nargs="*", default=None, help="run only the phases whose name starts so")
    parser.add_argument("--json", type=Path, default=None, help="also write the summary here")
    args = parser.parse_args()

    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    device = "cpu" if args.cpu else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        print(
            "gpu_check: no CUDA device visible (torch.cuda.is_available() is False); use --cpu --tiny to run "
            "the same phases on CPU",
            file=sys.stderr,
        )
        return 2
    if device == "cpu":
        torch.set_num_threads(1)
    pick = 1 if args.tiny else 0
    gpu_name = torch.cuda.get_device_name(0) if device == "cuda" else platform.processor() or "cpu"
    print(f"gpu_check on {device} ({gpu_name}); torch {torch.__version__}; sizes: {'tiny' if args.tiny else 'gpu'}")
    work = Path(tempfile.mkdtemp(prefix="gpu_check-"))
    phases: list[dict] = []
    state: dict = {}

    def phase(name: str, fn) -> None:
        if args.only is not None and not any(name.startswith(o) for o in args.only):
            return
        start = time.perf_counter()
        row: dict = {"phase": name}
        try:
            row.update(fn(SIZES[name.split(":")[0]][pick] if name.split(":")[0] in SIZES else {}) or {})
            row["ok"] = True
        except Exception as exc:  # report and go on: every phase is checked
            row["ok"] = False
            row["error"] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        if device == "cuda":
            torch.cuda.synchronize()
        row["seconds"] = round(time.perf_counter() - start, 2)
        extra = "  ".join(f"{k}={v}" for k, v in row.items() if k not in ("phase", "ok", "seconds", "error"))
        print(
            f"{'ok  ' if row['ok'] else 'FAIL'} {name:<34} {row['seconds']:>8.1f} s  {extra}"
            + (f"  {row['error']}" if not row["ok"] else ""),
            flush=True,
        )
        phases.append(row)

    phase("fixture", lambda size: build_fixtures(work, state, **size))
    phase("sampler", lambda size: sampler_vs_generate(state, device, **size))
    phase("rlvr gpu", lambda size: run("rlvr", "gpu", size, work, device))
    phase(
        "rlvr gpu_checkpoint eval-only",
        lambda size: run(
            "rlvr",
            "gpu_checkpoint",
            {
                **size,
                "base_checkpoint": str(state["qwen"]),
                "rl_checkpoint": str(state["qwen_rl"]),
                "data_path": str(state["gsm8k"]),
            },
            work,
            device,
        ),
    )
    phase(
        "rlvr gpu_checkpoint grpo",
        lambda size: run(
            "rlvr",
            "gpu_checkpoint",
            {**size, "base_checkpoint": str(state["llama"]), "data_path": str(state["math"])},
            work,
            device,
        ),
    )
    phase("rlag gpu", lambda size: run("rlag", "gpu", size, work, device))
    phase(
        "rlag gpu_checkpoint",
        lambda size: run(
            "rlag",
            "gpu_checkpoint",
            {**size, "checkpoint": str(state["qwen"]), "dataset": str(state["rlag"])},
            work,
            device,
        ),
    )
    phase("steering gpu", lambda size: run("steering", "gpu", size, work, device))
    phase(
        "steering gpu_checkpoint",
        lambda size: run(
            "steering",
            "gpu_checkpoint",
            {**size, "checkpoint": str(state["qwen"]), "eval_path": str(state["gsm8k"])},
            work,
            device,
        ),
    )

    failed = [row["phase"] for row in phases if not row["ok"]]
    total = sum(row["seconds"] for row in phases)
    summary = {
        "device": device,
        "gpu": gpu_name,
        "torch": torch.__version__,
        "tiny": args.tiny,
        "total_seconds": round(total, 1),
        "failed": failed,
        "phases": phases,
    }
    print(f"total {total:.1f} s; {len(phases) - len(failed)}/{len(phases)} phases ok")
    print(json.dumps(summary))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    return 1 if failed else 0


def build_fixtures(work: Path, state: dict, hidden: int, layers: int) -> dict:
    from fixture_checkpoints import build_llama_checkpoint, build_qwen_checkpoint, gsm8k_rows, math_rows, write_jsonl

    state["qwen"] = build_qwen_checkpoint(work / "qwen2-base", hidden=hidden, layers=layers, seed=0)
    state["qwen_rl"] = build_qwen_checkpoint(work / "qwen2-rl", hidden=hidden, layers=layers, seed=1)
    state["llama"] = build_llama_checkpoint(work / "llama-base", hidden=hidden, layers=layers, seed=0)
    state["gsm8k"] = write_jsonl(work / "gsm8k.jsonl", gsm8k_rows(200))
    state["math"] = write_jsonl(work / "math.jsonl", math_rows(200))
    colours = ["red", "blue", "green"]
    state["rlag"] = write_jsonl(
        work / "rlag.jsonl",
        [
            {
                "question": f"What colour is object {i}?",
                "options": dict(zip("ABC", colours)),
                "answer": colours[i % 3],
                "ctx": f"Object {i} is {colours[i % 3]}.",
            }
            for i in range(40)
        ],
    )
    return {"hidden": hidden, "layers": layers}


def sampler_vs_generate(state: dict, device: str, prompts: int, n: int, max_new: int, batch: int) -> dict:
    """The sampler and ``model.generate`` on the same Qwen2 fixture, prompts (mixed lengths) and budgets."""
    from bench_sampler import make_questions, run_generate, run_ours, timed

    from inquiry.runners.substrate import load_checkpoint, stop_token_ids

    model, tok = load_checkpoint(state["qwen"], device=device)
    stops = stop_token_ids(model, tok)
    questions = make_questions(tok, prompts, seed=0)
    run_ours(model, tok, questions[:2], 2, 2, batch, 0, stops)  # warm-up (CUDA context, kernels)
    run_generate(model, tok, questions[:2], 2, 2, batch, 0, stops)
    ours_s, ours_tok = timed(lambda: run_ours(model, tok, questions, n, max_new, batch, 1, stops), 2, device)
    gen_s, gen_tok = timed(lambda: run_generate(model, tok, questions, n, max_new, batch, 1, stops), 2, device)
    samples = prompts * n
    return {
        "sampler_samples_per_s": round(samples / ours_s, 1),
        "generate_samples_per_s": round(samples / gen_s, 1),
        "sampler_tokens_per_s": round(ours_tok / ours_s),
        "generate_tokens_per_s": round(gen_tok / gen_s),
        "ratio": round(gen_s / ours_s, 2),
    }


def run(runner_name: str, preset: str, overrides: dict, work: Path, device: str) -> dict:
    from inquiry.runners import registry
    from inquiry.runners.api import RunContext

    runner = registry.get(runner_name)
    config = registry.resolve_config(runner, preset, {**overrides, "device": device})
    folder = work / f"{runner_name}-{preset}-{len(list(work.iterdir()))}"
    context = RunContext(folder, seed=0, device=device)
    result = runner.run(config, context)
    if result.verdict is None:
        raise RuntimeError("the run returned no verdict")
    sampled = [e for e in context.events if "sampling" in e["message"] or "GRPO" in e["message"]]
    return {
        "verdict": result.verdict.verdict.value
        if hasattr(result.verdict.verdict, "value")
        else str(result.verdict.verdict),
        "progress_events": len(context.events),
        "sampling_events": len(sampled),
    }


if __name__ == "__main__":
    sys.exit(main())
