"""The batch upsert under every import: write rows by id and say, for each, added, updated or unchanged.

The stored rows are read first (one ``IN`` query per 500 ids) and compared with the new values: an id
not stored is inserted, a stored row that differs is updated, an unchanged row is not written at all
(which is what makes re-importing a large unchanged vault cheap). Each kind of write is one
``executemany`` per set of columns: the outcome is known before writing, so there is no need for an
insert-or-update statement per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils.utils import chunks

from ..models import utcnow
from .base import Connection
from .rows import marks


def rows_by_id(nb: Connection, table: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of ``table`` with these ids, as dicts keyed by id."""
    rows: dict[str, dict[str, Any]] = {}
    for chunk in chunks(dict.fromkeys(ids), 500):
        wanted = list(chunk)
        cursor = nb.db.execute(f"SELECT * FROM [{table}] WHERE id IN ({marks(wanted)})", wanted)
        columns = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(columns, values))
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
            if timestamps:
                values = {**values, "updated": now}
            stored.update(values)
            updates.append({"id": row_id, **values})
            outcomes.append("updated")
        nb.touch(row_id)
    # the inserts first: an id given twice is inserted, then updated
    for columns, values_of in _runs_by_columns(inserts):
        nb.db.conn.executemany(
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({marks(columns)})", values_of
        )
    for columns, values_of in _runs_by_columns(updates):
        assignments = ", ".join(f"[{c}] = ?" for c in columns[1:])
        nb.db.conn.executemany(
            f"UPDATE [{table}] SET {assignments} WHERE id = ?",
            [(*row[1:], row[0]) for row in values_of],  # "id" comes first in every row
        )
    return outcomes


def _runs_by_columns(rows: list[dict[str, Any]]) -> list[tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
    """Rows as value tuples, in runs of consecutive rows with the same columns (one statement each; the
    order is kept, so an id updated twice ends with its second version)."""
    runs: list[tuple[tuple[str, ...], list[tuple[Any, ...]]]] = []
    for row in rows:
        columns = tuple(row)
        if not runs or runs[-1][0] != columns:
            runs.append((columns, []))
        runs[-1][1].append(tuple(row.values()))
    return runs
