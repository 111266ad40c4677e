"""Import a folder of Obsidian-style ``.md`` notes (a "vault") into one :class:`~inquiry.models.ImportBatch`.

What a file becomes depends on its front matter ``type`` (see :mod:`.vault_format`):

* ``note`` (the default, so plain Obsidian notes work): the first ``# heading`` or the file name is
  the title; the first paragraph is the summary; the items of a ``## Claims`` list become claims;
  the rest is the body. ``[[links]]`` to other notes become ``links-to`` edges and ``#tags`` topics.
* ``inquiry``: the first paragraph is the framing and the paragraphs under ``## Essay`` the essay;
  every ``[[link]]`` in the essay to a note is a citation. ``## Sources`` and ``## Next inquiring
  lines`` lists give the listed sources and next lines.
* ``claim``: one claim of the note named by its ``note:`` key.

Links resolve to a vault file by file name, title or alias, then to the notebook's notes by title;
a link to nothing known becomes a placeholder note. Known titles mentioned without a link are
reported. Files the exporter wrote also carry ids, claim statuses, claim relations and run summaries
in their front matter; :class:`VaultImport` hands the statuses and runs to the caller, who writes
them in the same transaction as the batch.

Structure comes from markdown-it-py tokens (with :mod:`.wikilinks`), never from regexes over the
raw text. Bad input raises :class:`~inquiry.errors.ImportFailed` naming the file (and line).

>>> import tempfile, pathlib
>>> vault = pathlib.Path(tempfile.mkdtemp())
>>> _ = (vault / "RLVR.md").write_text("# Does RLVR expand reasoning?\\n\\nIt narrows sampling [[Pass at k]].\\n\\n"
...                                    "## Claims\\n- RLVR narrows sampling.\\n")
>>> result = build_vault_batch(sorted(vault.glob("*.md")), titles={})
>>> [(n.title, n.is_placeholder) for n in result.batch.notes]
[('Does RLVR expand reasoning?', False), ('Pass at k', True)]
>>> [c.text for c in result.batch.claims], [e.kind.value for e in result.batch.edges]
(['RLVR narrows sampling.'], ['links-to'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin
from pydantic import ValidationError

from ..errors import ImportFailed
from ..ids import claim_id, inquiry_id, normalize_title, note_id, paper_id
from ..models import (Citation, Claim, ClaimKind, Edge, EdgeKind, ImportBatch, ImportNotice, Inquiry, Note, Paper,
                      Status)
from .citations import TitleIndex, TitleMatch, _prefix, _supported_sentences
from .claims import extract_quantities
from .importer import read_document
from .repro_specs import SpecRules, default_rules
from .vault_format import (CLAIMS, ESSAY, GENERATED, GENERATOR, NEXT, READ_BADGES, SOURCES, ClaimFront, InquiryFront,
                           NoteFront, RunSummary, badge_suffixes)
from .wikilinks import wiki_markdown

_MD = wiki_markdown().use(front_matter_plugin)
_SUFFIXES = badge_suffixes()
_ID_PREFIX = {"note": "note:", "inquiry": "inq:", "claim": "claim:"}


@dataclass
class VaultImport:
    """A vault's batch plus what the store's batch cannot carry: claim statuses and run summaries."""

    batch: ImportBatch
    statuses: dict[str, Status] = field(default_factory=dict)  # claim id -> status written in front matter
    runs: list[tuple[str, RunSummary]] = field(default_factory=list)  # (claim id, run)
    files: list[str] = field(default_factory=list)


# ---- one file --------------------------------------------------------------------------------


@dataclass
class _Block:
    """A top-level block: its opening token, the tokens inside it and the ``## section`` it sits in."""

    section: str | None
    tokens: list[Token]

    @property
    def kind(self) -> str:
        return self.tokens[0].type

    @property
    def lines(self) -> tuple[int, int]:
        return tuple(self.tokens[0].map)  # type: ignore[return-value]

    def inlines(self) -> list[Token]:
        return [t for t in self.tokens if t.type == "inline"]


@dataclass
class _File:
    path: Path
    text: str
    kind: str
    front: Any
    title: str
    blocks: list[_Block]
    node: str = ""  # the inquiry or note id the file stands for (claims: unused)

    @property
    def exported(self) -> bool:
        return self.front.generator == GENERATOR

    def fail(self, message: str, line: int | None = None) -> ImportFailed:
        return ImportFailed(str(self.path), message, line)


def _front_matter(path: Path, tokens: list[Token]) -> dict[str, Any]:
    if not tokens or tokens[0].type != "front_matter":
        return {}
    try:
        data = yaml.safe_load(tokens[0].content) or {}
    except yaml.YAMLError as exc:
        line = exc.problem_mark.line + 2 if getattr(exc, "problem_mark", None) else 1
        raise ImportFailed(str(path), f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}", line) from None
    if not isinstance(data, dict):
        raise ImportFailed(str(path), "front matter must be a mapping of keys to values", 1)
    return data


def _blocks(tokens: list[Token]) -> list[_Block]:
    """Group the level-0 tokens into blocks, remembering the ``##`` section of each."""
    blocks: list[_Block] = []
    section: str | None = None
    current: list[Token] = []
    for token in tokens:
        if token.type == "front_matter":
            continue
        current.append(token)
        if token.level == 0 and token.nesting != 1:  # a block closes (or a self-contained one ends)
            if current[0].type == "heading_open" and current[0].tag in ("h1", "h2"):
                section = current[1].content.strip() if current[0].tag == "h2" else None
            blocks.append(_Block(section, current))
            current = []
    return blocks


def parse_file(path: Path) -> _File:
    """Read and tokenize one vault file, validating its front matter (errors name the file and key)."""
    text = read_document(path)
    tokens = _MD.parse(text)
    data = _front_matter(path, tokens)
    kind = data.get("type", "note")
    model = {"note": NoteFront, "inquiry": InquiryFront, "claim": ClaimFront}.get(kind)
    if model is None:
        raise ImportFailed(str(path), f"front matter 'type' is {kind!r}; expected inquiry, note or claim", 1)
    try:
        front = model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ImportFailed(str(path), f"front matter key {where!r}: {err['msg']}", 1) from None
    if front.id and not front.id.startswith(_ID_PREFIX[kind]):
        raise ImportFailed(str(path), f"front matter id {front.id!r} of a {kind} must start with {_ID_PREFIX[kind]!r}", 1)
    blocks = _blocks(tokens)
    h1 = next((b for b in blocks if b.kind == "heading_open" and b.tokens[0].tag == "h1"), None)
    title = (getattr(front, "question", None) or front.title or (h1.inlines()[0].content.strip() if h1 else "")
             or path.stem)
    return _File(path, text, kind, front, title.strip(), blocks)


# ---- text as a reader sees it ----------------------------------------------------------------


@dataclass
class _Link:
    start: int  # span of the shown text in the visible text
    end: int
    target: str
    section: str | None


def visible_text(inline: Token, strip_badges: bool) -> tuple[str, list[_Link]]:
    """An inline block's source with each ``[[link]]`` replaced by its shown text (and the exporter's badges gone).

    Everything else stays as written (emphasis markers included), so an exported essay paragraph
    comes back character for character and citation offsets stay valid.
    """
    source = inline.content
    out: list[str] = []
    links: list[_Link] = []
    cursor = 0
    for token in inline.children or ():
        if token.type != "wikilink" or token.meta["embed"]:
            continue
        out.append(source[cursor:token.meta["start"]])
        start = sum(map(len, out))
        out.append(token.meta["shown"])
        links.append(_Link(start, start + len(token.meta["shown"]), token.meta["target"], token.meta["section"]))
        cursor = token.meta["end"]
        if strip_badges:
            cursor += next((len(s) for s in _SUFFIXES if source.startswith(s, cursor)), 0)
    out.append(source[cursor:])
    return "".join(out).replace("\n", " "), links


def _strip_leading_badge(text: str, exported: bool) -> str:
    if exported:
        for badge in READ_BADGES:
            if text.startswith(badge + " "):
                return text[len(badge) + 1:]
    return text


# ---- the whole vault -------------------------------------------------------------------------


@dataclass
class _VaultBuilder:
    files: list[_File]
    titles: Mapping[str, str]
    known_claims: Callable[[str], list[Claim]]
    rules: SpecRules
    result: VaultImport = field(default_factory=lambda: VaultImport(ImportBatch()))
    by_stem: dict[str, str] = field(default_factory=dict)
    by_title: dict[str, str] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)
    claims: dict[str, list[Claim]] = field(default_factory=dict)
    note_titles: dict[str, str] = field(default_factory=dict)
    index: TitleIndex | None = None  # known titles, for unlinked mentions (built on first use)

    @property
    def batch(self) -> ImportBatch:
        return self.result.batch

    def warn(self, file: _File, message: str, line: int | None = None) -> None:
        self.batch.warnings.append(ImportNotice(path=str(file.path), message=message, line=line))

    # ---- identities ----------------------------------------------------------------------

    def identify(self) -> None:
        """First pass: every file's id, reachable by file name, title and aliases."""
        owner: dict[str, _File] = {}
        for file in self.files:
            if file.kind == "claim":
                continue
            make = inquiry_id if file.kind == "inquiry" else self.known_or_new_note
            node = file.front.id or make(file.title)
            if node in owner:
                raise file.fail(f"same {file.kind} ({node}) as {owner[node].path}")
            owner[node] = file
            file.node = node
            self.by_stem.setdefault(file.path.stem.casefold(), node)
            for name in [file.title, *file.front.aliases]:
                self.by_title.setdefault(normalize_title(name), node)

    def known_or_new_note(self, title: str) -> str:
        return self.titles.get(normalize_title(title)) or note_id(title)

    def resolve(self, target: str) -> str:
        """The node a link target names; a note nobody knows becomes a placeholder."""
        node = (self.by_stem.get(target.casefold()) or self.by_title.get(normalize_title(target))
                or self.titles.get(normalize_title(target)))
        if node is None:
            node = note_id(target)
            self.by_title[normalize_title(target)] = node
            self.notes.setdefault(node, Note(id=node, title=target, is_placeholder=True))
        return node

    # ---- notes ---------------------------------------------------------------------------

    def add_note(self, file: _File) -> None:
        front: NoteFront = file.front
        nid = file.node
        summary, body_lines, topics, links = "", [], list(front.tags), []
        claim_texts: list[str] = []
        body_started = False
        for block in file.blocks:
            heading = block.kind == "heading_open"
            if block.section in GENERATED or (heading and (block.tokens[0].tag == "h1" or block.section == CLAIMS)):
                continue
            for inline in block.inlines():
                topics += [t.meta["tag"] for t in inline.children or () if t.type == "tag"]
            if block.section == CLAIMS:
                for text, found in self.list_items(file, block):
                    claim_texts.append(text)
                    links += found
            elif block.kind == "paragraph_open" and not summary and not body_started:
                summary, found = visible_text(block.inlines()[0], file.exported)
                links += found
                self.report_mentions(file, block, summary, found, nid)
            else:
                body_started = True
                body_lines.append(block.lines)
                for inline in block.inlines():
                    links += visible_text(inline, False)[1]
        lines = file.text.splitlines()
        body = "\n\n".join("\n".join(lines[a:b]) for a, b in _merge(body_lines)).strip()
        variants = {source: summary for source in front.summary_sources} | front.summary_variants
        self.notes[nid] = Note(id=nid, title=file.title, summary=summary, body=body,
                               topics=list(dict.fromkeys(topics)), aliases=front.aliases, arxiv=front.arxiv,
                               is_placeholder=front.placeholder, summary_variants=variants)
        self.note_titles[nid] = file.title
        for link in links:
            target = self.resolve(link.target)
            if target.startswith("note:") and target != nid:
                self.batch.edges.append(Edge(src=nid, dst=target, kind=EdgeKind.LINKS_TO, provenance="importer:vault",
                                             attrs={"section": link.section} if link.section else {}))
        self.claims[nid] = [_claim(nid, text, i) for i, text in enumerate(dict.fromkeys(claim_texts))]
        self.add_claim_front(file, nid)
        for mention in front.mentions:
            self.add_paper(Paper(id=mention.paper, name=mention.name, arxiv=mention.arxiv))
            self.batch.edges.append(Edge(src=nid, dst=mention.paper, kind=EdgeKind.MENTIONS,
                                         provenance=mention.provenance))

    @staticmethod
    def list_items(file: _File, block: _Block) -> list[tuple[str, list[_Link]]]:
        """Each top-level item of a list block: its text and links (nested lists are comments on the item)."""
        items = []
        for token in block.tokens:
            if token.type == "inline" and token.level == 3:  # list > item > paragraph > inline
                text, found = visible_text(token, file.exported)
                text = _strip_leading_badge(text, file.exported)
                if text.strip():
                    items.append((text.strip(), found))
        return items

    def add_claim_front(self, file: _File, nid: str) -> None:
        """Statuses, relations and runs the front matter carries for the note's claims."""
        ids = {c.id for c in self.claims[nid]}
        for summary in file.front.claims:
            if summary.id not in ids:
                self.warn(file, f"front matter describes claim {summary.id}, which the Claims list does not hold")
                continue
            self.result.statuses[summary.id] = summary.status
            self.result.runs += [(summary.id, run) for run in summary.runs]
            self.batch.edges += [Edge(src=summary.id, dst=r.to, kind=r.kind, state=r.state, why=r.why,
                                      provenance=r.provenance, attrs=r.attrs) for r in summary.relations]

    def add_claim_file(self, file: _File) -> None:
        front: ClaimFront = file.front
        target = front.note.strip().removeprefix("[[").removesuffix("]]").split("|")[0].split("#")[0]
        nid = self.resolve(target)
        if not nid.startswith("note:"):
            raise file.fail(f"front matter 'note' names {target!r}, which is not a note", 1)
        paragraph = next((b for b in file.blocks if b.kind == "paragraph_open"), None)
        text = front.text or (visible_text(paragraph.inlines()[0], False)[0] if paragraph else "") or front.title
        if not text:
            raise file.fail("a claim file needs its text: a 'text' key, a title or a paragraph", 1)
        claims = self.claims.setdefault(nid, list(self.known_claims(nid)))
        claim = _claim(nid, text.strip(), len(claims))
        if front.id and front.id != claim.id:
            self.warn(file, f"claim id {front.id} does not match its text; using {claim.id}")
        if all(c.id != claim.id for c in claims):
            claims.append(claim)
        if front.status is not None:
            self.result.statuses[claim.id] = front.status

    def report_mentions(self, file: _File, block: _Block, text: str, links: list[_Link], own: str) -> None:
        """Known titles written out in full but not linked."""
        if self.index is None:
            self.index = TitleIndex({**self.titles, **self.by_title})
        for match in self.index.find(text):
            if match.note_id != own and not any(link.start <= match.start < link.end for link in links):
                self.warn(file, f"unlinked mention of {match.title!r}", block.lines[0] + 1)

    # ---- inquiries -----------------------------------------------------------------------

    def add_inquiry(self, file: _File) -> None:
        front: InquiryFront = file.front
        iid = file.node
        has_essay = any(b.section == ESSAY for b in file.blocks)
        preamble: list[str] = []
        essay: list[tuple[str, list[_Link]]] = []
        next_lines: list[str] = []
        for block in file.blocks:
            if block.kind == "paragraph_open" and block.section is None:
                text, links = visible_text(block.inlines()[0], file.exported)
                if has_essay or not preamble:
                    preamble.append(text)
                else:
                    essay.append((text, links))
            elif block.kind == "paragraph_open" and block.section == ESSAY:
                essay.append(visible_text(block.inlines()[0], file.exported))
            elif block.section == SOURCES:
                for _, links in self.list_items(file, block):
                    self.batch.edges += [Edge(src=iid, dst=self.resolve(link.target), kind=EdgeKind.LISTS_SOURCE,
                                              provenance="importer") for link in links[:1]]
            elif block.section == NEXT:
                for text, links in self.list_items(file, block):
                    next_lines.append(text)
                    whole = next((lk.target for lk in links if (lk.start, lk.end) == (0, len(text))), None)
                    self.batch.edges.append(Edge(src=iid, dst=self.resolve(whole or text), kind=EdgeKind.NEXT,
                                                 provenance="importer"))
        citations = self.citations(iid, essay)
        self.batch.citations += citations
        self.batch.inquiries.append(Inquiry(
            id=iid, question=file.title, framing="\n\n".join(preamble), essay=[text for text, _ in essay],
            next_lines=next_lines, sources_declared=front.sources_declared, source_path=str(file.path.resolve())))

    def citations(self, iid: str, essay: list[tuple[str, list[_Link]]]) -> list[Citation]:
        """Each link to a note in an essay paragraph cites it, with the sentence it supports."""
        found: list[Citation] = []
        paragraphs: dict[str, set[int]] = {}
        for number, (text, links) in enumerate(essay):
            matches = [TitleMatch(link.start, link.end, self.resolve(link.target), text[link.start:link.end])
                       for link in links]
            matches = [m for m in matches if m.note_id.startswith("note:")]
            prefixes = [_prefix(text[:m.start]) for m in matches]
            for match, sentence, prefix in zip(matches, _supported_sentences(text, matches, prefixes), prefixes):
                found.append(Citation(inquiry_id=iid, note_id=match.note_id, paragraph=number, sentence=sentence,
                                      start=match.start, end=match.end, prefix=prefix))
                paragraphs.setdefault(match.note_id, set()).add(number)
                if prefix:
                    self.add_paper(Paper(id=paper_id(prefix), name=prefix))
                    self.batch.edges.append(Edge(src=match.note_id, dst=paper_id(prefix), kind=EdgeKind.MENTIONS,
                                                 provenance="importer:citation-prefix"))
        for nid, where in paragraphs.items():
            self.batch.edges.append(Edge(src=iid, dst=nid, kind=EdgeKind.CITES, provenance="importer",
                                         attrs={"paragraphs": sorted(where)}))
        return found

    def add_paper(self, paper: Paper) -> None:
        if all(p.id != paper.id for p in self.batch.papers):
            self.batch.papers.append(paper)

    # ---- finish --------------------------------------------------------------------------

    def build(self) -> VaultImport:
        self.identify()
        for kind, add in (("note", self.add_note), ("inquiry", self.add_inquiry), ("claim", self.add_claim_file)):
            for file in self.files:
                if file.kind == kind:
                    add(file)
        batch = self.batch
        batch.notes = list(self.notes.values())
        batch.claims = [claim for claims in self.claims.values() for claim in claims]
        specs = {}
        for claim in batch.claims:
            for spec in self.rules.specs_for(claim, self.note_titles.get(claim.note_id, "")):
                specs.setdefault((spec.claim_id, spec.runner, spec.preset), spec)
        batch.specs = list(specs.values())
        batch.edges = list({edge.key: edge for edge in batch.edges}.values())
        self.result.files = [str(file.path.resolve()) for file in self.files]
        return self.result


def _claim(nid: str, text: str, index: int) -> Claim:
    quantities = extract_quantities(text)
    return Claim(id=claim_id(nid, text), note_id=nid, text=text, index=index, quantities=quantities,
                 kind=ClaimKind.QUANTITATIVE if quantities else ClaimKind.QUALITATIVE)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join line ranges that touch or are separated only by blank lines' worth of gap.

    >>> _merge([(2, 4), (5, 6), (9, 10)])
    [(2, 6), (9, 10)]
    """
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and start - merged[-1][1] <= 1:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def is_vault_file(path: Path) -> bool:
    """A ``.md`` file that opens with YAML front matter, or lies in an Obsidian vault (a ``.obsidian`` folder above it)."""
    if path.suffix.lower() != ".md":
        return False
    with path.open("rb") as handle:
        if handle.read(4).lstrip(b"\xef\xbb\xbf").startswith(b"---"):
            return True
    return any((parent / ".obsidian").is_dir() for parent in path.resolve().parents)


def build_vault_batch(paths: Iterable[Path], titles: Mapping[str, str],
                      known_claims: Callable[[str], list[Claim]] | None = None,
                      rules: SpecRules | None = None) -> VaultImport:
    """Parse every vault file and resolve it against the vault and ``titles`` (normalized title → note id)."""
    files = [parse_file(Path(p)) for p in paths]
    return _VaultBuilder(files, titles, known_claims or (lambda nid: []), rules or default_rules()).build()
