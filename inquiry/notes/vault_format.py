"""The vault file format that the markdown exporter writes and the vault importer reads.

One ``.md`` file per inquiry and per note, each opening with YAML front matter. A user's own vault
needs none of the generated keys: ``type`` defaults to ``note``, ``title`` to the first ``# heading``
or the file name. Files the exporter wrote carry ``generator: inquiry`` plus ids, statuses, claim
relations and run summaries, which is what lets an exported vault re-import to the same graph.

Status badges follow citations and claims in exported files; the importer removes them again from
files marked ``generator: inquiry`` only (in a user's vault, a ✅ is the user's text).

>>> BADGES["contradicted"], badge_suffixes()[0]
('❌', ' ✅ ⚠')
>>> NoteFront.model_validate({"title": "Does X?", "tags": "rl", "cssclass": "wide"}).tags
['rl']
"""

from __future__ import annotations

import re
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..ids import id_error
from ..models import STATUS_GLYPH, EdgeKind, EdgeState, RunStatus, Status
from ..runners.api import Estimate, VerdictReport

GENERATOR = "inquiry"
BADGES = {status.value: glyph for status, glyph in STATUS_GLYPH.items()}
# Every badge the importer strips: vaults exported before the shared glyph table marked running with ⏳.
READ_BADGES = (*BADGES.values(), "⏳")
# Follows the badge of a citation whose sentence rests on a contradicted claim.
CONTRADICTED_MARK = "⚠"

# Note and inquiry sections the importer reads; the rest of a note's body is kept as its body.
CLAIMS = "Claims"
ESSAY = "Essay"
SOURCES = "Sources"
NEXT = "Next inquiring lines"
# Sections the exporter derives from the graph; the importer skips them (they are not input).
GENERATED = ("Evidence", "Backlinks", "Cited by", "Relations")


# What the exporter writes after a citation link: the cited note's claim counts, supported · contradicted · neither
COUNTS_SUFFIX = re.compile(rf" \(✅ \d+ · ❌ \d+ · ○ \d+\)(?: {CONTRADICTED_MARK})?")

# Front matter is a few keys; a shared vault's file may be hostile (an alias bomb expands 400 bytes into gigabytes).
MAX_FRONT_MATTER = 64 * 1024  # characters
MAX_FRONT_DEPTH = 16  # nested mappings/lists


class _FrontLoader(yaml.SafeLoader):
    """The safe loader without anchors and aliases (``&a``/``*a``: the alias bomb) and with a nesting cap."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed in front matter", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_FRONT_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_FRONT_DEPTH} levels", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_front_matter(text: str) -> Any:
    """YAML front matter read safely: no tags that build objects, no aliases, bounded size and depth.

    Raises :class:`yaml.YAMLError` (with ``problem`` and, where known, ``problem_mark``).

    >>> load_front_matter("title: RL\\ntags: [a, b]")
    {'title': 'RL', 'tags': ['a', 'b']}
    >>> try:
    ...     load_front_matter("a: &x [1]\\nb: *x")
    ... except yaml.YAMLError as exc:
    ...     print(exc.problem, exc.problem_mark.line)
    anchors and aliases (&name, *name) are not allowed in front matter 0
    """
    if len(text) > MAX_FRONT_MATTER:
        raise yaml.YAMLError(f"front matter is longer than {MAX_FRONT_MATTER // 1024} KB")
    loader = _FrontLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def badge_suffixes() -> list[str]:
    """The single-glyph suffixes older exports wrote right after a citation link, longest first."""
    suffixes = [f" {b} {CONTRADICTED_MARK}" for b in READ_BADGES] + [f" {b}" for b in READ_BADGES]
    return sorted(suffixes, key=len, reverse=True)


def citation_suffix_length(source: str, at: int) -> int:
    """How many characters of ``source`` from ``at`` the exporter wrote after a citation link (0: none).

    >>> citation_suffix_length("[[x]] (✅ 1 · ❌ 0 · ○ 2) ⚠ and on", 5), citation_suffix_length("[[x]] ✅ ok", 5)
    (20, 2)
    """
    counts = COUNTS_SUFFIX.match(source, at)
    if counts:
        return counts.end() - at
    return next((len(s) for s in badge_suffixes() if source.startswith(s, at)), 0)


def _as_list(value: Any) -> list[str]:
    """YAML users write ``tags: rl`` as often as ``tags: [rl]``; both mean a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: Any) -> Any:
    """A title as one line: control characters (newline, NUL, escape) become spaces, runs of spaces one.

    A title with a newline would start a new line in an exported note (a forged claim); a NUL made the
    exported vault unreadable.

    >>> one_line("RL\\n- forged claim\\x00 \\x1b]0;x")
    'RL - forged claim ]0;x'
    """
    if isinstance(value, str):
        return " ".join(_CONTROL.sub(" ", value).split())
    if isinstance(value, list):
        return [one_line(v) for v in value]
    return value


def _checked_id(kind: str) -> Any:
    """A validator: the value (or each value of a list) is a well-formed ``kind`` id."""

    def check(cls: Any, value: Any) -> Any:
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                error = id_error(kind, str(item))
                if error:
                    raise ValueError(error)
        return value

    return classmethod(check)


MAX_SEED = 2**32 - 1  # the seeds `inquiry run --seed` accepts (numpy's range; runs.sweeps.MAX_SEED)


class _Front(BaseModel):
    # A user's front matter holds keys of its own (dates, css classes): ignore what we do not read.
    model_config = ConfigDict(extra="ignore")


class RunSummary(_Front):
    """A finished (or in-flight) run as the exporter carries it: enough to show it and to re-derive statuses."""

    id: str
    runner: str
    preset: str | None = None
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    status: RunStatus
    created: str
    started: str | None = None
    ended: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    verdict: VerdictReport | None = None
    metrics: dict[str, Estimate] = Field(default_factory=dict)  # the headline metrics
    plot: str | None = None  # image path relative to the vault

    _id = field_validator("id")(_checked_id("run"))


class RelationSummary(_Front):
    """A claim relation starting at the claim that carries it."""

    to: str
    kind: Literal[EdgeKind.SUPPORTS, EdgeKind.CONTRADICTS, EdgeKind.REFINES]
    state: EdgeState = EdgeState.ACCEPTED
    why: str | None = None
    provenance: str | None = None
    attrs: dict[str, Any] = Field(default_factory=dict)

    _to = field_validator("to")(_checked_id("claim"))


class ClaimSummary(_Front):
    id: str
    status: Status = Status.UNTESTED
    relations: list[RelationSummary] = Field(default_factory=list)
    runs: list[RunSummary] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)  # ids of the papers the claim names (the note lists them)

    _id = field_validator("id")(_checked_id("claim"))
    _mentions = field_validator("mentions")(_checked_id("paper"))

    @model_validator(mode="after")
    def _not_itself(self) -> ClaimSummary:
        for relation in self.relations:
            if relation.to == self.id:
                raise ValueError(f"a claim cannot {relation.kind.value} itself ({self.id})")
        return self


class MentionSummary(_Front):
    paper: str
    name: str
    arxiv: str | None = None
    doi: str | None = None
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    year: int | None = Field(default=None, ge=0, le=9999)
    provenance: str | None = None

    _paper = field_validator("paper")(_checked_id("paper"))
    _one_line = field_validator("name", "title", mode="after")(one_line)


class NoteRelationSummary(_Front):
    """A note-level relation starting at the note that carries it (an essay set the two notes against each other)."""

    to: str
    kind: Literal[EdgeKind.CONTRASTS_WITH]
    state: EdgeState = EdgeState.ACCEPTED
    why: str | None = None
    provenance: str | None = None
    attrs: dict[str, Any] = Field(default_factory=dict)

    _to = field_validator("to")(_checked_id("note"))


class NoteFront(_Front):
    type: Literal["note"] = "note"
    generator: str | None = None
    id: str | None = None
    title: str | None = None
    aliases: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    arxiv: str | None = None
    doi: str | None = None
    url: str | None = None  # the note's source; the same url under a new title is the same note
    placeholder: bool = False
    status: Status | None = None
    summary_sources: list[str] = Field(default_factory=list)  # inquiries whose summary equals the note's
    summary_variants: dict[str, str] = Field(default_factory=dict)  # inquiries that worded it differently
    claims: list[ClaimSummary] = Field(default_factory=list)
    mentions: list[MentionSummary] = Field(default_factory=list)
    relations: list[NoteRelationSummary] = Field(default_factory=list)

    _lists = field_validator("aliases", "tags", mode="before")(_as_list)
    _one_line = field_validator("title", "aliases", "tags", mode="after")(one_line)
    _id = field_validator("id")(_checked_id("note"))

    @field_validator("arxiv", "doi", "url", mode="before")
    @classmethod
    def _arxiv_text(cls, value: Any) -> Any:
        return None if value is None else str(value)  # YAML reads 2504.13837 as a float

    @model_validator(mode="before")
    @classmethod
    def _source_as_url(cls, data: Any) -> Any:
        """Clippers write the page a note came from as ``source:`` or ``link:``; both mean ``url``."""
        if isinstance(data, dict) and not data.get("url"):
            for key in ("source", "link"):
                if isinstance(data.get(key), str) and data[key].startswith(("http://", "https://")):
                    return {**data, "url": data[key]}
        return data


class InquiryFront(_Front):
    type: Literal["inquiry"]
    generator: str | None = None
    id: str | None = None
    title: str | None = None
    question: str | None = None
    sources_declared: int | None = None
    aliases: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    _lists = field_validator("aliases", "tags", mode="before")(_as_list)
    _one_line = field_validator("title", "question", "aliases", "tags", mode="after")(one_line)
    _id = field_validator("id")(_checked_id("inquiry"))


class ClaimFront(_Front):
    """A single claim in its own file; ``note`` names its note by title or ``[[link]]``."""

    type: Literal["claim"]
    note: str
    id: str | None = None
    title: str | None = None
    text: str | None = None
    status: Status | None = None

    _one_line = field_validator("title", "text", mode="after")(one_line)
    _id = field_validator("id")(_checked_id("claim"))

    @field_validator("note", mode="before")
    @classmethod
    def _unnest(cls, value: Any) -> Any:
        """Unquoted ``note: [[Title]]`` is a nested list in YAML; take the title inside."""
        while isinstance(value, list) and len(value) == 1:
            value = value[0]
        return value
