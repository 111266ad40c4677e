"""Markdown pages for the reader: an inquiry's essay with its citations as links, a note, a claim.

Links use node ids as their targets (``[Does RLVR …](note:does-rlvr-…)``); the reader follows them
itself instead of opening them as files or URLs. :func:`page_links` lists a page's links in reading
order so they can be stepped through with the keyboard.
"""

from __future__ import annotations

import re

from ..evidence import counts_text
from ..graph import rollup
from ..models import CLAIM_RELATIONS, STATUS_GLYPH, Claim, EdgeKind, EdgeState, Inquiry, Note, Paper, SpecState, Status
from ..present.text import (
    citation_badge,
    essay_paragraph,
    estimate_counted,
    estimate_interval,
    estimate_value,
    fidelity_markdown,
    headline_keys,
    scope_sentence,
    status_word,
)
from ..runners.api import FidelityCard, Registration, registration_facts
from ..runs import status as claim_status
from ..runs.records import RunRecord
from .data import NotebookData

_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(<?([a-z]+:[^)>\s]+)>?\)")
_ESCAPE = re.compile(r"([\\\[\]*_`<>~])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=|])", re.MULTILINE)


def escape(text: str) -> str:
    """Notebook text shown as itself, not read as markdown: ``3*4+5`` keeps its star.

    >>> escape("3*4+5 and a_b")
    '3\\\\*4+5 and a\\\\_b'
    >>> escape("# not a heading")
    '\\\\# not a heading'
    """
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), _ESCAPE.sub(r"\\\1", text))


def link(text: str, node_id: str) -> str:
    """A markdown link to a node.

    >>> link("Does [RL] help?", "note:does-rl-help")
    '[Does \\\\[RL\\\\] help?](note:does-rl-help)'
    """
    escaped = _ESCAPE.sub(r"\\\1", text)
    return f"[{escaped}]({node_id})"


def page_links(markdown: str) -> list[tuple[str, str]]:
    """``(text, target)`` of every node link in a page, in reading order.

    >>> page_links("see [A](note:a) and [B \\\\] x](claim:a/1)")
    [('A', 'note:a'), ('B ] x', 'claim:a/1')]
    """
    return [(re.sub(r"\\(.)", r"\1", m.group(1)), m.group(2)) for m in _LINK.finditer(markdown)]


def bullets(items: list[str]) -> str:
    """Items as one paragraph, a line each, instead of a Markdown list.

    Textual's Markdown widget mounts several widgets per list item and lays each out on every screen
    update, so a hub note's 50 "used by" rows cost about a second per keystroke; one paragraph with
    hard line breaks is one widget however long it is.

    >>> print(bullets(["[A](note:a)", "B"]))
    • [A](note:a)\\
    • B
    """
    return "\\\n".join(f"• {item}" for item in items)


def page(data: NotebookData, node_id: str) -> str:
    """The reader page of any node id."""
    with data.locked() as nb:
        node = nb.get_node(node_id)
    if isinstance(node, Inquiry):
        return inquiry_page(data, node)
    if isinstance(node, Note):
        return note_page(data, node)
    if isinstance(node, Claim):
        return claim_page(data, node)
    if isinstance(node, Paper):
        return paper_page(data, node)
    return f"# Run {node_id}\n\nStatus: {node['status']}"


def paper_page(data: NotebookData, paper: Paper) -> str:
    """A paper's metadata, where to read it, and the notes and claims that rest on it."""
    with data.locked() as nb:
        users = [e.src for _, e in nb.edges(dst=paper.id, kind=EdgeKind.MENTIONS)]
        titles = nb.titles_of(list(dict.fromkeys(users)))
    parts = [f"# {paper.title or paper.name}", "*Paper*"]
    facts = [
        f"**{label}:** {value}"
        for label, value in (
            ("Authors", ", ".join(paper.authors)),
            ("Year", paper.year),
            ("Cited as", paper.name),
            ("arXiv", paper.arxiv and f"[{paper.arxiv}](https://arxiv.org/abs/{paper.arxiv})"),
            ("DOI", paper.doi and f"[{paper.doi}](https://doi.org/{paper.doi})"),
            ("URL", paper.url),
            ("BibTeX key", paper.bibkey),
        )
        if value
    ]
    if facts:
        parts.append(bullets(facts))
    for label, prefix in (("Notes that rest on it", "note:"), ("Claims that rest on it", "claim:")):
        rows = [link(titles[u], u) for u in titles if u.startswith(prefix)]
        if rows:
            parts.append(f"## {label}\n\n" + bullets(rows))
    return "\n\n".join(parts) + "\n"


def inquiry_page(data: NotebookData, inquiry: Inquiry) -> str:
    with data.locked() as nb:
        citations = nb.citations(inquiry_id=inquiry.id)
        titles = {c.note_id: (nb.get_note(c.note_id) or Note(id=c.note_id, title=c.note_id)).title for c in citations}
    with data.locked() as nb:
        flags = {(f["note_id"], f["paragraph"], f["sentence"]): f for f in rollup.citation_flags(nb, inquiry.id)}
        note_counts = {
            note_id: counts_text(tally)
            for note_id, tally in nb.live_claim_counts(list({c.note_id for c in citations})).items()
        }
    parts = [f"# {escape(inquiry.question)}", "*Inquiry*"]
    if inquiry.framing:
        parts.append(f"_{escape(inquiry.framing)}_")
    summary = _inquiry_summary(data, inquiry.id)
    if summary:
        parts.append(summary)
    for index, paragraph in enumerate(inquiry.essay):
        cited = [(c, flags.get((c.note_id, c.paragraph, c.sentence))) for c in citations if c.paragraph == index]
        parts.append(
            essay_paragraph(
                paragraph,
                cited,
                plain=escape,
                link=lambda c, shown: link(shown or titles[c.note_id], c.note_id),
                badge=lambda c, flag: _badge(flag, note_counts.get(c.note_id)),
            )
        )
    if inquiry.next_lines:
        parts.append("## Next inquiring lines\n\n" + bullets([escape(line) for line in inquiry.next_lines]))
    return "\n\n".join(parts) + "\n"


def _inquiry_summary(data: NotebookData, inquiry_id: str) -> str:
    with data.locked() as nb:
        tally = nb.cited_claim_counts([inquiry_id])[inquiry_id]
        counts = rollup.inquiry_summary(nb, inquiry_id)
    if not sum(tally.values()):
        return ""
    shown = [f"{STATUS_GLYPH[Status(k)]} {n} {k}" for k, n in counts.items() if n]
    return f"Claims it cites: {counts_text(tally)} ({' · '.join(shown)})"


def _badge(flag: dict | None, note_counts: str | None = None) -> str:
    """The citation's badge (:func:`inquiry.present.text.citation_badge`), with the ⚠ explained in words;
    nothing for a citation the roll-up has no flag for yet."""
    if flag is None:
        return ""
    return citation_badge(note_counts, flag["rests_on"], explain="*rests on a contradicted claim*")


def note_page(data: NotebookData, note: Note) -> str:
    claims = data.note_claims(note.id).rows
    users = data.inquiries_using(note.id)
    parts = [
        f"# {escape(note.title)}",
        "*Placeholder note: cited but not yet written*"
        if note.is_placeholder
        else f"*Note* · claims {data.note_counts(note.id)}",
    ]
    if note.summary:
        parts.append(escape(note.summary))
    if note.body and note.body != note.summary:
        parts.append(escape(note.body))
    if note.arxiv:
        parts.append(f"arXiv: [{note.arxiv}](https://arxiv.org/abs/{note.arxiv})")
    parts.append(
        "## Claims\n\n"
        + (bullets([f"{row.glyph} {link(row.title, row.node_id)}" for row in claims]) or "No claims extracted.")
    )
    more = f"\n\n… and {users.remaining} more (see Links)" if users.remaining else ""
    parts.append(
        f"## Used by {users.total} inquir{'y' if users.total == 1 else 'ies'}\n\n"
        + (bullets([link(row.title, row.node_id) for row in users.rows]) or "Not cited yet.")
        + more
    )
    others = {s: v for s, v in note.summary_variants.items() if v != note.summary}
    if others:
        parts.append("## Other summaries\n\n" + bullets([f"*{escape(s)}*: {escape(v)}" for s, v in others.items()]))
    return "\n\n".join(parts) + "\n"


def claim_page(data: NotebookData, claim: Claim) -> str:
    status = data.claim_status(claim.id)
    with data.locked() as nb:
        note = nb.get_note(claim.note_id)
        outgoing = [e for _, e in nb.edges(src=claim.id, state=None) if e.kind in CLAIM_RELATIONS]
        incoming = [e for _, e in nb.edges(dst=claim.id, state=None) if e.kind in CLAIM_RELATIONS]
        texts = {
            cid: (other.text if (other := nb.get_claim(cid)) else cid)
            for cid in {e.dst for e in outgoing} | {e.src for e in incoming}
        }
        specs = nb.specs(claim.id)
        found = claim_status.evidence(nb, claim.id)
    parts = [
        f"# Claim · {status_word(status)}",
        f"> {escape(claim.text)}",
        f"Evidence: {found.describe()}",
        f"From {link(note.title if note else claim.note_id, claim.note_id)}",
    ]
    if claim.quantities:
        parts.append("Quantities: " + ", ".join(f"`{q.text}`" for q in claim.quantities))
    relations = [
        _relation_line(e.kind.value, e, texts[e.dst], e.dst) for e in outgoing if e.state is not EdgeState.REJECTED
    ]
    relations += [
        _relation_line(f"{e.kind.value} (from)", e, texts[e.src], e.src)
        for e in incoming
        if e.state is not EdgeState.REJECTED
    ]
    parts.append("## Relations\n\n" + (bullets(relations) or "None yet. Press `t` to relate this claim."))
    if specs:
        parts.append(
            "## Reproduction specs\n\n"
            + bullets(
                [
                    f"{_SPEC_STATE[s.state]} runner **{s.runner}** (preset `{s.preset}`), the claim predicts "
                    f"*{s.predicts.value}*"
                    + (f" (part {s.part}: {s.part_text})" if s.part_text else "")
                    + f" · {s.state.value}, {s.provenance}"
                    for s in specs
                ]
            )
            + "\n\nPress `p` to review: accept, reject, or set what the claim predicts."
        )
    if found.not_counted:
        parts.append("Not counted: " + "; ".join(f"{run_id} ({why})" for run_id, why in found.not_counted.items()))
    parts.append("## Runs\n\nListed below; `r` launches a reproduction, `c` cancels the selected run.")
    return "\n\n".join(parts) + "\n"


_SPEC_STATE = {SpecState.ACCEPTED: "✓", SpecState.SUGGESTED: "?", SpecState.REJECTED: "✗"}


def _relation_line(kind: str, edge, text: str, target: str) -> str:
    suggested = " *(suggested; accept with `a`, reject with `x` in Links)*" if edge.state is EdgeState.SUGGESTED else ""
    why = f" — {escape(edge.why)}" if edge.why else ""
    return f"**{kind}** {link(text, target)}{why}{suggested}"


def result_page(run: RunRecord, fidelity: FidelityCard | None, registration: Registration | None = None) -> str:
    """A finished run: verdict, reason and scope, the registration it was decided under with each
    precondition's measured figure, metrics with intervals, the fidelity card.

    ``registration`` is the installed runner's file (its text is shown only when its hash is the run's)."""
    parts = [
        f"# Run {run.id} · {run.status.value}",
        f"Runner **{run.runner}**, preset `{run.preset}`, seed {run.seed}, claim {link(run.claim_id, run.claim_id)}"
        if run.claim_id
        else f"Runner **{run.runner}**, preset `{run.preset}`, seed {run.seed}",
    ]
    result = run.result
    if result is None:
        parts.append(f"No result: {run.error or run.message or 'the run has not finished.'}")
        return "\n\n".join(parts) + "\n"
    verdict = result.verdict
    parts += [
        f"## Verdict: {verdict.verdict.value}",
        f"Reason `{verdict.reason}`: {escape(verdict.explanation)}",
        f"> **Scope: {verdict.scope}.** {scope_sentence(verdict.scope)}",
        "## Registration\n\n"
        + bullets(
            [f"**{escape(label)}**: {escape(text)}" for label, text in registration_facts(verdict, registration)]
        ),
    ]
    keys = headline_keys(result.metrics, result.headline, everything=True)
    if keys:
        rows = ["| metric | value | interval | over | what |", "|---|---|---|---|---|"]
        for key in keys:
            e = result.metrics[key]
            over = estimate_counted(e) or "—"
            rows.append(
                f"| {key} | {estimate_value(e)} | {estimate_interval(e) or '—'} | {over} | {escape(e.description)} |"
            )
        parts.append("## Metrics\n\n" + "\n".join(rows))
    parts.append("## Fidelity card\n\n" + fidelity_markdown(fidelity, run.runner))
    if result.series:
        parts.append("## Curves\n\nDrawn below, one chart per name.")
    return "\n\n".join(parts) + "\n"
