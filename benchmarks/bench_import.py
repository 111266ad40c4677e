"""Import throughput and search latency, each against a baseline measured in the same run.

1. Import N synthetic documents (``benchmarks/corpus.py``) into a fresh notebook with
   ``import_paths`` vs only reading and parsing the same files, and vs parsing plus resolving
   citations, claims and relations without a store. Target: import <= 3x parse.
   "Parse-only" is ``read_document`` + ``parse_document`` per file: checking and decoding the bytes
   and splitting the text into its structure (question, framing, essay paragraphs, source titles and
   summaries, next lines). It does no resolution and builds none of the domain models; everything
   else an import does (citations, claims, relations, ids, the store write) counts against the 3x.
   ``apply_cpu_s`` / ``reapply_cpu_s``: the store write alone (``Notebook.apply`` of the resolved batch
   into a new notebook, then the same batch again), to tell the two halves of an import apart.
2. Search a notebook of M notes: ``Notebook.search`` vs the raw FTS5 MATCH query it wraps.
   Targets: <= 1.5x the raw query at p50, and p95 <= 20 ms.

    .venv/bin/python benchmarks/bench_import.py --quick    # seconds
    .venv/bin/python benchmarks/bench_import.py            # 10k documents, 100k notes

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import SUBJECTS, note_summary, note_titles, write_corpus

from inquiry.ids import note_id
from inquiry.importing import import_paths
from inquiry.models import ImportBatch, Note
from inquiry.notes.batch import build_batch, collect_files, read_document
from inquiry.notes.inquiring_line import parse_document
from inquiry.store import Notebook, fts_query


def store_write(folder: Path, batch: ImportBatch) -> tuple[float, float]:
    """CPU seconds of writing a resolved batch into a new notebook, then of writing it again (nothing changes),
    with the cyclic garbage collector paused as ``import_paths`` pauses it."""
    nb = Notebook.open(folder)
    gc.disable()
    try:
        cpu = time.process_time()
        nb.apply(batch)
        first = time.process_time() - cpu
        cpu = time.process_time()
        again = nb.apply(batch)
        second = time.process_time() - cpu
    finally:
        gc.enable()
    assert again.changed_ids == []
    nb.close()
    return first, second


def bench_import(folder: Path, n_docs: int, n_notes: int) -> dict[str, float]:
    paths = write_corpus(folder / "corpus", n_docs, n_notes, seed=7)
    files, _ = collect_files([folder / "corpus"])
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        parse_document(read_document(path), str(path))
    parse_s, parse_cpu = time.perf_counter() - start, time.process_time() - cpu

    start = time.perf_counter()
    batch = build_batch([folder / "corpus"], titles={})
    build_s = time.perf_counter() - start
    apply_cpu, reapply_cpu = store_write(folder / "apply-nb", batch)

    nb = Notebook.open(folder / "import-nb")
    start, cpu = time.perf_counter(), time.process_time()
    result = import_paths(nb, [folder / "corpus"])
    import_s, import_cpu = time.perf_counter() - start, time.process_time() - cpu
    stats = nb.stats()
    start = time.perf_counter()
    again = import_paths(nb, [folder / "corpus"])
    reimport_s = time.perf_counter() - start
    assert len(result.files) == len(paths) and again.report.changed_ids == []
    nb.close()
    return {
        "docs": n_docs,
        "notes_in_notebook": stats["notes"],
        "citations": stats["citations"],
        "parse_s": round(parse_s, 3),
        "parse_resolve_s": round(build_s, 3),
        "import_s": round(import_s, 3),
        "reimport_s": round(reimport_s, 3),
        "docs_per_s": round(n_docs / import_s, 1),
        "import_vs_parse": round(import_s / parse_s, 2),
        "import_vs_parse_resolve": round(import_s / build_s, 2),
        # CPU time of this process: on a shared machine, less disturbed by other jobs than the wall clock
        "parse_cpu_s": round(parse_cpu, 3),
        "import_cpu_s": round(import_cpu, 3),
        "import_vs_parse_cpu": round(import_cpu / parse_cpu, 2),
        # the store's half alone (Notebook.apply of the resolved batch, its commit included)
        "apply_cpu_s": round(apply_cpu, 3),
        "reapply_cpu_s": round(reapply_cpu, 3),
    }


def fill_notes(nb: Notebook, n_notes: int) -> None:
    titles = note_titles(n_notes, seed=11)
    for chunk in range(0, n_notes, 10_000):
        nb.apply(
            ImportBatch(
                notes=[
                    Note(id=note_id(t), title=t, summary=note_summary(i, t, seed=11))
                    for i, t in enumerate(titles[chunk : chunk + 10_000], start=chunk)
                ]
            )
        )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_search(folder: Path, n_notes: int, n_queries: int) -> dict[str, float]:
    nb = Notebook.open(folder / "search-nb")
    fill_notes(nb, n_notes)
    rng = random.Random(3)
    queries = [
        rng.choice(
            [
                "pass@k",
                "sparse rewards",
                "GRPO calibration",
                "episodic memory",
                "distillation",
                rng.choice(SUBJECTS),
                rng.choice(SUBJECTS).split()[0] + " " + rng.choice(["scale", "tasks"]),
            ]
        )
        for _ in range(n_queries)
    ]
    raw_sql = (
        "SELECT node_id, kind, title, snippet(search, 3, '[', ']', '…', 12), "
        "bm25(search, 0, 0, 5.0, 1.0) AS rank FROM search WHERE search MATCH ? ORDER BY rank LIMIT 20"
    )
    wrapped, raw = [], []
    for query in queries:  # interleaved, so both see the same cache state
        start = time.perf_counter()
        nb.search(query, limit=20)
        wrapped.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        nb.db.conn.execute(raw_sql, [fts_query(nb.db, query)]).fetchall()
        raw.append((time.perf_counter() - start) * 1000)
    nb.close()
    p50, p95 = percentile(wrapped, 0.5), percentile(wrapped, 0.95)
    raw50, raw95 = percentile(raw, 0.5), percentile(raw, 0.95)
    return {
        "notes": n_notes,
        "queries": n_queries,
        "search_p50_ms": round(p50, 3),
        "search_p95_ms": round(p95, 3),
        "raw_p50_ms": round(raw50, 3),
        "raw_p95_ms": round(raw95, 3),
        "search_vs_raw_p50": round(p50 / raw50, 2),
        "search_vs_raw_p95": round(p95 / raw95, 2),
        "mean_ms": round(statistics.mean(wrapped), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="import throughput and search latency")
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    parser.add_argument("--docs", type=int)
    parser.add_argument("--notes", type=int, help="notes in the search notebook")
    args = parser.parse_args()
    n_docs = args.docs or (300 if args.quick else 10_000)
    n_search_notes = args.notes or (5_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        imp = bench_import(folder, n_docs, n_notes=max(50, n_docs // 2))
        print(
            f"import  {imp['docs']} docs: parse-only {imp['parse_s']:.2f} s | parse+resolve (no store) "
            f"{imp['parse_resolve_s']:.2f} s | import {imp['import_s']:.2f} s ({imp['docs_per_s']} docs/s) | "
            f"ratio vs parse {imp['import_vs_parse']}x (CPU time {imp['import_vs_parse_cpu']}x), "
            f"vs parse+resolve {imp['import_vs_parse_resolve']}x "
            f"(target <= 3x) | "
            f"re-import {imp['reimport_s']:.2f} s; {imp['notes_in_notebook']} notes, {imp['citations']} citations"
        )
        print(
            "        parse-only = read_document + parse_document per file (bytes checked and decoded, text split into "
            "question, framing, essay, sources and next lines); no resolution, no models, no store"
        )
        srch = bench_search(folder, n_search_notes, n_queries=60 if args.quick else 300)
        print(
            f"search  {srch['notes']} notes: Notebook.search p50 {srch['search_p50_ms']} ms p95 "
            f"{srch['search_p95_ms']} ms | raw FTS5 p50 {srch['raw_p50_ms']} ms p95 {srch['raw_p95_ms']} ms | "
            f"ratio p50 {srch['search_vs_raw_p50']}x (target <= 1.5x), p95 target <= 20 ms"
        )
    load = [round(x, 2) for x in os.getloadavg()]  # the machine is shared: read the ratios, not the seconds
    print(f"load average {load[0]} {load[1]} {load[2]}")
    print(
        json.dumps(
            {
                "import": imp,
                "search": srch,
                "load_average": load,
                "targets_met": {
                    "import_vs_parse<=3": imp["import_vs_parse"] <= 3,
                    "import_vs_parse_resolve<=3": imp["import_vs_parse_resolve"] <= 3,
                    "search_vs_raw_p50<=1.5": srch["search_vs_raw_p50"] <= 1.5,
                    "search_p95<=20ms": srch["search_p95_ms"] <= 20,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
