"""A markdown-it-py plugin for Obsidian-style ``[[wikilinks]]``, ``![[embeds]]`` and ``#tags``.

The vault importer reads structure from the tokens this plugin emits instead of matching regexes
over raw markdown, so a ``[[link]]`` inside inline code or a ``#heading`` is never mistaken for one.
Each ``wikilink`` token carries ``meta`` with the link's ``target`` (the page), ``section`` (after
``#``, may be a ``^block`` id), ``shown`` (the text a reader sees), ``embed`` and its ``start``/``end``
offsets in the inline source, so callers can rebuild the text as a reader sees it.

Inside a link, ``\\|``, ``\\]`` and ``\\\\`` escape the characters that would otherwise end a part.

>>> md = wiki_markdown()
>>> [t.meta for t in inline_tokens(md, "See [[Does X?|X]] and #rl/grpo, not `[[code]]`.")
...  if t.type in ("wikilink", "tag")]  # doctest: +NORMALIZE_WHITESPACE
[{'target': 'Does X?', 'section': None, 'shown': 'X', 'embed': False, 'start': 4, 'end': 17},
 {'tag': 'rl/grpo'}]
>>> md.render("[[Page#Intro]]")
'<p><a class="wikilink" href="Page#Intro">Page</a></p>\\n'
"""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

# A tag: letters, digits, "_", "-" and "/" (nested tags), not only digits ("#1" is a number).
_TAG = re.compile(r"#([\w][\w/-]*)")
_ESCAPABLE = "|]\\#"


def _split_unescaped(text: str, sep: str) -> tuple[str, str | None]:
    """Split ``text`` at the first ``sep`` not preceded by a backslash; unescape the first part.

    >>> _split_unescaped(r"a\\|b|c", "|")
    ('a|b', 'c')
    """
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            out.append(text[i + 1])
            i += 2
            continue
        if ch == sep:
            return "".join(out), text[i + 1 :]
        out.append(ch)
        i += 1
    return "".join(out), None


def unescape(text: str) -> str:
    r"""
    >>> unescape(r"a\]\]b")
    'a]]b'
    """
    return _split_unescaped(text, "\x00")[0]


def escape_link_text(text: str) -> str:
    r"""Escape text for use inside ``[[…]]``; :func:`unescape` inverts it.

    >>> escape_link_text("a|b]]c")
    'a\\|b\\]\\]c'
    >>> unescape(escape_link_text("x\\|]")) == "x\\|]"
    True
    """
    return "".join("\\" + ch if ch in _ESCAPABLE else ch for ch in text)


def _closing(src: str, start: int, limit: int) -> int:
    """Offset of the ``]]`` that ends a link whose inner text starts at ``start``, or -1."""
    i = start
    while i < limit - 1:
        ch = src[i]
        if ch == "\n":
            return -1
        if ch == "\\":
            i += 2
            continue
        if ch == "]" and src[i + 1] == "]":
            return i
        i += 1
    return -1


def _wikilink(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    opener = pos + (3 if embed else 2)
    if not (embed or src.startswith("[[", pos)):
        return False
    close = _closing(src, opener, state.posMax)
    if close <= opener:
        return False
    inner = src[opener:close]
    raw_page = _raw_before_pipe(inner)
    shown = unescape(inner[len(raw_page) + 1 :]) if len(raw_page) < len(inner) else None
    target, section = _split_unescaped(raw_page, "#")
    section = unescape(section) if section is not None else None
    target = target.strip()
    if not target and not section:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = {
            "target": target,
            "section": section.strip() if section else None,
            "shown": shown if shown is not None else (target or f"#{section}"),
            "embed": embed,
            "start": pos,
            "end": close + 2,
        }
        token.content = token.meta["shown"]
        token.markup = "![[" if embed else "[["
    state.pos = close + 2
    return True


def _raw_before_pipe(inner: str) -> str:
    """The raw (still escaped) text before the first unescaped ``|``."""
    i = 0
    while i < len(inner):
        if inner[i] == "\\":
            i += 2
            continue
        if inner[i] == "|":
            return inner[:i]
        i += 1
    return inner


def _tag(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "#" or (pos > 0 and not (src[pos - 1].isspace() or src[pos - 1] in "([")):
        return False
    match = _TAG.match(src, pos, state.posMax)
    if not match or match.group(1).replace("/", "").replace("-", "").replace("_", "").isdigit():
        return False
    if not silent:
        token = state.push("tag", "", 0)
        token.meta = {"tag": match.group(1)}
        token.content = match.group(0)
    state.pos = match.end()
    return True


def _render_wikilink(self, tokens: list[Token], idx: int, options, env) -> str:
    meta = tokens[idx].meta
    href = meta["target"] + (f"#{meta['section']}" if meta["section"] else "")
    return f'<a class="wikilink" href="{escape(href)}">{escape(meta["shown"])}</a>'


def _render_tag(self, tokens: list[Token], idx: int, options, env) -> str:
    return f'<span class="tag">{escape(tokens[idx].content)}</span>'


def wikilinks_plugin(md: MarkdownIt) -> None:
    """Install the ``wikilink`` and ``tag`` inline rules (and HTML renderers) on ``md``."""
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.inline.ruler.before("link", "tag", _tag)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("tag", _render_tag)


def wiki_markdown() -> MarkdownIt:
    """A CommonMark parser with tables, strikethrough, wikilinks and tags."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(wikilinks_plugin)


def inline_tokens(md: MarkdownIt, text: str) -> list[Token]:
    """Every inline token of ``text``, flattened, in document order."""
    return [child for token in md.parse(text) if token.type == "inline" for child in token.children or ()]
