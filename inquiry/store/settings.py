"""Notebook-level settings (table ``settings``: key → text), so that they travel with the notebook.

:mod:`inquiry.runs.backend` knows the keys and their defaults; this module only stores them.
"""

from __future__ import annotations

from .base import Connection


def get(nb: Connection, key: str) -> str | None:
    found = nb.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return found[0] if found else None


def put(nb: Connection, key: str, value: str) -> None:
    nb.db.table("settings").upsert({"key": key, "value": value}, pk="key")


def delete(nb: Connection, key: str) -> None:
    nb.db.table("settings").delete_where("key = ?", [key])
