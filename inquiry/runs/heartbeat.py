"""One heartbeat for every process that keeps runs alive (the local worker, the Ray driver).

A run whose heartbeat goes stale while no worker process exists is reaped as ``interrupted``
(:func:`inquiry.runs.launcher.reap`), so a process that works on runs beats for them here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..store import Notebook
from ..store import runs as run_rows
from . import settings


class Heartbeat(threading.Thread):
    """Every heartbeat interval, moves the heartbeat of the runs ``beating()`` names to now; about
    twice a second, first calls ``check(nb, now)`` (the worker watches for a cancel there, the Ray
    driver for a lost cluster).

    It has its own notebook connection, so it never shares a transaction with the working thread.
    ``only_running``: beat only runs still running (the driver's pending list can lag their end).
    """

    def __init__(
        self,
        notebook: Path,
        beating: Callable[[], list[str]],
        check: Callable[[Notebook, float], None] | None = None,
        *,
        only_running: bool = False,
    ):
        super().__init__(name="heartbeat", daemon=True)
        self.notebook, self.beating, self.check, self.only_running = notebook, beating, check, only_running
        self.interval = settings.heartbeat_interval()
        self._stop = threading.Event()

    def run(self) -> None:
        nb = Notebook.open(self.notebook, create=False)
        last_beat = 0.0
        while not self._stop.wait(min(0.5, self.interval)):
            now = time.monotonic()
            if self.check is not None:
                self.check(nb, now)
            if now - last_beat >= self.interval:
                for run_id in self.beating():
                    run_rows.beat(nb, run_id, only_running=self.only_running)
                last_beat = now

    def stop(self) -> None:
        self._stop.set()
