"""Estimate how long a lesson or an exercise takes a learner, from what is in its notebook.

The estimate is a sum of measured parts, each at a fixed rate (the constants below):

- prose: the words of the markdown cells, read carefully at ``READING_WPM`` words a minute;
- code cells a learner runs and reads: ``CODE_CELL_MINUTES`` each;
- practice: every revealable answer (a ``<details>`` block) stands for one practice item that the
  learner tries before revealing it, ``PRACTICE_MINUTES`` each;
- graded tasks (exercises): ``TASK_MINUTES`` each, plus the words of its docstrings read as a
  specification at ``SPEC_WPM``, plus ``CASE_MINUTES`` for each visible check to read and act on;
- written answers (exercises): ``WRITTEN_MINUTES`` each.

``course.yaml`` states minutes for every lesson and exercise; a test keeps them within 25% of this
estimate. Run ``python -m autograder.manifest.estimate`` for the table.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks.cases import VISIBLE_FILE, load_suite
from ..layout import MANIFEST, SOURCE
from ..nbgrader_bridge.cells import read_notebook
from .load import load_manifest
from .model import Exercise, Lesson

__all__ = ["Estimate", "estimate_exercise", "estimate_lesson", "main", "TOLERANCE"]

READING_WPM = 100
CODE_CELL_MINUTES = 1.5
PRACTICE_MINUTES = 7
TASK_MINUTES = 12
SPEC_WPM = 20
CASE_MINUTES = 1.0
WRITTEN_MINUTES = 15
TOLERANCE = 0.25
"""How far stated minutes may be from the estimate, as a share of the estimate."""


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """Estimated minutes of one notebook, split the way ``course.yaml`` states them."""

    teaching: float
    practice: float

    @property
    def total(self) -> float:
        return self.teaching + self.practice


def _words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def estimate_lesson(path: Path) -> Estimate:
    """Teaching and practice minutes of the lesson notebook at *path*.

    Teaching is the reading and the code cells before the "## Practice" heading (and after "## Key
    points"); practice is every revealable answer's item, wherever it is, and the reading and code
    cells of the Practice section.
    """
    teaching = practice = 0.0
    in_practice = False
    for cell in read_notebook(path)["cells"]:
        text = _source(cell)
        if cell.get("cell_type") == "markdown":
            if re.search(r"(?m)^## Practice\b", text):
                in_practice = True
            elif re.search(r"(?m)^## (?:Key points|Sources)\b", text):
                in_practice = False
            reading = _words(text) / READING_WPM
            items = text.count("<details>") * PRACTICE_MINUTES
            if in_practice:
                practice += reading + items
            else:
                teaching += reading
                practice += items
        elif cell.get("cell_type") == "code" and text.strip():
            if in_practice:
                practice += CODE_CELL_MINUTES
            else:
                teaching += CODE_CELL_MINUTES
    return Estimate(teaching=teaching, practice=practice)


def estimate_exercise(root: Path, exercise: Exercise) -> Estimate:
    """Minutes of an exercise, from its source notebook and its visible cases.

    Reading the instructions is ``teaching``; the graded and written tasks are ``practice``.
    """
    folder = root / SOURCE / exercise.folder
    reading = work = 0.0
    for cell in read_notebook(folder / exercise.notebook)["cells"]:
        text = _source(cell)
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "markdown":
            if meta.get("solution"):
                work += WRITTEN_MINUTES          # a written answer: the model answer is not read
            else:
                reading += _words(text) / READING_WPM
        elif meta.get("solution"):
            docstrings = _docstring_words(text)
            if docstrings:
                work += TASK_MINUTES + docstrings / SPEC_WPM
    if (folder / VISIBLE_FILE).is_file():
        work += CASE_MINUTES * len(load_suite(folder).cases)
    return Estimate(teaching=reading, practice=work)


def _docstring_words(code: str) -> int:
    """The words of every docstring of the functions and classes in *code* (0 if it does not parse)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return 0
    total = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            total += _words(ast.get_docstring(node) or "")
    return total


def stated(item: Lesson | Exercise) -> int | None:
    """The minutes ``course.yaml`` states for a lesson (teaching and practice) or an exercise."""
    if isinstance(item, Lesson):
        return item.teaching_minutes + item.practice_minutes
    return item.minutes


def main(argv: list[str] | None = None) -> int:
    """Print every lesson's and exercise's stated and estimated minutes; 1 if any is more than 25% off."""
    root = Path(argv[0] if argv else ".").resolve()
    manifest = load_manifest(root / MANIFEST)
    rows: list[tuple[str, int | None, Estimate]] = []
    rows += [(lesson.id, stated(lesson), estimate_lesson(root / lesson.file)) for lesson in manifest.lessons]
    rows += [(f"exercise {e.folder}", stated(e), estimate_exercise(root, e)) for e in manifest.exercises]
    off = 0
    print(f"{'':28} {'stated':>7} {'estimate':>9} {'teaching':>9} {'practice':>9}")
    for name, minutes, estimate in rows:
        bad = minutes is None or abs(minutes - estimate.total) > TOLERANCE * estimate.total
        off += bad
        shown = "-" if minutes is None else str(minutes)
        print(f"{name:28} {shown:>7} {estimate.total:9.0f} {estimate.teaching:9.0f} {estimate.practice:9.0f}"
              f"{'   <- more than 25% off' if bad else ''}")
    total = sum(minutes or 0 for _, minutes, _ in rows)
    print(f"stated in all: {total} minutes ({total / 60:.1f} hours); "
          f"estimated: {sum(e.total for _, _, e in rows) / 60:.1f} hours")
    return 1 if off else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
