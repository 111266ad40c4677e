"""Checks shared by the runner tests on a runner's spec rules and labelled sentences, through the product's own
rule loader (``inquiry.notes.repro_specs.default_rules``), never a second copy of its matching logic.

Per labelled sentence: no confident spec of this runner that the label does not name (a wrong direction, a wrong
preset, or a spec for a sentence labelled ``none``). Per file: both directions and ``none`` are represented, and
at least 80 % of the sentences get exactly their labelled specs confidently (abstaining is the safe failure).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from inquiry.models import Claim, SpecState
from inquiry.notes.repro_specs import default_rules

POLARITY = Path(__file__).resolve().parent / "data" / "claim_polarity"


def confident_specs(text: str, runner: str | None = None) -> set[tuple[str, str, str]]:
    """(runner, preset, predicts) of the accepted specs the packaged rules give ``text``."""
    claim = Claim(id="claim:x/1", note_id="note:x", text=text)
    return {
        (s.runner, s.preset, s.predicts.value)
        for s in default_rules().specs_for(claim)
        if s.state is SpecState.ACCEPTED and (runner is None or s.runner == runner)
    }


def labelled(runner: str) -> list[dict]:
    return yaml.safe_load((POLARITY / f"{runner}.yaml").read_text())


def expected_specs(case: dict, runner: str) -> set[tuple[str, str, str]]:
    expect = case["expect"]
    parts = [] if expect == "none" else expect if isinstance(expect, list) else [expect]
    return {(p["runner"], p["preset"], p["predicts"]) for p in parts if p["runner"] == runner}


def check_labelled(runner: str) -> None:
    sentences = labelled(runner)
    assert len(sentences) >= 8
    kinds = {p[2] for case in sentences for p in expected_specs(case, runner)}
    assert {"supports", "contradicts"} <= kinds
    assert any(case["expect"] == "none" for case in sentences)
    covered = 0
    for case in sentences:
        got, want = confident_specs(case["text"], runner), expected_specs(case, runner)
        assert got <= want, (case["text"], got, want)  # never a confident wrong spec
        covered += got == want
    assert covered >= 0.8 * len(sentences), f"{covered} of {len(sentences)} covered"


def check_seed_claims(notebook, note_slug: str, runner: str, directed: int) -> None:
    """Every seed claim of the note gets a spec of this runner predicting `supports` (the seed asserts the
    papers' claims); ``directed`` of them are confident (accepted), the others suggested for review."""
    claims = [c for c in notebook.list_claims() if note_slug in c.note_id]
    assert claims, note_slug
    accepted = 0
    for claim in claims:
        specs = [s for s in notebook.specs(claim.id) if s.runner == runner]
        assert specs, claim.text
        assert all(s.predicts.value == "supports" for s in specs), claim.text
        accepted += any(s.state is SpecState.ACCEPTED for s in specs)
    assert accepted == directed, [(c.text, [s.state.value for s in notebook.specs(c.id)]) for c in claims]


class WorldRuns(dict):
    """Real runs of one runner, each world run on first use and once per test module.

    ``worlds`` maps a world name to ``(preset, overrides)``; every run shares one checkpoint cache, so worlds
    that differ only on the evaluation side reuse one pretrained base. ``runs[world]`` is
    ``(config, context, result)``.
    """

    def __init__(self, runner_name: str, tmp_path_factory, worlds: dict[str, tuple[str, dict]]):
        super().__init__()
        from inquiry.runners import registry
        from inquiry.runners.api import RunContext

        self._runner = registry.get(runner_name)
        self._resolve, self._context = registry.resolve_config, RunContext
        self._name, self._factory, self._worlds = runner_name, tmp_path_factory, worlds
        self._cache = tmp_path_factory.mktemp(f"{runner_name}-cache")

    def __missing__(self, world: str):
        preset, overrides = self._worlds[world]
        config = self._resolve(self._runner, preset, {"device": "cpu", **overrides})
        context = self._context(
            self._factory.mktemp(f"{self._name}-{world}"), seed=0, device="cpu", cache_dir=self._cache
        )
        self[world] = (config, context, self._runner.run(config, context))
        return self[world]
