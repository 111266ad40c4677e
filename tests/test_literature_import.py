"""Real note collections in: plain, zk/Foam-like and Obsidian folders beside inquiring lines, with aliases,
slug prefixes and claims from every note (fixtures in tests/data)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from inquiry.aliasing import add_alias
from inquiry.cli import cli
from inquiry.errors import NotFound
from inquiry.ids import note_id
from inquiry.importing import import_paths
from inquiry.models import EdgeKind

DATA = Path(__file__).resolve().parent / "data"
COLLECTIONS = [DATA / "later_export", DATA / "notes_plain", DATA / "vault_obsidian", DATA / "notes_zk"]
UNLOCK = note_id("Can modular cognitive tools unlock reasoning without training?")
DEPLOY = note_id("Does RL post-training create reasoning or just deploy it?")
OLD_DEPLOY = note_id("Does RL teach reasoning or teach when to use it?")
NEAR_MISS = note_id("Does RL teach reasoning or teach when to use tools?")


@pytest.fixture
def imported(notebook, seed_path):
    result = import_paths(notebook, [seed_path, *COLLECTIONS])
    return notebook, result


def warnings_of(result) -> dict[str, str]:
    return {Path(w.path).name: w.message for w in result.warnings}


def test_every_shape_of_notes_folder_imports_beside_the_seed(imported):
    nb, result = imported
    warned = warnings_of(result)
    assert warned["README.md"].startswith("skipped: README.md reads as the folder's README file")
    assert warned["scratch.txt"].startswith("skipped: neither a note")
    assert "tools-diagram.png" not in warned  # an Obsidian vault's attachment is expected company
    notes = {n.id: n for n in nb.list_notes()}
    # a file-name title (no heading), front-matter tags and inline #tags
    assert notes[note_id("Sparse RL updates")].topics == ["rl/sparsity"]
    assert set(notes[DEPLOY].topics) == {"rl", "elicitation"}
    assert notes[note_id("Why does GRPO drop the value network?")].topics == ["grpo", "rl"]
    # [text](file.md) links (zk, Foam) and [[wikilinks]] both become links between notes
    links = {(e.src, e.dst) for _, e in nb.edges(kind=EdgeKind.LINKS_TO)}
    assert (note_id("Why does GRPO drop the value network?"), note_id("How large must a GRPO group be?")) in links
    assert (note_id("How large must a GRPO group be?"), note_id("Why does GRPO drop the value network?")) in links
    assert (DEPLOY, note_id("Do concise reasoning chains match verbose chain-of-thought accuracy?")) in links
    # the later export's placeholder "Do concise … accuracy?" is filled by the plain note of that title
    assert not notes[note_id("Do concise reasoning chains match verbose chain-of-thought accuracy?")].is_placeholder


def test_aliases_and_slug_prefixes_resolve_and_nothing_is_split(imported):
    nb, result = imported
    # The later export cites the old title "…boost…"; the Obsidian note keeps it in `aliases:`.
    cited = {c.note_id for c in nb.citations() if "rl-post-training" in c.inquiry_id}
    assert UNLOCK in cited and note_id("Can modular cognitive tools boost reasoning without training?") not in cited
    assert nb.get_note(note_id("Can modular cognitive tools boost reasoning without training?")) is None
    # A raw slug in a link: the one note whose slug it starts, with a warning naming that note.
    chosen = note_id("Concise intermediate reasoning chains match verbose CoT occupying fewer tokens")
    assert f"read it as the slug of {chosen} (a unique prefix)" in warnings_of(result)["8f3k2.md"]
    assert (note_id("Why does GRPO drop the value network?"), chosen) in {
        (e.src, e.dst) for _, e in nb.edges(kind=EdgeKind.LINKS_TO)
    }
    # The renamed "…teach when to use it?" has no alias yet: a placeholder, and the one-word-away note stays apart.
    assert nb.get_note(OLD_DEPLOY).is_placeholder and not nb.get_note(NEAR_MISS).is_placeholder
    merged = add_alias(
        nb,
        "Does RL teach reasoning or teach when to use it?",
        "Does RL post-training create reasoning or just deploy it?",
    )
    assert merged["action"] == "merged" and nb.get_note(OLD_DEPLOY) is None
    assert "Does RL teach reasoning or teach when to use it?" in nb.get_note(DEPLOY).aliases
    assert DEPLOY in {c.note_id for c in nb.citations()} and nb.get_note(NEAR_MISS) is not None
    assert nb.split_notes() == [] and nb.stats()["placeholders"] == 0
    # every note has claims now
    assert all(nb.list_claims(note_id=n.id) for n in nb.list_notes())
    # a re-import of everything finds the old title through the alias: nothing moves, claim ids stay
    claims = {c.id for c in nb.list_claims()}
    again = import_paths(
        nb, [DATA.parent.parent / "inquiry" / "example" / "rl-knowing-doing-gap.inquiry.txt", *COLLECTIONS]
    )
    assert {c.id for c in nb.list_claims()} == claims
    assert nb.get_note(OLD_DEPLOY) is None and nb.split_notes() == []
    assert all(not k.startswith("claim:") for k in again.report.changed_ids)


def test_claims_from_summary_sections_and_bullets_with_quantities(imported):
    nb, _ = imported
    claims = nb.list_claims(note_id=DEPLOY)
    texts = [c.text for c in claims]
    assert texts[0].startswith("RL post-training mostly teaches a model *when*")  # the summary paragraph first
    assert any(t.startswith("After RL, the share of responses") for t in texts)  # a bullet finding
    assert not any("Do base models already contain" in t for t in texts)  # "See also" lists links, not findings
    change = next(c for c in claims if c.text.startswith("After RL"))
    assert [(q.low, q.high, q.relation) for q in change.quantities] == [(12.0, 47.0, "change")]
    sparse = [c.text for c in nb.list_claims(note_id=note_id("Sparse RL updates"))]
    assert not any(t.endswith("?") for t in sparse)  # the "Questions" section holds no claims


def test_the_same_url_under_a_new_title_is_the_same_note(notebook, tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    note = folder / "clip.md"
    note.write_text("---\nurl: https://example.org/post\n---\n# Does RL teach reasoning?\n\nIt mostly deploys it.\n")
    import_paths(notebook, [folder])
    note.write_text("---\nurl: https://example.org/post\n---\n# Does RL create reasoning?\n\nIt mostly deploys it.\n")
    shutil.move(note, folder / "renamed.md")
    import_paths(notebook, [folder])
    (stored,) = notebook.list_notes()
    assert (stored.id, stored.title, stored.aliases) == (
        note_id("Does RL teach reasoning?"),
        "Does RL create reasoning?",
        ["Does RL teach reasoning?"],
    )


def test_alias_command(notebook, seed_path):
    import_paths(notebook, [seed_path])
    base = ["--notebook", str(notebook.path), "--json"]
    out = CliRunner().invoke(
        cli,
        [
            *base,
            "alias",
            "Can modular cognitive tools unlock reasoning without training?",
            "Can modular cognitive tools boost reasoning without training?",
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["action"] == "renamed" and data["note"]["id"] == UNLOCK
    assert notebook.resolve_id("Can modular cognitive tools unlock reasoning without training?") == UNLOCK
    with pytest.raises(NotFound, match="no note is titled"):
        add_alias(notebook, "Nothing like this?", "Nor this?")


def test_a_vault_exported_from_user_notes_reimports_to_the_same_graph(imported, tmp_path):
    from inquiry.export.markdown import export
    from inquiry.store import Notebook

    nb, _ = imported
    export(nb, tmp_path / "vault")
    again = Notebook.open(tmp_path / "again")
    import_paths(again, [tmp_path / "vault"])

    def snapshot(n):
        return (
            {(c.id, c.text) for c in n.list_claims()},
            {(e.src, e.dst, e.kind.value, e.state.value) for _, e in n.edges(state=None)},
            {(x.id, x.title, x.is_placeholder) for x in n.list_notes()},
        )

    # links by zk file name survive (the file names become aliases), and so do the claims' paper mentions
    assert snapshot(again) == snapshot(nb)
    assert "8f3k2" in again.get_note(note_id("Why does GRPO drop the value network?")).aliases


def test_the_same_file_name_slug_under_a_new_title_is_the_same_note(notebook, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "does-rl-teach-reasoning.md").write_text("# Does RL teach reasoning?\n\nIt mostly deploys it.\n")
    import_paths(notebook, [folder])
    (folder / "does-rl-teach-reasoning.md").write_text("# Does RL create reasoning?\n\nIt mostly deploys it.\n")
    import_paths(notebook, [folder])
    (stored,) = notebook.list_notes()
    assert (stored.title, stored.aliases) == ("Does RL create reasoning?", ["Does RL teach reasoning?"])
