"""``inquiry alias OLD NEW``: tell the notebook that a note's title changed.

Titles drift between exports of the same corpus; the notebook never guesses that two titles are one
note (one old title can be one word away from a different note). The user says so, and the note keeps
its former title as an alias, so that later imports citing either title reach the same note:

* OLD and NEW name one note: NEW becomes its title (if it was not), OLD an alias.
* OLD and NEW name two notes (the title change split a note in two): OLD's note is folded into NEW's.
* only OLD names a note: it is renamed NEW, keeping OLD as an alias.
* only NEW names a note: OLD becomes one of its aliases.

>>> import tempfile
>>> from inquiry.store import Notebook
>>> from inquiry.models import ImportBatch, Note
>>> nb = Notebook.open(tempfile.mkdtemp())
>>> _ = nb.apply(ImportBatch(notes=[Note(id="note:a", title="Do cognitive tools boost reasoning?", summary="Yes.")]))
>>> add_alias(nb, "Do cognitive tools boost reasoning?", "Do cognitive tools unlock reasoning?")["action"]
'renamed'
>>> note = nb.get_note("note:a"); note.title, note.aliases
('Do cognitive tools unlock reasoning?', ['Do cognitive tools boost reasoning?'])
"""

from __future__ import annotations

from typing import Any

from .errors import NotFound
from .ids import normalize_title
from .models import ImportBatch
from .notes.claims import claims_for
from .store import Notebook


def _note_for(nb: Notebook, ref: str, titles: dict[str, str]) -> str | None:
    """The note a title, alias or note id names (never a similarity guess)."""
    if ref.startswith("note:") and nb.get_note(ref) is not None:
        return ref
    return titles.get(normalize_title(ref))


def add_alias(nb: Notebook, old: str, new: str) -> dict[str, Any]:
    """Record that the note titled ``old`` is now titled ``new``; returns what was done and the note."""
    titles = nb.titles()
    old_id, new_id = _note_for(nb, old, titles), _note_for(nb, new, titles)
    with nb.transaction():
        if old_id is None and new_id is None:
            raise NotFound(f"no note is titled {old!r} or {new!r} (nor has either as an alias)")
        if old_id is not None and new_id is not None and old_id != new_id:
            note = nb.merge_note_into(old_id, new_id)
            action = "merged"
            if not nb.list_claims(note_id=new_id) and note.summary:
                nb.apply(ImportBatch(claims=claims_for(new_id, note.summary)))
        else:
            node = new_id or old_id
            assert node is not None  # both None raised above
            found = nb.get_note(node)
            assert found is not None
            note = found
            action = "aliased" if new_id is not None else "renamed"
            if old_id is not None and normalize_title(note.title) != normalize_title(new):
                action = "renamed"
                aliases = [*note.aliases, note.title]
                note = note.model_copy(update={"title": new.strip()})
            else:
                aliases = [*note.aliases, old.strip()] if not old.startswith("note:") else list(note.aliases)
            aliases = [a for a in dict.fromkeys(aliases) if normalize_title(a) != normalize_title(note.title)]
            note = note.model_copy(update={"aliases": aliases})
            nb.save_note(note)
    final = nb.get_note(new_id or old_id)  # type: ignore[arg-type]
    return {
        "action": action,
        "merged": old_id if action == "merged" else None,
        "note": final.model_dump(mode="json") if final else None,
    }
