"""Check ``course.yaml`` against the files of the course."""

from __future__ import annotations

from pathlib import Path

from ..checks import HIDDEN_FILE, VISIBLE_FILE, load_suite
from ..datafiles import DataFileError
from ..layout import MANIFEST, RELEASE, SOURCE
from ..nbgrader_bridge.cells import grade_cells
from .load import load_manifest
from .model import Exercise, Manifest

__all__ = ["validate_course"]


def validate_course(root: Path) -> list[DataFileError]:
    """Every problem found in the course at *root*; an empty list means the course is sound.

    Reads the manifest, then checks that each lesson, exercise notebook, release
    and case file exists, that each exercise assesses a listed lesson, and that
    the points agree: manifest = notebook's graded cells, and each check cell =
    its task's points = the points of the task's visible and hidden cases.
    """
    path = root / MANIFEST
    try:
        manifest = load_manifest(path)
    except DataFileError as error:
        return [error]
    problems: list[DataFileError] = []
    if manifest.case_study and not (root / manifest.case_study).is_file():
        problems.append(DataFileError(path, f"case_study: the file {manifest.case_study} does not exist", line=None))
    for lesson in manifest.lessons:
        if not (root / lesson.file).is_file():
            problems.append(DataFileError(path, f"lessons: the file {lesson.file} does not exist", line=lesson.line))
    lesson_ids = {lesson.id for lesson in manifest.lessons}
    for exercise in manifest.exercises:
        if exercise.assesses not in lesson_ids:
            problems.append(
                DataFileError(
                    path,
                    f"exercises: {exercise.folder} assesses {exercise.assesses!r}, which is not a lesson; "
                    f"expected one of: {', '.join(sorted(lesson_ids))}",
                    line=exercise.line,
                )
            )
        problems += _exercise_problems(manifest, exercise)
    return problems


def _exercise_problems(manifest: Manifest, exercise: Exercise) -> list[DataFileError]:
    root, path = manifest.root, manifest.path
    source = root / SOURCE / exercise.folder
    notebook = source / exercise.notebook
    if not notebook.is_file():
        return [DataFileError(path, f"exercises: the notebook {SOURCE}/{exercise.folder}/{exercise.notebook} "
                              "does not exist", line=exercise.line)]
    problems = []
    release = root / RELEASE / exercise.folder / exercise.notebook
    if not release.is_file():
        problems.append(DataFileError(path, f"exercises: {RELEASE}/{exercise.folder}/{exercise.notebook} does not "
                                      "exist; run `course release` to make it", line=exercise.line))
    try:
        cells = grade_cells(notebook)
        suite = load_suite(source, hidden_file=source / HIDDEN_FILE)
    except DataFileError as error:
        return problems + [error]
    total = sum(cell.points for cell in cells)
    if total != exercise.points:
        problems.append(DataFileError(path, f"exercises: {exercise.folder} has points: {exercise.points:g}, but the "
                                      f"graded cells of {exercise.notebook} add up to {total:g}", line=exercise.line))
    if suite.exercise != exercise.folder:
        problems.append(DataFileError(source / VISIBLE_FILE, f"exercise is {suite.exercise!r}; expected "
                                      f"{exercise.folder!r}, the name of its folder", line=None))
    checks = {cell.task: cell for cell in cells if cell.auto and cell.task is not None}
    for number, task in suite.tasks.items():
        cases = suite.points_for(number)
        if cases != task.points:
            problems.append(DataFileError(source / VISIBLE_FILE, f"task {number} is worth {task.points:g} points, "
                                          f"but its visible and hidden cases add up to {cases:g}"))
        cell = checks.get(number)
        if cell is None:
            problems.append(DataFileError(notebook, f"task {number} has cases but no check cell with the grade id "
                                          f"'task{number}-check'"))
        elif cell.points != task.points:
            problems.append(DataFileError(notebook, f"the check cell {cell.grade_id} is worth {cell.points:g} points, "
                                          f"but task {number} in {VISIBLE_FILE} is worth {task.points:g}"))
    for number, cell in checks.items():
        if number not in suite.tasks:
            problems.append(DataFileError(notebook, f"the check cell {cell.grade_id} has no task {number} in "
                                          f"{VISIBLE_FILE}"))
    return problems
