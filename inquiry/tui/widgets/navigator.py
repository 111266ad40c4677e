"""The navigator: inquiries → cited notes → claims, other groupings, and a filter box.

Nothing is loaded up front beyond the group headings. A group or node loads its children in a
thread worker when first expanded, :data:`~inquiry.tui.data.PAGE` rows at a time; the last row of a
partial page is "… N more", which loads the next page when chosen. That is what keeps the first
screen instant on a notebook of 100k notes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.message import Message
from textual.widgets import Input, Tree
from textual.widgets.tree import TreeNode
from textual.worker import get_current_worker

from ...models import NodeKind, Status, kind_of
from ...present.text import clip
from ..data import NotebookData, Page, Row

TITLE_WIDTH = 90


@dataclass
class Loader:
    """Children still to load under a tree node: ``fetch(offset)`` gives the next page."""

    fetch: Callable[[int], Page]
    offset: int = 0
    loaded: bool = False


@dataclass
class MoreRows:
    """The "… N more" row at the end of a partial page."""

    loader: Loader


class FilterBox(Input):
    """The navigator's filter. Escape (or down) leaves it for the matches; while it is empty, ``/`` and
    ``?`` still open search and help instead of being typed, so the box never silently eats a command."""

    BINDINGS = [
        Binding("escape", "leave", "Leave filter", show=False),
        Binding("down", "leave", "To matches", show=False),
    ]

    async def _on_key(self, event: Key) -> None:
        if not self.value and event.character in ("/", "?"):
            event.prevent_default()
            event.stop()
            await self.screen.run_action("search" if event.character == "/" else "help")
            return
        await super()._on_key(event)

    def action_leave(self) -> None:
        navigator = self.query_ancestor(Navigator)
        navigator.show_matches(bool(self.value.strip()))
        target = navigator.query_one("#matches", Tree) if self.value.strip() else navigator.browse_tree
        target.focus()


class NavigatorTree(Tree[object]):
    """Enter opens a node and also expands it; right expands (or steps into) and left collapses (or
    steps out), as in a file browser."""

    BINDINGS = [
        Binding("right", "expand_or_enter", "Expand", show=False),
        Binding("left", "collapse_or_leave", "Collapse", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def action_expand_or_enter(self) -> None:
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if node.is_expanded and node.children:
            self.move_cursor(node.children[0])
        else:
            node.expand()

    def action_collapse_or_leave(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def action_clear_filter(self) -> None:
        box = self.screen.query_one("#filter", Input)
        if box.value:
            box.value = ""
            self.screen.query_one("#browse", Tree).focus()


def row_label(row: Row) -> Text:
    return Text.assemble(
        f"{row.glyph} ", clip(row.title, TITLE_WIDTH), (f"  {row.detail}" if row.detail else "", "dim")
    )


class Navigator(Vertical):
    """Left pane. Posts :class:`Navigator.Chosen` when a node row is selected."""

    ALLOW_MAXIMIZE = True  # m fills the screen with the pane (80×24 terminals)

    @dataclass
    class Chosen(Message):
        node_id: str

    @dataclass
    class Filtered(Message):
        """The filter's matches are on screen."""

        text: str
        total: int

    @dataclass
    class Loaded(Message):
        """The first groups are on screen and the tree takes input (the benchmark waits for this)."""

    @dataclass
    class Restatused(Message):
        """The loaded rows' glyphs were re-read; ``changed`` of them changed."""

        changed: int

    @dataclass
    class Sized(Message):
        """How big the notebook's groups are (inquiries, notes, placeholders, claims)."""

        sizes: dict[str, int]

    def __init__(self, data: NotebookData, **kwargs):
        super().__init__(**kwargs)
        self.data = data
        self.loaders: dict[int, Loader] = {}

    def compose(self) -> ComposeResult:
        yield FilterBox(placeholder="filter titles and claims… (f)", id="filter")
        tree = NavigatorTree("notebook", id="browse")
        tree.show_root = False
        tree.auto_expand = False
        yield tree
        matches = NavigatorTree("matches", id="matches")
        matches.show_root = False
        matches.display = False
        yield matches

    @property
    def browse_tree(self) -> Tree[object]:  # not `tree`: that is DOMNode's debug rendering
        return self.query_one("#browse", Tree)

    def on_mount(self) -> None:
        tree = self.browse_tree
        self.groups = {
            "inquiries": self._group(tree.root, "Inquiries", self.data.inquiries),
            "popular": self._group(tree.root, "Notes by popularity", self.data.popular_notes),
            "status": tree.root.add("Claims by status", data=None),
            "placeholders": self._group(tree.root, "Placeholders to fill", self.data.placeholders),
            "runners": self._group(tree.root, "Claims by runner", self.data.runner_groups),
        }
        self.loaders[self.groups["status"].id] = Loader(fetch=self._status_groups)
        self.groups["inquiries"].expand()
        tree.focus()
        self._load_sizes()

    def _group(self, parent: TreeNode[object], title: str, fetch: Callable[[int], Page]) -> TreeNode[object]:
        node = parent.add(title, data=None)
        self.loaders[node.id] = Loader(fetch=fetch)
        return node

    def _status_groups(self, offset: int) -> Page:
        counts = self.data.claim_status_counts()
        rows = [Row(f"status:{s.value}", s.value, s, f"{counts[s]} claims", True) for s in Status if counts.get(s)]
        return Page(rows, len(rows), offset)

    @work(thread=True, group="navigator-sizes")
    def _load_sizes(self) -> None:
        sizes = self.data.group_sizes()
        labels = {
            "inquiries": f"Inquiries ({sizes['inquiries']})",
            "popular": f"Notes by popularity ({sizes['notes']})",
            "status": f"Claims by status ({sizes['claims']})",
            "placeholders": f"Placeholders to fill ({sizes['placeholders']})",
        }

        def relabel() -> None:
            for key, label in labels.items():
                self.groups[key].set_label(label)

        self.app.call_from_thread(relabel)
        self.post_message(self.Sized(sizes))

    # ---- lazy loading ----------------------------------------------------------------------

    def loader_for(self, node: TreeNode[object]) -> Loader | None:
        if node.id in self.loaders:
            return self.loaders[node.id]
        row = node.data
        if not isinstance(row, Row) or not row.expandable:
            return None
        if row.node_id.startswith("runner:"):
            runner = row.node_id.removeprefix("runner:")

            def fetch(offset: int) -> Page:
                return self.data.runner_claims(runner, offset)
        elif row.node_id.startswith("status:"):
            status = Status(row.node_id.removeprefix("status:"))

            def fetch(offset: int) -> Page:
                return self.data.claims_with_status(status, offset)
        elif kind_of(row.node_id) is NodeKind.INQUIRY:

            def fetch(offset: int) -> Page:
                return self.data.cited_notes(row.node_id, offset)
        else:

            def fetch(offset: int) -> Page:
                return self.data.note_claims(row.node_id)

        self.loaders[node.id] = Loader(fetch=fetch)
        return self.loaders[node.id]

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[object]) -> None:
        loader = self.loader_for(event.node)
        if loader and not loader.loaded:
            loader.loaded = True
            self._fetch(event.node, loader)

    @work(thread=True, group="navigator-load")
    def _fetch(self, node: TreeNode[object], loader: Loader, more: TreeNode[object] | None = None) -> None:
        page = loader.fetch(loader.offset)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._add_page, node, loader, page, more)

    def _add_page(self, node: TreeNode[object], loader: Loader, page: Page, more: TreeNode[object] | None) -> None:
        if more is not None:
            more.remove()
        for row in page.rows:
            if row.expandable:
                node.add(row_label(row), data=row)
            else:
                node.add_leaf(row_label(row), data=row)
        loader.offset = page.offset + len(page.rows)
        if page.remaining:
            node.add_leaf(Text(f"… {page.remaining} more", style="italic"), data=MoreRows(loader))
        if not page.rows and not page.remaining:
            node.add_leaf(Text("(none)", style="dim"), data=None)
        if node is self.groups.get("inquiries"):
            if page.offset == 0 and self.browse_tree.cursor_node in (None, node) and page.rows:
                # enter opens the first inquiry at once (after the refresh that gives the new rows lines)
                self.browse_tree.call_after_refresh(self.browse_tree.move_cursor, node.children[0])
            self.post_message(self.Loaded())
            self._warm_filter()

    @work(thread=True, group="filter-index")
    def _warm_filter(self) -> None:
        """Read every title for the filter once the navigator is usable, so the first keystroke is quick.

        (The knowledge graph is not built here: only the graph views need it, and they build it.)
        """
        self.data.title_index()

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[object]) -> None:
        data = event.node.data
        if isinstance(data, MoreRows):
            event.stop()
            self._fetch(event.node.parent, data.loader, event.node)
        elif isinstance(data, Row) and not data.node_id.startswith(("status:", "runner:")):
            event.stop()
            if event.node.allow_expand and not event.node.is_expanded:
                event.node.expand()  # enter opens the node and shows what is under it
            self.post_message(self.Chosen(data.node_id))
        else:  # a group heading: enter opens and closes it, as space does
            event.node.toggle()

    # ---- filter ----------------------------------------------------------------------------

    def show_matches(self, shown: bool) -> None:
        """Show the filter's matches in place of the tree (or the tree again)."""
        self.query_one("#matches", Tree).display = shown
        self.browse_tree.display = not shown

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text:
            # the tree stays until the matches are ready: swapping the panes then, in the same
            # update as the new rows, lays the screen out once per keystroke instead of twice
            self._filter(text)
        else:
            self.show_matches(False)

    @work(thread=True, exclusive=True, group="navigator-filter")
    def _filter(self, text: str) -> None:
        page = self.data.filter(text)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_matches, text, page)

    def _show_matches(self, text: str, page: Page) -> None:
        if self.query_one("#filter", Input).value.strip() != text:
            return  # typed on (or cleared) since: the newer keystroke's matches follow
        matches = self.query_one("#matches", Tree)
        matches.clear()
        matches.root.set_label(text)
        for row in page.rows:
            matches.root.add(row_label(row), data=row, allow_expand=row.expandable)
        if page.remaining:
            matches.root.add_leaf(Text(f"… {page.remaining} more: type more to narrow", style="italic"))
        if not page.rows:
            matches.root.add_leaf(Text(f"no title contains {text!r}", style="dim"))
        self.show_matches(True)
        matches.cursor_line = 0  # (the tree's lines are rebuilt on reading: no refresh to wait for)
        self.post_message(self.Filtered(text, page.total))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.show_matches(bool(event.value.strip()))
        self.query_one("#matches", Tree).focus()

    def refresh_statuses(self) -> None:
        """Re-read the glyphs of every loaded row, inquiries, notes and claims alike (a run started or
        finished: the claim's status changes and so does every note and inquiry above it)."""
        self._restatus(
            [
                n
                for n in self._loaded_nodes()
                if isinstance(n.data, Row) and not n.data.node_id.startswith(("status:", "runner:"))
            ]
        )

    def _loaded_nodes(self) -> list[TreeNode[object]]:
        out = []
        for tree in self.query(Tree):
            stack = list(tree.root.children)
            while stack:
                node = stack.pop()
                out.append(node)
                stack.extend(node.children)
        return out

    @work(thread=True, exclusive=True, group="navigator-status")
    def _restatus(self, nodes: list[TreeNode[object]]) -> None:
        rows = [(node, node.data) for node in nodes if isinstance(node.data, Row)]  # callers pass Row nodes
        statuses = self.data.statuses_of(list({row.node_id for _, row in rows}))
        updates = []
        for node, row in rows:
            status, label = statuses.get(row.node_id, (row.status, None))
            detail = row.detail
            if label is not None:  # an inquiry: its counts label, then what followed it ("12 notes")
                detail = f"{label} · {row.detail.rsplit(' · ', 1)[-1]}" if " · " in row.detail else label
            if status is not row.status or detail != row.detail:
                updates.append((node, Row(row.node_id, row.title, status, detail, row.expandable)))
        self.app.call_from_thread(self._apply_status, updates)

    def _apply_status(self, updates: list[tuple[TreeNode[object], Row]]) -> None:
        for node, row in updates:
            node.data = row
            node.set_label(row_label(row))
        self.post_message(self.Restatused(len(updates)))
