"""Reproduction specs for imported claims: which runner tests a claim, and in which direction.

The rules are data: one file per runner in ``inquiry/notes/spec_rules/<runner>.yaml`` (format in
``docs/runner-contract.md``); :func:`default_rules` reads every file in that folder. A rule says
what the sentence must be about (``topic``; optional ``note``, ``requires``, ``exclude``) and which
wording asserts the runner's registered hypothesis (``supports_if``) or its opposite
(``contradicts_if``). ``ambiguous_if`` (optional) names wording where the runner's verdict would
not decide the sentence (another number, another comparator, a stronger claim): the rule then
abstains.

Direction is read per clause. A claim is split at clause boundaries (``;``, ``:``, dashes,
``, and``, ``but``, ``while``…); each clause that a rule's topic matches becomes a *part* of the
claim, so a conjunction gets one spec per part. A match preceded by a negation (``not``, ``n't``,
``never``, ``no``, ``fails to``, ``cannot``…) counts for the other direction, so the rules list
each wording once and negations come for free. A clause with an open hedge (``whether``,
``unclear``, a question) says no direction; a mild hedge (``may``, ``likely``) keeps it.

A rule that finds exactly one direction gives a confident spec (state ``accepted``, provenance
``rule:<id>``); a topic match with no direction, both, or an ambiguity gives a ``suggested`` spec
that counts only once a person accepts it (``inquiry specs accept``).

>>> from inquiry.models import Claim
>>> claim = Claim(id="claim:n/1", note_id="note:n", text="RL touches only 5–30% of parameters.")
>>> [(s.runner, s.preset, s.predicts.value, s.state.value) for s in default_rules().specs_for(claim)]
[('rlvr', 'sparsity', 'supports', 'accepted')]
>>> claim = Claim(id="claim:n/2", note_id="note:n", text="RL updates are not sparse.")
>>> [(s.preset, s.predicts.value) for s in default_rules().specs_for(claim)]
[('sparsity', 'contradicts')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

import yaml

from ..models import Claim, ReproSpec, SpecState, Verdict

RULES_DIR = "spec_rules"

# Clause boundaries: a conjunction's parts are tested separately.
_CLAUSE = re.compile(
    r";|:\s|\s[—–-]\s|—|,\s+(?:and|but|while|whereas|yet)\s+|\s+but\s+(?:rather\s+)?|\s+whereas\s+", re.IGNORECASE
)
# A negation in the few words before a match flips its direction ("not only" is no negation).
_NEGATION = re.compile(
    r"\b(?:not|never|cannot|neither|nor|without|fails?|failed|unable|lacks?|hardly)\b|n[’']t\b", re.IGNORECASE
)
_NO = re.compile(r"\bno\b", re.IGNORECASE)  # "no" negates only the next word or two: "no improvement"
_NOT_ONLY = re.compile(r"\bnot (?:only|just|merely)\b", re.IGNORECASE)
# An open hedge leaves the direction undecided; mild hedges ("may", "likely") do not.
_OPEN_HEDGE = re.compile(
    r"\b(?:whether|unclear|unknown|open question|remains to be seen|debated|debatable)\b|\?\s*$", re.IGNORECASE
)
_WINDOW_WORDS = 5
# Case-insensitive matching costs re ~2.5x a plain match; a topic searched as a yes/no in lowercased text gives
# the same answer when the pattern is ASCII with no escape or inline flag that lowercasing would change, and the
# text has none of the three characters that IGNORECASE equates with an ASCII letter unlike str.lower
# (checked over every code point: İ, ı, ſ).
_CASE_SENSITIVE_SYNTAX = re.compile(r"\\[A-Z]|\(\?[a-zA-Z]*-")
_LOWER_DIFFERS = re.compile("[\u0130\u0131\u017f]")
# Pattern syntax whose match can depend on the text around a clause (anchors, lookarounds; "^" outside a
# character class). A topic without it that matches no part of the sentence matches none of its clauses.
_CONTEXT_SYNTAX = re.compile(r"\$|\\[AZ]|\(\?[=!<]|(?<!\[)\^")


@dataclass(frozen=True)
class SpecRule:
    id: str
    runner: str
    preset: str
    topic: re.Pattern[str]
    supports_if: tuple[re.Pattern[str], ...] = ()
    contradicts_if: tuple[re.Pattern[str], ...] = ()
    ambiguous_if: tuple[re.Pattern[str], ...] = ()
    requires: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    note: re.Pattern[str] | None = None
    why: str = ""


@dataclass
class Finding:
    """What one rule read in a claim: the clause it tests and the direction, or None when unsure."""

    rule: SpecRule
    clause: int
    text: str
    predicts: Verdict | None
    reason: str = ""
    clauses: list[int] = field(default_factory=list)


def split_clauses(text: str) -> list[str]:
    """The clauses of a sentence, each a candidate part of a conjunction.

    >>> split_clauses("One example suffices, and spurious rewards work; RL-trained models — not base ones — win.")
    ['One example suffices', 'spurious rewards work', 'RL-trained models', 'not base ones', 'win.']
    """
    return [part.strip() for part in _CLAUSE.split(text) if part and part.strip()]


def _negated(clause: str, match: re.Match[str], pattern: re.Pattern[str]) -> bool:
    """Whether a negation governs the match: in the words just before it, or inside it (unless the
    pattern spells a negation itself, like ``no improvement``)."""
    before = _NOT_ONLY.sub(" ", clause[: match.start()])
    words = before.split()
    if _NEGATION.search(" ".join(words[-_WINDOW_WORDS:])) or _NO.search(" ".join(words[-2:])):
        return True
    if _NEGATION.search(pattern.pattern) or _NO.search(pattern.pattern):
        return False
    inner = _NOT_ONLY.sub(" ", match.group(0))
    return bool(_NEGATION.search(inner))


_FLIP = {Verdict.SUPPORTS: Verdict.CONTRADICTS, Verdict.CONTRADICTS: Verdict.SUPPORTS}


def direction(rule: SpecRule, clause: str) -> tuple[Verdict | None, str]:
    """The direction a clause asserts about the rule's hypothesis, or None with the reason."""
    if _OPEN_HEDGE.search(clause):
        return None, "hedged: the sentence leaves the direction open"
    found: set[Verdict] = set()
    for verdict, patterns in ((Verdict.SUPPORTS, rule.supports_if), (Verdict.CONTRADICTS, rule.contradicts_if)):
        for pattern in patterns:
            for match in pattern.finditer(clause):
                found.add(_FLIP[verdict] if _negated(clause, match, pattern) else verdict)
    if len(found) == 1:
        return found.pop(), ""
    if found:
        return None, "wording points both ways"
    return None, "no wording that says which way"


class SpecRules:
    """The rules of every file in the rules folder; :meth:`findings` and :meth:`specs_for` apply them."""

    def __init__(self, rules: list[SpecRule]):
        self.rules = rules
        # Most claims match few rules' topics: a topic that cannot match a clause without matching the whole
        # sentence is searched once in the sentence, not once per clause and then in the sentence.
        self._local = [not _CONTEXT_SYNTAX.search(rule.topic.pattern) for rule in rules]
        self._lowercase_topic = [_lowercase_pattern(rule.topic) for rule in rules]

    @classmethod
    def from_yaml(cls, text: str, origin: str = "<rules>") -> SpecRules:
        """One runner's rules file (``runner:`` and ``rules:``); errors name the file, the rule and the field."""
        data = yaml.safe_load(text) or {}
        if not isinstance(data, dict) or "runner" not in data:
            raise ValueError(f"{origin}: expected a mapping with 'runner' and 'rules'")
        rules = []
        for number, raw in enumerate(data.get("rules") or [], start=1):
            where = f"{origin}: rule {raw.get('id', number) if isinstance(raw, dict) else number}"
            try:
                rules.append(_rule(data["runner"], raw, number))
            except (KeyError, TypeError) as exc:
                raise ValueError(f"{where}: missing field {exc}") from None
            except re.error as exc:
                raise ValueError(f"{where}: bad pattern: {exc}") from None
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
        return cls(rules)

    @classmethod
    def from_folder(cls, folder: Traversable) -> SpecRules:
        rules: list[SpecRule] = []
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".yml")):
                rules += cls.from_yaml(entry.read_text(encoding="utf-8"), origin=f"{RULES_DIR}/{entry.name}").rules
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"{RULES_DIR}: two rules have the id {rule.id!r}")
            seen.add(rule.id)
        return cls(rules)

    def findings(self, text: str, note_title: str = "") -> list[Finding]:
        """Every rule whose topic the sentence matches, with the clause it tests and its direction."""
        clauses = split_clauses(text)
        lowered = None if _LOWER_DIFFERS.search(text) else text.lower()
        found: list[Finding] = []
        for rule, local, lowercase_topic in zip(self.rules, self._local, self._lowercase_topic):
            if local and not (
                lowercase_topic.search(lowered)
                if lowercase_topic is not None and lowered is not None
                else rule.topic.search(text)
            ):
                continue  # the topic matches no clause either (see _CONTEXT_SYNTAX)
            if rule.note is not None and not rule.note.search(note_title):
                continue
            if not all(p.search(text) for p in rule.requires) or any(p.search(text) for p in rule.exclude):
                continue
            hits = [(i, clause) for i, clause in enumerate(clauses) if rule.topic.search(clause)]
            if not hits and rule.topic.search(text):
                hits = [(0, text)]
            if not hits:
                continue
            readings = [(i, clause, *direction(rule, clause)) for i, clause in hits]
            sure = {predicts for _, _, predicts, _ in readings if predicts is not None}
            first = next((r for r in readings if r[2] is not None), readings[0])
            predicts, reason = (
                (sure.pop(), "") if len(sure) == 1 else (None, first[3] if not sure else "its clauses point both ways")
            )
            if predicts is not None and (ambiguous := next((p for p in rule.ambiguous_if if p.search(text)), None)):
                predicts, reason = None, f"the runner's verdict would not decide this wording ({ambiguous.pattern})"
            found.append(Finding(rule, first[0], first[1], predicts, reason, [r[0] for r in readings]))
        return found

    def specs_for(self, claim: Claim, note_title: str = "") -> list[ReproSpec]:
        """The claim's specs: confident ones ``accepted``, unsure ones ``suggested``; one part per clause tested."""
        findings = self.findings(claim.text, note_title)
        parts = {clause: number for number, clause in enumerate(sorted({f.clause for f in findings}))}
        specs = []
        for f in findings:
            why = f.rule.why if f.predicts is not None else f"{f.rule.why} Not sure: {f.reason}.".strip()
            specs.append(
                ReproSpec(
                    claim_id=claim.id,
                    runner=f.rule.runner,
                    preset=f.rule.preset,
                    predicts=f.predicts or Verdict.SUPPORTS,
                    why=why,
                    state=SpecState.ACCEPTED if f.predicts is not None else SpecState.SUGGESTED,
                    provenance=f"rule:{f.rule.id}",
                    part=parts[f.clause],
                    part_text=f.text if len(parts) > 1 else "",
                )
            )
        return specs


def _lowercase_pattern(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """``pattern`` (case-insensitive) as a case-sensitive pattern for lowercased text, where that is the same."""
    if not pattern.pattern.isascii() or _CASE_SENSITIVE_SYNTAX.search(pattern.pattern):
        return None
    return re.compile(pattern.pattern.lower())


def _patterns(raw: dict, key: str) -> tuple[re.Pattern[str], ...]:
    value = raw.get(key) or []
    if isinstance(value, str):
        value = [value]
    return tuple(re.compile(p, re.IGNORECASE) for p in value)


def _rule(runner: str, raw: dict, number: int) -> SpecRule:
    # `claim` is the topic's name in the first rules format (repro_specs.yaml)
    topic = raw.get("topic", raw.get("claim"))
    if not topic:
        raise KeyError("topic")
    return SpecRule(
        id=str(raw.get("id") or f"{runner}-{number}"),
        runner=raw.get("runner", runner),
        preset=raw.get("preset", "default"),
        topic=re.compile(topic, re.IGNORECASE),
        supports_if=_patterns(raw, "supports_if"),
        contradicts_if=_patterns(raw, "contradicts_if"),
        ambiguous_if=_patterns(raw, "ambiguous_if"),
        requires=_patterns(raw, "requires"),
        exclude=_patterns(raw, "exclude"),
        note=re.compile(raw["note"], re.IGNORECASE) if raw.get("note") else None,
        why=raw.get("why", "").strip(),
    )


@lru_cache(maxsize=1)
def default_rules() -> SpecRules:
    """The packaged rules: every file in ``inquiry/notes/spec_rules/``."""
    return SpecRules.from_folder(resources.files(__package__).joinpath(RULES_DIR))
