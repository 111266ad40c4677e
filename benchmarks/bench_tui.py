"""Terminal-app benchmark: time to first screen and to an interactive navigator, and keystroke latency.

Synthetic notebooks of 10k and 100k notes (rows written straight into the store, with the power-law
popularity of ``bench_graph.write_corpus``) are opened in the real app, headless (``App.run_test``),
each beside the same app on an empty notebook in the same run:

- first screen: from building the app to its first screen composed and mounted;
- interactive: until the navigator's first group is loaded and takes keys;
- filter keystroke: one character typed into the filter until its matches are on screen (p50/p95);
- navigation keystroke: cursor down in the navigator, and enter on a note until the reader shows it
  and the links panel has the note's links (and its local graph, or the note that it is drawn on "g");
- launch form: ``r`` on a claim until the form is built (the first one imports the runners, cold;
  the next ones warm);
- quit: ``q`` until the app has exited;
- a no-op key (a key bound to nothing) as the baseline every latency is set beside.

Each latency is taken twice. Through Pilot (``pilot.press``), as before: Pilot waits after every key
until the whole process has been idle for 20 ms (``wait_for_idle``: it compares process CPU time,
threads included, with the wall clock), so even a key that does nothing costs ~100 ms on a loaded
machine. And directly: the key event is handed to the app's driver as a terminal's would be, and the
time runs until the expected state is reached and the screen has refreshed after it
(``call_after_refresh``) — what a user waits for — with the process CPU time spent meanwhile (all
threads), which the machine's load barely changes. The filter is typed as a user types: a first
character (the matches replace the tree) then further characters (the matches narrow).

Targets (issue #20, at 10k notes): filter keystroke p50 <= 50 ms, open note p50 <= 100 ms, launch
form ready <= 300 ms, quit <= 300 ms; first screen <= 1.0 s at 100k notes and <= 2x the empty notebook.
``--quick`` uses 2k and 10k notes; ``--corpora DIR`` writes each synthetic notebook once under DIR
and reuses it on later runs (writing 100k notes takes longer than measuring them).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench_graph import write_corpus
from textual import events
from textual.widgets import Input, Tree

from inquiry.store import Notebook
from inquiry.tui.app import InquiryApp
from inquiry.tui.data import BUILDING
from inquiry.tui.screens.launch import LaunchScreen
from inquiry.tui.widgets.links import LinksPanel
from inquiry.tui.widgets.navigator import Navigator
from inquiry.tui.widgets.reader import Reader

SIZE = (140, 45)


def send_key(app, key: str, char: str | None) -> None:
    """Hand a key to the app as its terminal driver would (no Pilot idle-waiting)."""
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def direct(app, key: str, char: str | None, reached) -> tuple[float, float]:
    """(wall ms, process CPU ms) from a key until ``reached()`` and the screen's next refresh after it."""
    t0, c0 = time.perf_counter(), time.process_time()
    send_key(app, key, char)
    await asyncio.sleep(0)
    while not reached():
        await asyncio.sleep(0.001)
    refreshed = asyncio.Event()
    app.screen.call_after_refresh(refreshed.set)
    await refreshed.wait()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def medians(pairs: list[tuple[float, float]]) -> tuple[float, float, float]:
    """p50 wall, p95 wall, p50 CPU."""
    p50, p95 = p50_p95([w for w, _ in pairs])
    return p50, p95, statistics.median([c for _, c in pairs])


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
            await pilot.press("q")
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
        # the same keystrokes sent directly, typed as a user types: a first character, then two more
        first_key, next_key, noop_direct = [], [], []

        def filtered(count: int):
            return lambda: sum(isinstance(m, Navigator.Filtered) for m in seen) > count

        for i in range(keystrokes):
            for j, ch in enumerate(("1", str(i % 10), "0")):
                count = sum(isinstance(m, Navigator.Filtered) for m in seen)
                (next_key if j else first_key).append(await direct(app, ch, ch, filtered(count)))
                await pilot.pause(0.05)
            noop_direct.append(await direct(app, "f12", None, lambda: True))
            await pilot.press("backspace", "backspace", "backspace")
            await pilot.pause()
        out["filter_first_direct"], out["filter_next_direct"] = medians(first_key), medians(next_key)
        out["noop_direct"] = medians(noop_direct)
        tree.focus()
        popular = tree.root.children[1]  # "Notes by popularity"
        tree.move_cursor(popular)
        await pilot.press("space")
        await wait_for(pilot, lambda: len(popular.children) > 1)
        down_ms, open_ms, noop_ms = [], [], []
        reader = screen.query_one(Reader)
        links = screen.query_one(LinksPanel)
        for _ in range(keystrokes):
            t0 = time.perf_counter()
            await pilot.press("z")  # bound to nothing: the cost of a key through Pilot and a refresh
            await pilot.pause()
            noop_ms.append((time.perf_counter() - t0) * 1000)
            line = tree.cursor_line
            t0 = time.perf_counter()
            await pilot.press("down")
            await wait_for(pilot, lambda: tree.cursor_line == line + 1)
            down_ms.append((time.perf_counter() - t0) * 1000)
            target = tree.cursor_node.data.node_id
            t0 = time.perf_counter()
            await pilot.press("enter")
            await wait_for(
                pilot,
                lambda: (
                    reader.node_id == target
                    and links.shown is not None
                    and links.shown.node_id == target
                    and (links.shown.drawing is not None or links.shown.waiting != BUILDING)
                ),
            )
            open_ms.append((time.perf_counter() - t0) * 1000)
            if tree.cursor_node.is_expanded:
                tree.cursor_node.collapse()  # enter expanded the note; keep the next "down" on notes
                await pilot.pause()
        out["noop_key_ms"] = p50_p95(noop_ms)
        out["filter_key_ms"] = p50_p95(filter_ms)
        out["nav_down_ms"] = p50_p95(down_ms)
        out["nav_open_ms"] = p50_p95(open_ms)
        launch_ms, launch_direct = [], []
        claim = nb.db.execute("SELECT id FROM claims LIMIT 1").fetchone()[0]

        def launch_ready() -> bool:
            return isinstance(app.screen, LaunchScreen) and bool(app.screen.field_order)

        for i in range(6):
            screen.navigate(claim)
            await wait_for(pilot, lambda: screen.claim is not None and screen.claim.id == claim)
            await pilot.pause(0.2)
            if i < 3:
                t0 = time.perf_counter()
                await pilot.press("r")
                await wait_for(pilot, launch_ready)
                launch_ms.append((time.perf_counter() - t0) * 1000)
            else:
                launch_direct.append(await direct(app, "r", "r", launch_ready))
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)
        out["launch_cold_ms"], out["launch_warm_ms"] = launch_ms[0], statistics.median(launch_ms[1:])
        out["launch_direct"] = medians(launch_direct)
        t0 = time.perf_counter()
        await pilot.press("q")
        await wait_for(pilot, lambda: app._exit or not app.is_running, timeout=10)
    out["quit_ms"] = (time.perf_counter() - t0) * 1000  # until the app has finished exiting
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
    parser.add_argument("--sizes", help="comma-separated note counts, e.g. 10000 (overrides --quick)")
    args = parser.parse_args()
    sizes = [2_000, 10_000] if args.quick else [10_000, 100_000]
    if args.sizes:
        sizes = [int(n) for n in args.sizes.split(",")]
    empty = Notebook.open(tempfile.mkdtemp(prefix="bench-tui-empty-"))
    report: dict[str, object] = {"sizes": sizes}
    for notes in sizes:
        nb = corpus(notes, args.corpora)
        asyncio.run(measure(empty, args.keys))  # warm imports so the empty baseline is not charged for them
        base = asyncio.run(measure(empty, args.keys))
        full = asyncio.run(measure(nb, args.keys))
        ratio = full["first_screen_s"] / base["first_screen_s"]
        print(
            f"{notes:>7} notes | first screen {full['first_screen_s']:.3f} s vs empty {base['first_screen_s']:.3f} s "
            f"(x{ratio:.2f}) | interactive {full['interactive_s']:.3f} s vs empty {base['interactive_s']:.3f} s "
            f"(x{full['interactive_s'] / base['interactive_s']:.2f})"
        )
        print(
            f"{'':>7}       | filter key p50/p95 {full['filter_key_ms'][0]:.1f}/{full['filter_key_ms'][1]:.1f} ms"
            f" | nav down {full['nav_down_ms'][0]:.1f}/{full['nav_down_ms'][1]:.1f} ms"
            f" | open note {full['nav_open_ms'][0]:.1f}/{full['nav_open_ms'][1]:.1f} ms"
            f" | filter index ready at {full['filter_index_s']:.2f} s"
        )
        noop = full["noop_key_ms"][0]
        print(
            f"{'':>7}       | no-op key p50 {noop:.1f} ms | filter key x{full['filter_key_ms'][0] / noop:.1f}"
            f" | open note x{full['nav_open_ms'][0] / noop:.1f} | launch form ready {full['launch_warm_ms']:.0f} ms"
            f" warm ({full['launch_cold_ms']:.0f} ms cold, runners imported) | quit {full['quit_ms']:.0f} ms"
            f" | load average {os.getloadavg()[0]:.1f}"
        )
        fd, nd, nop, ld = (
            full[k] for k in ("filter_first_direct", "filter_next_direct", "noop_direct", "launch_direct")
        )
        print(
            f"{'':>7}       | direct keys (wall p50/p95, CPU p50): no-op {nop[0]:.1f}/{nop[1]:.1f}, {nop[2]:.1f} ms"
            f" | filter 1st char {fd[0]:.0f}/{fd[1]:.0f}, {fd[2]:.0f} ms | next chars {nd[0]:.0f}/{nd[1]:.0f}, {nd[2]:.0f} ms"
            f" | launch form ready {ld[0]:.0f}/{ld[1]:.0f}, {ld[2]:.0f} ms | load average {os.getloadavg()[0]:.1f}"
        )
        report[str(notes)] = {"app": full, "empty": base, "first_screen_ratio": ratio}
        nb.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
