"""Timing and concurrency knobs of local runs, read from the environment (tests shorten them).

>>> heartbeat_interval() > 0 and runs_per_device() >= 1
True
"""

from __future__ import annotations

import os

ENV_HEARTBEAT = "INQUIRY_HEARTBEAT_S"  # seconds between worker heartbeats
ENV_RUNS_PER_DEVICE = "INQUIRY_RUNS_PER_DEVICE"  # concurrent runs per device (default 1)
ENV_STARTUP = "INQUIRY_WORKER_STARTUP_S"  # how long a claimed run may wait for its worker to come up
ENV_CANCEL_GRACE = "INQUIRY_CANCEL_GRACE_S"  # how long a runner may ignore a cancel before it is stopped


def _float(name: str, default: float) -> float:
    try:
        return max(0.05, float(os.environ.get(name, default)))
    except ValueError:
        return default


def heartbeat_interval() -> float:
    return _float(ENV_HEARTBEAT, 2.0)


def stale_after() -> float:
    """A heartbeat older than this (seconds) is stale; timestamps have one-second precision."""
    return 3 * heartbeat_interval() + 1.5


def startup_grace() -> float:
    return _float(ENV_STARTUP, 30.0)


def cancel_grace() -> float:
    return _float(ENV_CANCEL_GRACE, 20.0)


def runs_per_device() -> int:
    try:
        return max(1, int(os.environ.get(ENV_RUNS_PER_DEVICE, "1")))
    except ValueError:
        return 1
