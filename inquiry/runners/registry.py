"""Finding runners (Python entry points, group ``inquiry.runners``) and resolving their configs.

A runner can also be named by module reference, ``package.module:ClassName``, which imports that
module and runs its code. Runner names also come from notebook rows (a rerun of a run imported from
someone's vault), so references are an explicit opt-in: accepted only when the caller passes
``allow_reference=True`` or the environment sets ``INQUIRY_ALLOW_RUNNER_REFS=1`` (``inquiry run
--allow-runner-ref`` sets it for its own process and the workers it starts, which inherit it).

>>> "rlvr" in available()  # doctest: +SKIP
True
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError, NotFound
from ..settings import env_name, settings
from .api import Runner, RunnerConfig

GROUP = "inquiry.runners"
ALLOW_REFS_ENV = env_name("allow_runner_refs")  # INQUIRY_ALLOW_RUNNER_REFS
_cache: dict[str, Runner] | None = None


def available(reload: bool = False) -> dict[str, Runner]:
    """Every installed runner by name, built-ins included (they register the same way)."""
    global _cache
    if _cache is None or reload:
        found: dict[str, Runner] = {}
        for ep in entry_points(group=GROUP):
            runner_cls = ep.load()
            runner = runner_cls()
            found[runner.name] = runner
        _cache = dict(sorted(found.items()))
    return _cache


def references_allowed() -> bool:
    """Whether the environment opts in to runner module references (``INQUIRY_ALLOW_RUNNER_REFS=1``)."""
    return settings().allow_runner_refs


def get(name: str, allow_reference: bool = False) -> Runner:
    """An installed runner by name, or (when allowed) a runner class by reference ``package.module:ClassName``.

    The reference form lets a worker process run a runner that is not an installed entry point
    (a runner under development, or one defined for tests). Only the runner asked for is imported.
    """
    if ":" in name:
        if not (allow_reference or references_allowed()):
            raise NotFound(
                f"runner {name!r} is a module reference, which would import and run that module; "
                f"allow it with --allow-runner-ref or {ALLOW_REFS_ENV}=1"
            )
        return _by_reference(name)
    if _cache is None:  # load only the runner asked for: each may import torch and more
        for ep in entry_points(group=GROUP, name=name):
            runner = ep.load()()
            if runner.name == name:
                return runner
    runners = available()
    if name in runners:
        return runners[name]
    raise NotFound(f"no runner named {name!r}; installed: {', '.join(runners) or 'none'}")


def _by_reference(reference: str) -> Runner:
    """``"package.module:ClassName"`` → an instance of that :class:`Runner` subclass."""
    module_name, _, class_name = reference.partition(":")
    try:
        runner_cls = getattr(import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise NotFound(f"cannot load runner {reference!r}: {exc}") from None
    if not (isinstance(runner_cls, type) and issubclass(runner_cls, Runner)):
        raise NotFound(f"{reference!r} is not a Runner subclass")
    return runner_cls()


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["steps=10", "lr=1e-4"]`` → ``{"steps": "10", "lr": "1e-4"}``; a pair without ``=`` is rejected.

    >>> parse_overrides(["steps=10"])
    {'steps': '10'}
    """
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(pair, "expected key=value")
        out[key.strip()] = value.strip()
    return out


def resolve_config(runner: Runner, preset: str | None = None, overrides: dict[str, Any] | None = None) -> RunnerConfig:
    """The preset's values, then the overrides, validated; errors name the field.

    String values are coerced by pydantic (``"10"`` → 10); unknown keys are rejected.
    """
    preset = preset or "default"
    if preset not in runner.presets:
        raise ConfigError("preset", f"{runner.name} has no preset {preset!r} (has: {', '.join(runner.presets)})")
    values = {**runner.presets[preset], **(overrides or {})}
    try:
        return runner.Config.model_validate(values, strict=False)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "config"
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            known = ", ".join(runner.Config.model_fields)
            message = f"unknown field for runner {runner.name} (known: {known})"
        raise ConfigError(field, message) from None
