"""Hostile output paths and settings (issue 21, items 9 and 13): one-line errors, nothing written elsewhere."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from inquiry.cli.runs import progress_line
from inquiry.models import RunStatus
from inquiry.runners.rlvr.config import Config as RlvrConfig
from inquiry.runs.records import RunRecord

CLI = [sys.executable, "-m", "inquiry"]


def _export(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, "--notebook", str(tmp_path / "nb"), "export", "--all", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def _one_line_error(out: subprocess.CompletedProcess) -> str:
    assert out.returncode in (1, 2), (out.stdout, out.stderr)  # 2: click's usage errors
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip() and not line.startswith(("Usage:", "Try "))]
    assert len(lines) == 1, out.stderr
    return lines[0]


def test_export_to_a_dangling_symlink_is_one_line(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "deeper")
    line = _one_line_error(_export(tmp_path, "-o", str(tmp_path / "dangling")))
    assert "link to nothing" in line
    assert not (tmp_path / "nowhere").exists()


def test_export_into_proc_is_one_line(tmp_path):
    line = _one_line_error(_export(tmp_path, "-o", "/proc/xyz"))
    assert "cannot write" in line


def test_export_to_an_empty_name_is_refused_not_the_current_folder(tmp_path):
    before = sorted(p.name for p in tmp_path.iterdir())
    line = _one_line_error(_export(tmp_path, "-o", ""))
    assert "-o needs a folder" in line
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "nb") == [n for n in before if n != "nb"]


@pytest.mark.parametrize("field", ["temperature", "sensitivity_temperature", "rollout_temperature"])
@pytest.mark.parametrize("value", [0.0, -0.0, -1.0])
def test_a_sampling_temperature_of_zero_or_less_is_refused_naming_the_field(field, value):
    with pytest.raises(ValidationError, match=field):
        RlvrConfig(**{field: value})


def test_a_succeeded_run_shows_all_its_steps_done():
    run = RunRecord(
        id="run:x",
        claim_id=None,
        runner="probe",
        preset="test",
        config={},
        seed=0,
        status=RunStatus.SUCCEEDED,
        created="2025-01-01T00:00:00+00:00",
        step=0,
        total=1,
    )
    assert "1/1" in progress_line(run) and "0/1" not in progress_line(run)
    running = run.model_copy(update={"status": RunStatus.RUNNING})
    assert "0/1" in progress_line(running)
