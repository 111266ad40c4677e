"""Checkpoints cached under a hash of their config, so a second run skips pretraining.

Builders write into a private temporary folder that is renamed into place when complete, so a
crashed or concurrent builder never leaves a half-written checkpoint under the final name.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> built = []
>>> def build(folder):
...     built.append(folder)
...     (folder / "weights.txt").write_text("42")
>>> first = cached_checkpoint(root, {"task": "add", "steps": 10}, build)
>>> second = cached_checkpoint(root, {"steps": 10, "task": "add"}, build)
>>> first == second, len(built), (first / "weights.txt").read_text()
(True, 1, '42')
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

_DONE = ".complete"


def config_key(key: dict[str, Any]) -> str:
    """A short stable hash of ``key`` (JSON with sorted keys).

    >>> config_key({"b": 1, "a": 2}) == config_key({"a": 2, "b": 1})
    True
    """
    text = json.dumps(key, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cached_checkpoint(cache_root: Path, key: dict[str, Any], build: Callable[[Path], None]) -> Path:
    """The folder for ``key`` under ``cache_root``, calling ``build(folder)`` only when it is not cached."""
    cache_root = Path(cache_root)
    final = cache_root / config_key(key)
    if (final / _DONE).is_file():
        return final
    cache_root.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(cache_root)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}-{os.getpid()}-", dir=cache_root))
    try:
        build(staging)
        (staging / "key.json").write_text(json.dumps(key, sort_keys=True, indent=1, default=str))
        (staging / _DONE).write_text("")
        try:
            os.rename(staging, final)  # atomic; fails if another builder finished first
        except OSError:
            if not (final / _DONE).is_file():
                # A stale, incomplete folder from a crashed builder: replace it.
                shutil.rmtree(final, ignore_errors=True)
                os.rename(staging, final)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return final


def remove_stale_staging(cache_root: Path) -> list[Path]:
    """Delete the staging folders of builders that died (killed runs); returns what was removed.

    A staging folder is named ``.<key>-<pid>-<random>``; it is stale when no process has that pid.
    """
    removed = []
    for folder in Path(cache_root).glob(".*-*-*"):
        parts = folder.name[1:].split("-")
        if len(parts) < 3 or not parts[1].isdigit() or not folder.is_dir():
            continue
        pid = int(parts[1])
        if pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
