"""Papers as references: mentions found in notes, a .bib file attaching metadata, BibTeX back out."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner

from inquiry.aliasing import add_alias
from inquiry.cli import cli
from inquiry.errors import ImportFailed
from inquiry.ids import note_id
from inquiry.importing import import_paths
from inquiry.notes.papers import find_papers
from inquiry.tui.data import NotebookData
from inquiry.tui.render import page

DATA = Path(__file__).resolve().parent / "data"
BIB = DATA / "refs.bib"


def entries(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    library = bibtexparser.parse_string(text)
    return {e.key: (e.entry_type, {f.key: f.value for f in e.fields}) for e in library.entries}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("as shown by Yue et al. (2025)", [("paper:yue-2025", "Yue et al. 2025", None)]),
        ("see arxiv.org/abs/2505.11711v2.", [("paper:2505.11711", "arXiv:2505.11711", "2505.11711")]),
        ("Yue et al. 2025 (arXiv 2504.13837) find", [("paper:2504.13837", "Yue et al. 2025", "2504.13837")]),
        ("Wang et al. 2504.20571", [("paper:2504.20571", "arXiv:2504.20571", "2504.20571")]),
        ("In 2025 et al. nothing; 87.88% on GAIA; GPT-4.1 (2025)", []),
    ],
)
def test_references_in_text(text, expected):
    assert [(p.id, p.name, p.arxiv) for p in find_papers(text)] == expected


def test_bib_attaches_metadata_to_the_papers_notes_mention(notebook):
    import_paths(notebook, [DATA / "notes_plain", DATA / "notes_zk", DATA / "vault_obsidian"])
    before = {p.id for p in notebook.list_papers()}
    assert {"paper:2504.13837", "paper:doi-10-48550-arxiv-2501-12948", "paper:2505.11711"} <= before
    import_paths(notebook, [BIB])
    yue = notebook.get_paper("paper:2504.13837")
    assert (yue.bibkey, yue.year, yue.authors[0], yue.title.startswith("Does Reinforcement Learning Really")) == (
        "yue2025limit",
        2025,
        "Yang Yue",
        True,
    )
    users = {e.src for _, e in notebook.edges(dst=yue.id)}
    assert note_id("Does RL post-training create reasoning or just deploy it?") in users
    assert any(u.startswith("claim:") for u in users)  # the bullet that names the paper rests on it
    r1 = notebook.get_paper("paper:doi-10-48550-arxiv-2501-12948")
    assert r1.bibkey == "deepseek2025r1" and note_id("Why does GRPO drop the value network?") in {
        e.src for _, e in notebook.edges(dst=r1.id)
    }
    # "Mukherjee et al. 2025" and arXiv 2505.11711 were two papers until the entry named both
    assert "paper:mukherjee-2025" in before
    assert {p.id for p in notebook.list_papers()} == before - {"paper:mukherjee-2025"} | {"paper:lightman-2024"}
    assert {e.src for _, e in notebook.edges(dst="paper:2505.11711")} >= {
        note_id("Sparse RL updates"),
        *(c.id for c in notebook.list_claims(note_id=note_id("Sparse RL updates")) if "Mukherjee" in c.text),
    }


def test_bib_round_trip_keeps_every_key_and_field(notebook, tmp_path):
    import_paths(notebook, [BIB])
    out = tmp_path / "out.bib"
    result = CliRunner().invoke(cli, ["--notebook", str(notebook.path), "papers", "--bib", str(out)])
    assert result.exit_code == 0, result.output
    assert entries(out.read_text()) == entries(BIB.read_text())
    # again through a notebook that has only the exported file
    import_paths(notebook, [out])
    assert {p.bibkey for p in notebook.list_papers()} == set(entries(BIB.read_text()))


def test_export_bib_writes_the_papers_an_inquiry_rests_on(notebook, seed_path, tmp_path):
    import_paths(notebook, [seed_path, DATA / "later_export", DATA / "notes_plain", BIB])
    add_alias(
        notebook,
        "Does RL teach reasoning or teach when to use it?",
        "Does RL post-training create reasoning or just deploy it?",
    )
    run = CliRunner().invoke
    base = ["--notebook", str(notebook.path), "--json"]
    out = run(
        cli,
        [
            *base,
            "export",
            "What does RL post-training actually change in a language model?",
            "--style",
            "gfm",
            "-o",
            str(tmp_path / "later.md"),
            "--bib",
            str(tmp_path / "refs.bib"),
        ],
    )
    assert out.exit_code == 0, out.output
    written = entries((tmp_path / "refs.bib").read_text())
    assert "yue2025limit" in written and "lightman2023verify" not in written  # only what its notes mention
    papers = json.loads(run(cli, [*base, "papers"]).output)
    yue = next(p for p in papers if p["id"] == "paper:2504.13837")
    assert yue["year"] == 2025 and yue["notes"] == [
        note_id("Does RL post-training create reasoning or just deploy it?")
    ]


def test_a_broken_bib_entry_names_the_file_and_line(notebook, tmp_path):
    bad = tmp_path / "bad.bib"
    bad.write_text("@article{ok, title={Fine}, year={2020}}\n\n@article{broken, title = {unclosed\n")
    with pytest.raises(ImportFailed, match="not a valid BibTeX entry") as failure:
        import_paths(notebook, [bad])
    assert failure.value.path == str(bad) and notebook.stats()["papers"] == 0


def test_the_app_page_of_a_paper_shows_metadata_and_what_rests_on_it(notebook):
    import_paths(notebook, [DATA / "notes_plain", BIB])
    text = page(NotebookData(notebook), "paper:2504.13837")
    assert text.startswith("# Does Reinforcement Learning Really Incentivize")
    assert "**Year:** 2025" in text and "https://arxiv.org/abs/2504.13837" in text
    assert "## Notes that rest on it" in text and "Does RL post-training create reasoning" in text
    assert "## Claims that rest on it" in text
