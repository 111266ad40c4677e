#!/usr/bin/env bash
# Run every runner's GPU path once on CUDA (about 6 minutes, budget 8): samples/s and seconds per phase,
# the sampler against model.generate on the same GPU; exits non-zero when any phase fails.
#   scripts/gpu_check.sh                      on a GPU machine (also writes the JSON summary to
#                                             $GPU_CHECK_JSON, else $OUT/gpu_check.json, else ./gpu_check.json)
#   scripts/gpu_check.sh --cpu --tiny         the same phases on CPU at test sizes (about a minute)
#   scripts/gpu_check.sh --only sampler rlvr  a subset of the phases
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" scripts/gpu_check.py --json "${GPU_CHECK_JSON:-${OUT:-.}/gpu_check.json}" "$@"
