"""The bundled example: the seed inquiring line about RL and the knowing-doing gap.

A new notebook imports it on first use so that a new user sees real content at once.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..importing import ImportResult
    from ..store import Notebook

EXAMPLE_NAME = "rl-knowing-doing-gap.inquiry.txt"
EXAMPLE_PATH = Path(str(resources.files(__package__).joinpath(EXAMPLE_NAME)))


def import_example(nb: Notebook) -> ImportResult:
    """Import the packaged seed document into ``nb`` (idempotent: a second call changes nothing)."""
    from ..importing import import_paths

    return import_paths(nb, [EXAMPLE_PATH])
