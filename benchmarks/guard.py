"""A regression guard for the benchmarks: run each one with ``--quick``, keep its ratios, compare.

Each benchmark prints its figures beside a baseline measured in the same run and ends with one JSON
line. Absolute times on a shared machine are noise; the ratios (ours ÷ baseline, same run) are what
this guard keeps. ``benchmarks/baseline.json`` holds the accepted ratios, each with the direction
that is better; ``--check`` reports every ratio more than 25 % worse than accepted and exits 1.

    ./dev bench --quick            # run, print the ratios, write benchmarks/last-quick.json
    ./dev bench --check            # the same, then compare with benchmarks/baseline.json
    ./dev bench --accept           # the same, then make these ratios the accepted ones

Not part of CI: timing on shared 2-core machines is noisy. Run it before and after every change that
is about speed, and quote its output.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline.json"
LAST = HERE / "last-quick.json"
TOLERANCE = 0.25  # a ratio this much worse than accepted is reported

# benchmark file -> {dotted key in its last JSON line: "lower" or "higher" is better}
RATIOS: dict[str, dict[str, str]] = {
    "bench_import.py": {
        "import.import_vs_parse": "lower",
        "import.import_vs_parse_cpu": "lower",
        "search.search_vs_raw_p50": "lower",
    },
    "bench_graph.py": {"build_vs_scan": "lower", "cached_open_vs_scan": "lower"},
    "bench_sampler.py": {"threads_1.speedup": "higher"},
    "bench_tui.py": {"2000.first_screen_ratio": "lower", "10000.first_screen_ratio": "lower"},
}


def dig(data: Any, dotted: str) -> float | None:
    """``data["a"]["b"]`` for ``"a.b"``; None where a step is missing.

    >>> dig({"a": {"b": 2.0}}, "a.b"), dig({"a": {}}, "a.b")
    (2.0, None)
    """
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return float(data) if isinstance(data, (int, float)) else None


def run_quick(bench: str) -> dict[str, Any]:
    """Run one benchmark with ``--quick``; its last output line parsed as JSON."""
    proc = subprocess.run(
        [sys.executable, str(HERE / bench), "--quick"], capture_output=True, text=True, cwd=HERE.parent
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"{bench} failed (exit {proc.returncode}): {tail[0]}")
    return json.loads(lines[-1])


def compare(measured: dict[str, dict[str, float]], accepted: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """One line per ratio more than :data:`TOLERANCE` worse than accepted.

    >>> compare({"b": {"r": 1.3}}, {"b": {"r": {"value": 1.0, "better": "lower"}}})
    ['b r: 1.30 vs accepted 1.00 (30% worse)']
    >>> compare({"b": {"r": 1.2}}, {"b": {"r": {"value": 1.0, "better": "lower"}}})
    []
    """
    worse = []
    for bench, ratios in accepted.items():
        for key, spec in ratios.items():
            now = measured.get(bench, {}).get(key)
            if now is None:
                continue
            was = spec["value"]
            change = (now - was) / was if spec["better"] == "lower" else (was - now) / was
            if change > TOLERANCE:
                worse.append(f"{bench} {key}: {now:.2f} vs accepted {was:.2f} ({change:.0%} worse)")
    return worse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with benchmarks/baseline.json")
    parser.add_argument("--accept", action="store_true", help="write these ratios to benchmarks/baseline.json")
    parser.add_argument("benches", nargs="*", default=sorted(RATIOS), help="benchmark files (default: all)")
    args = parser.parse_args()
    measured: dict[str, dict[str, float]] = {}
    failures = []
    for bench in args.benches:
        try:
            data = run_quick(bench)
        except RuntimeError as exc:
            failures.append(str(exc))
            continue
        measured[bench] = {key: value for key in RATIOS.get(bench, {}) if (value := dig(data, key)) is not None}
        for key, value in measured[bench].items():
            print(f"{bench:18} {key:34} {value:8.2f}  ({RATIOS[bench][key]} is better)")
    report = {"ratios": measured, "load_average": [round(x, 2) for x in os.getloadavg()], "failures": failures}
    LAST.write_text(json.dumps(report, indent=2) + "\n")
    print(f"load average {' '.join(map(str, report['load_average']))}; written to {LAST.name}")
    status = 1 if failures else 0
    for failure in failures:
        print(f"FAILED {failure}")
    if args.accept:
        # the benchmarks run now replace theirs; the others keep what was accepted before
        accepted = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
        accepted.update(
            {
                bench: {key: {"value": round(value, 3), "better": RATIOS[bench][key]} for key, value in ratios.items()}
                for bench, ratios in measured.items()
            }
        )
        BASELINE.write_text(json.dumps(accepted, indent=2, sort_keys=True) + "\n")
        print(f"accepted as the new baseline ({BASELINE.name})")
    elif args.check:
        worse = compare(measured, json.loads(BASELINE.read_text()))
        for line in worse:
            print(f"WORSE {line}")
        print(f"{len(worse)} ratio(s) more than {TOLERANCE:.0%} worse than accepted")
        status = status or (1 if worse else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
