"""The GFM and Obsidian exports: links and images resolve, badges match statuses, paths stay inside, bytes repeat."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixture_markdown import AGENTS, with_evidence
from markdown_it import MarkdownIt

from inquiry.cli import cli
from inquiry.export.markdown import export, render
from inquiry.export.paths import ExportRefused, inside
from inquiry.graph.rollup import claim_status
from inquiry.models import Citation, ImportBatch, Inquiry, Note
from inquiry.notes.vault_format import BADGES, CONTRADICTED_MARK
from inquiry.runners.rlvr.runner import RLVRRunner

WHEN = "2025-01-01T00:00:00+00:00"


def tokens(path: Path):
    md = MarkdownIt("commonmark").enable("table")
    for block in md.parse(path.read_text(encoding="utf-8")):
        yield block
        yield from block.children or ()


@pytest.fixture
def evidence_nb(seeded_notebook):
    return with_evidence(seeded_notebook)


def test_gfm_links_and_images_resolve_and_badges_match(evidence_nb, tmp_path):
    (inquiry,) = evidence_nb.list_inquiries()
    written = export(evidence_nb, tmp_path / "out", [inquiry.id], style="gfm", exported_at=WHEN)
    (page,) = [p for p in written if p.suffix == ".md"]
    text = page.read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    links = [t.attrGet("href") for t in tokens(page) if t.type == "link_open"]
    images = [t.attrGet("src") for t in tokens(page) if t.type == "image"]
    assert len(links) == 10 and all(href.lstrip("#") in anchors for href in links)
    assert len(images) == 5  # one plot per run
    assert all((page.parent / src).is_file() for src in images)
    saved = next(src for src in images if (page.parent / src).stat().st_size < 200)  # the runner's own PNG, copied
    assert (page.parent / saved).read_bytes().startswith(b"\x89PNG")
    # each citation link (a note: a question, not a claim) is followed by the counts of the cited note's claims,
    # never by one glyph; ⚠ only after a note with a contradicted claim
    for note_id, anchor in zip(
        dict.fromkeys(c.note_id for c in evidence_nb.citations()), sorted(anchors, key=lambda a: int(a.split("-")[1]))
    ):
        after = text.split(f"](#{anchor}) ", 1)[1]
        statuses = [claim_status(evidence_nb, c.id).value for c in evidence_nb.list_claims(note_id=note_id)]
        shown = (
            f"(✅ {statuses.count('supported')} · ❌ {statuses.count('contradicted')} · "
            f"○ {len(statuses) - statuses.count('supported') - statuses.count('contradicted')})"
        )
        assert after.startswith(shown)
        assert after[len(shown) :].startswith(f" {CONTRADICTED_MARK}") == ("contradicted" in statuses)
    assert "Does RLVR actually expand what models can reason about?](#note-3) (✅ 1 · ❌ 0 · ○ 1)" in text
    assert not re.search(r"\?\]\(#note-\d+\) [✅❌⚖❔○⟳↩]", text)  # no glyph right after a question title
    # the legend says in words what each glyph means
    assert "- ✅ supported: the claim held up in a run that tests it" in text
    assert "Claims this inquiry cites: ✅ 1 · ❌ 1 · ○ 18" in text
    # every claim of a cited note is listed with the badge of its status
    for claim in evidence_nb.list_claims(note_id=AGENTS):
        assert f"- {BADGES[claim_status(evidence_nb, claim.id).value]} {claim.text}" in text


def test_gfm_shows_runs_with_intervals_verdict_scope_and_fidelity(evidence_nb, tmp_path):
    files = render(evidence_nb, [evidence_nb.list_inquiries()[0].id], style="gfm", exported_at=WHEN)
    text = next(v for k, v in files.items() if k.endswith(".md")).decode()
    assert "exported: '2025-01-01T00:00:00+00:00'" in text and "contradicted: 1" in text
    assert "- gain: 0.2 (95% CI 0.15 to 0.25, n=30): pass@16 - pass@1" in text
    assert "- Verdict: **contradicts** (test_contradicts): gain -0.10" in text
    reg = RLVRRunner.registration()  # the registration the verdict was decided under, from the file itself
    assert f"- Registration: rlvr v{reg.version}, sha {reg.sha} (the installed file)" in text
    assert "- Hypothesis: Post-training with verifiable rewards (GRPO) raises pass@1" in text
    assert "guess\\_margin = 0.05" in text and "- Rule (contradicts): every precondition holds" in text
    assert "- Precondition base\\_above\\_guesser: holds: measured 0.76, threshold 0.05." in text
    assert "not about the paper's models" in text
    assert "| aspect | paper | miniature |" in text and "countdown-3" in text  # the rlvr runner's fidelity card
    assert re.search(
        r"- Settings: preset default, seed 3; hidden=32, n_samples=\d+\n- Counts toward the claim's status", text
    )
    assert "- Counts toward the claim's status." in text
    assert "## Sources" in text and "## Next inquiring lines" in text and "## Backlinks" in text


def test_same_notebook_exports_the_same_bytes(evidence_nb, tmp_path):
    first = render(evidence_nb, style="obsidian", exported_at=WHEN)
    assert render(evidence_nb, style="obsidian", exported_at=WHEN) == first
    later = render(evidence_nb, style="obsidian", exported_at="2030-06-01T00:00:00+00:00")
    changed = [k for k in first if first[k] != later[k]]
    assert len(changed) == 1 and b"2030-06-01" in later[changed[0]]
    assert any(k.startswith("images/") for k in first)


HOSTILE = [
    "../../escape?",
    "a/b\\c:d*e?",
    "..",
    "Ünïcödé — naïve 日本語?",
    "x" * 300 + "?",
    "CON?",
    "Why [[brackets]] | pipes # and ^carets?",
]


def test_hostile_titles_stay_inside_and_round_trip(notebook, tmp_path):
    notes = [Note(id=f"note:h{i}", title=t, summary=f"Summary {i}.") for i, t in enumerate(HOSTILE)]
    essay = " ".join(f"Claim {i} {t}." for i, t in enumerate(HOSTILE))
    cites, cursor = [], 0
    for i, title in enumerate(HOSTILE):
        start = essay.index(title, cursor)
        cursor = start + len(title)
        cites.append(
            Citation(
                inquiry_id="inq:h", note_id=f"note:h{i}", paragraph=0, sentence=f"Claim {i}.", start=start, end=cursor
            )
        )
    notebook.apply(
        ImportBatch(
            inquiries=[Inquiry(id="inq:h", question="../Is/this safe?", essay=[essay])], notes=notes, citations=cites
        )
    )
    root = tmp_path / "out"
    for style in ("obsidian", "gfm"):
        for path in export(notebook, root / style, style=style):
            assert path.resolve().is_relative_to((root / style).resolve())
            assert len(path.name.encode()) <= 130
    assert len(list((root / "obsidian").glob("*.md"))) == len(HOSTILE) + 1
    from inquiry.importing import import_paths
    from inquiry.store import Notebook

    again = Notebook.open(tmp_path / "again")
    import_paths(again, [root / "obsidian"])
    assert sorted(n.title for n in again.list_notes()) == sorted(HOSTILE)
    assert [(c.note_id, c.start, c.end) for c in again.citations()] == [(c.note_id, c.start, c.end) for c in cites]


def test_paths_that_would_leave_the_folder_are_refused(tmp_path):
    for bad in ("../x.md", "/etc/x.md", "a/../../x.md", ""):
        with pytest.raises(ExportRefused):
            inside(tmp_path, bad)


def test_existing_files_need_force_and_nothing_is_half_written(seeded_notebook, tmp_path):
    env = {"INQUIRY_NOTEBOOK": str(seeded_notebook.path)}
    runner = CliRunner()
    args = ["export", "inq:can-reinforcement", "-o", str(tmp_path / "v")]
    first = runner.invoke(cli, ["--json", *args], env=env)
    assert first.exit_code == 0, first.output
    page = tmp_path / "v" / "Can reinforcement learning close the gap between LLM reasoning and action.md"
    page.write_text("my edits")
    other = next((tmp_path / "v").glob("Does RLVR*.md"))
    other.unlink()
    refused = runner.invoke(cli, args, env=env)
    assert refused.exit_code == 1 and "pass --force" in refused.output
    assert page.read_text() == "my edits" and not other.exists()
    forced = runner.invoke(cli, [*args, "--force"], env=env)
    assert forced.exit_code == 0 and page.read_text().startswith("---\ntype: inquiry")
    assert not list((tmp_path / "v").glob(".inquiry-*")) and not list(tmp_path.glob(".inquiry-*"))  # no temp left


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def failing_after(original, calls: int, when=lambda path: True):
    """``original`` (a Path method) that raises OSError on its ``calls``-th matching call, like a full disk."""
    seen = []

    def patched(path, *args, **kwargs):
        if when(path):
            seen.append(path)
            if len(seen) == calls:
                raise OSError(28, "No space left on device", str(path))
        return original(path, *args, **kwargs)

    return patched


def test_an_image_write_failing_part_way_leaves_no_export(evidence_nb, tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "write_bytes", failing_after(Path.write_bytes, 2, lambda p: p.suffix == ".png"))
    (out := tmp_path / "out").mkdir()
    with pytest.raises(OSError, match="No space left"):
        export(evidence_nb, out / "vault", exported_at=WHEN)
    assert list(out.iterdir()) == []  # neither the vault nor its staging folder


def test_a_forced_export_failing_part_way_leaves_the_vault_as_it_was(evidence_nb, tmp_path, monkeypatch):
    vault = tmp_path / "out" / "vault"
    written = export(evidence_nb, vault, exported_at=WHEN)
    (vault / "my own note.md").write_text("not from inquiry")
    written[0].write_text("my edits")
    (vault / "images" / next(p.name for p in written if p.parent.name == "images")).unlink()
    before = snapshot(vault)
    # the 6th rename into the vault fails: some files are already moved in, some replaced, images/ needed again
    monkeypatch.setattr(Path, "replace", failing_after(Path.replace, 6, lambda p: ".replaced-" not in str(p)))
    with pytest.raises(OSError, match="No space left"):
        export(evidence_nb, vault, exported_at="2030-06-01T00:00:00+00:00", force=True)
    assert snapshot(vault) == before and [p.name for p in vault.parent.iterdir()] == ["vault"]
    monkeypatch.undo()
    export(evidence_nb, vault, exported_at=WHEN, force=True)
    assert snapshot(vault)["my own note.md"] == b"not from inquiry" and written[0].read_text().startswith("---")
