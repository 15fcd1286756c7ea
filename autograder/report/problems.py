"""The kinds of problem a results file records, in the words an instructor reads.

A problem is recorded either as a sentence (the words ``course grade`` shows the student) or as a
typed record with a ``kind``; both come out as a :class:`Problem` with one of :data:`KINDS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["KINDS", "Problem", "as_problem", "classify"]

KINDS = {
    "syntax": "syntax errors",
    "crash": "code that raised an error",
    "timeout": "time-outs",
    "hidden_hang": "hangs that only hidden checks trigger",
    "tampering": "suspected tampering (locked cells edited, forged results)",
    "unreadable": "notebooks that could not be read",
    "output": "floods of printed output",
    "stub": "answers left as the stub",
    "deleted": "answer cells deleted",
    "other": "other problems",
}
"""Each kind and how the report names a group of them."""

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in (
    ("tampering", r"tamper|forg|locked cell \S+ was (changed|deleted)|channel"),
    ("hidden_hang", r"hidden check.*did not finish|did not finish.*hidden check"),
    ("syntax", r"syntax error"),
    ("unreadable", r"could not be graded|could not be read|not a notebook|notebook is empty"),
    ("timeout", r"did not finish|timed? ?out|time limit"),
    ("stub", r"empty starting version|NotImplementedError"),
    ("deleted", r"answer cell \S+ was deleted"),
    ("output", r"printed a lot|output were left out"),
    ("crash", r"\braised\b|memory|exited|crash"),
))


@dataclass(frozen=True, kw_only=True)
class Problem:
    kind: str
    text: str


def classify(text: str) -> str:
    """The kind of a problem recorded as a sentence."""
    return next((kind for kind, pattern in _RULES if pattern.search(text)), "other")


def as_problem(item: Any) -> Problem:
    """A recorded problem (a sentence, or a record with a kind and a message) as a :class:`Problem`."""
    if isinstance(item, dict):
        text = next((str(item[k]) for k in ("message", "text", "detail", "reason") if isinstance(item.get(k), str)), "")
        kind = str(item.get("kind") or item.get("type") or "").lower().replace("-", "_")
        text = text or kind.replace("_", " ") or "a problem"
        if kind not in KINDS:
            kind = _known_kind(kind) or classify(text)
        return Problem(kind=kind, text=text)
    text = str(item)
    return Problem(kind=classify(text), text=text)


def _known_kind(kind: str) -> str:
    """A typed record's kind mapped onto the report's (``syntax_error`` is ``syntax``)."""
    for known in KINDS:
        if known in kind or kind in known and kind:
            return known
    if "tamper" in kind or "forg" in kind:
        return "tampering"
    if "time" in kind or "hang" in kind:
        return "timeout"
    return ""
