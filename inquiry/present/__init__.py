"""How inquiry shows things, in one place below the CLI, the app and the markdown export.

* :mod:`.text`: estimates, verdict lines, the scope sentence, the fidelity card, essay paragraphs with
  their citation badges, and clipping text to a width. Pure functions returning plain strings (markdown
  where a caller asks for it); no click, no Textual, no Rich.
* :mod:`.search`: one full-text search, grouped (a matching claim stands under its note), used by
  ``inquiry search`` and by the app's search dialog.

Nothing here is imported at start-up beyond the standard library: the models and runner types are
duck-typed, and only imported for type checking.
"""
