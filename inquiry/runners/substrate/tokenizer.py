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

from typing import Literal

from tokenizers import Tokenizer, decoders, pre_tokenizers
from tokenizers.models import WordLevel
from transformers import PreTrainedTokenizerFast

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
            [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior="isolated")])
        core.decoder = decoders.WordPiece(prefix="##", cleanup=True)
    core.add_special_tokens(list(SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token=PAD, bos_token=BOS, eos_token=EOS,
                                   unk_token=UNK, padding_side="left")


def encode(tok: PreTrainedTokenizerFast, text: str, bos: bool = True) -> list[int]:
    """Token ids of ``text``, with ``<bos>`` first when ``bos`` and nothing else added (no eos, no padding)."""
    ids = tok(text, add_special_tokens=False)["input_ids"]
    return [tok.bos_token_id, *ids] if bos else list(ids)
