"""Timing and concurrency knobs of local runs, from :class:`inquiry.settings.Settings` (tests shorten them).

>>> heartbeat_interval() > 0 and runs_per_device() >= 1
True
"""

from __future__ import annotations

from ..settings import settings


def heartbeat_interval() -> float:
    """Seconds between worker heartbeats (``INQUIRY_HEARTBEAT_S``)."""
    return settings().heartbeat_s


def stale_after() -> float:
    """A heartbeat older than this (seconds) is stale; timestamps have one-second precision."""
    return 3 * heartbeat_interval() + 1.5


def startup_grace() -> float:
    """How long a claimed run may wait for its worker to come up (``INQUIRY_WORKER_STARTUP_S``)."""
    return settings().worker_startup_s


def cancel_grace() -> float:
    """How long a runner may ignore a cancel before it is stopped (``INQUIRY_CANCEL_GRACE_S``)."""
    return settings().cancel_grace_s


def runs_per_device() -> int:
    """Concurrent runs per device (``INQUIRY_RUNS_PER_DEVICE``)."""
    return settings().runs_per_device
