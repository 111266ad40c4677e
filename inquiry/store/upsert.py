"""The batch upsert under every import: write rows by id and say, for each, added, updated or unchanged.

sqlite-utils' ``upsert_all`` does the writing; what it cannot say is what changed, so the stored rows
are read first (one ``IN`` query per 500 ids) and compared with the new values. Unchanged rows are not
written at all, which is what makes re-importing a large unchanged vault cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils.utils import chunks

from ..models import utcnow
from .base import Connection


def rows_by_id(nb: Connection, table: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of ``table`` with these ids, as dicts keyed by id."""
    rows: dict[str, dict[str, Any]] = {}
    for chunk in chunks(dict.fromkeys(ids), 500):
        wanted = list(chunk)
        for row in nb.db.table(table).rows_where(f"id IN ({','.join('?' * len(wanted))})", wanted):
            rows[row["id"]] = row
    return rows


def upsert_rows(
    nb: Connection,
    table: str,
    rows: list[tuple[str, dict[str, Any]]],
    timestamps: bool = False,
    current: dict[str, dict[str, Any]] | None = None,
) -> list[str]:
    """Insert or update ``(id, values)`` rows; returns each one's outcome: added, updated or unchanged.

    The outcome is that of writing the rows one by one in order: an id given twice is added, then
    compared with what was written. ``timestamps``: the table has ``created`` and ``updated`` columns.
    ``current``: the stored rows by id, where the caller has read them already.
    """
    if current is None:
        current = rows_by_id(nb, table, [row_id for row_id, _ in rows])
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    outcomes: list[str] = []
    for row_id, values in rows:
        stored = current.get(row_id)
        if stored is None:
            row = current[row_id] = {"id": row_id, **values}
            if timestamps:
                row.update(created=now, updated=now)
            inserts.append(dict(row))
            outcomes.append("added")
        elif all(stored.get(k) == v for k, v in values.items()):
            outcomes.append("unchanged")
            continue
        else:
            if timestamps:  # created goes along unchanged: an upsert's insert half must satisfy NOT NULL
                values = {**values, "updated": now, "created": stored["created"]}
            stored.update(values)
            updates.append({"id": row_id, **values})
            outcomes.append("updated")
        nb.touch(row_id)
    if inserts or updates:  # the inserts first: an id given twice is inserted, then updated
        nb.db.table(table).upsert_all([*inserts, *updates], pk="id")
    return outcomes
