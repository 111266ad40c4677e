"""The spec rules against the labelled claim sentences: direction right, abstain when unsure.

Reads every file in ``tests/data/claim_polarity/`` (one per runner; other runners add theirs) and
scores the packaged rules (every file in ``inquiry/notes/spec_rules/``): a sentence is *covered* when
the confident specs equal what the label expects (nothing, for a sentence no runner tests), an *error*
when a confident spec is not in the label (wrong runner, preset or direction), else *abstained*.
The bar: no confident error, at least 80 % covered. ``python tests/test_claim_polarity.py`` prints
the figures (docs/results/evidence.md quotes them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from inquiry.models import Claim, SpecState
from inquiry.notes.repro_specs import SpecRules, default_rules

DATA = Path(__file__).parent / "data" / "claim_polarity"


def labelled() -> list[dict]:
    items = []
    for path in sorted(DATA.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            items.append({**item, "file": path.name})
    return items


def expected(item: dict) -> set[tuple[str, str, str]]:
    expect = item["expect"]
    if expect in (None, "none"):
        return set()
    parts = expect if isinstance(expect, list) else [expect]
    return {(p["runner"], p.get("preset", "default"), p["predicts"]) for p in parts}


def confident(rules: SpecRules, item: dict) -> set[tuple[str, str, str]]:
    claim = Claim(id="claim:x/1", note_id="note:x", text=item["text"])
    return {
        (s.runner, s.preset, s.predicts.value)
        for s in rules.specs_for(claim, item.get("note", ""))
        if s.state is SpecState.ACCEPTED
    }


def score(rules: SpecRules, items: list[dict]) -> dict:
    outcome: dict[str, list[dict]] = {"covered": [], "error": [], "abstained": []}
    for item in items:
        want, got = expected(item), confident(rules, item)
        key = "covered" if got == want else "error" if got - want else "abstained"
        outcome[key].append({**item, "got": sorted(got)})
    return outcome


def test_the_labelled_set_is_big_enough_and_has_both_directions():
    items = labelled()
    directions = [p[2] for item in items for p in expected(item)]
    assert len(items) >= 60
    assert directions.count("supports") >= 15 and directions.count("contradicts") >= 15
    assert sum(1 for item in items if not expected(item)) >= 10
    assert sum(1 for item in items if len(expected(item)) > 1) >= 2  # conjunctions


def test_no_confident_error_and_at_least_80_percent_covered():
    items = labelled()
    outcome = score(default_rules(), items)
    errors = [f"{e['file']}: {e['text']!r}: got {e['got']}, expected {sorted(expected(e))}" for e in outcome["error"]]
    assert not errors, "\n".join(errors)
    assert len(outcome["covered"]) / len(items) >= 0.80, [a["text"] for a in outcome["abstained"]]


def test_the_rules_can_fail_a_wrong_label():
    """The scorer is not vacuous: flipping every label's direction makes confident errors."""
    flipped = [
        {
            **item,
            "expect": [
                {**p, "predicts": {"supports": "contradicts", "contradicts": "supports"}[p["predicts"]]}
                for p in (item["expect"] if isinstance(item["expect"], list) else [item["expect"]])
            ],
        }
        for item in labelled()
        if expected(item)
    ]
    assert len(score(default_rules(), flipped)["error"]) >= 0.8 * len(flipped)


@pytest.mark.parametrize(
    "text, preset",
    [
        ("Base models outperform RLVR-trained models at high k.", "supports"),
        ("RLVR-trained models outperform base models at high k.", "contradicts"),
        ("RLVR-trained models are outperformed by base models at high k.", "supports"),
        ("Base models are outperformed by RLVR-trained models at high k.", "contradicts"),
    ],
)
def test_a_comparison_reads_the_same_in_both_orders(text, preset):
    assert confident(default_rules(), {"text": text}) == {("rlvr", "default", preset)}


def test_a_conjunction_gets_one_spec_per_part():
    claim = Claim(
        id="claim:x/1",
        note_id="note:x",
        text="A single training example suffices, and spurious rewards work nearly as well as correct ones.",
    )
    specs = default_rules().specs_for(claim)
    assert [(s.preset, s.part, s.predicts.value) for s in specs] == [
        ("one_example", 0, "supports"),
        ("spurious", 1, "supports"),
    ]
    assert specs[1].part_text.startswith("spurious rewards work")


def test_a_bad_rules_file_names_the_file_the_rule_and_the_field():
    with pytest.raises(ValueError, match=r"x.yaml: rule r1: missing field 'topic'"):
        SpecRules.from_yaml("runner: x\nrules:\n  - id: r1\n    preset: default\n", origin="x.yaml")
    with pytest.raises(ValueError, match=r"x.yaml: rule r2: bad pattern"):
        SpecRules.from_yaml("runner: x\nrules:\n  - id: r2\n    topic: '(unclosed'\n", origin="x.yaml")


if __name__ == "__main__":
    items = labelled()
    outcome = score(default_rules(), items)
    for key, found in outcome.items():
        print(f"{key}: {len(found)} of {len(items)} ({100 * len(found) / len(items):.1f} %)")
    for file in sorted({i["file"] for i in items}):
        mine = [i for i in items if i["file"] == file]
        covered = sum(1 for i in outcome["covered"] if i["file"] == file)
        print(
            f"  {file}: {covered}/{len(mine)} covered, {sum(1 for i in outcome['error'] if i['file'] == file)} errors"
        )
    for key in ("error", "abstained"):
        for item in outcome[key]:
            print(f"{key.upper()}: {item['text']!r} got {item['got']} expected {sorted(expected(item))}")


def test_the_lowercase_topic_shortcut_answers_as_the_case_insensitive_topic():
    rules = default_rules()
    texts = [item["text"] for item in labelled()]
    texts += [t.upper() for t in texts[:40]] + ["KELVIN \u212a-SHOT PASS@K rlag", "ſpurious İ ı RLVR expands"]
    checked = 0
    for rule, quick in zip(rules.rules, rules._lowercase_topic):
        if quick is None:
            continue
        for text in texts:
            if text.isascii() or not any(c in text for c in "\u0130\u0131\u017f"):
                assert bool(quick.search(text.lower())) == bool(rule.topic.search(text)), (rule.id, text)
                checked += 1
    assert checked > 1000
