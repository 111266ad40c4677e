"""The shared tiny-model substrate every built-in runner stands on.

Tokenizers and tiny Llama checkpoints that are real Hugging Face folders (:mod:`.tokenizer`,
:mod:`.model`), a batched KV-cache sampler (:mod:`.sampler`), the pass@k estimator
(:mod:`.passk`), bootstrap statistics (:mod:`.stats`), LM training (:mod:`.train`), a config-hash
checkpoint cache (:mod:`.cache`), JSONL loading (:mod:`.datasets`) and a synthetic task
(:mod:`.tasks`).

Names resolve lazily (PEP 562): ``from inquiry.runners.substrate import pass_at_k`` imports only
:mod:`.passk` (numpy), so a runner's declaration and its statistics stay free of torch and
transformers, which cost seconds to import; ``build_model`` and the like pull them in when used.

>>> import sys
>>> from inquiry.runners.substrate import log2_grid
>>> log2_grid(8), "inquiry.runners.substrate.passk" in sys.modules
([1, 2, 4, 8], True)
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# exported name -> the submodule defining it
_HOME = {
    "cached_checkpoint": "cache",
    "config_key": "cache",
    "DatasetError": "datasets",
    "load_jsonl": "datasets",
    "load_qa_jsonl": "datasets",
    "answers_match": "answers",
    "extract_answer": "answers",
    "CheckpointError": "model",
    "TinyModelConfig": "model",
    "build_model": "model",
    "decoder_layers": "model",
    "load_checkpoint": "model",
    "save_checkpoint": "model",
    "checkpoint_problem": "model_files",
    "stop_token_ids": "model",
    "log2_grid": "passk",
    "pass_at_k": "passk",
    "pass_at_k_curve": "passk",
    "SampleBatch": "sampler",
    "cache_kwarg": "sampler",
    "cache_of": "sampler",
    "sample": "sampler",
    "PassKComparison": "stats",
    "bootstrap_ci": "stats",
    "paired_diff_ci": "stats",
    "paired_passk_bootstrap": "stats",
    "crossing_point": "stats",
    "passk_table": "stats",
    "AdditionTask": "tasks",
    "Problem": "tasks",
    "build_tokenizer": "tokenizer",
    "encode": "tokenizer",
    "encode_prompt": "tokenizer",
    "has_chat_template": "tokenizer",
    "IGNORE": "train",
    "lr_factor": "train",
    "masked_lm_loss": "train",
    "pad_batch": "train",
    "train_lm": "train",
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
