"""Core commands: ``import``, ``list``, ``show``, ``search``, ``stats`` and ``init``.

Each prints a readable rendering, or JSON with ``--json`` (before or after the command). Each imports the
store, the graph and the evidence rule when it runs, so that ``inquiry --help`` does not.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..present.text import clip, status_word
from .output import LazyChoice, State, emit, output_options

if TYPE_CHECKING:
    from ..importing import ImportResult
    from ..models import Claim, Inquiry, Note
    from ..store import Notebook

WIDTH = 100


def _clip(text: str, width: int = WIDTH) -> str:
    return clip(text, width, one_line=True)


def _statuses() -> list[str]:
    from ..models import Status

    return [s.value for s in Status]


# ---- import ----------------------------------------------------------------------------------


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_options
@click.pass_obj
def import_cmd(state: State, paths: tuple[Path, ...]) -> None:
    """Import inquiring lines, markdown notes (plain, zk/Foam, Obsidian) and .bib files; all or nothing.

    In a folder, files that are neither notes nor inquiring lines are skipped with a warning each.
    """
    from ..importing import import_paths

    result = import_paths(state.notebook, paths)
    data = {
        "files": result.files,
        "changes": result.report.changes,
        "warnings": [w.model_dump() for w in result.warnings],
    }
    emit(state, data, lambda: _import_text(result))


def _import_text(result: ImportResult) -> str:
    lines = [f"imported {len(result.files)} file(s)"]
    for kind, outcomes in result.report.changes.items():
        counts = ", ".join(f"{len(ids)} {outcome}" for outcome, ids in outcomes.items())
        lines.append(f"  {kind}: {counts}")
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


# ---- list ------------------------------------------------------------------------------------


@click.command("list")
@click.argument("what", type=click.Choice(["inquiries", "notes", "claims"]))
@click.option("--status", type=LazyChoice(_statuses), help="claims with this evidence status")
@click.option(
    "--placeholders/--no-placeholders", default=None, help="notes: only placeholders / only notes with content"
)
@click.option("--note", "note_ref", help="claims: only those of this note (id, prefix or title)")
@output_options
@click.pass_obj
def list_cmd(state: State, what: str, status: str | None, placeholders: bool | None, note_ref: str | None) -> None:
    """List inquiries, notes or claims."""
    from ..models import Status

    nb = state.notebook
    if status and what != "claims":
        raise click.UsageError("--status applies to claims")
    if placeholders is not None and what != "notes":
        raise click.UsageError("--placeholders applies to notes")
    if note_ref and what != "claims":
        raise click.UsageError("--note applies to claims")
    if what == "inquiries":
        items: list[Any] = nb.list_inquiries()
        render = lambda: "\n".join(f"{i.id}  {_clip(i.question, 80)}" for i in items)
    elif what == "notes":
        items = nb.list_notes(placeholders=placeholders)
        render = lambda: "\n".join(
            f"{n.id}  {_clip(n.title, 80)}{'  [placeholder]' if n.is_placeholder else ''}" for n in items
        )
    else:
        note_id = nb.resolve_id(note_ref) if note_ref else None
        items = nb.list_claims(note_id=note_id, status=Status(status) if status else None)
        render = lambda: "\n".join(f"{c.id}  {c.status.value:<12} {_clip(c.text, 70)}" for c in items)
    emit(state, [item.model_dump(mode="json") for item in items], lambda: render() or f"no {what}")


# ---- show ------------------------------------------------------------------------------------


@click.command("show")
@click.argument("ref")
@output_options
@click.pass_obj
def show_cmd(state: State, ref: str) -> None:
    """Show a node: an id, a unique id prefix, or an exact title."""
    from ..graph.rollup import note_counts
    from ..models import Claim, Inquiry, NodeKind, Note, Paper, kind_of
    from ..runs.status import evidence

    nb = state.notebook
    node_id = nb.resolve_id(ref)
    node = nb.get_node(node_id)
    kind = kind_of(node_id)
    relations = [
        {"src": e.src, "dst": e.dst, "kind": e.kind.value, "state": e.state.value, "why": e.why}
        for edges in (nb.edges(src=node_id, state=None), nb.edges(dst=node_id, state=None))
        for _, e in edges
    ]
    data: dict[str, Any] = {
        "kind": kind.value,
        "node": node if isinstance(node, dict) else node.model_dump(mode="json"),
        "relations": relations,
    }
    if kind is NodeKind.INQUIRY:
        data["citations"] = [c.model_dump() for c in nb.citations(inquiry_id=node_id)]
        data["claim_counts"] = nb.cited_claim_counts([node_id])[node_id]
        assert isinstance(node, Inquiry)
        render = lambda: _show_inquiry(nb, node)
    elif kind is NodeKind.NOTE:
        data["claims"] = [c.model_dump(mode="json") for c in nb.list_claims(note_id=node_id)]
        data["cited_by"] = [c.model_dump() for c in nb.citations(note_id=node_id)]
        data["claim_counts"] = note_counts(nb, node_id)
        assert isinstance(node, Note)
        render = lambda: _show_note(nb, node)
    elif kind is NodeKind.CLAIM:
        data["specs"] = [s.model_dump(mode="json") for s in nb.specs(claim_id=node_id)]
        found = evidence(nb, node_id)
        data["evidence"] = {"status": found.status.value, "runs": found.describe(), "not_counted": found.not_counted}
        assert isinstance(node, Claim)
        render = lambda: _show_claim(nb, node, relations)
    else:
        render = None
        if isinstance(node, Paper):
            facts = [
                node.title,
                ", ".join(node.authors),
                str(node.year or ""),
                node.arxiv and f"arXiv:{node.arxiv}",
                node.doi and f"doi:{node.doi}",
                node.bibkey and f"@{node.bibkey}",
            ]
            render = lambda: (
                f"{node.id}\n{node.name}"
                + "".join(f"\n  {f}" for f in facts if f)
                + "".join(f"\n  mentioned by {r['src']}" for r in relations if r["dst"] == node_id)
            )
    emit(state, data, render)


def _show_inquiry(nb: Notebook, inquiry: Inquiry) -> str:
    from ..evidence import counts_text

    citations = nb.citations(inquiry_id=inquiry.id)
    lines = [
        inquiry.id,
        "",
        inquiry.question,
        "",
        f"claims it cites: {counts_text(nb.cited_claim_counts([inquiry.id])[inquiry.id])} "
        "(supported · contradicted · neither)",
        "",
        _clip(inquiry.framing, 400),
        "",
    ]
    for number, paragraph in enumerate(inquiry.essay):
        lines += [f"[{number}] {_clip(paragraph, 300)}"]
        for c in (c for c in citations if c.paragraph == number):
            lines.append(f"      cites {c.note_id}" + (f" (via {c.prefix})" if c.prefix else ""))
    if inquiry.next_lines:
        lines += ["", "Next inquiring lines:"] + [f"  - {line}" for line in inquiry.next_lines]
    if inquiry.source_path:
        lines += ["", f"source: {inquiry.source_path}"]
    return "\n".join(lines)


def _show_note(nb: Notebook, note: Note) -> str:
    from ..evidence import counts_text
    from ..graph.rollup import note_counts

    lines = [note.id + ("  [placeholder: no summary yet]" if note.is_placeholder else ""), "", note.title, ""]
    if not note.is_placeholder:  # a note is a question: counts of its claims, never one glyph
        lines += [f"claims: {counts_text(note_counts(nb, note.id))} (supported · contradicted · neither)", ""]
    if note.summary:
        lines += [note.summary, ""]
    others = {source: text for source, text in note.summary_variants.items() if text != note.summary}
    for source, text in others.items():
        lines += [f"as {source} summarizes it: {_clip(text, 300)}", ""]
    claims = nb.list_claims(note_id=note.id)
    if claims:
        lines.append("Claims:")
        for claim in claims:
            figures = ", ".join(q.text for q in claim.quantities)
            lines.append(
                f"  {claim.id}  {status_word(claim.status)}  {_clip(claim.text, 80)}"
                + (f"  ({figures})" if figures else "")
            )
    cited = nb.citations(note_id=note.id)
    if cited:
        lines.append("Cited by:")
        lines += [f"  {c.inquiry_id} ¶{c.paragraph}: {_clip(c.sentence, 80)}" for c in cited]
    return "\n".join(lines)


def _show_claim(nb: Notebook, claim: Claim, relations: list[dict[str, Any]]) -> str:
    from ..models import EdgeState
    from ..runs.status import evidence

    lines = [
        claim.id,
        "",
        claim.text,
        "",
        f"note: {claim.note_id}",
        f"kind: {claim.kind.value}",
        f"status: {status_word(claim.status)} ({evidence(nb, claim.id).describe()})",
    ]
    if claim.quantities:
        lines.append("quantities: " + ", ".join(f"{q.text} ({q.relation})" for q in claim.quantities))
    specs = nb.specs(claim_id=claim.id)
    if specs:
        lines.append("reproduction specs (review with `inquiry specs CLAIM`):")
        lines += [
            f"  #{s.id} {s.state.value} {s.runner} --preset {s.preset}: predicts {s.predicts.value} "
            f"({s.provenance}) {s.why}".rstrip()
            for s in specs
        ]
    shown = [r for r in relations if r["kind"] != "asserts"]
    if shown:
        lines.append("relations:")
        for r in shown:
            other, arrow = (r["dst"], "→") if r["src"] == claim.id else (r["src"], "←")
            mark = " (suggested)" if r["state"] == EdgeState.SUGGESTED.value else ""
            lines.append(f"  {arrow} {r['kind']} {other}{mark}")
    return "\n".join(lines)


# ---- search ----------------------------------------------------------------------------------


@click.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True, help="most results to show")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(["inquiry", "note", "claim"]),
    help="only these kinds (repeatable)",
)
@output_options
@click.pass_obj
def search_cmd(state: State, words: tuple[str, ...], limit: int, kinds: tuple[str, ...]) -> None:
    """Full-text search, best first. A matching claim stands for its note unless --kind claim.

    The query is free text (several words, or one quoted string); a word starting with "-" is a word.
    """
    from ..present.search import search
    from ..store import query_terms

    query = " ".join(words)
    results = search(state.notebook, query, limit, list(kinds))
    terms, shortened = query_terms(query)
    if shortened:
        click.echo(f"note: query shortened to {len(terms)} distinct words: {' '.join(terms)}", err=True)
    emit(
        state,
        [result.to_dict() for result in results],
        lambda: "\n".join(f"{r.id}  {_clip(r.title, 70)}\n    {_clip(r.snippet, 90)}" for r in results) or "no matches",
    )


# ---- stats and init --------------------------------------------------------------------------


@click.command("stats")
@output_options
@click.pass_obj
def stats_cmd(state: State) -> None:
    """Counts of what the notebook holds."""
    nb = state.notebook
    data = {"notebook": str(nb.path), "schema_version": nb.schema_version, **nb.stats()}
    emit(state, data, lambda: "\n".join(f"{key:<26} {value}" for key, value in data.items()))


@click.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@output_options
@click.pass_obj
def init_cmd(state: State, folder: Path) -> None:
    """Create a notebook in FOLDER (with the bundled example unless --empty)."""
    from ..store import DB_NAME

    existed = (folder / DB_NAME).exists()
    state.notebook_path = folder
    nb = state.notebook  # creates it, importing the example when new
    data = {"notebook": str(nb.path), "created": not existed, **nb.stats()}
    emit(
        state,
        data,
        lambda: (
            f"{'already a notebook' if existed else 'created notebook'}: {nb.path} "
            f"({data['inquiries']} inquiries, {data['notes']} notes)"
        ),
    )
