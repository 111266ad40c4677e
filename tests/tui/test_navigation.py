"""Walking the seed notebook in the app: inquiry → note → claim and back, citations, search, filter."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from pilot_helpers import SIZE, settle
from textual.widgets import Input, Markdown, OptionList, Select, Tree

from inquiry.cli import cli
from inquiry.tui.screens.export import ExportScreen
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

        assert tree.cursor_node.is_expanded  # enter opened the inquiry and expanded it: its cited notes
        await pilot.press("down")  # the first cited note, in essay order
        await settle(pilot, app)
        note_row = tree.cursor_node.data
        assert (
            note_row.node_id.startswith("note:") and note_row.detail == "✅ 0 · ❌ 0 · ○ 2 · used by 1"
        )  # a note: counts, no glyph
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.current == note_row.node_id
        assert "## Claims" in page(app) and "## Used by 1 inquiry" in page(app)

        await pilot.press("down", "enter")  # enter expanded the note too: its first claim
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


async def test_search_shows_results_as_you_type_grouped_as_the_cli_groups_them(app, seeded_notebook):
    cli_json = CliRunner().invoke(cli, ["--notebook", str(seeded_notebook.path), "search", "pass", "--json"]).stdout
    note = next(r for r in json.loads(cli_json) if r["claims"])  # the CLI lists the note once, its claim under it
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash")
        await pilot.press(*"sampling budg")
        await settle(pilot, app)
        search = app.screen
        assert search.rows, "search found nothing"
        top = search.rows[0]
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.current == top.node_id
        assert "sampling budget" in page(app).lower()

        await pilot.press("slash", *"pass")
        await settle(pilot, app)
        options = app.screen.query_one("#results", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        shown = [row.node_id for row in app.screen.rows]
        at = shown.index(note["id"])
        assert shown.count(note["id"]) == 1 and "1 matching claim" in prompts[at]  # one row per note
        assert prompts[at + 1].startswith("  └ claim") and shown[at + 1] == note["claims"][0]  # its claim under it
        await pilot.press("down", *["down"] * (at + 1), "enter")  # into the list, onto the claim, open it
        await settle(pilot, app)
        assert app.screen.current == note["claims"][0]


async def test_the_filter_narrows_the_navigator_as_you_type(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f", *"rlvr")
        await settle(pilot, app)
        matches = app.screen.query_one("#matches", Tree)
        rows = [n.data for n in matches.root.children]
        assert rows[0].title == "Does RLVR actually expand what models can reason about?"  # titles first
        assert rows[1:] and all(r.node_id.startswith("claim:") and "rlvr" in r.title.lower() for r in rows[1:])
        await pilot.press("enter")  # submitting moves to the matches
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.current == RLVR_NOTE


async def test_export_asks_where_and_how_then_writes_the_file(app, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one("#export-path", Input).value = str(tmp_path / "out")
        dialog.query_one("#export-style", Select).value = "gfm"
        await pilot.click("#export")
        await settle(pilot, app)
        written = list((tmp_path / "out").glob("*.md"))
        assert len(written) == 1
        text = written[0].read_text(encoding="utf-8")
        assert "Can reinforcement learning close the gap between LLM reasoning and action?" in text
        assert any("Wrote" in n.message and str(tmp_path / "out") in n.message for n in app._notifications)


async def test_enter_on_a_group_heading_opens_and_closes_it(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        tree = app.screen.query_one("#browse", Tree)
        await pilot.press("down")  # from the first inquiry to "Notes by popularity"
        await settle(pilot, app)
        heading = tree.cursor_node
        assert str(heading.label).startswith("Notes by popularity") and not heading.is_expanded
        await pilot.press("enter")
        await settle(pilot, app)
        assert heading.is_expanded and len(heading.children) == 10
        await pilot.press("enter")
        await settle(pilot, app)
        assert not heading.is_expanded
