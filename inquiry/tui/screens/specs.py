"""Review a claim's reproduction specs: which runner tests it and what the claim predicts of the verdict.

The same actions as ``inquiry specs``: ``a`` accepts the highlighted spec (its runs now count), ``x``
rejects it, ``s`` / ``o`` set what the claim predicts (``supports`` / ``contradicts``; the spec becomes
accepted). Each change recomputes the claim's status (:mod:`inquiry.runs.status`), shown at the top.
Returns whether anything changed, so the main screen can redraw the claim.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ...models import ReproSpec, SpecState, Verdict
from ...runs import status as claim_status
from ..data import NotebookData


def spec_label(spec: ReproSpec) -> str:
    """One line per spec: state, runner, preset, prediction, who made it, the part it tests.

    >>> spec_label(ReproSpec(id=3, claim_id="claim:a/1", runner="rlvr", state="suggested", provenance="rule:r"))
    '#3 suggested  rlvr · default · predicts supports  (rule:r)'
    """
    part = f"  part {spec.part}: {spec.part_text}" if spec.part_text else ""
    return (
        f"#{spec.id} {spec.state.value}  {spec.runner} · {spec.preset} · predicts {spec.predicts.value}"
        f"  ({spec.provenance}){part}"
    )


class SpecsScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("a", "decide('accepted')", "Accept"),
        Binding("x", "decide('rejected')", "Reject"),
        Binding("s", "predict('supports')", "Predicts supports"),
        Binding("o", "predict('contradicts')", "Predicts contradicts"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, data: NotebookData, claim_id: str):
        super().__init__()
        self.data = data
        self.claim_id = claim_id
        self.specs: list[ReproSpec] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="specs-dialog", classes="dialog"):
            yield Label("Reproduction specs", classes="dialog-title")
            yield Label("", id="specs-status")
            yield OptionList(id="specs-list")
            yield Label(
                "a accept · x reject · s predicts supports · o predicts contradicts · esc close", id="specs-keys"
            )

    def on_mount(self) -> None:
        self._show()
        self.query_one("#specs-list", OptionList).focus()

    def _show(self) -> None:
        with self.data.locked() as nb:
            self.specs = nb.specs(self.claim_id)
            found = claim_status.evidence(nb, self.claim_id)
            claim = nb.get_claim(self.claim_id)
            text = claim.text if claim is not None else self.claim_id
        self.query_one("#specs-status", Label).update(f"{text}\nstatus: {found.status.value} ({found.describe()})")
        options = self.query_one("#specs-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            [Option(spec_label(s), id=str(s.id)) for s in self.specs]
            or [Option("No specs: add one with `inquiry specs add CLAIM --runner R --predicts …`", disabled=True)]
        )
        if self.specs:
            options.highlighted = min(highlighted or 0, len(self.specs) - 1)

    def _selected(self) -> ReproSpec | None:
        index = self.query_one("#specs-list", OptionList).highlighted
        return self.specs[index] if self.specs and index is not None and index < len(self.specs) else None

    def _write(self, update: dict) -> None:
        spec = self._selected()
        if spec is None:
            self.notify("No spec selected.", severity="warning")
            return
        with self.data.locked() as nb:
            nb.update_spec(spec.model_copy(update={**update, "provenance": "user"}))
            claim_status.refresh(nb, self.claim_id)
        self.changed = True
        self._show()

    def action_decide(self, state: str) -> None:
        self._write({"state": SpecState(state)})

    def action_predict(self, verdict: str) -> None:
        self._write({"predicts": Verdict(verdict), "state": SpecState.ACCEPTED})

    def action_close(self) -> None:
        self.dismiss(self.changed)
