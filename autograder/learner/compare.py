"""``course compare EXERCISE``: the learner's answers beside the reference solution, task by task."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path
from typing import Any

from ..datafiles import DataFileError
from ..layout import MANIFEST, RELEASE, SOURCE
from ..manifest import load_manifest
from ..nbgrader_bridge.cells import read_notebook, solution_cells, task_of
from ..selfcheck import check_notebook

__all__ = ["compare"]

_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def compare(root: Path, name: str, *, width: int | None = None) -> str:
    """A side-by-side view of each answer cell: yours on the left, the reference on the right."""
    exercise = load_manifest(root / MANIFEST).exercise(name)
    yours_path = root / RELEASE / exercise.folder / exercise.notebook
    reference_path = root / SOURCE / exercise.folder / exercise.notebook
    if not reference_path.is_file():
        raise DataFileError(reference_path, "the reference solution is not here; compare needs the whole course")
    yours = solution_cells(read_notebook(yours_path))
    reference = solution_cells(read_notebook(reference_path))
    scores = {t.task.number: t for t in check_notebook(yours_path, root=root, with_hidden=True).tasks}
    column = max(((width or shutil.get_terminal_size((160, 40)).columns) - 5) // 2, 30)
    lines = [f"{exercise.folder}: your answers (left) beside the reference solution (right)."]
    lines.append("Lines marked ≠ differ. Different code can be just as right: the scores say how yours does.")
    for grade_id, cell in reference.items():
        task = task_of(grade_id)
        score = scores.get(task) if task is not None else None
        heading = f"Task {task if task is not None else '?'}"
        if score is not None:
            heading += f" · {score.task.function}: your code earns {score.earned:g} of {score.possible:g} points, hidden checks included"
        elif cell.get("cell_type") == "markdown":
            heading += " · written answer (the reference shows a model answer and the rubric)"
        lines += ["", heading, "─" * min(len(heading), 2 * column + 3)]
        mine = _text(yours.get(grade_id, {})).splitlines()
        theirs = [line for line in _text(cell).splitlines() if line.strip() not in _MARKERS]
        lines += _side_by_side(mine, theirs, column)
    return "\n".join(lines)


def _text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _side_by_side(left: list[str], right: list[str], column: int) -> list[str]:
    rows = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        pairs = list(zip(left[a1:a2], right[b1:b2]))
        extra = max(a2 - a1, b2 - b1) - len(pairs)
        pairs += [(left[a1 + len(pairs) + i] if a1 + len(pairs) + i < a2 else "",
                   right[b1 + len(pairs) + i] if b1 + len(pairs) + i < b2 else "") for i in range(extra)]
        mark = "│" if op == "equal" else "≠"
        rows += [f"{_fit(a, column)} {mark} {_fit(b, column)}".rstrip() for a, b in pairs]
    return rows


def _fit(text: str, column: int) -> str:
    text = text.replace("\t", "    ")
    return text[: column - 1] + "…" if len(text) > column else text.ljust(column)
