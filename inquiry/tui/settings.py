"""What the app remembers per notebook: theme, layout (the maximized pane) and a user keymap.

Kept in ``<notebook>/tui.json``; a missing or unreadable file means the defaults, and a bad entry
is ignored with a warning rather than stopping the app.

    {"theme": "nord", "maximized": "reader", "keymap": {"claim.run": "R"}}
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

FILE = "tui.json"


@dataclass
class UiSettings:
    theme: str = "textual-dark"
    maximized: str | None = None  # id of the maximized pane, if any
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys

    @classmethod
    def load(cls, folder: Path) -> UiSettings:
        try:
            raw = json.loads((folder / FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        out = cls()
        if isinstance(raw.get("theme"), str):
            out.theme = raw["theme"]
        if isinstance(raw.get("maximized"), str):
            out.maximized = raw["maximized"]
        if isinstance(raw.get("keymap"), dict):
            out.keymap = {str(k): str(v) for k, v in raw["keymap"].items()}
        return out

    def save(self, folder: Path) -> None:
        # a read-only notebook keeps working; only the preference is not remembered
        with contextlib.suppress(OSError):
            (folder / FILE).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
