"""The check cell of an exercise notebook: ``points = check(1, globals())``.

:func:`check` shows its feedback as a table (HTML in JupyterLab, plain text in
a text-only front end) and returns the points earned. The check cell ends with
that number, which nbgrader records as the cell's partial credit. In the
nbgrader source a check cell calls :func:`check` twice, the second time with the
hidden cases; the second table replaces the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

from .layout import SOURCE, find_course_root

if TYPE_CHECKING:
    from .checks import TaskReport

__all__ = ["CheckSetupError", "check", "check_report"]


class CheckSetupError(Exception):
    """The checks themselves could not be loaded; nothing about the student's work."""


def check(task: int, namespace: Mapping[str, Any], *, hidden: bool = False, folder: Path | None = None) -> float:
    """Check task *task*, show the feedback, and return the points earned.

    See :func:`check_report` for the arguments.
    """
    report = check_report(task, namespace, hidden=hidden, folder=folder)
    _show(report)
    return report.earned


def check_report(
    task: int, namespace: Mapping[str, Any], *, hidden: bool = False, folder: Path | None = None
) -> TaskReport:
    """Check task *task* of the exercise in *folder* (default: the notebook's folder).

    *namespace* is where the student's functions are (``globals()`` in a
    notebook). With *hidden*, the hidden cases from the course's nbgrader source
    run too; instructors' grading sets it, students never need to.
    """
    from .checks import HIDDEN_FILE, VISIBLE_FILE, check_task, load_suite  # here, so a setup cell imports fast
    from .datafiles import DataFileError

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


_shown: set[str] = set()


def _show(report: TaskReport) -> None:
    """Display the report in the running notebook, replacing this cell's earlier table for the same task."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - the course always installs IPython
        return
    shell = get_ipython()
    if shell is None:
        return
    display_id = f"who-says-so-{id(shell)}-{shell.execution_count}-task{report.task.number}"
    if display_id in _shown:
        display(report, display_id=display_id, update=True)  # type: ignore[no-untyped-call]
    else:
        _shown.add(display_id)
        display(report, display_id=display_id)  # type: ignore[no-untyped-call]


def _hidden_cases(folder: Path, exercise: str) -> Path:
    from .checks import HIDDEN_FILE
    from .datafiles import DataFileError

    root = find_course_root(folder)
    path = (root or folder) / SOURCE / exercise / HIDDEN_FILE
    if root is None or not path.is_file():
        raise DataFileError(path, "the hidden cases were not found; grade from inside the course folder")
    return path
