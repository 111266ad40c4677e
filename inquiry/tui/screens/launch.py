"""Launch a reproduction from a claim: pick a runner (suggested ones first) and fill its config form.

The dialog opens at once saying "loading runners…": discovering the runners imports their modules
(torch, transformers: seconds on a cold start), so that happens in a thread worker and the form
appears when it is done.

The form is generated from the runner's pydantic ``Config``: one input per field with the preset's
value in place, the field's description, unit and bounds beside it. Launch validates the whole
config with pydantic; every bad field gets its message inline and nothing starts. A valid config
goes to the run launcher, which records the run and starts a detached worker; the screen returns
the new run's id.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, LoadingIndicator, Select, Static

from ...errors import InquiryError
from ...models import Claim, SpecState
from ...runners import registry
from ...runners.api import Runner
from ...runs import launcher
from ..data import NotebookData


def as_text(value: Any) -> str:
    """How a config value is written in its input box (JSON for anything but strings)."""
    return value if isinstance(value, str) else json.dumps(value)


def from_text(text: str, preset_value: Any) -> Any:
    """The value typed in a box: strings stay strings; anything else is read as JSON when it parses,
    and otherwise left as text for pydantic to reject with its own message."""
    if isinstance(preset_value, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def bounds(info: Any) -> str:
    words = []
    for item in info.metadata:
        for name, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            if getattr(item, name, None) is not None:
                words.append(f"{sign} {getattr(item, name)}")
    return ", ".join(words)


def ranked_runners(claim: Claim, suggested: list[str]) -> list[tuple[Runner, bool]]:
    """Installed runners, the claim's own reproduction specs first, then by how well their claim wording fits."""
    runners = registry.available()
    def rank(runner: Runner) -> tuple[int, int, str]:
        return (-(runner.name in suggested), -runner.suitability(claim.text), runner.name)
    ordered = sorted(runners.values(), key=rank)
    return [(r, r.name in suggested or r.suitability(claim.text) > 0) for r in ordered]


class LaunchScreen(ModalScreen[str | None]):
    """Returns the new run's id, or ``None`` when closed without launching."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, data: NotebookData, claim: Claim):
        super().__init__()
        self.data = data
        self.claim = claim
        self.specs: list = []
        self.runners: list[tuple[Runner, bool]] = []
        self.preset_values: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="launch-dialog", classes="dialog"):
            yield Label("Launch a reproduction", classes="dialog-title")
            yield Static(self.claim.text, classes="dialog-claim")
            with Vertical(id="launch-loading"):
                yield Label("loading runners…")
                yield LoadingIndicator()

    def on_mount(self) -> None:
        self._load_runners()

    @work(thread=True, exclusive=True, group="launch-runners")
    def _load_runners(self) -> None:
        with self.data.read() as nb:
            specs = [s for s in nb.specs(self.claim.id) if s.state is not SpecState.REJECTED]
        runners = ranked_runners(self.claim, [s.runner for s in specs])  # imports the runner modules
        self.app.call_from_thread(self._runners_loaded, specs, runners)

    async def _runners_loaded(self, specs: list, runners: list[tuple[Runner, bool]]) -> None:
        self.specs, self.runners = specs, runners
        dialog = self.query_one("#launch-dialog", Vertical)
        await self.query_one("#launch-loading").remove()
        if not runners:
            await dialog.mount_all([Label("No runners are installed, so there is nothing to launch.", id="launch-error"),
                                    Button("Close", id="close")])
            return
        runner_select: Select[str] = Select(
            [(f"{r.name}: {r.title}" + ("  (suggested)" if good else ""), r.name) for r, good in runners],
            value=runners[0][0].name, allow_blank=False, id="runner")
        with runner_select.prevent(Select.Changed):
            await dialog.mount_all([
                runner_select,
                Horizontal(Select([("default", "default")], value="default", allow_blank=False, id="preset"),
                           Label("seed", classes="field-name"), Input("0", id="seed", classes="seed"),
                           id="launch-row"),
                VerticalScroll(id="form"),
                Label("", id="launch-error"),
                Horizontal(Button("Launch", variant="primary", id="launch"), Button("Cancel", id="close"),
                           classes="buttons")])
        await self._runner_chosen(runners[0][0].name)

    @property
    def runner(self) -> Runner:
        return registry.get(self.query_one("#runner", Select).value)

    @on(Select.Changed, "#runner")
    async def _runner_changed(self, event: Select.Changed) -> None:
        await self._runner_chosen(str(event.value))

    async def _runner_chosen(self, name: str) -> None:
        runner = registry.get(name)
        spec = next((s for s in self.specs if s.runner == name), None)
        presets = list(runner.presets)
        preset = spec.preset if spec and spec.preset in presets else ("default" if "default" in presets else presets[0])
        select = self.query_one("#preset", Select)
        with select.prevent(Select.Changed):
            select.set_options([(p, p) for p in presets])
            select.value = preset
        await self._build_form(preset, spec.overrides if spec else {})

    @on(Select.Changed, "#preset")
    async def _preset_changed(self, event: Select.Changed) -> None:
        await self._build_form(str(event.value), {})

    async def _build_form(self, preset: str, overrides: dict[str, Any]) -> None:
        runner = self.runner
        self.preset_values = registry.resolve_config(runner, preset).model_dump(mode="json")
        values = {**self.preset_values, **overrides}
        form = self.query_one("#form", VerticalScroll)
        await form.remove_children()
        rows = []
        for name, info in runner.Config.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            unit, limits = extra.get("unit", ""), bounds(info)
            hint = " · ".join(x for x in (info.description or "", unit and f"unit: {unit}", limits) if x)
            rows.append(Vertical(
                Horizontal(Label(name, classes="field-name"),
                           Input(as_text(values.get(name)), id=f"field-{name}", classes="field-input")),
                Static(hint, classes="field-hint"),
                Label("", id=f"error-{name}", classes="field-error"),
                classes="field"))
        await form.mount_all(rows)
        self.query_one("#launch-error", Label).update("")

    def config_overrides(self) -> dict[str, Any]:
        """The fields whose typed value differs from the preset (what the run record calls overrides)."""
        out = {}
        for name in self.runner.Config.model_fields:
            value = from_text(self.query_one(f"#field-{name}", Input).value, self.preset_values.get(name))
            if value != self.preset_values.get(name):
                out[name] = value
        return out

    def validate(self) -> dict[str, str]:
        """Every field error from pydantic, by field name; shown under the fields."""
        errors: dict[str, str] = {}
        try:
            self.runner.Config.model_validate({**self.preset_values, **self.config_overrides()})
        except ValidationError as exc:
            for error in exc.errors():
                errors.setdefault(str(error["loc"][0]) if error["loc"] else "config", error["msg"])
        seed = self.query_one("#seed", Input).value.strip()
        if not seed.lstrip("-").isdigit():
            errors["seed"] = "seed must be a whole number"
        for name in self.runner.Config.model_fields:
            self.query_one(f"#error-{name}", Label).update(errors.get(name, ""))
        self.query_one("#launch-error", Label).update(
            f"{len(errors)} field(s) need fixing; nothing was started." + (f" {errors['seed']}." if "seed" in errors
                                                                           else "") if errors else "")
        return errors

    @on(Button.Pressed, "#launch")
    def _launch_pressed(self) -> None:
        if not self.validate():
            self._launch(self.runner.name, str(self.query_one("#preset", Select).value), self.config_overrides(),
                         int(self.query_one("#seed", Input).value))

    @work(thread=True, exclusive=True, group="launch")
    def _launch(self, runner: str, preset: str, overrides: dict[str, Any], seed: int) -> None:
        try:
            with self.data.read() as nb:
                run_id = launcher.launch(nb, self.claim.id, runner, preset, overrides, seed)
        except InquiryError as exc:
            self.app.call_from_thread(self.query_one("#launch-error", Label).update, f"Not started: {exc}")
            return
        self.app.call_from_thread(self.dismiss, run_id)

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
