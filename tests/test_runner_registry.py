"""Listing and describing runners stays light: no torch or transformers until a runner runs.

The app's launch form, ``inquiry runners``, the markdown export's fidelity card and the worker's
discovery only read a runner's declaration (config schema, presets, suits, fidelity); importing
torch and transformers for that costs seconds. Each check runs in a fresh interpreter, since this
test process has long imported both.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points

from inquiry.runners.registry import GROUP

# Runners whose declaration still imports torch at module level; remove a name once it is converted.
NOT_YET_LAZY: set[str] = set()
HEAVY = ("torch", "transformers", "matplotlib")

DESCRIBE_EVERY_RUNNER = """
import json, sys
from importlib.metadata import entry_points
from inquiry.runners import registry

skip = set(json.loads(sys.argv[1]))
names = sorted(ep.name for ep in entry_points(group=registry.GROUP))
seen = {}
for name in names:
    if name in skip:
        continue
    runner = registry.get(name)
    presets = {preset: registry.resolve_config(runner, preset).model_dump() for preset in runner.presets}
    seen[name] = {"fields": sorted(runner.Config.model_json_schema()["properties"]),
                  "presets": sorted(presets), "fidelity_rows": len(runner.fidelity.rows),
                  "describe": runner.describe()["name"], "suits": len(runner.suits)}
if not skip:  # every runner is light: listing them all must be too
    seen["available"] = sorted(registry.available())
print(json.dumps({"runners": seen, "heavy": [m for m in json.loads(sys.argv[2]) if m in sys.modules]}))
"""


def describe_in_fresh_interpreter(skip: set[str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", DESCRIBE_EVERY_RUNNER, json.dumps(sorted(skip)), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_reading_every_runners_declaration_imports_no_torch_or_transformers():
    installed = {ep.name for ep in entry_points(group=GROUP)}
    assert {"probe", "steering", "rlag"} <= installed
    out = describe_in_fresh_interpreter(NOT_YET_LAZY)

    assert out["heavy"] == [], f"declarations imported {out['heavy']}"
    described = {name for name in out["runners"] if name != "available"}
    assert described == installed - NOT_YET_LAZY
    for name, seen in out["runners"].items():
        if name == "available":
            assert seen == sorted(installed)
            continue
        assert seen["describe"] == name
        assert {"device", "threads"} <= set(seen["fields"])
        assert {"test", "default"} <= set(seen["presets"])
        assert seen["fidelity_rows"] >= 3 and seen["suits"] >= 1
