"""Relations from the app: mark the open claim as contradicting another, accept or reject suggestions."""

from __future__ import annotations

import pytest
from pilot_helpers import SIZE, settle
from textual.widgets import Input, OptionList, Select

from inquiry.models import EdgeKind, EdgeState
from inquiry.tui.screens.relation import RelationScreen
from inquiry.tui.widgets.links import LinksPanel

pytestmark = pytest.mark.anyio


def claim_with_text(nb, words: str) -> str:
    return next(c.id for c in nb.list_claims() if words in c.text)


async def test_marking_the_open_claim_as_contradicting_another_via_the_fuzzy_picker(app, seeded_notebook):
    source = claim_with_text(seeded_notebook, "Think-In Games demonstrates")
    target = claim_with_text(seeded_notebook, "87.88% on GAIA")
    async with app.run_test(size=SIZE) as pilot:
        app.screen.navigate(source)
        await settle(pilot, app)
        await pilot.press("t")
        await settle(pilot, app)
        picker = app.screen
        assert isinstance(picker, RelationScreen)
        picker.query_one("#relation-kind", Select).value = EdgeKind.CONTRADICTS.value
        picker.query_one("#relation-query", Input).focus()
        await pilot.press(*"GAIA validation")
        await settle(pilot, app)
        assert picker.candidates[0][0] == target  # the fuzzy picker ranks the claim that says it first
        picker.query_one("#relation-why", Input).value = "one shows games transfer, the other a memory agent"
        await pilot.click("#relate")
        await settle(pilot, app)

        assert not isinstance(app.screen, RelationScreen)
        edges = seeded_notebook.edges(src=source, dst=target, kind=EdgeKind.CONTRADICTS)
        assert [e.why for _, e in edges] == ["one shows games transfer, the other a memory agent"]
        assert "**contradicts** [" in app.screen.query_one("#markdown").source  # the claim page lists it


async def test_a_suggested_relation_is_accepted_or_rejected_from_the_links_panel(app, seeded_notebook):
    # the seed's "But…" paragraph suggests that the RLVR note contrasts with the paragraph before's lead note
    ((row, edge),) = seeded_notebook.edges(kind=EdgeKind.CONTRASTS_WITH, state=EdgeState.SUGGESTED)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.navigate(edge.src)
        await settle(pilot, app)
        panel = app.screen.query_one(LinksPanel)
        options = panel.query_one(OptionList)
        for key, state in (("a", EdgeState.ACCEPTED), ("x", EdgeState.REJECTED)):
            seeded_notebook.set_edge_state(row, EdgeState.SUGGESTED)  # only a suggestion can be reviewed
            app.screen.navigate(edge.dst)
            await settle(pilot, app)
            app.screen.navigate(edge.src)
            await settle(pilot, app)
            options.focus()
            options.highlighted = next(i for i, entry in enumerate(panel.entries) if entry and entry.edge == row)
            await pilot.press(key)
            await settle(pilot, app)
            assert seeded_notebook.edge_by_row(row).state is state
