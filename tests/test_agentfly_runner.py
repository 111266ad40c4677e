"""The AgentFly runner end to end at test size: a real case-using base, frozen; memory arms and a
weight-update arm stepped through the same episode streams; every verdict reached through the
registered pipeline and recomputable from the per-episode rewards."""

import numpy as np
import pytest
from runner_specs import WorldRuns, check_labelled, check_seed_claims

from inquiry.runners import registry
from inquiry.runners.agentfly.verdict import ARMS, figures, halves, verdict

# the first slow test builds the module's pretrained base (once); on a loaded 2-core machine that alone can
# pass the suite's 300 s default
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    # the control world reuses the same base: the base never sees the stream's answers
    return WorldRuns(
        "agentfly",
        tmp_path_factory,
        {
            "supports": ("test", {}),
            "contradicts": ("test", {"world": "resampled"}),
            "inconclusive": ("test", {"pretrain_steps": 20}),
        },
    )


@pytest.mark.slow
@pytest.mark.parametrize("expected", ["supports", "contradicts"])
def test_each_world_reaches_its_verdict(runs, expected):
    _, _, out = runs[expected]
    assert out.verdict.verdict.value == expected, out.verdict.explanation
    assert out.verdict.registration == registry.get("agentfly").registration().sha
    assert [c.id for c in out.verdict.preconditions] == ["uses_cases"]
    assert out.verdict.preconditions[0].passed


@pytest.mark.slow
def test_a_base_that_cannot_use_cases_cannot_test_the_claim(runs):
    _, _, out = runs["inconclusive"]
    assert out.verdict.verdict.value == "inconclusive"
    assert out.verdict.reason == "precondition_failed:uses_cases"
    assert not out.raw["rewards"]["soft_q"]  # no stream is run with a base that cannot read a case


@pytest.mark.slow
@pytest.mark.parametrize("world", ["supports", "contradicts"])
def test_verdict_recomputes_from_raw_rewards(runs, world):
    config, context, out = runs[world]
    raw = out.raw
    for arm in ARMS:
        assert np.asarray(raw["rewards"][arm]).shape == (config.seeds, config.episodes)
    late_q, late_none = halves(raw, "soft_q")[1], halves(raw, "no_memory")[1]
    assert out.metrics["memory_gain"].value == pytest.approx(late_q.mean() - late_none.mean())
    # every reward is the environment's verdict on that episode's visit
    assert len(raw["truths"][0]) == config.episodes
    again = figures(raw, raw["bootstrap"], context.seed)
    assert again == out.metrics
    assert verdict(registry.get("agentfly").registration(), again) == out.verdict


@pytest.mark.slow
def test_result_has_learning_curves_q_weights_and_plot(runs):
    _, context, out = runs["supports"]
    assert {"stream", "q_function"} <= {s.chart for s in out.series}
    plot = next(a for a in out.artifacts if a.kind == "plot")
    assert (context.artifact_dir / plot.path).stat().st_size > 5000
    weights = dict(zip(out.raw["features"], out.raw["q_weights"][0][-1]))
    assert weights["same_key_and_rewarded"] > 0  # credit assignment found the useful cases


def test_soft_q_retrieval_learns_which_cases_pay():
    import random

    from inquiry.runners.agentfly.memory import CaseBank, SoftQRetriever
    from inquiry.runners.agentfly.world import Case

    retriever = SoftQRetriever(k=1, lr=0.5, temperature=0.3, candidates=50)
    bank = CaseBank()
    rng = random.Random(0)
    for t in range(20):
        bank.add(Case(f"{t:02d}", 1, t % 2 == 0, t))
    for now in range(20, 400):
        key = f"{rng.randrange(20):02d}"
        cases = retriever.retrieve(bank, key, now, rng)
        reward = int(cases[0].key == key and cases[0].rewarded)  # only a rewarded same-key case pays
        retriever.learn(cases, key, now, reward)
    hits = sum(retriever.retrieve(bank, "04", 400, rng)[0].key == "04" for _ in range(50))
    assert hits > 35


def test_config_fields_are_described_bounded_and_presets_valid():
    runner = registry.get("agentfly")
    assert set(runner.presets) == {"test", "default", "control", "gpu"}
    for preset in runner.presets:
        registry.resolve_config(runner, preset)
    for name, field in runner.Config.model_json_schema()["properties"].items():
        assert field.get("description"), name
    with pytest.raises(Exception, match="cases_in_context"):
        registry.resolve_config(runner, "test", {"cases_in_context": 9})


def test_seed_claims_and_labelled_sentences_match_the_spec_rules(seeded_notebook):
    check_seed_claims(seeded_notebook, "without-updating-weights", "agentfly", directed=1)
    check_labelled("agentfly")
