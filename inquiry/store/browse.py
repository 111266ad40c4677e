"""The terminal app's reads: each returns plain rows for one screenful, paged or capped, so that hubs and
100k-note notebooks stay fast; and the counts ``inquiry stats`` shows."""

from __future__ import annotations

from typing import Any

from sqlite_utils.utils import chunks

from ..models import Status
from .base import Connection
from .rows import marks

# The inquiries citing a note (inline, or by a ``cites`` edge row), then every note those inquiries cite;
# each side reads through the citations/edges indexes, so a hub costs its citers' rows, not a table scan.
_COCITED_SQL = """
WITH mine(inquiry, paragraph) AS (
    SELECT inquiry_id, paragraph FROM citations WHERE note_id = :note
    UNION SELECT src, NULL FROM edges WHERE dst = :note AND kind = 'cites' AND state != 'rejected'),
theirs(inquiry, note, paragraph) AS (
    SELECT inquiry_id, note_id, paragraph FROM citations WHERE inquiry_id IN (SELECT inquiry FROM mine)
    UNION ALL SELECT src, dst, NULL FROM edges
    WHERE src IN (SELECT inquiry FROM mine) AND kind = 'cites' AND state != 'rejected')
SELECT t.note AS id, coalesce(n.title, t.note) AS title, count(DISTINCT t.inquiry) AS inquiries,
       count(DISTINCT CASE WHEN t.paragraph = m.paragraph THEN t.inquiry END) AS same_paragraph
FROM theirs t JOIN mine m ON m.inquiry = t.inquiry LEFT JOIN notes n ON n.id = t.note
WHERE t.note != :note
GROUP BY t.note ORDER BY inquiries DESC, same_paragraph DESC, t.note LIMIT :limit
"""


class Browse(Connection):
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
        for chunk in map(list, chunks(note_ids, 500)):
            found.update(
                (r["id"], r)
                for r in self.db.query(
                    "SELECT n.id, n.title, n.is_placeholder, "
                    "(SELECT count(DISTINCT inquiry_id) FROM citations c WHERE c.note_id = n.id) AS used, "
                    "(SELECT count(*) FROM claims k WHERE k.note_id = n.id AND k.retired = 0) AS claims "
                    f"FROM notes n WHERE n.id IN ({marks(chunk)})",
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
        for chunk in map(list, chunks(claim_ids, 500)):
            out.update(
                (r[0], Status(r[1]))
                for r in self.db.execute(f"SELECT id, status FROM claims WHERE id IN ({marks(chunk)})", chunk)
            )
        return out

    def live_claim_statuses(self, note_ids: list[str]) -> dict[str, set[Status]]:
        """Per note, the stored statuses of its live claims (what the roll-up combines into the note's status)."""
        out: dict[str, set[Status]] = {note_id: set() for note_id in note_ids}
        for chunk in map(list, chunks(note_ids, 500)):
            for note_id, status in self.db.execute(
                f"SELECT DISTINCT note_id, status FROM claims WHERE retired = 0 AND note_id IN ({marks(chunk)})",
                chunk,
            ):
                out[note_id].add(Status(status))
        return out

    def live_claim_counts(self, note_ids: list[str]) -> dict[str, dict[str, int]]:
        """Per note, how many live claims are supported, contradicted, and neither (what a note shows)."""
        out = {note_id: {"supported": 0, "contradicted": 0, "other": 0} for note_id in note_ids}
        for chunk in map(list, chunks(note_ids, 500)):
            for note_id, status, n in self.db.execute(
                "SELECT note_id, CASE WHEN status IN ('supported', 'contradicted') THEN status ELSE 'other' END "
                f"AS s, count(*) FROM claims WHERE retired = 0 AND note_id IN ({marks(chunk)}) "
                "GROUP BY note_id, s",
                chunk,
            ):
                out[note_id][status] = n
        return out

    def cited_claim_counts(self, inquiry_ids: list[str]) -> dict[str, dict[str, int]]:
        """Per inquiry, the counts of the live claims of the notes its essay cites (each claim once)."""
        out = {inquiry_id: {"supported": 0, "contradicted": 0, "other": 0} for inquiry_id in inquiry_ids}
        for chunk in map(list, chunks(inquiry_ids, 500)):
            for inquiry_id, status, n in self.db.execute(
                "SELECT inquiry_id, s, count(*) FROM (SELECT DISTINCT c.inquiry_id, k.id, CASE WHEN k.status IN "
                "('supported', 'contradicted') THEN k.status ELSE 'other' END AS s FROM citations c JOIN claims k "
                f"ON k.note_id = c.note_id AND k.retired = 0 WHERE c.inquiry_id IN ({marks(chunk)})) "
                "GROUP BY inquiry_id, s",
                chunk,
            ):
                out[inquiry_id][status] = n
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

    def browse_titles(self) -> list[tuple[str, str]]:
        """``(id, title)`` of every inquiry (its question) and note, for filtering by title."""
        return self.db.execute("SELECT id, question FROM inquiries UNION ALL SELECT id, title FROM notes").fetchall()

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

    def cocited_notes(self, note: str, limit: int = 20) -> list[dict[str, Any]]:
        """The notes cited alongside ``note`` (by the same inquiries, inline or as a ``cites`` relation), most
        shared first: ``{"id", "title", "inquiries", "same_paragraph"}`` (``same_paragraph``: inquiries citing
        both in one paragraph). What :func:`inquiry.graph.queries.cocited` computes on the graph, in SQL."""
        return list(self.db.query(_COCITED_SQL, {"note": note, "limit": limit}))
