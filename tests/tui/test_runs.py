"""Launching, watching and cancelling reproduction runs from a claim, and the launch form's validation."""

from __future__ import annotations

import pytest
from pilot_helpers import SIZE, settle, wait_until
from textual.widgets import Button, Input, Label, Markdown, ProgressBar, Select

from inquiry.models import RunStatus
from inquiry.runs import records
from inquiry.tui.screens.launch import LaunchScreen
from inquiry.tui.screens.result import ResultScreen
from inquiry.tui.widgets.chart import SeriesChart
from inquiry.tui.widgets.runs import RunItem, RunsPanel

pytestmark = [pytest.mark.anyio]


def probe_claim(nb) -> str:
    """The seed's pass@k claim: the quick probe runner can be launched on any claim."""
    return next(c.id for c in nb.list_claims() if c.text.startswith("Pass@k analysis"))


async def open_launch(pilot, app, claim_id: str, preset: str) -> LaunchScreen:
    app.screen.navigate(claim_id)
    await settle(pilot, app)
    await pilot.press("r")
    await settle(pilot, app)
    launch = app.screen
    assert isinstance(launch, LaunchScreen)
    suggested = [runner.name for runner, good in launch.runners if good]
    assert suggested[0] == "rlvr"  # the runner whose claim wording fits this claim comes first
    offered = [runner.name for runner, _ in launch.runners]
    assert "probe" in offered and "probe" not in suggested  # the diagnostic probe is offered, not suggested
    launch.query_one("#runner", Select).value = "probe"
    await settle(pilot, app)
    launch.query_one("#preset", Select).value = preset
    await settle(pilot, app)
    return launch


@pytest.mark.slow
async def test_a_launched_run_shows_progress_then_a_verdict_and_its_result(app, seeded_notebook):
    claim_id = probe_claim(seeded_notebook)
    async with app.run_test(size=SIZE) as pilot:
        launch = await open_launch(pilot, app, claim_id, "test")
        assert launch.query_one("#field-pretrain_steps", Input).value == "80"  # the preset's value in place
        await pilot.click("#launch")
        await settle(pilot, app)
        assert not isinstance(app.screen, LaunchScreen)
        panel = app.screen.query_one(RunsPanel)
        item = await wait_until(pilot, lambda: next(iter(panel.query(RunItem)), None), timeout=10)
        run_id = item.record.id
        assert records.get(seeded_notebook, run_id).claim_id == claim_id

        progressed = await wait_until(pilot, lambda: item.query_one(ProgressBar).progress > 0 and item.record)
        assert progressed.total and progressed.step >= 1
        finished = await wait_until(pilot, lambda: panel.runs()[0].status.finished and panel.runs()[0], timeout=120)
        assert finished.status is RunStatus.SUCCEEDED, finished.error
        verdict = finished.result.verdict.verdict.value
        assert f"verdict: {verdict}" in str(panel.query_one(RunItem).query_one(".run-outcome", Label).render())

        panel.query_one("#runlist").focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ResultScreen)
        text = app.screen.query_one(Markdown).source
        assert f"## Verdict: {verdict}" in text
        assert "evidence about the mechanism in a controlled model, not about the paper's models" in text
        assert "## Fidelity card" in text and "| metric | value | interval |" in text
        assert len(app.screen.query(SeriesChart)) == len({s.chart for s in finished.result.series}) >= 1


@pytest.mark.slow
async def test_a_running_run_can_be_cancelled(app, seeded_notebook):
    claim_id = probe_claim(seeded_notebook)
    async with app.run_test(size=SIZE) as pilot:
        launch = await open_launch(pilot, app, claim_id, "default")
        launch.query_one("#field-pretrain_steps", Input).value = "100000"  # far longer than the test waits
        await pilot.click("#launch")
        await settle(pilot, app)
        panel = app.screen.query_one(RunsPanel)
        await wait_until(pilot, lambda: panel.runs() and panel.runs()[0].status is RunStatus.RUNNING, timeout=30)
        await pilot.press("c")  # asks first
        await settle(pilot, app)
        await pilot.press("y")
        final = await wait_until(pilot, lambda: panel.runs()[0].status.finished and panel.runs()[0], timeout=30)
        assert final.status is RunStatus.CANCELLED


async def test_an_invalid_config_value_shows_inline_errors_and_starts_nothing(app, seeded_notebook):
    claim_id = probe_claim(seeded_notebook)
    async with app.run_test(size=SIZE) as pilot:
        launch = await open_launch(pilot, app, claim_id, "test")
        launch.query_one("#field-held_out", Input).value = "3"
        launch.query_one("#field-lr", Input).value = "fast"
        await pilot.click("#launch")
        await settle(pilot, app)
        assert app.screen is launch
        assert "greater than or equal to 5" in str(launch.query_one("#error-held_out", Label).render())
        assert "valid number" in str(launch.query_one("#error-lr", Label).render())
        assert str(launch.query_one("#error-hidden", Label).render()) == ""
        assert "nothing was started" in str(launch.query_one("#launch-error", Label).render())
        assert records.list_runs(seeded_notebook) == []
        launch.query_one(Button)  # the dialog is still open for fixing
