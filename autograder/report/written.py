"""Written answers for marking: each student's answer beside the model answer and rubric, and the
state of manual grading in nbgrader's gradebook (read only: the report never writes to it)."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..grading.submissions import SUBMITTED
from ..nbgrader_bridge.cells import task_of

__all__ = ["Marking", "WrittenAnswer", "WrittenTask", "marking_state", "written_answers", "written_tasks"]

UNANSWERED = {"", "YOUR ANSWER HERE"}
GRADEBOOK = "gradebook.db"


@dataclass(frozen=True, kw_only=True)
class WrittenTask:
    """A manually graded answer cell: its question, model answer and rubric (from the source notebook)."""

    grade_id: str
    task: int | None
    points: float
    question: str
    model_answer: str
    rubric: str


@dataclass(frozen=True, kw_only=True)
class WrittenAnswer:
    student: str
    grade_id: str
    text: str

    @property
    def answered(self) -> bool:
        return self.text.strip() not in UNANSWERED

    def repeats(self, task: WrittenTask) -> bool:
        """Whether the answer contains the model answer word for word (the solutions may have got out)."""
        model = " ".join(task.model_answer.split())
        return bool(model) and model in " ".join(self.text.split())


@dataclass(kw_only=True)
class Marking:
    """Manual grading in the gradebook: by (student, grade id), the mark given, or None while it is still to mark."""

    marks: dict[tuple[str, str], float | None] = field(default_factory=dict)
    note: str = ""
    """Why the state is unknown ("" when the gradebook was read)."""

    def to_mark(self, grade_ids: set[str]) -> list[tuple[str, str]]:
        return sorted(key for key, mark in self.marks.items() if mark is None and key[1] in grade_ids)


def _text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _meta(cell: Any) -> dict[str, Any]:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    nbgrader = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return nbgrader if isinstance(nbgrader, dict) else {}


def written_tasks(source_notebook: Path) -> list[WrittenTask]:
    """The written tasks of an exercise, read from its source notebook (with model answers and rubrics)."""
    try:
        cells = json.loads(source_notebook.read_text("utf-8")).get("cells", [])
    except (OSError, ValueError):
        return []
    found = []
    for index, cell in enumerate(cells):
        meta = _meta(cell)
        if cell.get("cell_type") == "markdown" and meta.get("grade") and meta.get("solution"):
            question = _text(cells[index - 1]) if index and cells[index - 1].get("cell_type") == "markdown" else ""
            model, rubric = _split_rubric(_text(cell))
            grade_id = str(meta.get("grade_id", ""))
            found.append(WrittenTask(grade_id=grade_id, task=task_of(grade_id), points=float(meta.get("points", 0)),
                                     question=question.strip(), model_answer=model, rubric=rubric))
    return found


def _split_rubric(text: str) -> tuple[str, str]:
    match = re.search(r"^\s*\*\*Rubric\b", text, flags=re.MULTILINE)
    model = text[: match.start()] if match else text
    rubric = text[match.start():] if match else ""
    model = re.sub(r"^\s*\*\*Model answer\.?\*\*\s*", "", model.strip())
    return model.strip(), rubric.strip()


def written_answers(root: Path, exercise: str, notebook: str, tasks: list[WrittenTask],
                    students: list[str]) -> list[WrittenAnswer]:
    """Each student's text for each written task, read from their submitted notebook ("" if it cannot be read)."""
    ids = {t.grade_id for t in tasks}
    answers = []
    for student in students:
        path = root / SUBMITTED / student / exercise / notebook
        try:
            cells = json.loads(path.read_text("utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError, RecursionError):
            cells = []
        found = {str(_meta(c).get("grade_id")): _text(c) for c in cells if isinstance(c, dict)
                 and str(_meta(c).get("grade_id")) in ids}
        answers += [WrittenAnswer(student=student, grade_id=t.grade_id, text=found.get(t.grade_id, ""))
                    for t in tasks]
    return answers


MARKS_QUERY = """
SELECT submitted_assignment.student_id, base_cell.name, grade.manual_score, grade.auto_score, grade.needs_manual_grade
FROM grade
JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id
JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id
JOIN assignment ON submitted_assignment.assignment_id = assignment.id
JOIN base_cell ON grade.cell_id = base_cell.id
WHERE assignment.name = ?
"""
"""The manual marks of one exercise, in nbgrader's gradebook schema (nbgrader 0.9)."""


def marking_state(root: Path, exercise: str, grade_ids: set[str]) -> Marking:
    """The manual marks of *exercise*'s written answers, read from nbgrader's gradebook without changing it.

    The gradebook is opened read-only with sqlite itself (importing nbgrader's API would cost
    seconds and opens the database for writing); a mark counts as given once formgrader has set a
    manual score or cleared "needs manual grade".
    """
    import sqlite3
    import urllib.parse

    database = root / GRADEBOOK
    if not grade_ids:
        return Marking()
    if not database.is_file():
        return Marking(note=f"There is no {GRADEBOOK} yet, so the state of manual grading is unknown; "
                            f"`course grade {exercise}` records the class in it.")
    marking = Marking()
    try:
        uri = f"file:{urllib.parse.quote(str(database.resolve()))}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as connection:
            known = connection.execute("SELECT COUNT(*) FROM assignment WHERE name = ?", (exercise,)).fetchone()[0]
            if not known:
                return Marking(note=f"{exercise} is not in {GRADEBOOK} yet, so the state of manual grading is "
                                    f"unknown; `course grade {exercise}` records it.")
            for student, name, manual, auto, needs in connection.execute(MARKS_QUERY, (exercise,)):
                if name in grade_ids:
                    done = manual is not None or not needs
                    score = manual if manual is not None else auto
                    marking.marks[(str(student), str(name))] = float(score or 0) if done else None
    except sqlite3.Error as error:  # a locked, damaged or differently shaped database: say so, report the rest
        return Marking(note=f"{GRADEBOOK} could not be read ({error}), so the state of manual grading is unknown.")
    return marking


def rubric_sheet(root: Path, exercise: str, *, student: str | None = None) -> str:
    """Each written task of *exercise* as text: the question, model answer and rubric, then each
    graded student's answer (or only *student*'s) with whether it is marked yet in the gradebook."""
    from ..layout import MANIFEST, SOURCE
    from ..manifest import load_manifest
    from .load import load_class

    info = load_manifest(root / MANIFEST).exercise(exercise)
    tasks = written_tasks(root / SOURCE / exercise / info.notebook)
    if not tasks:
        return f"{exercise} has no written answers to mark."
    loaded = load_class(root, exercise, info.notebook)
    students = sorted({r.student for r in loaded.results} | set(loaded.submitted))
    if student is not None:
        if student not in students:
            return f"{exercise}: there is no submission by {student!r} (there are {len(students)} submissions)."
        students = [student]
    answers = {(a.student, a.grade_id): a for a in written_answers(root, exercise, info.notebook, tasks, students)}
    marking = marking_state(root, exercise, {t.grade_id for t in tasks})
    rule = "─" * 72
    lines = [f"Written answers of {exercise} · {info.title}"]
    if marking.note:
        lines.append(marking.note)
    for task in tasks:
        lines += [rule, f"{task.grade_id} ({task.points:g} points)", "", task.question, "", "Model answer:",
                  task.model_answer, "", task.rubric]
        for name in students:
            answer = answers.get((name, task.grade_id))
            mark = marking.marks.get((name, task.grade_id), "unknown")
            state = ("not answered" if answer is None or not answer.answered else "to mark" if mark is None
                     else "state unknown" if mark == "unknown" else f"marked {float(mark):g} of {task.points:g}")
            if answer is not None and answer.repeats(task):
                state += "; it contains the model answer word for word"
            lines += ["", f"── {name} ({state})"]
            if answer is not None and answer.answered:
                lines.append(answer.text.strip())
    return "\n".join(lines)
