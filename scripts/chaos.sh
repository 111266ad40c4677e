#!/usr/bin/env bash
# kill -9 trials of import, run and export, and concurrent writers with the app open (scripts/chaos.py).
#   scripts/chaos.sh [TRIALS_PER_KIND] [extra chaos.py options]
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-20}"; shift || true
exec .venv/bin/python scripts/chaos.py --trials "$trials" "$@"
