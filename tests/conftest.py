"""Shared fixtures: the seed document, an empty notebook, and a notebook holding the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from inquiry.importing import import_paths
from inquiry.store import Notebook

SEED = Path(__file__).resolve().parent.parent / "inquiry" / "example" / "rl-knowing-doing-gap.inquiry.txt"


@pytest.fixture
def seed_path() -> Path:
    """The seed inquiring line (the packaged copy of ``shared/seed``)."""
    return SEED


@pytest.fixture
def seed_text(seed_path: Path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture
def notebook(tmp_path: Path):
    """An empty notebook in a temporary folder. Afterwards any run a test left queued or running (the app's
    launch tests start real runs) is cancelled and its worker stopped, so no worker eats the next tests' CPU."""
    from fixture_runners import stop_unfinished_runs

    nb = Notebook.open(tmp_path / "nb")
    yield nb
    stop_unfinished_runs(nb)
    nb.close()


@pytest.fixture
def seeded_notebook(notebook: Notebook, seed_path: Path) -> Notebook:
    """A notebook into which the seed has been imported."""
    import_paths(notebook, [seed_path])
    return notebook


@pytest.fixture(scope="session")
def qwen_checkpoint(tmp_path_factory) -> Path:
    """A tiny Qwen2ForCausalLM checkpoint: no bos, two eos ids, a chat template (``fixture_checkpoints``)."""
    from fixture_checkpoints import build_qwen_checkpoint

    return build_qwen_checkpoint(tmp_path_factory.mktemp("ckpt") / "tiny-qwen2")


@pytest.fixture(scope="session")
def llama_checkpoint(tmp_path_factory) -> Path:
    """A tiny LlamaForCausalLM checkpoint: bos prepended, one eos, no pad, no chat template."""
    from fixture_checkpoints import build_llama_checkpoint

    return build_llama_checkpoint(tmp_path_factory.mktemp("ckpt") / "tiny-llama")
