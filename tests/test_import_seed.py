"""Importing the seed and documents that share its notes: what lands in the notebook."""

from __future__ import annotations

from pathlib import Path

import pytest

from inquiry.ids import note_id
from inquiry.importing import import_paths
from inquiry.models import EdgeKind, EdgeState, Status

RLVR = note_id("Does RLVR actually expand what models can reason about?")
RLAG = note_id("Can reinforcement learning embed domain knowledge more effectively than supervised fine-tuning?")
THINK_IN_GAMES = note_id("Can language modeling close the knowing-doing gap in AI?")
SPARSITY = note_id("Does reinforcement learning update only a small fraction of parameters?")
REWARD = note_id("What does reward learning actually do to model reasoning?")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def document(question: str, essay: list[str], sources: list[tuple[str, str]] | None, framing: str = "Framing.") -> str:
    parts = ["INQUIRING LINE", question, framing, *essay]
    if sources is not None:
        parts.append(f"Sources {len(sources)} notes")
        for title, summary in sources:
            parts += [title, summary]
    parts += ["Next inquiring lines", "Where does this go next?"]
    return "\n\n".join(parts) + "\n"


def test_seed_imports_one_inquiry_ten_notes_and_ten_citations(seeded_notebook):
    nb = seeded_notebook
    stats = nb.stats()
    assert (stats["inquiries"], stats["notes"], stats["citations"], stats["placeholders"]) == (1, 10, 10, 0)
    (inquiry,) = nb.list_inquiries()
    assert inquiry.question == "Can reinforcement learning close the gap between LLM reasoning and action?"
    assert inquiry.framing.startswith("This explores whether RL can turn")
    assert inquiry.essay[0].startswith("This reads the question as the knowing-doing gap")
    assert inquiry.essay[1].startswith("But here's the twist")
    assert inquiry.sources_declared == 10

    citations = nb.citations(inquiry_id=inquiry.id)
    assert sorted(c.note_id for c in citations) == sorted(n.id for n in nb.list_notes())  # one per note
    per_paragraph = [sum(c.paragraph == p for c in citations) for p in range(len(inquiry.essay))]
    assert per_paragraph == [2, 4, 0, 2, 2]  # first, second, fourth and fifth essay paragraphs
    for citation in citations:
        title = nb.get_note(citation.note_id).title
        assert inquiry.essay[citation.paragraph][citation.start : citation.end] == title
        assert citation.sentence and title not in citation.sentence


def test_citations_carry_the_sentence_they_support_and_the_system_name(seeded_notebook):
    by_note = {c.note_id: c for c in seeded_notebook.citations()}
    assert by_note[RLVR].sentence == (
        "RLVR improves which solutions get sampled without expanding the set of solvable problems; "
        "base models actually beat RL-tuned models at high sampling budgets."
    )
    assert by_note[SPARSITY].sentence == (
        "Mechanistically, RL touches only 5–30% of parameters in stable, "
        "structured subnetworks — it's a precise selection, not a rewrite."
    )
    assert by_note[RLAG].prefix == "RLAG"
    assert by_note[THINK_IN_GAMES].prefix == "Think-In Games"
    assert by_note[THINK_IN_GAMES].sentence.startswith(
        "The most direct evidence that RL can close this is Think-In Games, where LLMs generate"
    )
    assert by_note[RLVR].prefix is None
    assert seeded_notebook.get_paper("paper:rlag").name == "RLAG"


def test_every_summary_becomes_claims_with_quantities(seeded_notebook):
    nb = seeded_notebook
    for note in nb.list_notes():
        claims = nb.list_claims(note_id=note.id)
        assert claims, note.title
        assert " ".join(c.text for c in claims) == note.summary
        assert all(c.status is Status.UNTESTED for c in claims)
    quantities = {q.text: q for c in nb.list_claims() for q in c.quantities}
    assert set(quantities) == {"87.88%", "5–30%", "26.7% to 43.3%"}
    assert (quantities["5–30%"].low, quantities["5–30%"].high, quantities["5–30%"].relation) == (5, 30, "range")
    change = quantities["26.7% to 43.3%"]
    assert (change.low, change.high, change.unit, change.relation) == (26.7, 43.3, "%", "change")
    assert [c.kind.value for c in nb.list_claims(note_id=SPARSITY)] == ["quantitative", "qualitative"]


def test_truncated_next_section_is_only_a_warning(notebook, seed_path):
    result = import_paths(notebook, [seed_path])
    assert [(w.message, w.line) for w in result.warnings] == [
        ("the 'Next inquiring lines' section is empty (truncated export?)", 61)
    ]
    assert notebook.get_inquiry(notebook.list_inquiries()[0].id).next_lines == []


def test_contrast_paragraph_suggests_note_contrasts_not_a_claim_cross_product(seeded_notebook):
    nb = seeded_notebook
    edges = [e for _, e in nb.edges(state=EdgeState.SUGGESTED)]
    # The "But here's the twist" paragraph: its first cited note against the lead note of the paragraph before
    # (Think-In Games, "the most direct evidence"), not every claim of four notes against every claim of two.
    assert {(e.src, e.dst, e.kind) for e in edges} == {(RLVR, THINK_IN_GAMES, EdgeKind.CONTRASTS_WITH)}
    assert all(e.provenance == "importer:contrast-cue" for e in edges)
    assert edges[0].why.startswith("But here's the twist a curious reader might not expect")
    # No claim says the opposite of another about the same subject, so no claim-level contradiction.
    assert nb.edges(kind=EdgeKind.CONTRADICTS, state=None) == []


def test_seed_claims_get_default_reproduction_specs(seeded_notebook):
    nb = seeded_notebook
    specs = {(nb.get_claim(s.claim_id).note_id, s.runner, s.preset) for s in nb.specs()}
    assert (RLVR, "rlvr", "default") in specs
    assert {(REWARD, "rlvr", "one_example"), (REWARD, "rlvr", "spurious")} <= specs
    assert (SPARSITY, "rlvr", "sparsity") in specs
    assert (RLAG, "rlag", "default") in specs
    assert (note_id("Do base models already contain hidden reasoning ability?"), "steering", "default") in specs
    # the Think-in-Games note is tested by the tig runner (knowing–doing gap), no longer by an rlvr rule
    assert (THINK_IN_GAMES, "tig", "default") in specs
    assert not any(note == THINK_IN_GAMES and runner != "tig" for note, runner, _ in specs)


def test_reimport_changes_nothing(seeded_notebook, seed_path):
    before = seeded_notebook.stats()
    result = import_paths(seeded_notebook, [seed_path])
    assert result.report.changed_ids == []
    assert result.report.count("notes", "unchanged") == 10
    assert seeded_notebook.stats() == before


def test_edited_document_updates_in_place(seeded_notebook, seed_text, tmp_path):
    nb = seeded_notebook
    ids_before = {n.id for n in nb.list_notes()}
    edited = seed_text.replace(
        "Distillation, by contrast, genuinely transfers new reasoning patterns.",
        "Distillation, by contrast, transfers reasoning patterns the base lacked.",
    )
    result = import_paths(nb, [write(tmp_path, "edited.inquiry.txt", edited)])
    assert result.report.count("inquiries", "updated") == 1
    assert result.report.changes["notes"]["updated"] == [RLVR]
    assert {n.id for n in nb.list_notes()} == ids_before and nb.stats()["inquiries"] == 1
    texts = [c.text for c in nb.list_claims(note_id=RLVR)]
    assert texts[1] == "Distillation, by contrast, transfers reasoning patterns the base lacked."
    assert len(texts) == 2 and nb.stats()["citations"] == 10


def test_two_documents_share_one_note(seeded_notebook, tmp_path):
    nb = seeded_notebook
    rlvr_summary = nb.get_note(RLVR).summary
    other = document(
        "Does RL sharpen or expand?",
        ["Base models win at large k Does RLVR actually expand what models can reason about?."],
        [("Does RLVR actually expand what models can reason about?", rlvr_summary)],
    )
    import_paths(nb, [write(tmp_path, "other.txt", other)])
    assert nb.stats()["notes"] == 11  # the ten, plus the other document's next line as a placeholder
    citing = {c.inquiry_id for c in nb.citations(note_id=RLVR)}
    assert len(citing) == 2
    assert set(nb.get_note(RLVR).summary_variants) == citing


def test_a_different_summary_is_kept_as_a_variant_not_overwritten(seeded_notebook, tmp_path):
    nb = seeded_notebook
    original = nb.get_note(RLVR).summary
    other = document(
        "Does RL sharpen or expand?",
        ["Nothing cited here."],
        [("Does RLVR actually expand what models can reason about?", "RLVR narrows sampling.")],
    )
    result = import_paths(nb, [write(tmp_path, "other.txt", other)])
    note = nb.get_note(RLVR)
    assert note.summary == original
    assert sorted(note.summary_variants.values()) == sorted([original, "RLVR narrows sampling."])
    assert any("differs from the notebook's" in w.message for w in result.warnings)
    assert len(nb.list_claims(note_id=RLVR)) == 2


def test_document_without_sources_resolves_known_notes(seeded_notebook, tmp_path):
    nb = seeded_notebook
    text = document(
        "What does RL change?",
        [
            "Sparse updates suggest selection Does reinforcement learning update only a small "
            "fraction of parameters?, and RLAG Can reinforcement learning embed domain knowledge more "
            "effectively than supervised fine-tuning? agrees."
        ],
        sources=None,
    )
    result = import_paths(nb, [write(tmp_path, "no-sources.txt", text)])
    inquiry = nb.resolve_id("What does RL change?")
    assert [c.note_id for c in nb.citations(inquiry_id=inquiry)] == [SPARSITY, RLAG]
    assert any("no 'Sources' section" in w.message for w in result.warnings)
    assert nb.stats()["notes"] == 11 and nb.list_notes(placeholders=True)[0].title == "Where does this go next?"


def test_unknown_title_becomes_placeholder_then_gets_filled(notebook, tmp_path):
    nb = notebook
    citing = document(
        "Is the gap semantic?",
        ["Meaning collapses without content Does symbolic reasoning survive content removal?."],
        sources=[],
    )
    result = import_paths(nb, [write(tmp_path, "a.txt", citing)])
    placeholder_id = note_id("Does symbolic reasoning survive content removal?")
    note = nb.get_note(placeholder_id)
    assert note.is_placeholder and note.summary == ""
    assert nb.citations(inquiry_id=nb.resolve_id("Is the gap semantic?"))[0].note_id == placeholder_id
    assert any("placeholder" in w.message for w in result.warnings)
    assert any("'Sources' section is empty" in w.message for w in result.warnings)

    listing = document(
        "What breaks symbolic reasoning?",
        ["A paragraph."],
        [
            (
                "Does symbolic reasoning survive content removal?",
                "Performance collapses by 40% when semantics are removed.",
            )
        ],
    )
    import_paths(nb, [write(tmp_path, "b.txt", listing)])
    note = nb.get_note(placeholder_id)
    assert not note.is_placeholder
    assert note.summary == "Performance collapses by 40% when semantics are removed."
    assert nb.list_claims(note_id=placeholder_id)[0].quantities[0].text == "40%"
    assert len(nb.citations(note_id=placeholder_id)) == 1  # still cited by the first document


def test_rhetorical_question_at_sentence_start_is_reported_not_created(notebook, tmp_path):
    text = document("Does scale matter?", ["Scale helps. Why does it help at all? Nobody knows."], sources=[])
    result = import_paths(notebook, [write(tmp_path, "q.txt", text)])
    assert any("unresolved mention 'Why does it help at all?'" in w.message for w in result.warnings)
    assert notebook.list_notes(placeholders=True)[0].title == "Where does this go next?"


def test_sources_count_disagreement_is_warned(notebook, seed_text, tmp_path):
    result = import_paths(
        notebook, [write(tmp_path, "s.txt", seed_text.replace("Sources 10 notes", "Sources 12 notes"))]
    )
    assert ("'Sources 12 notes' but 10 notes were found", 19) in [(w.message, w.line) for w in result.warnings]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t.replace(" ", "\u00a0", 200),
        lambda t: t.replace("\n\n", "\n  \t\n"),
    ],
)
def test_line_ends_and_odd_whitespace_import_the_same(notebook, seed_text, tmp_path, mangle):
    import_paths(notebook, [write(tmp_path, "m.txt", mangle(seed_text))])
    stats = notebook.stats()
    assert (stats["inquiries"], stats["notes"], stats["citations"], stats["claims"]) == (1, 10, 10, 20)
