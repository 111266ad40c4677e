"""Tiny Llama models that are real Hugging Face checkpoints, and the loader shared with user checkpoints.

A model built here is saved with ``save_pretrained`` (safetensors) next to its tokenizer and
loaded back through the Auto classes, so the very same :func:`load_checkpoint` takes a user's
local Qwen or Llama folder. No hub access: ``local_files_only`` is always on.

>>> from inquiry.runners.substrate.tokenizer import build_tokenizer
>>> tok = build_tokenizer(list("0123456789+="))
>>> model = build_model(tok, TinyModelConfig(hidden=32, layers=1, heads=2, ffn=64), seed=0)
>>> model.config.vocab_size, model.config.pad_token_id, len(decoder_layers(model))
(16, 0, 1)
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict, Field
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)
from transformers.utils import logging as hf_logging

from ...errors import InquiryError
from .model_files import checkpoint_problem


class CheckpointError(InquiryError):
    """A checkpoint folder is missing, incomplete or cannot be loaded; the message names the folder."""


class TinyModelConfig(BaseModel):
    """Shape of a tiny Llama. The defaults (about 110k parameters) train at ~30 steps/s on one CPU thread."""

    model_config = ConfigDict(extra="forbid")

    hidden: int = Field(64, ge=8, le=4096, description="hidden size")
    layers: int = Field(2, ge=1, le=64, description="decoder layers")
    heads: int = Field(4, ge=1, le=64, description="attention heads (must divide hidden)")
    ffn: int = Field(192, ge=8, le=16384, description="MLP intermediate size")
    max_len: int = Field(64, ge=8, le=32768, description="maximum sequence length (positions)")
    tie_embeddings: bool = Field(True, description="share input and output embeddings")


def build_model(tokenizer: PreTrainedTokenizerBase, cfg: TinyModelConfig, seed: int) -> LlamaForCausalLM:
    """A freshly initialised ``LlamaForCausalLM`` sized for ``tokenizer``; same seed, same weights."""
    if cfg.hidden % cfg.heads:
        raise ValueError(f"hidden={cfg.hidden} is not divisible by heads={cfg.heads}")
    # attn_implementation is taken by PreTrainedConfig's **kwargs; LlamaConfig's typed signature omits it
    config = LlamaConfig(  # type: ignore[call-arg]
        vocab_size=len(tokenizer),
        hidden_size=cfg.hidden,
        num_hidden_layers=cfg.layers,
        num_attention_heads=cfg.heads,
        num_key_value_heads=cfg.heads,
        intermediate_size=cfg.ffn,
        max_position_embeddings=cfg.max_len,
        tie_word_embeddings=cfg.tie_embeddings,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        attn_implementation="sdpa",
    )
    # Initialise under a private RNG state so building a model does not shift the caller's stream.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
    _align_generation_config(model, tokenizer)
    return model


def _align_generation_config(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> None:
    # LlamaConfig's defaults (bos=1, eos=2) leak into generation_config; make it match the tokenizer.
    gen = model.generation_config
    gen.pad_token_id, gen.bos_token_id, gen.eos_token_id = (
        tokenizer.pad_token_id,
        tokenizer.bos_token_id,
        tokenizer.eos_token_id,
    )


@contextlib.contextmanager
def _quiet_hub():
    """Silence transformers' tqdm bars and info logs, which would scribble over a terminal app."""
    bars_were_on = hf_logging.is_progress_bar_enabled()
    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars_were_on:
            hf_logging.enable_progress_bar()


def save_checkpoint(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, folder: Path | str) -> Path:
    """Write ``model`` (safetensors) and ``tokenizer`` into ``folder``; returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with _quiet_hub():
        model.save_pretrained(folder, safe_serialization=True)
        tokenizer.save_pretrained(folder)
    return folder


def load_checkpoint(
    folder: Path | str, *, device: str = "cpu", dtype: torch.dtype | None = None, trust_remote_code: bool = False
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a local causal LM and its tokenizer with the Auto classes, in eval mode on ``device``.

    Raises :class:`CheckpointError` naming the folder and what is missing or broken.
    """
    folder = Path(folder).expanduser()
    problem = checkpoint_problem(folder)
    if problem:
        raise CheckpointError(problem)
    kwargs: dict[str, Any] = {"local_files_only": True, "trust_remote_code": trust_remote_code}
    try:
        with _quiet_hub():
            tokenizer = AutoTokenizer.from_pretrained(folder, **kwargs)
            model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, use_safetensors=True, **kwargs)
    except Exception as exc:  # transformers raises many types (OSError, ValueError, KeyError...)
        raise CheckpointError(f"checkpoint folder {folder} could not be loaded: {exc}") from exc
    if tokenizer.pad_token_id is None:  # common for base LLM tokenizers; left padding needs a pad id
        tokenizer.pad_token = tokenizer.eos_token
    return model.to(device).eval(), tokenizer  # type: ignore[arg-type]  # transformers types .to's self wrongly


def stop_token_ids(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> list[int]:
    """Every token id that ends a completion: the generation config's ``eos_token_id`` (an int or a list:
    Qwen2.5-Instruct stops on both ``<|im_end|>`` and ``<|endoftext|>``) and the tokenizer's eos, deduplicated,
    the tokenizer's first."""
    ids: list[int] = []
    gen = getattr(model, "generation_config", None)
    for value in (
        tokenizer.eos_token_id,
        getattr(gen, "eos_token_id", None),
        getattr(model.config, "eos_token_id", None),
    ):
        for token in value if isinstance(value, (list, tuple)) else [value]:
            if token is not None and int(token) not in ids:
                ids.append(int(token))
    if not ids:
        raise CheckpointError(
            f"the {type(model).__name__} checkpoint names no eos token: nothing would end a completion"
        )
    return ids


def decoder_layers(model: PreTrainedModel) -> list[torch.nn.Module]:
    """The decoder blocks, in order, for Llama/Qwen/Mistral (``model.layers``) or GPT-2 (``transformer.h``)."""
    for path in ("model.layers", "transformer.h", "model.decoder.layers", "gpt_neox.layers"):
        node: Any = model
        for attribute in path.split("."):
            node = getattr(node, attribute, None)
            if node is None:
                break
        if isinstance(node, torch.nn.ModuleList):
            return list(node)
    raise ValueError(f"cannot find the decoder layers of a {type(model).__name__}")
