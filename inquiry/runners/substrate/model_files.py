"""What a local checkpoint folder must hold, checked without importing torch (configs validate paths with it).

>>> import tempfile
>>> checkpoint_problem(Path(tempfile.mkdtemp())).split(" is missing ")[1]
'config.json, model weights (model.safetensors), tokenizer (tokenizer.json)'
"""

from __future__ import annotations

from pathlib import Path

# Only safetensors: pickle-based ``pytorch_model.bin`` files can run code when loaded.
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json")


def checkpoint_problem(folder: Path | str) -> str | None:
    """What keeps ``folder`` from being a loadable checkpoint (None when nothing does), without loading it.

    Configs call this when validated, so a wrong path fails in one line before any model loads.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        return f"checkpoint folder {folder} does not exist"
    missing = [name for name in ("config.json",) if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in WEIGHT_FILES):
        legacy = (folder / "pytorch_model.bin").is_file()
        missing.append(
            "model weights (model.safetensors)"
            + (
                "; pytorch_model.bin is not loaded because pickle files can run code — convert it to safetensors"
                if legacy
                else ""
            )
        )
    if not any((folder / name).is_file() for name in ("tokenizer.json", "tokenizer_config.json")):
        missing.append("tokenizer (tokenizer.json)")
    if missing:
        return f"checkpoint folder {folder} is missing {', '.join(missing)}"
    return None
