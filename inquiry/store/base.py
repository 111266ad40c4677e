"""The notebook's connection: opening (atomic creation, migrations), transactions and change events.

Every room of the store (``nodes``, ``specs``, ``search``, ``apply``, ``browse``) is a mixin on
:class:`Connection`; :class:`~inquiry.store.Notebook` puts them together.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import sqlite_utils

from ..errors import InquiryError, NotFound
from ..models import Edge
from .schema import DB_NAME, MIGRATIONS, RECOMPUTE_PENDING, SCHEMA_VERSION, connect, connect_new, split_sql

# what follows "run:" in a run id: a plain name (no "/", no leading dot, so never ".." or hidden)
RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
RUNS_DIR = "runs"
RUN_LOG = "run.log"  # each run's log (its worker's output and the runner's lines), in the run's folder
BULK_ROWS = 1000  # the fewest rows an import adds to a table for its indexes to be built after them


def run_folder(notebook: Path, run_id: str) -> Path:
    """The artifact folder of a run of the notebook at ``notebook``, always inside ``runs/`` (not created).

    Run ids can come from files (a vault's run notes), so an id is a name here, never a path.
    """
    name = run_id.removeprefix("run:")
    if not RUN_NAME.fullmatch(name):
        raise InquiryError(f"not a run id: {run_id!r} (expected run: and letters, digits, '.', '_', '-')")
    return Path(notebook) / RUNS_DIR / name


@dataclass
class ChangeEvent:
    """Emitted after a committed write so that derived views (the graph) can follow."""

    nodes: list[str] = field(default_factory=list)  # ids added or updated
    removed: list[str] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)  # edges added or whose state changed
    removed_edges: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class GraphBump:
    """Set ``changed`` when a :meth:`Connection.graph_counter_once` block wrote a row the graph reads."""

    changed: bool = False


class Connection:
    """A notebook folder and its open database. Open one with :meth:`open`; it creates and migrates the database."""

    def __init__(self, path: Path, db: sqlite_utils.Database):
        self.path = path
        self.db = db
        self.listeners: list[Callable[[ChangeEvent], None]] = []
        self._depth = 0
        self._pending = ChangeEvent()

    # ---- lifecycle -------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], create: bool = True, initialise: Callable[[Self], object] | None = None
    ) -> Self:
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
        nb = cls(folder, sqlite_utils.Database(connect(db_file)))
        nb._migrate()
        return nb

    @classmethod
    def _create_atomically(cls, folder: Path, initialise: Callable[[Self], object] | None) -> None:
        import fcntl

        with open(folder / ".notebook.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the process dies
            if (folder / DB_NAME).exists():  # another process finished it while we waited
                return
            tmp = folder / f".{DB_NAME}.creating-{os.getpid()}"
            for stale in folder.glob(f".{DB_NAME}.creating-*"):  # left by a creator that was killed
                stale.unlink(missing_ok=True)
            conn = connect_new(tmp)
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
                for statement in split_sql(MIGRATIONS[target]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target + 1}")
        if version == 0 and SCHEMA_VERSION > 0:  # a new notebook has nothing to recompute
            self.db.table("settings").delete_where("key = ?", [RECOMPUTE_PENDING])

    @property
    def runs_dir(self) -> Path:
        return self.path / RUNS_DIR

    def run_dir(self, run_id: str) -> Path:
        """The artifact folder of a run (:func:`run_folder`), created on demand."""
        folder = run_folder(self.path, run_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def graph_version(self) -> tuple[int, bytes] | None:
        """The change counter of the rows the graph is built from and its random token (migration 5 -> 6),
        kept by triggers whichever connection writes; None inside a write transaction (it may roll back)."""
        if self.db.conn.in_transaction:
            return None
        version, token = self.db.execute("SELECT version, token FROM graph_state WHERE id = 1").fetchone()
        return version, token

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes whenever another connection (a run's worker, the CLI)
        commits to this notebook; a cheap way for a long-lived reader to notice changes."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

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

    @contextmanager
    def graph_counter_once(self, tables: tuple[str, ...]) -> Iterator[GraphBump]:
        """Bulk writes to ``tables`` that bump the graph change counter once, not once per row.

        The counter's per-row triggers (migration 5 -> 6) cost more than the rows themselves in a large
        import (~35k rows: a third of its write time). Inside the caller's write transaction they are dropped,
        the block runs, they are recreated from their stored SQL, and the counter is bumped once when the
        block sets ``changed``. A savepoint makes it all-or-nothing: another connection never sees the
        triggers missing (it cannot write before this transaction ends, and it reads the last commit), and an
        error in the block rolls the block back, triggers included, even when an outer block goes on.
        """
        if not self.db.conn.in_transaction:
            raise RuntimeError("graph_counter_once needs a write transaction")
        triggers = self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
            f"({','.join('?' * len(tables))}) AND sql LIKE '%graph_state%' ORDER BY name",
            list(tables),
        ).fetchall()
        bump = GraphBump()
        self.db.execute("SAVEPOINT graph_counter_once")
        try:
            for name, _ in triggers:
                self.db.execute(f'DROP TRIGGER "{name}"')
            yield bump
            for _, sql in triggers:
                self.db.execute(sql)
            if bump.changed:
                self.db.execute("UPDATE graph_state SET version = version + 1, token = randomblob(8) WHERE id = 1")
        except BaseException:
            if self.db.conn.in_transaction:  # some errors (a full disk) have rolled the whole transaction back
                self.db.execute("ROLLBACK TO graph_counter_once")
                self.db.execute("RELEASE graph_counter_once")
            raise
        self.db.execute("RELEASE graph_counter_once")

    @contextmanager
    def indexes_after(self, table: str, adding: int) -> Iterator[None]:
        """Add ``adding`` rows to ``table`` and build its secondary indexes after them, not row by row, when
        the table holds fewer rows than that (the first import of a large vault).

        An index built at the end is one sort and tightly packed pages; one kept up row by row takes a
        B-tree descent per row to a random page. Below :data:`BULK_ROWS` rows, or into a table already
        larger than the batch, nothing changes. Like :meth:`graph_counter_once`: inside the caller's
        write transaction, under a savepoint, so no other connection ever sees an index missing.
        """
        if adding < BULK_ROWS or (self.db.execute(f"SELECT max(rowid) FROM [{table}]").fetchone()[0] or 0) >= adding:
            yield  # max(rowid): an upper bound of the row count, read from the end of the table's B-tree
            return
        indexes = self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
            "AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",  # a unique index must check the rows as they come
            [table],
        ).fetchall()
        self.db.execute("SAVEPOINT indexes_after")
        try:
            for name, _ in indexes:
                self.db.execute(f'DROP INDEX "{name}"')
            yield
            for _, sql in indexes:
                self.db.execute(sql)
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK TO indexes_after")
                self.db.execute("RELEASE indexes_after")
            raise
        self.db.execute("RELEASE indexes_after")

    def touch(self, node_id: str) -> None:
        """Tell the listeners, once the transaction commits, that this node was added or changed."""
        self._pending.nodes.append(node_id)

    def _removed(self, node_id: str) -> None:
        self._pending.removed.append(node_id)
