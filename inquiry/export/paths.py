"""Safe file names and safe writes for exports.

Titles are questions written by anyone: they hold slashes, dots, ``..``, colons, unicode and can run
to hundreds of characters. :func:`safe_name` turns one into a single path component that is valid
on Linux, macOS and Windows; :func:`write_files` refuses any path that would leave the target folder,
writes nothing at all if a file exists (unless ``force``), and writes each file atomically.

>>> safe_name("../../etc/passwd")
'etc passwd'
>>> safe_name("Does RL help? A/B test: yes.")
'Does RL help A B test yes'
>>> safe_name("...")
'untitled'
>>> len(safe_name("é" * 300).encode())
120
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from ..errors import InquiryError

MAX_NAME_BYTES = 120  # well under the usual 255-byte limit, leaving room for suffixes and ".md"
# Forbidden on some filesystem, or meaningful in wikilinks ([[a#b|c]], ^block ids).
_UNSAFE = set('/\\:*?"<>|#^[]%{}`') | {chr(c) for c in range(32)} | {"\x7f"}
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


class ExportRefused(InquiryError):
    """The export would overwrite files (without ``--force``) or leave its target folder."""


def safe_name(title: str, fallback: str = "untitled") -> str:
    """One path component for ``title``: no separators or reserved characters, no leading dots, at most 120 bytes."""
    text = unicodedata.normalize("NFC", title)
    text = "".join(" " if ch in _UNSAFE else ch for ch in text)
    text = " ".join(text.split()).strip(" .")
    encoded = text.encode("utf-8")[:MAX_NAME_BYTES]
    text = encoded.decode("utf-8", "ignore").strip(" .")
    if text.split(".")[0].casefold() in _RESERVED:
        text = f"_{text}"
    return text or fallback


def unique_names(titles: Mapping[str, str]) -> dict[str, str]:
    """A distinct safe name per key (node id → title), case-insensitively; clashes get " 2", " 3" in key order.

    >>> unique_names({"note:a": "Why?", "note:b": "why", "note:c": "Other"})
    {'note:a': 'Why', 'note:b': 'why 2', 'note:c': 'Other'}
    """
    taken: set[str] = set()
    names: dict[str, str] = {}
    for key in sorted(titles):
        base = safe_name(titles[key])
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base} {n}"
        taken.add(name.casefold())
        names[key] = name
    return names


def inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing absolute paths and any that resolve outside ``root``."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(p in ("..", ".", "") for p in parts):
        raise ExportRefused(f"refusing to write {relative!r}: not a plain path inside the export folder")
    path = root.joinpath(*parts)
    if not path.resolve().is_relative_to(root.resolve()):
        raise ExportRefused(f"refusing to write {relative!r}: it would leave {root}")
    return path


def write_files(root: Path, files: Mapping[str, bytes], force: bool = False) -> list[Path]:
    """Write every file under ``root`` atomically (temp file + rename); all or nothing about overwriting.

    Without ``force``, if any target exists nothing is written and :class:`ExportRefused` lists them.
    """
    targets = {rel: inside(root, rel) for rel in sorted(files)}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing and not force:
        shown = ", ".join(existing[:3]) + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
        raise ExportRefused(f"{shown} already exist{'s' if len(existing) == 1 else ''}; "
                            "pass --force to overwrite")
    for rel, path in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".inquiry-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(files[rel])
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return list(targets.values())
