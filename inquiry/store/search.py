"""Full-text search (the FTS5 table ``search``): what is indexed, and free-text queries that never fail.

>>> import sqlite_utils
>>> db = sqlite_utils.Database(memory=True)
>>> fts_query(db, 'pass@k "base"')
'"pass" "k" "base"*'
>>> fts_query(db, 'rlvr OR distillation')
'("rlvr") OR ("distillation"*)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from sqlite_utils.utils import chunks

from .base import Connection

_TOKEN = re.compile(r"\w+", re.UNICODE)

# A query's cost in FTS5 grows with its terms; a pasted page of text must not take minutes.
MAX_QUERY_TERMS = 16
MAX_TERM_CHARS = 64

# Marks around the matched words in a search hit's ``marked`` snippet (control characters that never
# occur in notes), so a display can style them; ``SearchHit.snippet`` is the plain text.
MATCH_START, MATCH_END = "\x02", "\x03"


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


def fts_query(db: sqlite_utils.Database, text: str) -> str:
    """Free text as a safe FTS5 query: the words of :func:`query_terms`, each quoted (sqlite-utils'
    ``quote_fts``), all required, the last one a prefix; an upper-case ``OR`` between words gives alternatives."""
    alternatives = [words for part in re.split(r"\s+OR\s+", text.strip()) if (words := query_terms(part)[0])]
    if not alternatives:
        return ""
    groups = [db.quote_fts(" ".join(words)) for words in alternatives]
    groups[-1] += "*"
    if len(groups) == 1:
        return groups[0]
    return " OR ".join(f"({group})" for group in groups)


def index(nb: Connection, entries: list[tuple[str, str, str, str]]) -> None:
    """Add ``(node_id, kind, title, body)`` rows to the index (the caller has unindexed older versions)."""
    nb.db.conn.executemany("INSERT INTO search (node_id, kind, title, body) VALUES (?, ?, ?, ?)", entries)


def unindex(nb: Connection, node_ids: list[str]) -> None:
    """Drop these nodes from the index. ``node_id`` is UNINDEXED in FTS5: this scans, so only when needed."""
    for chunk in chunks(node_ids, 500):
        ids = list(chunk)
        nb.db.execute(f"DELETE FROM search WHERE node_id IN ({','.join('?' * len(ids))})", ids)


class Search(Connection):
    def search(self, text: str, limit: int = 20, kinds: list[str] | None = None) -> list[SearchHit]:
        """Full-text search, best first; titles weigh five times the body.

        The query is free text: punctuation such as ``pass@k`` is handled, never a syntax error.
        """
        query = fts_query(self.db, text)
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
