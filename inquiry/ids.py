"""Stable identities: the same title always gives the same id, whatever document it came from.

>>> note_id("Does RLVR actually expand what models can reason about?")
'note:does-rlvr-actually-expand-what-models-can-reason-about'
>>> note_id("  Does RLVR  actually expand what models can reason about ") == note_id(
...     "Does RLVR actually expand what models can reason about?")
True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# typographic quotes, dashes and no-break spaces folded to plain ones (titles and citation matching)
FOLD_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_SPACE = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_MAX_SLUG = 80


def normalize_title(title: str) -> str:
    """The comparison form of a title: NFKC, straight quotes, single spaces, casefolded, no end punctuation.

    >>> normalize_title("  Can RL   close the gap?? ")
    'can rl close the gap'
    """
    text = unicodedata.normalize("NFKC", title).translate(FOLD_QUOTES)
    text = _SPACE.sub(" ", text).strip().casefold()
    return text.rstrip("?.!:; ").strip()


def slugify(text: str) -> str:
    """A readable, filesystem-safe slug; long titles keep a hash suffix so they stay unique.

    >>> slugify("Pass@k: Base vs RL!")
    'pass-k-base-vs-rl'
    """
    norm = normalize_title(text)
    ascii_text = unicodedata.normalize("NFKD", norm).encode("ascii", "ignore").decode()
    slug = _NON_SLUG.sub("-", ascii_text).strip("-")
    if not slug or len(slug) > _MAX_SLUG:
        digest = hashlib.sha1(norm.encode()).hexdigest()[:10]
        slug = (slug[:_MAX_SLUG].rstrip("-") + "-" + digest).strip("-")
    return slug


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def note_id(title: str) -> str:
    return "note:" + slugify(title)


def inquiry_id(question: str) -> str:
    return "inq:" + slugify(question)


def claim_id(note: str, text: str) -> str:
    """A claim's id: its note plus a short hash of its normalized text, stable across re-imports.

    >>> claim_id("note:x", "RL helps.") == claim_id("note:x", "  rl helps ")
    True
    """
    digest = hashlib.sha1(normalize_title(text).encode()).hexdigest()[:8]
    return f"claim:{note.removeprefix('note:')}/{digest}"


def paper_id(name: str, arxiv: str | None = None) -> str:
    return "paper:" + (arxiv if arxiv else slugify(name))


# What each kind of id looks like: ids that arrive in a file are checked against these before anything is
# written (a file's "note:../../.." or "run:../x" must never reach a path or a lookup).
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ID_PATTERNS = {
    "note": rf"^note:{_SLUG}$",
    "inquiry": rf"^inq:{_SLUG}$",
    "claim": rf"^claim:{_SLUG}/[0-9a-f]{{8}}$",
    "paper": r"^paper:[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?$",  # an arXiv id (old ones hold "/") or a slug
    "run": r"^run:[A-Za-z0-9][A-Za-z0-9_-]*$",
}


def id_error(kind: str, value: str) -> str | None:
    """Why ``value`` is not a well-formed ``kind`` id, or None.

    >>> id_error("note", "note:../../x"), id_error("note", "note:rl-helps")
    ("'note:../../x' is not a note id (note: and a slug of a-z, 0-9 and -)", None)
    """
    if re.fullmatch(ID_PATTERNS[kind], value) and ".." not in value:
        return None
    prefix = ID_PATTERNS[kind][1:].split(":")[0]
    if not value.startswith(prefix + ":"):
        return f"{value!r} is not a {kind} id: it must start with {prefix + ':'!r}"
    shape = {
        "note": "a slug of a-z, 0-9 and -",
        "inquiry": "a slug of a-z, 0-9 and -",
        "claim": "a note slug, / and 8 hex digits",
        "paper": "an arXiv id or a slug",
        "run": "letters, digits, - and _",
    }[kind]
    return f"{value!r} is not a {kind} id ({prefix}: and {shape})"
