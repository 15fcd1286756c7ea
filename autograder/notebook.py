"""The check cell of an exercise notebook: ``check(1, globals())``.

A check cell's last expression is the :class:`~autograder.checks.TaskReport`
that :func:`check` returns: JupyterLab shows it as a table, and nbgrader reads its
plain-text form, the points earned, as the cell's partial credit.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .checks import HIDDEN_FILE, VISIBLE_FILE, TaskReport, check_task, load_suite
from .datafiles import DataFileError
from .layout import SOURCE, find_course_root

__all__ = ["CheckSetupError", "check"]


class CheckSetupError(Exception):
    """The checks themselves could not be loaded; nothing about the student's work."""


def check(task: int, namespace: Mapping[str, Any], *, hidden: bool = False, folder: Path | None = None) -> TaskReport:
    """Check task *task* of the exercise in *folder* (default: the notebook's folder).

    *namespace* is where the student's functions are (``globals()`` in a
    notebook). With *hidden*, the hidden cases from the course's nbgrader source
    run too; instructors' grading sets it, students never need to.
    """
    folder = Path.cwd() if folder is None else folder
    try:
        suite = load_suite(folder)
        if hidden:
            suite = load_suite(folder, hidden_file=_hidden_cases(folder, suite.exercise))
    except DataFileError as error:
        raise CheckSetupError(
            f"The checks for this notebook could not be loaded. {error}. Keep the notebook in its exercise "
            f"folder, next to {VISIBLE_FILE}, and ask your instructor if the problem stays."
        ) from None
    if task not in suite.tasks:
        raise CheckSetupError(f"This exercise has no task {task}; its tasks are {sorted(suite.tasks)}.")
    return check_task(suite, namespace, task, hidden_ran=hidden)


def _hidden_cases(folder: Path, exercise: str) -> Path:
    root = find_course_root(folder)
    path = (root or folder) / SOURCE / exercise / HIDDEN_FILE
    if root is None or not path.is_file():
        raise DataFileError(path, "the hidden cases were not found; grade from inside the course folder")
    return path
