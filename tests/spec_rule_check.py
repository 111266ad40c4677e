"""Matching a sentence against a runner's spec rules (``inquiry/notes/spec_rules/<runner>.yaml``) the way the
contract describes: the topic must match, then exactly one direction gives a confident spec.

Shared by the runner tests until the evidence helper's rule loader reads that folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def load_rules(runner: str) -> list[dict]:
    data = yaml.safe_load((ROOT / "inquiry" / "notes" / "spec_rules" / f"{runner}.yaml").read_text())
    assert data["runner"] == runner
    return data["rules"]


def _any(patterns, text) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def matches(rules: list[dict], text: str, note: str = "") -> list[tuple[str, str]]:
    """(preset, predicts) of every rule whose topic matches; predicts is 'suggested' without one clear direction."""
    out = []
    for rule in rules:
        if not re.search(rule["topic"], text, re.IGNORECASE):
            continue
        if rule.get("note") and not re.search(rule["note"], note, re.IGNORECASE):
            continue
        up, down = _any(rule.get("supports_if", []), text), _any(rule.get("contradicts_if", []), text)
        out.append((rule["preset"], "supports" if up and not down else "contradicts" if down and not up
                    else "suggested"))
    return out


def polarity_cases(runner: str) -> list[dict]:
    return yaml.safe_load((ROOT / "tests" / "data" / "claim_polarity" / f"{runner}.yaml").read_text())
