"""Without Ray installed, ``--backend ray`` names the install command and records nothing.

The CLI runs in a real subprocess whose ``sys.modules["ray"]`` is None: Python's own way to make a
module unimportable (``import ray`` raises ModuleNotFoundError, ``importlib.util.find_spec`` finds
nothing), as on a machine without the ``[ray]`` extra. Nothing in inquiry is mocked.
"""

from __future__ import annotations

import subprocess
import sys

from fixture_runners import notebook_with_claim

from inquiry.runs import records

WITHOUT_RAY = "import sys; sys.modules['ray'] = None; from inquiry.cli import main; main()"


def inquiry_without_ray(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_RAY, *args], capture_output=True, text=True, timeout=120)


def test_the_ray_backend_without_ray_says_how_to_install_it(tmp_path):
    nb, claim_id = notebook_with_claim(tmp_path / "nb")
    done = inquiry_without_ray(
        "--notebook", str(nb.path), "run", claim_id, "--runner", "probe", "--preset", "test", "--backend", "ray"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the Ray backend needs Ray: pip install 'inquiry[ray]'" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert records.list_runs(nb) == []  # refused before anything was queued
    nb.close()
