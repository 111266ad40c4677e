"""Import documents into a notebook: the one function the CLI, the example and the terminal app call.

Parsing and resolution happen in :mod:`inquiry.notes.importer`, which never touches the database;
this module hands it the notebook's titles and notes, then applies the resulting batch in one
transaction. If any file fails, :class:`~inquiry.errors.ImportFailed` propagates and nothing is written.

>>> import tempfile
>>> from inquiry.store import Notebook
>>> from inquiry.example import EXAMPLE_PATH
>>> nb = Notebook.open(tempfile.mkdtemp())
>>> import_paths(nb, [EXAMPLE_PATH]).report.count("notes", "added")
10
>>> import_paths(nb, [EXAMPLE_PATH]).report.changed_ids
[]
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .ids import normalize_title
from .models import ImportBatch, ImportNotice
from .notes.importer import build_batch, collect_files
from .notes.vault import build_vault_batch, is_vault_file
from .runs.imported import add_run_summaries, apply_statuses
from .store import ApplyReport, Notebook

# Files an Obsidian vault keeps next to its notes; importing a vault skips them without a warning.
ATTACHMENTS = (".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".canvas", ".json")


@dataclass
class ImportResult:
    report: ApplyReport  # what was added / updated / unchanged, per kind
    warnings: list[ImportNotice]
    files: list[str]  # the documents imported, resolved paths


def build_notebook_batch(nb: Notebook, paths: Iterable[str | os.PathLike[str]]) -> ImportBatch:
    """The batch importing ``paths`` into ``nb`` would apply, resolved against what ``nb`` holds."""
    return build_batch(paths, nb.titles(), known_note=nb.get_note)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while an import builds ~100 objects per document.

    The batch holds every object until the import ends, so the collector's repeated scans of the
    growing heap find nothing to free; they cost ~15% of an import. Reference counting still works.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_paths(nb: Notebook, paths: Iterable[str | os.PathLike[str]]) -> ImportResult:
    """Import documents and vault notes; ``.md`` files with front matter (or in a ``.obsidian`` vault) are vault notes."""
    with _no_cyclic_gc():
        return _import_paths(nb, paths)


def _import_paths(nb: Notebook, paths: Iterable[str | os.PathLike[str]]) -> ImportResult:
    files, skipped = collect_files(paths)
    vault_files = [f for f in files if is_vault_file(f)]
    batch = build_notebook_batch(nb, [f for f in files if f not in vault_files])
    if vault_files:  # a vault's images and other attachments are expected company, not worth a warning
        skipped = [s for s in skipped if Path(s.path).suffix.lower() not in ATTACHMENTS]
    batch.warnings[:0] = skipped
    if not vault_files:
        report = nb.apply(batch)
        return ImportResult(report=report, warnings=batch.warnings,
                            files=[i.source_path for i in batch.inquiries if i.source_path])
    # the vault resolves links against the notebook and the documents imported alongside it
    titles = {**nb.titles(), **{normalize_title(n.title): n.id for n in batch.notes}}
    vault = build_vault_batch(vault_files, titles, known_claims=lambda nid: nb.list_claims(note_id=nid))
    merged = ImportBatch(**{name: getattr(batch, name) + getattr(vault.batch, name) for name in ImportBatch.model_fields})
    with nb.transaction():
        report = nb.apply(merged)
        for run_id in add_run_summaries(nb, vault.runs, source=str(vault_files[0].parent)):
            report.record("runs", "added", run_id)
        apply_statuses(nb, vault.statuses)
    return ImportResult(report=report, warnings=merged.warnings,
                        files=[i.source_path for i in batch.inquiries if i.source_path] + vault.files)
