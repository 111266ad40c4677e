"""The app's second pass (issue #20), each problem driven by keys as a user meets it.

Runs that "finish elsewhere" are written through a second connection to the notebook, as a run's
worker process writes them; the app must notice on its own (PRAGMA data_version).
"""

from __future__ import annotations

import json

import pytest
from pilot_helpers import SIZE, settle, wait_until
from textual.widgets import Button, Input, Markdown, OptionList, Tree

from inquiry.export import markdown as markdown_export
from inquiry.models import RunStatus, Status, Verdict
from inquiry.runners.api import Estimate, Result, Series, VerdictReport
from inquiry.runs import records
from inquiry.store import Notebook
from inquiry.tui.app import InquiryApp
from inquiry.tui.screens.confirm import ConfirmScreen
from inquiry.tui.screens.graph import GraphScreen
from inquiry.tui.screens.help import HelpScreen
from inquiry.tui.screens.launch import LaunchScreen
from inquiry.tui.screens.result import ResultScreen
from inquiry.tui.widgets.chart import SeriesChart, x_ticks
from inquiry.tui.widgets.navigator import Navigator
from inquiry.tui.widgets.runs import RunItem, RunsPanel

pytestmark = pytest.mark.anyio

INQUIRY = "inq:can-reinforcement-learning-close-the-gap-between-llm-reasoning-and-action"
PASSK_WORDS = "Pass@k analysis shows base models"


def passk_claim(nb) -> str:
    return next(c.id for c in nb.list_claims() if c.text.startswith("Pass@k analysis"))


def a_result(verdict: Verdict = Verdict.SUPPORTS) -> Result:
    ks = [1.0, 2.0, 4.0, 8.0, 16.0]
    return Result(
        metrics={
            "gap": Estimate(
                value=0.1, low=0.05, high=0.15, n=1000, description="base minus RL at k=16 (over bootstrap draws)"
            )
        },
        series=[
            Series(
                name=name,
                x=ks,
                y=[0.1 * i + d for i in range(5)],
                low=[0.1 * i + d - 0.02 for i in range(5)],
                high=[0.1 * i + d + 0.02 for i in range(5)],
                x_label="k",
                y_label="pass@k",
                log_x=True,
                chart="pass@k",
            )
            for name, d in (("base", 0.0), ("RL", 0.05))
        ],
        verdict=VerdictReport(verdict=verdict, reason="ci_excludes_zero_positive", explanation="measured"),
    )


def record_run_elsewhere(
    path,
    claim_id: str,
    status: RunStatus,
    *,
    step: int | None = None,
    total: int | None = None,
    claim_status: Status | None = None,
) -> str:
    """What a run's worker process writes, through its own connection."""
    other = Notebook.open(path, create=False)
    try:
        run_id = records.create(other, claim_id, "probe", "test", {}, seed=0, device="cpu")
        if status is RunStatus.RUNNING:
            other.db.execute(
                "UPDATE runs SET status = 'running', started = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), step = ?, total = ?, "
                "heartbeat = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '+1 hour') WHERE id = ?",
                [step, total, run_id],
            )
            other.db.conn.commit()
        elif status is RunStatus.SUCCEEDED:
            other.db.execute(
                "UPDATE runs SET status = 'running', started = ? WHERE id = ?", ["2026-01-01T00:00:00+00:00", run_id]
            )
            records.finish(other, run_id, RunStatus.SUCCEEDED, result=a_result())
        if claim_status is not None:
            other.set_claim_status(claim_id, claim_status)
        other.db.conn.commit()
    finally:
        other.close()
    return run_id


async def open_by_filter(pilot, app, words: str) -> None:
    """Type words into the filter and open the first match, as a user does."""
    await pilot.press("f", *words)
    await settle(pilot, app)
    await pilot.press("escape")  # leaves the filter for its matches
    await pilot.press("enter")
    await settle(pilot, app)


def label_of(app, node_id: str) -> str:
    tree = app.screen.query_one("#browse", Tree)
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        if getattr(node.data, "node_id", None) == node_id:
            return str(node.label)
        stack.extend(node.children)
    raise AssertionError(f"{node_id} is not in the navigator")


def notified(app, words: str) -> bool:
    return any(words in n.message for n in app._notifications)


# ---- 1, 13: charts --------------------------------------------------------------------------


async def test_resizing_with_log_scale_charts_open_does_not_crash(app, seeded_notebook):
    claim = passk_claim(seeded_notebook)
    record_run_elsewhere(seeded_notebook.path, claim, RunStatus.SUCCEEDED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await open_by_filter(pilot, app, PASSK_WORDS)
        await pilot.press("v")  # the newest run's result
        await settle(pilot, app)
        assert isinstance(app.screen, ResultScreen)
        chart = app.screen.query_one(SeriesChart)
        for size in ((80, 24), (160, 45), (100, 30)):
            await pilot.resize_terminal(*size)
            await settle(pilot, app)
        assert app.is_running and app.screen is not None and isinstance(app.screen, ResultScreen)
        drawn = str(chart.render())
        assert "16" in drawn and "5.7" not in drawn  # ticks at the measured k, written as whole numbers
        assert "RL: interval low" in drawn or "RL" in drawn  # each series and band named in the legend
        assert "1000 bootstrap draws" in app.screen.query_one(Markdown).source  # n says what it counts
        # the registration section is always there; this probe result stores none, and says so
        assert "## Registration\n\n• **Registration**: none stored" in app.screen.query_one(Markdown).source


def test_x_ticks_are_the_measured_values_as_whole_numbers():
    assert x_ticks([1, 2, 4, 8, 16], log=True)[1] == ["1", "2", "4", "8", "16"]


# ---- 2: glyphs stay current ------------------------------------------------------------------


async def test_glyphs_follow_a_run_that_finished_in_another_process(app, seeded_notebook):
    claim = passk_claim(seeded_notebook)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        before = label_of(app, INQUIRY)
        assert "✅ 0" in before and "○" in before  # the inquiry's row counts its claims by status
        record_run_elsewhere(seeded_notebook.path, claim, RunStatus.SUCCEEDED, claim_status=Status.SUPPORTED)
        await wait_until(pilot, lambda: "✅ 1" in label_of(app, INQUIRY), timeout=15)
        assert "○" in label_of(app, INQUIRY)  # one supported among many untested, not a lone ✅


# ---- 3: the launch form ----------------------------------------------------------------------


async def test_the_launch_form_works_at_80x24_and_ctrl_s_reports_errors_at_the_top(app, seeded_notebook):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await open_by_filter(pilot, app, PASSK_WORDS)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LaunchScreen) and app.screen.field_order, timeout=60)
        await settle(pilot, app)
        launch = app.screen
        screen_region = launch.region
        button = launch.query_one("#launch", Button)
        assert screen_region.contains_region(button.region)  # the launch button is on screen
        first = launch.query_one(f"#field-{launch.field_order[0]}")
        assert first.region.height and screen_region.contains_region(first.region)  # a field is visible
        assert launch.query_one("#section-resources").collapsed  # resources start collapsed
        # a bad value, then ctrl+s: the summary says so at the top and the field is focused
        bad = next(
            n
            for n in launch.field_order
            if (isinstance(launch.query_one(f"#field-{n}"), Input) and launch.query_one(f"#field-{n}").type != "text")
            or n in ("lr", "pretrain_steps")
        )
        launch.query_one(f"#field-{bad}").focus()
        await pilot.press("ctrl+a", "backspace", *"fast", "ctrl+s")
        await settle(pilot, app)
        summary = launch.query_one("#launch-error")
        assert summary.display and "nothing was started" in str(summary.render())
        assert screen_region.contains_region(summary.region)
        assert app.focused is launch.query_one(f"#field-{bad}")
        assert records.list_runs(seeded_notebook) == []


async def test_enter_in_the_last_field_launches_with_a_busy_sign(app, seeded_notebook):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await open_by_filter(pilot, app, PASSK_WORDS)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LaunchScreen) and app.screen.field_order, timeout=60)
        launch = app.screen
        launch.query_one("#runner").focus()
        await settle(pilot, app)
        for collapsible in launch.query("Collapsible"):
            collapsible.collapsed = False  # (a collapsed section's fields are mounted when it opens)
        await settle(pilot, app)
        inputs = [n for n in launch.field_order if isinstance(launch.query_one(f"#field-{n}"), Input)]
        last = launch.query_one(f"#field-{inputs[-1]}")
        last.focus()
        await pilot.press("enter")
        assert launch.launching  # the busy sign is up at once
        await wait_until(pilot, lambda: not isinstance(app.screen, LaunchScreen), timeout=30)
        assert len(records.list_runs(seeded_notebook)) == 1


# ---- 4: keys that do not apply say why -------------------------------------------------------


async def test_keys_that_do_not_apply_say_why(app, seeded_notebook):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("c")
        assert notified(app, "Open a node first")
        await pilot.press("enter")  # the inquiry
        await settle(pilot, app)
        await pilot.press("t")
        assert notified(app, "Relations join two claims")
        await open_by_filter(pilot, app, PASSK_WORDS)
        await pilot.press("e")
        assert notified(app, "Export writes an inquiry")
        await pilot.press("c")
        assert notified(app, "no queued or running run")


async def test_the_palette_lists_unavailable_actions_with_the_reason(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await pilot.press(*"export markdown")
        await settle(pilot, app)
        await pilot.pause(0.5)
        options = app.screen.query_one(OptionList)
        shown = " ".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
        assert "inquiry: export markdown (unavailable)" in shown


async def test_r_on_a_note_launches_its_claim_with_a_reproduction_spec(app, seeded_notebook):
    note = "note:does-rlvr-actually-expand-what-models-can-reason-about"
    assert any(seeded_notebook.specs(c.id) for c in seeded_notebook.list_claims(note_id=note))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await open_by_filter(pilot, app, "does rlvr actually expand")
        assert app.screen.current == note
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LaunchScreen) and app.screen.field_order, timeout=60)
        assert app.screen.claim.note_id == note and seeded_notebook.specs(app.screen.claim.id)


# ---- 5, 6: tree keys and the filter ----------------------------------------------------------


async def test_enter_and_right_expand_tree_nodes(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        tree = app.screen.query_one("#browse", Tree)
        await pilot.press("enter")
        await settle(pilot, app)
        assert tree.cursor_node.is_expanded
        await pilot.press("down")
        await settle(pilot, app)
        note = tree.cursor_node
        assert not note.is_expanded
        await pilot.press("right")
        await settle(pilot, app)
        assert note.is_expanded
        await pilot.press("left")
        assert not note.is_expanded


async def test_escape_leaves_the_filter_and_keys_work_again(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f", *"qr")
        box = app.screen.query_one("#filter", Input)
        assert box.value == "qr"  # typed, not taken as commands
        await pilot.press("escape")
        assert app.focused is app.screen.query_one("#matches", Tree)
        await pilot.press("escape")  # clears the filter, back to the tree
        assert box.value == "" and app.focused is app.screen.query_one("#browse", Tree)
        await pilot.press("f", "question_mark")  # an empty filter does not eat ?
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)


# ---- 7, 8, 9: runs ---------------------------------------------------------------------------


async def test_run_progress_fits_and_the_result_key_is_in_the_footer(app, seeded_notebook):
    claim = passk_claim(seeded_notebook)
    record_run_elsewhere(seeded_notebook.path, claim, RunStatus.RUNNING, step=37, total=80)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await open_by_filter(pilot, app, PASSK_WORDS)
        panel = app.screen.query_one(RunsPanel)
        item = await wait_until(pilot, lambda: next(iter(panel.query(RunItem)), None), timeout=10)
        panel.query_one("#runlist").focus()
        await pilot.press("m")  # at 80x24 the runs pane is maximized to read it whole
        await settle(pilot, app)
        elapsed = item.query_one(".run-elapsed")
        assert "step 37/80" in str(elapsed.render()) and "46%" in str(elapsed.render())
        assert panel.region.contains_region(elapsed.region)  # nothing falls off the edge
        assert any(b.binding.description == "Open result" for b in app.screen.active_bindings.values())


async def test_cancel_asks_first_and_quit_says_runs_carry_on(app, seeded_notebook):
    claim = passk_claim(seeded_notebook)
    run_id = record_run_elsewhere(seeded_notebook.path, claim, RunStatus.RUNNING, step=1, total=80)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await open_by_filter(pilot, app, PASSK_WORDS)
        await wait_until(pilot, lambda: app.screen.run_states, timeout=10)
        await pilot.press("c")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot, app)
        assert records.get(seeded_notebook, run_id).status is RunStatus.RUNNING
        await pilot.press("q")
        await pilot.pause()
    assert "1 run carries on in the background" in app.quit_message


async def test_help_explains_glyphs_and_runs_and_the_reader_shows_the_legend(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert "✅ supported" in str(app.screen.query_one("#legend").render())
        assert "1 inquiry ·" in app.screen.sub_title
        await pilot.press("question_mark")
        await settle(pilot, app)
        help_screen = app.screen
        text = str(help_screen.query_one("#help-glyphs").render())
        assert "⟳" in text and "untested" in text
        table = help_screen.query_one("#help-keys")
        cells = [str(table.get_row_at(i)) for i in range(table.row_count)]
        assert any("Runs" in c and "result" in c for c in cells)


# ---- 10: markdown escaping ---------------------------------------------------------------------


async def test_stars_in_text_are_shown_not_read_as_markdown(app, seeded_notebook, tmp_path):
    claim = passk_claim(seeded_notebook)
    seeded_notebook.db.execute(
        "UPDATE claims SET text = ? WHERE id = ?", ["Pass@k analysis gives '3*4+5' and 2*3*4 for a_b_c", claim]
    )
    seeded_notebook.db.conn.commit()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await open_by_filter(pilot, app, "3*4+5")
        blocks = " ".join(str(b.render()) for b in app.screen.query_one(Markdown).query("MarkdownBlock"))
        assert "'3*4+5'" in blocks and "2*3*4" in blocks and "a_b_c" in blocks


def test_stars_survive_the_gfm_export(seeded_notebook):
    claim = passk_claim(seeded_notebook)
    seeded_notebook.db.execute("UPDATE claims SET text = ? WHERE id = ?", ["gives '3*4+5' and 2*3*4", claim])
    seeded_notebook.db.conn.commit()
    files = markdown_export.render(seeded_notebook, [INQUIRY], style="gfm")
    text = b"".join(body for name, body in files.items() if name.endswith(".md")).decode()
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(text)
    assert "3*4+5" in html and "2*3*4" in html


# ---- 11: search -----------------------------------------------------------------------------


async def test_search_shows_matches_without_brackets_or_repeats_and_or_works(app, seeded_notebook):
    assert seeded_notebook.search("rlvr OR distillation")  # OR gives alternatives
    assert len(seeded_notebook.search("rlvr OR distillation")) >= len(seeded_notebook.search("rlvr"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"pass")
        await settle(pilot, app)
        options = app.screen.query_one("#results", OptionList)
        prompts = [options.get_option_at_index(i).prompt for i in range(options.option_count)]
        assert prompts
        for prompt in prompts:
            lines = prompt.plain.split("\n")
            assert "[" not in prompt.plain.replace("[[", "")  # no literal highlight brackets
            if len(lines) > 1:
                assert lines[1].strip(" …") not in lines[0]  # a snippet that repeats the title is left out


# ---- 12: the graph view ----------------------------------------------------------------------


async def test_g_opens_a_neighbourhood_you_can_walk(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("g")
        await settle(pilot, app)
        graph = app.screen
        assert isinstance(graph, GraphScreen) and graph.centre == INQUIRY
        edges = graph.query_one("#graph-edges", OptionList)
        assert "→ cites" in str(edges.get_option_at_index(0).prompt)  # edge kinds are headings
        target = graph.entries[edges.highlighted].node_id
        await pilot.press("enter")  # walk along the edge
        await settle(pilot, app)
        assert graph.centre == target and graph.path == [INQUIRY]
        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert graph.centre == INQUIRY
        await pilot.press("enter", "o")  # walk again, then open the centre in the reader
        await settle(pilot, app)
        assert app.screen.current == target


# ---- 14: persistence -------------------------------------------------------------------------


async def test_theme_and_maximized_pane_are_remembered_per_notebook(seeded_notebook):
    app = InquiryApp(seeded_notebook, poll_s=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.theme = "nord"  # what choosing a theme in the palette does
        await pilot.press("m")  # maximize the focused pane (the navigator)
        await settle(pilot, app)
    saved = json.loads((seeded_notebook.path / "tui.json").read_text())
    assert saved["theme"] == "nord" and saved["maximized"] == "navigator"
    again = InquiryApp(seeded_notebook, poll_s=0.2)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot, again)
        assert again.theme == "nord"
        assert again.screen.maximized is not None and again.screen.maximized.id == "navigator"


async def test_a_user_keymap_remaps_a_key(seeded_notebook):
    (seeded_notebook.path / "tui.json").write_text(json.dumps({"keymap": {"app.help": "h"}}))
    app = InquiryApp(seeded_notebook, poll_s=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("h")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)


async def test_the_navigator_groups_claims_by_runner(app, seeded_notebook):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        tree = app.screen.query_one("#browse", Tree)
        group = app.screen.query_one(Navigator).groups["runners"]
        tree.move_cursor(group)
        await pilot.press("enter")
        await settle(pilot, app)
        runners = [n.data.title for n in group.children]
        assert "rlvr" in runners
        tree.move_cursor(group.children[runners.index("rlvr")])
        await pilot.press("enter")
        await settle(pilot, app)
        claims = group.children[runners.index("rlvr")].children
        assert claims and all(c.data.node_id.startswith("claim:") for c in claims)
