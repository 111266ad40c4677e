"""The installed probe runner through the whole run machinery, and failure wording for real substrate errors."""

from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner
from fixture_runners import run_notebook  # noqa: F401  (fixture)

from inquiry.cli import cli
from inquiry.runners import registry
from inquiry.runners.substrate import CheckpointError, DatasetError, load_checkpoint, load_jsonl
from inquiry.runs import records
from inquiry.runs.status import not_counted
from inquiry.runs.worker import describe_failure


def invoke(nb, *args):
    return CliRunner().invoke(cli, ["--notebook", str(nb.path), "--empty", "--json", *args])


@pytest.mark.slow
def test_the_probe_is_discovered_and_its_verdict_reaches_the_claim(run_notebook):
    nb, claim_id = run_notebook
    assert "probe" in registry.available(reload=True)
    listed = {r["name"]: r for r in json.loads(invoke(nb, "runners").stdout)}
    assert {"test", "default"} <= set(listed["probe"]["presets"])

    done = invoke(nb, "run", claim_id, "--runner", "probe", "--preset", "test", "--set", "device=cpu", "--wait")
    assert done.exit_code == 0, done.output
    run = records.get(nb, json.loads(done.stdout)["id"])
    assert run.provenance["runner"] == "probe" and run.provenance["versions"]["transformers"]
    assert run.result.raw["n"] == 16 and len(run.result.raw["correct_counts"]) == 30
    # the probe is a diagnostic of the measuring chain: shown, never counted toward the claim's status
    assert nb.get_claim(claim_id).status.value == "untested"
    assert not_counted(nb, [run]) == {run.id: "diagnostic runner"}
    assert any((nb.path / "cache").rglob("*.safetensors"))  # the pretrained base is shared through the notebook
    assert records.events(nb, run.id)[0]["message"] == "pretraining"


def test_failures_are_described_in_words_a_user_can_act_on(tmp_path):
    log = tmp_path / "run.log"
    with pytest.raises(CheckpointError) as missing:
        load_checkpoint(tmp_path / "qwen-local")
    assert describe_failure(missing.value, "rlvr", "cpu", log) == (
        f"checkpoint folder {tmp_path / 'qwen-local'} does not exist (log: {log})"
    )

    data = tmp_path / "train.jsonl"
    data.write_text('{"prompt": "1+1=", "answer": "2"}\nnot json\n{"prompt": "2+2="}\n')
    with pytest.raises(DatasetError) as bad_lines:
        load_jsonl(data, ["prompt", "answer"])
    words = describe_failure(bad_lines.value, "rlvr", "cpu", log)
    assert words.startswith("train.jsonl: ") and "2" in words and "3" in words and words.endswith(f"(log: {log})")

    oom = describe_failure(
        torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"), "rlvr", "cuda", log
    )
    assert oom.startswith("out of memory on cuda: CUDA out of memory. Tried to allocate 2.00 GiB. Try the smaller")

    crash = describe_failure(ZeroDivisionError("division by zero"), "steering", "cpu", log)
    assert crash == f"runner steering failed with ZeroDivisionError: division by zero (traceback in {log})"
