"""BibTeX in and out: a ``.bib`` file's entries as :class:`~inquiry.models.Paper` and back.

Each entry keeps its key, entry type and every field exactly as read (``Paper.bibkey``,
``entry_type``, ``fields``), so that exporting the papers writes the same entries back. Authors,
year, title, arXiv id and DOI are read from the fields to recognize the paper among those the notes
mention. Papers that never came from a ``.bib`` get an entry built from what is known of them.

>>> papers = parse_bib('''@article{yue2025,
...   title = {Does Reinforcement Learning Really Incentivize Reasoning Capacity in {LLMs}?},
...   author = {Yue, Yang and Chen, Zhiqi},
...   year = {2025}, eprint = {2504.13837}, archivePrefix = {arXiv}}''', "refs.bib")
>>> [(p.id, p.name, p.authors, p.year, p.arxiv) for p in papers]
[('paper:2504.13837', 'Yue and Chen 2025', ['Yang Yue', 'Zhiqi Chen'], 2025, '2504.13837')]
>>> parse_bib(write_bib(papers), "again.bib")[0].fields == papers[0].fields
True
"""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.model import Entry, Field

from ..errors import ImportFailed
from ..ids import slugify
from ..models import Paper
from .papers import author_year_id, find_papers

_YEAR = re.compile(r"(?:19|20)\d{2}")


def _plain(value: str) -> str:
    """A field value without TeX grouping braces and doubled spaces."""
    return " ".join(value.replace("{", "").replace("}", "").split())


def _person(name: str) -> str:
    """``Last, First`` → ``First Last``."""
    name = _plain(name)
    if "," in name:
        last, _, first = name.partition(",")
        return f"{first.strip()} {last.strip()}".strip()
    return name


def _field(fields: dict[str, str], name: str) -> str | None:
    for key, value in fields.items():
        if key.casefold() == name:
            return value
    return None


def paper_from_entry(key: str, entry_type: str, fields: dict[str, str]) -> Paper:
    """A paper from one BibTeX entry; its id follows the arXiv id, else the DOI, else first author and year."""
    authors = [_person(a) for a in re.split(r"\s+and\s+", _field(fields, "author") or "") if a.strip()]
    year_text = _YEAR.search(_field(fields, "year") or _field(fields, "date") or "")
    year = int(year_text.group()) if year_text else None
    arxiv = None
    eprint = _field(fields, "eprint")
    if eprint and (_field(fields, "archiveprefix") or "arxiv").casefold() == "arxiv":
        arxiv = _plain(eprint).removeprefix("arXiv:")
    else:
        mentioned = [p.arxiv for p in find_papers(" ".join(fields.values())) if p.arxiv]
        arxiv = mentioned[0] if mentioned else None
    doi = _field(fields, "doi")
    doi = _plain(doi).casefold() if doi else None
    title = _plain(_field(fields, "title") or "") or None
    if arxiv:
        pid = f"paper:{arxiv}"
    elif doi:
        pid = "paper:doi-" + slugify(doi)
    elif authors and year:
        pid = author_year_id(authors[0], year)
    else:
        pid = "paper:" + slugify(key)
    if authors and year:
        surnames = [a.split()[-1] for a in authors]
        name = {1: surnames[0], 2: " and ".join(surnames[:2])}.get(len(surnames), f"{surnames[0]} et al.")
        name = f"{name} {year}"
    else:
        name = title or key
    url = _field(fields, "url")
    return Paper(
        id=pid,
        name=name,
        arxiv=arxiv,
        doi=doi,
        title=title,
        authors=authors,
        year=year,
        url=_plain(url) if url else None,
        bibkey=key,
        entry_type=entry_type,
        fields=dict(fields),
    )


def parse_bib(text: str, where: str) -> list[Paper]:
    """Every entry of a ``.bib`` text as a paper; a block that does not parse fails with its line."""
    library = bibtexparser.parse_string(text)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise ImportFailed(
            where,
            f"not a valid BibTeX entry: {(block.raw or '').strip().splitlines()[0][:80]!r}",
            (block.start_line or 0) + 1,
        )
    papers = [paper_from_entry(e.key, e.entry_type, {f.key: str(f.value) for f in e.fields}) for e in library.entries]
    if not papers:
        raise ImportFailed(where, "no BibTeX entries in this file")
    return papers


def _generated_key(paper: Paper) -> str:
    if paper.authors and paper.year:
        return re.sub(r"[^a-z0-9]", "", paper.authors[0].split()[-1].casefold()) + str(paper.year)
    return slugify(paper.name).replace("-", "") or "ref"


def _generated_fields(paper: Paper) -> dict[str, str]:
    fields: dict[str, str] = {}
    if paper.authors:
        fields["author"] = " and ".join(paper.authors)
    fields["title"] = paper.title or paper.name
    if paper.year:
        fields["year"] = str(paper.year)
    if paper.arxiv:
        fields |= {"eprint": paper.arxiv, "archivePrefix": "arXiv"}
    if paper.doi:
        fields["doi"] = paper.doi
    if paper.url:
        fields["url"] = paper.url
    return fields


def write_bib(papers: list[Paper]) -> str:
    """The papers as BibTeX: imported entries as they were read, the others built from their metadata."""
    library = bibtexparser.Library()
    taken: set[str] = set()
    for paper in papers:
        if paper.bibkey:
            key, entry_type, fields = paper.bibkey, paper.entry_type or "misc", paper.fields
        else:
            key, entry_type, fields = _generated_key(paper), "misc", _generated_fields(paper)
        base, n = key, 1
        while key.casefold() in taken:
            n += 1
            key = f"{base}{chr(ord('a') + n - 2)}" if n <= 27 else f"{base}_{n}"
        taken.add(key.casefold())
        library.add(Entry(entry_type, key, [Field(k, v) for k, v in fields.items()]))
    return bibtexparser.write_string(library)
