"""Start-up time of the ``inquiry`` command: ``inquiry --help`` and ``inquiry stats`` on the bundled example.

Each command is run as a fresh process ``--repeat`` times (the first, warm-up run of each is not counted)
and the median wall time and CPU time (user + system, which a busy machine inflates least) are printed. ``--tree DIR`` runs the package found in ``DIR/inquiry`` instead of
the installed one, so a copy of an older tree (``git archive main inquiry | tar -x -C /tmp/before``) is the
baseline in the same run, the runs of both trees interleaved:

    .venv/bin/python benchmarks/bench_cli_startup.py --tree /tmp/before --repeat 15

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {"help": ["--help"], "stats": ["stats"]}


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(tree: str | None, args: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one fresh process; CPU time is what a busy machine inflates least."""
    run_env = dict(env)
    if tree:
        run_env["PYTHONPATH"] = tree
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run(
        [sys.executable, "-c", "from inquiry.cli import main; main()", *args],
        env=run_env,
        cwd=cwd,  # not the checkout: ``python -c`` puts the working folder first on sys.path
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", default=[], help="a tree holding inquiry/ to time as well")
    parser.add_argument("--repeat", type=int, default=10)
    options = parser.parse_args()
    trees: dict[str, str | None] = {"installed": None, **{tree: str(Path(tree).resolve()) for tree in options.tree}}
    times: dict[str, dict[str, list[tuple[float, float]]]] = {name: {cmd: [] for cmd in COMMANDS} for name in trees}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "INQUIRY_NOTEBOOK": str(Path(tmp) / "nb"), "PYTHONDONTWRITEBYTECODE": "0"}
        for tree in trees.values():  # create the notebook with the example, and warm the byte-code caches
            for args in COMMANDS.values():
                _run(tree, args, env, tmp)
        for _ in range(options.repeat):
            for name, tree in trees.items():
                for cmd, args in COMMANDS.items():
                    times[name][cmd].append(_run(tree, args, env, tmp))
    figures = {
        name: {
            cmd: {
                kind: round(statistics.median(v[i] for v in values) * 1000, 1) for i, kind in enumerate(("wall", "cpu"))
            }
            for cmd, values in per.items()
        }
        for name, per in times.items()
    }
    for name, per in figures.items():
        print(
            f"{name:32} "
            + "  ".join(f"inquiry {cmd}: {ms['wall']} ms wall, {ms['cpu']} ms CPU" for cmd, ms in per.items())
        )
    print(json.dumps({"median_ms": figures, "repeat": options.repeat}))


if __name__ == "__main__":
    main()
