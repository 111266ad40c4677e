"""The built graph kept on disk between opens, so that opening a large notebook reads one file instead of
rebuilding the graph from every table.

A cache file is used only if its key equals the notebook's now: the schema version and the notebook's graph
change counter with its random token (:meth:`~inquiry.store.Notebook.graph_version`, bumped by triggers on
every row the graph is built from, whichever process writes it). Any write since the file was saved changes
the key, so a cache is never stale; a file that is unreadable, truncated, from another Python or networkx
version, or that fails its checksum is ignored and the graph is rebuilt (and the file replaced).

The files live in the user's cache folder (``$INQUIRY_CACHE_DIR``, else ``$XDG_CACHE_HOME/inquiry``, else
``~/.cache/inquiry``), never in the notebook folder: a notebook can come from someone else, and the cache
is read with :mod:`marshal`, which only trusts files this user wrote. Only graphs of at least
:data:`MIN_ELEMENTS` nodes plus edges are cached; smaller ones build faster than a file is read.

>>> import tempfile
>>> from inquiry.store import Notebook
>>> from inquiry.models import ImportBatch, Note
>>> nb = Notebook.open(tempfile.mkdtemp())
>>> key = cache_key(nb)
>>> _ = nb.apply(ImportBatch(notes=[Note(id="note:b", title="Does B hold?")]))
>>> cache_key(nb) == key  # a write changed the key: a file saved before no longer answers
False
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from ..store import DB_NAME

if TYPE_CHECKING:
    from ..store import Notebook

FORMAT = 1  # bump when the graph's layout or attributes change
MIN_ELEMENTS = 200_000  # nodes + edges; below this a build takes well under a second
_MAGIC = b"inquiry-graph-cache\n"
_DIGEST = 16


def cache_dir() -> Path:
    if folder := os.environ.get("INQUIRY_CACHE_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "inquiry"


def cache_file(nb: Notebook) -> Path:
    """One file per notebook database (by its resolved path)."""
    name = hashlib.sha256(str((nb.path / DB_NAME).resolve()).encode()).hexdigest()[:24]
    return cache_dir() / "graphs" / f"{name}.graph"


def cache_key(nb: Notebook) -> bytes | None:
    """What a cache file must have been saved under to describe the notebook as it is now (None inside a
    write transaction: its rows may still be rolled back)."""
    state = nb.graph_version()
    if state is None:
        return None
    version, token = state
    versions = f"{FORMAT}:{nb.schema_version}:{sys.version_info[:2]}:{marshal.version}:{nx.__version__}:{version}:"
    return versions.encode() + token


def load(nb: Notebook, key: bytes) -> nx.MultiDiGraph | None:
    """The cached graph saved under ``key``, or None (no file, another key, or a damaged file)."""
    try:
        data = cache_file(nb).read_bytes()
    except OSError:
        return None
    head = _MAGIC + len(key).to_bytes(2, "big") + key
    if not data.startswith(head):
        return None
    digest, payload = data[len(head) : len(head) + _DIGEST], memoryview(data)[len(head) + _DIGEST :]
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != digest:
        return None
    try:
        parts = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(parts, tuple) and len(parts) == 3 and all(isinstance(p, dict) for p in parts)):
        return None
    graph = nx.MultiDiGraph()
    graph._node, graph._succ, graph._pred = parts
    graph._adj = graph._succ  # networkx's layout: _adj is _succ
    return graph


def save(nb: Notebook, key: bytes, graph: nx.MultiDiGraph) -> None:
    """Write the graph under ``key`` (atomically: a reader sees the old file or the new one). Best effort:
    a cache that cannot be written only costs the next open a build."""
    try:
        payload = marshal.dumps((graph._node, graph._succ, graph._pred))  # keeps _succ[u][v] is _pred[v][u]
    except ValueError:  # an attribute marshal cannot write (the build writes only str, int, bool, list, None)
        return
    head = _MAGIC + len(key).to_bytes(2, "big") + key + hashlib.blake2b(payload, digest_size=_DIGEST).digest()
    target = cache_file(nb)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(head)
                out.write(payload)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
