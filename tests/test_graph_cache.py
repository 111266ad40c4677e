"""The graph cache across opens: used when nothing changed, never when anything did, rebuilt when damaged."""

from __future__ import annotations

import sqlite3

import networkx as nx
import pytest
from fixture_graph import hand_built

from inquiry.graph import cache
from inquiry.graph.build import KnowledgeGraph
from inquiry.models import Citation, Claim, Edge, EdgeKind, ImportBatch, Inquiry, Note
from inquiry.store import DB_NAME, MIGRATIONS, SCHEMA_VERSION, Notebook, base
from inquiry.store import apply as apply_module


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INQUIRY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "MIN_ELEMENTS", 0)  # cache even the small hand-built graph
    nb = hand_built(Notebook.open(tmp_path / "nb"))
    nb.close()
    return tmp_path / "nb"


def _snapshot(graph: nx.MultiDiGraph):
    return (
        dict(graph.nodes(data=True)),
        sorted((u, v, k, sorted(a.items())) for u, v, k, a in graph.edges(keys=True, data=True)),
    )


def _open_graph(folder) -> tuple[KnowledgeGraph, tuple]:
    nb = Notebook.open(folder)
    kg = KnowledgeGraph(nb)
    snapshot = _snapshot(kg.graph)
    nb.close()
    return kg, snapshot


def test_an_unchanged_notebook_opens_from_the_cache_and_a_write_between_opens_is_seen(folder):
    first, built = _open_graph(folder)
    again, cached = _open_graph(folder)
    assert (first.from_cache, again.from_cache) == (False, True) and cached == built
    # another process writes (the sqlite3 shell: no inquiry code, only the database's triggers)
    conn = sqlite3.connect(folder / DB_NAME)
    conn.execute("UPDATE notes SET title = 'Renamed note?' WHERE id = 'note:split'")
    conn.commit()
    conn.close()
    after, seen = _open_graph(folder)
    assert not after.from_cache and seen[0]["note:split"]["title"] == "Renamed note?"
    assert seen[1] == built[1]


def test_run_progress_leaves_the_cache_valid_but_a_run_status_does_not(folder):
    _open_graph(folder)
    conn = sqlite3.connect(folder / DB_NAME)
    run = conn.execute("SELECT id FROM runs LIMIT 1").fetchone()[0]
    conn.execute("UPDATE runs SET step = 7, heartbeat = 'now' WHERE id = ?", [run])
    conn.commit()
    kg, _ = _open_graph(folder)
    assert kg.from_cache
    conn.execute("UPDATE runs SET status = 'failed' WHERE id = ?", [run])
    conn.commit()
    conn.close()
    kg, snapshot = _open_graph(folder)
    assert not kg.from_cache and snapshot[0][run]["status"] == "failed"


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_cache_file_is_rebuilt_not_a_crash(folder, damage):
    _, built = _open_graph(folder)
    nb = Notebook.open(folder)
    path = cache.cache_file(nb)
    nb.close()
    data = path.read_bytes()
    path.write_bytes(
        {
            "truncate": data[: len(data) // 2],
            "flip": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
            "garbage": b"\x00\xff" * 100,
            "empty": b"",
        }[damage]
    )
    kg, snapshot = _open_graph(folder)
    assert not kg.from_cache and snapshot == built
    kg, _ = _open_graph(folder)  # the rebuild replaced the file
    assert kg.from_cache


def test_a_version_5_notebook_gets_the_change_counter(tmp_path):
    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.executescript("".join(MIGRATIONS[:5]))
    conn.execute("INSERT INTO notes (id, title, created, updated) VALUES ('note:old', 'Old note?', '2025', '2025')")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    nb = Notebook.open(tmp_path)
    assert nb.schema_version == SCHEMA_VERSION == 7
    before = nb.graph_version()
    with nb.transaction():
        nb.db.execute("UPDATE notes SET title = 'Renamed?' WHERE id = 'note:old'")
        assert nb.graph_version() is None  # inside a write: no key
    after = nb.graph_version()
    assert before[0] == 0 and after[0] == 1 and after[1] != before[1]
    nb.close()


def _triggers(conn) -> list[tuple[str, str]]:
    """The triggers and indexes a bulk import drops and recreates."""
    return conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') ORDER BY name"
    ).fetchall()


def _batch(note: str = "Is X?") -> ImportBatch:
    return ImportBatch(
        inquiries=[Inquiry(id="inq:q", question="Does X hold?", essay=[f"See {note}"])],
        notes=[Note(id="note:x", title=note, summary="X is so.", summary_variants={"inq:q": "X is so."})],
        claims=[Claim(id="claim:x/1", note_id="note:x", text="X is so.")],
        citations=[Citation(inquiry_id="inq:q", note_id="note:x", paragraph=0, sentence="See", start=4, end=9)],
        edges=[Edge(src="inq:q", dst="note:x", kind=EdgeKind.CITES, provenance="importer")],
    )


def test_an_import_counts_once_and_no_other_connection_sees_a_trigger_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(base, "BULK_ROWS", 1)  # and the indexes of the tables it fills are built after the rows
    nb = Notebook.open(tmp_path / "nb")
    triggers, start = _triggers(nb.db.conn), nb.graph_version()
    other = sqlite3.connect(tmp_path / "nb" / DB_NAME)
    seen_during = []
    real_add_specs = apply_module.add_specs

    def add_specs_and_look(nb_, specs):  # half-way through the import, with the triggers paused
        seen_during.append(_triggers(other))
        real_add_specs(nb_, specs)

    monkeypatch.setattr(apply_module, "add_specs", add_specs_and_look)
    nb.apply(_batch())  # 9 rows, each of which a trigger would count
    imported = nb.graph_version()
    assert seen_during == [triggers] and _triggers(nb.db.conn) == _triggers(other) == triggers
    assert imported[0] == start[0] + 1 and imported[1] != start[1]
    nb.apply(_batch())  # unchanged: nothing written, nothing counted
    assert nb.graph_version() == imported
    nb.apply(_batch(note="Is X so?"))  # a changed title is counted
    assert nb.graph_version()[0] == imported[0] + 1
    other.execute("UPDATE notes SET title = 'Renamed?' WHERE id = 'note:x'")  # the triggers still count others
    other.commit()
    assert nb.graph_version()[0] == imported[0] + 2
    other.close()


def test_a_failed_import_inside_a_larger_write_rolls_back_to_every_trigger(tmp_path, monkeypatch):
    monkeypatch.setattr(base, "BULK_ROWS", 1)  # the citations' and edges' indexes are dropped too
    nb = Notebook.open(tmp_path / "nb")
    triggers, start = _triggers(nb.db.conn), nb.graph_version()
    bad = _batch().model_copy(update={"claims": [Claim(id="claim:orphan/1", note_id="note:missing", text="No.")]})
    with nb.transaction():
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            nb.apply(bad)
        assert _triggers(nb.db.conn) == triggers
        nb.db.execute("INSERT INTO papers (id, name) VALUES ('paper:p', 'P 2025')")  # counted by its trigger
    assert nb.get_note("note:x") is None and nb.get_paper("paper:p") is not None
    assert nb.graph_version()[0] == start[0] + 1


def test_citations_that_fail_with_their_indexes_dropped_leave_the_indexes(tmp_path, monkeypatch):
    monkeypatch.setattr(base, "BULK_ROWS", 1)
    nb = Notebook.open(tmp_path / "nb")
    nb.apply(_batch().model_copy(update={"citations": []}))
    indexes = _triggers(nb.db.conn)
    orphan = Citation(inquiry_id="inq:q", note_id="note:missing", paragraph=0, sentence="", start=0, end=1)
    with nb.transaction():
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            nb.replace_citations(_batch().inquiries, [orphan])
        assert _triggers(nb.db.conn) == indexes
    assert nb.citations() == []
