"""The notebook: a folder holding ``notebook.db`` (SQLite through sqlite-utils) and run artifacts.

The store is the single source of truth. Other layers read and write through it; parsers hand
it an :class:`~inquiry.models.ImportBatch` and it applies the whole batch in one transaction.

>>> import tempfile
>>> nb = Notebook.open(tempfile.mkdtemp())
>>> nb.stats()["notes"]
0
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import InquiryError, NotFound
from .models import (
    Citation,
    Claim,
    Edge,
    EdgeKind,
    EdgeState,
    ImportBatch,
    Inquiry,
    NodeKind,
    Note,
    Paper,
    ReproSpec,
    SpecState,
    Status,
    kind_of,
    utcnow,
)

DB_NAME = "notebook.db"
# what follows "run:" in a run id: a plain name (no "/", no leading dot, so never ".." or hidden)
RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
RUNS_DIR = "runs"

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
]

# the settings key that says "recompute statuses under the current evidence rule" (value: the old schema)
RECOMPUTE_PENDING = "evidence.recompute_pending"

SCHEMA_VERSION = len(MIGRATIONS)

_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass
class ApplyReport:
    """What an import changed, per kind: ``{"notes": {"added": [...], "updated": [...], ...}}``."""

    changes: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def record(self, kind: str, outcome: str, node_id: str) -> None:
        self.changes.setdefault(kind, {}).setdefault(outcome, []).append(node_id)

    def count(self, kind: str, outcome: str) -> int:
        return len(self.changes.get(kind, {}).get(outcome, []))

    @property
    def changed_ids(self) -> list[str]:
        return [
            node_id
            for outcomes in self.changes.values()
            for outcome, ids in outcomes.items()
            if outcome != "unchanged"
            for node_id in ids
        ]


@dataclass
class SearchHit:
    node_id: str
    kind: str
    title: str
    marked: str  # the snippet with MATCH_START/MATCH_END around matched words
    rank: float

    @property
    def snippet(self) -> str:
        return self.marked.replace(MATCH_START, "").replace(MATCH_END, "")


@dataclass
class ChangeEvent:
    """Emitted after a committed write so that derived views (the graph) can follow."""

    nodes: list[str] = field(default_factory=list)  # ids added or updated
    removed: list[str] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)  # edges added or whose state changed
    removed_edges: list[tuple[str, str, str]] = field(default_factory=list)


# json.dumps(value, ensure_ascii=False, sort_keys=True) builds a new encoder per call; imports dump ~100k values
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def where_sql(filters: dict[str, Any], *conditions: str) -> tuple[str, list[Any]]:
    """A ``WHERE`` clause for the filters that are set (``None`` means "any") plus fixed conditions.

    >>> where_sql({"note_id": "note:x", "status": None}, "retired = 0")
    (' WHERE note_id = ? AND retired = 0', ['note:x'])
    >>> where_sql({"src": None})
    ('', [])
    """
    set_filters = {column: value for column, value in filters.items() if value is not None}
    clauses = [f"{column} = ?" for column in set_filters] + list(conditions)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), list(set_filters.values())


def _dump(value: Any) -> str:
    return _ENCODER.encode(value)


# A query's cost in FTS5 grows with its terms; a pasted page of text must not take minutes.
MAX_QUERY_TERMS = 16
MAX_TERM_CHARS = 64


def query_terms(text: str) -> tuple[list[str], bool]:
    """The distinct words of a free-text query (first spelling kept), at most :data:`MAX_QUERY_TERMS`
    of at most :data:`MAX_TERM_CHARS` characters, and whether the query was shortened to get them.

    >>> query_terms("rlvr RLVR pass@k")
    (['rlvr', 'pass', 'k'], True)
    """
    seen: dict[str, str] = {}
    shortened = False
    for word in _TOKEN.finditer(text):
        term = word.group()
        if len(term) > MAX_TERM_CHARS:
            term, shortened = term[:MAX_TERM_CHARS], True
        if term.casefold() in seen:
            shortened = True
            continue
        if len(seen) == MAX_QUERY_TERMS:
            return list(seen.values()), True
        seen[term.casefold()] = term
    return list(seen.values()), shortened


def fts_query(text: str) -> str:
    """Turn free text into a safe FTS5 query: every word quoted, all required, the last one a prefix;
    an upper-case ``OR`` between words gives alternatives.

    >>> fts_query('pass@k "base"')
    '"pass" "k" "base"*'
    >>> fts_query('rlvr OR distillation')
    '("rlvr") OR ("distillation"*)'
    """
    alternatives = [words for part in re.split(r"\s+OR\s+", text.strip()) if (words := query_terms(part)[0])]
    if not alternatives:
        return ""
    groups = [[f'"{w}"' for w in words] for words in alternatives]
    groups[-1][-1] += "*"
    if len(groups) == 1:
        return " ".join(groups[0])
    return " OR ".join(f"({' '.join(g)})" for g in groups)


# Marks around the matched words in a search hit's ``marked`` snippet (control characters that never
# occur in notes), so a display can style them; ``SearchHit.snippet`` is the plain text.
MATCH_START, MATCH_END = "\x02", "\x03"


class Notebook:
    """A notebook folder. Open one with :meth:`open`; it creates and migrates the database."""

    def __init__(self, path: Path, db: sqlite_utils.Database):
        self.path = path
        self.db = db
        self.listeners: list[Callable[[ChangeEvent], None]] = []
        self._depth = 0
        self._pending = ChangeEvent()

    # ---- lifecycle -------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], create: bool = True, initialise: Callable[[Notebook], object] | None = None
    ) -> Notebook:
        """Open the notebook in ``path``, creating it when there is none (and ``create``).

        Creation is atomic: the database is built under a temporary name, migrated and filled by
        ``initialise`` (the CLI imports the bundled example there), then renamed into place, all under
        a lock file. Several processes opening a new notebook at once, or one killed half-way, end
        with either no notebook or a complete one — never a half-made one that stays so.
        """
        folder = Path(path).expanduser()
        db_file = folder / DB_NAME
        if not db_file.exists():
            if not create:
                raise NotFound(f"no notebook at {folder} (expected {DB_NAME})")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InquiryError(f"cannot create a notebook at {folder}: {exc.strerror or exc}") from None
            cls._create_atomically(folder, initialise)
        nb = cls(folder, sqlite_utils.Database(cls._connect(db_file)))
        nb._migrate()
        return nb

    @staticmethod
    def _connect(db_file: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(db_file, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=30000")  # first: the pragmas below can meet a busy database
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @classmethod
    def _create_atomically(cls, folder: Path, initialise: Callable[[Notebook], object] | None) -> None:
        import fcntl

        with open(folder / ".notebook.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the process dies
            if (folder / DB_NAME).exists():  # another process finished it while we waited
                return
            tmp = folder / f".{DB_NAME}.creating-{os.getpid()}"
            for stale in folder.glob(f".{DB_NAME}.creating-*"):  # left by a creator that was killed
                stale.unlink(missing_ok=True)
            conn = sqlite3.connect(tmp, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA foreign_keys=ON")
            nb = cls(folder, sqlite_utils.Database(conn))
            try:
                nb._migrate()
                if initialise is not None:
                    initialise(nb)
                conn.execute("PRAGMA journal_mode=WAL")
            finally:
                conn.close()
            os.replace(tmp, folder / DB_NAME)

    def close(self) -> None:
        self.db.conn.close()

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise NotFound(
                f"{self.path / DB_NAME} has schema version {version}; this inquiry knows up to "
                f"{SCHEMA_VERSION}. Upgrade inquiry to open it."
            )
        for target in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _split_sql(MIGRATIONS[target]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target + 1}")
        if version == 0 and SCHEMA_VERSION > 0:  # a new notebook has nothing to recompute
            self.db.execute("DELETE FROM settings WHERE key = ?", [RECOMPUTE_PENDING])

    @property
    def runs_dir(self) -> Path:
        return self.path / RUNS_DIR

    def run_dir(self, run_id: str) -> Path:
        """The artifact folder of a run (created on demand), always inside ``runs/``.

        Run ids can come from files (a vault's run notes), so an id is a name here, never a path.
        """
        name = run_id.removeprefix("run:")
        if not RUN_NAME.fullmatch(name):
            raise InquiryError(f"not a run id: {run_id!r} (expected run: and letters, digits, '.', '_', '-')")
        folder = self.runs_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    # ---- transactions and change events ----------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work; nests (inner blocks join the outer one).

        Listeners hear about the changes only after the outermost block commits.
        """
        outer = self._depth == 0
        if outer:
            self.db.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if outer:
                self.db.execute("ROLLBACK")
                self._pending = ChangeEvent()
            raise
        self._depth -= 1
        if outer:
            self.db.execute("COMMIT")
            event, self._pending = self._pending, ChangeEvent()
            if event.nodes or event.removed or event.edges or event.removed_edges:
                for listener in list(self.listeners):
                    listener(event)

    def _touch(self, node_id: str) -> None:
        self._pending.nodes.append(node_id)

    # ---- import ----------------------------------------------------------------------------

    def apply(self, batch: ImportBatch) -> ApplyReport:
        """Write a whole import batch atomically; unchanged rows stay untouched.

        Re-applying the same batch reports everything as ``unchanged``. Rows are read and written
        in bulk (an ``IN`` query per table, ``executemany``), with the outcome of writing them one by
        one in batch order: an id the batch holds twice sees its first version.
        """
        report = ApplyReport()
        with self.transaction(), self._import_cache():
            outcomes = self._upsert_rows(
                "inquiries",
                [
                    (
                        i.id,
                        {
                            "question": i.question,
                            "framing": i.framing,
                            "essay": _dump(i.essay),
                            "next_lines": _dump(i.next_lines),
                            "sources_declared": i.sources_declared,
                            "source_path": i.source_path,
                            "content_hash": i.content_hash,
                        },
                    )
                    for i in batch.inquiries
                ],
                timestamps=True,
            )
            self._index(
                [
                    (i.id, NodeKind.INQUIRY, i.question, "\n\n".join([i.framing, *i.essay]), outcome)
                    for i, outcome in zip(batch.inquiries, outcomes)
                ],
                report,
                "inquiries",
            )
            self._upsert_notes(batch.notes, report)
            self._upsert_papers(batch.papers, report)
            self._replace_claims(batch.claims, report)
            self._replace_citations(batch.inquiries, batch.citations)
            self._add_new_edges(batch.edges)
            self.db.conn.executemany(_ADD_SPEC, [_spec_row(spec) for spec in batch.specs])
        return report

    @contextmanager
    def _import_cache(self) -> Iterator[None]:
        """A page cache big enough for an import's index updates, back to the usual size afterwards.

        A large import inserts edges keyed by long ids all over three indexes; with SQLite's default
        2 MB cache the pages thrash (10k documents: 1.5x slower). Memory is only used as pages are read.
        """
        usual = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute(f"PRAGMA cache_size = {-_IMPORT_CACHE_KIB}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size = {int(usual)}")

    def _rows_by_id(self, table: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored rows of ``table`` with these ids, as dicts keyed by id."""
        rows: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            cursor = self.db.execute(f"SELECT * FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            columns = [d[0] for d in cursor.description]
            for values in cursor:
                row = dict(zip(columns, values))
                rows[row["id"]] = row
        return rows

    def _upsert_rows(
        self,
        table: str,
        rows: list[tuple[str, dict[str, Any]]],
        timestamps: bool = False,
        current: dict[str, dict[str, Any]] | None = None,
    ) -> list[str]:
        """Insert or update ``(id, values)`` rows; returns each one's outcome: added, updated or unchanged.

        ``current``: the stored rows by id, where the caller has read them already.
        """
        if current is None:
            current = self._rows_by_id(table, [row_id for row_id, _ in rows])
        now = utcnow()
        inserts: list[dict[str, Any]] = []
        updates: list[tuple[str, dict[str, Any]]] = []
        outcomes: list[str] = []
        for row_id, values in rows:
            stored = current.get(row_id)
            if stored is None:
                row = current[row_id] = {"id": row_id, **values}
                if timestamps:
                    row.update(created=now, updated=now)
                inserts.append(row)
                outcomes.append("added")
            elif all(stored.get(k) == v for k, v in values.items()):
                outcomes.append("unchanged")
                continue
            else:
                if timestamps:
                    values = {**values, "updated": now}
                stored.update(values)
                updates.append((row_id, values))
                outcomes.append("updated")
            self._touch(row_id)
        if inserts:
            columns = list(inserts[0])
            self.db.conn.executemany(
                f"INSERT INTO {table} ({', '.join(_quote(c) for c in columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                [[row[c] for c in columns] for row in inserts],
            )
        for row_id, values in updates:  # after the inserts: an id given twice is inserted, then updated
            self.db.execute(
                f"UPDATE {table} SET {', '.join(f'{_quote(c)} = ?' for c in values)} WHERE id = ?",
                [*values.values(), row_id],
            )
        return outcomes

    def _upsert_notes(self, notes: list[Note], report: ApplyReport) -> None:
        """Merge notes: a placeholder never overwrites real content; summaries are kept per source."""
        current = self._rows_by_id("notes", [note.id for note in notes])
        merged_notes: dict[str, Note] = {}  # the note as written so far, for an id the batch holds twice
        written: list[Note] = []
        rows: list[tuple[str, dict[str, Any]]] = []
        variants: list[tuple[str, str, str]] = []
        for note in notes:
            existing = merged_notes.get(note.id)
            if existing is None and note.id in current:
                existing = _note(current[note.id], {})
            if existing is not None:
                if note.is_placeholder:
                    note = existing.model_copy(update={"aliases": _union(existing.aliases, note.aliases)})
                else:
                    note = note.model_copy(
                        update={
                            "summary": note.summary or existing.summary,
                            "body": note.body or existing.body,
                            "topics": _union(existing.topics, note.topics),
                            "aliases": _union(existing.aliases, note.aliases),
                            "arxiv": note.arxiv or existing.arxiv,
                            "url": note.url or existing.url,
                            "is_placeholder": False,
                        }
                    )
            merged_notes[note.id] = note
            written.append(note)
            rows.append(
                (
                    note.id,
                    {
                        "title": note.title,
                        "summary": note.summary,
                        "body": note.body,
                        "topics": _dump(note.topics),
                        "aliases": _dump(note.aliases),
                        "is_placeholder": int(note.is_placeholder),
                        "arxiv": note.arxiv,
                        "url": note.url,
                    },
                )
            )
            variants.extend((note.id, source_id, summary) for source_id, summary in note.summary_variants.items())
        outcomes = self._upsert_rows("notes", rows, timestamps=True, current=current)
        self.db.conn.executemany(
            "INSERT INTO note_summaries (note_id, source_id, summary) VALUES (?, ?, ?) "
            "ON CONFLICT (note_id, source_id) DO UPDATE SET summary = excluded.summary",
            variants,
        )
        self._index(
            [
                (note.id, NodeKind.NOTE, note.title, "\n".join([note.summary, note.body]), outcome)
                for note, outcome in zip(written, outcomes)
            ],
            report,
            "notes",
        )

    def _upsert_papers(self, papers: list[Paper], report: ApplyReport) -> None:
        """Merge papers: a bare mention never erases metadata a ``.bib`` file or an earlier mention gave."""
        current = self._rows_by_id("papers", [paper.id for paper in papers])
        merged: dict[str, Paper] = {}
        for paper in papers:
            existing = merged.get(paper.id) or (_paper(current[paper.id]) if paper.id in current else None)
            merged[paper.id] = merge_papers(existing, paper) if existing is not None else paper
        outcomes = self._upsert_rows("papers", [(p.id, _paper_row(p)) for p in merged.values()], current=current)
        for paper_id, outcome in zip(merged, outcomes):
            report.record("papers", outcome, paper_id)

    def _replace_claims(self, claims: list[Claim], report: ApplyReport) -> None:
        """Make each note's claims equal to the batch's; a dropped claim that has runs is retired, not deleted."""
        claims_by_note: dict[str, list[Claim]] = {}
        for claim in claims:
            claims_by_note.setdefault(claim.note_id, []).append(claim)
        in_order = [claim for group in claims_by_note.values() for claim in group]
        outcomes = self._upsert_rows(
            "claims",
            [
                (
                    claim.id,
                    {
                        "note_id": claim.note_id,
                        "idx": claim.index,
                        "text": claim.text,
                        "kind": claim.kind.value,
                        "quantities": _dump([q.model_dump() for q in claim.quantities]) if claim.quantities else "[]",
                        "retired": 0,
                    },
                )
                for claim in in_order
            ],
        )
        self._index(
            [(claim.id, NodeKind.CLAIM, claim.text, "", outcome) for claim, outcome in zip(in_order, outcomes)],
            report,
            "claims",
        )
        self._add_new_edges(
            [Edge(src=claim.note_id, dst=claim.id, kind=EdgeKind.ASSERTS, provenance="importer") for claim in in_order]
        )
        kept = {claim.id for claim in in_order}
        notes = list(claims_by_note)
        for chunk in _chunks(notes):
            gone = [
                row[0]
                for row in self.db.execute(
                    f"SELECT id FROM claims WHERE retired = 0 AND note_id IN ({','.join('?' * len(chunk))}) "
                    "ORDER BY id",
                    chunk,
                )
                if row[0] not in kept
            ]
            for claim_id in gone:
                self._drop_claim(claim_id)
                report.record("claims", "retired", claim_id)

    def merge_note_into(self, old: str, new: str) -> Note:
        """Fold note ``old`` into note ``new``: its citations, links and source summaries move over, its
        title and aliases become aliases of ``new``, and ``old`` is deleted. Returns the merged note.

        ``old``'s claims are dropped (their ids name ``old``); a claim with runs cannot be dropped, so a
        note whose claims have runs is refused rather than losing their link to the evidence.
        """
        with self.transaction():
            source, target = self.get_note(old), self.get_note(new)
            if source is None or target is None:
                raise NotFound(f"no note with id {old if source is None else new}")
            tested = self.db.execute(
                "SELECT count(*) FROM runs r JOIN claims c ON c.id = r.claim_id WHERE c.note_id = ?", [old]
            ).fetchone()[0]
            if tested:
                raise InquiryError(
                    f"{old} has {tested} run(s) on its claims; merging would cut them off "
                    "from their claims, so it is refused"
                )
            self.db.execute("UPDATE citations SET note_id = ? WHERE note_id = ?", [new, old])
            moved = []
            for row in self.db.query(
                "SELECT * FROM edges WHERE (src = ? OR dst = ?) AND kind != 'asserts'", [old, old]
            ):
                edge = _edge(row)
                src, dst = (new if edge.src == old else edge.src), (new if edge.dst == old else edge.dst)
                if src != dst:
                    moved.append(edge.model_copy(update={"src": src, "dst": dst}))
            for claim in self.list_claims(note_id=old, include_retired=True):
                self._drop_claim(claim.id)
            self.remove_edges(old)
            self._add_new_edges(moved)
            self.db.execute(
                "INSERT OR IGNORE INTO note_summaries (note_id, source_id, summary) "
                "SELECT ?, source_id, summary FROM note_summaries WHERE note_id = ?",
                [new, old],
            )
            self.db.execute("DELETE FROM note_summaries WHERE note_id = ?", [old])
            merged = target.model_copy(
                update={
                    "aliases": [
                        a for a in _union(target.aliases, [source.title, *source.aliases]) if a != target.title
                    ],
                    "topics": _union(target.topics, source.topics),
                    "summary": target.summary or source.summary,
                    "body": target.body or source.body,
                    "is_placeholder": target.is_placeholder and source.is_placeholder,
                    "arxiv": target.arxiv or source.arxiv,
                    "url": target.url or source.url,
                    "summary_variants": {},
                }
            )
            self.db.execute("DELETE FROM notes WHERE id = ?", [old])
            self.db.execute("DELETE FROM search WHERE node_id = ?", [old])
            self._pending.removed.append(old)
            self.save_note(merged)
        return self.get_note(new)  # type: ignore[return-value]

    def merge_paper_into(self, old: str, new: str) -> None:
        """Fold paper ``old`` into ``new`` (two mentions of one paper): what mentioned ``old`` mentions ``new``."""
        with self.transaction():
            moved = [
                _edge(row).model_copy(update={"dst": new})
                for row in self.db.query("SELECT * FROM edges WHERE dst = ?", [old])
            ]
            self.remove_edges(old)
            self._add_new_edges(moved)
            self.db.execute("DELETE FROM papers WHERE id = ?", [old])
            self._pending.removed.append(old)

    def save_note(self, note: Note) -> None:
        """Write a note's own fields as given (title, aliases, summary…); its source summaries stay as stored."""
        with self.transaction():
            self._upsert_rows(
                "notes",
                [
                    (
                        note.id,
                        {
                            "title": note.title,
                            "summary": note.summary,
                            "body": note.body,
                            "topics": _dump(note.topics),
                            "aliases": _dump(note.aliases),
                            "is_placeholder": int(note.is_placeholder),
                            "arxiv": note.arxiv,
                            "url": note.url,
                        },
                    )
                ],
                timestamps=True,
            )
            self.db.execute("DELETE FROM search WHERE node_id = ?", [note.id])
            self.db.execute(
                "INSERT INTO search (node_id, kind, title, body) VALUES (?, ?, ?, ?)",
                [note.id, NodeKind.NOTE.value, note.title, "\n".join([note.summary, note.body])],
            )

    def _drop_claim(self, claim_id: str) -> None:
        """Retire a claim that has runs (their results stay readable); delete one that has none."""
        if self.db.execute("SELECT 1 FROM runs WHERE claim_id = ? LIMIT 1", [claim_id]).fetchone():
            self.db.execute("UPDATE claims SET retired = 1 WHERE id = ?", [claim_id])
            return
        self.db.execute("DELETE FROM repro_specs WHERE claim_id = ?", [claim_id])
        self.remove_edges(node=claim_id)
        self.db.execute("DELETE FROM claims WHERE id = ?", [claim_id])
        self.db.execute("DELETE FROM search WHERE node_id = ?", [claim_id])
        self._pending.removed.append(claim_id)

    def _replace_citations(self, inquiries: list[Inquiry], citations: list[Citation]) -> None:
        """Each inquiry's citations become the batch's: its stored ones are deleted, the new ones inserted."""
        by_inquiry: dict[str, list[Citation]] = {i.id: [] for i in inquiries}
        for citation in citations:
            by_inquiry.setdefault(citation.inquiry_id, []).append(citation)
        stored: set[str] = set()
        for chunk in _chunks(list(by_inquiry)):
            stored.update(
                row[0]
                for row in self.db.execute(
                    f"SELECT DISTINCT inquiry_id FROM citations WHERE inquiry_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        rows: list[tuple[Any, ...]] = []
        for inquiry_id, cited in by_inquiry.items():
            if inquiry_id in stored:  # the pending rows go first: row ids follow the batch order, as one by one
                self._insert_citations(rows)
                rows = []
                self.db.execute("DELETE FROM citations WHERE inquiry_id = ?", [inquiry_id])
            rows.extend((c.inquiry_id, c.note_id, c.paragraph, c.sentence, c.start, c.end, c.prefix) for c in cited)
        self._insert_citations(rows)

    def _insert_citations(self, rows: list[tuple[Any, ...]]) -> None:
        self.db.conn.executemany(
            'INSERT INTO citations (inquiry_id, note_id, paragraph, sentence, start, "end", '
            "prefix) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _index(self, entries: list[tuple[str, NodeKind, str, str, str]], report: ApplyReport, kind: str) -> None:
        """Record each ``(id, kind, title, body, outcome)`` in ``report`` and (re)index the changed ones for search.

        A node given twice is indexed once, with its last text; one that was stored before is deleted first.
        """
        fresh: dict[str, tuple[str, str, str, str]] = {}
        stale: set[str] = set()
        for node_id, node_kind, title, body, outcome in entries:
            report.record(kind, outcome, node_id)
            if outcome == "unchanged":
                continue
            if outcome == "updated" and node_id not in fresh:
                stale.add(node_id)  # node_id is UNINDEXED in FTS5: deleting scans the index, so only when needed
            fresh.pop(node_id, None)
            fresh[node_id] = (node_id, node_kind.value, title, body)
        for chunk in _chunks(sorted(stale)):
            self.db.execute(f"DELETE FROM search WHERE node_id IN ({','.join('?' * len(chunk))})", chunk)
        self.db.conn.executemany(
            "INSERT INTO search (node_id, kind, title, body) VALUES (?, ?, ?, ?)", list(fresh.values())
        )

    # ---- edges -----------------------------------------------------------------------------

    def add_edge(self, edge: Edge, overwrite_state: bool = True) -> int:
        """Insert an edge or update its state/why; returns the edge's row id.

        With ``overwrite_state=False`` an existing edge keeps its state (a re-import does not
        resurrect a suggestion the user rejected).
        """
        with self.transaction():
            row = self.db.execute(
                "SELECT id, state, why FROM edges WHERE src = ? AND dst = ? AND kind = ?",
                [edge.src, edge.dst, edge.kind.value],
            ).fetchone()
            if row is None:
                cursor = self.db.execute(
                    "INSERT INTO edges (src, dst, kind, state, why, provenance, attrs, created) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        edge.src,
                        edge.dst,
                        edge.kind.value,
                        edge.state.value,
                        edge.why,
                        edge.provenance,
                        _dump(edge.attrs),
                        utcnow(),
                    ],
                )
                self._pending.edges.append(edge)
                assert cursor.lastrowid is not None  # set by the INSERT just run
                return cursor.lastrowid
            if overwrite_state and (row[1] != edge.state.value or (edge.why and row[2] != edge.why)):
                self.db.execute(
                    "UPDATE edges SET state = ?, why = COALESCE(?, why), provenance = "
                    "COALESCE(?, provenance) WHERE id = ?",
                    [edge.state.value, edge.why, edge.provenance, row[0]],
                )
                self._pending.edges.append(edge)
            return row[0]

    def _add_new_edges(self, edges: list[Edge]) -> None:
        """Bulk :meth:`add_edge` with ``overwrite_state=False``: insert the edges not yet stored."""
        existing: set[tuple[str, str, str]] = set()
        for chunk in _chunks(sorted({edge.src for edge in edges})):
            existing.update(
                self.db.execute(
                    f"SELECT src, dst, kind FROM edges WHERE src IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
            )
        new = list({edge.key: edge for edge in edges if edge.key not in existing}.values())
        now = utcnow()
        self.db.conn.executemany(
            "INSERT INTO edges (src, dst, kind, state, why, provenance, attrs, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.src,
                    e.dst,
                    e.kind.value,
                    e.state.value,
                    e.why,
                    e.provenance,
                    _dump(e.attrs) if e.attrs else "{}",
                    now,
                )
                for e in new
            ],
        )
        self._pending.edges.extend(new)

    def set_edge_state(self, edge_row_id: int, state: EdgeState) -> Edge:
        with self.transaction():
            edge = self.edge_by_row(edge_row_id)
            self.db.execute("UPDATE edges SET state = ? WHERE id = ?", [state.value, edge_row_id])
            edge = edge.model_copy(update={"state": state})
            self._pending.edges.append(edge)
        return edge

    def edge_by_row(self, edge_row_id: int) -> Edge:
        rows = list(self.db.query("SELECT * FROM edges WHERE id = ?", [edge_row_id]))
        if not rows:
            raise NotFound(f"no relation with id {edge_row_id}")
        return _edge(rows[0])

    def remove_edges(self, node: str) -> None:
        for row in self.db.query("SELECT src, dst, kind FROM edges WHERE src = ? OR dst = ?", [node, node]):
            self._pending.removed_edges.append((row["src"], row["dst"], row["kind"]))
        self.db.execute("DELETE FROM edges WHERE src = ? OR dst = ?", [node, node])

    def edges(
        self,
        src: str | None = None,
        dst: str | None = None,
        kind: EdgeKind | None = None,
        state: EdgeState | None = EdgeState.ACCEPTED,
    ) -> list[tuple[int, Edge]]:
        """Edges matching every given filter, with their row ids (``state=None`` means any state)."""
        where, args = where_sql({"src": src, "dst": dst, "kind": kind and kind.value, "state": state and state.value})
        return [(row["id"], _edge(row)) for row in self.db.query(f"SELECT * FROM edges{where} ORDER BY id", args)]

    # ---- reads -----------------------------------------------------------------------------

    def get_inquiry(self, inquiry_id: str) -> Inquiry | None:
        rows = list(self.db.query("SELECT * FROM inquiries WHERE id = ?", [inquiry_id]))
        return _inquiry(rows[0]) if rows else None

    def get_note(self, note_id: str) -> Note | None:
        rows = list(self.db.query("SELECT * FROM notes WHERE id = ?", [note_id]))
        if not rows:
            return None
        variants = {
            r["source_id"]: r["summary"]
            for r in self.db.query(
                "SELECT source_id, summary FROM note_summaries WHERE note_id = ? ORDER BY source_id", [note_id]
            )
        }
        return _note(rows[0], variants)

    def get_claim(self, claim_id: str) -> Claim | None:
        rows = list(self.db.query("SELECT * FROM claims WHERE id = ?", [claim_id]))
        return _claim(rows[0]) if rows else None

    def get_paper(self, paper_id: str) -> Paper | None:
        rows = list(self.db.query("SELECT * FROM papers WHERE id = ?", [paper_id]))
        return _paper(rows[0]) if rows else None

    def list_papers(self, ids: list[str] | None = None) -> list[Paper]:
        """Every paper (or those with these ids), by year then name."""
        if ids is None:
            rows = list(self.db.query("SELECT * FROM papers"))
        else:
            rows = [
                row
                for chunk in _chunks(ids)
                for row in self.db.query(f"SELECT * FROM papers WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            ]
        return sorted((_paper(r) for r in rows), key=lambda p: (p.year or 0, p.name.casefold(), p.id))

    def split_notes(self) -> list[dict[str, Any]]:
        """Pairs of notes that look like one note split in two by a title change: the same summary text,
        or the same source url, under two ids. Exact matches only — titles are never compared for likeness."""
        pairs = []
        for column, why in (("summary", "same summary"), ("url", "same source url")):
            for group in self.db.execute(
                f"SELECT group_concat(id, char(31)) FROM notes WHERE {column} IS NOT NULL "
                f"AND {column} != '' GROUP BY {column} HAVING count(*) > 1"
            ).fetchall():
                ids = sorted(group[0].split("\x1f"))
                titles = self.titles_of(ids)
                pairs += [
                    {"a": {"id": a, "title": titles[a]}, "b": {"id": b, "title": titles[b]}, "why": why}
                    for i, a in enumerate(ids)
                    for b in ids[i + 1 :]
                ]
        return pairs

    def note_urls(self) -> dict[str, str]:
        """Source url → note id, for recognizing a note exported again under a new title."""
        return dict(self.db.execute("SELECT url, id FROM notes WHERE url IS NOT NULL").fetchall())

    def get_node(self, node_id: str) -> Inquiry | Note | Claim | Paper | dict[str, Any]:
        """Any node by id; runs come back as their row dict. Raises :class:`NotFound`."""
        try:
            kind = kind_of(node_id)
        except ValueError as exc:
            raise NotFound(str(exc)) from None
        getter = {
            NodeKind.INQUIRY: self.get_inquiry,
            NodeKind.NOTE: self.get_note,
            NodeKind.CLAIM: self.get_claim,
            NodeKind.PAPER: self.get_paper,
            NodeKind.RUN: self.get_run_row,
        }[kind]
        node = getter(node_id)
        if node is None:
            raise NotFound(f"no {kind.value} with id {node_id}")
        return node

    def resolve_id(self, ref: str) -> str:
        """A full node id from an id, a unique id prefix or an exact title (case-insensitive).

        Lets users type ``inquiry show note:does-rlvr`` instead of the whole id.
        """
        for table in ("inquiries", "notes", "claims", "papers", "runs"):
            if self.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [ref]).fetchone():
                return ref
        matches = [
            r[0]
            for table in ("inquiries", "notes", "claims", "runs")
            for r in self.db.execute(f"SELECT id FROM {table} WHERE id LIKE ? LIMIT 3", [ref.replace("%", "") + "%"])
        ]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NotFound(f"{ref!r} is ambiguous: {', '.join(matches[:3])} …")
        from .ids import normalize_title

        wanted = normalize_title(ref)
        for table, column in (("inquiries", "question"), ("notes", "title")):
            for row in self.db.query(f"SELECT id, {column} AS t FROM {table}"):
                if normalize_title(row["t"]) == wanted:
                    return row["id"]
        by_alias = self.titles().get(wanted)  # a note's former title
        if by_alias is not None:
            return by_alias
        for row in self.db.query("SELECT id, name, bibkey FROM papers"):
            if wanted in (normalize_title(row["name"]), normalize_title(row["bibkey"] or "")):
                return row["id"]
        raise NotFound(f"nothing in the notebook matches {ref!r}")

    def list_inquiries(self) -> list[Inquiry]:
        return [_inquiry(r) for r in self.db.query("SELECT * FROM inquiries ORDER BY question")]

    def list_notes(self, placeholders: bool | None = None) -> list[Note]:
        sql = "SELECT * FROM notes"
        if placeholders is not None:
            sql += f" WHERE is_placeholder = {int(placeholders)}"
        return [_note(r, {}) for r in self.db.query(sql + " ORDER BY title")]

    def list_claims(
        self, note_id: str | None = None, status: Status | None = None, include_retired: bool = False
    ) -> list[Claim]:
        where, args = where_sql(
            {"note_id": note_id, "status": status and status.value}, *([] if include_retired else ["retired = 0"])
        )
        return [_claim(r) for r in self.db.query(f"SELECT * FROM claims{where} ORDER BY note_id, idx", args)]

    def citations(self, inquiry_id: str | None = None, note_id: str | None = None) -> list[Citation]:
        where, args = where_sql({"inquiry_id": inquiry_id, "note_id": note_id})
        sql = f"SELECT * FROM citations{where}"
        return [
            Citation(
                inquiry_id=r["inquiry_id"],
                note_id=r["note_id"],
                paragraph=r["paragraph"],
                sentence=r["sentence"],
                start=r["start"],
                end=r["end"],
                prefix=r["prefix"],
            )
            for r in self.db.query(sql + " ORDER BY inquiry_id, paragraph, start", args)
        ]

    def titles(self) -> dict[str, str]:
        """Every known note title and alias (normalized) → note id, for citation resolution."""
        from .ids import normalize_title

        index: dict[str, str] = {}
        for row in self.db.query("SELECT id, title, aliases FROM notes"):
            index[normalize_title(row["title"])] = row["id"]
            for alias in json.loads(row["aliases"]):
                index.setdefault(normalize_title(alias), row["id"])
        return index

    def specs(self, claim_id: str | None = None, state: SpecState | None = None) -> list[ReproSpec]:
        """Reproduction specs, by part then id (accepted, suggested and rejected ones unless ``state``)."""
        where, args = where_sql({"claim_id": claim_id, "state": state and state.value})
        return [_spec(r) for r in self.db.query(f"SELECT * FROM repro_specs{where} ORDER BY claim_id, part, id", args)]

    def get_spec(self, spec_id: int) -> ReproSpec | None:
        rows = list(self.db.query("SELECT * FROM repro_specs WHERE id = ?", [spec_id]))
        return _spec(rows[0]) if rows else None

    def add_spec(self, spec: ReproSpec) -> int:
        """Insert a spec, or update the claim's spec for the same runner and preset unless a person made or
        reviewed it (rules never overwrite a person's decision); returns the row id."""
        with self.transaction():
            self.db.execute(_ADD_SPEC, _spec_row(spec))
            self._touch(spec.claim_id)
            return self.db.execute(
                "SELECT id FROM repro_specs WHERE claim_id = ? AND runner = ? AND preset = ?",
                [spec.claim_id, spec.runner, spec.preset],
            ).fetchone()[0]

    def update_spec(self, spec: ReproSpec) -> None:
        """Write every field of a stored spec (by its id)."""
        with self.transaction():
            self.db.execute(
                "UPDATE repro_specs SET runner = ?, preset = ?, overrides = ?, predicts = ?, why = ?, "
                "state = ?, provenance = ?, part = ?, part_text = ? WHERE id = ?",
                [*_spec_row(spec)[1:], spec.id],
            )
            self._touch(spec.claim_id)

    def remove_rule_specs(self, claim_id: str) -> None:
        """Drop the specs rules made for a claim that no person has reviewed (before suggesting them again)."""
        self.db.execute("DELETE FROM repro_specs WHERE claim_id = ? AND provenance LIKE 'rule:%'", [claim_id])

    def set_claim_status(self, claim_id: str, status: Status) -> None:
        """Store a claim's status. Only :mod:`inquiry.runs.status` calls this: it is the one writer."""
        with self.transaction():
            self.db.execute("UPDATE claims SET status = ? WHERE id = ?", [status.value, claim_id])
            self._touch(claim_id)

    def set_imported_status(self, claim_id: str, status: Status | None, source: str | None) -> None:
        """Remember the status another notebook's export gave a claim (not evidence here)."""
        self.db.execute(
            "UPDATE claims SET imported_status = ?, imported_from = ? WHERE id = ?",
            [status.value if status else None, source, claim_id],
        )

    def imported_status(self, claim_id: str) -> tuple[Status | None, str | None]:
        row = self.db.execute("SELECT imported_status, imported_from FROM claims WHERE id = ?", [claim_id]).fetchone()
        return (Status(row[0]) if row and row[0] else None), (row[1] if row else None)

    def get_run_row(self, run_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        return rows[0] if rows else None

    # ---- search and stats ------------------------------------------------------------------

    def search(self, text: str, limit: int = 20, kinds: list[str] | None = None) -> list[SearchHit]:
        """Full-text search, best first; titles weigh five times the body.

        The query is free text: punctuation such as ``pass@k`` is handled, never a syntax error.
        """
        query = fts_query(text)
        if not query:
            return []
        sql = (
            "SELECT node_id, kind, title, snippet(search, 3, char(2), char(3), '…', 12) AS snip, "
            "bm25(search, 0, 0, 5.0, 1.0) AS rank FROM search WHERE search MATCH ?"
        )
        args: list[Any] = [query]
        if kinds:
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            args += kinds
        sql += " ORDER BY rank LIMIT ?"
        args.append(limit)
        return [
            SearchHit(r["node_id"], r["kind"], r["title"], r["snip"] or r["title"], r["rank"])
            for r in self.db.query(sql, args)
        ]

    # ---- paged reads for browsing (the terminal app) ---------------------------------------
    # Each returns plain rows for one screenful; hubs and 100k-note notebooks are paged or capped.

    def browse_counts(self) -> dict[str, int]:
        """Sizes of the browsing groups: inquiries, written notes, placeholders and live claims."""
        counts = {
            "inquiries": "SELECT count(*) FROM inquiries",
            "notes": "SELECT count(*) FROM notes WHERE is_placeholder = 0",
            "placeholders": "SELECT count(*) FROM notes WHERE is_placeholder = 1",
            "claims": "SELECT count(*) FROM claims WHERE retired = 0",
        }
        return {group: self.db.execute(sql).fetchone()[0] for group, sql in counts.items()}

    def inquiry_rows(self, offset: int = 0, limit: int = 200) -> tuple[list[dict[str, Any]], int]:
        """A page of inquiries by question, ``{"id", "question", "cited"}`` (distinct notes the essay
        cites), and how many inquiries there are."""
        rows = list(
            self.db.query(
                "SELECT i.id, i.question, (SELECT count(DISTINCT note_id) FROM citations c WHERE c.inquiry_id = i.id) "
                "AS cited FROM inquiries i ORDER BY question LIMIT ? OFFSET ?",
                [limit, offset],
            )
        )
        return rows, self.db.execute("SELECT count(*) FROM inquiries").fetchone()[0]

    def cited_note_ids(self, inquiry_id: str) -> list[str]:
        """The notes an inquiry cites, in the order its essay first cites them, then its other listed sources."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT note_id FROM (SELECT note_id, min(paragraph * 1000000 + start) AS pos FROM citations "
                "WHERE inquiry_id = ? GROUP BY note_id UNION ALL SELECT dst, 1e18 FROM edges "
                "WHERE src = ? AND kind IN ('cites', 'lists-source') AND state = 'accepted') "
                "GROUP BY note_id ORDER BY min(pos), note_id",
                [inquiry_id, inquiry_id],
            )
        ]

    def citing_inquiries(self, note_id: str, limit: int = 50) -> tuple[list[dict[str, Any]], int]:
        """Up to ``limit`` inquiries citing a note or listing it as a source (``{"id", "question"}``), and how many."""
        using = (
            "SELECT inquiry_id FROM citations WHERE note_id = ? UNION SELECT src FROM edges "
            "WHERE dst = ? AND src LIKE 'inq:%' AND state = 'accepted'"
        )
        total = self.db.execute(f"SELECT count(*) FROM ({using})", [note_id, note_id]).fetchone()[0]
        rows = list(
            self.db.query(
                f"SELECT id, question FROM inquiries WHERE id IN ({using}) ORDER BY question LIMIT ?",
                [note_id, note_id, limit],
            )
        )
        return rows, total

    def notes_by_use(self) -> list[tuple[str, int]]:
        """Every cited note with how many inquiries cite it, most-used first (one pass over citations)."""
        return [
            (r[0], r[1])
            for r in self.db.execute(
                "SELECT note_id, count(DISTINCT inquiry_id) AS used FROM citations GROUP BY note_id "
                "ORDER BY used DESC, note_id"
            )
        ]

    def placeholder_ids(self, offset: int = 0, limit: int = 200) -> tuple[list[str], int]:
        """A page of placeholder notes (cited, not yet written) by title, and how many there are."""
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM notes WHERE is_placeholder = 1 ORDER BY title LIMIT ? OFFSET ?", [limit, offset]
            )
        ]
        return ids, self.db.execute("SELECT count(*) FROM notes WHERE is_placeholder = 1").fetchone()[0]

    def note_rows(self, note_ids: list[str]) -> dict[str, dict[str, Any]]:
        """``{"title", "is_placeholder", "used", "claims"}`` per existing note: inquiries citing it, live claims."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(note_ids):
            found.update(
                (r["id"], r)
                for r in self.db.query(
                    "SELECT n.id, n.title, n.is_placeholder, "
                    "(SELECT count(DISTINCT inquiry_id) FROM citations c WHERE c.note_id = n.id) AS used, "
                    "(SELECT count(*) FROM claims k WHERE k.note_id = n.id AND k.retired = 0) AS claims "
                    f"FROM notes n WHERE n.id IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        return found

    def claim_status_counts(self) -> dict[Status, int]:
        """Live claims per stored status (the roll-up keeps ``claims.status`` current)."""
        return {
            Status(r[0]): r[1]
            for r in self.db.execute("SELECT status, count(*) FROM claims WHERE retired = 0 GROUP BY status")
        }

    def claims_with_status(self, status: Status, offset: int = 0, limit: int = 200) -> tuple[list[dict[str, Any]], int]:
        """A page of live claims at one stored status (``{"id", "text"}``, by note and position), and how many."""
        rows = list(
            self.db.query(
                "SELECT id, text FROM claims WHERE status = ? AND retired = 0 ORDER BY note_id, idx LIMIT ? OFFSET ?",
                [status.value, limit, offset],
            )
        )
        total = self.db.execute(
            "SELECT count(*) FROM claims WHERE status = ? AND retired = 0", [status.value]
        ).fetchone()[0]
        return rows, total

    def claim_statuses(self, claim_ids: list[str]) -> dict[str, Status]:
        """The stored status of each given claim."""
        out: dict[str, Status] = {}
        for chunk in _chunks(claim_ids):
            out.update(
                (r[0], Status(r[1]))
                for r in self.db.execute(
                    f"SELECT id, status FROM claims WHERE id IN ({','.join('?' * len(chunk))})", chunk
                )
            )
        return out

    def live_claim_statuses(self, note_ids: list[str]) -> dict[str, set[Status]]:
        """Per note, the stored statuses of its live claims (what the roll-up combines into the note's status)."""
        out: dict[str, set[Status]] = {note_id: set() for note_id in note_ids}
        for chunk in _chunks(note_ids):
            for note_id, status in self.db.execute(
                f"SELECT DISTINCT note_id, status FROM claims WHERE retired = 0 AND note_id IN "
                f"({','.join('?' * len(chunk))})",
                chunk,
            ):
                out[note_id].add(Status(status))
        return out

    def live_claim_counts(self, note_ids: list[str]) -> dict[str, dict[str, int]]:
        """Per note, how many live claims are supported, contradicted, and neither (what a note shows)."""
        out = {note_id: {"supported": 0, "contradicted": 0, "other": 0} for note_id in note_ids}
        for chunk in _chunks(note_ids):
            for note_id, status, n in self.db.execute(
                "SELECT note_id, CASE WHEN status IN ('supported', 'contradicted') THEN status ELSE 'other' END "
                f"AS s, count(*) FROM claims WHERE retired = 0 AND note_id IN ({','.join('?' * len(chunk))}) "
                "GROUP BY note_id, s",
                chunk,
            ):
                out[note_id][status] = n
        return out

    def cited_claim_counts(self, inquiry_ids: list[str]) -> dict[str, dict[str, int]]:
        """Per inquiry, the counts of the live claims of the notes its essay cites (each claim once)."""
        out = {inquiry_id: {"supported": 0, "contradicted": 0, "other": 0} for inquiry_id in inquiry_ids}
        for chunk in _chunks(inquiry_ids):
            for inquiry_id, status, n in self.db.execute(
                "SELECT inquiry_id, s, count(*) FROM (SELECT DISTINCT c.inquiry_id, k.id, CASE WHEN k.status IN "
                "('supported', 'contradicted') THEN k.status ELSE 'other' END AS s FROM citations c JOIN claims k "
                f"ON k.note_id = c.note_id AND k.retired = 0 WHERE c.inquiry_id IN ({','.join('?' * len(chunk))})) "
                "GROUP BY inquiry_id, s",
                chunk,
            ):
                out[inquiry_id][status] = n
        return out

    def cited_claim_statuses(self, inquiry_ids: list[str]) -> dict[str, set[Status]]:
        """Per inquiry, the stored statuses of the live claims of the notes its essay cites."""
        out: dict[str, set[Status]] = {inquiry_id: set() for inquiry_id in inquiry_ids}
        for chunk in _chunks(inquiry_ids):
            for inquiry_id, status in self.db.execute(
                "SELECT DISTINCT c.inquiry_id, k.status FROM citations c JOIN claims k ON k.note_id = c.note_id "
                f"AND k.retired = 0 WHERE c.inquiry_id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                out[inquiry_id].add(Status(status))
        return out

    def cited_claim_status_counts(self, inquiry_ids: list[str]) -> dict[str, dict[Status, int]]:
        """Per inquiry, how many distinct live claims of the notes its essay cites stand at each stored status."""
        out: dict[str, dict[Status, int]] = {inquiry_id: {} for inquiry_id in inquiry_ids}
        for chunk in _chunks(inquiry_ids):
            for inquiry_id, status, count in self.db.execute(
                "SELECT inquiry_id, status, count(*) FROM (SELECT DISTINCT c.inquiry_id, k.id, k.status "
                "FROM citations c JOIN claims k ON k.note_id = c.note_id AND k.retired = 0 "
                f"WHERE c.inquiry_id IN ({','.join('?' * len(chunk))})) GROUP BY inquiry_id, status",
                chunk,
            ):
                out[inquiry_id][Status(status)] = count
        return out

    def claim_texts(self) -> list[tuple[str, str]]:
        """``(id, text)`` of every live claim, for filtering the navigator by words of a claim."""
        return self.db.execute("SELECT id, text FROM claims WHERE retired = 0").fetchall()

    def claims_by_runner(self) -> list[tuple[str, int]]:
        """Runners named by reproduction specs or runs, with how many live claims each covers, most first."""
        return self.db.execute(
            "SELECT runner, count(DISTINCT claim_id) AS n FROM (SELECT runner, claim_id FROM repro_specs "
            "UNION SELECT runner, claim_id FROM runs WHERE claim_id IS NOT NULL) r JOIN claims k ON k.id = r.claim_id "
            "AND k.retired = 0 GROUP BY runner ORDER BY n DESC, runner"
        ).fetchall()

    def claims_for_runner(self, runner: str, offset: int = 0, limit: int = 200) -> tuple[list[dict[str, Any]], int]:
        """A page of the live claims a runner's specs or runs cover ``{"id", "text", "status"}``, and how many."""
        covered = (
            "SELECT claim_id FROM repro_specs WHERE runner = ? UNION "
            "SELECT claim_id FROM runs WHERE runner = ? AND claim_id IS NOT NULL"
        )
        where = f"FROM claims WHERE retired = 0 AND id IN ({covered})"
        total = self.db.execute(f"SELECT count(*) {where}", [runner, runner]).fetchone()[0]
        rows = list(
            self.db.query(
                f"SELECT id, text, status {where} ORDER BY id LIMIT ? OFFSET ?", [runner, runner, limit, offset]
            )
        )
        return rows, total

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes whenever another connection (a run's worker, the CLI)
        commits to this notebook; a cheap way for a long-lived reader to notice changes."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def browse_titles(self) -> list[tuple[str, str]]:
        """``(id, title)`` of every inquiry (its question) and note, for filtering by title."""
        return self.db.execute("SELECT id, question FROM inquiries UNION ALL SELECT id, title FROM notes").fetchall()

    def titles_of(self, node_ids: list[str]) -> dict[str, str]:
        """A display title per node id of any kind (a claim's is its text; an unknown id stands for itself)."""
        columns = {
            "inq:": ("inquiries", "question"),
            "note:": ("notes", "title"),
            "claim:": ("claims", "text"),
            "paper:": ("papers", "name"),
            "run:": ("runs", "runner || ' run ' || id"),
        }
        titles: dict[str, str] = {}
        for prefix, (table, column) in columns.items():
            for chunk in _chunks([i for i in node_ids if i.startswith(prefix)]):
                titles.update(
                    self.db.execute(
                        f"SELECT id, {column} FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk
                    )
                )
        return {i: titles.get(i, i) for i in node_ids}

    def edge_groups(self, node: str, outgoing: bool, per_kind: int = 50) -> list[tuple[str, int, list[dict[str, Any]]]]:
        """A node's links (``outgoing``) or backlinks by kind: ``(kind, total, rows)``, rejected ones left out.

        Each group holds up to ``per_kind`` rows ``{"id", "node", "state"}`` (``node``: the other end),
        accepted before suggested.
        """
        mine, other = ("src", "dst") if outgoing else ("dst", "src")
        groups = []
        for kind, total in self.db.execute(
            f"SELECT kind, count(*) FROM edges WHERE {mine} = ? AND state != 'rejected' GROUP BY kind ORDER BY kind",
            [node],
        ).fetchall():
            rows = list(
                self.db.query(
                    f"SELECT id, {other} AS node, state FROM edges WHERE {mine} = ? AND kind = ? "
                    "AND state != 'rejected' ORDER BY state, id LIMIT ?",
                    [node, kind, per_kind],
                )
            )
            groups.append((kind, total, rows))
        return groups

    def stats(self) -> dict[str, int]:
        counts = {
            table: self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("inquiries", "notes", "claims", "papers", "citations", "edges", "runs")
        }
        counts["placeholders"] = self.db.execute("SELECT count(*) FROM notes WHERE is_placeholder = 1").fetchone()[0]
        counts["suggested_relations"] = self.db.execute(
            "SELECT count(*) FROM edges WHERE state = 'suggested'"
        ).fetchone()[0]
        # written notes with at least one live claim that some runner can test (a spec not rejected), and of
        # those, how many have one a person need not review first (accepted)
        counts["notes_with_testable_claim"] = self.db.execute(
            "SELECT count(DISTINCT c.note_id) FROM claims c JOIN repro_specs s ON s.claim_id = c.id "
            "JOIN notes n ON n.id = c.note_id WHERE c.retired = 0 AND n.is_placeholder = 0 "
            "AND s.state != 'rejected'"
        ).fetchone()[0]
        counts["notes_with_accepted_spec"] = self.db.execute(
            "SELECT count(DISTINCT c.note_id) FROM claims c JOIN repro_specs s ON s.claim_id = c.id "
            "JOIN notes n ON n.id = c.note_id WHERE c.retired = 0 AND n.is_placeholder = 0 "
            "AND s.state = 'accepted'"
        ).fetchone()[0]
        counts["written_notes"] = counts["notes"] - counts["placeholders"]
        return counts

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ---- row → model helpers ---------------------------------------------------------------------


_IMPORT_CACHE_KIB = 256 * 1024  # SQLite page cache while an import is applied

_ADD_SPEC = (
    "INSERT INTO repro_specs (claim_id, runner, preset, overrides, predicts, why, state, provenance, part, "
    "part_text) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (claim_id, runner, preset) DO UPDATE SET "
    "overrides = excluded.overrides, predicts = excluded.predicts, why = excluded.why, state = excluded.state, "
    "provenance = excluded.provenance, part = excluded.part, part_text = excluded.part_text "
    "WHERE repro_specs.provenance LIKE 'rule:%' OR excluded.provenance NOT LIKE 'rule:%'"
)


def _spec_row(spec: ReproSpec) -> list[Any]:
    return [
        spec.claim_id,
        spec.runner,
        spec.preset,
        _dump(spec.overrides),
        spec.predicts.value,
        spec.why,
        spec.state.value,
        spec.provenance,
        spec.part,
        spec.part_text,
    ]


def _spec(row: dict[str, Any]) -> ReproSpec:
    return ReproSpec(
        id=row["id"],
        claim_id=row["claim_id"],
        runner=row["runner"],
        preset=row["preset"],
        overrides=json.loads(row["overrides"]),
        predicts=row["predicts"],
        why=row["why"],
        state=row["state"],
        provenance=row["provenance"],
        part=row["part"],
        part_text=row["part_text"],
    )


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """``items`` in slices that stay under SQLite's bound-parameter limit."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _quote(column: str) -> str:
    return f'"{column}"'


def _union(a: list[str], b: list[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def _inquiry(row: dict[str, Any]) -> Inquiry:
    return Inquiry(
        id=row["id"],
        question=row["question"],
        framing=row["framing"],
        essay=json.loads(row["essay"]),
        next_lines=json.loads(row["next_lines"]),
        sources_declared=row["sources_declared"],
        source_path=row["source_path"],
        content_hash=row["content_hash"],
    )


def _note(row: dict[str, Any], variants: dict[str, str]) -> Note:
    return Note(
        id=row["id"],
        title=row["title"],
        summary=row["summary"],
        body=row["body"],
        topics=json.loads(row["topics"]),
        aliases=json.loads(row["aliases"]),
        summary_variants=variants,
        is_placeholder=bool(row["is_placeholder"]),
        arxiv=row["arxiv"],
        url=row.get("url"),
    )


def _paper(row: dict[str, Any]) -> Paper:
    return Paper(
        id=row["id"],
        name=row["name"],
        arxiv=row["arxiv"],
        doi=row["doi"],
        title=row["title"],
        authors=json.loads(row["authors"]),
        year=row["year"],
        url=row["url"],
        bibkey=row["bibkey"],
        entry_type=row["entry_type"],
        fields=json.loads(row["fields"]),
    )


def _paper_row(paper: Paper) -> dict[str, Any]:
    return {
        "name": paper.name,
        "arxiv": paper.arxiv,
        "doi": paper.doi,
        "title": paper.title,
        "authors": _dump(paper.authors),
        "year": paper.year,
        "url": paper.url,
        "bibkey": paper.bibkey,
        "entry_type": paper.entry_type,
        "fields": _dump(paper.fields),
    }


def merge_papers(old: Paper, new: Paper) -> Paper:
    """``new`` over ``old`` field by field, where ``new`` says something; a bib entry's name wins over a mention's.

    >>> merge_papers(Paper(id="paper:x", name="Yue et al. 2025", title="Does RL…", year=2025),
    ...              Paper(id="paper:x", name="Yue et al. 2025")).title
    'Does RL…'
    """
    update = {k: v for k, v in new.model_dump().items() if v not in (None, [], {}, "") and k not in ("id", "name")}
    if new.bibkey or not old.bibkey:
        update["name"] = new.name
    return old.model_copy(update=update)


def _claim(row: dict[str, Any]) -> Claim:
    return Claim(
        id=row["id"],
        note_id=row["note_id"],
        text=row["text"],
        index=row["idx"],
        kind=row["kind"],
        quantities=json.loads(row["quantities"]),
        status=row["status"],
    )


def _edge(row: dict[str, Any]) -> Edge:
    return Edge(
        src=row["src"],
        dst=row["dst"],
        kind=row["kind"],
        state=row["state"],
        why=row["why"],
        provenance=row["provenance"],
        attrs=json.loads(row["attrs"]),
    )
