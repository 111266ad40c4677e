"""Safe file names and safe writes for exports.

Titles are questions written by anyone: they hold slashes, dots, ``..``, colons, unicode and can run
to hundreds of characters. :func:`safe_name` turns one into a single path component that is valid
on Linux, macOS and Windows; :func:`write_files` refuses any path that would leave the target folder,
writes nothing at all if a file exists (unless ``force``), and writes the set atomically: a failure
part-way leaves the target folder as it was.

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
import shutil
import tempfile
import unicodedata
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path, PurePosixPath

from ..errors import InquiryError

STAGING_PREFIX = ".inquiry-export-"  # the hidden folder an export is written to before it moves into place
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
    """Write every file under ``root``, all or nothing; returns the paths written.

    Without ``force``, if any target exists nothing is written and :class:`ExportRefused` lists them.
    The whole export is first written to a hidden staging folder beside ``root`` (same filesystem,
    so every later move is a rename). A new ``root`` is that folder renamed into place; an existing
    one (perhaps a vault holding the user's own files, which stay untouched) receives the staged
    files one rename each, and if any move fails the files moved so far are put back as they were.
    """
    if root.is_symlink() and not root.exists():
        raise ExportRefused(f"{root} is a link to nothing ({os.readlink(root)}); name a folder")
    targets = {rel: inside(root, rel) for rel in sorted(files)}
    if root.exists() and not root.is_dir():
        raise ExportRefused(f"{root} exists and is not a folder")
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing and not force:
        shown = ", ".join(existing[:3]) + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
        raise ExportRefused(f"{shown} already exist{'s' if len(existing) == 1 else ''}; pass --force to overwrite")
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=root.parent, prefix=STAGING_PREFIX))
    except OSError as exc:  # /proc, a read-only mount, a file where a folder should be
        raise ExportRefused(f"cannot write into {root.parent}: {exc.strerror or exc}") from None
    try:
        for rel in targets:
            staged = inside(staging, rel)
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_bytes(files[rel])
        if root.exists():
            _move_in(staging, root, targets)
        else:
            staging.rename(root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return list(targets.values())


def _move_in(staging: Path, root: Path, targets: Mapping[str, Path]) -> None:
    """Rename the staged files into the existing ``root``; on any failure undo the moves done so far.

    A file being replaced is first renamed into a fresh folder inside the staging one, so undoing is
    renaming it back.
    """
    replaced = Path(tempfile.mkdtemp(dir=staging, prefix=".replaced-"))  # a new name: clashes with no staged file
    moved: list[tuple[Path, Path | None]] = []  # (target, where its previous version waits, if it had one)
    made: list[Path] = []  # folders created under root, outermost first
    try:
        for rel, path in targets.items():
            made += _make_folders(path.parent, root)
            previous = None
            if path.exists():
                previous = inside(replaced, rel)
                previous.parent.mkdir(parents=True, exist_ok=True)
                path.replace(previous)
            moved.append((path, previous))
            inside(staging, rel).replace(path)
    except BaseException:
        for path, previous in reversed(moved):
            if previous is None:
                path.unlink(missing_ok=True)
            else:
                previous.replace(path)
        for folder in reversed(made):
            with suppress(OSError):  # left in place if something else has written into it meanwhile
                folder.rmdir()
        raise


def _make_folders(folder: Path, root: Path) -> list[Path]:
    """Create ``folder`` and its missing parents below ``root``; returns those created, outermost first."""
    missing = []
    while folder != root and not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir()
    return missing[::-1]
