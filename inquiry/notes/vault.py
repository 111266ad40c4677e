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

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin
from pydantic import ValidationError

from ..errors import ImportFailed
from ..ids import claim_id, inquiry_id, normalize_title, note_id, paper_id, slugify
from ..models import (
    Citation,
    Claim,
    ClaimKind,
    Edge,
    EdgeKind,
    ImportBatch,
    ImportNotice,
    Inquiry,
    Note,
    Paper,
    ReproSpec,
    Status,
)
from .aliases import SlugIndex
from .batch import read_document
from .citations import TitleIndex, TitleMatch, prefix_at, supported_sentences
from .claims import claims_for_note, extract_quantities
from .inquiring_line import has_header
from .papers import find_papers, known_paper
from .repro_specs import SpecRules, default_rules
from .vault_format import (
    CLAIMS,
    ESSAY,
    GENERATED,
    GENERATOR,
    NEXT,
    READ_BADGES,
    SOURCES,
    ClaimFront,
    InquiryFront,
    NoteFront,
    RunSummary,
    citation_suffix_length,
    load_front_matter,
    one_line,
)
from .wikilinks import wiki_markdown

_MD = wiki_markdown().use(front_matter_plugin)
_ID_PREFIX = {"note": "note:", "inquiry": "inq:", "claim": "claim:"}
# Files a notes folder keeps beside its notes that are about the folder, not notes (unless front matter says so).
NOT_NOTES = {
    "readme",
    "index",
    "_index",
    "changelog",
    "license",
    "contributing",
    "code_of_conduct",
    "todo",
    "summary",
    "security",
}
# A markdown link as written: ``[shown](href)`` or ``[shown](<href> "title")``; kept only where markdown-it saw a link.
_MD_LINK = re.compile(r"\[(?P<shown>[^\]\n]*)\]\(\s*<?(?P<href>[^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")


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
        span = self.tokens[0].map
        assert span is not None  # markdown-it gives every block token its line span
        return span[0], span[1]

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
    has_front: bool = False
    has_heading: bool = False

    @property
    def exported(self) -> bool:
        return self.front.generator == GENERATOR

    def fail(self, message: str, line: int | None = None) -> ImportFailed:
        return ImportFailed(str(self.path), message, line)


def _front_matter(path: Path, tokens: list[Token]) -> dict[str, Any]:
    if not tokens or tokens[0].type != "front_matter":
        return {}
    try:
        data = load_front_matter(tokens[0].content) or {}
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ImportFailed(str(path), f"front matter is not valid YAML: {problem}", line) from None
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
    fronts: dict[str, type[NoteFront | InquiryFront | ClaimFront]] = {
        "note": NoteFront,
        "inquiry": InquiryFront,
        "claim": ClaimFront,
    }
    model = fronts.get(kind)
    if model is None:
        raise ImportFailed(str(path), f"front matter 'type' is {kind!r}; expected inquiry, note or claim", 1)
    try:
        front = model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ImportFailed(str(path), f"front matter key {where!r}: {err['msg']}", 1) from None
    if front.id and not front.id.startswith(_ID_PREFIX[kind]):
        raise ImportFailed(
            str(path), f"front matter id {front.id!r} of a {kind} must start with {_ID_PREFIX[kind]!r}", 1
        )
    blocks = _blocks(tokens)
    h1 = next((b for b in blocks if b.kind == "heading_open" and b.tokens[0].tag == "h1"), None)
    title = (
        getattr(front, "question", None) or front.title or (h1.inlines()[0].content.strip() if h1 else "") or path.stem
    )
    # one line whatever it came from: a file name may hold a newline too
    return _File(path, text, kind, front, one_line(title), blocks, has_front=bool(data), has_heading=h1 is not None)


def _not_a_note(file: _File) -> str | None:
    """Why a file without front matter is neither a note nor an inquiring line, or None if it is a note."""
    if file.has_front or file.kind != "note":
        return None
    if file.path.stem.casefold() in NOT_NOTES:
        return (
            (
                f"skipped: {file.path.name} reads as the folder's {file.path.stem} file, not a note "
                "(give it a '# Title' heading or front matter to import it)"
            )
            if not file.has_heading
            else None
        )
    if not any(b.kind in ("paragraph_open", "bullet_list_open", "ordered_list_open") for b in file.blocks):
        return "skipped: neither a note (no text under a title) nor an inquiring line (no 'INQUIRING LINE' header)"
    return None


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
    cursor = length = 0
    for start_at, end_at, shown, target, section, wiki in _link_spans(inline):
        if start_at < cursor:
            continue
        out.append(source[cursor:start_at])
        length += len(out[-1])
        start = length
        out.append(shown)
        length += len(shown)
        links.append(_Link(start, start + len(shown), target, section))
        cursor = end_at
        if strip_badges and wiki:
            cursor += citation_suffix_length(source, cursor)
    out.append(source[cursor:])
    return "".join(out).replace("\n", " "), links


def _note_href(href: str) -> tuple[str, str | None] | None:
    """The note a relative link to a ``.md`` file names (its file name without ``.md``) and the section."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not unquote(parts.path).lower().endswith(".md"):
        return None
    return PurePosixPath(unquote(parts.path)).stem, unquote(parts.fragment) or None


def _link_spans(inline: Token) -> list[tuple[int, int, str, str, str | None, bool]]:
    """``(start, end, shown, target, section, is_wikilink)`` of each link to a note, in order of position.

    Markdown links to ``.md`` files (Foam, zk) count when markdown-it read them as links; their spans
    are found in the source by the same text, since markdown-it keeps no offsets inside an inline.
    """
    spans = [
        (t.meta["start"], t.meta["end"], t.meta["shown"], t.meta["target"], t.meta["section"], True)
        for t in inline.children or ()
        if t.type == "wikilink" and not t.meta["embed"]
    ]
    hrefs = {t.attrs.get("href") for t in inline.children or () if t.type == "link_open"}
    if hrefs:
        for m in _MD_LINK.finditer(inline.content):
            note = _note_href(m.group("href")) if m.group("href") in hrefs else None
            if note is not None and not any(a < m.end() and m.start() < b for a, b, *_ in spans):
                spans.append((m.start(), m.end(), m.group("shown"), note[0], note[1], False))
    return sorted(spans)


def _strip_leading_badge(text: str, exported: bool) -> str:
    if exported:
        for badge in READ_BADGES:
            if text.startswith(badge + " "):
                return text[len(badge) + 1 :]
    return text


# ---- the whole vault -------------------------------------------------------------------------


@dataclass
class _VaultBuilder:
    files: list[_File]
    titles: Mapping[str, str]
    known_claims: Callable[[str], list[Claim]]
    rules: SpecRules
    known_note: Callable[[str], Note | None] = lambda nid: None
    paper_keys: Mapping[str, str] = field(default_factory=dict)
    note_urls: Mapping[str, str] = field(default_factory=dict)
    result: VaultImport = field(default_factory=lambda: VaultImport(ImportBatch()))
    by_stem: dict[str, str] = field(default_factory=dict)
    by_title: dict[str, str] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)
    claims: dict[str, list[Claim]] = field(default_factory=dict)
    note_titles: dict[str, str] = field(default_factory=dict)
    index: TitleIndex | None = None  # known titles, for unlinked mentions (built on first use)
    slugs: SlugIndex | None = None  # known note slugs, for a raw slug written as a link (built on first use)
    former_titles: dict[str, list[str]] = field(default_factory=dict)  # note id -> titles it was known by
    stem_aliases: dict[str, list[str]] = field(default_factory=dict)  # note id -> file names links name it by
    papers: dict[str, Paper] = field(default_factory=dict)
    front_edges: list[tuple[_File, Edge]] = field(default_factory=list)  # relations front matter states

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
            node = file.front.id or (inquiry_id(file.title) if file.kind == "inquiry" else self.identify_note(file))
            if node in owner:
                raise file.fail(f"same {file.kind} ({node}) as {owner[node].path}")
            owner[node] = file
            file.node = node
            self.by_stem.setdefault(file.path.stem.casefold(), node)
            for name in [file.title, *file.front.aliases]:
                self.by_title.setdefault(normalize_title(name), node)

    def identify_note(self, file: _File) -> str:
        """A note file's id: the known note with its title, one of its aliases, its url, or its file name
        as a slug; else a new note. A known note found any way but its title keeps that title as an alias."""
        front: NoteFront = file.front
        candidates = [self.titles.get(normalize_title(name)) for name in [file.title, *front.aliases]]
        candidates.append(self.note_urls.get(front.url) if front.url else None)
        stem_slug = note_id(file.path.stem)
        candidates.append(stem_slug if stem_slug in self.known_ids else None)
        node = next((c for c in candidates if c), None) or note_id(file.title)
        known = self.known_note(node) if node in self.known_ids else None
        if known is not None and normalize_title(known.title) != normalize_title(file.title):
            self.former_titles.setdefault(node, []).append(known.title)
        return node

    @property
    def known_ids(self) -> set[str]:
        if not hasattr(self, "_known_ids"):
            self._known_ids = set(self.titles.values())
        return self._known_ids

    def resolve(self, target: str, file: _File | None = None) -> str:
        """The node a link target names: file name, title or alias, then a unique slug prefix (with a
        warning naming the note chosen); a note nobody knows becomes a placeholder."""
        node = self.by_title.get(normalize_title(target)) or self.titles.get(normalize_title(target))
        by_stem = self.by_stem.get(target.casefold())
        if by_stem is not None and node != by_stem:
            node = by_stem
            if node.startswith("note:"):  # a link by file name (zk ids, Foam slugs): keep it reachable after export
                self.stem_aliases.setdefault(node, []).append(target)
        if node is None:
            if self.slugs is None:
                self.slugs = SlugIndex([*self.known_ids, *self.by_stem.values(), *self.by_title.values()])
            node = self.slugs.resolve(target)
            if node is not None:
                if file is not None:
                    self.warn(
                        file, f"link {target!r} names no file or title; read it as the slug of {node} (a unique prefix)"
                    )
                self.by_title[normalize_title(target)] = node
                return node
        if node is None:
            node = note_id(target)
            if self.slugs is not None:
                self.slugs.add(node)
            self.by_title[normalize_title(target)] = node
            self.notes.setdefault(node, Note(id=node, title=target, is_placeholder=True))
        return node

    # ---- notes ---------------------------------------------------------------------------

    def add_note(self, file: _File) -> None:
        front: NoteFront = file.front
        nid = file.node
        summary, body_lines, topics, links = "", [], list(front.tags), []
        claim_texts: list[str] = []
        findings: list[tuple[str | None, str, str]] = []  # the body's blocks, for claims when no Claims list
        body_started = False
        for block in file.blocks:
            heading = block.kind == "heading_open"
            if (file.exported and block.section in GENERATED) or (
                heading and (block.tokens[0].tag == "h1" or block.section == CLAIMS)
            ):
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
                if block.kind == "paragraph_open":
                    findings.append((block.section, "paragraph", visible_text(block.inlines()[0], False)[0]))
                elif block.kind in ("bullet_list_open", "ordered_list_open"):
                    findings += [
                        (block.section, "item", text)
                        for text, found in self.list_items(file, block)
                        if not any((lk.start, lk.end) == (0, len(text)) for lk in found)
                    ]
        lines = file.text.splitlines()
        body = "\n\n".join("\n".join(lines[a:b]) for a, b in _merge(body_lines)).strip()
        variants = dict.fromkeys(front.summary_sources, summary) | front.summary_variants
        known = self.known_note(nid) if nid in self.known_ids else None
        if known is not None and not known.is_placeholder and known.summary and summary != known.summary:
            # The inquiring-line importer's rule: a file never overwrites the notebook's summary silently.
            variants[f"vault:{file.path.name}"] = summary
            summary = known.summary
            self.warn(
                file,
                f"summary of {nid} ({known.title!r}) differs from the notebook's; kept the notebook's, "
                "stored this one as a variant",
            )
        aliases = list(dict.fromkeys([*front.aliases, *self.former_titles.get(nid, [])]))
        self.notes[nid] = Note(
            id=nid,
            title=file.title,
            summary=summary,
            body=body,
            topics=list(dict.fromkeys(topics)),
            aliases=aliases,
            arxiv=front.arxiv,
            url=front.url,
            is_placeholder=front.placeholder,
            summary_variants=variants,
        )
        self.note_titles[nid] = file.title
        for link in links:
            target = self.resolve(link.target, file)
            if target.startswith("note:") and target != nid:
                self.batch.edges.append(
                    Edge(
                        src=nid,
                        dst=target,
                        kind=EdgeKind.LINKS_TO,
                        provenance="importer:vault",
                        attrs={"section": link.section} if link.section else {},
                    )
                )
        if claim_texts or file.exported:
            self.claims[nid] = [_claim(nid, text, i) for i, text in enumerate(dict.fromkeys(claim_texts))]
        else:  # a user's own note: the same extraction as an inquiring line's Sources, plus the body's findings
            self.claims[nid] = claims_for_note(nid, summary, findings)
        if known is not None:
            self.keep_known_claims(file, nid)
        self.add_claim_front(file, nid)
        if not file.exported:
            self.add_references(nid, front, summary, findings)
        self.front_edges += [
            (
                file,
                Edge(src=nid, dst=r.to, kind=r.kind, state=r.state, why=r.why, provenance=r.provenance, attrs=r.attrs),
            )
            for r in front.relations
        ]
        for mention in front.mentions:
            self.add_paper(
                Paper(
                    id=mention.paper,
                    name=mention.name,
                    arxiv=mention.arxiv,
                    doi=mention.doi,
                    title=mention.title,
                    authors=mention.authors,
                    year=mention.year,
                )
            )
            self.batch.edges.append(
                Edge(src=nid, dst=mention.paper, kind=EdgeKind.MENTIONS, provenance=mention.provenance)
            )

    def keep_known_claims(self, file: _File, nid: str) -> None:
        """A file never deletes what the notebook holds: claims of the note the file does not list stay
        (with their specs, relations and runs), after the file's own."""
        ids = {c.id for c in self.claims[nid]}
        kept = [c for c in self.known_claims(nid) if c.id not in ids]
        if kept:
            start = len(self.claims[nid])
            self.claims[nid] += [c.model_copy(update={"index": start + i}) for i, c in enumerate(kept)]
            self.warn(file, f"{nid} has {len(kept)} claim(s) in the notebook that this file does not list; kept them")

    def add_references(
        self, nid: str, front: NoteFront, summary: str, findings: list[tuple[str | None, str, str]]
    ) -> None:
        """Papers the note names (arXiv ids, DOIs, "Author et al. YEAR"), linked from the note and from
        each claim that names them."""
        papers = find_papers("\n".join([front.url or "", summary, *(text for _, _, text in findings)]))
        if front.arxiv:
            papers.insert(0, Paper(id=f"paper:{front.arxiv}", name=f"arXiv:{front.arxiv}", arxiv=front.arxiv))
        if front.doi:
            papers.insert(
                0,
                Paper(
                    id="paper:doi-" + slugify(front.doi.casefold()), name=f"doi:{front.doi}", doi=front.doi.casefold()
                ),
            )
        for paper in papers:
            paper = known_paper(paper, self.paper_keys)
            self.add_paper(paper)
            self.batch.edges.append(
                Edge(src=nid, dst=paper.id, kind=EdgeKind.MENTIONS, provenance="importer:reference")
            )
        for claim in self.claims[nid]:
            for paper in find_papers(claim.text):
                paper = known_paper(paper, self.paper_keys)
                self.add_paper(paper)
                self.batch.edges.append(
                    Edge(src=claim.id, dst=paper.id, kind=EdgeKind.MENTIONS, provenance="importer:reference")
                )

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
            self.front_edges += [
                (file, Edge(src=summary.id, dst=paper, kind=EdgeKind.MENTIONS, provenance="importer:reference"))
                for paper in summary.mentions
            ]
            self.front_edges += [
                (
                    file,
                    Edge(
                        src=summary.id,
                        dst=r.to,
                        kind=r.kind,
                        state=r.state,
                        why=r.why,
                        provenance=r.provenance,
                        attrs=r.attrs,
                    ),
                )
                for r in summary.relations
            ]

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
                    self.batch.edges += [
                        Edge(src=iid, dst=self.resolve(link.target), kind=EdgeKind.LISTS_SOURCE, provenance="importer")
                        for link in links[:1]
                    ]
            elif block.section == NEXT:
                for text, links in self.list_items(file, block):
                    next_lines.append(text)
                    whole = next((lk.target for lk in links if (lk.start, lk.end) == (0, len(text))), None)
                    self.batch.edges.append(
                        Edge(src=iid, dst=self.resolve(whole or text), kind=EdgeKind.NEXT, provenance="importer")
                    )
        citations = self.citations(iid, essay)
        self.batch.citations += citations
        self.batch.inquiries.append(
            Inquiry(
                id=iid,
                question=file.title,
                framing="\n\n".join(preamble),
                essay=[text for text, _ in essay],
                next_lines=next_lines,
                sources_declared=front.sources_declared,
                source_path=str(file.path.resolve()),
            )
        )

    def citations(self, iid: str, essay: list[tuple[str, list[_Link]]]) -> list[Citation]:
        """Each link to a note in an essay paragraph cites it, with the sentence it supports."""
        found: list[Citation] = []
        paragraphs: dict[str, set[int]] = {}
        for number, (text, links) in enumerate(essay):
            matches = [
                TitleMatch(link.start, link.end, self.resolve(link.target), text[link.start : link.end])
                for link in links
            ]
            matches = [m for m in matches if m.note_id.startswith("note:")]
            prefixes = [prefix_at(text, m.start) for m in matches]
            for match, sentence, prefix in zip(matches, supported_sentences(text, matches, prefixes), prefixes):
                found.append(
                    Citation(
                        inquiry_id=iid,
                        note_id=match.note_id,
                        paragraph=number,
                        sentence=sentence,
                        start=match.start,
                        end=match.end,
                        prefix=prefix,
                    )
                )
                paragraphs.setdefault(match.note_id, set()).add(number)
                if prefix:
                    self.add_paper(Paper(id=paper_id(prefix), name=prefix))
                    self.batch.edges.append(
                        Edge(
                            src=match.note_id,
                            dst=paper_id(prefix),
                            kind=EdgeKind.MENTIONS,
                            provenance="importer:citation-prefix",
                        )
                    )
        for nid, where in paragraphs.items():
            self.batch.edges.append(
                Edge(src=iid, dst=nid, kind=EdgeKind.CITES, provenance="importer", attrs={"paragraphs": sorted(where)})
            )
        return found

    def check_front_edges(self) -> None:
        """Relations and mentions front matter states pass the checks ``inquiry link`` makes: the target
        exists (here or in the notebook) and is of the right kind; then they join the batch."""
        claims = {c.id for c in self.batch.claims}
        for file, edge in self.front_edges:
            target = edge.dst
            if edge.kind is EdgeKind.MENTIONS:
                exists = target in self.papers or target in set(self.paper_keys.values())
            elif edge.kind is EdgeKind.CONTRASTS_WITH:
                exists = target in self.notes or target in self.known_ids
            else:
                note = "note:" + target.removeprefix("claim:").split("/")[0]
                exists = target in claims or any(c.id == target for c in self.known_claims(note))
            if not exists:
                raise file.fail(
                    f"front matter {edge.kind.value} relation from {edge.src} names {target}, "
                    "which is neither in this import nor in the notebook",
                    1,
                )
            self.batch.edges.append(edge)

    def add_paper(self, paper: Paper) -> None:
        if paper.id not in self.papers:
            self.papers[paper.id] = paper
            self.batch.papers.append(paper)

    # ---- finish --------------------------------------------------------------------------

    def prepare(self) -> dict[str, str]:
        """Skip the files that are not notes, identify the rest; returns each note's names (title and
        aliases, normalized) → id, so that documents imported alongside resolve them too."""
        kept = []
        for file in self.files:
            reason = _not_a_note(file)
            if reason is None:
                kept.append(file)
            else:
                self.warn(file, reason)
        self.files = kept
        self.identify()
        return {name: node for name, node in self.by_title.items() if node.startswith("note:")}

    def build(self, more_titles: Mapping[str, str] | None = None) -> VaultImport:
        """The batch; ``more_titles``: titles of the notes that documents imported alongside add."""
        if more_titles:
            self.titles = {**more_titles, **self.titles}
            self.__dict__.pop("_known_ids", None)
        for kind, add in (("note", self.add_note), ("inquiry", self.add_inquiry), ("claim", self.add_claim_file)):
            for file in self.files:
                if file.kind == kind:
                    add(file)
        batch = self.batch
        for nid, stems in self.stem_aliases.items():
            note = self.notes.get(nid)
            if note is not None:
                note.aliases = list(dict.fromkeys([*note.aliases, *stems]))
        batch.notes = list(self.notes.values())
        batch.claims = [claim for claims in self.claims.values() for claim in claims]
        self.check_front_edges()
        specs: dict[tuple[str, str, str], ReproSpec] = {}
        for claim in batch.claims:
            for spec in self.rules.specs_for(claim, self.note_titles.get(claim.note_id, "")):
                specs.setdefault((spec.claim_id, spec.runner, spec.preset), spec)
        batch.specs = list(specs.values())
        batch.edges = list({edge.key: edge for edge in batch.edges}.values())
        self.result.files = [str(file.path.resolve()) for file in self.files]
        return self.result


def _claim(nid: str, text: str, index: int) -> Claim:
    quantities = extract_quantities(text)
    return Claim(
        id=claim_id(nid, text),
        note_id=nid,
        text=text,
        index=index,
        quantities=quantities,
        kind=ClaimKind.QUANTITATIVE if quantities else ClaimKind.QUALITATIVE,
    )


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
    """A ``.md`` file that is not an inquiring line: a note (or an inquiry or claim file of an exported vault)."""
    if path.suffix.lower() != ".md":
        return False
    with path.open("rb") as handle:
        head = handle.read(4096).decode("utf-8", "ignore")
    return not has_header(head)


def read_vault(
    paths: Iterable[Path],
    titles: Mapping[str, str],
    known_claims: Callable[[str], list[Claim]] | None = None,
    rules: SpecRules | None = None,
    known_note: Callable[[str], Note | None] | None = None,
    paper_keys: Mapping[str, str] | None = None,
    note_urls: Mapping[str, str] | None = None,
) -> _VaultBuilder:
    """Parse every vault file; call ``prepare()`` then ``build()`` on the result.

    ``titles``: normalized title (or alias) → note id for the notebook's notes; ``known_note`` looks
    up a known note (to keep its former title as an alias), ``paper_keys`` known papers by key,
    ``note_urls`` known notes by source url.
    """
    files = [parse_file(Path(p)) for p in paths]
    return _VaultBuilder(
        files,
        dict(titles),
        known_claims or (lambda nid: []),
        rules or default_rules(),
        known_note or (lambda nid: None),
        paper_keys or {},
        note_urls or {},
    )


def build_vault_batch(
    paths: Iterable[Path],
    titles: Mapping[str, str],
    known_claims: Callable[[str], list[Claim]] | None = None,
    rules: SpecRules | None = None,
    known_note: Callable[[str], Note | None] | None = None,
    paper_keys: Mapping[str, str] | None = None,
    note_urls: Mapping[str, str] | None = None,
) -> VaultImport:
    """Parse every vault file and resolve it against the vault and ``titles`` (see :func:`read_vault`)."""
    reader = read_vault(paths, titles, known_claims, rules, known_note, paper_keys, note_urls)
    reader.prepare()
    return reader.build()
