"""Checks shared by the runner tests on a runner's spec rules and labelled sentences (data files).

Until the spec-rule loader reads ``inquiry/notes/spec_rules/<runner>.yaml``, these check the files
directly: every labelled sentence that names the runner matches a rule's topic and exactly the
direction it is labelled with; every ``none`` sentence matches no topic.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def rules(runner: str) -> list[dict]:
    data = yaml.safe_load((ROOT / "inquiry" / "notes" / "spec_rules" / f"{runner}.yaml").read_text())
    assert data["runner"] == runner
    return data["rules"]


def labelled(runner: str) -> list[dict]:
    return yaml.safe_load((ROOT / "tests" / "data" / "claim_polarity" / f"{runner}.yaml").read_text())


def direction(rule: dict, text: str) -> str | None:
    """"supports", "contradicts", None (no direction) or "both" for ``text`` under ``rule``."""
    found = lambda key: any(re.search(p, text, re.IGNORECASE) for p in rule.get(key, []))  # noqa: E731
    s, c = found("supports_if"), found("contradicts_if")
    return "both" if s and c else "supports" if s else "contradicts" if c else None


def topic_rule(runner: str, text: str) -> dict | None:
    return next((r for r in rules(runner) if re.search(r["topic"], text, re.IGNORECASE)), None)


def check_labelled(runner: str) -> None:
    sentences = labelled(runner)
    assert len(sentences) >= 8
    kinds = {s["expect"]["predicts"] if s["expect"] != "none" else "none" for s in sentences}
    assert {"supports", "contradicts", "none"} <= kinds
    for sentence in sentences:
        rule = topic_rule(runner, sentence["text"])
        if sentence["expect"] == "none":
            assert rule is None, sentence["text"]
            continue
        assert rule is not None, sentence["text"]
        assert sentence["expect"]["runner"] == runner and sentence["expect"]["preset"] == rule["preset"]
        assert direction(rule, sentence["text"]) == sentence["expect"]["predicts"], sentence["text"]


def check_seed_claims(notebook, note_slug: str, runner: str, directed: int) -> None:
    """Every seed claim of the note matches the runner's topic; ``directed`` of them get a direction."""
    claims = [c for c in notebook.list_claims() if note_slug in c.note_id]
    assert claims, note_slug
    directions = []
    for claim in claims:
        rule = topic_rule(runner, claim.text)
        assert rule is not None, claim.text
        directions.append(direction(rule, claim.text))
    assert "contradicts" not in directions and "both" not in directions
    assert sum(d == "supports" for d in directions) == directed, list(zip([c.text for c in claims], directions))
