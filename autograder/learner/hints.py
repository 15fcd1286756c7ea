"""``course hint EXERCISE TASK``: one more hint each time, gentlest first."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

from ..checks import load_suite
from ..checks.report import plain
from ..datafiles import DataFileError
from ..layout import MANIFEST, RELEASE
from ..manifest import load_manifest
from ..nbgrader_bridge.cells import read_notebook, task_of
from .state import load_state, save_state

__all__ = ["next_hint", "written_task"]


def next_hint(root: Path, exercise: str, task: int, *, again: bool = False) -> str:
    """The text for the next hint of *task*, and a record that it was shown.

    With *again*, starts over from the first hint.
    """
    found = load_manifest(root / MANIFEST).exercise(exercise)
    folder = root / RELEASE / found.folder
    suite = load_suite(folder)
    if task not in suite.tasks:
        question = written_task(folder / found.notebook, task)
        if question is not None:
            return _written(exercise, task, question)
        raise DataFileError(folder / "cases.yaml", f"{exercise} has no task {task}; its checked tasks are "
                            f"{', '.join(str(t) for t in sorted(suite.tasks))}")
    info = suite.tasks[task]
    state = load_state(root)
    seen = state.setdefault("hints", {}).setdefault(exercise, {})
    shown = 0 if again else int(seen.get(str(task), 0))
    total = len(info.hints)
    heading = f"{exercise}, task {task} ({info.function})"
    if shown >= total:
        lines = [f"You have seen all {total} hints for {heading}:"]
        lines += [f"  {n}. {hint}" for n, hint in enumerate(info.hints, start=1)]
        lines.append(f"Stuck still? Compare with the reference: course compare {exercise}")
        return "\n".join(lines)
    seen[str(task)] = shown + 1
    save_state(root, state)
    lines = [f"Hint {shown + 1} of {total} for {heading}:", f"  {info.hints[shown]}"]
    if shown + 1 < total:
        lines.append(f"Run `course hint {exercise} {task}` again for a more specific hint.")
    else:
        lines.append("That was the most specific hint.")
    return "\n".join(lines)


def written_task(notebook: Path, task: int) -> str | None:
    """The text of written task *task* in *notebook* (its instructions, as Markdown), or None when
    *task* is not a written answer there."""
    try:
        cells = read_notebook(notebook)["cells"]
    except DataFileError:
        return None
    answer = next((i for i, c in enumerate(cells) if c.get("cell_type") == "markdown"
                   and c.get("metadata", {}).get("nbgrader", {}).get("solution")
                   and task_of(str(c["metadata"]["nbgrader"].get("grade_id", ""))) == task), None)
    if answer is None:
        return None
    parts = []
    for cell in cells[:answer]:
        grade_id = str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))
        if cell.get("cell_type") == "markdown" and task_of(grade_id) == task:
            source = cell.get("source", "")
            parts.append("".join(source) if isinstance(source, list) else str(source))
    return "\n\n".join(parts).strip()


def _written(exercise: str, task: int, question: str) -> str:
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    lines = textwrap.wrap(f"{exercise}, task {task} is a written answer, marked by your instructor: it has no "
                          "checks, so there are no hints to reveal. What it asks:", width) + [""]
    for paragraph in plain(question).split("\n"):
        text = re.sub(r"^#+\s*", "", paragraph).replace("**", "")
        hanging = "     " if re.match(r"^\s*(\d+\.|-)", text) else "  "
        lines += textwrap.wrap(text, width, initial_indent="  ", subsequent_indent=hanging) or [""]
    lines += [""] + textwrap.wrap("Write your answer in the cell below the question, in your own words. Then "
                                  "compare it with the model answer and the rubric:", width)
    lines.append(f"  course compare {exercise} --task {task}")
    return "\n".join(lines)
