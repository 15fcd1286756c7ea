"""``course compare EXERCISE``: the learner's answers beside the reference solution, task by task.

Everything is shown in full, wrapped to the terminal's width, never cut: the learner's code beside
the reference code (or one above the other in a narrow terminal), and for a written task the
learner's answer, then the model answer and the rubric.
"""

from __future__ import annotations

import difflib
import shutil
import textwrap
from itertools import zip_longest
from pathlib import Path
from typing import Any

from ..checks.report import plain
from ..datafiles import DataFileError
from ..layout import MANIFEST, SOURCE
from ..manifest import load_manifest
from ..nbgrader_bridge.cells import is_untouched, read_notebook, solution_cells, task_of
from ..selfcheck import check_notebook
from .workspace import working_notebook

__all__ = ["compare"]

_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
NARROW = 36
"""Below this many characters a column is too narrow to read code in: the two are shown one above the other."""


def compare(root: Path, name: str, *, width: int | None = None, task: int | None = None) -> str:
    """Each answer cell of exercise *name* (or of task *task* only): the learner's beside the reference.

    *width* is the terminal's width (by default, asked of the terminal). Returns the text to print.
    """
    exercise = load_manifest(root / MANIFEST).exercise(name)
    yours_path = working_notebook(root, exercise.folder, exercise.notebook)
    reference_path = root / SOURCE / exercise.folder / exercise.notebook
    if not reference_path.is_file():
        raise DataFileError(reference_path, "the reference solution is not here; compare needs the whole course")
    yours = solution_cells(read_notebook(yours_path))
    reference = solution_cells(read_notebook(reference_path))
    tasks = sorted({t for t in (task_of(g) for g in reference) if t is not None})
    if task is not None and task not in tasks:
        raise DataFileError(reference_path, f"{name} has no task {task}; its tasks are {', '.join(map(str, tasks))}")
    width = max(width or shutil.get_terminal_size((100, 40)).columns, 40)
    column = (width - 3) // 2
    scores = {t.task.number: t for t in check_notebook(yours_path, root=root, with_hidden=True).tasks}
    lines = textwrap.wrap(f"{exercise.folder}: your answers ({yours_path.relative_to(root)}) beside the reference "
                          "solution. Different code can be just as right: the scores say how yours does.", width)
    if column >= NARROW:
        lines += textwrap.wrap("Yours is on the left, the reference on the right; ≠ marks lines that differ, "
                               "and ↪ continues a long line.", width)
    for grade_id, cell in reference.items():
        number = task_of(grade_id)
        if task is not None and number != task:
            continue
        score = scores.get(number) if number is not None else None
        heading = f"Task {number if number is not None else '?'}"
        written = cell.get("cell_type") == "markdown"
        if score is not None:
            heading += (f" · {score.task.function}: your code earns {score.earned:g} of {score.possible:g} points, "
                        "hidden checks included")
        elif written:
            heading += " · written answer: yours, then the model answer and the rubric"
        lines += [""] + textwrap.wrap(heading, width) + ["─" * min(len(heading), width)]
        mine_cell = yours.get(grade_id, {})
        if written:
            lines += _written(mine_cell, cell, width)
            continue
        mine = _text(mine_cell).splitlines()
        theirs = [line for line in _text(cell).splitlines() if line.strip() not in _MARKERS]
        lines += _side_by_side(mine, theirs, column) if column >= NARROW else _one_above_the_other(mine, theirs, width)
    return "\n".join(lines)


def _text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _wrap_code(line: str, width: int) -> list[str]:
    """A line of code in pieces of at most *width* characters; every piece after the first starts with ↪."""
    line = line.replace("\t", "    ").rstrip()
    pieces, rest, room = [], line, width
    while len(rest) > room:
        cut = rest.rfind(" ", room // 2, room + 1)  # at a space where there is one, else mid-word
        cut = cut if cut > 0 else room
        pieces.append(rest[:cut])
        rest, room = "↪ " + rest[cut:].lstrip(" "), width
    return pieces + [rest]


def _side_by_side(left: list[str], right: list[str], column: int) -> list[str]:
    rows = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        mark = "│" if op == "equal" else "≠"
        for a, b in zip_longest(left[a1:a2], right[b1:b2], fillvalue=""):
            for piece_a, piece_b in zip_longest(_wrap_code(a, column), _wrap_code(b, column), fillvalue=""):
                rows.append(f"{piece_a:<{column}} {mark} {piece_b}".rstrip())
    return rows


def _one_above_the_other(left: list[str], right: list[str], width: int) -> list[str]:
    rows = ["Yours:"]
    rows += [piece for line in left or ["(empty)"] for piece in _wrap_code("  " + line, width)]
    rows += ["Reference:"]
    rows += [piece for line in right for piece in _wrap_code("  " + line, width)]
    return rows


def _prose(text: str, width: int) -> list[str]:
    """Markdown prose, wrapped to *width* with its paragraphs and list items kept."""
    rows = []
    for paragraph in plain(text).replace("**", "").splitlines():
        stripped = paragraph.lstrip()
        hanging = " " * (len(paragraph) - len(stripped) + (2 if stripped[:2] in {"- ", "* "} else 0))
        rows += textwrap.wrap(paragraph, width, initial_indent="  ", subsequent_indent="  " + hanging,
                              break_on_hyphens=False) or [""]
    return rows


def _written(mine: dict[str, Any], reference: dict[str, Any], width: int) -> list[str]:
    answer = _text(mine)
    rows = ["Your answer:"]
    if not mine or is_untouched(mine):
        rows.append("  (not written yet)")
    else:
        rows += _prose(answer, width)
    rows += ["", "Model answer and rubric:"]
    rows += _prose(_text(reference), width)
    return rows
