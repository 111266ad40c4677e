"""Bad input: one clear error naming the file (and line), and the notebook left unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from inquiry.errors import ImportFailed
from inquiry.importing import import_paths
from inquiry.notes.batch import MAX_BYTES, collect_files


def refuse(nb, paths, match: str) -> ImportFailed:
    before = nb.stats()
    with pytest.raises(ImportFailed, match=match) as failure:
        import_paths(nb, paths)
    assert nb.stats() == before and nb.integrity_ok()
    return failure.value


def test_empty_and_blank_files(notebook, tmp_path):
    for name, content in (("empty.txt", ""), ("blank.txt", " \n\n\t\n")):
        path = tmp_path / name
        path.write_text(content)
        assert refuse(notebook, [path], "file is empty").path == str(path)


def test_binary_file_names_the_offset(notebook, tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"INQUIRING LINE\n\nabc\x00\x01\x02")
    failure = refuse(notebook, [path], r"binary file \(NUL byte at offset 19\)")
    assert failure.line == 3


def test_non_utf8_names_byte_and_line(notebook, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("INQUIRING LINE\n\nDoes caf\u00e9 RL work?\n".encode("latin-1"))
    failure = refuse(notebook, [path], r"not UTF-8 text: byte 0xe9 at offset 24")
    assert failure.line == 3
    assert str(failure) == f"{path}:3: not UTF-8 text: byte 0xe9 at offset 24"


def test_html_page(notebook, tmp_path):
    path = tmp_path / "export.txt"
    path.write_text("<!DOCTYPE html>\n<html><head><title>Inquiry</title></head><body>INQUIRING LINE</body></html>")
    refuse(notebook, [path], "HTML page")


def test_text_without_header_names_the_line(notebook, tmp_path):
    path = tmp_path / "notes.txt"  # named directly: its error says what is wrong (a .md file would be a note)
    path.write_text("\n\n# My reading notes\n\nSome text.\n")
    failure = refuse(
        notebook, [path], "expected the 'INQUIRING LINE' header as the first line, found '# My reading notes'"
    )
    assert failure.line == 3


def test_plain_markdown_file_is_a_note(notebook, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("\n\n# My reading notes\n\nRL narrows sampling toward known solutions.\n")
    import_paths(notebook, [path])
    (note,) = notebook.list_notes()
    assert note.title == "My reading notes" and [c.text for c in notebook.list_claims(note_id=note.id)] == [
        "RL narrows sampling toward known solutions."
    ]


def test_header_without_question(notebook, tmp_path):
    path = tmp_path / "cut.txt"
    path.write_text("INQUIRING LINE\n\n")
    refuse(notebook, [path], "no question after the INQUIRING LINE header")


def test_file_over_20_mb_is_refused_before_reading(notebook, tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: costs no disk
        handle.truncate(MAX_BYTES + 1)
    refuse(notebook, [path], r"file is 20.0 MB; documents over 20 MB are refused")


def test_missing_path(notebook, tmp_path):
    refuse(notebook, [tmp_path / "nope.txt"], "no such file or folder")


def test_folder_of_mixed_files_skips_non_documents_and_fails_on_a_bad_one(notebook, tmp_path, seed_text):
    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "seed.inquiry.txt").write_text(seed_text)
    (folder / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    (folder / ".hidden.txt").write_text("ignored")
    files, skipped = collect_files([folder])
    assert files == [folder / "sub" / "seed.inquiry.txt"]
    assert [(s.path, s.message) for s in skipped] == [
        (str(folder / "figure.png"), "skipped: not a .txt, .md or .bib file")
    ]

    result = import_paths(notebook, [folder])
    assert notebook.stats()["inquiries"] == 1
    assert any(w.path.endswith("figure.png") for w in result.warnings)

    # Files that are neither notes nor inquiring lines are skipped, each with a warning naming it.
    (folder / "README.md").write_text("This folder holds my exports.\n")
    (folder / "todo.txt").write_text("reread the GRPO appendix\n")
    result = import_paths(notebook, [folder])
    # (figure.png now reads as a notes folder's attachment: no warning)
    assert {Path(w.path).name for w in result.warnings if w.message.startswith("skipped")} == {"README.md", "todo.txt"}
    assert notebook.stats()["notes"] == 10
    # All or nothing: a good edited seed next to a bad file writes nothing.
    (folder / "sub" / "seed.inquiry.txt").write_text(seed_text.replace("Distillation", "Distilling"))
    (folder / "broken.txt").write_bytes(b"INQUIRING LINE\n\nabc\x00")
    failure = refuse(notebook, [folder], "binary file")
    assert failure.path == str(folder / "broken.txt")
    assert "Distillation" in notebook.get_note("note:does-rlvr-actually-expand-what-models-can-reason-about").summary
