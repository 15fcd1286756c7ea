"""The check cell of an exercise notebook: ``points = check(1, globals())``.

:func:`check` shows its feedback as a table (HTML in JupyterLab, plain text in
a text-only front end) and returns the points earned. The check cell ends with
that number, which nbgrader records as the cell's partial credit. In the
nbgrader source a check cell calls :func:`check` twice, the second time with the
hidden cases; the second table replaces the first.

Under nbgrader's Validate (the button, or ``nbgrader validate``) a released check
cell can run only the visible checks, and nbgrader counts a cell as failed when
its number is below the cell's points. So there :func:`check` answers the question
Validate asks: the cell's full points when every check that ran passed, and
otherwise the check table's own words on standard error, which Validate shows as
the reason the task failed. Autograding is unchanged: per-case partial credit.
"""

from __future__ import annotations

import os
import sys

# A notebook's setup cell imports this module, and so does every graded run of a submission: only what
# check() itself needs is imported, when it runs (typing and pathlib are not imported for annotations).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path
    from typing import Any

    from .checks import TaskReport

__all__ = ["CheckSetupError", "check", "check_report"]


class CheckSetupError(Exception):
    """The checks themselves could not be loaded; nothing about the student's work."""


def check(task: int, namespace: Mapping[str, Any], *, hidden: bool = False, folder: Path | None = None) -> float:
    """Check task *task*, show the feedback, and return the points earned.

    See :func:`check_report` for the arguments. Under nbgrader's Validate the
    result is the task's full points when every check that ran passed; when one
    failed, the plain-text report goes to standard error, so Validate names the task.
    """
    report = check_report(task, namespace, hidden=hidden, folder=folder)
    _show(report)
    if not validating():
        return report.earned
    if report.complete:
        return report.task.points
    text = report.to_text(max_shown=1, pending=False)
    first = f"{report.headline()}. {report.summary()}"
    # nbgrader's validate cuts long lines on a terminal: the headline and the summary on lines of their own
    print(text.replace(first, f"{report.headline()}.\n{report.summary()}", 1), file=sys.stderr, flush=True)
    return report.earned


def validating() -> bool:
    """Whether nbgrader's Validate is running this notebook (it sets these variables; autograde does not)."""
    return os.environ.get("NBGRADER_VALIDATING") == "1" and os.environ.get("NBGRADER_EXECUTION") == "validate"


def check_report(
    task: int, namespace: Mapping[str, Any], *, hidden: bool = False, folder: Path | None = None
) -> TaskReport:
    """Check task *task* of the exercise in *folder* (default: the notebook's folder).

    *namespace* is where the student's functions are (``globals()`` in a
    notebook). With *hidden*, the hidden cases from the course's nbgrader source
    run too; instructors' grading sets it, students never need to.
    """
    from pathlib import Path

    from .checks import VISIBLE_FILE, check_task, load_suite  # here, so a setup cell imports fast
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
    from .layout import SOURCE, find_course_root

    root = find_course_root(folder)
    path = (root or folder) / SOURCE / exercise / HIDDEN_FILE
    if root is None or not path.is_file():
        raise DataFileError(path, "the hidden cases were not found; grade from inside the course folder")
    return path
