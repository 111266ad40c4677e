"""The symbolic-vs-semantic runner through its real pipeline on tiny worlds whose answer is known."""

import json
import random
from pathlib import Path

import numpy as np
import pytest
from runner_specs import check_labelled, confident_specs

from inquiry.errors import ConfigError
from inquiry.models import Verdict
from inquiry.runners.api import RunContext
from inquiry.runners.registry import get, resolve_config
from inquiry.runners.symbolic.config import CONTROL_WORLD
from inquiry.runners.symbolic.verdict import Evidence, decide
from inquiry.runners.symbolic.world import World

# Two real pretrainings per world (the registered share and the arm's); the wall-clock limit leaves room for a
# loaded machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

UNTRAINED = {"device": "cpu", "pretrain_steps": 3}


@pytest.fixture(scope="module")
def runner():
    return get("symbolic")


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("symbolic-cache")


def _run(runner, cache, tmp_path_factory, preset, overrides=None):
    config = resolve_config(runner, preset, {"device": "cpu", **(overrides or {})})
    context = RunContext(tmp_path_factory.mktemp("symbolic"), seed=0, device="cpu", threads=1, cache_dir=cache)
    return runner.run(config, context), config, context


@pytest.fixture(scope="module")
def semantic_world(runner, cache, tmp_path_factory):
    return _run(runner, cache, tmp_path_factory, "test")


def test_a_model_trained_on_consistent_semantics_collapses(semantic_world, runner):
    res, _, context = semantic_world
    assert res.verdict.verdict is Verdict.SUPPORTS, res.verdict.explanation
    assert res.verdict.registration == runner.registration().sha
    assert res.verdict.preconditions[0].id == "semantic_competence" and res.verdict.preconditions[0].passed
    assert (context.artifact_dir / res.artifacts[0].path).read_bytes()[:4] == b"\x89PNG"
    json.dumps(res.model_dump(mode="json"))


@pytest.fixture(scope="module")
def control_world(runner, cache, tmp_path_factory):
    # the registered control world (its mixture and batch) at the test size of everything else
    return _run(runner, cache, tmp_path_factory, "control", {**runner.presets["test"], **CONTROL_WORLD})


def test_a_model_trained_to_read_the_context_does_not_collapse(control_world, runner, semantic_world):
    # The hypothesis is false in the control world (reading the context is what pretraining rewards, for words and
    # symbols alike), so the real pipeline must return `contradicts` through the equivalence test.
    res, _, _ = control_world
    assert (res.verdict.verdict, res.verdict.reason) == (Verdict.CONTRADICTS, "equivalent_no_collapse"), (
        res.verdict.explanation
    )
    assert res.verdict.registration == runner.registration().sha and res.verdict.preconditions[0].passed
    margin = runner.registration().threshold("equivalence_margin")
    for gap in ("symbol_gap_90", "counter_gap_90"):
        assert -margin < res.metrics[gap].low <= res.metrics[gap].high < margin, gap
    # the same pipeline on the hypothesis' world collapses: the worlds differ only in what pretraining rewards
    assert semantic_world[0].metrics["symbol_gap"].low > res.metrics["symbol_gap"].high
    assert semantic_world[0].metrics["counter_gap"].low > res.metrics["counter_gap"].high


def test_equivalent_conditions_contradict_through_the_registered_thresholds(runner):
    from inquiry.runners.api import Estimate

    close = Estimate(value=0.01, low=-0.03, high=0.04)
    evidence = Evidence(
        semantic=Estimate(value=0.95),
        symbol_gap=close,
        counter_gap=close,
        symbol_gap_90=close,
        counter_gap_90=close,
        memorised_share=Estimate(value=0.5),
        arm_gap_shrink=close,
    )
    report = decide(evidence, runner.registration().thresholds)
    assert (report.verdict, report.reason) == (Verdict.CONTRADICTS, "equivalent_no_collapse")
    wide = Estimate(value=0.01, low=-0.03, high=0.06)  # the 90% interval leaves the ±0.05 margin: not equivalent
    assert (
        decide(evidence.model_copy(update={"counter_gap_90": wide}), runner.registration().thresholds).verdict
        is Verdict.INCONCLUSIVE
    )


def test_an_untrained_model_fails_the_precondition(runner, cache, tmp_path_factory):
    res, _, _ = _run(runner, cache, tmp_path_factory, "test", UNTRAINED)
    assert res.verdict.verdict is Verdict.INCONCLUSIVE
    assert res.verdict.reason == "precondition_failed:semantic_competence"


@pytest.mark.parametrize("world", ["semantic_world", "control_world"])
def test_reported_numbers_recompute_from_the_raw_answers(world, runner, request):
    res, config, _ = request.getfixturevalue(world)
    raw = res.raw["registered"]
    S, Y, C = (np.array(raw[c]["correct"], dtype=float) for c in ("semantic", "symbols", "counter"))
    assert S.size == Y.size == C.size == config.test_items
    assert res.metrics["symbol_gap"].value == pytest.approx(S.mean() - Y.mean())
    assert res.metrics["counter_gap"].value == pytest.approx(S.mean() - C.mean())
    wrong = C == 0
    memorised = np.array(raw["counter"]["answer"])[wrong] == np.array(res.raw["memorised_answer"])[wrong]
    if wrong.any():
        assert res.metrics["memorised_error_share"].value == pytest.approx(memorised.mean())
    else:  # a model that reads the context makes no counter-condition error to classify
        assert res.metrics["memorised_error_share"].n == 0
    arm = res.raw["arm"]
    aS, aY = (np.array(arm[c]["correct"], dtype=float) for c in ("semantic", "symbols"))
    assert res.metrics["arm_gap_shrink"].value == pytest.approx((S.mean() - Y.mean()) - (aS.mean() - aY.mean()))
    m = res.metrics
    again = decide(
        Evidence(
            semantic=m["semantic_accuracy"],
            symbol_gap=m["symbol_gap"],
            counter_gap=m["counter_gap"],
            symbol_gap_90=m["symbol_gap_90"],
            counter_gap_90=m["counter_gap_90"],
            memorised_share=m["memorised_error_share"],
            arm_gap_shrink=m["arm_gap_shrink"],
        ),
        runner.registration().thresholds,
    )
    assert (again.verdict, again.reason) == (res.verdict.verdict, res.verdict.reason)


def test_conditions_are_paired_by_structure():
    world = World(entities=20, categories=5, symbols=10, seed=1)
    rng = random.Random(3)
    for _ in range(50):
        item = world.item(rng)
        (s, a_s), (y, _a_y), (c, a_c) = (world.render(item, k) for k in ("semantic", "symbols", "counter"))
        assert len(s.split()) == len(y.split()) == len(c.split())
        assert a_s == world.memorised(item) != a_c
        assert a_c in s  # the counter answer is the distractor chain's property: the memory is in the context too
        assert all(w.startswith("s") or w in {"is", "can", ".", "?"} for w in y.split())


def test_bad_config_names_the_field(runner):
    with pytest.raises(ConfigError) as err:
        resolve_config(runner, "test", {"symbol_share": "2"})
    assert err.value.field == "symbol_share"


def test_config_fields_are_described_and_presets_complete(runner):
    for name, field in runner.Config.model_json_schema()["properties"].items():
        assert field.get("description"), name
    assert {"test", "default", "control", "gpu"} <= set(runner.presets)
    assert runner.registration().threshold("equivalence_margin") == 0.05


def test_labelled_claim_sentences_get_the_predicted_spec():
    check_labelled("symbolic")


SEED_CLAIMS = [
    "When semantic content is decoupled from reasoning tasks, LLM performance collapses even with correct rules in "
    "context.",
    "Models rely on parametric commonsense and token associations rather than formal logical manipulation, "
    "constraining reasoning to training distribution semantics.",
]


@pytest.mark.parametrize("claim", SEED_CLAIMS)
def test_each_seed_claim_of_the_note_matches_the_topic(claim):
    seed = Path(__file__).resolve().parents[1] / "inquiry" / "example" / "rl-knowing-doing-gap.inquiry.txt"
    assert claim in seed.read_text()
    assert ("symbolic", "default", "supports") in confident_specs(claim)
