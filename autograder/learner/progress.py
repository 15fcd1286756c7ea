"""``course progress``: lessons and exercises in course order, read from the learner's own notebooks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..datafiles import DataFileError
from ..layout import MANIFEST, RELEASE
from ..manifest import Exercise, Lesson, load_manifest
from ..nbgrader_bridge.cells import is_untouched, read_notebook, solution_cells
from ..selfcheck import check_notebook

__all__ = ["Step", "course_progress", "render_progress"]

BAR = 30


@dataclass(frozen=True, kw_only=True)
class Step:
    kind: str  # "Lesson" or "Exercise"
    number: str
    title: str
    status: str  # "not started", "started", "complete"
    detail: str = ""
    minutes: int | None = None  # as course.yaml states them


def course_progress(root: Path) -> list[Step]:
    """Every lesson, each followed by the exercises that assess it, with its status."""
    manifest = load_manifest(root / MANIFEST)
    steps = []
    for lesson in manifest.lessons:
        steps.append(_lesson_step(root, lesson))
        steps += [_exercise_step(root, e) for e in manifest.exercises if e.assesses == lesson.id]
    return steps


def render_progress(title: str, steps: list[Step]) -> str:
    width = max(len(s.title) for s in steps)
    lines = [f"{title}: your progress", ""]
    for step in steps:
        detail = f": {step.detail}" if step.detail else ""
        lines.append(f"  {step.kind:<8} {step.number}  {step.title:<{width}}  {step.status}{detail}")
    done = sum(step.status == "complete" for step in steps)
    filled = round(BAR * done / len(steps))
    lines += ["", f"  [{'█' * filled}{'░' * (BAR - filled)}] {done} of {len(steps)} done ({100 * done // len(steps)}%)"]
    left = sum(step.minutes or 0 for step in steps if step.status != "complete")
    total = sum(step.minutes or 0 for step in steps)
    if total:
        lines.append(f"  Time left: about {_hours(left)} of {_hours(total)} "
                     "(the stated minutes of every step not yet complete)")
    return "\n".join(lines)


def _hours(minutes: int) -> str:
    """Minutes as "3 h 05 min" (or "40 min" under an hour)."""
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _lesson_step(root: Path, lesson: Lesson) -> Step:
    return replace(_lesson_status(root, lesson), minutes=lesson.teaching_minutes + lesson.practice_minutes)


def _exercise_step(root: Path, exercise: Exercise) -> Step:
    return replace(_exercise_status(root, exercise), minutes=exercise.minutes)


def _lesson_status(root: Path, lesson: Lesson) -> Step:
    number = lesson.id.split("-", 1)[0]
    try:
        cells = [c for c in read_notebook(root / lesson.file)["cells"] if c.get("cell_type") == "code"]
    except DataFileError as error:
        return Step(kind="Lesson", number=number, title=lesson.title, status="not readable", detail=error.message)
    ran = sum(1 for c in cells if c.get("execution_count"))
    if ran == 0:
        return Step(kind="Lesson", number=number, title=lesson.title, status="not started")
    if ran < len(cells):
        return Step(kind="Lesson", number=number, title=lesson.title, status="started",
                    detail=f"{ran} of {len(cells)} code cells run")
    return Step(kind="Lesson", number=number, title=lesson.title, status="complete")


def _exercise_status(root: Path, exercise: Exercise) -> Step:
    number = exercise.folder.split("-", 1)[0]
    path = root / RELEASE / exercise.folder / exercise.notebook
    try:
        answers = solution_cells(read_notebook(path))
    except DataFileError as error:
        return Step(kind="Exercise", number=number, title=exercise.title, status="not readable", detail=error.message)
    if all(is_untouched(cell) for cell in answers.values()):
        return Step(kind="Exercise", number=number, title=exercise.title, status="not started")
    report = check_notebook(path, root=root)
    written_missing = [gid for gid, cell in answers.items() if cell.get("cell_type") == "markdown" and is_untouched(cell)]
    score = f"{report.earned:g} of {report.possible:g} visible points"
    if all(task.complete for task in report.tasks) and not written_missing:
        return Step(kind="Exercise", number=number, title=exercise.title, status="complete", detail=score)
    more = "; written answer still to do" if written_missing else ""
    return Step(kind="Exercise", number=number, title=exercise.title, status="started", detail=score + more)
