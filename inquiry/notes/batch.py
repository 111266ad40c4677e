"""Build one :class:`~inquiry.models.ImportBatch` from document files; the caller applies it.

The importer never sees the database. It gets what it needs to resolve citations as plain data:
``titles`` (normalized title → note id, e.g. ``Notebook.titles()``) and ``known_note`` (a lookup of
a known note, e.g. ``Notebook.get_note``), and raises :class:`~inquiry.errors.ImportFailed`
naming the file (and line) for input it cannot read. One bad file fails the whole batch, so the
caller writes nothing.

>>> from inquiry.example import EXAMPLE_PATH
>>> batch = build_batch([EXAMPLE_PATH], titles={})
>>> len(batch.inquiries), len(batch.notes), len(batch.citations)
(1, 10, 10)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ImportFailed
from ..ids import content_hash, inquiry_id, note_id, paper_id
from ..models import Claim, Edge, EdgeKind, ImportBatch, ImportNotice, Inquiry, Note, Paper, ReproSpec
from .aliases import SlugIndex
from .citations import TitleIndex, scan_citations
from .claims import claims_for
from .contrast import contrast_edges
from .inquiring_line import ParsedDocument, parse_document
from .papers import find_papers, known_paper
from .repro_specs import SpecRules, default_rules

SUFFIXES = (".txt", ".md", ".bib")  # also covers ".inquiry.txt"; .bib files are references
MAX_BYTES = 20 * 1024 * 1024
_HTML_MARKERS = ("<!doctype html", "<html", "<head", "<body")


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[ImportNotice]]:
    """Expand folders (recursively, sorted) to their ``.txt``/``.md`` files; files named directly are kept.

    Returns the files and one notice per file a folder held that is not a document.
    """
    files, skipped, _ = _collect(paths)
    return files, skipped


def _collect(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[ImportNotice], dict[Path, Path]]:
    """:func:`collect_files`, and each file's resolved path (the import records it as the source path)."""
    files: list[Path] = []
    skipped: list[ImportNotice] = []
    dirs: dict[Path, Path] = {}  # folder -> its resolved path: one realpath per folder, not per file
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = path.resolve()
            for child in sorted(path.rglob("*")):
                if any(part.startswith(".") for part in child.relative_to(path).parts) or not child.is_file():
                    continue
                if child.is_symlink() and not child.resolve().is_relative_to(inside):
                    # A shared folder must not reach the rest of the disk (a link to ~/.ssh or a private note).
                    skipped.append(
                        ImportNotice(path=str(child), message="skipped: a link to a file outside the imported folder")
                    )
                    continue
                if child.name.lower().endswith(SUFFIXES):
                    files.append(child)
                else:
                    skipped.append(ImportNotice(path=str(child), message="skipped: not a .txt, .md or .bib file"))
        elif path.is_file():
            files.append(path)
        else:
            raise ImportFailed(str(path), "no such file or folder")
    # A link inside the folder to a file it also holds is that file once, read under its own name.
    real = {file: _resolve(file, dirs) for file in files}
    chosen: dict[Path, Path] = {}
    for file in files:
        if real[file] not in chosen or (chosen[real[file]].is_symlink() and not file.is_symlink()):
            chosen[real[file]] = file
    return [file for file in dict.fromkeys(files) if chosen[real[file]] == file], skipped, real


def _resolve(file: Path, dirs: dict[Path, Path]) -> Path:
    """``file.resolve()``, with the folder's resolution shared: a file that is no link resolves to its
    resolved folder plus its name (realpath walks every component, with one lstat each)."""
    if file.name in ("", ".", "..") or file.is_symlink():
        return file.resolve()
    folder = dirs.get(file.parent)
    if folder is None:
        folder = dirs[file.parent] = file.parent.resolve()
    return folder / file.name


def read_document(path: Path) -> str:
    """The text of a document file, or :class:`ImportFailed` saying what is wrong with it and where."""
    where = str(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFailed(where, f"file is {size / 2**20:.1f} MB; documents over {MAX_BYTES // 2**20} MB are refused")
    data = path.read_bytes()
    if not data.strip():
        raise ImportFailed(where, "file is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportFailed(
            where, f"binary file (NUL byte at offset {nul}), not a text export", data.count(b"\n", 0, nul) + 1
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            where,
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            data.count(b"\n", 0, exc.start) + 1,
        ) from None
    head = text.lstrip()[:2000].lower()
    if head.startswith("<") and any(marker in head for marker in _HTML_MARKERS):
        raise ImportFailed(
            where, "this is an HTML page, not an exported inquiring line (save the export as plain text)", 1
        )
    return text


def build_batch(
    paths: Iterable[str | os.PathLike[str]],
    titles: Mapping[str, str],
    known_note: Callable[[str], Note | None] | None = None,
    rules: SpecRules | None = None,
    paper_keys: Mapping[str, str] | None = None,
) -> ImportBatch:
    """Read, parse and resolve every document under ``paths`` into one batch (or raise ImportFailed).

    ``paper_keys``: known papers by :func:`~inquiry.notes.papers.paper_keys` key → paper id.
    """
    files, skipped, real = _collect(paths)
    builder = _BatchBuilder(titles, known_note, rules or default_rules(), paper_keys or {})
    builder.batch.warnings.extend(skipped)
    for path in files:
        if path.suffix.lower() == ".bib":
            continue  # references, read by inquiry.notes.bib
        text = read_document(path)
        builder.add_document(parse_document(text, str(path)), str(real[path]), text)
    return builder.finish()


@dataclass
class _Pending:
    """A note as the batch will write it, and where its canonical summary came from."""

    note: Note
    summary_source: str | None = None  # inquiry id that supplied ``note.summary``; None: kept the notebook's


@dataclass
class _BatchBuilder:
    titles: Mapping[str, str]
    known_note: Callable[[str], Note | None] | None
    rules: SpecRules
    paper_keys: Mapping[str, str] = field(default_factory=dict)
    batch: ImportBatch = field(default_factory=ImportBatch)
    notes: dict[str, _Pending] = field(default_factory=dict)
    essays: list[tuple[Inquiry, list]] = field(default_factory=list)
    _known: dict[str, Note | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = TitleIndex(self.titles)
        self.known_ids = set(self.titles.values())
        self.slugs: SlugIndex | None = None  # built on the first slug-shaped title
        self.inquiry_ids: set[str] = set()
        self.papers: dict[str, Paper] = {}

    def known(self, nid: str) -> Note | None:
        """The notebook's version of a note (looked up once), None for a note the notebook lacks."""
        if nid not in self.known_ids or self.known_note is None:
            return None
        if nid not in self._known:
            self._known[nid] = self.known_note(nid)
        return self._known[nid]

    def resolve(self, title: str, doc: ParsedDocument | None = None, line: int | None = None) -> str:
        """Exact title or alias, then a unique slug prefix (with a warning), else the title's own id."""
        nid = self.index.get(title) or self.titles.get(self.index.normalize(title))
        if nid is None:
            if self.slugs is None:
                self.slugs = SlugIndex(self.known_ids)
            nid = self.slugs.resolve(title)
            if nid is not None and doc is not None:
                self.warn(doc, f"{title!r} is no known title; read it as the slug of {nid} (a unique prefix)", line)
            nid = nid or note_id(title)
            self.slugs.add(nid)
        self.index.add(title, nid)
        return nid

    def warn(self, doc: ParsedDocument, message: str, line: int | None = None) -> None:
        self.batch.warnings.append(ImportNotice(path=doc.path, message=message, line=line))

    # ---- one document --------------------------------------------------------------------

    def add_document(self, doc: ParsedDocument, source_path: str, text: str) -> None:
        iid = inquiry_id(doc.question)
        if iid in self.inquiry_ids:
            self.warn(doc, f"same question as an earlier file in this import ({iid}); skipped")
            return
        self.batch.warnings.extend(doc.warnings)
        listed: set[str] = set()
        for source in doc.sources:
            nid = self.resolve(source.title, doc, source.line)
            if nid in listed:
                self.warn(doc, f"source note {source.title!r} is listed twice", source.line)
            listed.add(nid)
            self.add_listed_note(doc, iid, nid, source.title, source.summary, source.line)
            self.batch.edges.append(Edge(src=iid, dst=nid, kind=EdgeKind.LISTS_SOURCE, provenance="importer"))

        scan = scan_citations(iid, doc.essay, self.index)
        for nid, title in scan.placeholders.items():
            self.add_placeholder(nid, title)
            self.warn(doc, f"cites {title!r}, which matches no known note: added it as a placeholder note")
        for paragraph, mention in scan.unresolved:
            self.warn(doc, f"unresolved mention {mention!r} in essay paragraph {paragraph}", doc.essay_lines[paragraph])
        self.batch.citations.extend(scan.citations)
        paragraphs: dict[str, list[int]] = {}
        for citation in scan.citations:
            paragraphs.setdefault(citation.note_id, []).append(citation.paragraph)
            if citation.prefix:
                self.add_paper_mention(citation.note_id, citation.prefix)
        for nid, where in paragraphs.items():
            self.batch.edges.append(
                Edge(
                    src=iid,
                    dst=nid,
                    kind=EdgeKind.CITES,
                    provenance="importer",
                    attrs={"paragraphs": sorted(set(where))},
                )
            )
        for line in doc.next_lines:
            nid = self.resolve(line, doc)
            if self.known(nid) is None:
                self.add_placeholder(nid, line)
            self.batch.edges.append(Edge(src=iid, dst=nid, kind=EdgeKind.NEXT, provenance="importer"))

        inquiry = Inquiry(
            id=iid,
            question=doc.question,
            framing=doc.framing,
            essay=doc.essay,
            next_lines=doc.next_lines,
            sources_declared=doc.sources_declared,
            source_path=source_path,
            content_hash=content_hash(text),
        )
        self.batch.inquiries.append(inquiry)
        self.inquiry_ids.add(iid)
        self.essays.append((inquiry, scan.citations))

    def add_listed_note(self, doc: ParsedDocument, iid: str, nid: str, title: str, summary: str, line: int) -> None:
        if not summary:
            self.add_placeholder(nid, title)
            return
        pending, known = self.notes.get(nid), self.known(nid)
        if pending is not None and not pending.note.is_placeholder:
            pending.note.summary_variants[iid] = summary
            if pending.note.summary != summary:
                self.warn(
                    doc,
                    f"summary of {title!r} differs from the one another file in this import gives; "
                    "kept the first, stored this one as a variant",
                    line,
                )
            return
        summary_source: str | None = iid
        canonical = summary
        if (
            known is not None
            and not known.is_placeholder
            and known.summary
            and known.summary != summary
            and known.summary_variants.get(iid) != known.summary
        ):
            # Another document supplied the notebook's summary: never overwrite it silently.
            canonical, summary_source = known.summary, None
            self.warn(
                doc,
                f"summary of {title!r} differs from the notebook's; kept the notebook's, stored this one as a variant",
                line,
            )
        note = Note(id=nid, title=known.title if known else title, summary=canonical, summary_variants={iid: summary})
        self.notes[nid] = _Pending(note, summary_source)
        for paper in find_papers(summary):
            self.add_paper(nid, paper, "importer:reference")

    def add_placeholder(self, nid: str, title: str) -> None:
        if nid not in self.notes:
            self.notes[nid] = _Pending(Note(id=nid, title=title, is_placeholder=True), None)

    def add_paper_mention(self, nid: str, name: str) -> None:
        self.add_paper(nid, Paper(id=paper_id(name), name=name), "importer:citation-prefix")

    def add_paper(self, nid: str, paper: Paper, provenance: str) -> None:
        """``nid`` (a note or claim) mentions ``paper``, under the id of a known paper it matches."""
        paper = known_paper(paper, self.paper_keys)
        if paper.id not in self.papers:
            self.papers[paper.id] = paper
            self.batch.papers.append(paper)
        self.batch.edges.append(Edge(src=nid, dst=paper.id, kind=EdgeKind.MENTIONS, provenance=provenance))

    # ---- the whole batch -----------------------------------------------------------------

    def claims_of(self, nid: str) -> list[Claim]:
        pending = self.notes.get(nid)
        if pending is not None and pending.note.summary:
            return claims_for(nid, pending.note.summary)
        known = self.known(nid)
        return claims_for(nid, known.summary) if known is not None and known.summary else []

    def finish(self) -> ImportBatch:
        batch = self.batch
        batch.notes = [p.note for p in self.notes.values()]
        specs: dict[tuple[str, str, str], ReproSpec] = {}
        claims_by_note: dict[str, list[Claim]] = {}
        for pending in self.notes.values():
            if pending.summary_source is None:
                continue  # a placeholder, or the notebook's claims stay as they are
            claims = claims_by_note[pending.note.id] = claims_for(pending.note.id, pending.note.summary)
            batch.claims.extend(claims)
            for claim in claims:
                if "et al" in claim.text or "arXiv" in claim.text or "10." in claim.text:
                    for paper in find_papers(claim.text):
                        self.add_paper(claim.id, paper, "importer:reference")
                for spec in self.rules.specs_for(claim, pending.note.title):
                    specs.setdefault((spec.claim_id, spec.runner, spec.preset), spec)
        batch.specs = list(specs.values())

        def claims_of(nid: str) -> list[Claim]:
            if nid not in claims_by_note:
                claims_by_note[nid] = self.claims_of(nid)
            return claims_by_note[nid]

        for inquiry, citations in self.essays:
            batch.edges.extend(contrast_edges(inquiry.essay, citations, claims_of))
        batch.edges = list({edge.key: edge for edge in batch.edges}.values())
        return batch
