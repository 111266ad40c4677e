"""Local JSONL datasets, validated line by line.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "qa.jsonl"
>>> _ = path.write_text('{"prompt": "1+1=", "answer": "2"}\\n\\n{"prompt": "2+2="}\\n')
>>> load_jsonl(path, ["prompt", "answer"])
Traceback (most recent call last):
...
inquiry.runners.substrate.datasets.DatasetError: qa.jsonl: 1 bad line: line 3: missing field 'answer'
"""

from __future__ import annotations

import json
from pathlib import Path

from ...errors import InquiryError

_SHOWN = 10  # bad lines named in the message; the rest are counted


class DatasetError(InquiryError):
    """A dataset file is missing or has bad lines; ``lines`` holds the 1-based numbers of the bad ones."""

    def __init__(self, path: Path, message: str, lines: list[int] | None = None):
        self.path, self.lines = path, lines or []
        super().__init__(f"{path.name}: {message}")


def load_jsonl(path: Path | str, required: list[str]) -> list[dict]:
    """The JSON objects of ``path``, one per non-blank line, each holding every field in ``required``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(path, f"cannot read {path}: {exc}") from exc
    rows: list[dict] = []
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append((number, f"invalid JSON ({exc.msg})"))
            continue
        if not isinstance(row, dict):
            problems.append((number, "not a JSON object"))
            continue
        missing = [field for field in required if field not in row]
        if missing:
            problems.append((number, "missing field " + ", ".join(repr(f) for f in missing)))
            continue
        rows.append(row)
    if problems:
        shown = "; ".join(f"line {number}: {why}" for number, why in problems[:_SHOWN])
        more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        plural = "s" if len(problems) > 1 else ""
        raise DatasetError(path, f"{len(problems)} bad line{plural}: {shown}{more}", [n for n, _ in problems])
    if not rows:
        raise DatasetError(path, "no records (the file is empty)")
    return rows


def load_qa_jsonl(path: Path | str) -> list[dict]:
    r"""Math questions as ``{"prompt", "answer"}`` records from any of three local JSONL layouts, per line:

    * ``{"prompt", "answer"}`` as is;
    * GSM8K: ``{"question", "answer"}`` whose answer is a worked solution ending ``#### 72``;
    * MATH: ``{"problem", "solution"}`` whose solution boxes its answer (``\boxed{\frac{1}{2}}``); an
      ``"answer"`` field, as MATH-500 has, wins over the box.

    A line matching none of them, or whose answer cannot be found, is a bad line (named in the error).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "mixed.jsonl"
    >>> _ = path.write_text('{"question": "2 + 3?", "answer": "2 + 3 = 5\\n#### 5"}\n'
    ...                     '{"problem": "Half of 1?", "solution": "It is $\\\\boxed{\\\\frac{1}{2}}$."}\n')
    >>> load_qa_jsonl(path)
    [{'prompt': '2 + 3?', 'answer': '5'}, {'prompt': 'Half of 1?', 'answer': '\\frac{1}{2}'}]
    """
    from .answers import last_boxed

    path = Path(path)
    rows = load_jsonl(path, [])
    records, problems = [], []
    for number, row in enumerate(rows, start=1):
        if "prompt" in row and "answer" in row:
            answer: str | None
            prompt, answer = row["prompt"], str(row["answer"])
        elif "question" in row and "answer" in row:
            prompt, text = row["question"], str(row["answer"])
            answer = text.rsplit("####", 1)[1].strip().replace(",", "") if "####" in text else None
            if answer is None:
                problems.append((number, "a GSM8K answer needs a final '#### <number>' line"))
                continue
        elif "problem" in row and ("answer" in row or "solution" in row):
            prompt = row["problem"]
            answer = str(row["answer"]) if "answer" in row else last_boxed(str(row["solution"]))
            if answer is None:
                problems.append((number, "a MATH solution needs a \\boxed{...} answer"))
                continue
        else:
            problems.append(
                (
                    number,
                    "expected fields prompt+answer, question+answer (GSM8K) or problem+solution (MATH); found "
                    + ", ".join(map(repr, row))
                    or "none",
                )
            )
            continue
        records.append({"prompt": str(prompt), "answer": answer})
    if problems:
        shown = "; ".join(f"record {number}: {why}" for number, why in problems[:_SHOWN])
        more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        raise DatasetError(
            path,
            f"{len(problems)} bad record{'s' if len(problems) > 1 else ''}: {shown}{more}",
            [n for n, _ in problems],
        )
    return records
