"""Tiny tokenizers built with ``tokenizers`` and wrapped as a Hugging Face fast tokenizer.

The vocabulary is the special tokens followed by the given symbols, so ids are stable for a
given symbol list. Character level splits every character; word level splits on whitespace and
keeps each punctuation mark as its own token.

>>> tok = build_tokenizer(list("0123456789+="))
>>> encode(tok, "12+3=")
[1, 5, 6, 14, 7, 15]
>>> tok.decode(encode(tok, "12+3=", bos=False))
'12+3='
>>> words = build_tokenizer(["the", "sky", "is", "blue", "."], level="word")
>>> words.convert_ids_to_tokens(encode(words, "the sky is blue.", bos=False))
['the', 'sky', 'is', 'blue', '.']
"""

from __future__ import annotations

from typing import Any, Literal

from tokenizers import Tokenizer, decoders, pre_tokenizers
from tokenizers.models import WordLevel
from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast

SPECIAL_TOKENS = ("<pad>", "<bos>", "<eos>", "<unk>")
PAD, BOS, EOS, UNK = SPECIAL_TOKENS


def build_tokenizer(symbols: list[str], *, level: Literal["char", "word"] = "char") -> PreTrainedTokenizerFast:
    """A fast tokenizer whose vocabulary is ``<pad> <bos> <eos> <unk>`` then ``symbols`` in order."""
    if level not in ("char", "word"):
        raise ValueError(f"level must be 'char' or 'word', not {level!r}")
    vocab: dict[str, int] = {token: i for i, token in enumerate(SPECIAL_TOKENS)}
    for symbol in symbols:
        if level == "char" and len(symbol) != 1:
            raise ValueError(f"a char-level symbol must be one character, got {symbol!r}")
        vocab.setdefault(symbol, len(vocab))
    core = Tokenizer(WordLevel(vocab=vocab, unk_token=UNK))
    if level == "char":
        core.pre_tokenizer = pre_tokenizers.Split("", behavior="isolated")
        core.decoder = decoders.Fuse()
    else:
        core.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior="isolated")]
        )
        core.decoder = decoders.WordPiece(prefix="##", cleanup=True)
    core.add_special_tokens(list(SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token=PAD, bos_token=BOS, eos_token=EOS, unk_token=UNK, padding_side="left"
    )


def encode(tok: PreTrainedTokenizerBase, text: str, bos: bool = True) -> list[int]:
    """Token ids of ``text``, with the bos token first when ``bos`` and the tokenizer has one (Qwen's has
    none), and nothing else added (no eos, no padding)."""
    ids = list(tok(text, add_special_tokens=False)["input_ids"])
    return [tok.bos_token_id, *ids] if bos and tok.bos_token_id is not None else ids


def has_chat_template(tok: PreTrainedTokenizerBase) -> bool:
    """Whether the tokenizer carries a chat template (instruct checkpoints do, base ones mostly not)."""
    return bool(getattr(tok, "chat_template", None))


def encode_prompt(tok: PreTrainedTokenizerBase, text: str, *, chat: bool = False) -> list[int]:
    """The ids a model is prompted with: ``text`` as one user turn of the chat template followed by the
    assistant header when ``chat`` (the template then places any bos itself), else :func:`encode`.

    Never empty: a tokenizer without bos prompting an empty text starts from its eos token, the
    usual document separator of such models.

    >>> tok = build_tokenizer(list("ab"))
    >>> encode_prompt(tok, "ab"), encode_prompt(tok, "ab", chat=True)  # no template: chat is ignored
    ([1, 4, 5], [1, 4, 5])
    """
    ids: list[int]
    if chat and has_chat_template(tok):
        # a list of ids, or (some tokenizers, whatever return_dict says) a mapping holding them
        templated: Any = tok.apply_chat_template(
            [{"role": "user", "content": text}], add_generation_prompt=True, tokenize=True, return_dict=False
        )
        ids = list(templated["input_ids"] if isinstance(templated, dict) or hasattr(templated, "keys") else templated)
    else:
        ids = encode(tok, text)
    return ids or [tok.eos_token_id]
