"""The wandering runner through its real pipeline on tiny worlds whose answer is known, plus its pieces."""

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
from inquiry.runners.wandering.env import Episode, teacher_trace
from inquiry.runners.wandering.fits import compare
from inquiry.runners.wandering.verdict import DepthEvidence, decide_depth

# A real pretraining per world (about 15 CPU-s each); the wall-clock limit leaves room for a loaded machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

# The tiny worlds: each preset's registered pipeline at the test size, changing only what makes the world.
WANDERING_WORLD = {"device": "cpu"}
SYSTEMATIC_WORLD = {"device": "cpu", "wander_share": 0.0}
UNTRAINED = {"device": "cpu", "pretrain_steps": 3}


@pytest.fixture(scope="module")
def runner():
    return get("wandering")


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("wandering-cache")


def _run(runner, cache, tmp_path_factory, overrides, preset="test"):
    config = resolve_config(runner, preset, overrides)
    context = RunContext(tmp_path_factory.mktemp("wandering"), seed=0, device="cpu", threads=1, cache_dir=cache)
    return runner.run(config, context), config, context


@pytest.fixture(scope="module")
def wandering(runner, cache, tmp_path_factory):
    return _run(runner, cache, tmp_path_factory, WANDERING_WORLD)


def test_a_wandering_model_decays_geometrically_with_depth(wandering, runner):
    res, _config, context = wandering
    assert res.verdict.verdict is Verdict.SUPPORTS, res.verdict.explanation
    assert res.verdict.registration == runner.registration().sha
    assert [p.id for p in res.verdict.preconditions] == ["in_range_competence"]
    assert res.metrics["delta_aic"].value >= runner.registration().threshold("delta_aic")
    assert (context.artifact_dir / res.artifacts[0].path).read_bytes()[:4] == b"\x89PNG"
    assert {s.chart for s in res.series} == {"success", "violations"}
    json.dumps(res.model_dump(mode="json"))


def test_a_systematic_model_contradicts(runner, cache, tmp_path_factory):
    res, _, _ = _run(runner, cache, tmp_path_factory, SYSTEMATIC_WORLD)
    assert res.verdict.verdict is Verdict.CONTRADICTS, res.verdict.explanation
    assert res.verdict.reason in {"no_decay_with_depth", "cliff_beats_geometric"}


def test_an_untrained_model_fails_the_precondition(runner, cache, tmp_path_factory):
    res, _, _ = _run(runner, cache, tmp_path_factory, UNTRAINED)
    assert res.verdict.verdict is Verdict.INCONCLUSIVE
    assert res.verdict.reason == "precondition_failed:in_range_competence"
    assert not res.verdict.preconditions[0].passed


def test_rl_arm_measures_deep_violations_against_the_same_base(runner, cache, tmp_path_factory, wandering):
    # the same world as the depth arm, so the base comes from the cache; only GRPO and the second evaluation run
    res, config, _ = _run(runner, cache, tmp_path_factory, {**WANDERING_WORLD, "arm": "rl"})
    base = wandering[0]
    assert res.raw["base"] == base.raw["base"]  # same base, same codes: the comparison is paired
    assert [p.id for p in res.verdict.preconditions] == ["in_range_competence", "rl_learned"]
    gain = res.metrics["rl_in_range_gain"]
    inside = np.array(res.raw["base"]["depth"]) <= config.train_max_depth
    rl_solved, base_solved = (np.array(res.raw[k]["solved"])[inside] for k in ("rl", "base"))
    assert gain.value == pytest.approx(rl_solved.mean() - base_solved.mean())
    if gain.low <= 0:
        assert res.verdict.reason == "precondition_failed:rl_learned"
    else:
        ratio = res.metrics["rl_deep_violation_ratio"]
        expected = "supports" if ratio.low >= 0.5 else "contradicts" if ratio.high < 0.5 else "inconclusive"
        assert res.verdict.verdict.value == expected


def test_rl_that_does_not_move_the_policy_fails_its_precondition(runner, cache, tmp_path_factory, wandering):
    res, _, _ = _run(runner, cache, tmp_path_factory, {**WANDERING_WORLD, "arm": "rl", "rl_steps": 1, "rl_lr": 1e-9})
    assert res.verdict.reason == "precondition_failed:rl_learned"


def test_reported_numbers_recompute_from_the_raw_episodes(wandering, runner):
    res, config, _ = wandering
    raw = res.raw["base"]
    depth, solved = np.array(raw["depth"]), np.array(raw["solved"])
    assert sorted(set(depth)) == config.depths and len(depth) == len(config.depths) * config.episodes_per_depth
    for d in config.depths:
        assert res.metrics[f"success_d{d}"].value == pytest.approx(solved[depth == d].mean())
    fit = compare(
        config.depths,
        [solved[depth == d].sum() for d in config.depths],
        [config.episodes_per_depth] * len(config.depths),
        steepness=runner.registration().threshold("cliff_steepness"),
    )
    assert res.metrics["delta_aic"].value == pytest.approx(fit.delta_aic)
    viol = np.array(raw["validity"]) + np.array(raw["necessity"])
    actions = np.array(raw["actions"])
    inside = depth <= config.train_max_depth
    ratio = (viol[~inside].sum() / actions[~inside].sum()) / (viol[inside].sum() / actions[inside].sum())
    assert res.metrics["violation_ratio"].value == pytest.approx(ratio)
    clean = viol == 0
    assert res.metrics["violation_free_success"].value == pytest.approx(solved[clean].mean())
    # the verdict is the registered rule applied to these numbers
    m = res.metrics
    again = decide_depth(
        DepthEvidence(
            in_range_success=m["in_range_success"],
            hazard=m["hazard_per_level"],
            delta_aic=m["delta_aic"].value,
            violation_ratio=m["violation_ratio"],
            violation_free_success=m["violation_free_success"],
        ),
        runner.registration().thresholds,
    )
    assert (again.verdict, again.reason) == (res.verdict.verdict, res.verdict.reason)


def test_the_environment_answers_and_classifies_every_action():
    env = Episode(secret=(0, 1, 1), budget=20)
    replies = [env.step(a) for a in "11bb1b0bb"]
    assert replies == ["x", "x", "x", "o", "x", "o", "o", "o", "o"]
    assert env.violations == [
        None,
        "extend_dead",
        None,
        None,
        "revisit_dead",
        None,
        None,
        "backtrack_live",
        "backtrack_root",
    ]
    assert env.step(".") == "" and env.done and not env.solved and env.failure == "stop"
    env = Episode(secret=(1,), budget=5)
    assert env.step("o") == "" and env.failure == "format"
    env = Episode(secret=(1, 1), budget=2)
    assert [env.step(a) for a in "10"] == ["o", "x"] and env.failure == "budget"


def test_the_systematic_teacher_always_solves_within_three_actions_per_bit():
    rng = random.Random(0)
    for depth in (1, 4, 9):
        for _ in range(50):
            trace = teacher_trace(depth, 0.0, 3, rng)
            assert trace.endswith("!") and "." not in trace


def test_model_comparison_tells_geometric_decay_from_a_cliff():
    depths = np.arange(2, 11)
    n = np.full(depths.size, 300)
    geometric = np.round(n * 0.95 * 0.88 ** (depths - 2))
    cliff = np.where(depths <= 6, 280, 10)
    assert compare(depths, geometric, n, steepness=3.0).delta_aic > 2
    assert compare(depths, cliff, n, steepness=3.0).delta_aic < -2


def test_bad_config_names_the_field(runner):
    with pytest.raises(ConfigError) as err:
        resolve_config(runner, "test", {"test_max_depth": "4"})
    assert "test_max_depth" in str(err.value)
    with pytest.raises(ConfigError) as err:
        resolve_config(runner, "test", {"wander_rate": "1.5"})
    assert err.value.args and "wander_rate" in str(err.value)


def test_config_fields_are_described_bounded_and_presets_complete(runner):
    schema = runner.Config.model_json_schema()["properties"]
    for name, field in schema.items():
        assert field.get("description"), name
    assert {"test", "default", "control", "gpu"} <= set(runner.presets)
    assert runner.registration().runner == "wandering"
    assert "wander_share = 0" in runner.registration().control


def test_labelled_claim_sentences_get_the_predicted_spec():
    check_labelled("wandering")


SEED_CLAIMS = [
    "Current reasoning models lack the three properties of systematic exploration: validity, effectiveness, and "
    "necessity.",
    "This causes success probability to drop exponentially with problem depth, making medium problems solvable but "
    "deep problems catastrophically harder.",
]


@pytest.mark.parametrize("claim", SEED_CLAIMS)
def test_each_seed_claim_of_the_note_matches_the_topic(claim):

    seed = Path(__file__).resolve().parents[1] / "inquiry" / "example" / "rl-knowing-doing-gap.inquiry.txt"
    assert claim in seed.read_text()
    assert ("wandering", "default", "supports") in confident_specs(claim)
