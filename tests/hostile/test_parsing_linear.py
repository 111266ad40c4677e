"""Hostile documents that made parsing quadratic (issue 21, item 2): each now parses in time linear in its size.

The ratio tests make the input four times larger and bound the growth of the best of a few timings of CPU time;
a quadratic parser gives ~16×, a linear one ~4× (4.4× measured for n log n), so the bound (< 8×) fails on the old
code and leaves room for what a full suite run does to caches (a 2× step once measured 6× there, 2.2× alone).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

from inquiry.importing import import_paths
from inquiry.notes.citations import MAX_SENTENCE, TitleIndex, scan_citations
from inquiry.notes.claims import split_sentences
from inquiry.store import DB_NAME


def _grows_linearly(make: Callable[[int], str], parse: Callable[[str], object], n: int, repeats: int = 3) -> None:
    """Time at 4n < 8 × time at n, from the best of a few interleaved timings of this thread's CPU time (wall
    time on a loaded machine measured the scheduler, not the parser). Up to three attempts; quadratic code fails
    every one."""
    small, large = make(n), make(4 * n)
    parse(small)  # warm caches (regex compilation, imports)
    ratios = []
    # as timeit does: a collection of the heap earlier tests left behind would land in one timing, not the other
    gc.collect()
    gc.disable()
    try:
        _time_ratios(small, large, parse, repeats, ratios)
    finally:
        gc.enable()
    if ratios[-1] >= 8:
        raise AssertionError(f"time at 4n / time at n: {ratios}")


def _time_ratios(small: str, large: str, parse: Callable[[str], object], repeats: int, ratios: list[float]) -> None:
    for _attempt in range(3):
        t_small = t_large = float("inf")
        for _ in range(repeats):
            for text in (small, large):
                started = time.thread_time()
                parse(text)
                took = time.thread_time() - started
                if text is small:
                    t_small = min(t_small, took)
                else:
                    t_large = min(t_large, took)
        assert t_large < 5
        ratios.append(t_large / max(t_small, 1e-4))
        if ratios[-1] < 8:
            return


def _question_words(n: int) -> str:
    return "What if RL helps, " * n  # question words and no "?": every word started a scan to the end


def _abbreviations(n: int) -> str:
    return "Nie et al. Show e.g. Gains vs. Base " * n  # no sentence ever ends: the sentence so far grew


def _scan(paragraph: str) -> object:
    return scan_citations("inq:x", [paragraph], TitleIndex({"does rl help the model": "note:a"}))


def test_question_words_without_a_question_mark_scan_in_linear_time():
    _grows_linearly(_question_words, _scan, 4000)  # 72 KB → 288 KB (80 KB took 11 s)


def test_question_words_before_a_late_question_mark_scan_in_linear_time():
    _grows_linearly(lambda n: _question_words(n) + "really?", _scan, 4000)


def test_abbreviations_split_in_linear_time():
    _grows_linearly(_abbreviations, split_sentences, 12_000, repeats=7)  # 420 KB → 1.7 MB (56 KB took 15 s)


def test_many_citations_in_one_paragraph_scan_in_linear_time():
    _grows_linearly(lambda n: "It helps, Does RL help the model? " * n, _scan, 5000)  # 0.13 s CPU at n


def test_ten_thousand_citations_in_one_paragraph_import_fast_and_small(notebook, tmp_path):
    title = "Does RL help the model?"
    doc = tmp_path / "many.inquiry.txt"
    paragraph = "Base models win at high k " + " ".join(f"({i}) {title}" for i in range(10_000))
    doc.write_text(
        f"INQUIRING LINE\n\nWhat does RL do?\n\nFraming.\n\n{paragraph}\n\n"
        f"Sources 1 notes\n\n{title}\n\nRL narrows sampling.\n",
        encoding="utf-8",
    )
    assert doc.stat().st_size > 250_000
    started = time.monotonic()
    import_paths(notebook, [doc])
    assert time.monotonic() - started < 5
    rows = notebook.db.execute("SELECT count(*), max(length(sentence)) FROM citations").fetchone()
    assert rows[0] == 10_000 and rows[1] <= MAX_SENTENCE
    notebook.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(p.stat().st_size for p in Path(notebook.path).glob(f"{DB_NAME}*"))
    assert size < 40_000_000  # was 1.8 GB: the 179 KB sentence copied into every row


def test_ten_thousand_wikilinks_in_a_vault_essay_import_fast(notebook, tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Note A.md").write_text("# Note A\n\nRL narrows sampling.\n", encoding="utf-8")
    essay = "Base models win " + " ".join(f"x{i} [[Note A]]" for i in range(10_000))
    (vault / "Q.md").write_text(
        f"---\ntype: inquiry\n---\n# What does RL do?\n\nFraming.\n\n## Essay\n\n{essay}\n", encoding="utf-8"
    )
    started = time.monotonic()
    import_paths(notebook, [vault])
    assert time.monotonic() - started < 5
    rows = notebook.db.execute("SELECT count(*), max(length(sentence)) FROM citations").fetchone()
    assert rows[0] == 10_000 and rows[1] <= MAX_SENTENCE


def test_short_texts_split_as_before():
    text = "Nie et al. show gains of 2.5×. Base wins at k=256! Why? See Fig. 3 and e.g. Table 2. Done."
    assert [s for _, _, s in split_sentences(text)] == [
        "Nie et al. show gains of 2.5×.",
        "Base wins at k=256!",
        "Why?",
        "See Fig. 3 and e.g. Table 2.",
        "Done.",
    ]
