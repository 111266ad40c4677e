"""Fixtures for the terminal-app tests: the app on the seeded notebook, driven headless by Pilot."""

from __future__ import annotations

import contextlib
import os
import signal

import psutil
import pytest
from textual.worker import WorkerCancelled

from inquiry.models import RunStatus
from inquiry.runs import records
from inquiry.tui.app import InquiryApp

SIZE = (140, 45)


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def app(seeded_notebook, monkeypatch):
    """The app on the seed notebook, polling runs every 0.2 s; any run worker left running is stopped after."""
    monkeypatch.setenv("INQUIRY_HEARTBEAT_S", "0.2")
    yield InquiryApp(seeded_notebook, poll_s=0.2)
    for run in records.list_runs(seeded_notebook):
        if run.pid and psutil.pid_exists(run.pid) and run.status in (RunStatus.RUNNING, RunStatus.QUEUED):
            os.kill(run.pid, signal.SIGKILL)


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
