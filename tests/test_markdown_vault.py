"""Importing a user's Obsidian-style vault: wikilink forms, placeholders, tags, claims, mentions, bad input."""

from __future__ import annotations

import pytest

from inquiry.errors import ImportFailed
from inquiry.importing import import_paths
from inquiry.models import EdgeKind, Status
from inquiry.notes.wikilinks import inline_tokens, wiki_markdown

RLVR_TITLE = "Does RLVR actually expand what models can reason about?"
RLVR = "note:does-rlvr-actually-expand-what-models-can-reason-about"


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.mark.parametrize(
    "source, target, section, shown",
    [
        ("[[Pass at k]]", "Pass at k", None, "Pass at k"),
        ("[[Pass at k|the curve]]", "Pass at k", None, "the curve"),
        ("[[Pass at k#Results]]", "Pass at k", "Results", "Pass at k"),
        ("[[Pass at k#^block1|see]]", "Pass at k", "^block1", "see"),
        (r"[[Pass at k|a \| b \]\] c]]", "Pass at k", None, "a | b ]] c"),
    ],
)
def test_wikilink_forms(source, target, section, shown):
    (link,) = [t for t in inline_tokens(wiki_markdown(), f"See {source} here.") if t.type == "wikilink"]
    assert (link.meta["target"], link.meta["section"], link.meta["shown"]) == (target, section, shown)


def test_links_in_code_and_headings_are_not_links_or_tags():
    md = wiki_markdown()
    found = [
        t.type for t in inline_tokens(md, "`[[code]]` and `#notatag`, issue #12, [[]]") if t.type in ("wikilink", "tag")
    ]
    assert found == []
    assert [t.type for t in md.parse("# Heading\n") if t.type == "heading_open"] == ["heading_open"]


def test_plain_obsidian_vault_notes_claims_tags_links_and_placeholders(notebook, tmp_path):
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    write(
        vault,
        "Sparsity.md",
        "# Does RL update only a few parameters?\n\n"
        "RL touches 5–30% of weights #rl/sparsity, see [[Grokking notes#Setup|the setup]] "
        "and [[Pass at k]].\n\nA longer body with #mechanism.\n\n## Claims\n\n"
        "- RL updates 5–30% of parameters.\n  - a comment, not a claim\n- The updates are nearly full-rank.\n",
    )
    write(
        vault,
        "Pass at k.md",
        "---\ntitle: What does pass@k measure?\naliases: [pass@k]\ntags: metrics\n---\n"
        "It measures the chance that one of k samples is right.\n",
    )
    result = import_paths(notebook, [vault])
    sparse = notebook.get_note("note:does-rl-update-only-a-few-parameters")
    assert sparse.summary.startswith("RL touches 5–30% of weights #rl/sparsity, see the setup and Pass at k.")
    assert sparse.body == "A longer body with #mechanism." and sparse.topics == ["rl/sparsity", "mechanism"]
    claims = notebook.list_claims(note_id=sparse.id)
    assert [c.text for c in claims] == ["RL updates 5–30% of parameters.", "The updates are nearly full-rank."]
    assert claims[0].quantities[0].relation == "range"
    links = {e.dst: e.attrs for _, e in notebook.edges(src=sparse.id, kind=EdgeKind.LINKS_TO)}
    pass_at_k = notebook.get_note("note:what-does-pass-k-measure")
    # linked by its file name, which stays reachable as an alias after an export renames the file
    assert pass_at_k.aliases == ["pass@k", "Pass at k"] and pass_at_k.topics == ["metrics"]
    assert links == {pass_at_k.id: {}, "note:grokking-notes": {"section": "Setup"}}
    placeholder = notebook.get_note("note:grokking-notes")
    assert placeholder.is_placeholder and placeholder.title == "Grokking notes"
    assert set(result.files) == {str((vault / n).resolve()) for n in ("Sparsity.md", "Pass at k.md")}


def test_links_resolve_to_known_notes_and_unlinked_mentions_are_reported(seeded_notebook, tmp_path):
    vault = tmp_path / "vault"
    write(
        vault,
        "reading.md",
        "---\ntype: note\ntitle: My reading log\n---\n"
        f"Compare [[{RLVR_TITLE}|the RLVR note]] with Why do reasoning LLMs fail at deeper problem solving? "
        "which I have not linked.\n",
    )
    result = import_paths(seeded_notebook, [vault])
    log = seeded_notebook.get_note("note:my-reading-log")
    assert [e.dst for _, e in seeded_notebook.edges(src=log.id, kind=EdgeKind.LINKS_TO)] == [RLVR]
    assert not seeded_notebook.get_note(RLVR).is_placeholder
    mentions = [w for w in result.warnings if "unlinked mention" in w.message]
    assert [(w.message, w.line) for w in mentions] == [
        ("unlinked mention of 'Why do reasoning LLMs fail at deeper problem solving?'", 5)
    ]


def test_inquiry_file_cites_links_and_a_placeholder_fills_later(notebook, tmp_path):
    vault = tmp_path / "vault"
    write(
        vault,
        "q.md",
        "---\ntype: inquiry\n---\n# Is selection all RL does?\n\nFraming here.\n\n"
        "Base models win at high k [[Is pass@k a fair metric?]]. RLAG [[Does RLAG help?]] says otherwise.\n\n"
        "## Next inquiring lines\n\n- What about memory?\n",
    )
    import_paths(notebook, [vault])
    inquiry = notebook.get_inquiry("inq:is-selection-all-rl-does")
    assert inquiry.framing == "Framing here." and inquiry.next_lines == ["What about memory?"]
    cites = notebook.citations(inquiry_id=inquiry.id)
    assert [(c.note_id, c.sentence, c.prefix) for c in cites] == [
        ("note:is-pass-k-a-fair-metric", "Base models win at high k.", None),
        ("note:does-rlag-help", "RLAG says otherwise.", "RLAG"),
    ]
    assert notebook.get_note("note:is-pass-k-a-fair-metric").is_placeholder
    write(vault, "fair.md", "---\ntype: note\n---\n# Is pass@k a fair metric?\n\nOnly at large k.\n")
    import_paths(notebook, [vault / "fair.md"])
    filled = notebook.get_note("note:is-pass-k-a-fair-metric")
    assert not filled.is_placeholder and filled.summary == "Only at large k."


def test_claim_files_join_their_note(seeded_notebook, tmp_path):
    vault = tmp_path / "vault"
    write(
        vault,
        "claim.md",
        f"---\ntype: claim\nnote: '[[{RLVR_TITLE}]]'\nstatus: supported\n---\n"
        "Base models beat RLVR models at k = 256.\n",
    )
    import_paths(seeded_notebook, [vault])
    texts = [c.text for c in seeded_notebook.list_claims(note_id=RLVR)]
    assert len(texts) == 3 and texts[-1] == "Base models beat RLVR models at k = 256."
    # a status written in a vault is no evidence here: it shows as imported, with where it came from
    claim = seeded_notebook.list_claims(note_id=RLVR)[-1]
    assert claim.status.value == "imported"
    assert seeded_notebook.imported_status(claim.id) == (Status.SUPPORTED, str(vault))


@pytest.mark.parametrize(
    "text, message",
    [
        ("---\ntitle: [unclosed\n---\nBody.\n", "front matter is not valid YAML"),
        ("---\n- a\n- b\n---\nBody.\n", "front matter must be a mapping"),
        ("---\ntype: essay\n---\nBody.\n", "front matter 'type' is 'essay'"),
        ("---\ntype: note\nid: claim:x\n---\nBody.\n", "must start with 'note:'"),
        ("---\ntype: note\nplaceholder: maybe\n---\nBody.\n", "front matter key 'placeholder'"),
        ("---\n---\n\x00binary", "binary file"),
    ],
)
def test_bad_files_name_the_file_and_write_nothing(seeded_notebook, tmp_path, text, message):
    vault = tmp_path / "vault"
    write(vault, "good.md", "---\ntype: note\n---\n# A good note?\n\nFine.\n")
    bad = write(vault, "bad.md", text)
    before = seeded_notebook.stats()
    with pytest.raises(ImportFailed, match=message) as failure:
        import_paths(seeded_notebook, [vault])
    assert failure.value.path == str(bad)
    assert seeded_notebook.stats() == before and seeded_notebook.integrity_ok()
