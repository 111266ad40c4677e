"""Spec review from the app: on a claim, `p` opens its specs; accept, set what it predicts, reject."""

from __future__ import annotations

import pytest
from pilot_helpers import SIZE, settle

from inquiry.models import RunStatus, SpecState, Status, Verdict
from inquiry.runners.api import Result, VerdictReport
from inquiry.runs import launcher, records
from inquiry.tui.screens.specs import SpecsScreen

pytestmark = pytest.mark.anyio


async def test_reviewing_a_suggested_spec_changes_the_claims_status(app, seeded_notebook):
    nb = seeded_notebook
    claim = next(c for c in nb.list_claims() if c.text.startswith("Five independent mechanisms"))
    (spec,) = nb.specs(claim.id)
    assert spec.state is SpecState.SUGGESTED
    run_id = records.create(nb, claim.id, "steering", "default", {}, seed=0, device="cpu")
    records.take_queued(nb, run_id)
    launcher.end_run(
        nb,
        run_id,
        RunStatus.SUCCEEDED,
        start_next=False,
        result=Result(verdict=VerdictReport(verdict="supports", reason="fixture", explanation="fixture")),
    )
    assert nb.get_claim(claim.id).status is Status.UNTESTED  # a suggested spec decides nothing
    async with app.run_test(size=SIZE) as pilot:
        app.screen.navigate(claim.id)
        await settle(pilot, app)
        assert "Press `p` to review" in app.screen.query_one("#markdown").source
        await pilot.press("p")
        await settle(pilot, app)
        assert isinstance(app.screen, SpecsScreen)
        await pilot.press("a")
        await settle(pilot, app)
        assert nb.get_spec(spec.id).state is SpecState.ACCEPTED
        assert nb.get_claim(claim.id).status is Status.SUPPORTED
        await pilot.press("o")  # the claim predicts the opposite: the same verdict now contradicts it
        await settle(pilot, app)
        assert nb.get_spec(spec.id).predicts is Verdict.CONTRADICTS
        assert nb.get_claim(claim.id).status is Status.CONTRADICTED
        assert "status: contradicted" in str(app.screen.query_one("#specs-status").render())
        await pilot.press("x")
        await settle(pilot, app)
        assert nb.get_spec(spec.id).state is SpecState.REJECTED and nb.get_claim(claim.id).status is Status.UNTESTED
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, SpecsScreen)
        assert "Claim · ○ untested" in app.screen.query_one("#markdown").source
