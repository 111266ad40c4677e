"""The environment knobs of inquiry, in one place: every ``INQUIRY_*`` variable and what it means.

    INQUIRY_NOTEBOOK             the default notebook folder (else ``<user data dir>/inquiry/default``)
    INQUIRY_HEARTBEAT_S          seconds between worker heartbeats (tests shorten it)
    INQUIRY_RUNS_PER_DEVICE      concurrent runs per device
    INQUIRY_WORKER_STARTUP_S     how long a claimed run may wait for its worker to come up
    INQUIRY_CANCEL_GRACE_S       how long a runner may ignore a cancel before it is stopped
    INQUIRY_ALLOW_RUNNER_REFS    ``1``: accept ``--runner package.module:Class`` (imports that module)

Read afresh on every :func:`settings` call, so a test's ``monkeypatch.setenv`` (or a command that sets a
variable for the workers it starts) takes effect at once. A value that does not parse falls back to the
default, as the knobs always have: a typo in a timing knob must not stop a run.

>>> s = settings()
>>> s.heartbeat_s > 0 and s.runs_per_device >= 1
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError, ValidatorFunctionWrapHandler, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "INQUIRY_"
MIN_SECONDS = 0.05  # a timing knob below this would spin


class Settings(BaseSettings):
    """Every ``INQUIRY_*`` environment variable, typed, with its default."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    notebook: Path | None = None
    heartbeat_s: float = 2.0
    runs_per_device: int = 1
    worker_startup_s: float = 30.0
    cancel_grace_s: float = 20.0
    allow_runner_refs: bool = False

    @field_validator("heartbeat_s", "worker_startup_s", "cancel_grace_s", "runs_per_device", mode="wrap")
    @classmethod
    def _default_when_unreadable(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: Any) -> Any:
        try:
            parsed = handler(value)
        except ValidationError:
            return cls.model_fields[info.field_name].default
        if info.field_name == "runs_per_device":
            return max(1, parsed)
        return max(MIN_SECONDS, parsed)

    @field_validator("allow_runner_refs", mode="before")
    @classmethod
    def _only_one_opts_in(cls, value: Any) -> bool:
        return str(value).strip() == "1"  # as documented: exactly "1", not "true" or "yes"

    @field_validator("notebook", mode="before")
    @classmethod
    def _expand_user(cls, value: Any) -> Path | None:
        return Path(value).expanduser() if value else None  # set but empty: the default, as unset


def settings() -> Settings:
    """The knobs as the environment sets them now."""
    return Settings()


def env_name(field: str) -> str:
    """The variable that sets a field: ``env_name("allow_runner_refs")`` → ``INQUIRY_ALLOW_RUNNER_REFS``."""
    return PREFIX + field.upper()
