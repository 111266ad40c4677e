"""Hostile vaults (issue 21): a shared folder of notes must never hang, poison the notebook or reach outside it.

Each case ends in a one-line error (exit 1, no traceback) with the notebook unchanged, or is handled
correctly; each is bounded in time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inquiry.errors import ImportFailed
from inquiry.ids import claim_id
from inquiry.importing import import_paths
from inquiry.models import Status
from inquiry.store import Notebook

CLI = [sys.executable, "-m", "inquiry"]
NOTE = "note:rl-helps"
CLAIM_TEXT = "RL narrows sampling to what the base model already solves."
CLAIM = claim_id(NOTE, CLAIM_TEXT)


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def _one_line_error(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    return lines[0]


def _note(
    folder: Path, name: str, front: str, body: str = f"# RL helps\n\nRL helps.\n\n## Claims\n- {CLAIM_TEXT}\n"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return path


def _snapshot(nb: Notebook) -> list:
    tables = ("notes", "claims", "edges", "runs", "papers", "citations", "inquiries")
    return [nb.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]


def _refused(nb: Notebook, vault: Path, match: str) -> None:
    before = _snapshot(nb)
    started = time.monotonic()
    with pytest.raises(ImportFailed, match=match):
        import_paths(nb, [vault])
    assert time.monotonic() - started < 5
    assert _snapshot(nb) == before


# ---- 1. YAML -----------------------------------------------------------------------------------

BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    + "aliases: *i\n"
)


def test_a_yaml_alias_bomb_is_refused_at_once(notebook, tmp_path):
    _note(tmp_path / "v", "bomb.md", BOMB)
    assert len(BOMB) < 500
    _refused(notebook, tmp_path / "v", "anchors and aliases")


def test_an_alias_bomb_under_attrs_is_refused_too(notebook, tmp_path):
    front = (
        f"id: {NOTE}\ntitle: RL helps\nrelations:\n  - to: note:x\n    kind: contrasts-with\n    attrs:\n"
        + "".join("      " + line + "\n" for line in BOMB.splitlines())
    )
    _note(tmp_path / "v", "bomb.md", front)
    _refused(notebook, tmp_path / "v", "anchors and aliases")


def test_deeply_nested_and_huge_front_matter_are_refused(notebook, tmp_path):
    _note(tmp_path / "deep", "deep.md", "title: " + "[" * 5000 + "]" * 5000)
    _refused(notebook, tmp_path / "deep", "nested deeper")
    _note(tmp_path / "huge", "huge.md", "title: x\nfiller: '" + "y" * 100_000 + "'")
    _refused(notebook, tmp_path / "huge", "longer than")


def test_the_alias_bomb_from_the_cli_is_one_line(tmp_path):
    _note(tmp_path / "v", "bomb.md", BOMB)
    line = _one_line_error(_cli("--notebook", str(tmp_path / "nb"), "import", str(tmp_path / "v"), timeout=60))
    assert "bomb.md" in line and "aliases" in line


# ---- 3. NaN ------------------------------------------------------------------------------------


def _run_front(
    metric: str = "{value: 0.5}", status: str = "succeeded", run_id: str = "run:20250101-000000-abcdef", seed: str = "3"
) -> str:
    return (
        f"generator: inquiry\nid: {NOTE}\ntitle: RL helps\nclaims:\n  - id: {CLAIM}\n    runs:\n"
        f"      - id: {run_id}\n        runner: probe\n        seed: {seed}\n        status: {status}\n"
        f"        created: '2025-01-01T00:00:00+00:00'\n        metrics: {{acc: {metric}}}\n"
    )


@pytest.mark.parametrize("bad", [".nan", ".inf", "-.inf"])
def test_a_vault_run_with_a_non_finite_metric_is_refused(notebook, tmp_path, bad):
    _note(tmp_path / "v", "rl.md", _run_front(f"{{value: {bad}}}"))
    _refused(notebook, tmp_path / "v", "not a finite number")


def test_a_null_metric_already_in_a_notebook_is_skipped_with_a_warning(tmp_path):
    folder = tmp_path / "nb"
    verdict = "        verdict: {verdict: supports, reason: ci_excludes_zero_positive, explanation: x}\n"
    _note(tmp_path / "v", "rl.md", _run_front() + verdict)
    nb = Notebook.open(folder)
    import_paths(nb, [tmp_path / "v"])
    stored = json.loads(nb.db.execute("SELECT result FROM runs").fetchone()[0])
    stored["metrics"]["acc"]["value"] = None  # what NaN became before non-finite numbers were refused
    stored["metrics"]["ok"] = {"value": 1.0}
    with nb.transaction():
        nb.db.execute("UPDATE runs SET result = ?", [json.dumps(stored)])
    nb.close()
    out = _cli("--notebook", str(folder), "runs")
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert "skipped metrics 'acc', which is not a finite number" in out.stderr
    out = _cli("--notebook", str(folder), "export", "--all", "-o", str(tmp_path / "out"))
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr


# ---- 4. symlinks -------------------------------------------------------------------------------


def test_links_out_of_a_vault_are_skipped_and_links_inside_kept(notebook, tmp_path):
    private = tmp_path / "elsewhere" / "private.md"
    private.parent.mkdir()
    private.write_text("# Private\n\nThe PIN is 4711, do not share.\n", encoding="utf-8")
    secret = tmp_path / "elsewhere" / "bashrc.md"
    secret.write_text("export TOKEN=hunter2\n\x00", encoding="utf-8")  # would fail to parse, quoting itself
    vault = tmp_path / "v"
    _note(vault, "real.md", "title: Real note", "# Real note\n\nA real note about sampling.\n")
    (vault / "innocent.md").symlink_to(private)
    (vault / "rc.md").symlink_to(secret)
    (vault / "alias.md").symlink_to(vault / "real.md")  # inside the vault: fine
    result = import_paths(notebook, [vault])
    warnings = {Path(w.path).name: w.message for w in result.warnings}
    assert "outside the imported folder" in warnings["innocent.md"]
    assert "outside the imported folder" in warnings["rc.md"]
    assert not notebook.search("4711") and not notebook.search("hunter2")
    assert all("hunter2" not in w.message and "4711" not in w.message for w in result.warnings)
    assert notebook.get_note("note:real-note") is not None


# ---- 5. a note with an existing note's id ------------------------------------------------------


def test_a_vault_note_with_a_known_id_keeps_the_notebooks_summary_and_claims(notebook, tmp_path):
    first = f"generator: inquiry\nid: {NOTE}\ntitle: RL helps"
    _note(
        tmp_path / "a",
        "rl.md",
        first,
        f"# RL helps\n\nRL helps.\n\n## Claims\n- {CLAIM_TEXT}\n- Base models win at high k.\n",
    )
    import_paths(notebook, [tmp_path / "a"])
    claims_before = {c.id for c in notebook.list_claims(note_id=NOTE)}
    assert len(claims_before) == 2
    forged = CLAIM.replace(CLAIM.split("/")[1], "0" * 8)
    hostile = (
        f"generator: inquiry\nid: {NOTE}\ntitle: RL helps\nclaims:\n  - id: {claim_id(NOTE, 'RL always wins.')}\n"
        "    status: supported\n"
    )
    _note(tmp_path / "b", "evil.md", hostile, "# RL helps\n\nAttacker's summary.\n\n## Claims\n- RL always wins.\n")
    result = import_paths(notebook, [tmp_path / "b"])
    note = notebook.get_note(NOTE)
    assert note.summary == "RL helps."
    assert note.summary_variants.get("vault:evil.md") == "Attacker's summary."
    assert any(NOTE in w.message and "kept the notebook's" in w.message for w in result.warnings)
    assert claims_before <= {c.id for c in notebook.list_claims(note_id=NOTE)}  # nothing deleted
    new = notebook.get_claim(claim_id(NOTE, "RL always wins."))
    assert new is not None and new.status is Status.IMPORTED  # a file's status is not evidence
    assert notebook.get_claim(forged) is None


# ---- 6. titles ---------------------------------------------------------------------------------


def test_titles_with_newlines_or_nul_are_one_line_and_the_export_reimports(tmp_path):
    front = 'title: "Does RL help?\\n\\n## Claims\\n- Injected claim.\\u0000\\u001b]0;pwned\\u0007"'
    _note(tmp_path / "v", "t.md", front, "Body text about RL and sampling.\n")
    folder = tmp_path / "nb"
    nb = Notebook.open(folder)
    import_paths(nb, [tmp_path / "v"])
    titles = [r[0] for r in nb.db.execute("SELECT title FROM notes")]
    title = next(t for t in titles if t.startswith("Does RL help?"))
    assert "\n" not in title and "\x00" not in title and "\x1b" not in title
    claims = [c.text for c in nb.list_claims()]
    nb.close()
    out = _cli("--notebook", str(folder), "export", "--all", "-o", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    nb2 = Notebook.open(tmp_path / "nb2")
    import_paths(nb2, [tmp_path / "out"])  # raised on the NUL before
    assert "Injected claim." not in [c.text for c in nb2.list_claims()]
    assert "Injected claim." not in claims


def test_a_file_name_with_a_newline_gives_a_one_line_title(notebook, tmp_path):
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "RL helps\n- Injected claim.md").write_text(
        "RL narrows sampling to what the base solves.\n", encoding="utf-8"
    )
    import_paths(notebook, [vault])
    titles = [r[0] for r in notebook.db.execute("SELECT title FROM notes")]
    assert "RL helps - Injected claim" in titles


# ---- 7. one validation boundary -----------------------------------------------------------------

BAD_FRONTS = {
    "empty note id": ("id: 'note:'\ntitle: X", "is not a note id"),
    "note id as a path": ("id: 'note:../../..'\ntitle: X", "is not a note id"),
    "run id without run:": (_run_front(run_id="20250101-x"), "is not a run id"),
    "run id as a path": (_run_front(run_id="run:../../../ESCAPED_RUN"), "is not a run id"),
    "huge seed": (_run_front(seed="99999999999999999999999"), "seed"),
    "negative seed": (_run_front(seed="-1"), "seed"),
    "unknown run status": (_run_front(status="exploded"), "status"),
    "relation to a missing claim": (
        f"generator: inquiry\nid: {NOTE}\ntitle: RL helps\nclaims:\n  - id: {CLAIM}\n    relations:\n"
        f"      - to: claim:nowhere/0123abcd\n        kind: supports\n",
        "neither in this import nor in the notebook",
    ),
    "a claim refining itself": (
        f"generator: inquiry\nid: {NOTE}\ntitle: RL helps\nclaims:\n  - id: {CLAIM}\n    relations:\n"
        f"      - to: {CLAIM}\n        kind: refines\n",
        "cannot refines itself",
    ),
    "a paper id that is not a paper": (
        f"generator: inquiry\nid: {NOTE}\ntitle: RL helps\nmentions:\n  - paper: {NOTE}\n    name: X\n",
        "is not a paper id",
    ),
    "a claim mention of an unknown paper": (
        f"generator: inquiry\nid: {NOTE}\ntitle: RL helps\nclaims:\n  - id: {CLAIM}\n    mentions: [paper:nowhere]\n",
        "neither in this import nor in the notebook",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FRONTS))
def test_what_a_vault_carries_passes_the_cli_checks(notebook, tmp_path, case):
    front, match = BAD_FRONTS[case]
    _note(tmp_path / "v", "bad.md", front)
    _refused(notebook, tmp_path / "v", match)


def test_an_exploded_run_status_from_the_cli_is_one_line(tmp_path):
    _note(tmp_path / "v", "bad.md", _run_front(status="exploded"))
    line = _one_line_error(_cli("--notebook", str(tmp_path / "nb"), "import", str(tmp_path / "v")))
    assert "bad.md" in line and "status" in line
    assert not (tmp_path.parent / "ESCAPED_RUN").exists()
