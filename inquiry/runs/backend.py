"""Where runs execute, stored in the notebook itself (table ``settings``), so it travels with the notebook.

Known keys: ``run.backend`` (``local`` or ``ray``: where ``inquiry run`` sends runs when no
``--backend`` is given) and ``ray.address`` (the Ray cluster to use when neither ``--ray-address``
nor ``RAY_ADDRESS`` names one; empty: start a local Ray on demand).

>>> import tempfile
>>> from inquiry.store import Notebook
>>> nb = Notebook.open(tempfile.mkdtemp())
>>> get(nb, "run.backend")
'local'
>>> put(nb, "run.backend", "ray"); get(nb, "run.backend")
'ray'
>>> put(nb, "run.backnd", "ray")
Traceback (most recent call last):
...
inquiry.errors.ConfigError: config field 'run.backnd': unknown setting (known: ray.address, run.backend)
"""

from __future__ import annotations

from ..errors import ConfigError
from ..store import Notebook
from ..store import settings as stored_settings

BACKENDS = ("local", "ray")
DEFAULTS = {"run.backend": "local", "ray.address": ""}
CHOICES = {"run.backend": BACKENDS}


def _check_key(key: str) -> None:
    if key not in DEFAULTS:
        raise ConfigError(key, f"unknown setting (known: {', '.join(sorted(DEFAULTS))})")


def get(nb: Notebook, key: str) -> str:
    _check_key(key)
    value = stored_settings.get(nb, key)
    return DEFAULTS[key] if value is None else value


def put(nb: Notebook, key: str, value: str) -> None:
    _check_key(key)
    if key in CHOICES and value not in CHOICES[key]:
        raise ConfigError(key, f"{value!r} is not one of {', '.join(CHOICES[key])}")
    stored_settings.put(nb, key, value)


def all_settings(nb: Notebook) -> dict[str, str]:
    return {key: get(nb, key) for key in sorted(DEFAULTS)}
