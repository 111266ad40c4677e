"""One steering run: vectors, the dev sweep, every test arm and control, then the numbers and verdict.

Pipeline: a base (pretrained miniature or local checkpoint) → difference-of-means vectors per
layer from reason- vs direct-tagged contrast prompts → a (layer, alpha, injection positions) grid
on the dev split → every arm and control on the test split, at the chosen setting's positions →
bootstrap intervals → the verdict fixed in advance. It imports torch, so
:meth:`~inquiry.runners.steering.runner.SteeringRunner.run` imports it only when it runs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

from ...errors import ConfigError
from ..api import Artifact, Estimate, Result, RunContext, Series, Table, load_registration
from ..substrate import bootstrap_ci, decoder_layers, paired_diff_ci
from .config import Config
from .generate import Steering, continuation_nll
from .plot import plot_result
from .setup import Workbench, workbench
from .sweep import Evaluator, Outcome, Setting, middle_third, pick_setting, scaled
from .vector import block_outputs, mean_difference, random_directions, shuffled_difference, unit
from .verdict import decide, evidence_from_raw

# the runner module imports this one: read the same file it registers, without importing the runner
REGISTRATION_FILE = Path(__file__).with_name("registration.yaml")


def run_steering(config: Config, context: RunContext) -> Result:
    """Build the base, pick the blocks to steer, and run the whole experiment."""
    context.setup_torch()
    bench = workbench(config, context)
    blocks = decoder_layers(bench.model)
    layers = config.steer_layers or (
        list(range(len(blocks))) if bench.scope == "miniature" else middle_third(len(blocks))
    )
    if max(layers) >= len(blocks):
        raise ConfigError("steer_layers", f"the model has {len(blocks)} decoder blocks (0..{len(blocks) - 1})")
    return _Experiment(config, context, bench, layers).run()


class _Experiment:
    """One run's state: vectors, arms and numbers, assembled into a Result."""

    def __init__(self, config: Config, context: RunContext, bench: Workbench, layers: list[int]):
        self.config, self.context, self.bench, self.layers = config, context, bench, layers
        self.registration = load_registration(REGISTRATION_FILE)
        registered = self.registration.settings
        self.primary: str = registered["primary_positions"]
        scope_kind = "miniature" if bench.scope == "miniature" else "checkpoint"
        registered_alphas = [float(a) for a in registered["alphas"][scope_kind]]
        alphas = config.alphas or registered_alphas
        positions = config.positions or [self.primary, *registered["exploratory_positions"]]
        self.registered_grid = alphas == registered_alphas and self.primary in positions
        if self.primary not in positions:  # an off-protocol run: its first mode stands in (the verdict says so)
            self.primary = positions[0]
        self.pad_id = bench.tokenizer.pad_token_id
        self.evaluator = Evaluator(
            bench.model,
            bench.task,
            bench.encode,
            bench.decode,
            eos_id=bench.stop_ids or bench.tokenizer.eos_token_id,
            pad_id=self.pad_id,
            max_new_tokens=bench.max_new_tokens,
            batch_size=config.generation_batch,
            generator=context.torch_generator(1),
        )
        self.rng = np.random.default_rng(context.seed)
        self.grid = [Setting(layer, alpha, mode) for mode in positions for layer in layers for alpha in alphas]
        self.done, self.total = 0, len(layers) + 2 * len(self.grid) + config.random_vectors + 3

    def tick(self, message: str) -> None:
        self.context.check_cancelled()
        self.done += 1
        self.context.progress(self.done, self.total, message)

    # --- vectors
    def vectors(self) -> tuple[dict[int, torch.Tensor], dict[int, torch.Tensor], dict[int, float]]:
        """Per layer: the unit contrast direction, the unit label-shuffled direction, the mean residual norm."""
        bench, model = self.bench, self.bench.model
        positive = [bench.encode(p) for p, _ in bench.contrast]
        negative = [bench.encode(n) for _, n in bench.contrast]
        shuffle_gen = torch.Generator().manual_seed(self.context.seed * 7 + 11)
        directions, shuffled, norms = {}, {}, {}
        for layer in self.layers:
            block = decoder_layers(model)[layer]
            pos, pos_norm = block_outputs(model, block, positive, self.pad_id)
            neg, neg_norm = block_outputs(model, block, negative, self.pad_id)
            directions[layer] = unit(mean_difference(pos, neg))
            shuffled[layer] = unit(shuffled_difference(pos, neg, shuffle_gen))
            norms[layer] = (pos_norm + neg_norm) / 2
            self.tick(f"vector at block {layer}")
        return directions, shuffled, norms

    def steering(self, direction: torch.Tensor, setting: Setting, norms: dict[int, float]) -> Steering:
        device = next(self.bench.model.parameters()).device
        return Steering(
            setting.layer, scaled(direction, setting.alpha, norms[setting.layer]).to(device), setting.positions
        )

    # --- the run
    def run(self) -> Result:
        config, bench, ev = self.config, self.bench, self.evaluator
        test, untagged = bench.test, ev.prompts(bench.test, "untagged")
        # every arm is measured even when a precondition fails (the verdict is then inconclusive): the numbers
        # still show why
        base_arm, tag_arm = ev.measure(test, untagged, None), ev.measure(test, ev.prompts(test, "reason"), None)
        directions, shuffled, norms = self.vectors()

        dev_prompts = ev.prompts(bench.dev, "untagged")
        dev_base = ev.measure(bench.dev, dev_prompts, None)
        dev = {}
        for cell in self.grid:
            dev[cell] = ev.measure(bench.dev, dev_prompts, self.steering(directions[cell.layer], cell, norms))
            self.tick(f"dev sweep: {_label(cell)}")
        # the registered choice: the best primary-mode cell on dev; other modes get their own (exploratory) pick
        best = pick_setting({cell: o.correct.mean() for cell, o in dev.items() if cell.positions == self.primary})
        exploratory_best = {
            mode: pick_setting({c: o.correct.mean() for c, o in dev.items() if c.positions == mode})
            for mode in {c.positions for c in self.grid} - {self.primary}
        }

        # every control below is steered at the chosen setting's block, strength and positions
        chosen = self.steering(directions[best.layer], best, norms)
        arms: dict[str, Outcome] = {
            "alpha=0": base_arm,
            "steered": ev.measure(test, untagged, chosen),
            "reason tag": tag_arm,
            "direct tag": ev.measure(test, ev.prompts(test, "direct"), None),
            "sign-flipped": ev.measure(test, untagged, dataclasses.replace(chosen, vector=-chosen.vector)),
            "label-shuffled": ev.measure(test, untagged, self.steering(shuffled[best.layer], best, norms)),
        }
        self.tick("test arms (greedy)")
        k, temp = config.samples, config.temperature
        sampled = {
            name: ev.measure(test, prompts, steer, n=k, temperature=temp)
            for name, prompts, steer in (
                ("alpha=0", untagged, None),
                ("steered", untagged, chosen),
                ("reason tag", ev.prompts(test, "reason"), None),
            )
        }
        self.tick(f"test arms (avg@{k})")

        test_grid = {}
        for cell in self.grid:
            test_grid[cell] = (
                arms["steered"]
                if cell == best
                else ev.measure(test, untagged, self.steering(directions[cell.layer], cell, norms))
            )
            self.tick(f"test grid: {_label(cell)}")

        hidden = directions[best.layer].numel()
        randoms = random_directions(config.random_vectors, hidden, torch.Generator().manual_seed(self.context.seed))
        null_acc = []
        for i, direction in enumerate(randoms):
            null_acc.append(ev.measure(test, untagged, self.steering(direction, best, norms)).correct.mean().item())
            self.tick(f"random vector {i + 1}/{len(randoms)}")

        nll = {}
        for name, pairs, skip in (("", bench.neutral, 0), ("untagged_", bench.untagged, bench.untagged_skip)):
            encoded = [(bench.encode(p), bench.encode_continuation(c)) for p, c in pairs]
            for label, steer in (("unsteered", None), ("steered", chosen)):
                nll[name + label] = continuation_nll(bench.model, encoded, steer, pad_id=self.pad_id, skip=skip)
        self.tick("NLL on tagged traces and untagged text")
        return self.assemble(
            arms, sampled, dev_base, dev, test_grid, best, exploratory_best, norms, np.array(null_acc), nll
        )

    # --- numbers, verdict, result
    def assemble(self, arms, sampled, dev_base, dev, test_grid, best, exploratory_best, norms, null_acc, nll) -> Result:
        _config, rng, B = self.config, self.rng, self.config.bootstrap
        reg = self.registration
        level = reg.threshold("level")
        base, tagged = arms["alpha=0"], arms["reason tag"]
        raw = {
            "chosen": best._asdict(),
            "primary_positions": self.primary,
            "registered_grid": self.registered_grid,
            "exploratory_chosen": {mode: cell._asdict() for mode, cell in exploratory_best.items()},
            "mean_residual_norm": {str(layer): norm for layer, norm in norms.items()},
            "arms": {name: _per_item(o) for name, o in arms.items()},
            "sampled": {name: _per_item(o) for name, o in sampled.items()},
            "test_grid": [{**cell._asdict(), **_per_item(o)} for cell, o in test_grid.items()],
            "random_vector_accuracy": null_acc.tolist(),
            "nll": nll,
            "bootstrap": B,
            "decoding": {"chat_template": self.bench.chat_template, "stop_ids": self.bench.stop_ids},
        }

        def interval(per_run: list[np.ndarray], description: str) -> Estimate:
            return bootstrap_ci(per_run[0], B=B, level=level, rng=rng, description=description)

        metrics, evidence = evidence_from_raw([raw], reg, interval)
        for name, outcome in arms.items():
            metrics[f"accuracy[{name}]"] = bootstrap_ci(
                outcome.correct, B=B, level=level, rng=rng, description=f"greedy accuracy, {name}, test"
            )
        verdict = decide(evidence, reg, scope=self.bench.scope)
        exploratory = self.exploratory(arms, sampled, test_grid, exploratory_best, level)
        null_gain = null_acc - base.correct.mean()
        series = self.series(base, test_grid, null_gain)
        plot = plot_result(
            series,
            {"reason tag": tagged.correct.mean(), "alpha = 0": base.correct.mean()},
            metrics["accuracy_gain"].value,
            self.context.artifact_dir / "steering.png",
        )
        return Result(
            metrics=metrics,
            series=series,
            verdict=verdict,
            exploratory=exploratory,
            tables=self.tables(arms, sampled, dev_base, dev, test_grid, norms),
            artifacts=[
                Artifact(
                    name="steering.png",
                    path=plot.name,
                    kind="plot",
                    description="test accuracy against alpha per block and mode; the random-vector null",
                )
            ],
            raw=raw,
            headline=[
                "accuracy_gain",
                "tag_gain",
                "beats_sign_flip",
                "beats_label_shuffle",
                "holm_positive_cells",
                "untagged_nll_increase",
            ],
        )

    def exploratory(self, arms, sampled, test_grid, exploratory_best, level) -> dict[str, Estimate]:
        """Analyses outside the registered rule: other injection modes, avg@k, the share of the gap recovered."""
        config, rng, B = self.config, self.rng, self.config.bootstrap
        base = arms["alpha=0"].correct
        out = {
            f"avg_accuracy_gain@{config.samples}": paired_diff_ci(
                sampled["steered"].correct,
                sampled["alpha=0"].correct,
                B=B,
                level=level,
                rng=rng,
                description=f"avg@{config.samples} accuracy at T={config.temperature}, steered minus alpha = 0",
            ),
            "direct_tag_gain": paired_diff_ci(
                arms["direct tag"].correct,
                base,
                B=B,
                level=level,
                rng=rng,
                description="greedy accuracy, direct tag minus untagged",
            ),
        }
        gap = self.gap_recovered(arms["steered"].correct, base, arms["reason tag"].correct)
        if gap is not None:
            out["gap_recovered"] = gap
        for mode, cell in exploratory_best.items():
            out[f"accuracy_gain[{mode}]"] = paired_diff_ci(
                test_grid[cell].correct,
                base,
                B=B,
                level=level,
                rng=rng,
                description=f"greedy accuracy at {mode}'s own dev-chosen cell ({_label(cell)}) minus alpha = 0",
            )
            cells = [c for c in test_grid if c.positions == mode]
            best_test = max(cells, key=lambda c: test_grid[c].correct.mean())
            out[f"best_test_cell_gain[{mode}]"] = paired_diff_ci(
                test_grid[best_test].correct,
                base,
                B=B,
                level=level,
                rng=rng,
                description=f"the best {mode} cell picked on test itself ({_label(best_test)}): optimistic",
            )
        return out

    def gap_recovered(self, steered: np.ndarray, base: np.ndarray, tagged: np.ndarray) -> Estimate | None:
        """(steered - alpha0) / (tagged - alpha0), items resampled jointly; None when the tag does not help
        (the share is undefined), the point alone when some resamples have no gap."""

        def ratio(rows: np.ndarray) -> float:
            idx = rows.astype(int)
            gap = tagged[idx].mean() - base[idx].mean()
            return (steered[idx].mean() - base[idx].mean()) / gap if gap > 0 else np.nan

        description = "share of the explicit-tag accuracy gap recovered by steering (Venhoff et al. style)"
        point = ratio(np.arange(len(base)))
        if np.isnan(point):
            return None
        draws = np.array(
            [ratio(row) for row in self.rng.integers(0, len(base), size=(self.config.bootstrap, len(base)))]
        )
        if np.isnan(draws).any():
            return Estimate(value=point, n=len(base), description=description)
        tail = (1 - self.registration.threshold("level")) / 2
        low, high = np.quantile(draws, [tail, 1 - tail])
        return Estimate(value=point, low=float(low), high=float(high), n=len(base), description=description)

    def series(self, base: Outcome, test_grid: dict[Setting, Outcome], null_gain: np.ndarray) -> list[Series]:
        """One accuracy and one scratchpad line per (block, positions), alpha = 0 included."""
        out = []
        for positions in dict.fromkeys(cell.positions for cell in self.grid):
            for layer in self.layers:
                cells = [
                    (cell.alpha, o)
                    for cell, o in test_grid.items()
                    if (cell.layer, cell.positions) == (layer, positions)
                ]
                xs = [0.0] + [a for a, _ in cells]
                name = f"block {layer}, {positions}"
                out.append(
                    Series(
                        name=name,
                        x=xs,
                        y=[float(base.correct.mean())] + [float(o.correct.mean()) for _, o in cells],
                        x_label="alpha (x mean residual norm)",
                        y_label="greedy accuracy",
                        chart="accuracy",
                    )
                )
                out.append(
                    Series(
                        name=name,
                        x=xs,
                        y=[float(base.scratchpad.mean())] + [float(o.scratchpad.mean()) for _, o in cells],
                        x_label="alpha (x mean residual norm)",
                        y_label="scratchpad rate",
                        chart="scratchpad",
                    )
                )
        ordered = sorted(null_gain.tolist())
        out.append(
            Series(
                name="random-vector null",
                x=[float(i) for i in range(len(ordered))],
                y=ordered,
                x_label="random direction (sorted)",
                y_label="accuracy gain",
                chart="null",
            )
        )
        return out

    def tables(self, arms, sampled, dev_base, dev, test_grid, norms) -> list[Table]:
        def row(o: Outcome) -> list[float]:
            return [_r(o.correct), _r(o.scratchpad), _r(o.valid)]

        arm_rows = [
            [
                name,
                _r(o.correct),
                _r(sampled[name].correct) if name in sampled else None,
                _r(o.scratchpad),
                _r(o.valid),
                _r(o.tokens),
            ]
            for name, o in arms.items()
        ]
        grid_rows = [
            [
                cell.layer,
                cell.alpha,
                cell.positions,
                _r(dev[cell].correct),
                *row(o),
                round(norms[cell.layer] * cell.alpha, 3),
            ]
            for cell, o in test_grid.items()
        ]
        grid_rows.insert(0, ["-", 0.0, "-", _r(dev_base.correct), *row(arms["alpha=0"]), 0.0])
        return [
            Table(
                name="arms (test)",
                columns=[
                    "arm",
                    "greedy accuracy",
                    f"avg@{self.config.samples}",
                    "scratchpad rate",
                    "valid rate",
                    "tokens",
                ],
                rows=arm_rows,
            ),
            Table(
                name="grid",
                columns=[
                    "block",
                    "alpha",
                    "positions",
                    "dev accuracy",
                    "test accuracy",
                    "test scratchpad",
                    "test valid",
                    "added norm",
                ],
                rows=grid_rows,
            ),
        ]


def _label(cell: Setting) -> str:
    return f"block {cell.layer}, alpha {cell.alpha}, {cell.positions}"


def _r(values: np.ndarray) -> float:
    return round(float(values.mean()), 4)


def _per_item(outcome: Outcome) -> dict[str, list[float]]:
    return {
        "correct": outcome.correct.tolist(),
        "scratchpad": outcome.scratchpad.tolist(),
        "valid": outcome.valid.tolist(),
        "tokens": outcome.tokens.tolist(),
    }
