"""``inquiry specs``: review which runner tests a claim and what the claim predicts of its verdict.

    inquiry specs CLAIM                                  the claim's specs, its status and why
    inquiry specs NOTE                                   the same for each of the note's claims
    inquiry specs accept ID | reject ID                  a person decides on a suggested spec
    inquiry specs edit ID --predicts contradicts [--runner R] [--preset P]
    inquiry specs add CLAIM --runner R --predicts supports [--preset P] [--part N]

Every change recomputes the claim's status (:mod:`inquiry.runs.status`). Bad input (an unknown
claim, spec or runner, a prediction that is not ``supports``/``contradicts``) is one line on stderr,
exit status 1, and nothing changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..errors import InquiryError, NotFound
from .output import State, emit, output_options
from .runs import _claim_ref

if TYPE_CHECKING:
    from ..models import ReproSpec, SpecState, Verdict
    from ..store import Notebook


class SpecsGroup(click.Group):
    """``inquiry specs CLAIM`` shows a claim; ``inquiry specs accept ID`` … change a spec."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # the group's own options are flags (--json, --help), so the first other word names the command
        first = next((i for i, arg in enumerate(args) if not arg.startswith("-")), None)
        if first is not None and args[first] not in self.commands:
            args = [*args[:first], "show", *args[first:]]
        return super().parse_args(ctx, args)


def _prediction(word: str) -> Verdict:
    from ..models import Verdict

    if word not in (Verdict.SUPPORTS.value, Verdict.CONTRADICTS.value):
        raise InquiryError(f"--predicts must be supports or contradicts, not {word!r}")
    return Verdict(word)


def _runner_preset(runner_name: str, preset: str | None) -> str:
    """The preset to record, after checking that the runner is installed and has it."""
    from ..runners import registry

    try:
        runner = registry.get(runner_name)
    except InquiryError:
        installed = ", ".join(sorted(registry.available())) or "none"
        raise InquiryError(f"no runner named {runner_name!r} (installed: {installed})") from None
    preset = preset or "default"
    if preset not in runner.presets:
        raise InquiryError(
            f"runner {runner_name} has no preset {preset!r} (its presets: {', '.join(sorted(runner.presets))})"
        )
    return preset


def _spec(nb: Notebook, spec_id: str) -> ReproSpec:
    try:
        spec = nb.get_spec(int(spec_id.removeprefix("spec:")))
    except ValueError:
        spec = None
    if spec is None:
        raise InquiryError(f"no spec with id {spec_id} (list a claim's specs with `inquiry specs CLAIM`)")
    return spec


def spec_line(spec: ReproSpec, why_not: str | None = None) -> str:
    """``#3 accepted  rlvr --preset default  predicts supports  (rule:rlvr-passk)``"""
    part = f"  part {spec.part}: {spec.part_text!r}" if spec.part_text else ""
    return (
        f"#{spec.id} {spec.state.value:<9} {spec.runner} --preset {spec.preset}  predicts {spec.predicts.value}"
        f"  ({spec.provenance}){part}"
    )


def claim_report(nb: Notebook, claim_id: str) -> tuple[dict[str, Any], str]:
    """The claim's specs, status and runs counted or not, as JSON data and as text."""
    from ..models import SpecState
    from ..runs import status as claim_status

    found = claim_status.evidence(nb, claim_id)
    claim = nb.get_claim(claim_id)
    if claim is None:
        raise NotFound(f"no claim with id {claim_id}")
    specs = nb.specs(claim_id)
    tests = {p.spec.id: p for p in found.parts}
    data = {
        "claim": claim_id,
        "text": claim.text,
        "status": found.status.value,
        "runs": found.describe(),
        "imported_from": found.imported_from if found.imported else None,
        "specs": [
            {
                **s.model_dump(mode="json"),
                "status": tests[s.id].status.value if s.id in tests else None,
                "tests": [
                    {"runs": t.runs, "seeds": t.seeds, "verdict": t.verdict, "status": t.status.value}
                    for t in (tests[s.id].tests if s.id in tests else [])
                ],
            }
            for s in specs
        ],
        "not_counted": found.not_counted,
    }
    lines = [f"{claim_id}: {found.status.value} ({found.describe()})", f"  {claim.text}"]
    if found.imported:
        lines.append(f"  imported: {found.imported.value} in {found.imported_from} (not evidence here until rerun)")
    if not specs:
        lines.append("  no specs: add one with `inquiry specs add CLAIM --runner R --predicts supports|contradicts`")
    for spec in specs:
        lines.append("  " + spec_line(spec))
        if spec.why:
            lines.append(f"      {spec.why}")
        for test in tests[spec.id].tests if spec.id in tests else []:
            lines.append(f"      seeds {test.seeds}: pooled verdict {test.verdict} → {test.status.value}")
    for run_id, why in found.not_counted.items():
        lines.append(f"  {run_id}: not counted: {why}")
    if any(s.state is SpecState.SUGGESTED for s in specs):
        lines.append("  suggested specs count once accepted: `inquiry specs accept ID` (or edit ID --predicts …)")
    return data, "\n".join(lines)


def _changed(state: State, claim_id: str) -> None:
    from ..runs import status as claim_status

    claim_status.refresh(state.notebook, claim_id)
    data, text = claim_report(state.notebook, claim_id)
    emit(state, data, lambda: text)


@click.group("specs", cls=SpecsGroup)
@output_options
def specs_group() -> None:
    """Review a claim's reproduction specs: which runner tests it, what it predicts (`inquiry specs CLAIM`)."""


@specs_group.command("show")
@click.argument("claim")
@output_options
@click.pass_obj
def specs_show(state: State, claim: str) -> None:
    """A claim's specs, its status, and which runs count; for a note, those of each of its claims."""
    from ..models import NodeKind, kind_of

    node_id = state.notebook.resolve_id(claim)
    if kind_of(node_id) is NodeKind.NOTE and len(claims := state.notebook.list_claims(note_id=node_id)) > 1:
        reports = [claim_report(state.notebook, c.id) for c in claims]
        emit(
            state, {"note": node_id, "claims": [data for data, _ in reports]}, lambda: "\n".join(t for _, t in reports)
        )
        return
    claim_id = _claim_ref(state, claim)
    data, text = claim_report(state.notebook, claim_id)
    emit(state, data, lambda: text)


def _set_state(state: State, spec_id: str, to: SpecState) -> None:
    spec = _spec(state.notebook, spec_id)
    state.notebook.update_spec(spec.model_copy(update={"state": to, "provenance": "user"}))
    _changed(state, spec.claim_id)


@specs_group.command("accept")
@click.argument("spec_id", metavar="ID")
@output_options
@click.pass_obj
def specs_accept(state: State, spec_id: str) -> None:
    """Accept a spec: its runs (evidence presets) now count toward the claim's status."""
    from ..models import SpecState

    _set_state(state, spec_id, SpecState.ACCEPTED)


@specs_group.command("reject")
@click.argument("spec_id", metavar="ID")
@output_options
@click.pass_obj
def specs_reject(state: State, spec_id: str) -> None:
    """Reject a spec: this runner does not test this claim; its runs no longer count."""
    from ..models import SpecState

    _set_state(state, spec_id, SpecState.REJECTED)


@specs_group.command("edit")
@click.argument("spec_id", metavar="ID")
@click.option("--predicts", required=True, help="supports | contradicts: the verdict the claim, if true, gives")
@click.option("--runner", "runner_name", help="another runner")
@click.option("--preset", help="another preset of the runner")
@output_options
@click.pass_obj
def specs_edit(state: State, spec_id: str, predicts: str, runner_name: str | None, preset: str | None) -> None:
    """Set what the claim predicts (and optionally the runner and preset); the spec becomes accepted."""
    from ..models import SpecState
    from ..store import SpecConflict

    prediction = _prediction(predicts)
    spec = _spec(state.notebook, spec_id)
    runner_name = runner_name or spec.runner
    preset = _runner_preset(runner_name, preset or (spec.preset if runner_name == spec.runner else None))
    updated = spec.model_copy(
        update={
            "predicts": prediction,
            "runner": runner_name,
            "preset": preset,
            "state": SpecState.ACCEPTED,
            "provenance": "user",
        }
    )
    try:
        state.notebook.update_spec(updated)
    except SpecConflict:
        raise InquiryError(f"claim {spec.claim_id} already has a spec for {runner_name} --preset {preset}") from None
    _changed(state, spec.claim_id)


@specs_group.command("add")
@click.argument("claim")
@click.option("--runner", "runner_name", required=True, help="the runner that tests the claim")
@click.option("--predicts", required=True, help="supports | contradicts: the verdict the claim, if true, gives")
@click.option("--preset", help="the runner's preset (default: default)")
@click.option("--part", type=int, default=0, show_default=True, help="which part of a conjunction it tests")
@click.option("--why", default="", help="why this runner tests the claim")
@output_options
@click.pass_obj
def specs_add(
    state: State, claim: str, runner_name: str, predicts: str, preset: str | None, part: int, why: str
) -> None:
    """Add an accepted spec to a claim."""
    from ..models import ReproSpec, SpecState

    claim_id = _claim_ref(state, claim)
    prediction = _prediction(predicts)
    preset = _runner_preset(runner_name, preset)
    if any(s.runner == runner_name and s.preset == preset for s in state.notebook.specs(claim_id)):
        raise InquiryError(
            f"claim {claim_id} already has a spec for {runner_name} --preset {preset}; "
            f"change it with `inquiry specs edit ID`"
        )
    state.notebook.add_spec(
        ReproSpec(
            claim_id=claim_id,
            runner=runner_name,
            preset=preset,
            predicts=prediction,
            state=SpecState.ACCEPTED,
            provenance="user",
            part=part,
            why=why,
        )
    )
    _changed(state, claim_id)
