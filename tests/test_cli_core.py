"""The core CLI, driven the way a user types it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from inquiry.cli import cli

RLVR = "note:does-rlvr-actually-expand-what-models-can-reason-about"


@pytest.fixture
def run(tmp_path):
    folder = tmp_path / "nb"

    def invoke(*args: str, ok: bool = True):
        result = CliRunner().invoke(cli, ["--notebook", str(folder), *args])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


def test_new_notebook_shows_the_bundled_example(run):
    data = json.loads(run("stats", "--json").output)
    assert (data["inquiries"], data["notes"], data["claims"], data["citations"]) == (1, 10, 20, 10)


def test_search_pass_at_k_returns_the_rlvr_note_first(run):
    hits = json.loads(run("search", "pass@k", "--json").output)
    assert hits[0]["id"] == RLVR and hits[0]["kind"] == "note"
    assert len(hits[0]["claims"]) == 1 and hits[0]["claims"][0].startswith("claim:does-rlvr")
    claims = json.loads(run("--json", "search", "pass@k", "--kind", "claim").output)
    assert claims[0]["id"].startswith("claim:does-rlvr") and "Pass@k analysis" in claims[0]["title"]
    assert run("search", "zzzunmatched").output.strip() == "no matches"


def test_import_reports_changes_and_warnings(run, tmp_path, seed_path):
    edited = tmp_path / "edited.inquiry.txt"
    edited.write_text(seed_path.read_text().replace("Distillation, by contrast", "Distillation, in contrast"))
    out = run("import", str(edited)).output
    assert "imported 1 file(s)" in out and "inquiries: 1 updated" in out
    assert "warning:" in out and "'Next inquiring lines' section is empty" in out
    data = json.loads(run("import", str(edited), "--json").output)
    assert set(data["changes"]["notes"]) == {"unchanged"}
    assert len(data["changes"]["notes"]["unchanged"]) == 10 and data["warnings"][0]["line"] == 61


def test_import_of_a_bad_file_exits_non_zero_naming_it(run, tmp_path):
    bad = tmp_path / "page.txt"
    bad.write_text("<html><body>hi</body></html>")
    result = run("import", str(bad), ok=False)
    assert result.exit_code == 1
    assert f"error: {bad}:1: this is an HTML page" in result.output
    assert json.loads(run("stats", "--json").output)["inquiries"] == 1  # the example only, unchanged


def test_list_with_filters(run):
    notes = json.loads(run("list", "notes", "--json").output)
    assert len(notes) == 10 and all(not n["is_placeholder"] for n in notes)
    assert json.loads(run("list", "notes", "--placeholders", "--json").output) == []
    claims = json.loads(run("list", "claims", "--status", "untested", "--json").output)
    assert len(claims) == 20
    assert json.loads(run("list", "claims", "--status", "supported", "--json").output) == []
    of_note = json.loads(
        run("list", "claims", "--note", "Does RLVR actually expand what models can reason about?", "--json").output
    )
    assert [c["note_id"] for c in of_note] == [RLVR, RLVR]
    text = run("list", "inquiries").output
    assert text.startswith("inq:can-reinforcement-learning-close-the-gap")
    assert run("list", "inquiries", "--status", "supported", ok=False).exit_code == 2


def test_show_by_prefix_title_and_id(run):
    note = run("show", "note:does-rlvr").output
    assert note.startswith(RLVR) and "Claims:" in note and "Pass@k analysis" in note and "Cited by:" in note
    data = json.loads(run("show", "Does RLVR actually expand what models can reason about?", "--json").output)
    assert data["kind"] == "note" and len(data["claims"]) == 2 and data["cited_by"][0]["paragraph"] == 1
    claim_id = data["claims"][0]["id"]
    claim = run("show", claim_id).output
    assert "rlvr --preset default: predicts supports" in claim
    assert {(r["kind"], r["state"]) for r in data["relations"]} >= {("contrasts-with", "suggested")}
    inquiry = run("show", "inq:").output
    assert "[1] But here's the twist" in inquiry and "cites note:can-reinforcement-learning-embed" in inquiry
    assert "(via RLAG)" in inquiry
    missing = run("show", "note:nothing-like-this", ok=False)
    assert missing.exit_code == 1 and "nothing in the notebook matches" in missing.output


def test_init_creates_a_notebook_with_or_without_the_example(tmp_path):
    runner = CliRunner()
    full, empty = tmp_path / "full", tmp_path / "empty"
    out = runner.invoke(cli, ["init", str(full)]).output
    assert out.startswith(f"created notebook: {full}") and "1 inquiries, 10 notes" in out
    assert "already a notebook" in runner.invoke(cli, ["init", str(full)]).output
    data = json.loads(runner.invoke(cli, ["--empty", "init", str(empty), "--json"]).output)
    assert data["created"] and data["notes"] == 0 and (Path(empty) / "notebook.db").exists()
