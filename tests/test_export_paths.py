"""``inquiry export -o``: a FILE.md is that file (images beside it), a DIR/ is a folder; confinement stays."""

from __future__ import annotations

import json

from click.testing import CliRunner
from fixture_markdown import with_evidence

from inquiry.cli import cli

QUESTION = "Can reinforcement learning close the gap between LLM reasoning and action?"


def export(nb, *args):
    return CliRunner().invoke(cli, ["--notebook", str(nb.path), "--json", "export", QUESTION, *args])


def test_o_file_md_writes_that_file_with_its_images_beside_it(seeded_notebook, tmp_path):
    nb = with_evidence(seeded_notebook)
    target = tmp_path / "out" / "report.md"
    result = export(nb, "--style", "gfm", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.is_file() and f"\n# {QUESTION}\n" in target.read_text()
    images = sorted(p.name for p in (target.parent / "images").iterdir())
    assert images and all(f"images/{name}" in target.read_text() for name in images)
    assert sorted(p.name for p in target.parent.iterdir()) == ["images", "report.md"]
    again = export(nb, "--style", "gfm", "-o", str(target))
    assert again.exit_code == 1 and "already exist" in again.output and "--force" in again.output


def test_o_dir_writes_into_the_folder(seeded_notebook, tmp_path):
    folder = tmp_path / "shared.md"  # a folder may have any name: the trailing slash says so
    result = export(seeded_notebook, "--style", "gfm", "-o", f"{folder}/")
    assert result.exit_code == 0, result.output
    assert folder.is_dir() and [p.suffix for p in folder.iterdir()] == [".md"]
    vault = export(seeded_notebook, "-o", str(tmp_path / "vault"))
    assert vault.exit_code == 0 and len(json.loads(vault.output)["files"]) == 11


def test_a_vault_cannot_be_one_file(seeded_notebook, tmp_path):
    result = export(seeded_notebook, "-o", str(tmp_path / "vault.md"))
    assert result.exit_code == 2 and "needs --style gfm and one inquiry" in result.output
    assert not (tmp_path / "vault.md").exists()
