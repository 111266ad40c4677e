"""The notebook's schema: the migrations in order, the schema version, and how a connection is opened.

Each table has one owning module in this package: ``nodes`` (inquiries, notes, note_summaries, claims,
papers, citations, edges), ``specs`` (repro_specs), ``search`` (the FTS5 ``search`` table), ``runs``
(runs, run_events), ``sweeps`` and ``settings``. The import engine (``apply``) and the app's paged reads
(``browse``) read and write through those rooms' SQL; nothing outside ``inquiry.store`` issues SQL.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

DB_NAME = "notebook.db"

# Each entry migrates the schema from version i to i+1. Never edit a shipped entry: append.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE inquiries (
        id TEXT PRIMARY KEY, question TEXT NOT NULL, framing TEXT NOT NULL DEFAULT '',
        essay TEXT NOT NULL DEFAULT '[]', next_lines TEXT NOT NULL DEFAULT '[]',
        sources_declared INTEGER, source_path TEXT, content_hash TEXT,
        created TEXT NOT NULL, updated TEXT NOT NULL);
    CREATE TABLE notes (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '', topics TEXT NOT NULL DEFAULT '[]',
        aliases TEXT NOT NULL DEFAULT '[]', is_placeholder INTEGER NOT NULL DEFAULT 0,
        arxiv TEXT, created TEXT NOT NULL, updated TEXT NOT NULL);
    CREATE TABLE note_summaries (
        note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
        source_id TEXT NOT NULL, summary TEXT NOT NULL,
        PRIMARY KEY (note_id, source_id));
    CREATE TABLE claims (
        id TEXT PRIMARY KEY, note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL DEFAULT 0, text TEXT NOT NULL, kind TEXT NOT NULL,
        quantities TEXT NOT NULL DEFAULT '[]', status TEXT NOT NULL DEFAULT 'untested',
        retired INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX claims_note ON claims(note_id);
    CREATE TABLE papers (id TEXT PRIMARY KEY, name TEXT NOT NULL, arxiv TEXT);
    CREATE TABLE citations (
        id INTEGER PRIMARY KEY,
        inquiry_id TEXT NOT NULL REFERENCES inquiries(id) ON DELETE CASCADE,
        note_id TEXT NOT NULL REFERENCES notes(id),
        paragraph INTEGER NOT NULL, sentence TEXT NOT NULL,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, prefix TEXT);
    CREATE INDEX citations_inquiry ON citations(inquiry_id);
    CREATE INDEX citations_note ON citations(note_id);
    CREATE TABLE edges (
        id INTEGER PRIMARY KEY, src TEXT NOT NULL, dst TEXT NOT NULL, kind TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'accepted', why TEXT, provenance TEXT,
        attrs TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL,
        UNIQUE (src, dst, kind));
    CREATE INDEX edges_src ON edges(src);
    CREATE INDEX edges_dst ON edges(dst);
    CREATE TABLE repro_specs (
        id INTEGER PRIMARY KEY, claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        runner TEXT NOT NULL, preset TEXT NOT NULL DEFAULT 'default',
        overrides TEXT NOT NULL DEFAULT '{}', predicts TEXT NOT NULL, why TEXT NOT NULL DEFAULT '',
        UNIQUE (claim_id, runner, preset));
    CREATE TABLE runs (
        id TEXT PRIMARY KEY, claim_id TEXT REFERENCES claims(id), runner TEXT NOT NULL,
        preset TEXT, config TEXT NOT NULL DEFAULT '{}', seed INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL, backend TEXT NOT NULL DEFAULT 'local', sweep_id TEXT,
        created TEXT NOT NULL, started TEXT, ended TEXT, heartbeat TEXT,
        pid INTEGER, host TEXT, step INTEGER, total INTEGER, message TEXT,
        live_metrics TEXT NOT NULL DEFAULT '{}', result TEXT, verdict TEXT,
        error TEXT, provenance TEXT NOT NULL DEFAULT '{}', cancel_requested INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX runs_claim ON runs(claim_id);
    CREATE INDEX runs_status ON runs(status);
    CREATE TABLE run_events (
        id INTEGER PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        ts TEXT NOT NULL, step INTEGER, total INTEGER, message TEXT, metrics TEXT NOT NULL DEFAULT '{}');
    CREATE INDEX run_events_run ON run_events(run_id);
    CREATE VIRTUAL TABLE search USING fts5(
        node_id UNINDEXED, kind UNINDEXED, title, body, tokenize = 'porter unicode61');
    """,
    # 1 -> 2: seed/config sweeps with their pooled results (inquiry.runs.sweeps), notebook-level settings
    """
    CREATE TABLE sweeps (
        id TEXT PRIMARY KEY, claim_id TEXT REFERENCES claims(id), runner TEXT NOT NULL,
        axes TEXT NOT NULL DEFAULT '{}', backend TEXT NOT NULL DEFAULT 'local', created TEXT NOT NULL,
        pooled TEXT, verdict TEXT);
    CREATE INDEX runs_sweep ON runs(sweep_id);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2 -> 3: papers as references (bibliographic metadata, the BibTeX entry as imported); a note's source url
    """
    ALTER TABLE notes ADD COLUMN url TEXT;
    CREATE INDEX notes_url ON notes(url);
    ALTER TABLE papers ADD COLUMN doi TEXT;
    ALTER TABLE papers ADD COLUMN title TEXT;
    ALTER TABLE papers ADD COLUMN authors TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE papers ADD COLUMN year INTEGER;
    ALTER TABLE papers ADD COLUMN url TEXT;
    ALTER TABLE papers ADD COLUMN bibkey TEXT;
    ALTER TABLE papers ADD COLUMN entry_type TEXT;
    ALTER TABLE papers ADD COLUMN fields TEXT NOT NULL DEFAULT '{}';
    """,
    # 3 -> 4: specs get a state (only accepted ones decide a status), a provenance and a part (a conjunction's
    # clause); claims remember a status imported from another notebook apart from the one their runs give.
    # Statuses and rule-made specs are recomputed under the new evidence rule on the first open
    # (inquiry.runs.status.upgrade, triggered by the settings marker).
    """
    CREATE TABLE repro_specs_v4 (
        id INTEGER PRIMARY KEY, claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
        runner TEXT NOT NULL, preset TEXT NOT NULL DEFAULT 'default',
        overrides TEXT NOT NULL DEFAULT '{}', predicts TEXT NOT NULL, why TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'suggested', provenance TEXT NOT NULL DEFAULT 'user',
        part INTEGER NOT NULL DEFAULT 0, part_text TEXT NOT NULL DEFAULT '',
        UNIQUE (claim_id, runner, preset));
    INSERT INTO repro_specs_v4 (id, claim_id, runner, preset, overrides, predicts, why, state, provenance)
        SELECT id, claim_id, runner, preset, overrides, predicts, why, 'suggested', 'rule:v1' FROM repro_specs;
    DROP TABLE repro_specs;
    ALTER TABLE repro_specs_v4 RENAME TO repro_specs;
    CREATE INDEX repro_specs_claim ON repro_specs(claim_id);
    ALTER TABLE claims ADD COLUMN imported_status TEXT;
    ALTER TABLE claims ADD COLUMN imported_from TEXT;
    INSERT OR REPLACE INTO settings (key, value) VALUES ('evidence.recompute_pending', '3');
    """,
    # 4 -> 5: sweeps lose the verdict column, written by every sweep and never read (the pools hold the verdicts).
    # The table is rebuilt rather than altered: DROP COLUMN needs SQLite 3.35.
    """
    CREATE TABLE sweeps_v5 (
        id TEXT PRIMARY KEY, claim_id TEXT REFERENCES claims(id), runner TEXT NOT NULL,
        axes TEXT NOT NULL DEFAULT '{}', backend TEXT NOT NULL DEFAULT 'local', created TEXT NOT NULL,
        pooled TEXT);
    INSERT INTO sweeps_v5 (id, claim_id, runner, axes, backend, created, pooled)
        SELECT id, claim_id, runner, axes, backend, created, pooled FROM sweeps;
    DROP TABLE sweeps;
    ALTER TABLE sweeps_v5 RENAME TO sweeps;
    """,
    # 5 -> 6: a change counter for the rows the graph is built from, bumped by triggers (so by every
    # connection: run workers, the CLI, the sqlite3 shell), with a random token that changes with it (two
    # copies of a notebook that diverge never share a value). The graph cache (inquiry.graph.cache) is
    # keyed by it. Runs only count where the graph reads them: progress writes leave it alone.
    """
    CREATE TABLE graph_state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, token BLOB NOT NULL);
    INSERT INTO graph_state (id, version, token) VALUES (1, 0, randomblob(8));
    """
    + "".join(
        f"CREATE TRIGGER graph_{table}_{event.split()[0].lower()} AFTER {event} ON {table} "
        "BEGIN UPDATE graph_state SET version = version + 1, token = randomblob(8) WHERE id = 1; END;\n"
        for table in ("inquiries", "notes", "claims", "papers", "runs", "edges", "citations")
        for event in (
            "INSERT",
            "DELETE",
            "UPDATE OF id, claim_id, runner, preset, status, verdict" if table == "runs" else "UPDATE",
        )
    ),
    # 6 -> 7: two indexes that only repeat the first column of a UNIQUE constraint's own index go: the
    # (src, dst, kind) index answers every src lookup, and (claim_id, runner, preset) every claim_id one.
    # edges_src cost a quarter of an import's edge writes and ~7% of a new notebook's size.
    """
    DROP INDEX edges_src;
    DROP INDEX repro_specs_claim;
    """,
]

# the settings key that says "recompute statuses under the current evidence rule" (value: the old schema)
RECOMPUTE_PENDING = "evidence.recompute_pending"

SCHEMA_VERSION = len(MIGRATIONS)


def connect(db_file: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on."""
    conn = sqlite3.connect(db_file, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=30000")  # first: the pragmas below can meet a busy database
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def connect_new(db_file: Path) -> sqlite3.Connection:
    """A connection to a database being created under a temporary name (WAL is switched on at the end)."""
    conn = sqlite3.connect(db_file, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def split_sql(script: str) -> list[str]:
    """The statements of a migration: each ends with ";" at the end of a line (a trigger's body holds "; END")."""
    return [s.strip() for s in _STATEMENT_END.split(script) if s.strip()]


_STATEMENT_END = re.compile(r";[ \t]*(?:\n|\Z)")
