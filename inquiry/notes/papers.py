"""Papers a text refers to: arXiv ids, DOIs and "Author et al. YEAR" mentions.

Each reference becomes a :class:`~inquiry.models.Paper` with a stable id: ``paper:<arXiv id>``,
``paper:doi-<slug>`` or ``paper:<surname>-<year>``. An author-year mention written right beside an
arXiv id or DOI ("Yue et al. 2025 (arXiv 2504.13837)") is one paper. :func:`paper_keys` gives the
lookup keys under which a paper can be recognized again (a ``.bib`` entry for "Yue et al. 2025"
carrying the arXiv id attaches to the paper a note mentioned by name).

>>> [(p.id, p.name, p.year) for p in find_papers(
...     "Base models win at high k (Yue et al. 2025, arXiv:2504.13837); see also doi:10.1145/3290605.3300857. "
...     "Nie and Chen (2024) disagree.")]
[('paper:2504.13837', 'Yue et al. 2025', 2025), ('paper:doi-10-1145-3290605-3300857', 'doi:10.1145/3290605.3300857', None), ('paper:nie-2024', 'Nie and Chen 2024', 2024)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..ids import slugify
from ..models import Paper

_ARXIV = re.compile(
    r"(?:\barXiv(?::|\s)\s*|arxiv\.org/(?:abs|pdf)/)(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})"
    r"(?:v\d+)?",
    re.IGNORECASE,
)
# A bare new-style id (YYMM.NNNNN, 2015 on): five digits after the dot are rare in prose otherwise.
_BARE_ARXIV = re.compile(r"(?<![\w./])(?P<id>(?:1[5-9]|2\d)(?:0[1-9]|1[0-2])\.\d{5})(?:v\d+)?(?![\w/]|\.\d)")
_DOI = re.compile(r"\b(?P<id>10\.\d{4,9}/[^\s\"<>\]]+)")
_SURNAME = r"(?:(?:van|von|de|der|da|di|le|la)\s+)?[A-Z][A-Za-z'’\-]+"
_ET_AL = re.compile(rf"\b(?P<a>{_SURNAME})\s+et\s+al\.?,?\s*\(?(?P<y>(?:19|20)\d{{2}})[a-z]?\b\)?")
_PAIR = re.compile(rf"\b(?P<a>{_SURNAME})\s+(?:and|&)\s+(?P<b>{_SURNAME}),?\s*\(?(?P<y>(?:19|20)\d{{2}})[a-z]?\b\)?")
# Between an author-year mention and its identifier: brackets, commas, the word arXiv.
_GLUE = re.compile(r"^[\s,;:(\[]*(?:arXiv[:\s]*|doi[:\s]*|https?://\S*?)?$", re.IGNORECASE)
_NOT_SURNAMES = {"In", "The", "And", "But", "See", "As", "Our", "We", "This", "These", "Both"}


@dataclass
class _Found:
    start: int
    end: int
    paper: Paper


def _surname(name: str) -> str:
    return name.split()[-1]


def author_year_id(surname: str, year: int) -> str:
    """
    >>> author_year_id("van Noord", 2021)
    'paper:noord-2021'
    """
    return "paper:" + slugify(f"{_surname(surname)} {year}")


def find_papers(text: str) -> list[Paper]:
    """The papers ``text`` refers to, in order of first mention, each once."""
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], paper: Paper, end: int | None = None) -> None:
        end = match.end() if end is None else end
        if any(match.start() < b and a < end for a, b in taken):
            return
        taken.append((match.start(), end))
        found.append(_Found(match.start(), end, paper))

    for pattern in (_ARXIV, _BARE_ARXIV):
        for m in pattern.finditer(text):
            arxiv = m.group("id")
            add(m, Paper(id=f"paper:{arxiv}", name=f"arXiv:{arxiv}", arxiv=arxiv))
    for m in _DOI.finditer(text):
        raw = m.group("id").rstrip(".,;:)]}'\"")
        doi = raw.casefold()
        add(m, Paper(id="paper:doi-" + slugify(doi), name=f"doi:{doi}", doi=doi), m.start("id") + len(raw))
    for m in _ET_AL.finditer(text):
        if m.group("a") in _NOT_SURNAMES:
            continue
        year = int(m.group("y"))
        add(
            m,
            Paper(
                id=author_year_id(m.group("a"), year),
                name=f"{m.group('a')} et al. {year}",
                authors=[m.group("a")],
                year=year,
            ),
        )
    for m in _PAIR.finditer(text):
        if m.group("a") in _NOT_SURNAMES or m.group("b") in _NOT_SURNAMES:
            continue
        year = int(m.group("y"))
        add(
            m,
            Paper(
                id=author_year_id(m.group("a"), year),
                name=f"{m.group('a')} and {m.group('b')} {year}",
                authors=[m.group("a"), m.group("b")],
                year=year,
            ),
        )
    found.sort(key=lambda f: f.start)
    merged: list[_Found] = []
    for item in found:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and _GLUE.match(text[previous.end : item.start])
            and _joinable(previous.paper, item.paper)
        ):
            named, ident = (previous.paper, item.paper) if previous.paper.year else (item.paper, previous.paper)
            previous.paper = ident.model_copy(update={"name": named.name, "authors": named.authors, "year": named.year})
            previous.end = item.end
            continue
        merged.append(item)
    papers: dict[str, Paper] = {}
    for item in merged:
        papers.setdefault(item.paper.id, item.paper)
    return list(papers.values())


def _joinable(a: Paper, b: Paper) -> bool:
    """An author-year mention and an identifier (either order) name one paper."""
    return bool(a.year) != bool(b.year)


def paper_keys(paper: Paper) -> list[str]:
    """The keys a paper can be recognized by, most specific first.

    >>> paper_keys(Paper(id="paper:x", name="Yue et al. 2025", arxiv="2504.13837", authors=["Yang Yue"], year=2025))
    ['arxiv:2504.13837', 'ay:yue-2025']
    """
    keys = []
    if paper.arxiv:
        keys.append(f"arxiv:{paper.arxiv.casefold()}")
    if paper.doi:
        keys.append(f"doi:{paper.doi.casefold()}")
    if paper.authors and paper.year:
        keys.append("ay:" + author_year_id(paper.authors[0], paper.year).removeprefix("paper:"))
    return keys


def known_paper(paper: Paper, keys: Mapping[str, str]) -> Paper:
    """``paper`` under the id of the known paper sharing one of its keys (most specific first), else as it is."""
    for key in paper_keys(paper):
        known = keys.get(key)
        if known is not None:
            return paper.model_copy(update={"id": known})
    return paper
