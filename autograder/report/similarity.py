"""Pairs of submissions whose answer code is unusually alike, with the matching parts marked.

Fingerprints come from copydetect (a maintained tool made for this): the code is tokenised and
names, strings, whitespace and comments are normalised away, then every k-gram of what is left
is hashed. Two things are discounted before any pair is compared: the released stub (its
signatures and docstrings are in everyone's notebook) and code that many submissions share
(more than :func:`common_limit` of them: a correct answer to a small function is often written
the same way by many people). What remains is each submission's *uncommon* code; a pair is
listed when each has at least :data:`SHARE` of its uncommon code in the other and they share at
least :data:`MIN_SHARED` k-grams. Such a pair is *similar*: evidence for a person to weigh, not
a finding that anyone copied.
"""

from __future__ import annotations

import io
import math
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

__all__ = ["MIN_SHARED", "SHARE", "Answer", "SimilarPair", "answer_code", "common_limit", "similar_pairs"]

K = 25
"""copydetect's noise threshold: k-grams of this many characters of normalised code."""
SHARE = 0.5
MIN_SHARED = 60
MAX_PAIRS = 40
"""At most this many pairs are shown, the most similar first."""


@dataclass(frozen=True, kw_only=True)
class Answer:
    student: str
    code: str


@dataclass(frozen=True, kw_only=True)
class SimilarPair:
    first: str
    second: str
    shared: int
    """k-grams of uncommon normalised code the two have in common."""
    share_first: float
    share_second: float
    marked_first: str
    """The first submission's answer code as HTML, the parts that match marked with <mark>."""
    marked_second: str

    @property
    def share(self) -> float:
        return min(self.share_first, self.share_second)


def answer_code(notebook: Any) -> str:
    """The code a student wrote in a notebook: its answer cells and its own extra code cells, in order."""
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return ""
    parts = []
    for cell in notebook["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {})
        nbgrader = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
        if not isinstance(nbgrader, dict) or nbgrader.get("solution") or not nbgrader.get("grade_id"):
            source = cell.get("source", "")
            parts.append("".join(source) if isinstance(source, list) else str(source))
    return "\n\n".join(parts)


def common_limit(size: int) -> int:
    """Code shared by more submissions than this is common, and never counts towards a pair."""
    return min(10, max(2, math.ceil(0.1 * size)))


def similar_pairs(answers: list[Answer], stub: str) -> list[SimilarPair]:
    """The similar pairs among *answers*, most similar first (*stub*: the released answer cells)."""
    import numpy as np

    fingerprints = {a.student: _hashes(a.code) for a in answers if a.code.strip()}
    if len(fingerprints) < 2:
        return []
    discount = _hashes(stub)
    everything = np.concatenate(list(fingerprints.values()))
    values, counts = np.unique(everything, return_counts=True)
    common = values[counts > common_limit(len(fingerprints))]
    discount = np.union1d(discount, common)
    uncommon = {s: np.setdiff1d(h, discount, assume_unique=True) for s, h in fingerprints.items()}
    holders: dict[int, list[str]] = {}
    for student, hashes in uncommon.items():
        for value in hashes.tolist():
            holders.setdefault(value, []).append(student)
    shared: Counter[tuple[str, str]] = Counter()
    for names in holders.values():
        if len(names) > 1:
            for i, first in enumerate(names):
                for second in names[i + 1:]:
                    shared[(first, second) if first < second else (second, first)] += 1
    candidates = []
    for (first, second), count in shared.items():
        share_first, share_second = count / len(uncommon[first]), count / len(uncommon[second])
        if count >= MIN_SHARED and min(share_first, share_second) >= SHARE:
            candidates.append((min(share_first, share_second), count, first, second, share_first, share_second))
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
    code = {a.student: a.code for a in answers}
    pairs = []
    for _, count, first, second, share_first, share_second in candidates[:MAX_PAIRS]:
        marked_first, marked_second = _marked(code[first], code[second], uncommon[first], uncommon[second])
        pairs.append(SimilarPair(first=first, second=second, shared=count, share_first=share_first,
                                 share_second=share_second, marked_first=marked_first, marked_second=marked_second))
    return pairs


def _fingerprint(code: str) -> Any:
    _quiet_matplotlib()
    from copydetect import CodeFingerprint

    return CodeFingerprint("answer.py", K, 1, fp=io.StringIO(code), language="python")


def _hashes(code: str) -> Any:
    """The sorted, distinct k-gram hashes of *code*'s normalised form."""
    import numpy as np

    if not code.strip():
        return np.array([], dtype=np.int64)
    return np.array(sorted(_fingerprint(code).hashes), dtype=np.int64)


def _marked(first: str, second: str, keep_first: Any, keep_second: Any) -> tuple[str, str]:
    """Both answers as HTML, with the code that matches between them (uncommon code only) marked."""
    from copydetect import compare_files
    from copydetect.utils import highlight_overlap

    a, b = _fingerprint(first), _fingerprint(second)
    for fingerprint, keep in ((a, keep_first), (b, keep_second)):
        kept = set(keep.tolist())
        fingerprint.hashes = fingerprint.hashes & kept
        fingerprint.hash_idx = {h: i for h, i in fingerprint.hash_idx.items() if h in kept}
    _, _, (slices_a, slices_b) = compare_files(a, b)
    return (_highlight(highlight_overlap, first, slices_a), _highlight(highlight_overlap, second, slices_b))


def _highlight(highlight: Any, code: str, slices: Any) -> str:
    import html

    if getattr(slices, "ndim", 1) != 2 or slices.shape[1] == 0:
        return html.escape(code)
    marked, _ = highlight(code, slices, "<mark>", "</mark>", escape_html=True)
    return str(marked)


def _quiet_matplotlib() -> None:
    """copydetect imports pyplot: make sure it picks a backend that needs no display."""
    os.environ.setdefault("MPLBACKEND", "Agg")
