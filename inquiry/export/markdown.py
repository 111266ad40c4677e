"""Export inquiries as annotated markdown: an Obsidian vault, or one GitHub-flavoured file.

Both styles show the framing and essay with every citation turned into a link followed by the cited
note's claim counts, ``(✅ 1 · ❌ 0 · ○ 1)``: supported, contradicted, neither (a note is a question,
not a claim: one glyph after "Does RLVR expand…?" would read as the answer), and ⚠ after any sentence
that rests on a contradicted claim; an Evidence section per cited note (its claims, each with the
glyph of its own status; per run the runner, key settings, whether it counts toward the claim's
status and if not why, headline metrics with confidence intervals, the verdict with its reason and
scope, the fidelity card, the date and the plot); Sources; Next inquiring lines; Backlinks. The
legend says in words what each glyph means.

* ``obsidian`` writes a vault: one file per inquiry and per note, ``[[wikilinks]]`` between them,
  front matter with ids, statuses, claim relations and run summaries, so that importing the vault
  (:mod:`inquiry.notes.vault`) rebuilds the same graph.
* ``gfm`` writes one self-contained file per inquiry: citations link to the cited note's evidence
  further down the same file.

Plots go to ``images/`` next to the markdown. Output is deterministic: the same notebook gives the
same bytes apart from the ``exported`` time, which callers may fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import NotFound
from ..evidence import counts, counts_text
from ..graph.rollup import citation_flags, claim_status, inquiry_summary, note_counts, note_status
from ..ids import normalize_title, slugify
from ..models import CLAIM_RELATIONS, STATUS_MEANING, Citation, Claim, EdgeKind, Inquiry, Note, Status, utcnow
from ..notes.vault_format import (
    BADGES,
    CLAIMS,
    CONTRADICTED_MARK,
    ESSAY,
    GENERATOR,
    NEXT,
    SOURCES,
    ClaimSummary,
    MentionSummary,
    NoteRelationSummary,
    RelationSummary,
    RunSummary,
)
from ..notes.wikilinks import escape_link_text
from ..present.text import (
    citation_badge,
    essay_paragraph,
    estimate_text,
    fidelity_card,
    fidelity_markdown,
    headline_keys,
    scope_sentence,
    verdict_summary,
)
from ..runners.api import Registration, installed_registration, registration_facts
from ..runs.records import RunRecord, list_runs
from ..runs.status import not_counted
from ..store import Notebook, run_folder
from .images import run_plot
from .paths import unique_names, write_files

STYLES = ("obsidian", "gfm")
IMAGES = "images"
_GENERIC_SETTINGS = {"device", "threads", "num_gpus", "memory_gb"}


def badge(status: Status | str) -> str:
    """
    >>> badge("mixed"), badge(Status.UNTESTED)
    ('⚖', '○')
    """
    return BADGES[Status(status).value]


def legend() -> str:
    """What every glyph means, in words: a bullet list under a bold "Legend"."""
    lines = ["**Legend**", ""]
    lines += [f"- {BADGES[s.value]} {s.value}: {STATUS_MEANING[s]}" for s in Status]
    lines += [
        "- (✅ 1 · ❌ 0 · ○ 2) after a note or an inquiry: how many of its claims are supported, contradicted, "
        "and neither (untested, inconclusive, mixed, running or imported)",
        f"- {CONTRADICTED_MARK} after a citation: the sentence rests on a contradicted claim",
        "- A claim's status is the verdict of the runs that test it, seen through what the claim predicts; "
        "runs of a test or control preset, diagnostic runners, runs without an accepted spec and runs "
        "imported without raw data are shown but not counted.",
    ]
    return "\n".join(lines)


def front_matter(data: dict[str, Any]) -> str:
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6, default_flow_style=False)
    return f"---\n{body}---\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~])")


def _escape_label(text: str) -> str:
    """Text for a ``[label](url)`` in GFM.

    >>> _escape_label("a [b] c")
    'a \\\\[b\\\\] c'
    """
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


# ---- what the notebook says about the exported nodes -----------------------------------------


@dataclass
class _Evidence:
    """Statuses and runs of the notes in an export, looked up once."""

    nb: Notebook
    note_statuses: dict[str, Status] = field(default_factory=dict)
    claim_statuses: dict[str, Status] = field(default_factory=dict)
    runs: dict[str, list[RunRecord]] = field(default_factory=dict)
    why_not: dict[str, str] = field(default_factory=dict)  # run id -> why it does not count

    def tally(self, note_id: str) -> str:
        """``✅ 1 · ❌ 0 · ○ 1``: the note's claims by status."""
        return counts_text(note_counts(self.nb, note_id))

    def counts(self, note_id: str) -> str:
        """The tally in brackets, as it follows a note's title."""
        return f"({self.tally(note_id)})"

    def note(self, note_id: str) -> Status:
        if note_id not in self.note_statuses:
            self.note_statuses[note_id] = note_status(self.nb, note_id)
        return self.note_statuses[note_id]

    def claim(self, claim_id: str) -> Status:
        if claim_id not in self.claim_statuses:
            self.claim_statuses[claim_id] = claim_status(self.nb, claim_id)
        return self.claim_statuses[claim_id]

    def claim_runs(self, claim_id: str) -> list[RunRecord]:
        if claim_id not in self.runs:
            self.runs[claim_id] = sorted(list_runs(self.nb, claim_id=claim_id), key=lambda r: (r.created, r.id))
            self.why_not.update(not_counted(self.nb, self.runs[claim_id]))
        return self.runs[claim_id]


def image_path(run: RunRecord, suffix: str = ".png") -> str:
    return f"{IMAGES}/{slugify(run.id)}{suffix}"


class _Writer:
    """Renders markdown for one style; subclasses say how links and images look."""

    def __init__(self, nb: Notebook, names: dict[str, str], exported_at: str):
        self.nb = nb
        self.names = names  # node id -> file stem (obsidian) or anchor (gfm)
        self.exported_at = exported_at
        self.evidence = _Evidence(nb)
        self.files: dict[str, bytes] = {}  # images written so far, by relative path
        self._plots: dict[str, str | None] = {}

    def plot(self, run: RunRecord) -> str | None:
        """The relative path of the run's plot (drawn once per export), None when it has none."""
        if run.id not in self._plots:
            plot = (
                run_plot(run_folder(self.nb.path, run.id), run.result, title=f"{run.runner} {run.id}")
                if run.result
                else None
            )
            self._plots[run.id] = image_path(run, plot[1]) if plot else None
            if plot:
                self.files[image_path(run, plot[1])] = plot[0]
        return self._plots[run.id]

    # style hooks
    def note_link(self, note_id: str, shown: str) -> str:
        raise NotImplementedError

    def image(self, path: str, alt: str) -> str:
        raise NotImplementedError

    # ---- pieces shared by both styles ----------------------------------------------------

    def plain(self, text: str) -> str:
        """Notebook text as it is written in this style (see :meth:`_Gfm.plain`)."""
        return text

    def essay_paragraph(self, text: str, cited: list[tuple[Citation, dict[str, Any]]]) -> str:
        """The paragraph with each cited title replaced by a link plus badge (and ⚠ on contradicted ground)."""
        return essay_paragraph(
            text,
            cited,
            plain=self.plain,
            link=lambda citation, shown: self.note_link(citation.note_id, shown),
            badge=lambda citation, flag: citation_badge(self.evidence.tally(citation.note_id), flag.get("rests_on")),
        )

    def essay(self, inquiry: Inquiry) -> list[str]:
        flags = citation_flags(self.nb, inquiry.id)
        by_paragraph: dict[int, list[tuple[Citation, dict[str, Any]]]] = {}
        for citation, flag in zip(self.nb.citations(inquiry_id=inquiry.id), flags):
            by_paragraph.setdefault(citation.paragraph, []).append((citation, flag))
        return [self.essay_paragraph(text, by_paragraph.get(i, [])) for i, text in enumerate(inquiry.essay)]

    def claims_list(self, claims: list[Claim]) -> list[str]:
        return [f"- {badge(self.evidence.claim(c.id))} {self.plain(c.text)}" for c in claims]

    def run_section(self, run: RunRecord, level: int) -> list[str]:
        """One run: runner, settings, headline metrics with intervals, verdict, scope, fidelity, date, plot."""
        when = (run.ended or run.created)[:10]
        lines = [f"{'#' * level} Run {run.id}: {run.runner} ({run.status.value}, {when})", ""]
        settings = ", ".join(f"{k}={v}" for k, v in sorted(run.config.items()) if k not in _GENERIC_SETTINGS)
        lines.append(
            f"- Settings: preset {run.preset or 'none'}, seed {run.seed}" + (f"; {settings}" if settings else "")
        )
        why_not = self.evidence.why_not.get(run.id)
        lines.append(f"- Not counted: {why_not}." if why_not else "- Counts toward the claim's status.")
        result = run.result
        if result is None:
            lines += [f"- No result{': ' + run.error if run.error else ''}.", ""]
            return lines
        for key in headline_keys(result.metrics, result.headline):
            estimate = result.metrics[key]
            lines.append(
                f"- {key}: {estimate_text(estimate)}" + (f": {estimate.description}" if estimate.description else "")
            )
        verdict = result.verdict
        lines.append(f"- Verdict: {verdict_summary(verdict, emphasis='**')}: {verdict.explanation}")
        lines += [
            f"- {self.plain(label)}: {self.plain(text)}"
            for label, text in registration_facts(verdict, _registration(run))
        ]
        lines += [f"- Scope: {verdict.scope}. {scope_sentence(verdict.scope)}", ""]
        lines += [fidelity_markdown(fidelity_card(run.runner), run.runner), ""]
        path = self.plot(run)
        if path is not None:
            lines += [self.image(path, f"plot of {run.id}"), ""]
        return lines

    def note_evidence(self, note: Note, heading: str, level: int) -> list[str]:
        claims = self.nb.list_claims(note_id=note.id)
        lines = [f"{'#' * level} {heading} {self.evidence.counts(note.id)}", ""]
        lines += self.claims_list(claims) or ["No claims recorded."]
        lines.append("")
        for claim in claims:
            for run in self.evidence.claim_runs(claim.id):
                lines += [f"Tested claim: {self.plain(claim.text)}", ""] + self.run_section(run, level + 1)
        return lines

    def cited_notes(self, inquiry: Inquiry) -> list[Note]:
        order = list(dict.fromkeys(c.note_id for c in self.nb.citations(inquiry_id=inquiry.id)))
        return [note for n in order if (note := self.nb.get_note(n)) is not None]

    def listed_notes(self, inquiry: Inquiry) -> list[Note]:
        edges = self.nb.edges(src=inquiry.id, kind=EdgeKind.LISTS_SOURCE)
        return [note for _, e in edges if (note := self.nb.get_note(e.dst)) is not None]

    def backlinks(self, inquiry: Inquiry) -> list[tuple[Inquiry, list[str]]]:
        """Other inquiries citing the notes this one cites, with the titles they share."""
        shared: dict[str, list[str]] = {}
        for note in self.cited_notes(inquiry):
            for citation in self.nb.citations(note_id=note.id):
                if citation.inquiry_id != inquiry.id and note.title not in shared.get(citation.inquiry_id, []):
                    shared.setdefault(citation.inquiry_id, []).append(note.title)
        return [
            (other, titles) for i, titles in sorted(shared.items()) if (other := self.nb.get_inquiry(i)) is not None
        ]

    def next_target(self, line: str) -> str | None:
        return self.nb.titles().get(normalize_title(line))

    def inquiry_counts(self, inquiry: Inquiry) -> str:
        tally = inquiry_summary(self.nb, inquiry.id)
        shown = counts(status for status, n in tally.items() for _ in range(n))
        return f"Claims this inquiry cites: {counts_text(shown)}"

    def inquiry_front(self, inquiry: Inquiry) -> dict[str, Any]:
        counts = inquiry_summary(self.nb, inquiry.id)
        return {
            "type": "inquiry",
            "generator": GENERATOR,
            "id": inquiry.id,
            "title": inquiry.question,
            "question": inquiry.question,
            "exported": self.exported_at,
            "sources_declared": inquiry.sources_declared,
            "evidence": dict(counts.items()),
        }


def _registration(run: RunRecord) -> Registration | None:
    """The installed registration of the run's runner (None when the runner is not installed here)."""
    from ..runners.registry import get

    try:
        return installed_registration(get(run.runner))
    except NotFound:
        return None


# ---- obsidian ------------------------------------------------------------------------------------


class _Obsidian(_Writer):
    def note_link(self, note_id: str, shown: str) -> str:
        return f"[[{self.names[note_id]}|{escape_link_text(shown)}]]"

    def image(self, path: str, alt: str) -> str:
        return f"![[{path}]]"

    def inquiry_file(self, inquiry: Inquiry) -> str:
        lines = [front_matter(self.inquiry_front(inquiry)), f"# {inquiry.question}", ""]
        if inquiry.framing:
            lines += [inquiry.framing, ""]
        lines += [f"## {ESSAY}", ""] if inquiry.essay else []
        for paragraph in self.essay(inquiry):
            lines += [paragraph, ""]
        lines += ["## Evidence", "", legend(), "", self.inquiry_counts(inquiry), ""]
        for note in self.cited_notes(inquiry):
            lines += self.note_evidence(note, self.note_link(note.id, note.title), 3)
        lines += [f"## {SOURCES}", ""] + [f"- {self.note_link(n.id, n.title)}" for n in self.listed_notes(inquiry)]
        lines += ["", f"## {NEXT}", ""]
        for line in inquiry.next_lines:
            target = self.next_target(line)
            lines.append(f"- {self.note_link(target, line)}" if target in self.names else f"- {line}")
        lines += ["", "## Backlinks", ""]
        for other, titles in self.backlinks(inquiry):
            shown = (
                f"[[{self.names[other.id]}|{escape_link_text(other.question)}]]"
                if other.id in self.names
                else other.question
            )
            lines.append(f"- {shown}: also cites {'; '.join(titles)}")
        return "\n".join(lines).rstrip() + "\n"

    def note_file(self, note: Note) -> str:
        claims = self.nb.list_claims(note_id=note.id)
        summaries = [self.claim_summary(c) for c in claims]
        variants = note.summary_variants
        front = {
            "type": "note",
            "generator": GENERATOR,
            "id": note.id,
            "title": note.title,
            "aliases": note.aliases,
            "tags": note.topics,
            "arxiv": note.arxiv,
            "placeholder": note.is_placeholder,
            "status": self.evidence.note(note.id).value,
            "summary_sources": sorted(s for s, text in variants.items() if text == note.summary),
            "summary_variants": {s: text for s, text in sorted(variants.items()) if text != note.summary},
            "claims": [
                s.model_dump(mode="json", exclude_defaults=True) | {"status": s.status.value} for s in summaries
            ],
            "mentions": [
                m.model_dump(mode="json", exclude_none=True, exclude_defaults=True) for m in self.mentions(note)
            ],
        }
        relations = [
            NoteRelationSummary(
                to=e.dst, kind=e.kind, state=e.state, why=e.why, provenance=e.provenance, attrs=e.attrs
            ).model_dump(mode="json", exclude_defaults=True)
            | {"kind": e.kind.value}
            for _, e in self.nb.edges(src=note.id, kind=EdgeKind.CONTRASTS_WITH, state=None)
        ]
        if relations:
            front["relations"] = relations
        lines = [front_matter(front), f"# {note.title}", ""]
        lines += [note.summary, ""] if note.summary else []
        lines += [note.body, ""] if note.body else []
        if claims:
            lines += [f"## {CLAIMS}", ""] + self.claims_list(claims) + [""]
            lines += self.relation_lines(summaries)
            runs = [(c, r) for c in claims for r in self.evidence.claim_runs(c.id)]
            if runs:
                lines += ["## Evidence", ""]
                for claim, run in runs:
                    lines += [f"Tested claim: {claim.text}", ""] + self.run_section(run, 3)
        citing = sorted({c.inquiry_id for c in self.nb.citations(note_id=note.id)})
        if citing:
            lines += ["## Cited by", ""]
            for iid in citing:
                question = inquiry.question if (inquiry := self.nb.get_inquiry(iid)) else iid
                lines.append(
                    f"- [[{self.names[iid]}|{escape_link_text(question)}]]" if iid in self.names else f"- {question}"
                )
        return "\n".join(lines).rstrip() + "\n"

    def relation_lines(self, summaries: list[ClaimSummary]) -> list[str]:
        """Claim relations, for reading (the importer takes them from the front matter)."""
        lines = []
        for summary in summaries:
            for rel in summary.relations:
                other = self.nb.get_claim(rel.to)
                target = self.note_link(other.note_id, other.text) if other and other.note_id in self.names else rel.to
                state = "" if rel.state.value == "accepted" else f" ({rel.state.value})"
                lines.append(
                    f"- {claim.text if (claim := self.nb.get_claim(summary.id)) else summary.id} "
                    f"**{rel.kind.value}** {target}{state}" + (f": {rel.why}" if rel.why else "")
                )
        return (["## Relations", ""] + lines + [""]) if lines else []

    def claim_summary(self, claim: Claim) -> ClaimSummary:
        relations = sorted(
            (
                RelationSummary(to=e.dst, kind=e.kind, state=e.state, why=e.why, provenance=e.provenance, attrs=e.attrs)
                for _, e in self.nb.edges(src=claim.id, state=None)
                if e.kind in CLAIM_RELATIONS
            ),
            key=lambda r: (r.kind.value, r.to),
        )
        runs = [self.run_summary(r) for r in self.evidence.claim_runs(claim.id)]
        mentions = sorted(e.dst for _, e in self.nb.edges(src=claim.id, kind=EdgeKind.MENTIONS))
        return ClaimSummary(
            id=claim.id, status=self.evidence.claim(claim.id), relations=relations, runs=runs, mentions=mentions
        )

    def run_summary(self, run: RunRecord) -> RunSummary:
        result = run.result
        headline = (result.headline or sorted(result.metrics)) if result else []
        return RunSummary(
            id=run.id,
            runner=run.runner,
            preset=run.preset,
            seed=run.seed,
            status=run.status.value,
            created=run.created,
            started=run.started,
            ended=run.ended,
            config=run.config,
            verdict=result.verdict if result else None,
            metrics={k: result.metrics[k] for k in headline if k in result.metrics} if result else {},
            plot=self.plot(run),
        )

    def mentions(self, note: Note) -> list[MentionSummary]:
        found = []
        for _, edge in self.nb.edges(src=note.id, kind=EdgeKind.MENTIONS):
            paper = self.nb.get_paper(edge.dst)
            if paper is not None:
                found.append(
                    MentionSummary(
                        paper=paper.id,
                        name=paper.name,
                        arxiv=paper.arxiv,
                        doi=paper.doi,
                        title=paper.title,
                        authors=paper.authors,
                        year=paper.year,
                        provenance=edge.provenance,
                    )
                )
        return found


# ---- gfm -----------------------------------------------------------------------------------------


class _Gfm(_Writer):
    def plain(self, text: str) -> str:
        """Escaped so that ``3*4+5`` keeps its star in a GFM viewer. (The obsidian style writes text
        as is: its files are read back by the vault importer, which takes list items literally.)

        >>> _Gfm.plain(None, "3*4+5 a_b [x]")
        '3\\\\*4+5 a\\\\_b \\\\[x\\\\]'
        """
        return _MARKDOWN_SPECIAL.sub(r"\\\1", text)

    def note_link(self, note_id: str, shown: str) -> str:
        return f"[{_escape_label(shown)}](#{self.names[note_id]})"

    def image(self, path: str, alt: str) -> str:
        return f"![{_escape_label(alt)}]({path})"

    def inquiry_file(self, inquiry: Inquiry) -> str:
        lines = [front_matter(self.inquiry_front(inquiry)), f"# {inquiry.question}", ""]
        lines += [inquiry.framing, ""] if inquiry.framing else []
        lines += [legend(), "", self.inquiry_counts(inquiry), ""]
        for paragraph in self.essay(inquiry):
            lines += [paragraph, ""]
        lines += ["## Evidence", ""]
        for note in self.cited_notes(inquiry):
            lines += [f'<a id="{self.names[note.id]}"></a>', ""]
            lines += self.note_evidence(note, note.title, 3)
        lines += [f"## {SOURCES}", ""]
        for note in self.listed_notes(inquiry):
            lines += [
                f"- **{note.title}** {self.evidence.counts(note.id)}"
                + (f": {note.summary}" if note.summary else " (placeholder: no summary yet)")
            ]
        lines += ["", f"## {NEXT}", ""] + [f"- {line}" for line in inquiry.next_lines]
        lines += ["", "## Backlinks", ""]
        lines += [f"- {other.question}: also cites {'; '.join(titles)}" for other, titles in self.backlinks(inquiry)]
        return "\n".join(lines).rstrip() + "\n"


# ---- entry points --------------------------------------------------------------------------------


def _inquiries(nb: Notebook, inquiry_ids: Iterable[str] | None) -> list[Inquiry]:
    ids = list(inquiry_ids) if inquiry_ids is not None else [i.id for i in nb.list_inquiries()]
    found = []
    for iid in ids:
        inquiry = nb.get_inquiry(iid)
        if inquiry is None:
            raise NotFound(f"no inquiry with id {iid}")
        found.append(inquiry)
    return found


def _vault_notes(nb: Notebook, inquiries: list[Inquiry], everything: bool) -> list[Note]:
    """The notes a vault needs: all of them, or those the inquiries reach and the notes their claims relate to."""
    if everything:
        return [note for n in nb.list_notes() if (note := nb.get_note(n.id)) is not None]
    wanted: set[str] = set()
    for inquiry in inquiries:
        wanted |= {
            e.dst
            for kind in (EdgeKind.CITES, EdgeKind.LISTS_SOURCE, EdgeKind.NEXT)
            for _, e in nb.edges(src=inquiry.id, kind=kind)
            if e.dst.startswith("note:")
        }
        wanted |= {c.note_id for c in nb.citations(inquiry_id=inquiry.id)}
    for nid in sorted(wanted):
        for claim in nb.list_claims(note_id=nid):
            for _, edge in nb.edges(src=claim.id, state=None):
                if edge.kind in CLAIM_RELATIONS and (other := nb.get_claim(edge.dst)) is not None:
                    wanted.add(other.note_id)
    return sorted((note for n in wanted if (note := nb.get_note(n)) is not None), key=lambda n: n.id)


def render(
    nb: Notebook, inquiry_ids: Iterable[str] | None = None, style: str = "obsidian", exported_at: str | None = None
) -> dict[str, bytes]:
    """Every file an export writes, by path relative to the target folder (``None``: every inquiry and note)."""
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}")
    exported_at = exported_at or utcnow()
    inquiries = _inquiries(nb, inquiry_ids)
    if style == "obsidian":
        notes = _vault_notes(nb, inquiries, everything=inquiry_ids is None)
        names = unique_names({**{i.id: i.question for i in inquiries}, **{n.id: n.title for n in notes}})
        vault = _Obsidian(nb, names, exported_at)
        pages = {i.id: vault.inquiry_file(i) for i in inquiries} | {n.id: vault.note_file(n) for n in notes}
        return {f"{names[node]}.md": text.encode() for node, text in pages.items()} | vault.files
    files: dict[str, bytes] = {}  # gfm: one self-contained file per inquiry, citations link to its own anchors
    stems = unique_names({i.id: i.question for i in inquiries})
    for inquiry in inquiries:
        cited = [c.note_id for c in nb.citations(inquiry_id=inquiry.id)]
        writer = _Gfm(nb, {nid: f"note-{n}" for n, nid in enumerate(dict.fromkeys(cited), start=1)}, exported_at)
        files[f"{stems[inquiry.id]}.md"] = writer.inquiry_file(inquiry).encode()
        files |= writer.files
    return files


def export(
    nb: Notebook,
    target: Path,
    inquiry_ids: Iterable[str] | None = None,
    style: str = "obsidian",
    force: bool = False,
    exported_at: str | None = None,
) -> list[Path]:
    """Render and write an export under ``target`` (nothing overwritten without ``force``); returns the paths."""
    return write_files(Path(target), render(nb, inquiry_ids, style, exported_at), force=force)
