"""A small real runner for the run-execution tests: numpy logistic regression on two Gaussian classes.

It trains by full-batch gradient descent for ``steps`` steps (reporting progress and checking for
cancellation every step), then measures held-out accuracy with a bootstrap interval. The claim it
tests, "a linear classifier beats chance on separable classes", holds when ``separation`` is large
and fails to show when it is 0, so the verdict comes from the measurement. Tests run it in worker
processes by reference: ``fixture_runners:LinearProbe`` (with ``tests/`` on ``PYTHONPATH`` and
``INQUIRY_ALLOW_RUNNER_REFS=1``, which the workers inherit).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from inquiry.errors import InquiryError
from inquiry.models import Verdict
from inquiry.runners.api import (
    Estimate,
    FidelityCard,
    FidelityRow,
    Result,
    RunContext,
    Runner,
    RunnerConfig,
    VerdictReport,
    param,
)

REFERENCE = "fixture_runners:LinearProbe"


class LinearProbeConfig(RunnerConfig):
    steps: int = param(200, "gradient-descent steps", unit="steps", ge=1, le=10_000_000)
    n_train: int = param(400, "training points", unit="points", ge=10, le=100_000)
    n_test: int = param(400, "held-out points", unit="points", ge=10, le=100_000)
    dims: int = param(8, "input dimensions", unit="dims", ge=1, le=512)
    separation: float = param(1.0, "distance between the class means", ge=0.0, le=100.0)
    lr: float = param(0.1, "learning rate", gt=0.0, le=10.0)
    init_from: str = param("", "a .npy file of initial weights (empty: zeros)")
    ignore_cancel: bool = param(False, "never check for cancellation (exercises the worker's forced stop)")


class LinearProbe(Runner):
    name = "linear-probe"
    title = "Linear probe on two Gaussian classes"
    claim = "A linear classifier separates two Gaussian classes better than chance."
    source = "test fixture"
    Config = LinearProbeConfig
    presets = {"test": {"device": "cpu", "steps": 60}, "default": {"device": "cpu"}}
    suits = (r"linear classifier",)
    fidelity = FidelityCard(rows=[FidelityRow(aspect="model", paper="-", miniature="logistic regression")])

    def run(self, config: LinearProbeConfig, context: RunContext) -> Result:
        rng = np.random.default_rng(context.seed)
        means = np.zeros((2, config.dims))
        means[1, 0] = config.separation

        def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
            labels = rng.integers(0, 2, n)
            return means[labels] + rng.standard_normal((n, config.dims)), labels

        x_train, y_train = draw(config.n_train)
        x_test, y_test = draw(config.n_test)
        w = np.load(Path(config.init_from)) if config.init_from else np.zeros(config.dims)
        b = 0.0
        for step in range(1, config.steps + 1):
            if not config.ignore_cancel:
                context.check_cancelled()
            p = 1 / (1 + np.exp(-(x_train @ w + b)))
            w -= config.lr * x_train.T @ (p - y_train) / len(y_train)
            b -= config.lr * float(np.mean(p - y_train))
            loss = -np.mean(y_train * np.log(p + 1e-12) + (1 - y_train) * np.log(1 - p + 1e-12))
            context.progress(step, config.steps, "training", loss=float(loss))
        correct = ((x_test @ w + b > 0).astype(int) == y_test).astype(float)
        boot = rng.choice(correct, size=(1000, len(correct))).mean(axis=1)
        accuracy = Estimate(
            value=float(correct.mean()),
            low=float(np.quantile(boot, 0.025)),
            high=float(np.quantile(boot, 0.975)),
            n=len(correct),
        )
        above = accuracy.low > 0.5
        verdict = VerdictReport(
            verdict=Verdict.SUPPORTS if above else Verdict.INCONCLUSIVE,
            reason="ci_above_chance" if above else "ci_covers_chance",
            explanation=f"held-out accuracy {accuracy} against chance 0.5",
        )
        return Result(
            metrics={"accuracy": accuracy},
            raw={"correct": correct.astype(int).tolist()},
            verdict=verdict,
            headline=["accuracy"],
        )


CLAIM_TEXT = "A linear classifier separates two Gaussian classes better than chance."


TESTS_DIR = Path(__file__).parent


def notebook_with_claim(folder: Path):
    """A fresh notebook holding one note with one claim, which an accepted spec says this module's runner
    (``default`` preset) tests and which predicts ``supports``; returns (notebook, claim id)."""
    from inquiry.ids import claim_id, note_id
    from inquiry.models import Claim, ImportBatch, Note, ReproSpec, SpecState
    from inquiry.store import Notebook

    nb = Notebook.open(folder)
    note = note_id("Do linear probes work?")
    claim = Claim(id=claim_id(note, CLAIM_TEXT), note_id=note, text=CLAIM_TEXT)
    spec = ReproSpec(claim_id=claim.id, runner=REFERENCE, state=SpecState.ACCEPTED, why="the fixture's own claim")
    nb.apply(ImportBatch(notes=[Note(id=note, title="Do linear probes work?")], claims=[claim], specs=[spec]))
    return nb, claim.id


def wait_until(predicate, timeout: float = 20.0, poll: float = 0.05):
    """Poll ``predicate`` until it returns something truthy, and return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture
def run_notebook(tmp_path, monkeypatch):
    """A notebook with one claim; workers may load this module's runner by reference and beat every 0.2 s.

    Afterwards every run this test left unfinished is cancelled and its worker stopped, so no
    process outlives the test.
    """
    monkeypatch.setenv("INQUIRY_HEARTBEAT_S", "0.2")
    monkeypatch.setenv("INQUIRY_ALLOW_RUNNER_REFS", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(TESTS_DIR), os.environ.get("PYTHONPATH")])))
    nb, claim_id = notebook_with_claim(tmp_path / "nb")
    yield nb, claim_id
    stop_unfinished_runs(nb)
    nb.close()


def stop_unfinished_runs(nb, timeout_s: float = 2.0) -> None:
    """Cancel every run still queued or running and wait for it; kill a worker that does not stop.

    A test's notebook is thrown away after it, so a worker still importing torch (it reads the cancel only once
    started) is killed after a short wait rather than waited for (10 s cost three app tests ~25 s of teardown).
    """
    from inquiry.runs import launcher, records

    for run in records.list_runs(nb):
        if not run.status.finished:
            launcher.cancel(nb, run.id)
            try:
                launcher.wait_for(nb, run.id, timeout_s=timeout_s)
            except InquiryError:  # still starting up (no pid yet) or not stopping: kill it by its command line
                for proc in psutil.process_iter(["cmdline"]):
                    if run.id in (proc.info["cmdline"] or []):
                        with contextlib.suppress(psutil.Error):
                            proc.kill()
