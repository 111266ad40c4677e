"""The shared tiny-model substrate every built-in runner stands on.

Tokenizers and tiny Llama checkpoints that are real Hugging Face folders (:mod:`.tokenizer`,
:mod:`.model`), a batched KV-cache sampler (:mod:`.sampler`), the pass@k estimator
(:mod:`.passk`), bootstrap statistics (:mod:`.stats`), LM training (:mod:`.train`), a config-hash
checkpoint cache (:mod:`.cache`), JSONL loading (:mod:`.datasets`) and a synthetic task
(:mod:`.tasks`).
"""

from .cache import cached_checkpoint, config_key
from .datasets import DatasetError, load_jsonl
from .model import (CheckpointError, TinyModelConfig, build_model, decoder_layers, load_checkpoint,
                    save_checkpoint)
from .passk import log2_grid, pass_at_k, pass_at_k_curve
from .sampler import SampleBatch, cache_kwarg, cache_of, sample
from .stats import PassKComparison, bootstrap_ci, paired_diff_ci, two_level_passk_bootstrap
from .tasks import AdditionTask, Problem
from .tokenizer import build_tokenizer, encode
from .train import IGNORE, lr_factor, masked_lm_loss, pad_batch, train_lm

__all__ = [
    "AdditionTask", "CheckpointError", "DatasetError", "IGNORE", "PassKComparison", "Problem", "SampleBatch",
    "TinyModelConfig", "bootstrap_ci", "build_model", "cache_kwarg", "cache_of", "build_tokenizer", "cached_checkpoint", "config_key",
    "decoder_layers", "encode", "load_checkpoint", "load_jsonl", "log2_grid", "lr_factor", "masked_lm_loss",
    "paired_diff_ci", "pad_batch", "pass_at_k", "pass_at_k_curve", "sample", "save_checkpoint", "train_lm",
    "two_level_passk_bootstrap",
]
