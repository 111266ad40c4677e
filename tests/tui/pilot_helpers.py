"""Helpers for driving the app with Pilot: a fixed size, settling, bounded polling."""

from __future__ import annotations

import contextlib

from textual.worker import WorkerCancelled

SIZE = (140, 45)


async def settle(pilot, app) -> None:
    """Let queued messages, then every worker, then the resulting UI updates finish.

    A superseded exclusive worker (an older poll or filter) ends cancelled; that is expected.
    """
    for _ in range(2):
        await pilot.pause()
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot, predicate, timeout: float = 90.0, step: float = 0.25):
    """Poll the running app (pilot.pause between looks) until ``predicate()`` is truthy."""
    loops = int(timeout / step)
    for _ in range(loops):
        value = predicate()
        if value:
            return value
        await pilot.pause(step)
    raise AssertionError(f"condition not met within {timeout} s")
