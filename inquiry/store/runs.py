"""Run rows (tables ``runs`` and ``run_events``): the one place their SQL lives.

:mod:`inquiry.runs.records` is the domain layer on top (``RunRecord``, JSON parsed); it and the worker,
the Ray driver and the vault import call these. Each write that can race with another process is one
short transaction; the caller's transaction, if any, is joined.
"""

from __future__ import annotations

from typing import Any

from ..models import utcnow
from .base import Connection
from .rows import equals

# the device a run was queued for, as the launcher recorded it in the provenance
_DEVICE = "COALESCE(json_extract(provenance, '$.device'), 'cpu')"


def insert(nb: Connection, row: dict[str, Any]) -> None:
    """A new run row (the caller adds the claim's ``tested-by`` edge and touches the run)."""
    nb.db.table("runs").insert(row)


def exists(nb: Connection, run_id: str) -> bool:
    return nb.db.execute("SELECT 1 FROM runs WHERE id = ?", [run_id]).fetchone() is not None


def row(nb: Connection, run_id: str) -> dict[str, Any] | None:
    found = list(nb.db.table("runs").rows_where("id = ?", [run_id]))
    return found[0] if found else None


def newest_first(
    nb: Connection, claim_id: str | None = None, status: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Run rows, newest first, filtered by claim and/or status."""
    where, args = equals(claim_id=claim_id, status=status)
    return list(nb.db.table("runs").rows_where(where, args, order_by="created DESC, rowid DESC", limit=limit or None))


def of_sweep(nb: Connection, sweep_id: str) -> list[dict[str, Any]]:
    """The run rows of a sweep, in the order they were queued."""
    return list(nb.db.table("runs").rows_where("sweep_id = ?", [sweep_id], order_by="created, rowid"))


def take_next_queued(nb: Connection, device: str, limit: int) -> str | None:
    """Atomically move the oldest queued local run for ``device`` to running, if fewer than ``limit`` run there.

    The count and the update share one ``BEGIN IMMEDIATE`` transaction, so two callers (a finishing
    worker and a launcher) can never both start a run beyond the limit. Returns the run's id.
    """
    local = f"backend = 'local' AND {_DEVICE} = ?"
    with nb.transaction():
        running = nb.db.execute(f"SELECT count(*) FROM runs WHERE status = 'running' AND {local}", [device]).fetchone()
        if running[0] >= limit:
            return None
        found = nb.db.execute(
            f"SELECT id FROM runs WHERE status = 'queued' AND {local} ORDER BY created, rowid LIMIT 1", [device]
        ).fetchone()
        if found is None:
            return None
        # the heartbeat starts now so that a worker that never comes up is reaped once it goes stale
        nb.db.execute(
            "UPDATE runs SET status = 'running', heartbeat = ? WHERE id = ? AND status = 'queued'",
            [utcnow(), found[0]],
        )
        nb.touch(found[0])
    return found[0]


def queued_devices(nb: Connection) -> list[str]:
    """The devices that local queued runs wait for."""
    return [
        r[0]
        for r in nb.db.execute(f"SELECT DISTINCT {_DEVICE} FROM runs WHERE status = 'queued' AND backend = 'local'")
    ]


def start(nb: Connection, run_id: str) -> bool:
    """Move one queued run to running now, its heartbeat starting; returns whether it moved."""
    with nb.transaction():
        moved = (
            nb.db.execute(
                "UPDATE runs SET status = 'running', heartbeat = ? WHERE id = ? AND status = 'queued'",
                [utcnow(), run_id],
            ).rowcount
            == 1
        )
        nb.touch(run_id)
    return moved


def mark_worker(nb: Connection, run_id: str, *, pid: int, host: str) -> None:
    nb.db.execute("UPDATE runs SET heartbeat = ?, pid = ?, host = ? WHERE id = ?", [utcnow(), pid, host, run_id])


def mark_started(nb: Connection, run_id: str, provenance: str) -> None:
    """Record the start and the provenance (JSON text)."""
    with nb.transaction():
        now = utcnow()
        nb.db.execute(
            "UPDATE runs SET started = ?, heartbeat = ?, provenance = ? WHERE id = ?", [now, now, provenance, run_id]
        )
        nb.touch(run_id)


def beat(nb: Connection, run_id: str, *, only_running: bool = False) -> None:
    """The run's process is alive: move its heartbeat to now (``only_running``: unless it has ended)."""
    nb.db.execute(
        "UPDATE runs SET heartbeat = ? WHERE id = ?" + (" AND status = 'running'" if only_running else ""),
        [utcnow(), run_id],
    )


def set_message(nb: Connection, run_id: str, message: str) -> None:
    nb.db.execute("UPDATE runs SET message = ? WHERE id = ?", [message, run_id])


def record_progress(
    nb: Connection, run_id: str, *, step: int | None, total: int | None, message: str | None, metrics: str
) -> None:
    """One progress event: appended to ``run_events`` and mirrored on the run row (``metrics``: JSON text)."""
    now = utcnow()
    with nb.transaction():
        nb.db.execute(
            "INSERT INTO run_events (run_id, ts, step, total, message, metrics) VALUES (?,?,?,?,?,?)",
            [run_id, now, step, total, message, metrics],
        )
        nb.db.execute(
            "UPDATE runs SET step = ?, total = ?, message = ?, live_metrics = ?, heartbeat = ? WHERE id = ?",
            [step, total, message, metrics, now, run_id],
        )


def events(nb: Connection, run_id: str, after: int = 0) -> list[dict[str, Any]]:
    """Progress events of a run with row id above ``after``, oldest first (``metrics``: JSON text)."""
    return list(
        nb.db.table("run_events").rows_where(
            "run_id = ? AND id > ?", [run_id, after], select="id, ts, step, total, message, metrics", order_by="id"
        )
    )


def finish(nb: Connection, run_id: str, values: dict[str, Any]) -> bool:
    """Write how a run ended (``values``: column → value); only a run still queued or running changes.
    Returns whether it did."""
    columns = ", ".join(f"{key} = ?" for key in values)
    with nb.transaction():
        cursor = nb.db.execute(
            f"UPDATE runs SET {columns} WHERE id = ? AND status IN ('queued', 'running')", [*values.values(), run_id]
        )
        nb.touch(run_id)
    return cursor.rowcount == 1


def flag_cancel(nb: Connection, run_id: str) -> None:
    """Ask the run's worker to stop (it polls :func:`cancel_requested`)."""
    nb.db.execute("UPDATE runs SET cancel_requested = 1 WHERE id = ?", [run_id])


def cancel_requested(nb: Connection, run_id: str) -> bool:
    found = nb.db.execute("SELECT cancel_requested FROM runs WHERE id = ?", [run_id]).fetchone()
    return bool(found and found[0])


def any_for_claim(nb: Connection, claim_id: str) -> bool:
    return nb.db.execute("SELECT 1 FROM runs WHERE claim_id = ? LIMIT 1", [claim_id]).fetchone() is not None


def count_on_claims_of(nb: Connection, note_id: str) -> int:
    """How many runs test the claims of a note."""
    return nb.db.execute(
        "SELECT count(*) FROM runs r JOIN claims c ON c.id = r.claim_id WHERE c.note_id = ?", [note_id]
    ).fetchone()[0]
