"""Tiny checkpoints with real Hugging Face architectures, built locally in about a second, no hub needed.

* ``qwen``: ``Qwen2ForCausalLM`` (grouped-query attention, biased q/k/v) with a Qwen2.5-Instruct-style
  tokenizer: byte-level BPE, **no bos token**, ``<|im_end|>`` as eos, ``<|endoftext|>`` as pad, a
  generation config whose ``eos_token_id`` lists **both** ids, and the Qwen chat template.
* ``llama``: ``LlamaForCausalLM`` with a Llama-2-style base tokenizer: byte-level BPE, ``<s>`` bos that
  the post-processor prepends, ``</s>`` eos, no pad token and no chat template.

Both are saved with ``save_pretrained`` (safetensors) and load through the same Auto classes as a
downloaded checkpoint, so every runner's checkpoint mode runs on them on CPU. The weights are random:
what is tested is the code path (tokenization, templates, stop ids, padding, loading, training
steps), not what the model knows.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, pre_tokenizers, processors
from tokenizers.models import BPE
from transformers import (
    GenerationConfig,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
)

# Qwen2.5's template, default system turn included (trimmed of tool calling)
QWEN_CHAT_TEMPLATE = (
    "{%- if messages[0]['role'] != 'system' %}"
    "{{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{%- endif %}"
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def _byte_level_core(specials: list[str]) -> Tokenizer:
    """A byte-level BPE over the 256 byte symbols with no merges: any text tokenizes, as with a real
    BPE vocabulary, just one token per byte; the special tokens come first."""
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {token: i for i, token in enumerate(specials)}
    for symbol in sorted(alphabet):
        vocab.setdefault(symbol, len(vocab))
    core = Tokenizer(BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    core.decoder = decoders.ByteLevel()
    core.add_special_tokens(specials)
    return core


def qwen_tokenizer() -> PreTrainedTokenizerFast:
    core = _byte_level_core(["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        padding_side="left",
        clean_up_tokenization_spaces=False,
    )
    tok.chat_template = QWEN_CHAT_TEMPLATE
    return tok


def llama_tokenizer() -> PreTrainedTokenizerFast:
    core = _byte_level_core(["<unk>", "<s>", "</s>"])
    core.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 1)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        padding_side="left",
        clean_up_tokenization_spaces=False,
    )


def build_qwen_checkpoint(folder: Path, *, hidden: int = 32, layers: int = 3, seed: int = 0) -> Path:
    """A Qwen2.5-Instruct-shaped checkpoint in ``folder`` (no bos, two eos ids, chat template)."""
    tok = qwen_tokenizer()
    endoftext, im_end = tok.convert_tokens_to_ids(["<|endoftext|>", "<|im_end|>"])
    config = Qwen2Config(
        vocab_size=len(tok),
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        bos_token_id=endoftext,
        eos_token_id=im_end,
        pad_token_id=endoftext,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(config)
    # As in Qwen2.5-Instruct's generation_config.json: both ids end a turn.
    model.generation_config = GenerationConfig(
        bos_token_id=endoftext,
        eos_token_id=[im_end, endoftext],
        pad_token_id=endoftext,
        do_sample=True,
        temperature=0.7,
    )
    return _save(model, tok, folder)


def build_llama_checkpoint(folder: Path, *, hidden: int = 32, layers: int = 3, seed: int = 0) -> Path:
    """A Llama-2-base-shaped checkpoint in ``folder`` (bos prepended by the tokenizer, one eos, no pad)."""
    tok = llama_tokenizer()
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=1024,
        tie_word_embeddings=False,
        bos_token_id=1,
        eos_token_id=2,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(bos_token_id=1, eos_token_id=2)
    return _save(model, tok, folder)


def _save(model, tok, folder: Path) -> Path:
    from transformers.utils import logging as hf_logging

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    hf_logging.disable_progress_bar()  # "Writing model shards" bars would clutter test and check output
    model.save_pretrained(folder, safe_serialization=True)
    tok.save_pretrained(folder)
    assert (folder / "model.safetensors").is_file() and not (folder / "pytorch_model.bin").exists()
    return folder


# ------------------------------------------------------------------------------------------------ datasets


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def gsm8k_rows(count: int) -> list[dict]:
    """GSM8K-format records: a worked answer ending in ``#### N`` (some with a thousands comma)."""
    rows = []
    for i in range(count):
        a, b = 7 * i + 3, 1000 + 13 * i
        rows.append(
            {
                "question": f"Sam has {a} apples and buys {b} more. How many apples does Sam have?",
                "answer": f"Sam has {a} + {b} = <<{a}+{b}={a + b}>>{a + b} apples.\n#### {a + b:,}",
            }
        )
    return rows


def math_rows(count: int) -> list[dict]:
    r"""MATH-format records: a solution with its answer in ``\boxed{}`` (fractions nested inside)."""
    return [
        {
            "problem": f"What is $\\frac{{1}}{{{i + 2}}}$ of {i + 2}?",
            "solution": f"It is $\\frac{{{i + 2}}}{{{i + 2}}} = \\boxed{{1}}$.",
            "level": "Level 1",
            "type": "Prealgebra",
        }
        for i in range(count)
    ]
