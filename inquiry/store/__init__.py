"""The notebook: a folder holding ``notebook.db`` (SQLite through sqlite-utils) and run artifacts.

The store is the single source of truth and the only package that issues SQL. Other layers read and
write through it; parsers hand it an :class:`~inquiry.models.ImportBatch` and it applies the whole batch
in one transaction. One module per room:

- :mod:`.schema`: the migrations and the schema version; :mod:`.base`: opening, transactions, change events;
- :mod:`.nodes`: inquiries, notes, claims, papers, citations, edges; :mod:`.specs`: reproduction specs;
  :mod:`.search`: the full-text index;
- :mod:`.upsert` and :mod:`.apply`: the import engine; :mod:`.browse`: the app's paged reads and the stats;
  :mod:`.graph_rows`: the scans the knowledge graph is built from;
- :mod:`.runs`, :mod:`.sweeps`, :mod:`.settings`: the runs-side tables, under :mod:`inquiry.runs`.

>>> import tempfile
>>> nb = Notebook.open(tempfile.mkdtemp())
>>> nb.stats()["notes"]
0
"""

from __future__ import annotations

from .apply import ApplyReport, Importer
from .base import RUN_LOG, RUN_NAME, RUNS_DIR, ChangeEvent, run_folder
from .browse import Browse
from .rows import merge_papers
from .schema import DB_NAME, MIGRATIONS, RECOMPUTE_PENDING, SCHEMA_VERSION
from .search import MATCH_END, MATCH_START, MAX_QUERY_TERMS, MAX_TERM_CHARS, Search, SearchHit, fts_query, query_terms
from .specs import SpecConflict, Specs


class Notebook(Importer, Specs, Search, Browse):
    """A notebook folder. Open one with :meth:`open`; it creates and migrates the database."""


__all__ = [
    "DB_NAME",
    "MATCH_END",
    "MATCH_START",
    "MAX_QUERY_TERMS",
    "MAX_TERM_CHARS",
    "MIGRATIONS",
    "RECOMPUTE_PENDING",
    "RUNS_DIR",
    "RUN_LOG",
    "RUN_NAME",
    "SCHEMA_VERSION",
    "ApplyReport",
    "ChangeEvent",
    "Notebook",
    "SearchHit",
    "SpecConflict",
    "fts_query",
    "merge_papers",
    "query_terms",
    "run_folder",
]
