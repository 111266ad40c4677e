"""Launch a reproduction from a claim: pick a runner (suggested ones first), a preset, and adjust its config.

The dialog opens at once saying "loading runners…": discovering the runners imports their modules
(torch, transformers: seconds on a cold start), so that happens in a thread worker (the app warms it
in the background after start-up, so it is usually instant) and the form appears when it is done.

The form is generated from the runner's pydantic ``Config``, in sections: **what is tested** (the
claim and the runner's registered hypothesis), **science knobs** (the runner's own fields),
**checkpoints and data** (paths of the GPU path, collapsed) and **resources** (device, threads…,
collapsed). Choices are ``Select``s, booleans ``Switch``es, paths are checked to exist. Each preset
shows how long its runs took in this notebook. ctrl+s, or enter in the last field, launches; a
bad config lists its fields at the top, focuses the first one and starts nothing. Launching shows
a busy sign until the run is recorded and its worker started; the screen returns the new run's id.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import typing
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Collapsible, Input, Label, LoadingIndicator, Select, Static, Switch

from ...errors import InquiryError
from ...models import Claim, RunStatus, SpecState
from ...runners import registry
from ...runners.api import Runner, RunnerConfig
from ...runs import launcher, records
from ..data import NotebookData

RESOURCE_FIELDS = frozenset(RunnerConfig.model_fields)
# Fields mounted with the form; the rest of an open section follows right after the first paint, and a
# collapsed section's fields when it is opened. Mounting every field of a 40-field runner at once
# (Selects, Switches, labels: ~200 widgets to style and lay out) took seconds on a loaded machine.
FIRST_FIELDS = 10


class FormSelect(Select):
    """A ``Select`` that tolerates its value being shown before its own label is mounted (seen on a
    loaded machine when a form of many selects is mounted at once: Textual raised NoMatches)."""

    def _watch_value(self, value: Any) -> None:
        try:
            super()._watch_value(value)
        except NoMatches:
            self.call_after_refresh(self._watch_value, value)


def as_text(value: Any) -> str:
    """How a config value is written in its input box (JSON for anything but strings; nothing for None)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def from_text(text: str, preset_value: Any) -> Any:
    """The value typed in a box: strings stay strings; an empty box is None where the preset's is None;
    anything else is read as JSON when it parses, and otherwise left as text for pydantic to reject."""
    if preset_value is None and not text.strip():
        return None
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


def choices(annotation: Any) -> list[str] | None:
    """The allowed values of a ``Literal`` field (also inside ``Optional``), else None."""
    if typing.get_origin(annotation) is Literal:
        return [str(a) for a in typing.get_args(annotation)]
    for arg in typing.get_args(annotation):
        found = choices(arg)
        if found:
            return found
    return None


def is_path(name: str) -> bool:
    return name.endswith(("_path", "_checkpoint", "checkpoint", "_dir"))


def section_of(name: str) -> str:
    if name in RESOURCE_FIELDS:
        return "resources"
    if is_path(name) or name in ("dtype",):
        return "paths"
    return "science"


def ranked_runners(claim: Claim, suggested: list[str]) -> list[tuple[Runner, bool]]:
    """Installed runners, the claim's own reproduction specs first, then by how well their claim wording fits."""
    runners = registry.available()

    def rank(runner: Runner) -> tuple[int, int, str]:
        return (-(runner.name in suggested), -runner.suitability(claim.text), runner.name)

    ordered = sorted(runners.values(), key=rank)
    return [(r, r.name in suggested or r.suitability(claim.text) > 0) for r in ordered]


def duration(seconds: float) -> str:
    """``45 s``, ``3 min 12 s``."""
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def preset_times(runs: list) -> dict[tuple[str, str], tuple[float, int]]:
    """Median wall time of the succeeded runs per (runner, preset), and how many were timed."""
    times: dict[tuple[str, str], list[float]] = {}
    for run in runs:
        if run.status is RunStatus.SUCCEEDED and run.started and run.ended:
            took = (datetime.fromisoformat(run.ended) - datetime.fromisoformat(run.started)).total_seconds()
            times.setdefault((run.runner, run.preset or "default"), []).append(took)
    return {key: (statistics.median(v), len(v)) for key, v in times.items()}


class LaunchScreen(ModalScreen[str | None]):
    """Returns the new run's id, or ``None`` when closed without launching."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="launch.close"),
        Binding("ctrl+s", "launch", "Launch", id="launch.go", priority=True),
    ]

    # the preset last chosen per runner, for this app session
    last_preset: dict[str, str] = {}

    def __init__(self, data: NotebookData, claim: Claim):
        super().__init__()
        self.data = data
        self.claim = claim
        self.specs: list = []
        self.runners: list[tuple[Runner, bool]] = []
        self.preset_values: dict[str, Any] = {}
        self.times: dict[tuple[str, str], tuple[float, int]] = {}
        self.field_order: list[str] = []  # empty until the form is mounted
        self.order: list[str] = []
        self.values: dict[str, Any] = {}  # what each field holds until its widget is mounted
        self.unmounted: dict[str, list[str]] = {}  # section → fields not mounted yet
        self.errors: dict[str, str] = {}
        self.launching = False
        self.built: tuple[str, str] | None = None
        self.building = asyncio.Lock()

    def compose(self) -> ComposeResult:
        with Vertical(id="launch-dialog", classes="dialog"):
            yield Label("Launch a reproduction  ·  ctrl+s launches  ·  escape closes", classes="dialog-title")
            yield Label("", id="launch-error")
            with Vertical(id="launch-loading"):
                yield Label("loading runners…")
                yield LoadingIndicator()

    def on_mount(self) -> None:
        self._load_runners()

    @work(thread=True, exclusive=True, group="launch-runners")
    def _load_runners(self) -> None:
        with self.data.locked() as nb:
            specs = [s for s in nb.specs(self.claim.id) if s.state is not SpecState.REJECTED]
            times = preset_times(records.list_runs(nb))
        runners = ranked_runners(self.claim, [s.runner for s in specs])  # imports the runner modules
        # an async callback is awaited there; mypy cannot solve call_from_thread's return type for it
        self.app.call_from_thread(self._runners_loaded, specs, runners, times)  # type: ignore[arg-type]

    async def _runners_loaded(self, specs: list, runners: list[tuple[Runner, bool]], times) -> None:
        if not self.is_attached:  # closed (or the app quit) while the runners loaded
            return
        self.specs, self.runners, self.times = specs, runners, times
        dialog = self.query_one("#launch-dialog", Vertical)
        if not runners:
            await self.query_one("#launch-loading").remove()
            await dialog.mount_all(
                [
                    Label("No runners are installed, so there is nothing to launch.", id="no-runners"),
                    Button("Close", id="close"),
                ]
            )
            return
        first = runners[0][0]
        preset, overrides = self._first_preset(first)
        runner_select: Select[str] = FormSelect(
            [(f"{r.name}: {r.title}" + ("  (suggested)" if good else ""), r.name) for r, good in runners],
            value=first.name,
            allow_blank=False,
            id="runner",
            compact=True,
        )
        preset_select: Select[str] = FormSelect(
            [(self._preset_label(first, p), p) for p in first.presets],
            value=preset,
            allow_blank=False,
            id="preset",
            compact=True,
        )
        # the rows and the first runner's form in one mount: each separate mount costs a layout and a frame
        async with self.building:
            blocks = self._form_blocks(first, preset, overrides)
            with runner_select.prevent(Select.Changed), preset_select.prevent(Select.Changed), self.app.batch_update():
                await self.query_one("#launch-loading").remove()
                await dialog.mount_all(
                    [
                        Horizontal(Label("runner", classes="row-name"), runner_select, classes="launch-row"),
                        Horizontal(
                            Label("preset", classes="row-name"),
                            preset_select,
                            Label("seed", classes="seed-name"),
                            Input("0", id="seed", classes="seed -valid", compact=True, type="integer"),
                            classes="launch-row",
                        ),
                        VerticalScroll(*blocks, id="form"),
                        Horizontal(
                            Button("Launch (ctrl+s)", variant="primary", id="launch", compact=True),
                            Button("Cancel", id="close", compact=True),
                            Label("", id="launch-busy"),
                            classes="buttons",
                        ),
                    ]
                )
            self._form_ready()

    @property
    def runner(self) -> Runner:
        name = self.query_one("#runner", Select).value
        assert isinstance(name, str)  # the runner select allows no blank
        return registry.get(name)

    @on(Select.Changed, "#runner")
    async def _runner_changed(self, event: Select.Changed) -> None:
        if self.built and self.built[0] == str(event.value):
            return  # the form already shows this runner (a select echoes its value once mounted)
        await self._runner_chosen(str(event.value))

    def _preset_label(self, runner: Runner, preset: str) -> str:
        timed = self.times.get((runner.name, preset))
        when = f"~{duration(timed[0])} here (median of {timed[1]})" if timed else "not timed here yet"
        evidence = "" if runner.counts_as_evidence(preset) else ", not evidence"
        return f"{preset} · {when}{evidence}"

    def _first_preset(self, runner: Runner) -> tuple[str, dict[str, Any]]:
        """The preset a runner's form opens on (the one last chosen, else its spec's, else ``default``)
        and the claim's spec overrides for it."""
        spec = next((s for s in self.specs if s.runner == runner.name), None)
        presets = list(runner.presets)
        remembered = self.last_preset.get(runner.name)
        preset = (
            remembered
            if remembered in presets
            else spec.preset
            if spec and spec.preset in presets
            else ("default" if "default" in presets else presets[0])
        )
        return preset, (spec.overrides if spec else {})

    async def _runner_chosen(self, name: str) -> None:
        runner = registry.get(name)
        preset, overrides = self._first_preset(runner)
        select = self.query_one("#preset", Select)
        with select.prevent(Select.Changed):
            select.set_options([(self._preset_label(runner, p), p) for p in runner.presets])
            select.value = preset
        await self._build_form(preset, overrides)

    @on(Select.Changed, "#preset")
    async def _preset_changed(self, event: Select.Changed) -> None:
        if (self.runner.name, str(event.value)) == self.built:
            return  # the form already shows this preset (set_options echoes a change)
        self.last_preset[self.runner.name] = str(event.value)
        await self._build_form(str(event.value), {})

    def _field(self, name: str, info: Any, value: Any) -> Widget:
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        unit, limits = extra.get("unit", ""), bounds(info)
        hint = " · ".join(x for x in (info.description or "", unit and f"unit: {unit}", limits) if x)
        options = choices(info.annotation)
        if options:
            editor: Widget = FormSelect(
                [(o, o) for o in options],
                value=str(value) if str(value) in options else options[0],
                allow_blank=False,
                id=f"field-{name}",
                compact=True,
                classes="field-input",
            )
        elif isinstance(value, bool) or info.annotation is bool:
            editor = Switch(bool(value), id=f"field-{name}", classes="field-switch")
        else:
            editor = Input(
                as_text(value),
                id=f"field-{name}",
                # "-valid" up front: the Input sets it on its first value, and setting a class restyles
                # the widget at once (a whole stylesheet pass per field, before it is even mounted)
                classes="field-input -valid",
                compact=True,
                placeholder="(empty: not used)" if value in (None, "") else "",
            )
        error = Label(self.errors.get(name, ""), id=f"error-{name}", classes="field-error")
        error.display = name in self.errors
        return Vertical(
            Label(Text.assemble((name, "bold"), "  ", (hint, "dim")), classes="field-name"),
            editor,
            error,
            classes="field",
        )

    async def _build_form(self, preset: str, overrides: dict[str, Any]) -> None:
        async with self.building:  # one build at a time: a rebuild must not remove widgets still mounting
            await self._build_form_now(preset, overrides)

    async def _build_form_now(self, preset: str, overrides: dict[str, Any]) -> None:
        blocks = self._form_blocks(self.runner, preset, overrides)
        form = self.query_one("#form", VerticalScroll)
        with self.app.batch_update():  # one frame for the whole form, not one per mounted field
            await form.remove_children()
            await form.mount_all(blocks)
        self._form_ready()

    def _form_blocks(self, runner: Runner, preset: str, overrides: dict[str, Any]) -> list[Widget]:
        """The form's sections for a runner and preset (only their first fields: see FIRST_FIELDS)."""
        self.built = (runner.name, preset)
        self.preset_values = registry.resolve_config(runner, preset).model_dump(mode="json")
        values = self.values = {**self.preset_values, **overrides}
        self.errors = {}
        self.field_order = []
        fields = runner.Config.model_fields
        sections: dict[str, list[str]] = {"science": [], "paths": [], "resources": []}
        for name, _info in fields.items():
            sections[section_of(name)].append(name)
        self.order = sections["science"] + sections["paths"] + sections["resources"]
        try:
            registration = runner.registration()
            tested = ("Hypothesis: ", registration.hypothesis)
        except Exception:
            tested = ("Runner: ", runner.title)
        evidence = (
            "Its verdict counts as evidence about the claim."
            if runner.counts_as_evidence(preset)
            else f"Preset {preset!r} is a check: its verdict is shown but never decides the claim."
        )
        blocks: list[Widget] = [
            Collapsible(
                Static(
                    Text.assemble(
                        ("Claim: ", "bold"), self.claim.text, "\n", (tested[0], "bold"), tested[1], "\n", evidence
                    ),
                    classes="tested",
                ),
                title="What is tested",
                id="section-tested",
                # on a short terminal the knobs come first; the section opens on enter
                collapsed=self.app.size.height < 30,
            )
        ]
        titles = {
            "science": ("Science knobs", False),
            "paths": ("Checkpoints and data (the GPU path)", True),
            "resources": ("Resources", True),
        }
        self.unmounted = {}
        for key, names in sections.items():
            if names:
                title, collapsed = titles[key]
                now = [] if collapsed else names[:FIRST_FIELDS]
                self.unmounted[key] = names[len(now) :]
                blocks.append(
                    Collapsible(
                        *[self._field(n, fields[n], values.get(n)) for n in now],
                        title=f"{title} ({len(names)})",
                        collapsed=collapsed,
                        id=f"section-{key}",
                    )
                )
        return blocks

    def _form_ready(self) -> None:
        self.field_order = self.order  # set last: the form is ready (tests and the benchmark wait for it)
        self._summarise({})
        self.call_after_refresh(self._mount_rest, self.built)

    def _mount_rest(self, built: tuple[str, str] | None) -> None:
        """After the first paint: the open sections' remaining fields (not when the form was rebuilt since)."""
        if built == self.built and self.is_attached:
            for key in list(self.unmounted):
                if not self.query_one(f"#section-{key}", Collapsible).collapsed:
                    self._mount_section_soon(key)

    def _mount_section_soon(self, key: str) -> None:
        """Mount a section's remaining fields in a worker, after any form build under way: a build
        removes the sections, and a field mounted into a removed section breaks (Select's mount)."""

        async def mount() -> None:
            async with self.building:
                if self.is_attached:
                    await self._mount_section(key)

        self.run_worker(mount(), group="launch-sections")

    async def _mount_section(self, key: str) -> None:
        """Mount the fields of a section that are not mounted yet, after those that are.

        Called under :attr:`building` (by :meth:`_mount_section_soon`), or from the screen's own key
        handlers, which never run during a build started by another handler.
        """
        names = self.unmounted.pop(key, [])
        if names:
            fields = self.runner.Config.model_fields
            section = self.query_one(f"#section-{key}", Collapsible)
            with self.app.batch_update():
                await section.query_one(Collapsible.Contents).mount_all(
                    [self._field(n, fields[n], self.values.get(n)) for n in names]
                )

    @on(Collapsible.Expanded)
    def _section_opened(self, event: Collapsible.Expanded) -> None:
        key = (event.collapsible.id or "").removeprefix("section-")
        if key in self.unmounted:  # (also posted when an open section mounts: its rest waits for the first paint)
            self.call_after_refresh(self._mount_section_soon, key)

    def section_unmounted(self, name: str) -> str | None:
        """The section whose fields (``name`` among them) are still to be mounted, if any."""
        return next((key for key, names in self.unmounted.items() if name in names), None)

    def _value(self, name: str) -> Any:
        if self.section_unmounted(name):  # not mounted yet: what its widget would give (see _field)
            value, info = self.values.get(name), self.runner.Config.model_fields[name]
            options = choices(info.annotation)
            if options:
                return str(value) if str(value) in options else options[0]
            if isinstance(value, bool) or info.annotation is bool:
                return bool(value)
            return from_text(as_text(value), self.preset_values.get(name))
        widget = self.query_one(f"#field-{name}")
        if isinstance(widget, Switch):
            return widget.value
        if isinstance(widget, Select):
            return widget.value
        assert isinstance(widget, Input)  # the third kind of field editor
        return from_text(widget.value, self.preset_values.get(name))

    def config_overrides(self) -> dict[str, Any]:
        """The fields whose value differs from the preset (what the run record calls overrides)."""
        out = {}
        for name in self.runner.Config.model_fields:
            value = self._value(name)
            if value != self.preset_values.get(name):
                out[name] = value
        return out

    def validate(self) -> dict[str, str]:
        """Every field error (pydantic's, and paths that do not exist), by field name; shown under the
        fields and summarised at the top."""
        errors: dict[str, str] = {}
        try:
            self.runner.Config.model_validate({**self.preset_values, **self.config_overrides()})
        except ValidationError as exc:
            for error in exc.errors():
                errors.setdefault(str(error["loc"][0]) if error["loc"] else "config", error["msg"])
        for name in self.runner.Config.model_fields:
            value = self._value(name)
            if (
                is_path(name)
                and isinstance(value, str)
                and value.strip()
                and name not in errors
                and not Path(value).expanduser().exists()
            ):
                errors[name] = f"no such file or folder: {value}"
        seed = self.query_one("#seed", Input).value.strip()
        if not seed.lstrip("-").isdigit():
            errors["seed"] = "seed must be a whole number"
        self.errors = errors  # (a field mounted later shows its error too)
        for name in self.runner.Config.model_fields:
            if not self.section_unmounted(name):
                label = self.query_one(f"#error-{name}", Label)
                label.update(errors.get(name, ""))
                label.display = name in errors
        self._summarise(errors)
        return errors

    def _summarise(self, errors: dict[str, str]) -> None:
        summary = self.query_one("#launch-error", Label)
        summary.display = bool(errors)
        if errors:
            names = [n for n in ["seed", "config"] + self.field_order if n in errors]
            summary.update(
                f"{len(errors)} {'fields need' if len(errors) != 1 else 'field needs'} fixing, nothing was started: "
                + "; ".join(f"{n}: {errors[n]}" for n in names[:3])
                + (" …" if len(names) > 3 else "")
            )

    async def _jump_to(self, name: str) -> None:
        """Open the field's section and focus the field, scrolled into view."""
        if name == "seed" or name == "config":
            self.query_one("#seed" if name == "seed" else "#runner").focus()
            return
        section = self.section_unmounted(name)
        if section:
            await self._mount_section(section)
        widget = self.query_one(f"#field-{name}")
        for ancestor in widget.ancestors:
            if isinstance(ancestor, Collapsible):
                ancestor.collapsed = False
        widget.focus()
        self.call_after_refresh(widget.scroll_visible, animate=False)

    def _is_text_field(self, name: str) -> bool:
        if self.section_unmounted(name):  # as _field will build it
            info = self.runner.Config.model_fields[name]
            return not choices(info.annotation) and not (
                isinstance(self.values.get(name), bool) or info.annotation is bool
            )
        return isinstance(self.query_one(f"#field-{name}"), Input)

    @on(Input.Submitted)
    async def _submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; in the last one it launches."""
        event.stop()
        name = (event.input.id or "").removeprefix("field-")
        later = self.field_order[self.field_order.index(name) + 1 :] if name in self.field_order else self.field_order
        following = next((n for n in later if self._is_text_field(n)), None)
        if following is None:
            await self.action_launch()
        else:
            await self._jump_to(following)

    @on(Button.Pressed, "#launch")
    async def action_launch(self) -> None:
        if self.launching or not self.runners:
            return
        errors = self.validate()
        if errors:
            first = next(n for n in ["seed", "config"] + self.field_order if n in errors)
            await self._jump_to(first)
            return
        self.launching = True
        self.query_one("#launch", Button).disabled = True
        self.query_one("#launch-busy", Label).update("starting the run…")
        self._launch(
            self.runner.name,
            str(self.query_one("#preset", Select).value),
            self.config_overrides(),
            int(self.query_one("#seed", Input).value),
        )

    @work(thread=True, exclusive=True, group="launch")
    def _launch(self, runner: str, preset: str, overrides: dict[str, Any], seed: int) -> None:
        try:
            with self.data.locked() as nb:
                run_id = launcher.launch(nb, self.claim.id, runner, preset, overrides, seed)
        except InquiryError as exc:
            self.app.call_from_thread(self._failed, f"Not started: {exc}")
            return
        self.app.call_from_thread(self.dismiss, run_id)

    def _failed(self, message: str) -> None:
        self.launching = False
        self.query_one("#launch", Button).disabled = False
        self.query_one("#launch-busy", Label).update("")
        summary = self.query_one("#launch-error", Label)
        summary.display = True
        summary.update(message)

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
