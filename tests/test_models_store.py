"""The domain models and the store: stable ids, merging, atomic batches, search, events."""

from __future__ import annotations

import sqlite3

import pytest

from inquiry.errors import NotFound
from inquiry.ids import claim_id, normalize_title, note_id
from inquiry.models import Claim, Edge, EdgeKind, EdgeState, ImportBatch, Inquiry, Note, kind_of
from inquiry.store import DB_NAME, MIGRATIONS, SCHEMA_VERSION, Notebook


def test_ids_are_stable_across_spellings():
    assert (
        note_id("Does RLVR  expand reasoning?")
        == note_id("does rlvr expand reasoning")
        == "note:does-rlvr-expand-reasoning"
    )
    assert normalize_title("Can RL’s\u00a0gap close?") == "can rl's gap close"
    assert claim_id("note:a", "RL helps.") == claim_id("note:a", "rl helps")
    assert kind_of("claim:a/1").value == "claim"


def test_notebook_folder_has_schema_and_integrity(tmp_path):
    nb = Notebook.open(tmp_path / "nb")
    assert (tmp_path / "nb" / "notebook.db").exists() and nb.schema_version == SCHEMA_VERSION
    assert nb.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert nb.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    nb.close()
    with pytest.raises(NotFound, match="no notebook"):
        Notebook.open(tmp_path / "elsewhere", create=False)


def old_database(folder, version: int, script: str = ""):
    """A notebook database as an older (or newer) inquiry left it: ``script`` run, ``user_version`` set."""
    folder.mkdir()
    conn = sqlite3.connect(folder / DB_NAME)
    conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def test_a_version_1_notebook_is_migrated_with_its_data_intact(tmp_path):
    old_database(
        tmp_path / "nb",
        1,
        MIGRATIONS[0]
        + """
        INSERT INTO notes (id, title, summary, created, updated)
            VALUES ('note:old', 'An old note', 'Written by version 1.', '2024-01-01', '2024-01-01');
        INSERT INTO claims (id, note_id, text, kind) VALUES ('claim:old/1', 'note:old', 'RL helps.', 'qualitative');
        INSERT INTO runs (id, claim_id, runner, status, created, sweep_id)
            VALUES ('run:old', 'claim:old/1', 'probe', 'succeeded', '2024-01-02', NULL);
    """,
    )
    nb = Notebook.open(tmp_path / "nb")
    assert nb.schema_version == SCHEMA_VERSION == 7
    note = nb.get_note("note:old")
    assert (note.title, note.summary) == ("An old note", "Written by version 1.")
    assert [c.text for c in nb.list_claims(note_id="note:old")] == ["RL helps."]
    tables = {row[0] for row in nb.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sweeps", "settings"} <= tables  # what migration 1 -> 2 adds
    paper_columns = {row[1] for row in nb.db.execute("PRAGMA table_info(papers)")}
    assert {"authors", "year", "title", "doi", "bibkey", "fields"} <= paper_columns  # what 2 -> 3 adds
    assert note.url is None
    assert nb.db.execute("SELECT runner, status FROM runs WHERE claim_id = 'claim:old/1'").fetchall() == [
        ("probe", "succeeded")
    ]
    nb.close()
    assert Notebook.open(tmp_path / "nb").schema_version == SCHEMA_VERSION  # opening again changes nothing


def test_a_version_4_notebook_loses_the_unread_sweep_verdict_and_keeps_its_sweeps(tmp_path):
    old_database(
        tmp_path / "nb",
        4,
        "".join(MIGRATIONS[:4])
        + """
        INSERT INTO sweeps (id, claim_id, runner, axes, backend, created, pooled, verdict)
            VALUES ('sweep:old', NULL, 'probe', '{"seed": [0, 1]}', 'local', '2025-01-01', '[]', 'supports');
    """,
    )
    nb = Notebook.open(tmp_path / "nb")
    assert nb.schema_version == SCHEMA_VERSION == 7
    columns = [row[1] for row in nb.db.execute("PRAGMA table_info(sweeps)")]
    assert columns == ["id", "claim_id", "runner", "axes", "backend", "created", "pooled"]
    assert nb.db.execute("SELECT id, runner, axes, pooled FROM sweeps").fetchall() == [
        ("sweep:old", "probe", '{"seed": [0, 1]}', "[]")
    ]
    assert nb.integrity_ok()


def test_a_notebook_from_a_newer_inquiry_is_refused_untouched(tmp_path):
    old_database(tmp_path / "nb", SCHEMA_VERSION + 1)
    with pytest.raises(
        NotFound,
        match=rf"schema version {SCHEMA_VERSION + 1}; this inquiry knows up to "
        rf"{SCHEMA_VERSION}\. Upgrade inquiry to open it",
    ):
        Notebook.open(tmp_path / "nb")
    conn = sqlite3.connect(tmp_path / "nb" / DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0  # no tables were created
    conn.close()


def test_a_version_6_notebook_loses_the_indexes_its_unique_ones_cover_and_keeps_its_rows(tmp_path):
    old_database(
        tmp_path / "nb",
        6,
        "".join(MIGRATIONS[:6])
        + """
        INSERT INTO edges (src, dst, kind, created) VALUES ('inq:a', 'note:b', 'cites', '2025-01-01');
    """,
    )
    nb = Notebook.open(tmp_path / "nb")
    assert nb.schema_version == SCHEMA_VERSION == 7
    indexes = {row[0] for row in nb.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "edges_dst" in indexes and not {"edges_src", "repro_specs_claim"} & indexes
    assert [edge.dst for _, edge in nb.edges(src="inq:a")] == ["note:b"]
    plan = nb.db.execute("EXPLAIN QUERY PLAN SELECT dst FROM edges WHERE src = 'inq:a'").fetchall()
    assert "sqlite_autoindex_edges_1 (src=?)" in plan[0][3]  # src lookups still search an index
    nb.close()


def test_placeholder_never_overwrites_content_and_content_fills_placeholder(notebook):
    notebook.apply(ImportBatch(notes=[Note(id="note:x", title="Is X?", is_placeholder=True)]))
    notebook.apply(
        ImportBatch(
            notes=[Note(id="note:x", title="Is X?", summary="X is so.", summary_variants={"inq:a": "X is so."})]
        )
    )
    assert not notebook.get_note("note:x").is_placeholder
    report = notebook.apply(ImportBatch(notes=[Note(id="note:x", title="Is X?", is_placeholder=True)]))
    note = notebook.get_note("note:x")
    assert (note.summary, note.is_placeholder, report.count("notes", "unchanged")) == ("X is so.", False, 1)
    assert note.summary_variants == {"inq:a": "X is so."}


def _contents(nb: Notebook) -> dict[str, list[tuple]]:
    """Every row an import writes, without timestamps and row ids."""
    queries = {
        "inquiries": "SELECT id, question, essay FROM inquiries",
        "notes": "SELECT id, title, summary, aliases, is_placeholder FROM notes",
        "note_summaries": "SELECT * FROM note_summaries",
        "claims": "SELECT id, note_id, text, retired FROM claims",
        "edges": "SELECT src, dst, kind, state FROM edges",
        "search": "SELECT node_id, title, body FROM search",
    }
    return {table: sorted(nb.db.execute(sql).fetchall()) for table, sql in queries.items()}


def test_a_batch_writes_and_reports_what_its_items_applied_one_by_one_do(tmp_path):
    """Ids given twice, placeholders over content and content over placeholders, in one batch."""
    inquiry = Inquiry(id="inq:q", question="Q?", essay=["Old."])
    items = [
        ImportBatch(inquiries=[inquiry.model_copy(update={"essay": ["New."]})]),  # updated
        ImportBatch(inquiries=[inquiry.model_copy(update={"essay": ["New."]})]),  # then unchanged
        ImportBatch(notes=[Note(id="note:b", title="Is B?", is_placeholder=True)]),  # added
        ImportBatch(notes=[Note(id="note:b", title="Is B?", summary="B.", summary_variants={"inq:q": "B."})]),
        ImportBatch(notes=[Note(id="note:a", title="Is A?", is_placeholder=True, aliases=["A?"])]),  # aliases only
        ImportBatch(notes=[Note(id="note:a", title="Is A?", summary="A.", summary_variants={"inq:q": "A!"})]),
        ImportBatch(claims=[Claim(id="claim:b/1", note_id="note:b", text="B is so.")]),
        ImportBatch(claims=[Claim(id="claim:b/1", note_id="note:b", text="B is so!")]),
    ]
    stored = ImportBatch(
        inquiries=[inquiry], notes=[Note(id="note:a", title="Is A?", summary="A.", summary_variants={"inq:q": "A."})]
    )
    one_by_one, together = Notebook.open(tmp_path / "one"), Notebook.open(tmp_path / "all")
    for nb in (one_by_one, together):
        nb.apply(stored)
    expected: dict[str, dict[str, list[str]]] = {}
    for item in items:
        for kind, outcomes in one_by_one.apply(item).changes.items():
            for outcome, ids in outcomes.items():
                expected.setdefault(kind, {}).setdefault(outcome, []).extend(ids)
    merged = ImportBatch(**{kind: [x for item in items for x in getattr(item, kind)] for kind in expected})
    assert together.apply(merged).changes == expected
    assert expected["inquiries"] == {"updated": ["inq:q"], "unchanged": ["inq:q"]}
    assert expected["claims"] == {"added": ["claim:b/1"], "updated": ["claim:b/1"]}
    assert _contents(together) == _contents(one_by_one)
    assert together.get_note("note:a").summary_variants == {"inq:q": "A!"}


def test_failed_batch_writes_nothing_and_events_follow_commits(notebook):
    events = []
    notebook.listeners.append(events.append)
    bad = ImportBatch(
        notes=[Note(id="note:ok", title="Fine?")],
        claims=[Claim(id="claim:orphan/1", note_id="note:missing", text="No note.")],
    )
    with pytest.raises(Exception, match="FOREIGN KEY"):
        notebook.apply(bad)
    assert notebook.stats()["notes"] == 0 and events == []
    notebook.apply(ImportBatch(notes=[Note(id="note:ok", title="Fine?")]))
    assert events[-1].nodes == ["note:ok"]


def test_reimport_keeps_a_rejected_suggestion_rejected(notebook):
    claims = [Claim(id=f"claim:n/{i}", note_id="note:n", text=t) for i, t in enumerate(["A.", "B."])]
    suggestion = Edge(src="claim:n/0", dst="claim:n/1", kind=EdgeKind.CONTRADICTS, state=EdgeState.SUGGESTED)
    batch = ImportBatch(notes=[Note(id="note:n", title="Is N?", summary="A. B.")], claims=claims, edges=[suggestion])
    notebook.apply(batch)
    ((row, _),) = notebook.edges(kind=EdgeKind.CONTRADICTS, state=None)
    notebook.set_edge_state(row, EdgeState.REJECTED)
    notebook.apply(batch)
    assert notebook.edges(kind=EdgeKind.CONTRADICTS, state=None)[0][1].state is EdgeState.REJECTED


def test_resolve_id_by_prefix_title_and_ambiguity(seeded_notebook):
    nb = seeded_notebook
    rlvr = note_id("Does RLVR actually expand what models can reason about?")
    assert nb.resolve_id("note:does-rlvr") == rlvr
    assert nb.resolve_id("does rlvr actually expand what models can reason about") == rlvr
    with pytest.raises(NotFound, match="ambiguous"):
        nb.resolve_id("note:do")


def test_search_handles_punctuation_and_ranks_titles(seeded_notebook):
    hits = seeded_notebook.search("pass@k")
    assert hits and all("pass" in (h.title + h.snippet).lower() for h in hits)
    assert seeded_notebook.search("sparsity", kinds=["note"])[0].node_id == note_id(
        "Does reinforcement learning update only a small fraction of parameters?"
    )
    assert seeded_notebook.search('"unbalanced') == []


def test_inquiry_round_trips(notebook):
    inquiry = Inquiry(
        id="inq:q",
        question="Q?",
        framing="F.",
        essay=["P0.", "P1."],
        next_lines=["N?"],
        sources_declared=3,
        source_path="/x",
        content_hash="h",
    )
    notebook.apply(ImportBatch(inquiries=[inquiry]))
    assert notebook.get_inquiry("inq:q") == inquiry
