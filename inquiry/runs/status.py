"""The one home of claim statuses: the only code that writes ``claims.status``.

:func:`evidence` gathers what a claim's runs say, applying the pure rule of :mod:`inquiry.evidence`:

1. each run either counts or is *not counted* with a reason (a ``test`` or ``control`` preset, a
   diagnostic runner, no accepted spec for its runner and preset, imported without raw data…);
2. the counted, succeeded runs of one spec are grouped by registered config (the config without
   seed and placement, and the registration hash) and each group is pooled by the runner
   (:meth:`~inquiry.runners.api.Runner.pool`): seeds are pooled, never "any decisive run wins";
3. each pooled verdict is seen through the spec's prediction; the tests of a part combine, then
   the parts of a conjunction; with no counted evidence, a status imported from another notebook
   shows as ``imported``.

:func:`refresh` stores the result; everything that ends a run calls it through
:func:`inquiry.runs.launcher.end_run`. The app, the CLI and the export only read the stored column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .. import evidence as rule
from ..models import ReproSpec, RunStatus, SpecState, Status
from ..runners import registry
from ..runners.api import Result, Runner, pool_conservatively
from ..store import RECOMPUTE_PENDING, Notebook
from ..store import settings as stored_settings
from .records import RunRecord, list_runs

# config fields that say where a run executes, not what it tests
PLACEMENT_FIELDS = ("device", "threads", "num_gpus", "memory_gb")


@dataclass
class Test:
    """One registered config of a spec: its runs (seeds), the pooled verdict and what it means for the claim."""

    config: dict[str, Any]
    runs: list[str]
    seeds: list[int]
    verdict: str | None  # the pooled verdict; None while only in-flight runs
    status: Status


@dataclass
class PartEvidence:
    spec: ReproSpec
    tests: list[Test] = field(default_factory=list)
    status: Status = Status.UNTESTED


@dataclass
class Evidence:
    """Everything behind a claim's status, for the CLI, the app and the export to show."""

    claim_id: str
    status: Status
    parts: list[PartEvidence]
    not_counted: dict[str, str]  # run id -> why it does not count
    imported: Status | None = None
    imported_from: str | None = None

    def describe(self) -> str:
        """``1 run, not counted: test preset`` / ``2 runs counted, 1 not counted (control preset)``."""
        counted = sum(len(t.runs) for p in self.parts for t in p.tests)
        words = []
        if counted:
            words.append(f"{counted} run{'s' if counted != 1 else ''} counted")
        if self.not_counted:
            reasons = sorted(set(self.not_counted.values()))
            n = len(self.not_counted)
            words.append(
                f"{n} run{'s' if n != 1 else ''}, not counted: {'; '.join(reasons)}"
                if not counted
                else f"{n} not counted ({'; '.join(reasons)})"
            )
        return ", ".join(words) or "no runs"


def _runner(name: str) -> Runner | None:
    try:
        return registry.get(name)
    except Exception:
        return None


def _spec_of(specs: list[ReproSpec], run: RunRecord) -> ReproSpec | None:
    return next((s for s in specs if s.runner == run.runner and s.preset == (run.preset or "default")), None)


def why_not_counted(run: RunRecord, specs: list[ReproSpec], runner: Runner | None) -> str | None:
    """Why ``run`` does not count toward its claim's status (None: it counts)."""
    spec = _spec_of(specs, run)
    return rule.why_not_counted(
        has_claim=run.claim_id is not None,
        runner_known=runner is not None,
        diagnostic=bool(runner and runner.diagnostic),
        preset=run.preset,
        evidence_presets=runner.evidence_presets if runner else (),
        spec_state=spec.state if spec else None,
        imported_from=run.provenance.get("imported_from"),
    )


def config_key(run: RunRecord) -> str:
    """Runs that differ only in seed and placement share this key (and so are pooled together)."""
    config = {k: v for k, v in run.config.items() if k not in PLACEMENT_FIELDS}
    registration = run.result.verdict.registration if run.result else None
    return json.dumps({"config": config, "registration": registration}, sort_keys=True, default=str)


def _pooled(runner: Runner, results: list[Result]) -> str:
    """The pooled verdict of several seeds of one config (one seed: its own verdict).

    A runner whose own pooling cannot use these results (say, rows imported without raw items) falls
    back to the conservative rule: a verdict holds only when every seed gives it.
    """
    if len(results) == 1:
        return results[0].verdict.verdict.value
    try:
        return runner.pool(results).verdict.verdict.value
    except Exception:
        return pool_conservatively(results).verdict.verdict.value


def evidence(nb: Notebook, claim_id: str, runs: list[RunRecord] | None = None) -> Evidence:
    """What the claim's runs say, through its specs (reads only)."""
    specs = [s for s in nb.specs(claim_id) if s.state is not SpecState.REJECTED]
    runs = list_runs(nb, claim_id=claim_id) if runs is None else runs
    runners = {name: _runner(name) for name in {r.runner for r in runs}}
    not_counted: dict[str, str] = {}
    by_spec: dict[int | None, dict[str, list[RunRecord]]] = {}
    in_flight: set[int | None] = set()
    for run in sorted(runs, key=lambda r: (r.created, r.seed, r.id)):
        why = why_not_counted(run, specs, runners[run.runner])
        if why is not None:
            not_counted[run.id] = why
            continue
        spec = _spec_of(specs, run)
        assert spec is not None  # a counted run has its spec (why_not_counted)
        if run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
            in_flight.add(spec.id)
        elif run.status is RunStatus.SUCCEEDED and run.result is not None:
            by_spec.setdefault(spec.id, {}).setdefault(config_key(run), []).append(run)
        else:
            not_counted[run.id] = f"{run.status.value}: no verdict"
    parts: list[PartEvidence] = []
    for spec in specs:  # a suggested spec decides nothing, but its part still has to hold
        part = PartEvidence(spec)
        parts.append(part)
        if spec.state is not SpecState.ACCEPTED:
            continue
        for group in by_spec.get(spec.id, {}).values():
            runner = runners[spec.runner]
            assert runner is not None  # its runs were counted, so it is installed
            verdict = _pooled(runner, [r.result for r in group if r.result is not None])
            part.tests.append(
                Test(
                    config=group[0].config,
                    runs=[r.id for r in group],
                    seeds=[r.seed for r in group],
                    verdict=verdict,
                    status=rule.through(verdict, spec.predicts),
                )
            )
        part.status = rule.combine_tests(
            [t.status for t in part.tests] + ([Status.RUNNING] if spec.id in in_flight else [])
        )
    by_part: dict[int, list[Status]] = {}
    for part in parts:
        by_part.setdefault(part.spec.part, []).append(part.status)
    imported, source = nb.imported_status(claim_id)
    status = rule.claim_status([rule.combine_tests(statuses) for statuses in by_part.values()], imported)
    return Evidence(claim_id, status, parts, not_counted, imported, source)


def refresh(nb: Notebook, claim_id: str | None) -> Status | None:
    """Recompute a claim's status and store it when it changed (the only write of ``claims.status``)."""
    if not claim_id or nb.get_claim(claim_id) is None:
        return None
    status = evidence(nb, claim_id).status
    if nb.claim_statuses([claim_id]).get(claim_id) is not status:
        nb.set_claim_status(claim_id, status)
    return status


def refresh_many(nb: Notebook, claim_ids: list[str]) -> list[str]:
    """Refresh the given claims that could have a status other than untested (they have runs, an imported
    status, or a stored status to clear); cheap for a large import of new claims. Returns those changed."""
    changed = []
    for claim_id in nb.claims_worth_refreshing(claim_ids):
        before = nb.claim_statuses([claim_id])[claim_id]
        if refresh(nb, claim_id) is not before:
            changed.append(claim_id)
    return changed


def refresh_all(nb: Notebook) -> list[str]:
    """Recompute every claim's status; returns the claims whose stored status changed."""
    before = nb.all_claim_statuses()
    runs: dict[str, list[RunRecord]] = {}
    for run in list_runs(nb):
        if run.claim_id:
            runs.setdefault(run.claim_id, []).append(run)
    changed = []
    for claim_id, stored in before.items():
        status = evidence(nb, claim_id, runs.get(claim_id, [])).status
        if status.value != stored:
            nb.set_claim_status(claim_id, status)
            changed.append(claim_id)
    return changed


def upgrade(nb: Notebook) -> list[str] | None:
    """After a schema upgrade: suggest rule-made specs again under the current rules and recompute every
    status under the current rule. Returns the claims whose status changed, or None when nothing was pending."""
    if stored_settings.get(nb, RECOMPUTE_PENDING) is None:
        return None
    from ..notes.repro_specs import default_rules

    rules = default_rules()
    titles = nb.note_titles()
    with nb.transaction():
        for claim in nb.list_claims():
            nb.remove_rule_specs(claim.id)
            for spec in rules.specs_for(claim, titles.get(claim.note_id, "")):
                nb.add_spec(spec)
        changed = refresh_all(nb)
        stored_settings.delete(nb, RECOMPUTE_PENDING)
    return changed


def not_counted(nb: Notebook, runs: list[RunRecord]) -> dict[str, str]:
    """For each run that does not count toward its claim's status, why (runs that count are absent)."""
    specs: dict[str, list[ReproSpec]] = {}
    runners: dict[str, Runner | None] = {}
    out = {}
    for run in runs:
        if run.claim_id and run.claim_id not in specs:
            specs[run.claim_id] = [s for s in nb.specs(run.claim_id) if s.state is not SpecState.REJECTED] + [
                s for s in nb.specs(run.claim_id) if s.state is SpecState.REJECTED
            ]
        if run.runner not in runners:
            runners[run.runner] = _runner(run.runner)
        why = why_not_counted(run, specs.get(run.claim_id or "", []), runners[run.runner])
        if why is not None:
            out[run.id] = why
    return out
