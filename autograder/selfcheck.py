"""``course check``: check a learner's notebook without Jupyter, and report task by task."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checks import HIDDEN_FILE, TaskReport, load_suite, report_task
from .datafiles import DataFileError
from .layout import MANIFEST, RELEASE, SOURCE
from .manifest import load_manifest
from .nbgrader_bridge.cells import grade_cells
from .runner import Limits, run_notebook
from .runner.explain import describe_run, hang_problems

__all__ = ["NotebookReport", "check_notebook", "find_notebook"]


@dataclass(frozen=True, kw_only=True)
class NotebookReport:
    """Every task's report for one notebook, and what went wrong with the notebook itself."""

    exercise: str
    notebook: Path
    tasks: tuple[TaskReport, ...]
    problems: tuple[str, ...]
    hidden_ran: bool
    written_tasks: tuple[int, ...] = ()

    @property
    def earned(self) -> float:
        return sum(task.earned for task in self.tasks)

    @property
    def possible(self) -> float:
        return sum(task.possible for task in self.tasks)

    @property
    def hidden_pending(self) -> float:
        return sum(task.hidden_points_pending for task in self.tasks)

    def to_text(self) -> str:
        width = max([len(t.task.function) for t in self.tasks] + [8])
        lines = [f"Checked {self.notebook} (exercise {self.exercise})", ""]
        lines.append(f"  {'Task':<5} {'Function':<{width}}  {'Points':<9} Result")
        for report in self.tasks:
            mark = "✓" if report.complete else "✗"
            points = f"{report.earned:g} / {report.possible:g}"
            lines.append(f"  {report.task.number:<5} {report.task.function:<{width}}  {points:<9} {mark} {report.summary()}")
        total = f"{self.earned:g} / {self.possible:g}"
        scope = "all checks, hidden ones included" if self.hidden_ran else "visible checks"
        lines.append(f"  {'Total':<5} {'':<{width}}  {total:<9} ({scope})")
        if self.hidden_pending:
            lines.append(f"\nHidden checks worth {self.hidden_pending:g} more points run when your work is graded.")
        if self.written_tasks:
            tasks = ", ".join(str(t) for t in self.written_tasks)
            lines.append(f"Written answers (task {tasks}) are marked by your instructor.")
        for report in self.tasks:
            if not report.complete:
                lines += ["", report.to_text(max_shown=1)]
        if self.problems:
            lines += ["", "Problems in the notebook (the rest was still checked):"]
            lines += [f"  • {problem}" for problem in self.problems]
        return "\n".join(lines)


def find_notebook(root: Path, target: str) -> Path:
    """The notebook meant by *target*: a path to a notebook, or an exercise such as ``02-attribution``."""
    path = Path(target)
    if path.suffix == ".ipynb":
        if not path.is_file():
            raise DataFileError(path, "there is no notebook at this path")
        return path
    exercise = load_manifest(root / MANIFEST).exercise(target)
    return root / RELEASE / exercise.folder / exercise.notebook


def check_notebook(
    notebook: Path, *, root: Path | None = None, with_hidden: bool = False, limits: Limits | None = None
) -> NotebookReport:
    """Run *notebook*'s code in a child process and judge its answers task by task.

    The cases come from the ``cases.yaml`` beside the notebook; *with_hidden* adds
    the course's hidden cases from ``solutions/`` (for self-learners with the whole
    course, under *root*). A broken notebook still gets a report: what broke, and
    a score for the rest.
    """
    folder = notebook.parent
    suite = load_suite(folder)
    if with_hidden:
        hidden = (root or folder) / SOURCE / suite.exercise / HIDDEN_FILE
        if not hidden.is_file():
            raise DataFileError(hidden, "the hidden cases are not here; --with-hidden needs the whole course, "
                                "with its solutions/ folder")
        suite = load_suite(folder, hidden_file=hidden)
    if limits is None and root is not None and (root / MANIFEST).is_file():
        limits = Limits.from_grading(load_manifest(root / MANIFEST).grading)
    calls = [case.call() for case in suite.cases]
    problems: list[str] = []
    try:
        run = run_notebook(notebook, calls, limits or Limits())
        written = tuple(sorted({c.task for c in grade_cells(notebook) if not c.auto and c.task is not None}))
    except DataFileError as error:
        problems.append(f"{error.message[:1].upper()}{error.message[1:]}, so none of its code could run.")
        observations: list[dict[str, Any]] = []
        not_run, written = "the notebook could not be read", ()
    else:
        observations = [observation.to_data() for observation in run.observations]
        found, not_run = describe_run(run)
        problems += found
        if run.grader_problem:
            problems.append(f"The checks could not run this notebook: {run.grader_problem}.")
    tasks = tuple(
        report_task(suite, number, observations, hidden_ran=with_hidden, not_run=not_run) for number in sorted(suite.tasks)
    )
    problems += hang_problems(tasks)
    return NotebookReport(exercise=suite.exercise, notebook=notebook, tasks=tasks, problems=tuple(problems),
                          hidden_ran=with_hidden, written_tasks=written)
