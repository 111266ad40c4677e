"""Evidence roll-up: from run verdicts to claims, from claims to notes, inquiries and essay sentences.

Precedence, the same at every level (:func:`combine`):

1. **mixed** when the evidence disagrees: some parts say *supported* and others *contradicted*
   (or a part is already mixed);
2. else **contradicted** / **supported** when every decisive part agrees;
3. else **running** when a run is queued or running (it may still decide the matter, so an earlier
   inconclusive result is shown as "running" while its retry is in flight);
4. else **inconclusive** when finished runs gave only inconclusive verdicts;
5. else **untested** (no runs, or only runs that failed, were cancelled or interrupted).

A claim's parts are its runs (a finished run counts by its verdict, a queued/running one as
*running*; the seeds of a finished sweep count once, by their pooled verdict); a note's parts
are its live claims. The stored ``claims.status`` column is a cache that :func:`refresh_claim`
keeps equal to what the runs say; the other functions here read the runs table directly, so they
are right even before a refresh.

>>> combine([Status.SUPPORTED, Status.INCONCLUSIVE]).value
'supported'
>>> combine([Status.SUPPORTED, Status.CONTRADICTED]).value
'mixed'
>>> combine([Status.INCONCLUSIVE, Status.RUNNING]).value
'running'
>>> combine([]).value
'untested'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import NotFound
from ..models import EdgeKind, EdgeState, RunStatus, Status, Verdict

if TYPE_CHECKING:
    from ..store import Notebook

_FROM_VERDICT = {
    Verdict.SUPPORTS.value: Status.SUPPORTED,
    Verdict.CONTRADICTS.value: Status.CONTRADICTED,
    Verdict.INCONCLUSIVE.value: Status.INCONCLUSIVE,
}
_IN_FLIGHT = {RunStatus.QUEUED.value, RunStatus.RUNNING.value}


def combine(statuses: Iterable[Status | str]) -> Status:
    """The status of a whole from the statuses of its parts (see the module docstring)."""
    seen = {Status(s) for s in statuses}
    if Status.MIXED in seen or {Status.SUPPORTED, Status.CONTRADICTED} <= seen:
        return Status.MIXED
    for status in (Status.CONTRADICTED, Status.SUPPORTED, Status.RUNNING, Status.INCONCLUSIVE):
        if status in seen:
            return status
    return Status.UNTESTED


def verdict_of(raw: str | None) -> str | None:
    """The verdict word of a run row's ``verdict`` column, which holds the word or a VerdictReport as JSON.

    >>> verdict_of('{"verdict": "contradicts", "reason": "ci_excludes_zero_negative"}')
    'contradicts'
    >>> verdict_of("supports"), verdict_of(None)
    ('supports', None)
    """
    if not raw:
        return None
    text = raw.strip()
    if text.startswith("{"):
        return json.loads(text).get("verdict")
    return text


def run_part(run_status: str, verdict: str | None) -> Status | None:
    """What one run says about its claim, or None when it says nothing (failed, cancelled, no verdict).

    >>> run_part("succeeded", "supports").value, run_part("queued", None).value, run_part("failed", None)
    ('supported', 'running', None)
    """
    word = verdict_of(verdict)
    if word in _FROM_VERDICT:
        return _FROM_VERDICT[word]
    if run_status in _IN_FLIGHT:
        return Status.RUNNING
    return None


def _sweep_pools(nb: Notebook, chunk: list[str], parts: dict[str, list[Status]]) -> set[str]:
    """Add each pooled sweep's verdicts (one part per pool of seeds) and return the runs they stand for.

    A sweep is pooled once all its runs ended (:mod:`inquiry.runs.sweeps`); until then its runs
    count one by one.
    """
    covered: set[str] = set()
    sql = f"SELECT claim_id, pooled FROM sweeps WHERE pooled IS NOT NULL AND claim_id IN ({','.join('?' * len(chunk))})"
    for claim_id, pooled in nb.db.execute(sql, chunk):
        for pool in json.loads(pooled):
            parts[claim_id].append(_FROM_VERDICT[pool["result"]["verdict"]["verdict"]])
            covered.update(pool["runs"])
    return covered


def _statuses_from_runs(nb: Notebook, claim_ids: list[str]) -> dict[str, Status]:
    """Each claim's status from the runs table, in one query per 500 claims."""
    parts: dict[str, list[Status]] = {claim_id: [] for claim_id in claim_ids}
    for start in range(0, len(claim_ids), 500):
        chunk = claim_ids[start:start + 500]
        pooled = _sweep_pools(nb, chunk, parts)
        sql = (f"SELECT claim_id, status, verdict, id FROM runs WHERE claim_id IN ({','.join('?' * len(chunk))})")
        for claim_id, run_status, verdict, run_id in nb.db.execute(sql, chunk):
            part = run_part(run_status, verdict) if run_id not in pooled else None
            if part is not None:
                parts[claim_id].append(part)
    return {claim_id: combine(found) for claim_id, found in parts.items()}


def _require(nb: Notebook, table: str, node_id: str) -> None:
    if nb.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [node_id]).fetchone() is None:
        raise NotFound(f"no {table[:-1] if table != 'inquiries' else 'inquiry'} with id {node_id}")


def claim_status(nb: Notebook, claim_id: str) -> Status:
    """A claim's status as its runs say now (reads the runs table; writes nothing)."""
    _require(nb, "claims", claim_id)
    return _statuses_from_runs(nb, [claim_id])[claim_id]


def refresh_claim(nb: Notebook, claim_id: str) -> Status:
    """Recompute a claim's status from its runs and store it; the run worker calls this after a run ends.

    Writes (and so notifies listeners such as the graph) only when the status changed.
    """
    status = claim_status(nb, claim_id)
    stored = nb.db.execute("SELECT status FROM claims WHERE id = ?", [claim_id]).fetchone()[0]
    if stored != status.value:
        nb.set_claim_status(claim_id, status)
    return status


def _live_claims(nb: Notebook, note_ids: list[str]) -> dict[str, list[str]]:
    claims: dict[str, list[str]] = {note_id: [] for note_id in note_ids}
    for note_id in note_ids:
        claims[note_id] = [r[0] for r in nb.db.execute(
            "SELECT id FROM claims WHERE note_id = ? AND retired = 0 ORDER BY idx", [note_id])]
    return claims


def note_status(nb: Notebook, note_id: str) -> Status:
    """A note's status from its live claims' statuses (retired claims no longer speak for the note)."""
    _require(nb, "notes", note_id)
    claim_ids = _live_claims(nb, [note_id])[note_id]
    return combine(_statuses_from_runs(nb, claim_ids).values())


def _cited_notes(nb: Notebook, inquiry_id: str) -> list[str]:
    _require(nb, "inquiries", inquiry_id)
    return [r[0] for r in nb.db.execute(
        "SELECT DISTINCT note_id FROM citations WHERE inquiry_id = ? ORDER BY note_id", [inquiry_id])]


def inquiry_summary(nb: Notebook, inquiry_id: str) -> dict[str, int]:
    """How many of the claims an inquiry cites (through its cited notes) stand at each status.

    Every status is a key, zeros included, so callers can render a fixed legend.
    """
    claims_by_note = _live_claims(nb, _cited_notes(nb, inquiry_id))
    statuses = _statuses_from_runs(nb, [c for ids in claims_by_note.values() for c in ids])
    counts = {status.value: 0 for status in Status}
    for status in statuses.values():
        counts[status.value] += 1
    return counts


def _contested_by(nb: Notebook, claim_ids: list[str]) -> dict[str, list[str]]:
    """For each claim, the claims that an accepted ``contradicts`` relation sets against it (either way)."""
    against: dict[str, list[str]] = {claim_id: [] for claim_id in claim_ids}
    for claim_id in claim_ids:
        for row in nb.db.execute(
                "SELECT src, dst FROM edges WHERE kind = ? AND state = ? AND (src = ? OR dst = ?) ORDER BY id",
                [EdgeKind.CONTRADICTS.value, EdgeState.ACCEPTED.value, claim_id, claim_id]):
            against[claim_id].append(row[1] if row[0] == claim_id else row[0])
    return against


def citation_flags(nb: Notebook, inquiry_id: str) -> list[dict[str, Any]]:
    """One entry per citation in the inquiry's essay: does that sentence rest on shaky evidence?

    ``rests_on`` is ``"contradicted"`` when a cited claim is contradicted, else ``"mixed"`` when one
    is mixed, else None; ``status`` is the cited note's rolled-up status; ``contested_by`` lists
    claims that accepted ``contradicts`` relations set against the cited note's claims.
    """
    cited = _cited_notes(nb, inquiry_id)
    claims_by_note = _live_claims(nb, cited)
    all_claims = [c for ids in claims_by_note.values() for c in ids]
    statuses = _statuses_from_runs(nb, all_claims)
    contested = _contested_by(nb, all_claims)
    flags = []
    for citation in nb.citations(inquiry_id=inquiry_id):
        claim_ids = claims_by_note[citation.note_id]
        parts = {statuses[c] for c in claim_ids}
        rests_on = next((s.value for s in (Status.CONTRADICTED, Status.MIXED) if s in parts), None)
        flags.append({
            "note_id": citation.note_id,
            "paragraph": citation.paragraph,
            "sentence": citation.sentence,
            "status": combine(parts).value,
            "rests_on": rests_on,
            "claims": {c: statuses[c].value for c in claim_ids},
            "contested_by": sorted({other for c in claim_ids for other in contested[c]}),
        })
    return flags
