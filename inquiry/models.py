"""Domain models: what a notebook holds, independent of how it is stored.

Every node has a stable string id with a kind prefix (``inq:``, ``note:``, ``claim:``,
``paper:``, ``run:``) so that ids are readable in the CLI and never collide across kinds.
Parsers build these models; only :mod:`inquiry.store` turns them into rows.

>>> Note(id="note:x", title="Does X?").is_placeholder
False
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def utcnow() -> str:
    """ISO-8601 UTC timestamp with seconds precision, the notebook's one time format."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class NodeKind(str, Enum):
    INQUIRY = "inquiry"
    NOTE = "note"
    CLAIM = "claim"
    PAPER = "paper"
    RUN = "run"


ID_PREFIX = {
    NodeKind.INQUIRY: "inq:",
    NodeKind.NOTE: "note:",
    NodeKind.CLAIM: "claim:",
    NodeKind.PAPER: "paper:",
    NodeKind.RUN: "run:",
}


def kind_of(node_id: str) -> NodeKind:
    """The kind of a node from its id prefix.

    >>> kind_of("note:does-rlvr-expand").value
    'note'
    """
    for kind, prefix in ID_PREFIX.items():
        if node_id.startswith(prefix):
            return kind
    raise ValueError(f"not a node id: {node_id!r}")


class EdgeKind(str, Enum):
    CITES = "cites"  # inquiry -> note (inline citation in the essay)
    LISTS_SOURCE = "lists-source"  # inquiry -> note (in the Sources section)
    NEXT = "next"  # inquiry -> inquiry/note placeholder (Next inquiring lines)
    ASSERTS = "asserts"  # note -> claim
    MENTIONS = "mentions"  # note/claim -> paper
    LINKS_TO = "links-to"  # note -> note ([[wikilink]])
    SUPPORTS = "supports"  # claim -> claim
    CONTRADICTS = "contradicts"  # claim -> claim
    REFINES = "refines"  # claim -> claim
    TESTED_BY = "tested-by"  # claim -> run
    CONTRASTS_WITH = "contrasts-with"  # note -> note (an essay sets one against the other)


CLAIM_RELATIONS = (EdgeKind.SUPPORTS, EdgeKind.CONTRADICTS, EdgeKind.REFINES)


class EdgeState(str, Enum):
    ACCEPTED = "accepted"
    SUGGESTED = "suggested"
    REJECTED = "rejected"


class ClaimKind(str, Enum):
    QUALITATIVE = "qualitative"
    QUANTITATIVE = "quantitative"


class Status(str, Enum):
    """Evidence status of a claim (and, rolled up, of a note or a citation)."""

    UNTESTED = "untested"
    RUNNING = "running"
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    MIXED = "mixed"
    INCONCLUSIVE = "inconclusive"
    # the status came from another notebook's export, without the raw data: not evidence here until rerun
    IMPORTED = "imported"


# The one glyph per status that the app, the exporter and the CLI all show.
STATUS_GLYPH = {
    Status.SUPPORTED: "✅",
    Status.CONTRADICTED: "❌",
    Status.MIXED: "⚖",
    Status.INCONCLUSIVE: "❔",
    Status.UNTESTED: "○",
    Status.RUNNING: "⟳",
    Status.IMPORTED: "↩",
}

# What each glyph means, in words (the export's legend, the app's help, the CLI).
STATUS_MEANING = {
    Status.SUPPORTED: "the claim held up in a run that tests it",
    Status.CONTRADICTED: "a run that tests the claim found the opposite of what it says",
    Status.MIXED: "runs that test the claim disagree",
    Status.INCONCLUSIVE: "a run that tests the claim could not decide it",
    Status.UNTESTED: "no run that counts as evidence has tested the claim yet",
    Status.RUNNING: "a run that tests the claim is queued or running",
    Status.IMPORTED: "a status copied from another notebook's export, without its raw data; rerun here to count",
}


class SpecState(str, Enum):
    """Whether a reproduction spec decides its claim's status: only ``accepted`` ones do."""

    ACCEPTED = "accepted"  # a person accepted it, or the rules were confident about runner and direction
    SUGGESTED = "suggested"  # the rules found the topic but not a sure direction: waits for a person
    REJECTED = "rejected"  # a person said this runner does not test this claim


class Verdict(str, Enum):
    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    INCONCLUSIVE = "inconclusive"


class RunStatus(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def finished(self) -> bool:
        return self not in (RunStatus.QUEUED, RunStatus.RUNNING)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quantity(_Model):
    """A number quoted in a claim: ``87.88%``, ``5–30%`` (a range), ``26.7% → 43.3%`` (a change)."""

    text: str
    low: float
    high: float | None = None  # set for ranges and changes
    unit: str = ""  # "%", "x", "" ...
    relation: str = "value"  # value | range | change


class Claim(_Model):
    id: str
    note_id: str
    text: str
    index: int = 0
    kind: ClaimKind = ClaimKind.QUALITATIVE
    quantities: list[Quantity] = Field(default_factory=list)
    status: Status = Status.UNTESTED


class Note(_Model):
    id: str
    title: str
    summary: str = ""
    body: str = ""
    topics: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)  # other spellings of the title
    # summary as each source document wrote it: {source_id: summary}; never overwritten silently
    summary_variants: dict[str, str] = Field(default_factory=dict)
    is_placeholder: bool = False
    arxiv: str | None = None
    url: str | None = None  # where the note's source lives; the same url under two titles is one note


class Citation(_Model):
    """An inline citation: the inquiry's essay pastes a note's title after a sentence."""

    inquiry_id: str
    note_id: str
    paragraph: int  # index into Inquiry.essay
    sentence: str  # the sentence the citation supports
    start: int  # character span of the pasted title within the paragraph
    end: int
    prefix: str | None = None  # a system name that preceded the title ("RLAG")


class Inquiry(_Model):
    """An inquiring line: its question, framing, essay and next lines.

    ``framing`` is the one paragraph right after the question; ``essay`` holds the paragraphs after
    the framing, numbered from 0 (``Citation.paragraph`` indexes it). In the seed, ``essay[0]`` opens
    "This reads the question…" and ``essay[1]`` "But here's the twist…"; its citations sit in
    ``essay[0]``, ``[1]``, ``[3]`` and ``[4]``.
    """

    id: str
    question: str
    framing: str = ""
    essay: list[str] = Field(default_factory=list)
    next_lines: list[str] = Field(default_factory=list)
    sources_declared: int | None = None  # the N of "Sources N notes"
    source_path: str | None = None
    content_hash: str | None = None


class Paper(_Model):
    """A referenced work. ``name`` is how notes mention it ("Yue et al. 2025", "RLAG", an arXiv id);
    the rest is bibliographic metadata where known (from a ``.bib`` file or the mention itself).

    ``bibkey``, ``entry_type`` and ``fields`` keep a BibTeX entry exactly as imported, so that
    exporting it writes the same key and fields back.
    """

    id: str
    name: str
    arxiv: str | None = None
    doi: str | None = None
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    url: str | None = None
    bibkey: str | None = None
    entry_type: str | None = None
    fields: dict[str, str] = Field(default_factory=dict)


class Edge(_Model):
    src: str
    dst: str
    kind: EdgeKind
    state: EdgeState = EdgeState.ACCEPTED
    why: str | None = None
    provenance: str | None = None  # who or what made it: "user", "importer:contrast-cue", ...
    attrs: dict[str, Any] = Field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        # ``_value_``, not ``value``: the enum property costs 3x more, and an import takes ~20 keys per document
        return (self.src, self.dst, self.kind._value_)


class ReproSpec(_Model):
    """A reproduction a claim asks for: which runner, which overrides, and what the claim predicts.

    ``predicts`` is the verdict the runner would give if the claim (or its ``part``) is true: the
    runner's verdict is phrased against its own registered hypothesis, so a claim that asserts the
    opposite of that hypothesis predicts ``contradicts``. A conjunction is split into parts
    (``part`` numbers them, ``part_text`` is the clause); every part must hold for the claim to be
    supported. Only ``accepted`` specs decide the status; ``provenance`` says who made the spec
    (``rule:<rule id>`` or ``user``).
    """

    id: int | None = None  # the row id once stored
    claim_id: str
    runner: str
    preset: str = "default"
    overrides: dict[str, Any] = Field(default_factory=dict)
    predicts: Verdict = Verdict.SUPPORTS
    why: str = ""
    state: SpecState = SpecState.SUGGESTED
    provenance: str = "user"
    part: int = 0
    part_text: str = ""


class ImportNotice(_Model):
    """A problem worth telling the user about that did not stop the import."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ImportBatch(_Model):
    """Everything one import wants to write, applied by the store in one transaction.

    Parsers and resolvers build a batch; they never see the database.
    """

    inquiries: list[Inquiry] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    papers: list[Paper] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    specs: list[ReproSpec] = Field(default_factory=list)
    warnings: list[ImportNotice] = Field(default_factory=list)
