"""RLVR runner wall times: default config from scratch vs with a cached base, and the test preset.

Prints the figures side by side (the cached run is the baseline ratio) and one JSON line last.
On a shared machine wall time depends on the load, so each run also reports its CPU seconds
(one torch thread: about the wall time it would take alone) and the 1-minute load average.
The control preset (distillation in place of GRPO) shares the default base. ``--quick`` times only
the test preset (tens of seconds); ``--variants`` adds the one-example, spurious-reward and sparsity
presets (several CPU-minutes each).
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from inquiry.runners.api import RunContext
from inquiry.runners.registry import available, resolve_config


def timed(runner, preset: str, cache: Path, artifacts: Path) -> tuple[float, dict]:
    start, cpu = time.perf_counter(), time.process_time()
    result = runner.run(resolve_config(runner, preset), RunContext(artifacts, seed=0, cache_dir=cache))
    wall = time.perf_counter() - start
    figures = {k: round(result.metrics[k].value, 3) for k in result.headline if k in result.metrics}
    figures.update(
        cpu_s=round(time.process_time() - cpu, 1),
        load=round(os.getloadavg()[0], 2),
        verdict=result.verdict.verdict.value,
        reason=result.verdict.reason,
        crossing=round(result.metrics["crossing_k"].value, 2) if "crossing_k" in result.metrics else None,
        registration=result.verdict.registration,
    )
    return wall, figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="only the test preset")
    parser.add_argument("--variants", action="store_true", help="also time the three variant presets")
    args = parser.parse_args()
    runner = available()["rlvr"]
    root = Path(tempfile.mkdtemp(prefix="bench-rlvr-"))
    out = {}
    out["test_s"], out["test"] = timed(runner, "test", root / "cache", root / "t")
    print(f"test preset: {out['test_s']:.1f} s  {out['test']}")
    if not args.quick:
        out["default_full_s"], out["default"] = timed(runner, "default", root / "cache", root / "d1")
        out["default_cached_s"], _ = timed(runner, "default", root / "cache", root / "d2")
        ratio = out["default_full_s"] / out["default_cached_s"]
        print(
            f"default full: {out['default_full_s']:.1f} s | cached base: {out['default_cached_s']:.1f} s "
            f"| ratio {ratio:.2f}x  {out['default']}"
        )
        out["full_over_cached"] = round(ratio, 2)
        out["control_cached_s"], out["control"] = timed(runner, "control", root / "cache", root / "c")
        print(f"control (cached default base): {out['control_cached_s']:.1f} s  {out['control']}")
    if args.variants:
        for preset in ("one_example", "spurious", "sparsity"):
            out[f"{preset}_s"], out[preset] = timed(runner, preset, root / "cache", root / preset)
            print(f"{preset}: {out[f'{preset}_s']:.1f} s  {out[preset]}")
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
