"""Knowledge-graph benchmark: build time and memory, local-graph and path latency at 100k notes / ~1M edges.

The notebook rows are written straight into the store's tables (one executemany per table in one
transaction), with power-law note popularity so that a few hub notes are cited by thousands of
inquiries. Each figure is printed beside a baseline measured in the same run:

- build: our lazy build vs. a bare scan of the same rows (the floor) and vs. ``add_edges_from``;
- the next open of the unchanged notebook, which reads the graph cache, vs. the same bare scan;
- queries: ``local_graph`` (r=2) and ``path`` vs. ``nx.ego_graph`` / ``nx.shortest_path`` on an
  undirected view, on ordinary notes; on the biggest hub only ours (the baseline walks it all).

Targets: build <= 3 s and <= 2 GB; ordinary queries <= 10 ms p95; hub queries bounded by paging.
Run ``python benchmarks/bench_graph.py --quick`` for a 10x smaller corpus in seconds.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import networkx as nx
import psutil

from inquiry.graph import cache as graph_cache
from inquiry.graph.build import KnowledgeGraph
from inquiry.graph.queries import local_graph, neighbors, path
from inquiry.store import DB_NAME, Notebook

NOW = "2025-01-01T00:00:00+00:00"


def write_corpus(nb: Notebook, notes: int, rng: random.Random) -> dict[str, int]:
    """Rows for ``notes`` notes: 2 claims each, notes/5 inquiries citing ~12 notes, links, papers, relations."""
    inquiries, papers = notes // 5, notes // 20
    weights = [1 / (i + 1) ** 1.1 for i in range(notes)]  # Zipf-like popularity: note 0 is the biggest hub
    note_ids = [f"note:n{i}" for i in range(notes)]
    claim_ids = [f"claim:n{i}/{j}" for i in range(notes) for j in range(2)]
    citations, sources = [], []
    for q in range(inquiries):
        cited = set(rng.choices(note_ids, weights=weights, k=12))
        for p, note in enumerate(sorted(cited)):
            citations.append((f"inq:q{q}", note, p % 5, "A sentence.", 0, 10))
            sources.append((f"inq:q{q}", note, "lists-source", "accepted", "importer", "{}", NOW))
    edges = sources + [
        (f"note:n{i}", f"claim:n{i}/{j}", "asserts", "accepted", "importer", "{}", NOW)
        for i in range(notes)
        for j in range(2)
    ]
    edges += [
        (f"note:n{i}", f"note:n{rng.randrange(notes)}", "links-to", "accepted", "importer", "{}", NOW)
        for i in range(notes)
    ]
    edges += [
        (f"note:n{i}", f"paper:p{rng.randrange(papers)}", "mentions", "accepted", "importer", "{}", NOW)
        for i in range(notes)
    ]
    edges += [
        (
            rng.choice(claim_ids),
            rng.choice(claim_ids),
            rng.choice(("supports", "contradicts", "refines")),
            rng.choice(("accepted", "suggested")),
            "user",
            "{}",
            NOW,
        )
        for _ in range(notes // 2)
    ]
    db = nb.db.conn
    with nb.transaction():
        db.executemany(
            "INSERT INTO inquiries (id, question, created, updated) VALUES (?, ?, ?, ?)",
            [(f"inq:q{q}", f"Question {q}?", NOW, NOW) for q in range(inquiries)],
        )
        db.executemany(
            "INSERT INTO notes (id, title, created, updated) VALUES (?, ?, ?, ?)",
            [(n, f"Note {n}?", NOW, NOW) for n in note_ids],
        )
        db.executemany(
            "INSERT INTO claims (id, note_id, idx, text, kind) VALUES (?, ?, ?, ?, 'qualitative')",
            [(c, c.split("/")[0].replace("claim:", "note:"), int(c[-1]), f"Claim {c}.") for c in claim_ids],
        )
        db.executemany("INSERT INTO papers (id, name) VALUES (?, ?)", [(f"paper:p{i}", f"P{i}") for i in range(papers)])
        db.executemany(
            'INSERT INTO citations (inquiry_id, note_id, paragraph, sentence, start, "end") VALUES (?, ?, ?, ?, ?, ?)',
            citations,
        )
        db.executemany(
            "INSERT OR IGNORE INTO edges (src, dst, kind, state, provenance, attrs, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            edges,
        )
    return nb.stats()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in samples)
    return statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms)))]


def timed(fn, args_list) -> tuple[float, float]:
    samples = []
    for args in args_list:
        start = time.perf_counter()
        fn(*args)
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k notes instead of 100k")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--ego-calls", type=int, default=5, help="nx.ego_graph baseline calls (each copies the whole graph)"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="keep the generated notebook in this folder and reuse it "
        "(writing 100k notes takes longer than the benchmark)",
    )
    args = parser.parse_args()
    notes = 10_000 if args.quick else 100_000
    rng = random.Random(0)
    folder = args.cache / f"notes-{notes}" if args.cache else Path(tempfile.mkdtemp(prefix="bench-graph-"))
    cached = (folder / DB_NAME).exists()
    nb = Notebook.open(folder)
    start = time.perf_counter()
    stats = nb.stats() if cached else write_corpus(nb, notes, rng)
    rng = random.Random(1)  # the queries' sample, the same whether the corpus was written or reused
    print(
        f"corpus: {stats['notes']} notes, {stats['claims']} claims, {stats['inquiries']} inquiries, "
        f"{stats['citations']} citations, {stats['edges']} edge rows "
        f"({'reused ' + str(folder) if cached else f'{time.perf_counter() - start:.1f} s to write'})"
    )

    # The graph cache (inquiry.graph.cache) goes to a folder of this run; the build is timed without it.
    cache_dir = os.environ["INQUIRY_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-graph-cache-")
    min_elements, graph_cache.MIN_ELEMENTS = graph_cache.MIN_ELEMENTS, 10**12
    gc.collect()
    rss_before = psutil.Process().memory_info().rss
    start, cpu = time.perf_counter(), time.process_time()
    graph = KnowledgeGraph(nb).graph
    build_s, build_cpu = time.perf_counter() - start, time.process_time() - cpu
    graph_cache.MIN_ELEMENTS = min_elements
    graph_mb = (psutil.Process().memory_info().rss - rss_before) / 2**20
    # The whole process's high-water mark so far (corpus writing included): a safe upper bound.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    rows = [r for table in ("inquiries", "notes", "claims", "papers") for r in nb.db.execute(f"SELECT id FROM {table}")]
    edge_rows = nb.db.execute("SELECT src, dst, kind, state, id, why FROM edges").fetchall()
    edge_rows += nb.db.execute("SELECT inquiry_id, note_id, paragraph FROM citations").fetchall()
    scan_s, scan_cpu = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    reference = nx.MultiDiGraph()
    reference.add_edges_from((r[0], r[1], r[2], {"kind": r[2], "state": r[3]}) for r in edge_rows if len(r) == 6)
    add_edges_s = time.perf_counter() - start
    del reference, rows, edge_rows

    # The next open of the unchanged notebook reads the graph saved after this build.
    start = time.perf_counter()
    graph_cache.save(nb, graph_cache.cache_key(nb), graph)
    save_s = time.perf_counter() - start
    cache_mb = graph_cache.cache_file(nb).stat().st_size / 2**20
    nb.close()
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    nb = Notebook.open(folder)
    reopened = KnowledgeGraph(nb)
    cached_graph = reopened.graph
    cached_s, cached_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert reopened.from_cache and cached_graph.number_of_edges() == graph.number_of_edges()
    del cached_graph, reopened
    shutil.rmtree(cache_dir)
    print(
        f"cache: saved in {save_s:.2f} s ({cache_mb:.0f} MB); next open (open + graph from the cache) "
        f"{cached_s:.2f} s = {cached_s / scan_s:.2f}x the bare scan, {cached_s / build_s:.2f}x the build; "
        f"CPU time: build {build_cpu:.2f} s = {build_cpu / scan_cpu:.2f}x the scan's {scan_cpu:.2f} s, "
        f"next open {cached_cpu:.2f} s = {cached_cpu / scan_cpu:.2f}x"
    )

    print(
        f"build: {build_s:.2f} s for {graph.number_of_nodes()} nodes / {graph.number_of_edges()} edges "
        f"(bare row scan {scan_s:.2f} s = {build_s / scan_s:.1f}x; add_edges_from of the edge rows alone "
        f"{add_edges_s:.2f} s); graph holds {graph_mb:.0f} MB, process peak {peak_mb:.0f} MB"
    )

    ordinary = [f"note:n{i}" for i in rng.sample(range(notes // 2, notes), args.queries)]
    hub = max((n for n in graph if n.startswith("note:")), key=lambda n: len(graph._pred[n]))
    undirected = graph.to_undirected(as_view=True)
    pairs = list(zip(ordinary, ordinary[1:] + ordinary[:1]))
    figures = {
        "local_ordinary": timed(lambda n: local_graph(graph, n, radius=2), [(n,) for n in ordinary]),
        "ego_baseline": timed(
            lambda n: nx.ego_graph(graph, n, radius=2, undirected=True), [(n,) for n in ordinary[: args.ego_calls]]
        ),
        "path_ordinary": timed(lambda a, b: path(graph, a, b), pairs),
        "path_baseline": timed(lambda a, b: nx.shortest_path(undirected, a, b), pairs[:50]),
        "local_hub": timed(lambda n: local_graph(graph, n, radius=2), [(hub,)] * 20),
        "path_hub": timed(lambda a, b: path(graph, a, b), [(hub, n) for n in ordinary[:50]]),
        "neighbors_hub_page": timed(lambda n: neighbors(graph, n, limit=20, offset=100), [(hub,)] * 20),
    }
    print(f"biggest hub {hub}: {len(graph._pred[hub])} in-links, {len(graph._succ[hub])} out-links")
    print(f"{'query':22} {'p50 ms':>9} {'p95 ms':>9}")
    for name, (p50, p95) in figures.items():
        print(f"{name:22} {p50:9.2f} {p95:9.2f}")
    print(
        f"local r=2 vs nx.ego_graph p50: {figures['local_ordinary'][0] / figures['ego_baseline'][0]:.2f}x; "
        f"path vs nx.shortest_path p50: {figures['path_ordinary'][0] / figures['path_baseline'][0]:.2f}x"
    )
    result = {
        "notes": notes,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "build_s": round(build_s, 3),
        "scan_s": round(scan_s, 3),
        "add_edges_from_s": round(add_edges_s, 3),
        "build_vs_scan": round(build_s / scan_s, 2),
        "cache_save_s": round(save_s, 3),
        "cache_mb": round(cache_mb),
        "cached_open_s": round(cached_s, 3),
        "cached_open_vs_scan": round(cached_s / scan_s, 2),
        # CPU time of this process: on a shared machine, less disturbed by other jobs than the wall clock
        "build_cpu_s": round(build_cpu, 3),
        "scan_cpu_s": round(scan_cpu, 3),
        "cached_open_cpu_s": round(cached_cpu, 3),
        "build_vs_scan_cpu": round(build_cpu / scan_cpu, 2),
        "cached_open_vs_scan_cpu": round(cached_cpu / scan_cpu, 2),
        "graph_mb": round(graph_mb),
        "peak_mb": round(peak_mb),
        **{f"{name}_p50_ms": round(v[0], 3) for name, v in figures.items()},
        **{f"{name}_p95_ms": round(v[1], 3) for name, v in figures.items()},
        "targets_met": build_s <= 3
        and peak_mb <= 2048
        and figures["local_ordinary"][1] <= 10
        and figures["path_ordinary"][1] <= 10,
    }
    nb.close()
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]  # shared machine: compare the ratios
    print(f"load average {' '.join(map(str, result['load_average']))}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
