"""The words and tables for results and essays, shared by ``inquiry`` (CLI), the app and the export.

Each concept is written once here; callers only lay the pieces out (a CLI line, a markdown table row, a
list item). Everything returns plain strings; ``markdown=True`` where a caller needs markdown escaping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from ..models import Status
    from ..runners.api import Estimate, FidelityCard, VerdictReport

ELLIPSIS = "…"


# ---- clipping -----------------------------------------------------------------------------------


def clip(text: str, width: int, *, at_word: bool = False, one_line: bool = False) -> str:
    """``text`` cut to ``width`` characters with an ellipsis when longer.

    ``at_word`` cuts at the last space (and drops trailing punctuation); ``one_line`` first folds every run
    of whitespace, newlines included, into one space.

    >>> clip("a" * 5, 4)
    'aaa…'
    >>> clip("pass at k grows with k", 12, at_word=True)
    'pass at k…'
    >>> clip("two\\n  lines", 20, one_line=True)
    'two lines'
    """
    if one_line:
        text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if at_word:
        cut = (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:")
    return cut + ELLIPSIS


# ---- statuses -----------------------------------------------------------------------------------


def status_word(status: Status | None) -> str:
    """A claim's status as its glyph and word, ``✅ supported``.

    >>> from inquiry.models import Status
    >>> status_word(Status.SUPPORTED), status_word(None)
    ('✅ supported', 'status not rolled up yet')
    """
    from ..models import STATUS_GLYPH

    return f"{STATUS_GLYPH[status]} {status.value}" if status else "status not rolled up yet"


# ---- estimates ----------------------------------------------------------------------------------


def estimate_value(e: Estimate) -> str:
    """
    >>> from inquiry.runners.api import Estimate
    >>> estimate_value(Estimate(value=0.12345, unit=" pts"))
    '0.1235 pts'
    """
    return f"{e.value:.4g}{e.unit}"


def estimate_interval(e: Estimate) -> str | None:
    """The interval in words, ``95% CI 0.15 to 0.25``, or None when the estimate has none.

    >>> from inquiry.runners.api import Estimate
    >>> estimate_interval(Estimate(value=0.2, low=0.15, high=0.25, level=0.9))
    '90% CI 0.15 to 0.25'
    """
    if e.low is None or e.high is None:
        return None
    return f"{e.level:.0%} CI {e.low:.4g} to {e.high:.4g}"


def estimate_counted(e: Estimate) -> str | None:
    """What the estimate's ``n`` counts, written out: ``200 problems``, ``1000 bootstrap draws``.

    Runners name it in ``Estimate.n_of``; older results only say it in the description.

    >>> from inquiry.runners.api import Estimate
    >>> estimate_counted(Estimate(value=1, n=8, description="mean over seeds"))
    '8 seeds'
    """
    if e.n is None:
        return None
    what = e.n_of or (
        "bootstrap draws" if "bootstrap draw" in e.description else "seeds" if "seed" in e.description else "items"
    )
    return f"{e.n} {what}"


def estimate_text(e: Estimate) -> str:
    """An estimate in one phrase: value, then interval and n in brackets.

    >>> from inquiry.runners.api import Estimate
    >>> estimate_text(Estimate(value=0.2, low=0.15, high=0.25, n=30))
    '0.2 (95% CI 0.15 to 0.25, n=30)'
    >>> estimate_text(Estimate(value=3))
    '3 (no interval)'
    """
    interval = estimate_interval(e) or "no interval"
    return f"{estimate_value(e)} ({interval}" + (f", n={e.n})" if e.n else ")")


def headline_keys(metrics: dict[str, Any], headline: list[str] | None, everything: bool = False) -> list[str]:
    """The metric names to show, headline first: only the headline (or every metric when a result names
    none), or with ``everything`` the headline followed by the rest."""
    keys = [k for k in (headline or list(metrics)) if k in metrics]
    return keys + [k for k in metrics if k not in keys] if everything else keys


# ---- verdicts and scope -------------------------------------------------------------------------

MINIATURE = "miniature"


def verdict_summary(report: VerdictReport, *, scope: bool = False, emphasis: str = "") -> str:
    """The verdict and its machine-readable reason (and scope), ``emphasis`` around the verdict word.

    >>> from inquiry.runners.api import VerdictReport
    >>> report = VerdictReport(verdict="supports", reason="ci_above_chance", explanation="")
    >>> verdict_summary(report, scope=True), verdict_summary(report, emphasis="**")
    ('supports (ci_above_chance; scope: miniature)', '**supports** (ci_above_chance)')
    """
    where = f"; scope: {report.scope}" if scope else ""
    return f"{emphasis}{report.verdict.value}{emphasis} ({report.reason}{where})"


def scope_sentence(scope: str) -> str:
    """What a verdict of this scope is evidence about, in a sentence.

    >>> scope_sentence("checkpoint:tiny-qwen2")
    "Measured on the checkpoint checkpoint:tiny-qwen2: evidence about that model, not about the paper's models."
    """
    if scope == MINIATURE:
        from ..runners.api import MINIATURE_SCOPE_NOTE

        return MINIATURE_SCOPE_NOTE
    return f"Measured on the checkpoint {scope}: evidence about that model, not about the paper's models."


# ---- the fidelity card --------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def fidelity_markdown(card: FidelityCard | None, runner_name: str) -> str:
    """The card as a markdown table (paper beside miniature) and what could make results differ.

    >>> print(fidelity_markdown(None, "gone"))
    Fidelity card unavailable: the runner 'gone' is not installed here.
    """
    if card is None:
        return f"Fidelity card unavailable: the runner {runner_name!r} is not installed here."
    rows = ["| aspect | paper | miniature |", "| --- | --- | --- |"]
    rows += [f"| {_cell(r.aspect)} | {_cell(r.paper)} | {_cell(r.miniature)} |" for r in card.rows]
    caveats = "\n".join(f"- {c}" for c in card.caveats)
    return "\n".join(rows) + (f"\n\nWhat could make results differ:\n\n{caveats}" if caveats else "")


def fidelity_card(runner_name: str) -> FidelityCard | None:
    """The installed runner's fidelity card, None when no runner by that name is installed here."""
    from ..errors import NotFound
    from ..runners.registry import get

    try:
        return get(runner_name).fidelity
    except NotFound:
        return None


# ---- essays -------------------------------------------------------------------------------------


class _Cited(Protocol):
    start: int
    end: int


C = TypeVar("C", bound=_Cited)
F = TypeVar("F")


def essay_paragraph(
    text: str,
    cited: Iterable[tuple[C, F]],
    *,
    plain: Callable[[str], str],
    link: Callable[[C, str], str],
    badge: Callable[[C, F], str],
) -> str:
    """A paragraph with each cited span turned into ``link(citation, span)`` followed by
    ``badge(citation, flag)``, the text between written through ``plain`` (escaping, per format).

    >>> from types import SimpleNamespace as C
    >>> essay_paragraph("see A and B.", [(C(start=10, end=11), "x"), (C(start=4, end=5), None)],
    ...                 plain=str.upper, link=lambda c, s: f"[{s}]", badge=lambda c, f: f" ({f})" if f else "")
    'SEE [A] AND [B] (x).'
    """
    out, cursor = [], 0
    for citation, flag in sorted(cited, key=lambda pair: pair[0].start):
        out += [plain(text[cursor : citation.start]), link(citation, text[citation.start : citation.end])]
        out.append(badge(citation, flag))
        cursor = max(cursor, citation.end)
    out.append(plain(text[cursor:]))
    return "".join(out)


def citation_badge(counts: str | None, rests_on: str | None, *, explain: str = "") -> str:
    """What follows a citation link: the cited note's claim counts (a note is a question: never one glyph),
    and ⚠ when the sentence rests on a contradicted claim (``explain`` adds words after it).

    >>> citation_badge("✅ 1 · ❌ 0 · ○ 1", None)
    ' (✅ 1 · ❌ 0 · ○ 1)'
    >>> citation_badge("✅ 1 · ❌ 1 · ○ 0", "contradicted", explain="*rests on a contradicted claim*")
    ' (✅ 1 · ❌ 1 · ○ 0) ⚠ *rests on a contradicted claim*'
    >>> citation_badge(None, "mixed")
    ''
    """
    from ..notes.vault_format import CONTRADICTED_MARK  # the importer strips it: one home, beside the badges

    shown = f" ({counts})" if counts else ""
    if rests_on == "contradicted":
        shown += f" {CONTRADICTED_MARK}" + (f" {explain}" if explain else "")
    return shown
