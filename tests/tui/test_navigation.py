"""Walking the seed notebook in the app: inquiry → note → claim and back, citations, search, filter."""

from __future__ import annotations

import pytest
from conftest import SIZE, settle
from textual.widgets import Markdown, Tree

from inquiry.tui.widgets.reader import Reader

pytestmark = pytest.mark.anyio

INQUIRY = "inq:can-reinforcement-learning-close-the-gap-between-llm-reasoning-and-action"
RLVR_NOTE = "note:does-rlvr-actually-expand-what-models-can-reason-about"


def page(app) -> str:
    return app.screen.query_one(Reader).query_one(Markdown).source


async def test_walk_from_inquiry_to_note_to_claim_and_back(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        tree = app.screen.query_one("#browse", Tree)
        assert tree.cursor_node.data.node_id == INQUIRY  # the first inquiry is ready to open
        await pilot.press("enter")
        await settle(pilot, app)
        assert page(app).startswith("# Can reinforcement learning close the gap")
        assert app.screen.current == INQUIRY

        await pilot.press("space", "down")  # expand the inquiry: its cited notes, in essay order
        await settle(pilot, app)
        note_row = tree.cursor_node.data
        assert note_row.node_id.startswith("note:") and note_row.detail == "used by 1"
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.current == note_row.node_id
        assert "## Claims" in page(app) and "## Used by 1 inquiry" in page(app)

        await pilot.press("space", "down", "enter")  # the note's first claim
        await settle(pilot, app)
        claim_id = app.screen.current
        assert claim_id.startswith("claim:")
        assert page(app).startswith("# Claim · ○ untested")
        assert app.screen.query_one("#runs").display  # the runs panel comes with a claim

        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert app.screen.current == note_row.node_id
        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert app.screen.current == INQUIRY
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot, app)
        assert app.screen.current == claim_id


async def test_a_citation_link_is_followed_by_keyboard_and_by_click(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        reader = app.screen.query_one(Reader)
        first_text, first_target = reader.links[0]
        assert first_target.startswith("note:") and first_text.endswith("?")
        reader.query_one("#page").focus()
        await pilot.press("n", "n", "n")
        assert "link 3/" in str(reader.query_one("#linkbar").render())
        third = reader.links[2][1]
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.current == third
        assert app.screen.history.past == [INQUIRY]

        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        markdown = reader.query_one(Markdown)
        markdown.post_message(Markdown.LinkClicked(markdown, RLVR_NOTE))  # what a mouse click on the link posts
        await settle(pilot, app)
        assert app.screen.current == RLVR_NOTE
        assert page(app).startswith("# Does RLVR actually expand what models can reason about?")


async def test_search_shows_results_as_you_type_and_enter_opens_one(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash")
        await pilot.press(*"sampling budg")
        await settle(pilot, app)
        search = app.screen
        assert search.hits, "search found nothing"
        top = search.hits[0]
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.current == top.node_id
        assert "sampling budget" in page(app).lower()


async def test_the_filter_narrows_the_navigator_as_you_type(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f", *"rlvr")
        await settle(pilot, app)
        matches = app.screen.query_one("#matches", Tree)
        titles = [n.data.title for n in matches.root.children]
        assert titles == ["Does RLVR actually expand what models can reason about?"]
        await pilot.press("enter")  # submitting moves to the matches
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.current == RLVR_NOTE


async def test_export_says_plainly_when_markdown_export_has_not_landed(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("e")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("not available yet" in m and "nothing was written" in m for m in messages)
