"""Every key of the app in one table: the bindings, the help screen, the glyph legend and the command
palette are all read from here, so they cannot disagree.

Each key has an id (``area.action``); a notebook's ``tui.json`` may remap it (``{"keymap":
{"claim.run": "R"}}``), as Posting does, through Textual's ``App.set_keymap``.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

from ..models import STATUS_GLYPH, Status


@dataclass(frozen=True)
class Key:
    id: str
    key: str
    action: str
    description: str  # the footer's word
    where: str  # main, reader, links, runs, navigator, filter, graph
    help: str  # the help screen's sentence
    palette: str = ""  # "area: action" name in the command palette ("" = not offered there)
    show: bool = True  # shown in the footer


KEYS = [
    Key(
        "notebook.search",
        "slash",
        "search",
        "Search",
        "main",
        "full-text search across the notebook",
        "notebook: search",
    ),
    Key(
        "navigator.filter",
        "f",
        "focus_filter",
        "Filter",
        "main",
        "narrow the navigator as you type (titles and claim text); escape leaves",
        "navigator: filter titles",
    ),
    Key(
        "claim.run",
        "r",
        "run",
        "Run",
        "main",
        "launch a reproduction of the open claim (on a note: of its claim with a reproduction spec)",
        "claim: run reproduction",
    ),
    Key(
        "claim.cancel",
        "c",
        "cancel_run",
        "Cancel run",
        "main",
        "cancel the selected or newest active run (asks first)",
        "claim: cancel run",
    ),
    Key(
        "run.result",
        "v",
        "view_result",
        "Result",
        "main",
        "open the result of the selected or newest run",
        "run: view result",
    ),
    Key(
        "claim.relate",
        "t",
        "relate",
        "Relate",
        "main",
        "mark the open claim as supporting, contradicting or refining another",
        "claim: relate to another claim",
    ),
    Key(
        "claim.specs",
        "p",
        "specs",
        "Specs",
        "main",
        "review the open claim's reproduction specs: accept, "
        "reject, or set what the claim predicts (in the reader, p is the previous link)",
        "claim: review specs",
        show=False,
    ),
    Key(
        "graph.open",
        "g",
        "open_graph",
        "Graph",
        "main",
        "walk the open node's neighbourhood: choose a node, move along edges, see edge kinds",
        "graph: neighbourhood",
    ),
    Key(
        "inquiry.export",
        "e",
        "export",
        "Export",
        "main",
        "write the open inquiry as annotated markdown",
        "inquiry: export markdown",
    ),
    Key(
        "view.maximize",
        "m",
        "toggle_maximize",
        "Maximize",
        "main",
        "fill the screen with the focused pane, or restore the layout",
        "view: maximize pane",
    ),
    Key("history.back", "left_square_bracket", "back", "Back", "main", "the previously open node", "history: back"),
    Key(
        "history.forward", "right_square_bracket", "forward", "Forward", "main", "undo a step back", "history: forward"
    ),
    Key("app.help", "question_mark", "help", "Help", "main", "every key, the status glyphs", "help: keys"),
    Key("app.quit", "q", "quit", "Quit", "main", "quit (runs carry on in the background)"),
    Key("reader.next", "n", "link(1)", "Next link", "reader", "choose the next link of the page"),
    Key("reader.prev", "p", "link(-1)", "Prev link", "reader", "choose the previous link"),
    Key("reader.follow", "enter", "follow", "Follow link", "reader", "open the chosen link"),
    Key("links.accept", "a", "review('accept')", "Accept suggestion", "links", "accept the highlighted suggestion"),
    Key("links.reject", "x", "review('reject')", "Reject suggestion", "links", "reject the highlighted suggestion"),
    Key(
        "runs.open",
        "enter",
        "open_result",
        "Open result",
        "runs",
        "open the highlighted run's result: verdict, metrics with intervals, fidelity card, curves",
    ),
]

# Keys that belong to a widget (documented here, bound by the widget itself).
WIDGET_KEYS = [
    ("navigator", "enter", "open the node and expand it; on '… more' load the next page"),
    ("navigator", "right / left", "expand (or step in) / collapse (or step out)"),
    ("navigator", "space", "expand or collapse"),
    ("filter", "escape / down", "leave the filter for its matches; escape again clears it"),
    ("graph", "enter", "centre the graph on the chosen neighbour (walk along the edge)"),
    ("graph", "o", "open the centred node in the reader"),
    ("anywhere", "ctrl+p", "command palette: go to any title, or run an action"),
]

GLYPH_MEANING = {
    Status.SUPPORTED: "supported: runs back what the claim predicts",
    Status.CONTRADICTED: "contradicted: runs go against it",
    Status.MIXED: "mixed: runs (or its claims) disagree",
    Status.INCONCLUSIVE: "inconclusive: the miniature could not decide",
    Status.UNTESTED: "untested: no run has decided it yet",
    Status.RUNNING: "running: a run may still decide it",
}


def glyph_legend(compact: bool = False) -> str:
    """The status glyphs and what they mean (``compact``: one line for the reader's footer)."""
    if compact:
        return "  ".join(f"{STATUS_GLYPH.get(s, '?')} {s.value}" for s in Status)
    return "\n".join(f"{STATUS_GLYPH.get(s, '?')}  {GLYPH_MEANING.get(s, s.value)}" for s in Status)


def bindings(where: str) -> list[BindingType]:
    return [Binding(k.key, k.action, k.description, show=k.show, id=k.id) for k in KEYS if k.where == where]


def shown_key(key: str) -> str:
    """A key as people type it: ``question_mark`` → ``?``."""
    names = {"question_mark": "?", "slash": "/", "left_square_bracket": "[", "right_square_bracket": "]"}
    return ",".join(names.get(k, k) for k in key.split(","))
