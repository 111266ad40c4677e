"""Parse one exported "inquiring line" document into a :class:`ParsedDocument`.

The format (see ``inquiry/example/rl-knowing-doing-gap.inquiry.txt``)::

    INQUIRING LINE
    <question>
    <framing: one paragraph>
    <essay paragraphs, with cited note titles pasted inline>
    Sources N notes
    <note title>            (one line, a question)
    <summary paragraph>     (repeated per note)
    Next inquiring lines
    <one question per line>

Blocks are separated by blank lines. Real exports are messy, so the parser is tolerant: CRLF or CR
line ends, non-breaking and odd spaces, soft-wrapped paragraphs, a section heading glued to the
text after it, and truncation anywhere after the question (what is missing becomes a warning).
Only a missing header or a missing question is an error.

>>> doc = parse_document("INQUIRING LINE\\r\\n\\r\\nDoes RL help?\\r\\n\\r\\nFraming.\\r\\n\\r\\nEssay one.\\r\\n"
...                      "\\r\\nSources 1 notes\\r\\n\\r\\nIs X true?\\r\\n\\r\\nX is true.\\r\\n", "d.txt")
>>> doc.question, doc.framing, doc.essay, [(s.title, s.summary) for s in doc.sources]
('Does RL help?', 'Framing.', ['Essay one.'], [('Is X true?', 'X is true.')])
>>> [w.message for w in doc.warnings]
["no 'Next inquiring lines' section (truncated export?)"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ImportFailed
from ..models import ImportNotice

HEADER = "INQUIRING LINE"
_HEADER_RE = re.compile(r"^inquiring\s+line\s*:?$", re.IGNORECASE)
_SOURCES_RE = re.compile(r"^sources(?:\s+\(?(\d+)\)?)?(?:\s+notes?)?\s*:?$", re.IGNORECASE)
_NEXT_RE = re.compile(r"^next\s+inquiring\s+lines?\s*:?$", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-*•·–]\s+|\d+[.)]\s+)")
# Spaces that exports leave in text; all become a plain space. Zero-width characters vanish.
_ODD_SPACE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_MULTI_SPACE = re.compile(r" {2,}")
_MAX_TITLE = 300


def has_header(text: str) -> bool:
    r"""Whether ``text`` opens (after blank lines) with the ``INQUIRING LINE`` header.

    >>> has_header("\n\nInquiring line\n\nDoes X?"), has_header("# Does X?\n")
    (True, False)
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    return bool(_HEADER_RE.match(_ZERO_WIDTH.sub("", first).strip()))


@dataclass
class ParsedSource:
    """One entry of the Sources section: a note title and the summary this document gives it."""

    title: str
    summary: str
    line: int


@dataclass
class ParsedDocument:
    """A document's parts, each as plain text; ``warnings`` are problems that did not stop the parse.

    ``essay`` holds the paragraphs *after* the framing, numbered from 0: in the seed, the paragraph
    opening "This reads the question…" is ``essay[0]`` and "But here's the twist…" is ``essay[1]``.
    """

    path: str
    text: str
    question: str
    framing: str = ""
    essay: list[str] = field(default_factory=list)
    essay_lines: list[int] = field(default_factory=list)  # 1-based line where each essay paragraph starts
    sources: list[ParsedSource] = field(default_factory=list)
    sources_declared: int | None = None
    sources_line: int | None = None  # line of the "Sources N notes" heading, None when absent
    next_lines: list[str] = field(default_factory=list)
    next_line: int | None = None  # line of the "Next inquiring lines" heading, None when absent
    warnings: list[ImportNotice] = field(default_factory=list)

    def warn(self, message: str, line: int | None = None) -> None:
        self.warnings.append(ImportNotice(path=self.path, message=message, line=line))


def normalize_text(text: str) -> str:
    """Unify line ends and odd spaces so that every later step sees plain ``\\n`` and ``' '``.

    >>> normalize_text("\\ufeffa\\u00a0b\\r\\nc\\rd")
    'a b\\nc\\nd'
    """
    text = _ZERO_WIDTH.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _ODD_SPACE.sub(" ", text)


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines as ``(1-based first line, stripped lines)``; headings stand alone."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(lines, start=1):
        line = _MULTI_SPACE.sub(" ", raw.strip())
        heading = bool(_HEADER_RE.match(line) or _SOURCES_RE.match(line) or _NEXT_RE.match(line))
        if not line or heading:
            if current:
                blocks.append((start, current))
            current = []
            if heading:
                blocks.append((number, [line]))
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, current))
    return blocks


def _is_title(lines: list[str], has_next_block: bool) -> bool:
    """A Sources title: one short line that is a question, or that reads like a heading (no final period)."""
    if len(lines) != 1 or len(lines[0]) > _MAX_TITLE:
        return False
    line = lines[0]
    return line.endswith("?") or (has_next_block and len(line) < 150 and not line.endswith((".", "!", ":", ";")))


def parse_document(text: str, path: str = "<text>") -> ParsedDocument:
    """Parse a whole document; raises :class:`ImportFailed` without the header or the question."""
    lines = normalize_text(text).split("\n")
    blocks = _blocks(lines)
    if not blocks or not _HEADER_RE.match(blocks[0][1][0]):
        line_no = blocks[0][0] if blocks else 1
        found = blocks[0][1][0][:60] if blocks else ""
        raise ImportFailed(path, f"expected the {HEADER!r} header as the first line, found {found!r}", line_no)
    rest = blocks[1:]
    if not rest or _SOURCES_RE.match(rest[0][1][0]) or _NEXT_RE.match(rest[0][1][0]):
        raise ImportFailed(path, "no question after the INQUIRING LINE header", blocks[0][0])
    q_line, q_lines = rest[0]
    doc = ParsedDocument(path=path, text=text, question=q_lines[0])
    body = rest[1:]
    if len(q_lines) > 1:  # the framing followed the question without a blank line
        body.insert(0, (q_line + 1, q_lines[1:]))

    section, pending_title = "essay", None
    for index, (line_no, block) in enumerate(body):
        head = block[0]
        if sources := _SOURCES_RE.match(head):
            section = "sources"
            declared = sources.group(1)
            doc.sources_declared = int(declared) if declared else None
            doc.sources_line = line_no
            continue
        if _NEXT_RE.match(head):
            section = "next"
            doc.next_line = line_no
            continue
        if _HEADER_RE.match(head):
            doc.warn("a second INQUIRING LINE header; the rest is read as part of this document", line_no)
            continue
        if section == "essay":
            paragraph = " ".join(block)
            if not doc.framing and not doc.essay:
                doc.framing = paragraph
            else:
                doc.essay.append(paragraph)
                doc.essay_lines.append(line_no)
        elif section == "sources":
            pending_title = _add_source_block(doc, line_no, block, pending_title, index + 1 < len(body))
        else:
            doc.next_lines.extend(_BULLET.sub("", line).strip() for line in block if _BULLET.sub("", line).strip())
    if pending_title is not None:
        _finish_title(doc, pending_title, "")
    _check_sections(doc)
    return doc


def _add_source_block(
    doc: ParsedDocument, line_no: int, block: list[str], pending: tuple[int, str] | None, has_next_block: bool
) -> tuple[int, str] | None:
    """Feed one block of the Sources section; returns the title still waiting for its summary."""
    # Right after a title, only a question can be the next title: anything else is its summary.
    if _is_title(block, has_next_block) and (pending is None or block[0].endswith("?")):
        if pending is not None:
            _finish_title(doc, pending, "")
        return (line_no, block[0])
    if len(block) > 1 and _is_title(block[:1], True) and block[0].endswith("?"):
        # a title glued to its summary without a blank line
        if pending is not None:
            _finish_title(doc, pending, "")
        _finish_title(doc, (line_no, block[0]), " ".join(block[1:]))
        return None
    summary = " ".join(block)
    if pending is not None:
        _finish_title(doc, pending, summary)
    elif doc.sources:  # a second summary paragraph of the previous note
        doc.sources[-1].summary = f"{doc.sources[-1].summary}\n\n{summary}".strip()
    else:
        doc.warn("text in the Sources section before any note title; ignored", line_no)
    return None


def _finish_title(doc: ParsedDocument, pending: tuple[int, str], summary: str) -> None:
    line_no, title = pending
    if not summary:
        doc.warn(f"source note {title!r} has no summary (truncated export?); kept as a placeholder", line_no)
    doc.sources.append(ParsedSource(title=title, summary=summary, line=line_no))


def _check_sections(doc: ParsedDocument) -> None:
    if doc.sources_line is None:
        doc.warn("no 'Sources' section (truncated export?); citations resolve against notes already known")
    elif not doc.sources:
        doc.warn("the 'Sources' section is empty (truncated export?)", doc.sources_line)
    elif doc.sources_declared is not None and doc.sources_declared != len(doc.sources):
        doc.warn(f"'Sources {doc.sources_declared} notes' but {len(doc.sources)} notes were found", doc.sources_line)
    if doc.next_line is None:
        doc.warn("no 'Next inquiring lines' section (truncated export?)")
    elif not doc.next_lines:
        doc.warn("the 'Next inquiring lines' section is empty (truncated export?)", doc.next_line)
