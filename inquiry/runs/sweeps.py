"""Sweeps: one launch fanned out over seeds or config values, its seeds pooled into one result.

``--sweep seed=0..4`` (an inclusive range, like the shell's ``{0..4}``) or ``--sweep lr=1e-4,3e-4``
names an axis; several axes multiply. Every run of a sweep carries its ``sweep_id``. When the last
run ends, :func:`settle` pools the succeeded runs that share a config (they differ only in seed)
with the runner's own :meth:`~inquiry.runners.api.Runner.pool` and stores the pooled results on
the sweep row; the claim's roll-up then counts each pool once, in place of its seeds' runs.

>>> parse_axis("seed=0..2"), parse_axis("lr=1e-4, 3e-4")
(('seed', [0, 1, 2]), ('lr', ['1e-4', '3e-4']))
>>> expand({"seed": [0, 1], "lr": ["a", "b"]})
[{'seed': 0, 'lr': 'a'}, {'seed': 0, 'lr': 'b'}, {'seed': 1, 'lr': 'a'}, {'seed': 1, 'lr': 'b'}]
"""

from __future__ import annotations

import itertools
import json
import secrets
from typing import Any

from pydantic import BaseModel

from ..errors import ConfigError
from ..models import RunStatus, utcnow
from ..runners import registry
from ..runners.api import Result
from ..store import Notebook
from ..store import runs as run_rows
from ..store import sweeps as sweep_rows
from . import records

MAX_RUNS = 256  # a typo such as seed=0..10000 should not queue ten thousand runs


class Pool(BaseModel):
    """The seeds of one config pooled: which runs, and the pooled result."""

    config: dict[str, Any]  # the swept non-seed values this pool shares
    runs: list[str]
    seeds: list[int]
    result: Result


class SweepRecord(BaseModel):
    id: str
    claim_id: str | None
    runner: str
    axes: dict[str, list[Any]]
    backend: str
    created: str
    pools: list[Pool] | None = None  # None until every run of the sweep has ended

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SweepRecord:
        pooled = json.loads(row["pooled"]) if row["pooled"] else None
        return cls(
            id=row["id"],
            claim_id=row["claim_id"],
            runner=row["runner"],
            axes=json.loads(row["axes"]),
            backend=row["backend"],
            created=row["created"],
            pools=pooled,
        )


def parse_axis(text: str) -> tuple[str, list[Any]]:
    """``name=a..b`` (integers, inclusive) or ``name=v1,v2,…``; errors name the option."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not name or not values.strip():
        raise ConfigError("sweep", f"--sweep {text!r}: expected NAME=A..B or NAME=V1,V2")
    if ".." in values:
        low, _, high = values.partition("..")
        try:
            start, stop = int(low), int(high)
        except ValueError:
            raise ConfigError(name, f"--sweep {text!r}: a range A..B needs integers") from None
        if stop < start:
            raise ConfigError(name, f"--sweep {text!r}: the range is empty ({stop} < {start})")
        if stop - start + 1 > MAX_RUNS:  # checked before the list is built: 0..10**10 must not eat memory
            raise ConfigError(
                "sweep", f"--sweep {text!r} has {stop - start + 1} values; at most {MAX_RUNS} runs per launch"
            )
        if name == "seed":
            check_seed(start), check_seed(stop)
        return name, list(range(start, stop + 1))
    items = [v.strip() for v in values.split(",") if v.strip()]
    if len(items) > MAX_RUNS:
        raise ConfigError("sweep", f"--sweep {name}=… has {len(items)} values; at most {MAX_RUNS} runs per launch")
    if name == "seed":
        try:
            return name, [check_seed(int(v)) for v in items]
        except ValueError:
            raise ConfigError("seed", f"--sweep {text!r}: seeds are integers") from None
    return name, items


MAX_SEED = 2**32 - 1  # numpy's seed range; torch and random take it too


def check_seed(seed: int) -> int:
    """A seed every random stream of a run accepts, or a one-line error naming ``seed``.

    >>> check_seed(3)
    3
    """
    if not 0 <= seed <= MAX_SEED:
        raise ConfigError("seed", f"{seed} is outside 0..{MAX_SEED}")
    return seed


def expand(axes: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, in a stable order."""
    total = 1
    for values in axes.values():
        total *= len(values)
    if total > MAX_RUNS:  # counted before the combinations are built
        raise ConfigError("sweep", f"the sweep has {total} runs; at most {MAX_RUNS} per launch")
    combos = [dict(zip(axes, values)) for values in itertools.product(*axes.values())]
    return combos


def create(nb: Notebook, claim_id: str | None, runner: str, axes: dict[str, list[Any]], backend: str) -> str:
    sweep_id = f"sweep:{records.new_run_id().removeprefix('run:')}-{secrets.token_hex(1)}"
    sweep_rows.insert(
        nb,
        {
            "id": sweep_id,
            "claim_id": claim_id,
            "runner": runner,
            "axes": json.dumps(axes, sort_keys=True),
            "backend": backend,
            "created": utcnow(),
        },
    )
    return sweep_id


def get(nb: Notebook, sweep_id: str) -> SweepRecord:
    row = sweep_rows.row(nb, sweep_id)
    if row is None:
        raise ConfigError("sweep", f"no sweep with id {sweep_id}")
    return SweepRecord.from_row(row)


def runs_of(nb: Notebook, sweep_id: str) -> list[records.RunRecord]:
    return [records.RunRecord.from_row(r) for r in run_rows.of_sweep(nb, sweep_id)]


def pools_for(runs: list[records.RunRecord], swept: list[str]) -> list[Pool]:
    """Pool the succeeded runs that share every swept non-seed value (two seeds or more)."""
    runner = registry.get(runs[0].runner)
    groups: dict[str, list[records.RunRecord]] = {}
    for run in runs:
        if run.status is RunStatus.SUCCEEDED and run.result is not None:
            shared = {name: run.config.get(name) for name in swept if name != "seed"}
            groups.setdefault(json.dumps(shared, sort_keys=True, default=str), []).append(run)
    return [
        Pool(
            config=json.loads(key),
            runs=[r.id for r in group],
            seeds=[r.seed for r in group],
            result=runner.pool([r.result for r in group if r.result is not None]),
        )
        for key, group in groups.items()
        if len(group) >= 2
    ]


def settle(nb: Notebook, sweep_id: str | None) -> SweepRecord | None:
    """Once every run of the sweep has ended, pool its seeds (once) and store the pools; else do nothing."""
    if not sweep_id:
        return None
    sweep = get(nb, sweep_id)
    runs = runs_of(nb, sweep_id)
    if sweep.pools is not None or not runs or not all(r.status.finished for r in runs):
        return sweep
    pools = pools_for(runs, list(sweep.axes))
    # two finishing runs may race here: only the first write counts
    sweep_rows.store_pools(nb, sweep_id, json.dumps([p.model_dump(mode="json") for p in pools]), sweep.claim_id)
    return get(nb, sweep_id)
