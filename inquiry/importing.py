"""Import documents into a notebook: the one function the CLI, the example and the terminal app call.

Parsing and resolution happen in :mod:`inquiry.notes.batch`, which never touches the database;
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
from .models import ImportBatch, ImportNotice, Paper
from .notes.batch import build_batch, collect_files, read_document
from .notes.bib import parse_bib
from .notes.inquiring_line import has_header
from .notes.papers import known_paper, paper_keys
from .notes.vault import is_vault_file, read_vault
from .runs.from_vault import add_run_summaries, apply_statuses
from .runs.status import refresh_many
from .store import ApplyReport, Notebook

# Files an Obsidian vault keeps next to its notes; importing a vault skips them without a warning.
ATTACHMENTS = (".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".canvas", ".json")


@dataclass
class ImportResult:
    report: ApplyReport  # what was added / updated / unchanged, per kind
    warnings: list[ImportNotice]
    files: list[str]  # the documents imported, resolved paths


def build_notebook_batch(
    nb: Notebook, paths: Iterable[str | os.PathLike[str]], keys: dict[str, str] | None = None
) -> ImportBatch:
    """The batch importing ``paths`` into ``nb`` would apply, resolved against what ``nb`` holds."""
    return build_batch(
        paths,
        nb.titles(),
        known_note=nb.get_note,
        paper_keys=known_paper_keys(nb.list_papers()) if keys is None else keys,
    )


def known_paper_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """Each paper's recognition keys (arXiv id, DOI, first author and year) → its id; the first paper keeps a key."""
    keys: dict[str, str] = {}
    for paper in papers:
        for key in paper_keys(paper):
            keys.setdefault(key, paper.id)
    return keys


NEITHER = "skipped: neither a note (.md) nor an inquiring line (no 'INQUIRING LINE' header as its first line)"


def classify(files: list[Path], named: set[Path]) -> tuple[list[Path], list[Path], list[Path], list[ImportNotice]]:
    """Split files into inquiring lines, notes (``.md``) and ``.bib`` references.

    A ``.txt`` file from a folder without the ``INQUIRING LINE`` header is skipped with a warning; one
    named on the command line is parsed, so that its error says what is wrong.
    """
    lines, notes, bibs, skipped = [], [], [], []
    for path in files:
        if path.suffix.lower() == ".bib":
            bibs.append(path)
        elif is_vault_file(path):
            notes.append(path)
        elif path.suffix.lower() == ".md" or path in named:
            lines.append(path)
        else:
            with path.open("rb") as handle:
                head = handle.read(4096).decode("utf-8", "ignore")
            if has_header(head) or not head.strip() or "\x00" in head:
                lines.append(path)  # a document, or a broken file whose error the parser names
            else:
                skipped.append(ImportNotice(path=str(path), message=NEITHER))
    return lines, notes, bibs, skipped


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
    paths = list(paths)
    files, skipped = collect_files(paths)
    named = {Path(p) for p in paths if Path(p).is_file()}
    line_files, vault_files, bib_files, neither = classify(files, named)
    known = nb.list_papers()
    keys = known_paper_keys(known)
    references: list[Paper] = []
    duplicates: list[tuple[str, str]] = []  # (paper, the paper it is): one entry matched two known papers
    for path in bib_files:  # before the notes, so that their mentions find the papers' metadata
        for paper in parse_bib(read_document(path), str(path)):
            matched = {keys[key] for key in paper_keys(paper) if key in keys}
            paper = known_paper(paper, keys)
            duplicates += [(other, paper.id) for other in sorted(matched - {paper.id})]
            references.append(paper)
            for key in paper_keys(paper):
                keys[key] = paper.id
    titles = nb.titles()
    vault = None
    if vault_files:  # read first: the notes' titles and aliases resolve the documents' citations too
        vault = read_vault(
            vault_files,
            titles,
            known_claims=lambda nid: nb.list_claims(note_id=nid),
            known_note=nb.get_note,
            paper_keys=keys,
            note_urls=nb.note_urls(),
        )
        titles = {**vault.prepare(), **titles}
    batch = build_batch(line_files, titles, known_note=nb.get_note, paper_keys=keys)
    batch.papers[:0] = references
    if vault_files:  # a vault's images and other attachments are expected company, not worth a warning
        skipped = [s for s in skipped if Path(s.path).suffix.lower() not in ATTACHMENTS]
    batch.warnings[:0] = skipped + neither
    sources = [i.source_path for i in batch.inquiries if i.source_path] + [str(p.resolve()) for p in bib_files]
    if vault is None:
        with nb.transaction():
            report = nb.apply(batch)
            _fold_duplicates(nb, duplicates, report)
            refresh_many(nb, [c.id for c in batch.claims])  # a re-import may have changed a claim's specs
        return ImportResult(report=report, warnings=batch.warnings, files=sources)
    # the vault resolves links against the notebook and the documents imported alongside it
    result = vault.build({normalize_title(n.title): n.id for n in batch.notes})
    # A note written in the vault is the note's own text: its claims come from it, not from a document's
    # summary of it (else which claims a note has would depend on what was imported with it).
    written = {n.id for n in result.batch.notes if not n.is_placeholder}
    dropped = {c.id for c in batch.claims if c.note_id in written}
    if dropped:
        batch.claims = [c for c in batch.claims if c.id not in dropped]
        batch.specs = [s for s in batch.specs if s.claim_id not in dropped]
        batch.edges = [e for e in batch.edges if e.src not in dropped and e.dst not in dropped]
    merged = ImportBatch(
        **{name: getattr(batch, name) + getattr(result.batch, name) for name in ImportBatch.model_fields}
    )
    with nb.transaction():
        report = nb.apply(merged)
        for run_id in add_run_summaries(nb, result.runs, source=str(vault_files[0].parent)):
            report.record("runs", "added", run_id)
        apply_statuses(nb, result.statuses, source=str(vault_files[0].parent), refresh=[c.id for c in merged.claims])
        _fold_duplicates(nb, duplicates, report)
    return ImportResult(report=report, warnings=merged.warnings, files=sources + result.files)


def _fold_duplicates(nb: Notebook, duplicates: list[tuple[str, str]], report: ApplyReport) -> None:
    """A ``.bib`` entry that names two papers the notes mention apart (by arXiv id and by "Author et al.
    YEAR") shows they are one: the mentions move to the paper the entry attached to."""
    for old, new in duplicates:
        if old != new and nb.get_paper(old) is not None:
            nb.merge_paper_into(old, new)
            report.record("papers", "merged", old)
