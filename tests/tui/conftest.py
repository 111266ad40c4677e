"""Fixtures for the terminal-app tests: the app on the seeded notebook, driven headless by Pilot."""

from __future__ import annotations

import os
import signal

import psutil
import pytest

from inquiry.models import RunStatus
from inquiry.runs import records
from inquiry.tui.app import InquiryApp


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
