"""The run commands, driven as a user types them: run --wait, runs, runs show/cancel/rerun, runners."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from fixture_runners import REFERENCE, run_notebook  # noqa: F401  (fixture)

from inquiry.cli import cli
from inquiry.models import SpecState


def invoke(nb, *args):
    return CliRunner().invoke(cli, ["--notebook", str(nb.path), "--empty", *args])


def test_run_wait_shows_progress_then_verdict_and_runs_lists_and_shows_it(run_notebook):
    nb, claim_id = run_notebook
    prefix = claim_id[:-4]  # a unique prefix is enough
    done = invoke(
        nb, "run", prefix, "--runner", REFERENCE, "--preset", "test", "--set", "separation=3", "--seed", "2", "--wait"
    )
    assert done.exit_code == 0, done.output
    assert "succeeded [" + "#" * 30 + "] 60/60 finished loss=" in done.output  # the bar at the end
    assert "succeeded\nverdict: supports (ci_above_chance; scope: miniature)" in done.stdout
    assert "accuracy: " in done.stdout and "not about the paper's models" in done.stdout

    listed = json.loads(invoke(nb, "--json", "runs", "--claim", prefix).stdout)
    assert [(r["status"], r["verdict"], r["seed"]) for r in listed] == [("succeeded", "supports", 2)]
    run_id = listed[0]["id"]
    shown = invoke(nb, "runs", "show", run_id.removeprefix("run:"))
    assert shown.exit_code == 0, shown.output
    assert f"claim: {claim_id}" in shown.stdout and "peak memory" in shown.stdout
    assert f"log: {nb.run_dir(run_id) / 'run.log'}" in shown.stdout

    cancelled = invoke(nb, "runs", "cancel", run_id)
    assert cancelled.exit_code == 1 and "already ended (succeeded)" in cancelled.output

    again = json.loads(invoke(nb, "--json", "runs", "rerun", run_id, "--wait").stdout)
    assert again["id"] != run_id and again["status"] == "succeeded"
    assert again["result"]["metrics"] == listed_result(nb, run_id)


def listed_result(nb, run_id):
    from inquiry.runs import records

    return records.get(nb, run_id).result.model_dump(mode="json")["metrics"]


def test_run_rejects_a_bad_field_by_name_and_queues_without_wait(run_notebook):
    nb, claim_id = run_notebook
    bad = invoke(nb, "run", claim_id, "--runner", REFERENCE, "--preset", "test", "--set", "stepz=3")
    assert bad.exit_code == 1 and "config field 'stepz': unknown field" in bad.output
    no_pair = invoke(nb, "run", claim_id, "--runner", REFERENCE, "--set", "steps")
    assert no_pair.exit_code == 1 and "expected key=value" in no_pair.output
    (spec,) = nb.specs(claim_id)
    nb.update_spec(spec.model_copy(update={"state": SpecState.REJECTED}))  # a rejected spec launches nothing
    no_spec = invoke(nb, "run", claim_id)
    assert no_spec.exit_code == 1 and "has no reproduction spec; choose one with --runner" in no_spec.output
    assert json.loads(invoke(nb, "--json", "runs").stdout) == []

    queued = json.loads(invoke(nb, "--json", "run", claim_id, "--runner", REFERENCE, "--preset", "test").stdout)
    assert queued["status"] in ("queued", "running")
    watched = invoke(nb, "--json", "runs", "--watch")  # refreshes until nothing is queued or running
    assert json.loads(watched.stdout.splitlines()[-1])[0]["status"] == "succeeded"


def test_a_runner_module_reference_needs_the_opt_in_also_on_rerun(run_notebook, monkeypatch):
    nb, claim_id = run_notebook
    monkeypatch.delenv("INQUIRY_ALLOW_RUNNER_REFS")
    refused = invoke(nb, "run", claim_id, "--runner", REFERENCE, "--preset", "test")
    assert refused.exit_code == 1 and "is a module reference" in refused.output
    assert "--allow-runner-ref" in refused.output and json.loads(invoke(nb, "--json", "runs").stdout) == []

    done = json.loads(
        invoke(
            nb, "--json", "run", claim_id, "--runner", REFERENCE, "--preset", "test", "--allow-runner-ref", "--wait"
        ).stdout
    )  # its worker inherits the opt-in
    assert done["status"] == "succeeded" and done["runner"] == REFERENCE
    monkeypatch.delenv("INQUIRY_ALLOW_RUNNER_REFS")  # the flag set it for its own process only
    rerun = invoke(nb, "runs", "rerun", done["id"])  # the runner name now comes from a notebook row
    assert rerun.exit_code == 1 and "is a module reference" in rerun.output
    assert len(json.loads(invoke(nb, "--json", "runs").stdout)) == 1


def test_runners_lists_five_suited_claims_then_says_how_many_more(notebook):
    from inquiry.ids import claim_id, note_id
    from inquiry.models import Claim, ImportBatch, Note

    note = note_id("Sampling budgets")
    claims = [
        Claim(
            id=claim_id(note, f"pass@k rises with k on task {i}"), note_id=note, text=f"pass@k rises with k on task {i}"
        )
        for i in range(7)
    ]
    notebook.apply(ImportBatch(notes=[Note(id=note, title="Sampling budgets")], claims=claims))
    shown = invoke(notebook, "runners")
    assert shown.exit_code == 0, shown.output
    probe = re.search(r"^probe \(v.*?(?=^\S|\Z)", shown.stdout, re.M | re.S).group()
    assert "suits 7 claim(s)" in probe and probe.count("\n    claim:") == 5 and probe.endswith("\n    … and 2 more\n")


def test_a_note_title_stands_for_its_one_claim_with_an_accepted_reproduction_spec(seeded_notebook):
    """The RLAG note has one claim with a spec, so the title is enough; the RLVR note has two (pass@k and the
    distillation sentence), so its title is ambiguous."""
    nb = seeded_notebook
    bad = invoke(
        nb,
        "run",
        "Can reinforcement learning embed domain knowledge more effectively than supervised fine-tuning?",
        "--set",
        "nope=1",
    )
    assert bad.exit_code == 1
    assert "config field 'nope'" in bad.output, bad.output  # resolved the claim and its spec's runner, then validated
    ambiguous = invoke(nb, "run", "Does RLVR actually expand what models can reason about?")
    assert ambiguous.exit_code == 1 and "is a note, not a claim (its claims: claim:" in ambiguous.output
    both = invoke(nb, "specs", "Does RLVR actually expand what models can reason about?", "--json")  # each claim's
    assert both.exit_code == 0, both.output
    assert [c["text"][:12] for c in json.loads(both.stdout)["claims"]] == ["Pass@k analy", "Distillation"]
    # The knowing-doing note has two claims with a tig spec, one accepted (the rules were sure of its direction)
    # and one suggested: the title stands for the accepted one.
    title = "Can language modeling close the knowing-doing gap in AI?"
    shown = invoke(nb, "specs", title)
    assert shown.exit_code == 0, shown.output
    assert "Think-In Games demonstrates" in shown.output and "accepted  tig" in shown.output
