"""Sweep rows (table ``sweeps``): one launch fanned out over seeds or config values, and its pools.

:mod:`inquiry.runs.sweeps` is the domain layer on top (``SweepRecord``, pooling).
"""

from __future__ import annotations

from typing import Any

from .base import Connection


def insert(nb: Connection, row: dict[str, Any]) -> None:
    nb.db.table("sweeps").insert(row)


def row(nb: Connection, sweep_id: str) -> dict[str, Any] | None:
    found = list(nb.db.table("sweeps").rows_where("id = ?", [sweep_id]))
    return found[0] if found else None


def store_pools(nb: Connection, sweep_id: str, pooled: str, claim_id: str | None) -> None:
    """Store a sweep's pooled results (JSON text) once: two finishing runs may race here, the first write counts."""
    with nb.transaction():
        nb.db.execute("UPDATE sweeps SET pooled = ? WHERE id = ? AND pooled IS NULL", [pooled, sweep_id])
        if claim_id:
            nb.touch(claim_id)
