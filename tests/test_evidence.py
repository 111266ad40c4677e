"""Claim status follows what the claim predicts, from one home (inquiry.evidence + inquiry.runs.status).

Runs are created through the run records API and end through ``launcher.end_run``, as a worker leaves
them; the linear-probe fixture runner (non-diagnostic, with a ``default`` preset) runs for real,
in-process, where a pooled verdict is needed.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner
from fixture_runners import REFERENCE

from inquiry import evidence as rule
from inquiry.cli import cli
from inquiry.export.markdown import render
from inquiry.models import Claim, ImportBatch, Note, ReproSpec, RunStatus, SpecState, Status, Verdict
from inquiry.notes.repro_specs import default_rules
from inquiry.runners.api import Result, VerdictReport
from inquiry.runs import launcher, records, sweeps
from inquiry.runs.execution import execute_run
from inquiry.runs.status import evidence
from inquiry.store import DB_NAME, MIGRATIONS, SCHEMA_VERSION, Notebook

RLVR_NOTE = "note:does-rlvr-actually-expand-what-models-can-reason-about"


# ---- the pure rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "verdict, predicts, expected",
    [
        ("supports", "supports", "supported"),
        ("contradicts", "supports", "contradicted"),
        ("supports", "contradicts", "contradicted"),
        ("contradicts", "contradicts", "supported"),
        ("inconclusive", "supports", "inconclusive"),
        ("inconclusive", "contradicts", "inconclusive"),
    ],
)
def test_a_verdict_is_seen_through_the_prediction(verdict, predicts, expected):
    assert rule.through(verdict, predicts).value == expected


def test_combining_tests_never_lets_one_decisive_run_win():
    S, C, I, R = Status.SUPPORTED, Status.CONTRADICTED, Status.INCONCLUSIVE, Status.RUNNING
    assert rule.combine_tests([S, S]) is S
    assert rule.combine_tests([S, C]) is Status.MIXED
    assert rule.combine_tests([I, S]) is I  # a rerun until something decisive appears does not decide
    assert rule.combine_tests([I, R]) is R
    assert rule.combine_parts([S, S]) is S and rule.combine_parts([S, C]) is C
    assert rule.combine_parts([S, Status.UNTESTED]) is I  # every part must hold for supported
    assert rule.claim_status([], imported=S) is Status.IMPORTED
    assert rule.claim_status([S], imported=C) is S


@pytest.mark.parametrize(
    "kwargs, why",
    [
        ({"preset": "test"}, "test preset"),
        ({"preset": "control"}, "control preset"),
        ({"preset": "default", "diagnostic": True}, "diagnostic runner"),
        ({"preset": "default", "spec_state": None}, "no accepted spec"),
        ({"preset": "default", "spec_state": SpecState.SUGGESTED}, "spec not accepted yet"),
        ({"preset": "default", "spec_state": SpecState.REJECTED}, "spec rejected"),
        ({"preset": "default", "imported_from": "/v"}, "imported from /v without its raw data; rerun it here"),
        ({"preset": "default", "spec_state": SpecState.ACCEPTED}, None),
    ],
)
def test_which_runs_count(kwargs, why):
    kwargs.setdefault("spec_state", SpecState.ACCEPTED)
    assert rule.why_not_counted(**kwargs) == why


# ---- the bundled example ---------------------------------------------------------------------


def _finished_run(nb: Notebook, claim_id: str, runner: str, preset: str, verdict: str, config=None) -> str:
    run_id = records.create(nb, claim_id, runner, preset, config or {"variant": "passk"}, seed=0, device="cpu")
    records.take_queued(nb, run_id)
    launcher.end_run(
        nb,
        run_id,
        RunStatus.SUCCEEDED,
        start_next=False,
        result=Result(verdict=VerdictReport(verdict=verdict, reason=f"fixture_{verdict}", explanation="fixture")),
    )
    return run_id


def test_on_the_example_a_test_run_leaves_the_claim_untested_and_a_default_run_decides(seeded_notebook, tmp_path):
    nb = seeded_notebook
    claim = nb.list_claims(note_id=RLVR_NOTE)[0]
    assert claim.text.startswith("Pass@k analysis shows base models outperform RLVR models at high k")
    (spec,) = nb.specs(claim.id)
    assert (spec.runner, spec.preset, spec.predicts, spec.state) == (
        "rlvr",
        "default",
        Verdict.SUPPORTS,
        SpecState.ACCEPTED,
    )
    test_run = _finished_run(nb, claim.id, "rlvr", "test", "supports")
    found = evidence(nb, claim.id)
    assert nb.get_claim(claim.id).status is Status.UNTESTED and found.status is Status.UNTESTED
    assert found.describe() == "1 run, not counted: test preset"
    result = CliRunner().invoke(cli, ["-n", str(nb.path), "runs", "--claim", claim.id])
    assert f"{test_run}" in result.output and "(not counted: test preset)" in result.output

    _finished_run(nb, claim.id, "rlvr", "default", "supports")
    assert nb.get_claim(claim.id).status is Status.SUPPORTED  # "supports" through "predicts supports"
    # the note is a question: it shows counts, never one glyph
    shown = CliRunner().invoke(cli, ["-n", str(nb.path), "show", RLVR_NOTE])
    assert "✅ 1 · ❌ 0 · ○ 1" in shown.output
    (page,) = [v.decode() for k, v in render(nb, style="gfm", exported_at="x").items() if k.endswith(".md")]
    assert "Does RLVR actually expand what models can reason about?](#note-3) (✅ 1 · ❌ 0 · ○ 1)" in page
    assert "Does RLVR actually expand what models can reason about? ✅" not in page
    assert "- Not counted: test preset." in page


def test_a_run_under_no_accepted_spec_is_shown_but_does_not_count(seeded_notebook):
    nb = seeded_notebook
    claim = next(c for c in nb.list_claims() if not nb.specs(c.id))  # a claim no rule gives a spec
    run_id = _finished_run(nb, claim.id, "steering", "default", "supports")
    assert nb.get_claim(claim.id).status is Status.UNTESTED
    assert evidence(nb, claim.id).not_counted == {run_id: "no accepted spec"}
    probe = _finished_run(nb, claim.id, "probe", "default", "supports")
    assert evidence(nb, claim.id).not_counted[probe] == "diagnostic runner"


# ---- opposite claims, one pooled run each ------------------------------------------------------


def _probe_notebook(tmp_path) -> tuple[Notebook, str, str]:
    nb = Notebook.open(tmp_path / "nb")
    claims = [
        Claim(
            id="claim:probe/1",
            note_id="note:probe",
            index=0,
            text="A linear classifier separates two Gaussian classes better than chance.",
        ),
        Claim(
            id="claim:probe/2",
            note_id="note:probe",
            index=1,
            text="A linear classifier does no better than chance on two Gaussian classes.",
        ),
    ]
    nb.apply(ImportBatch(notes=[Note(id="note:probe", title="Do linear probes beat chance?")], claims=claims))
    return nb, claims[0].id, claims[1].id


def _pooled_sweep(nb: Notebook, claim_id: str, seeds: list[int], cancel_last: bool = False) -> str:
    """A seed sweep of the linear probe on the claim, executed in this process, each run ended by end_run."""
    runner = REFERENCE
    sweep_id = sweeps.create(nb, claim_id, runner, {"seed": seeds}, "local")
    config = {"device": "cpu", "steps": 60, "n_train": 200, "n_test": 200}
    run_ids = [
        records.create(nb, claim_id, runner, "default", config, seed=seed, device="cpu", sweep_id=sweep_id)
        for seed in seeds
    ]
    for run_id in run_ids[:-1] if cancel_last else run_ids:
        records.take_queued(nb, run_id)
        run = records.get(nb, run_id)
        outcome = execute_run(run, nb.run_dir(run_id), nb.path / "cache", nb.run_dir(run_id) / "run.log")
        launcher.end_run(nb, run_id, outcome.status, result=outcome.result, start_next=False)
    if cancel_last:
        assert launcher.cancel(nb, run_ids[-1]) is RunStatus.CANCELLED
    return sweep_id


def test_opposite_claims_get_opposite_statuses_from_the_same_pooled_verdict(tmp_path, monkeypatch):
    monkeypatch.setenv("INQUIRY_ALLOW_RUNNER_REFS", "1")
    nb, holds, opposite = _probe_notebook(tmp_path)
    run = CliRunner().invoke
    for claim_id, predicts in ((holds, "supports"), (opposite, "contradicts")):
        result = run(
            cli, ["-n", str(nb.path), "--json", "specs", "add", claim_id, "--runner", REFERENCE, "--predicts", predicts]
        )
        assert result.exit_code == 0, result.output
    for claim_id in (holds, opposite):
        sweep = sweeps.get(nb, _pooled_sweep(nb, claim_id, [0, 1]))
        assert [p.result.verdict.verdict.value for p in sweep.pools] == ["supports"]  # the pooled verdict
    assert nb.get_claim(holds).status is Status.SUPPORTED
    assert nb.get_claim(opposite).status is Status.CONTRADICTED
    found = evidence(nb, opposite)
    assert [(t.seeds, t.verdict, t.status.value) for t in found.parts[0].tests] == [
        ([0, 1], "supports", "contradicted")
    ]


def test_cancelling_the_last_queued_run_of_a_sweep_still_pools_it(tmp_path, monkeypatch):
    monkeypatch.setenv("INQUIRY_ALLOW_RUNNER_REFS", "1")
    nb, holds, _ = _probe_notebook(tmp_path)
    nb.add_spec(ReproSpec(claim_id=holds, runner=REFERENCE, state=SpecState.ACCEPTED))
    sweep = sweeps.get(nb, _pooled_sweep(nb, holds, [0, 1, 2], cancel_last=True))
    assert sweep.pools is not None and [p.seeds for p in sweep.pools] == [[0, 1]]
    assert nb.get_claim(holds).status is Status.SUPPORTED


# ---- the specs command ---------------------------------------------------------------------------


def _state(nb: Notebook) -> tuple:
    return (
        nb.db.execute("SELECT * FROM repro_specs ORDER BY id").fetchall(),
        nb.db.execute("SELECT id, status FROM claims ORDER BY id").fetchall(),
    )


def test_specs_show_accept_reject_edit_and_add(seeded_notebook):
    nb = seeded_notebook
    run = lambda *args: CliRunner().invoke(cli, ["-n", str(nb.path), *args])
    claim = next(c for c in nb.list_claims() if c.text.startswith("Five independent mechanisms"))
    (spec,) = nb.specs(claim.id)
    assert (spec.runner, spec.state) == ("steering", SpecState.SUGGESTED)
    shown = run("specs", claim.id)
    assert shown.exit_code == 0 and f"#{spec.id} suggested" in shown.output and "inquiry specs accept" in shown.output
    _finished_run(nb, claim.id, "steering", "default", "supports")
    assert nb.get_claim(claim.id).status is Status.UNTESTED  # a suggested spec decides nothing
    assert run("specs", "accept", str(spec.id)).exit_code == 0
    assert nb.get_claim(claim.id).status is Status.SUPPORTED and nb.get_spec(spec.id).provenance == "user"
    data = json.loads(run("--json", "specs", "edit", str(spec.id), "--predicts", "contradicts").output)
    assert data["status"] == "contradicted" and data["specs"][0]["predicts"] == "contradicts"
    assert run("specs", "reject", str(spec.id)).exit_code == 0
    assert nb.get_claim(claim.id).status is Status.UNTESTED
    added = run("--json", "specs", "add", claim.id, "--runner", "rlvr", "--predicts", "supports")
    assert added.exit_code == 0 and json.loads(added.output)["specs"][-1]["runner"] == "rlvr"


@pytest.mark.parametrize(
    "args, message",
    [
        (["specs", "claim:nope/1"], "error: nothing in the notebook matches 'claim:nope/1'"),
        (
            ["specs", "add", "claim:nope/1", "--runner", "rlvr", "--predicts", "supports"],
            "error: nothing in the notebook matches",
        ),
        (["specs", "add", "CLAIM", "--runner", "nosuch", "--predicts", "supports"], "error: no runner named 'nosuch'"),
        (
            ["specs", "add", "CLAIM", "--runner", "rlvr", "--predicts", "maybe"],
            "error: --predicts must be supports or contradicts, not 'maybe'",
        ),
        (
            ["specs", "edit", "SPEC", "--predicts", "yes"],
            "error: --predicts must be supports or contradicts, not 'yes'",
        ),
        (["specs", "edit", "SPEC", "--predicts", "supports", "--runner", "nosuch"], "error: no runner named 'nosuch'"),
        (["specs", "accept", "999999"], "error: no spec with id 999999"),
    ],
)
def test_bad_specs_input_is_one_line_exit_1_and_changes_nothing(seeded_notebook, args, message):
    nb = seeded_notebook
    claim = next(c for c in nb.list_claims() if c.text.startswith("Five independent mechanisms"))
    spec_id = str(nb.specs(claim.id)[0].id)
    args = [claim.id if a == "CLAIM" else spec_id if a == "SPEC" else a for a in args]
    before = _state(nb)
    result = CliRunner().invoke(cli, ["-n", str(nb.path), *args])
    assert result.exit_code == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert _state(nb) == before


# ---- migration -------------------------------------------------------------------------------------


def test_a_version_2_notebook_upgrades_in_place_and_the_cli_says_how_many_statuses_changed(tmp_path):
    folder = tmp_path / "nb"
    folder.mkdir()
    conn = sqlite3.connect(folder / DB_NAME)
    conn.executescript(
        MIGRATIONS[0]
        + MIGRATIONS[1]
        + """
        INSERT INTO notes (id, title, created, updated) VALUES ('note:n', 'Does RLVR expand?', 'x', 'x');
        INSERT INTO claims (id, note_id, text, kind, status) VALUES
            ('claim:n/1', 'note:n', 'RLVR-trained models beat their base models at pass@k for every k.',
             'qualitative', 'supported'),
            ('claim:n/2', 'note:n', 'Base models outperform RLVR-trained models at high k.', 'qualitative',
             'supported');
        INSERT INTO repro_specs (claim_id, runner, preset, predicts) VALUES
            ('claim:n/1', 'rlvr', 'default', 'supports'), ('claim:n/2', 'rlvr', 'default', 'supports');
        INSERT INTO runs (id, claim_id, runner, preset, status, created, verdict) VALUES
            ('run:1', 'claim:n/1', 'rlvr', 'default', 'succeeded', '2025-01-01', 'supports'),
            ('run:2', 'claim:n/2', 'rlvr', 'test', 'succeeded', '2025-01-01', 'supports');
    """
    )  # an older inquiry's notebook: the verdict word copied onto both claims
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(cli, ["-n", str(folder), "--json", "list", "claims"])
    assert result.exit_code == 0, result.stderr
    assert "statuses recomputed under the current evidence rule, 2 claims changed" in result.stderr
    nb = Notebook.open(folder)
    assert nb.schema_version == SCHEMA_VERSION == 7
    specs = {s.claim_id: s for s in nb.specs()}
    assert specs["claim:n/1"].predicts is Verdict.CONTRADICTS and specs["claim:n/1"].state is SpecState.ACCEPTED
    # run:1 has no result stored (old rows), so it decides nothing; run:2 is a test preset
    assert {c.id: c.status.value for c in nb.list_claims()} == {"claim:n/1": "untested", "claim:n/2": "untested"}
    again = CliRunner().invoke(cli, ["-n", str(folder), "list", "claims"])
    assert "upgraded" not in again.stderr  # only the first open recomputes


def test_the_packaged_rules_give_the_seed_the_specs_the_audit_asks_for(seeded_notebook):
    got = {}
    for claim in seeded_notebook.list_claims():
        for spec in seeded_notebook.specs(claim.id):
            got[claim.text[:40]] = (spec.runner, spec.preset, spec.state.value)
    assert got["Post-training selects rather than create"] == ("rlvr", "default", "accepted")  # not steering
    assert got["Five independent mechanisms—RL steering,"] == ("steering", "default", "suggested")
    assert got["Across seven RL algorithms and ten LLM f"] == ("rlvr", "sparsity", "suggested")
    assert "This outperforms SFT because it prioriti" not in got  # one baseline only
    # no `\belicit` steering: the cognitive-tools claims go to the cogtools runner
    assert all(got[text][0] == "cogtools" for text in got if text.startswith(("Modularity", "Four cognitive")))
    conjunction = [
        s
        for c in seeded_notebook.list_claims()
        if c.text.startswith("A single training example")
        for s in seeded_notebook.specs(c.id)
    ]
    assert [(s.preset, s.part) for s in conjunction] == [("one_example", 0), ("spurious", 1)]
    assert default_rules().rules  # every file in spec_rules/ loaded


def test_one_module_writes_claim_statuses():
    """Only inquiry/runs/status.py calls the store's status writer; nothing else updates the column."""
    from pathlib import Path

    import inquiry

    root = Path(inquiry.__file__).parent
    writers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "set_claim_status(" in p.read_text(encoding="utf-8") and p.parent.name != "store"
    )
    assert writers == ["runs/status.py"]
    direct = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "UPDATE claims SET status" in p.read_text(encoding="utf-8")
    ]
    assert direct == ["store/nodes.py"]
