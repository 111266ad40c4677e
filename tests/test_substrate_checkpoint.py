"""Tokenizers, checkpoints through the Auto classes, the config-hash cache and JSONL loading."""

import json
import threading

import pytest
import torch

from inquiry.runners.substrate import (
    CheckpointError,
    DatasetError,
    TinyModelConfig,
    build_model,
    build_tokenizer,
    cached_checkpoint,
    decoder_layers,
    encode,
    load_checkpoint,
    load_jsonl,
    save_checkpoint,
)

SMALL = TinyModelConfig(hidden=32, layers=2, heads=2, ffn=64)


def test_char_tokenizer_has_specials_and_no_surprises():
    tok = build_tokenizer(list("ab="))
    assert (tok.pad_token_id, tok.bos_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, 2, 3)
    assert encode(tok, "ab=b") == [1, 4, 5, 6, 5]
    assert encode(tok, "ab", bos=False) == [4, 5]
    assert encode(tok, "az") == [1, 4, tok.unk_token_id]  # unknown characters map to <unk>, never vanish


def test_word_tokenizer_splits_on_spaces_and_keeps_punctuation():
    tok = build_tokenizer(["zorb", "is", "red", "?", "."], level="word")
    assert tok.convert_ids_to_tokens(encode(tok, "zorb is red?")) == ["<bos>", "zorb", "is", "red", "?"]
    assert encode(tok, "zorb  is\tblue.", bos=False) == [4, 5, tok.unk_token_id, 8]


def test_round_trip_through_auto_classes_gives_identical_logits(tmp_path):
    tok = build_tokenizer(list("0123456789+="))
    model = build_model(tok, SMALL, seed=7).eval()
    folder = save_checkpoint(model, tok, tmp_path / "ckpt")
    assert (folder / "model.safetensors").is_file()
    loaded, loaded_tok = load_checkpoint(folder)
    assert type(loaded).__name__ == "LlamaForCausalLM"
    ids = torch.tensor([encode(tok, "12+34=46")])
    assert encode(loaded_tok, "12+34=46") == ids[0].tolist()
    assert (loaded_tok.pad_token_id, loaded_tok.eos_token_id) == (tok.pad_token_id, tok.eos_token_id)
    with torch.no_grad():
        assert torch.equal(model(ids).logits, loaded(ids).logits)
    assert len(decoder_layers(loaded)) == 2


def test_same_seed_same_weights_and_caller_rng_untouched():
    tok = build_tokenizer(list("ab"))
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    a = build_model(tok, SMALL, seed=3)
    after = torch.rand(1)
    b = build_model(tok, SMALL, seed=3)
    c = build_model(tok, SMALL, seed=4)
    assert torch.equal(before, after)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.lm_head.weight, c.lm_head.weight)


def test_missing_or_broken_checkpoints_name_the_folder_and_the_gap(tmp_path):
    with pytest.raises(CheckpointError, match=r"nowhere does not exist"):
        load_checkpoint(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CheckpointError, match=r"empty is missing config.json, model weights"):
        load_checkpoint(empty)
    tok = build_tokenizer(list("ab"))
    folder = save_checkpoint(build_model(tok, SMALL, seed=0), tok, tmp_path / "broken")
    (folder / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(CheckpointError, match=r"broken could not be loaded"):
        load_checkpoint(folder)


def test_decoder_layers_of_gpt2():
    from transformers import GPT2Config, GPT2LMHeadModel

    model = GPT2LMHeadModel(GPT2Config(vocab_size=10, n_embd=16, n_layer=3, n_head=2, bos_token_id=1, eos_token_id=2))
    assert len(decoder_layers(model)) == 3
    with pytest.raises(ValueError, match="Linear"):
        decoder_layers(torch.nn.Linear(2, 2))


def test_cache_builds_once_and_concurrent_builders_agree(tmp_path):
    calls = []

    def build(folder):
        calls.append(folder)
        (folder / "weights").write_text(str(len(calls)))

    key = {"task": "addition", "steps": 100}
    first = cached_checkpoint(tmp_path, key, build)
    assert cached_checkpoint(tmp_path, dict(reversed(key.items())), build) == first
    assert len(calls) == 1
    assert json.loads((first / "key.json").read_text()) == key
    assert cached_checkpoint(tmp_path, {**key, "steps": 101}, build) != first

    # Several builders racing for a new key: all get the same complete folder, no staging left over.
    barrier = threading.Barrier(4)

    def slow_build(folder):
        barrier.wait()
        (folder / "weights").write_text("raced")

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cached_checkpoint(tmp_path, {"race": 1}, slow_build)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and (results[0] / "weights").read_text() == "raced"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_failed_build_leaves_nothing_cached(tmp_path):
    def failing(folder):
        (folder / "half").write_text("x")
        raise RuntimeError("out of memory")

    with pytest.raises(RuntimeError):
        cached_checkpoint(tmp_path, {"k": 1}, failing)
    assert list(tmp_path.iterdir()) == []


def test_load_jsonl_names_every_bad_line(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(
        '{"prompt": "a", "answer": "1"}\n'
        '{"prompt": "b"\n'
        "\n"
        '["not", "an", "object"]\n'
        '{"answer": "2"}\n'
        '{"prompt": "c", "answer": "3", "extra": true}\n'
    )
    with pytest.raises(DatasetError) as info:
        load_jsonl(path, ["prompt", "answer"])
    assert info.value.lines == [2, 4, 5]
    message = str(info.value)
    assert "data.jsonl: 3 bad lines" in message
    assert "line 2: invalid JSON" in message and "line 4: not a JSON object" in message
    assert "line 5: missing field 'prompt'" in message
    path.write_text('{"prompt": "a", "answer": "1"}\n\n{"prompt": "c", "answer": "3"}\n')
    assert [row["prompt"] for row in load_jsonl(path, ["prompt", "answer"])] == ["a", "c"]
    with pytest.raises(DatasetError, match="cannot read"):
        load_jsonl(tmp_path / "missing.jsonl", ["prompt"])
