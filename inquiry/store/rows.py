"""Rows ↔ models: how each domain model is laid out in its table (JSON columns dumped and parsed)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..models import Claim, Edge, Inquiry, Note, Paper, ReproSpec

# json.dumps(value, ensure_ascii=False, sort_keys=True) builds a new encoder per call; imports dump ~100k values
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def dump(value: Any) -> str:
    return _ENCODER.encode(value)


def equals(*conditions: str, **filters: object) -> tuple[str | None, dict[str, object]]:
    """The ``where`` and ``where_args`` of :meth:`sqlite_utils.db.Table.rows_where` for the filters that are set
    (``None`` means "any"), plus fixed conditions.

    >>> equals("retired = 0", note_id="note:x", status=None)
    ('note_id = :note_id AND retired = 0', {'note_id': 'note:x'})
    >>> equals(src=None)
    (None, {})
    """
    given = {column: value for column, value in filters.items() if value is not None}
    clauses = [f"{column} = :{column}" for column in given] + list(conditions)
    return (" AND ".join(clauses) or None), given


def marks(items: Sequence[Any]) -> str:
    """The ``?, ?, …`` of an ``IN (…)`` for these items."""
    return ",".join("?" * len(items))


def union(a: list[str], b: list[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def inquiry(row: dict[str, Any]) -> Inquiry:
    return Inquiry(
        id=row["id"],
        question=row["question"],
        framing=row["framing"],
        essay=json.loads(row["essay"]),
        next_lines=json.loads(row["next_lines"]),
        sources_declared=row["sources_declared"],
        source_path=row["source_path"],
        content_hash=row["content_hash"],
    )


def inquiry_row(i: Inquiry) -> dict[str, Any]:
    return {
        "question": i.question,
        "framing": i.framing,
        "essay": dump(i.essay),
        "next_lines": dump(i.next_lines),
        "sources_declared": i.sources_declared,
        "source_path": i.source_path,
        "content_hash": i.content_hash,
    }


def note(row: dict[str, Any], variants: dict[str, str]) -> Note:
    return Note(
        id=row["id"],
        title=row["title"],
        summary=row["summary"],
        body=row["body"],
        topics=json.loads(row["topics"]),
        aliases=json.loads(row["aliases"]),
        summary_variants=variants,
        is_placeholder=bool(row["is_placeholder"]),
        arxiv=row["arxiv"],
        url=row.get("url"),
    )


def note_row(note: Note) -> dict[str, Any]:
    """A note's own columns (its source summaries live in ``note_summaries``)."""
    return {
        "title": note.title,
        "summary": note.summary,
        "body": note.body,
        "topics": dump(note.topics),
        "aliases": dump(note.aliases),
        "is_placeholder": int(note.is_placeholder),
        "arxiv": note.arxiv,
        "url": note.url,
    }


def paper(row: dict[str, Any]) -> Paper:
    return Paper(
        id=row["id"],
        name=row["name"],
        arxiv=row["arxiv"],
        doi=row["doi"],
        title=row["title"],
        authors=json.loads(row["authors"]),
        year=row["year"],
        url=row["url"],
        bibkey=row["bibkey"],
        entry_type=row["entry_type"],
        fields=json.loads(row["fields"]),
    )


def paper_row(paper: Paper) -> dict[str, Any]:
    return {
        "name": paper.name,
        "arxiv": paper.arxiv,
        "doi": paper.doi,
        "title": paper.title,
        "authors": dump(paper.authors),
        "year": paper.year,
        "url": paper.url,
        "bibkey": paper.bibkey,
        "entry_type": paper.entry_type,
        "fields": dump(paper.fields),
    }


def merge_papers(old: Paper, new: Paper) -> Paper:
    """``new`` over ``old`` field by field, where ``new`` says something; a bib entry's name wins over a mention's.

    >>> merge_papers(Paper(id="paper:x", name="Yue et al. 2025", title="Does RL…", year=2025),
    ...              Paper(id="paper:x", name="Yue et al. 2025")).title
    'Does RL…'
    """
    update = {k: v for k, v in new.model_dump().items() if v not in (None, [], {}, "") and k not in ("id", "name")}
    if new.bibkey or not old.bibkey:
        update["name"] = new.name
    return old.model_copy(update=update)


def claim(row: dict[str, Any]) -> Claim:
    return Claim(
        id=row["id"],
        note_id=row["note_id"],
        text=row["text"],
        index=row["idx"],
        kind=row["kind"],
        quantities=json.loads(row["quantities"]),
        status=row["status"],
    )


def claim_row(claim: Claim) -> dict[str, Any]:
    return {
        "note_id": claim.note_id,
        "idx": claim.index,
        "text": claim.text,
        "kind": claim.kind.value,
        "quantities": dump([q.model_dump() for q in claim.quantities]) if claim.quantities else "[]",
        "retired": 0,
    }


def edge(row: dict[str, Any]) -> Edge:
    return Edge(
        src=row["src"],
        dst=row["dst"],
        kind=row["kind"],
        state=row["state"],
        why=row["why"],
        provenance=row["provenance"],
        attrs=json.loads(row["attrs"]),
    )


def spec(row: dict[str, Any]) -> ReproSpec:
    return ReproSpec(
        id=row["id"],
        claim_id=row["claim_id"],
        runner=row["runner"],
        preset=row["preset"],
        overrides=json.loads(row["overrides"]),
        predicts=row["predicts"],
        why=row["why"],
        state=row["state"],
        provenance=row["provenance"],
        part=row["part"],
        part_text=row["part_text"],
    )


def spec_values(spec: ReproSpec) -> list[Any]:
    """The columns of ``repro_specs`` after ``id``, in table order."""
    return [
        spec.claim_id,
        spec.runner,
        spec.preset,
        dump(spec.overrides),
        spec.predicts.value,
        spec.why,
        spec.state.value,
        spec.provenance,
        spec.part,
        spec.part_text,
    ]
