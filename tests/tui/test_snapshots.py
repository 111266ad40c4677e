"""Snapshots of the main screens at a fixed size (regenerate deliberately: pytest --snapshot-update)."""

from __future__ import annotations

from pilot_helpers import SIZE, settle
from textual.widgets import Input


async def steady(pilot) -> None:
    """No blinking cursors, every worker done and the temporary notebook folder named alike in the
    header, so the picture is the same on every run."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await settle(pilot, pilot.app)
    main = pilot.app.main
    main.sub_title = main.sub_title.replace(str(pilot.app.data.nb.path), "/tmp/notebook")
    await pilot.pause()


def test_main_screen_with_the_seed_inquiry_open(app, snap_compare):
    async def run_before(pilot):
        await steady(pilot)
        await pilot.press("enter")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_a_note_with_its_claims_links_and_local_graph(app, snap_compare):
    async def run_before(pilot):
        await steady(pilot)
        pilot.app.screen.navigate("note:does-rlvr-actually-expand-what-models-can-reason-about")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_lists_every_key(app, snap_compare):
    async def run_before(pilot):
        await steady(pilot)
        await pilot.press("question_mark")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
