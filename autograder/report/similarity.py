"""Pairs of submissions whose answer code is unusually alike, with the matching parts marked.

Fingerprints are copydetect's (a maintained tool made for this): the code is normalised the way
copydetect does it (names, strings, whitespace and comments set aside; see :func:`_normalise`),
and copydetect hashes every k-gram of what is left and finds the stretches two files share. Two things are discounted before any pair is compared: the released stub (its
signatures and docstrings are in everyone's notebook) and code that many submissions share
(more than :func:`common_limit` of them: a correct answer to a small function is often written
the same way by many people). What remains is each submission's *uncommon* code; a pair is
listed when each has at least :data:`SHARE` of its uncommon code in the other and they share at
least :data:`MIN_SHARED` k-grams. Such a pair is *similar*: evidence for a person to weigh, not
a finding that anyone copied.
"""

from __future__ import annotations

import builtins
import html
import importlib.util
import io
import keyword
import math
import multiprocessing
import os
import re
import sys
import tokenize
import types
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
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

    _quiet_matplotlib()
    import copydetect.utils  # noqa: F401  (imported once here, before any worker process is forked)

    docstrings = sorted(set(re.findall(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'', stub)), key=len, reverse=True)
    answers = [Answer(student=a.student, code=_shortened(a.code, docstrings)) for a in answers]
    stub = _shortened(stub, docstrings)
    fingerprints = _all_hashes([a for a in answers if a.code.strip()])
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


def _shortened(code: str, docstrings: list[str]) -> str:
    """*code* with the released docstrings written as \"\"\"…\"\"\" (they are stub, and long to tokenise and to read)."""
    for docstring in docstrings:
        code = code.replace(docstring, '"""…"""')
    return code


PARALLEL_FROM = 40
"""From this many answers on, they are fingerprinted in parallel, one process per core."""


def _all_hashes(answers: list[Answer]) -> dict[str, Any]:
    """Each answer's hashes (see :func:`_hashes`); identical code is fingerprinted once."""
    codes = sorted({a.code for a in answers})
    workers = min(os.cpu_count() or 1, 4)
    if len(codes) >= PARALLEL_FROM and workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            hashes = dict(zip(codes, pool.map(_hashes, codes, chunksize=8)))
    else:
        hashes = {code: _hashes(code) for code in codes}
    return {a.student: hashes[a.code] for a in answers}


@dataclass(frozen=True, kw_only=True)
class _Normalised:
    """Code with names, strings, comments and layout normalised away, and where each character came from."""

    text: str
    starts: list[int]
    """For each character of *text*, where the token it stands for starts in the original code."""
    ends: list[int]
    """… and where that token ends."""


def _normalise(code: str) -> _Normalised:
    """*code* as copydetect normalises it (each name ``V``, function names ``F``, class names ``O``,
    strings ``S``; comments and whitespace dropped; keywords, builtins, operators and numbers kept),
    with Python's own tokenizer, which is several times faster than the Pygments lexer copydetect
    uses. Code that Python cannot tokenise is normalised by copydetect itself."""
    lines = code.splitlines(keepends=True)
    line_starts = [0]
    for line in lines:
        line_starts.append(line_starts[-1] + len(line))
    text: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    previous = ""
    try:
        for kind, string, (row, col), (end_row, end_col), _ in tokenize.generate_tokens(io.StringIO(code).readline):
            if kind in _DROPPED:
                continue
            begin, finish = line_starts[row - 1] + col, line_starts[end_row - 1] + end_col
            if kind == tokenize.NAME and not keyword.iskeyword(string) and string not in _BUILTINS:
                piece = "F" if previous == "def" else "O" if previous == "class" else "V"
            elif kind == tokenize.STRING or kind in _FSTRING:
                if text and text[-1] == "S" and kind in _FSTRING:
                    continue
                piece = "S"
            else:
                piece = string
            previous = string
            text.append(piece)
            if len(piece) == 1:
                starts.append(begin)
                ends.append(finish)
            else:
                starts += range(begin, begin + len(piece))
                ends += range(begin + 1, begin + len(piece) + 1)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _normalise_with_copydetect(code)
    return _Normalised(text="".join(text), starts=starts, ends=ends)


def _normalise_with_copydetect(code: str) -> _Normalised:
    _quiet_matplotlib()
    from copydetect.utils import filter_code

    text, _ = filter_code(code, "answer.py", "python")
    # copydetect's offsets are approximate; for code Python cannot read, mark whole lines instead
    scale = len(code) / max(len(text), 1)
    starts = [min(int(i * scale), len(code)) for i in range(len(text))]
    return _Normalised(text=text, starts=starts, ends=[min(s + max(int(scale), 1), len(code)) for s in starts])


_DROPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING,
            tokenize.ENDMARKER}
_FSTRING = {getattr(tokenize, name) for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, name)}
_BUILTINS = frozenset(dir(builtins))


def _fingerprints(normalised: _Normalised) -> tuple[set[int], dict[int, list[int]]]:
    """copydetect's fingerprints of normalised code: its k-gram hashes, and where each one occurs."""
    _quiet_matplotlib()
    from copydetect.utils import get_document_fingerprints

    if len(normalised.text) < K:
        return set(), {}
    hashes, where = get_document_fingerprints(normalised.text, K, 1)
    return {int(h) for h in hashes}, {int(h): list(map(int, i)) for h, i in where.items()}


def _hashes(code: str) -> Any:
    """The sorted, distinct k-gram hashes of *code*'s normalised form."""
    import numpy as np

    if not code.strip():
        return np.array([], dtype=np.int64)
    hashes, _ = _fingerprints(_normalise(code))
    return np.array(sorted(hashes), dtype=np.int64)


def _marked(first: str, second: str, keep_first: Any, keep_second: Any) -> tuple[str, str]:
    """Both answers as HTML, with the code that matches between them (uncommon code only) marked."""
    _quiet_matplotlib()
    from copydetect.utils import find_fingerprint_overlap, get_copied_slices

    a, b = _normalise(first), _normalise(second)
    (hashes_a, where_a), (hashes_b, where_b) = _fingerprints(a), _fingerprints(b)
    kept_a, kept_b = hashes_a & set(keep_first.tolist()), hashes_b & set(keep_second.tolist())
    overlap_a, overlap_b = find_fingerprint_overlap(kept_a, kept_b, where_a, where_b)
    return (_highlight(first, a, get_copied_slices(overlap_a, K)),
            _highlight(second, b, get_copied_slices(overlap_b, K)))


def _highlight(code: str, normalised: _Normalised, slices: Any) -> str:
    """*code* as HTML with each matching stretch (slices of the normalised text) in a <mark>."""
    spans: list[tuple[int, int]] = []
    for start, end in zip(slices[0].tolist(), slices[1].tolist()):
        if end > start:
            spans.append((normalised.starts[int(start)], normalised.ends[int(end) - 1]))
    out, position = [], 0
    for start, end in sorted(spans):
        start = max(start, position)
        if end <= start:
            continue
        out += [html.escape(code[position:start]), "<mark>", html.escape(code[start:end]), "</mark>"]
        position = end
    out.append(html.escape(code[position:]))
    return "".join(out)


def _quiet_matplotlib() -> None:
    """Make ``copydetect.utils`` importable without copydetect's report machinery.

    The package's ``__init__`` imports its HTML report (matplotlib's pyplot, jinja2, tqdm), a
    second or more of start-up that the fingerprints do not need: its modules are found from
    the package's folder without running ``__init__``. Should copydetect be imported in full
    anyway, pyplot gets a backend that needs no display.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    if "copydetect" in sys.modules:
        return
    spec = importlib.util.find_spec("copydetect")
    if spec is None or not spec.submodule_search_locations:
        return  # not installed: the import that follows says so
    package = types.ModuleType("copydetect")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["copydetect"] = package
