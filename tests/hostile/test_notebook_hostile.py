"""Hostile use of the notebook itself: racing first use, a first use killed half-way, pasted pages as
search queries, non-finite numbers. Each case is bounded in time and ends with a usable notebook."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from inquiry.runners.api import Estimate
from inquiry.store import DB_NAME, MAX_QUERY_TERMS, Notebook, query_terms

CLI = [sys.executable, "-m", "inquiry"]


def _stats(folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, "--notebook", str(folder), "--json", "stats"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_four_processes_creating_one_notebook_all_succeed_with_one_example(tmp_path):
    folder = tmp_path / "nb"
    procs = [_stats(folder) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    nb = Notebook.open(folder, create=False)
    assert nb.db.execute("SELECT count(*) FROM inquiries").fetchone()[0] == 1
    assert nb.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(folder.glob(f".{DB_NAME}.creating-*"))


def test_first_use_killed_mid_way_leaves_no_half_made_notebook(tmp_path):
    folder = tmp_path / "nb"
    # A creator that dies inside its initialisation (the example import), as under kill -9.
    script = (
        "import os, sys; from inquiry.store import Notebook\n"
        "Notebook.open(sys.argv[1], initialise=lambda nb: os._exit(9))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(folder)], timeout=60)
    assert proc.returncode == 9
    assert not (folder / DB_NAME).exists()  # nothing half-made under the real name
    out = subprocess.run(
        [*CLI, "--notebook", str(folder), "--json", "stats"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert '"inquiries": 1' in out.stdout  # the next use completes it, example included
    assert not list(folder.glob(f".{DB_NAME}.creating-*"))


def test_a_pasted_page_as_a_search_query_is_shortened_and_fast(seeded_notebook):
    page = " ".join(f"word{i % 500} pass@k" for i in range(2000))  # ~20 KB of repeated terms
    terms, shortened = query_terms(page)
    assert shortened and len(terms) == MAX_QUERY_TERMS
    started = time.monotonic()
    seeded_notebook.search(page)
    assert time.monotonic() - started < 5


def test_search_cli_says_when_the_query_was_shortened(tmp_path):
    out = subprocess.run(
        [*CLI, "--notebook", str(tmp_path / "nb"), "search", "rlvr " * 40], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0
    assert "query shortened to 1 distinct words" in out.stderr


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_estimates_are_refused(bad):
    with pytest.raises(ValidationError, match="not a finite number"):
        Estimate(value=bad)
    with pytest.raises(ValidationError):
        Estimate(value=0.5, low=bad, high=1.0)


def test_creating_a_notebook_where_none_can_be_made_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = subprocess.run(
        [*CLI, "--notebook", str(blocker / "nb"), "stats"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert out.returncode == 1
    assert out.stderr.startswith("error: cannot create a notebook") and out.stderr.count("\n") == 1


def test_escape_codes_in_stored_titles_never_reach_the_terminal(tmp_path):
    from inquiry.importing import import_paths

    folder = tmp_path / "nb"
    vault = tmp_path / "vault"
    vault.mkdir()
    # window title (OSC 0), clear screen (CSI 2J), clipboard write (OSC 52), and a C1 CSI
    title = "Does evil\x1b]0;pwned\x07 \x1b[2J\x1b]52;c;ZXZpbA==\x07 \x9b31m work?"
    (vault / "evil.md").write_text(
        f'---\ntitle: "{title.encode("unicode_escape").decode()}"\n---\n# Does evil work?\n\nIt does not.\n',
        encoding="utf-8",
    )
    nb = Notebook.open(folder, initialise=None)
    import_paths(nb, [vault])
    nb.close()
    for args in (["list", "notes"], ["search", "evil"], ["--json", "list", "notes"]):
        out = subprocess.run([*CLI, "--notebook", str(folder), *args], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert not any(ch in out.stdout for ch in "\x1b\x07\x9b"), (args, out.stdout)


@pytest.mark.parametrize(
    "args, field",
    [
        (["--seed", "99999999999999999999999"], "seed"),
        (["--seed", "-1"], "seed"),
        (["--sweep", "seed=0..10000000000"], "at most 256"),
        (
            [
                "--sweep",
                "seed=0..3",
                "--sweep",
                "lr=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,"
                "26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,"
                "62,63,64,65",
            ],
            "at most 256",
        ),
    ],
)
def test_bad_seeds_and_huge_sweeps_are_one_line_errors(tmp_path, args, field):
    started = time.monotonic()
    out = subprocess.run(
        [*CLI, "--notebook", str(tmp_path / "nb"), "--empty", "run", "--runner", "probe", "--preset", "test", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 30
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1 and field in out.stderr, out.stderr


@pytest.mark.parametrize("run_id", ["run:../../../ESCAPED_RUN", "run:..", "run:a/b", "run:.hidden", "run:"])
def test_a_run_id_is_never_a_path(notebook, run_id):
    from inquiry.errors import InquiryError

    with pytest.raises(InquiryError, match="not a run id"):
        notebook.run_dir(run_id)
    assert not (notebook.path.parent / "ESCAPED_RUN").exists()
    assert not any(p.name == "ESCAPED_RUN" for p in notebook.path.parent.parent.iterdir())


def test_search_takes_words_that_look_like_options(tmp_path):
    from click.testing import CliRunner

    from inquiry.cli import cli

    result = CliRunner().invoke(cli, ["--notebook", str(tmp_path / "nb"), "search", "-foo", "pass@k", "--limit", "3"])
    assert result.exit_code == 0, result.output


def test_a_killed_builder_leaves_no_staging_folder_for_long(tmp_path):
    from inquiry.runners.substrate.cache import cached_checkpoint

    script = (
        "import os, sys; from pathlib import Path\n"
        "from inquiry.runners.substrate.cache import cached_checkpoint\n"
        "cached_checkpoint(Path(sys.argv[1]), {'k': 1}, lambda folder: os._exit(9))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], timeout=60)
    assert proc.returncode == 9
    assert len(list(tmp_path.glob(".*"))) == 1  # the dead builder's staging folder
    built = cached_checkpoint(tmp_path, {"k": 1}, lambda folder: (folder / "w").write_text("1"))
    assert (built / "w").read_text() == "1"
    assert list(tmp_path.glob(".*")) == []  # cleaned up by the next builder
