"""The pure evidence rule: from runner verdicts to a claim's status, through what the claim predicts.

A runner's verdict is phrased against the runner's registered hypothesis ("RL does not expand the
set of solvable problems": ``supports``). A claim's spec says which verdict the claim predicts. The
status is the verdict *seen through* that prediction (:func:`through`): the verdict the claim
predicts → supported, the opposite verdict → contradicted, an inconclusive verdict → inconclusive.
The verdict word is never copied onto the claim.

Only some runs count (:func:`why_not_counted`): an evidence preset (``default``/``gpu``, not
``test``/``control``) of a runner that is not a diagnostic, launched under an accepted spec of the
claim, run here (not imported without its raw data). Seeds of one registered config are pooled
first by the runner (the caller does that); each pooled config is one *test* of a spec.

Combining, from the bottom up:

* the tests of one part (several configs, several specs on the same clause): :func:`combine_tests`;
  agreeing decisive tests → that status; disagreeing → mixed; a decisive test beside an
  inconclusive one → inconclusive (a rerun until something decisive appears must not win);
* the parts of a conjunction: :func:`combine_parts`; one part contradicted → contradicted; every
  part supported → supported;
* a claim with no counted evidence keeps the status imported from another notebook, if any
  (:func:`claim_status`).

>>> through("supports", "contradicts").value, through("contradicts", "contradicts").value
('contradicted', 'supported')
>>> combine_tests([Status.SUPPORTED, Status.INCONCLUSIVE]).value
'inconclusive'
>>> combine_parts([Status.SUPPORTED, Status.UNTESTED]).value
'inconclusive'
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import SpecState, Status, Verdict

DECISIVE = (Status.SUPPORTED, Status.CONTRADICTED)

# Why a run does not count, in the words the CLI, the app and the export show after "not counted: ".
NOT_COUNTED_TEST = "test preset"
NOT_COUNTED_CONTROL = "control preset"
NOT_COUNTED_DIAGNOSTIC = "diagnostic runner"
NOT_COUNTED_NO_SPEC = "no accepted spec"
NOT_COUNTED_SUGGESTED = "spec not accepted yet"
NOT_COUNTED_REJECTED = "spec rejected"
NOT_COUNTED_NO_CLAIM = "no claim"
NOT_COUNTED_UNKNOWN_RUNNER = "runner not installed"


def through(verdict: Verdict | str, predicts: Verdict | str) -> Status:
    """A verdict seen through a prediction.

    >>> [through(v, "supports").value for v in ("supports", "contradicts", "inconclusive")]
    ['supported', 'contradicted', 'inconclusive']
    """
    verdict, predicts = Verdict(verdict), Verdict(predicts)
    if verdict is Verdict.INCONCLUSIVE or predicts is Verdict.INCONCLUSIVE:
        return Status.INCONCLUSIVE
    return Status.SUPPORTED if verdict is predicts else Status.CONTRADICTED


def why_not_counted(
    *,
    has_claim: bool = True,
    runner_known: bool = True,
    diagnostic: bool = False,
    preset: str | None,
    evidence_presets: Iterable[str] = ("default", "gpu"),
    spec_state: SpecState | None = None,
    imported_from: str | None = None,
) -> str | None:
    """Why a run does not count toward its claim's status, or None when it counts.

    ``spec_state`` is the state of the claim's spec for this runner and preset (None: no spec).

    >>> why_not_counted(preset="test", spec_state=SpecState.ACCEPTED)
    'test preset'
    >>> why_not_counted(preset="default", spec_state=SpecState.SUGGESTED)
    'spec not accepted yet'
    >>> why_not_counted(preset="default", spec_state=SpecState.ACCEPTED) is None
    True
    """
    if not has_claim:
        return NOT_COUNTED_NO_CLAIM
    if imported_from:
        return f"imported from {imported_from} without its raw data; rerun it here"
    if not runner_known:
        return NOT_COUNTED_UNKNOWN_RUNNER
    if diagnostic:
        return NOT_COUNTED_DIAGNOSTIC
    if preset not in set(evidence_presets):
        if preset == "test":
            return NOT_COUNTED_TEST
        if preset == "control":
            return NOT_COUNTED_CONTROL
        return f"{preset} preset is not an evidence preset"
    if spec_state is None:
        return NOT_COUNTED_NO_SPEC
    if spec_state is SpecState.SUGGESTED:
        return NOT_COUNTED_SUGGESTED
    if spec_state is SpecState.REJECTED:
        return NOT_COUNTED_REJECTED
    return None


def combine_tests(statuses: Iterable[Status | str]) -> Status:
    """The status of one part from its tests (each a pooled config's status, or ``running``).

    >>> combine_tests([Status.SUPPORTED, Status.SUPPORTED]).value
    'supported'
    >>> combine_tests([Status.SUPPORTED, Status.CONTRADICTED]).value
    'mixed'
    >>> combine_tests([Status.CONTRADICTED, Status.RUNNING]).value
    'contradicted'
    >>> combine_tests([Status.INCONCLUSIVE, Status.RUNNING]).value, combine_tests([]).value
    ('running', 'untested')
    """
    seen = {Status(s) for s in statuses}
    decisive = seen & set(DECISIVE)
    if Status.MIXED in seen or len(decisive) == 2:
        return Status.MIXED
    if decisive:
        return Status.INCONCLUSIVE if Status.INCONCLUSIVE in seen else decisive.pop()
    for status in (Status.RUNNING, Status.INCONCLUSIVE):
        if status in seen:
            return status
    return Status.UNTESTED


def combine_parts(statuses: Iterable[Status | str]) -> Status:
    """The status of a conjunction from its parts' statuses: all must hold for supported.

    >>> combine_parts([Status.SUPPORTED, Status.SUPPORTED]).value
    'supported'
    >>> combine_parts([Status.SUPPORTED, Status.CONTRADICTED]).value
    'contradicted'
    >>> combine_parts([Status.MIXED, Status.SUPPORTED]).value
    'mixed'
    >>> combine_parts([Status.UNTESTED, Status.RUNNING]).value
    'running'
    """
    seen = [Status(s) for s in statuses]
    if not seen:
        return Status.UNTESTED
    if Status.CONTRADICTED in seen:
        return Status.CONTRADICTED
    if Status.MIXED in seen:
        return Status.MIXED
    if all(s is Status.SUPPORTED for s in seen):
        return Status.SUPPORTED
    if Status.RUNNING in seen:
        return Status.RUNNING
    if any(s in (Status.SUPPORTED, Status.INCONCLUSIVE) for s in seen):
        return Status.INCONCLUSIVE
    return Status.UNTESTED


def claim_status(part_statuses: Iterable[Status | str], imported: Status | str | None = None) -> Status:
    """A claim's status: its parts combined; with no evidence here, ``imported`` when another notebook said so.

    >>> claim_status([], imported="supported").value
    'imported'
    >>> claim_status([Status.CONTRADICTED], imported="supported").value
    'contradicted'
    """
    status = combine_parts(part_statuses)
    if status is Status.UNTESTED and imported not in (None, Status.UNTESTED, Status.UNTESTED.value):
        return Status.IMPORTED
    return status


def counts(statuses: Iterable[Status | str]) -> dict[str, int]:
    """How many claims stand supported, contradicted and neither (what a note or an inquiry shows)."""
    tally = {"supported": 0, "contradicted": 0, "other": 0}
    for status in statuses:
        status = Status(status)
        key = status.value if status in DECISIVE else "other"
        tally[key] += 1
    return tally


def counts_text(tally: dict[str, int]) -> str:
    """``✅ 1 · ❌ 0 · ○ 1``: supported, contradicted, and the claims that are neither.

    >>> counts_text({"supported": 1, "contradicted": 0, "other": 1})
    '✅ 1 · ❌ 0 · ○ 1'
    """
    return f"✅ {tally['supported']} · ❌ {tally['contradicted']} · ○ {tally['other']}"
