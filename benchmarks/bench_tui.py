"""Terminal-app benchmark: time to first screen and to an interactive navigator, and keystroke latency.

Synthetic notebooks of 10k and 100k notes (rows written straight into the store, with the power-law
popularity of ``bench_graph.write_corpus``) are opened in the real app, headless (``App.run_test``),
each beside the same app on an empty notebook in the same run:

- first screen: from building the app to its first screen composed and mounted;
- interactive: until the navigator's first group is loaded and takes keys;
- filter keystroke: one character typed into the filter until its matches are on screen (p50/p95);
- navigation keystroke: cursor down in the navigator, and enter on a note until the reader shows it.

Targets: first screen <= 1.0 s at 100k notes and <= 2x the empty notebook; updates <= 50 ms.
``--quick`` uses 2k and 10k notes; ``--corpora DIR`` writes each synthetic notebook once under DIR
and reuses it on later runs (writing 100k notes takes longer than measuring them).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench_graph import write_corpus
from textual.widgets import Input, Tree

from inquiry.store import Notebook
from inquiry.tui.app import InquiryApp
from inquiry.tui.widgets.navigator import Navigator
from inquiry.tui.widgets.reader import Reader

SIZE = (140, 45)


async def wait_for(pilot, predicate, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        await pilot.pause(0.002)


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def measure(nb: Notebook, keystrokes: int) -> dict[str, float]:
    # Start like a fresh process would: what earlier runs (or writing a corpus) left in memory is set
    # aside, so that a full garbage collection of it is not charged to this app's first screen.
    gc.collect()
    gc.freeze()
    seen: list[object] = []
    start = time.perf_counter()
    app = InquiryApp(nb, poll_s=3600)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        first_screen = time.perf_counter() - start
        await wait_for(pilot, lambda: any(isinstance(m, Navigator.Loaded) for m in seen))
        interactive = time.perf_counter() - start
        out = {"first_screen_s": first_screen, "interactive_s": interactive}
        if nb.stats()["notes"] == 0:
            return out
        # keystrokes are timed in steady state: after the background read of the filter's title index
        # (the knowledge graph is not built: above GRAPH_AUTO_NOTES only "g" builds it)
        t0 = time.perf_counter()
        await app.workers.wait_for_complete()
        out["filter_index_s"] = time.perf_counter() - t0 + interactive
        screen = app.screen
        tree = screen.query_one("#browse", Tree)
        screen.query_one("#filter", Input).focus()
        await pilot.pause()
        filter_ms = []
        for i in range(keystrokes):
            before = sum(isinstance(m, Navigator.Filtered) for m in seen)
            t0 = time.perf_counter()
            await pilot.press(str(i % 10))
            await wait_for(pilot, lambda: sum(isinstance(m, Navigator.Filtered) for m in seen) > before)
            filter_ms.append((time.perf_counter() - t0) * 1000)
            await pilot.press("backspace")
            await pilot.pause()
        await pilot.press("backspace")
        tree.focus()
        popular = tree.root.children[1]  # "Notes by popularity"
        tree.move_cursor(popular)
        await pilot.press("space")
        await wait_for(pilot, lambda: len(popular.children) > 1)
        down_ms, open_ms = [], []
        reader = screen.query_one(Reader)
        for _ in range(keystrokes):
            line = tree.cursor_line
            t0 = time.perf_counter()
            await pilot.press("down")
            await wait_for(pilot, lambda: tree.cursor_line == line + 1)
            down_ms.append((time.perf_counter() - t0) * 1000)
            target = tree.cursor_node.data.node_id
            t0 = time.perf_counter()
            await pilot.press("enter")
            await wait_for(pilot, lambda: reader.node_id == target)
            open_ms.append((time.perf_counter() - t0) * 1000)
        out["filter_key_ms"] = p50_p95(filter_ms)
        out["nav_down_ms"] = p50_p95(down_ms)
        out["nav_open_ms"] = p50_p95(open_ms)
        return out


def corpus(notes: int, folder: str | None) -> Notebook:
    """The synthetic notebook of ``notes`` notes: reused from ``folder`` when it was written there before
    (without a folder, written into a fresh temporary one)."""
    folder = folder or tempfile.mkdtemp(prefix="bench-tui-corpora-")
    path = Path(folder) / f"notes-{notes}"
    if not path.exists():  # written beside it, then renamed: an interrupted write is never reused
        partial = Path(tempfile.mkdtemp(prefix=f"notes-{notes}-", dir=folder))
        nb = Notebook.open(partial)
        write_corpus(nb, notes, random.Random(0))
        nb.close()
        partial.rename(path)
    return Notebook.open(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2k and 10k notes instead of 10k and 100k")
    parser.add_argument("--keys", type=int, default=15, help="keystrokes measured per kind")
    parser.add_argument("--corpora", help="folder to keep the synthetic notebooks in and reuse them from")
    args = parser.parse_args()
    sizes = [2_000, 10_000] if args.quick else [10_000, 100_000]
    empty = Notebook.open(tempfile.mkdtemp(prefix="bench-tui-empty-"))
    report: dict[str, object] = {"sizes": sizes}
    for notes in sizes:
        nb = corpus(notes, args.corpora)
        asyncio.run(measure(empty, args.keys))  # warm imports so the empty baseline is not charged for them
        base = asyncio.run(measure(empty, args.keys))
        full = asyncio.run(measure(nb, args.keys))
        ratio = full["first_screen_s"] / base["first_screen_s"]
        print(f"{notes:>7} notes | first screen {full['first_screen_s']:.3f} s vs empty {base['first_screen_s']:.3f} s "
              f"(x{ratio:.2f}) | interactive {full['interactive_s']:.3f} s vs empty {base['interactive_s']:.3f} s "
              f"(x{full['interactive_s'] / base['interactive_s']:.2f})")
        print(f"{'':>7}       | filter key p50/p95 {full['filter_key_ms'][0]:.1f}/{full['filter_key_ms'][1]:.1f} ms"
              f" | nav down {full['nav_down_ms'][0]:.1f}/{full['nav_down_ms'][1]:.1f} ms"
              f" | open note {full['nav_open_ms'][0]:.1f}/{full['nav_open_ms'][1]:.1f} ms"
              f" | filter index ready at {full['filter_index_s']:.2f} s")
        report[str(notes)] = {"app": full, "empty": base, "first_screen_ratio": ratio}
        nb.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
