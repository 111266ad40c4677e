r"""Checking a free-form math answer against a reference, as GSM8K / MATH evaluations do.

The final answer is extracted from the completion: the last ``\boxed{...}`` (braces balanced, so
``\boxed{\frac{1}{2}}`` is ``\frac{1}{2}``), else a GSM8K ``#### N`` line, else the number after the
last "answer is", else the last number. It is compared with the reference exactly as a fraction when
both are numbers (``18.00`` = ``18``, ``1,234`` = ``1234``, ``\frac{1}{2}`` = ``0.5``), else as
normalised text (units in ``\text{...}``, ``$``, ``\left``/``\right``, spaces and a leading ``x =``
removed). When that fails on a symbolic answer and the optional extra ``math`` is installed
(``pip install inquiry[math]``: Hugging Face's ``math-verify``), math-verify's symbolic equivalence
decides (``\frac{\sqrt{3}}{2}`` = ``\sqrt{3}/2``).

>>> extract_answer(r"so the answer is \boxed{\frac{1}{2}}."), extract_answer("It costs $1,234 in total.")
('\\frac{1}{2}', '1,234')
>>> builtin_match("18", "The total is 18.00 dollars."), builtin_match("0.5", r"$\boxed{\dfrac12}$")
(True, True)
>>> builtin_match("234", "1,234")
False
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

# ----------------------------------------------------------------------------------------------- extraction


def last_boxed(text: str) -> str | None:
    r"""The content of the last ``\boxed{...}`` / ``\fbox{...}`` with nested braces kept, or ``\boxed 5``.

    >>> last_boxed(r"\boxed{1} then \boxed{\frac{3}{4}}"), last_boxed(r"\boxed 7."), last_boxed("none")
    ('\\frac{3}{4}', '7', None)
    """
    start = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if start < 0:
        return None
    rest = text[start:].removeprefix("\\boxed").removeprefix("\\fbox")
    if rest.startswith(" "):  # \boxed 5
        match = re.match(r"\s+([^\s$.,]+)", rest)
        return match.group(1) if match else None
    if not rest.startswith("{"):
        return None
    depth = 0
    for index, char in enumerate(rest):
        depth += char == "{"
        depth -= char == "}"
        if depth == 0:
            return rest[1:index].strip()
    return None  # unbalanced: the completion was cut inside the box


_THOUSANDS = r"\d{1,3}(?:,\d{3})+(?![\d])"
_NUMBER = re.compile(rf"-?(?:{_THOUSANDS}|\d+)(?:\.\d+)?(?:/\d+)?|-?\.\d+")
_ANSWER_IS = re.compile(r"answer(?:\s+is|:)\s*:?\s*", re.IGNORECASE)


def extract_answer(text: str) -> str | None:
    """The final answer of a completion (see the module docstring for the order tried), or None."""
    boxed = last_boxed(text)
    if boxed is not None:
        return boxed
    if "\\boxed" in text or "\\fbox" in text:
        return None  # the final box is unreadable (cut off inside it): a number before it is not the answer
    if "####" in text:
        return text.rsplit("####", 1)[1].strip().split("\n")[0].strip() or None
    said = list(_ANSWER_IS.finditer(text))
    if said:
        number = _NUMBER.search(text, said[-1].end())
        if number:
            return number.group(0)
    numbers = _NUMBER.findall(text)
    return numbers[-1] if numbers else None


# -------------------------------------------------------------------------------------------- normalisation

_TEXT = re.compile(r"\\(?:text|textbf|mbox|mathrm)\{[^{}]*\}")
_FRAC = re.compile(r"\\[dt]?frac\{([^{}]+)\}\{([^{}]+)\}")
_FRAC_SHORT = re.compile(r"\\[dt]?frac(\d)(\d)")
_VARIABLE = re.compile(r"^[a-zA-Z]\s*=\s*")


def normalise(answer: str) -> str:
    r"""A canonical string: units, dollar signs, sizing commands, degree marks and spaces gone.

    >>> normalise(r"\$18.00\text{ dollars}"), normalise(r"x = \left(1, 2\right)"), normalise(r"\dfrac{3}{4}")
    ('18.00', '(1,2)', '3/4')
    """
    s = str(answer).strip()
    s = _TEXT.sub("", s)
    for token in (
        "\\left",
        "\\right",
        "\\!",
        "\\,",
        "\\;",
        "\\$",
        "$",
        "^\\circ",
        "^{\\circ}",
        "\\%",
        "%",
        "\\displaystyle",
    ):
        s = s.replace(token, "")
    s = _FRAC_SHORT.sub(r"\1/\2", s)
    while _FRAC.search(s):
        s = _FRAC.sub(r"(\1)/(\2)", s)
    s = re.sub(r"\((-?\d+)\)/\((\d+)\)", r"\1/\2", s)  # (3)/(4) -> 3/4 once both sides are plain
    s = _VARIABLE.sub("", s.strip())
    s = re.sub(r"\s+", "", s).rstrip(".")
    return s


def as_number(answer: str) -> Fraction | None:
    """The exact value of a plain number, decimal, ``a/b`` or thousands-separated figure; None otherwise.

    >>> as_number("1,234"), as_number("-3/6"), as_number("18.00"), as_number("(1,2)")
    (Fraction(1234, 1), Fraction(-1, 2), Fraction(18, 1), None)
    """
    s = normalise(answer)
    if re.fullmatch(rf"-?{_THOUSANDS}(?:\.\d+)?", s):
        s = s.replace(",", "")
    try:
        return Fraction(s) if re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)(/\d+)?", s) else None
    except (ValueError, ZeroDivisionError):
        return None


def _reference(reference: str) -> str:
    reference = str(reference)
    return last_boxed(reference) or reference  # a reference may itself be boxed


def builtin_equal(reference: str, answer: str) -> bool:
    """Whether an extracted ``answer`` equals ``reference``: as exact numbers when both are, else as
    normalised text."""
    want = _reference(reference)
    a, b = as_number(answer), as_number(want)
    if a is not None and b is not None:
        return a == b
    return normalise(answer) == normalise(want)


def builtin_match(reference: str, completion: str) -> bool:
    """The built-in check: the completion's final answer equals ``reference`` as a number, else as text."""
    got = extract_answer(completion)
    return got is not None and builtin_equal(reference, got)


# ---------------------------------------------------------------------------------------------- math-verify


@lru_cache(maxsize=1)
def _math_verify():
    try:
        import math_verify
    except ImportError:
        return None
    import logging

    # it warns on every call that the (SIGALRM) timeouts are off; they are off on purpose (see below)
    for name in ("math_verify.parser", "math_verify.grader"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return math_verify


def backend() -> str:
    """Which checker :func:`answers_match` uses here: ``"math-verify <version>"`` or ``"builtin"``."""
    module = _math_verify()
    if module is None:
        return "builtin"
    from importlib.metadata import version

    return f"math-verify {version('math-verify')}"


@lru_cache(maxsize=65536)
def _math_verify_equal(reference: str, answer: str) -> bool:
    """math-verify's symbolic equivalence of two extracted answers (cached: samples repeat their answers, and
    one comparison costs tens of milliseconds of sympy). False when either side does not parse."""
    mv = _math_verify()
    try:
        # the timeouts use SIGALRM, which only works in a process's main thread: off (inputs are one answer each)
        gold = mv.parse(f"\\boxed{{{reference}}}", parsing_timeout=None)
        pred = mv.parse(f"\\boxed{{{answer}}}", parsing_timeout=None)
        return bool(gold and pred and mv.verify(gold, pred, timeout_seconds=None))
    except Exception:  # a parser crash on odd model output must never end a run
        return False


def answers_match(reference: str, completion: str, *, use_math_verify: bool = True) -> bool:
    """Whether ``completion``'s final answer (:func:`extract_answer`) equals ``reference``.

    Exact numbers and identical normalised text decide at once; otherwise, with math-verify installed
    (and ``use_math_verify``), its symbolic equivalence decides (``\\frac{\\sqrt{3}}{2}`` = ``\\sqrt{3}/2``).
    """
    got = extract_answer(completion)
    if got is None:
        return False
    if builtin_equal(reference, got):
        return True
    want = _reference(reference)
    if as_number(got) is not None and as_number(want) is not None:
        return False  # two plain numbers: the exact comparison is final
    if use_math_verify and _math_verify() is not None:
        return _math_verify_equal(want, got)
    return False
