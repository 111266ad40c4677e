"""Default reproduction specs for imported claims, read from ``repro_specs.yaml`` (data, not code).

>>> from inquiry.models import Claim
>>> claim = Claim(id="claim:n/1", note_id="note:n", text="RL induces parameter sparsity of 5–30%.")
>>> [(s.runner, s.preset, s.predicts.value) for s in default_rules().specs_for(claim, "Does RL update few weights?")]
[('rlvr', 'sparsity', 'supports')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from ..models import Claim, ReproSpec, Verdict

RULES_FILE = "repro_specs.yaml"


@dataclass(frozen=True)
class SpecRule:
    claim: re.Pattern[str]
    note: re.Pattern[str] | None
    runner: str
    preset: str
    predicts: Verdict
    why: str


class SpecRules:
    """The rules of one YAML file; :meth:`specs_for` applies every matching rule to a claim."""

    def __init__(self, rules: list[SpecRule]):
        self.rules = rules

    @classmethod
    def from_yaml(cls, text: str, origin: str = RULES_FILE) -> SpecRules:
        data = yaml.safe_load(text) or {}
        rules = []
        for number, raw in enumerate(data.get("rules", []), start=1):
            try:
                rules.append(SpecRule(
                    claim=re.compile(raw["claim"], re.IGNORECASE),
                    note=re.compile(raw["note"], re.IGNORECASE) if raw.get("note") else None,
                    runner=raw["runner"], preset=raw.get("preset", "default"),
                    predicts=Verdict(raw.get("predicts", "supports")), why=raw.get("why", "")))
            except (KeyError, re.error, ValueError) as exc:
                raise ValueError(f"{origin}: rule {number}: {exc}") from None
        return cls(rules)

    def specs_for(self, claim: Claim, note_title: str = "") -> list[ReproSpec]:
        return [ReproSpec(claim_id=claim.id, runner=r.runner, preset=r.preset, predicts=r.predicts, why=r.why)
                for r in self.rules
                if r.claim.search(claim.text) and (r.note is None or r.note.search(note_title))]


@lru_cache(maxsize=1)
def default_rules() -> SpecRules:
    """The packaged rules (``inquiry/notes/repro_specs.yaml``)."""
    text = resources.files(__package__).joinpath(RULES_FILE).read_text(encoding="utf-8")
    return SpecRules.from_yaml(text)
