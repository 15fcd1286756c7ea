"""``course check``: check a learner's notebook without Jupyter, and report task by task."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checks import HIDDEN_FILE, VISIBLE_FILE, TaskReport, load_suite, report_task
from .checks.names import names_in_source
from .checks.report import plain
from .datafiles import DataFileError
from .layout import MANIFEST, RELEASE, SOURCE, WORK
from .manifest import Exercise, load_manifest
from .nbgrader_bridge.cells import grade_cells, read_notebook
from .runner import Limits, run_notebook
from .runner.explain import describe_run, hang_problems

__all__ = ["NotebookReport", "check_notebook", "exercise_here", "exercise_of", "find_notebook"]


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
            lines.append(f"  {report.task.number:<5} {report.task.function:<{width}}  {points:<9} {mark} "
                         f"{plain(report.summary())}")
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
                lines += ["", report.to_text(max_shown=1, hidden=self.hidden_ran)]
        if self.problems:
            lines += ["", "Problems in the notebook (the rest was still checked):"]
            lines += [f"  • {problem}" for problem in self.problems]
        return "\n".join(lines)


def find_notebook(root: Path, target: str) -> Path:
    """The notebook meant by *target*: a path to a notebook, or an exercise such as ``02-attribution``
    (the learner's working copy in ``work/`` when there is one, else the release)."""
    from .learner.workspace import working_notebook

    path = Path(target)
    if path.suffix == ".ipynb":
        if not path.is_file():
            raise DataFileError(path, "there is no notebook at this path")
        return path
    exercise = load_manifest(root / MANIFEST).exercise(target)
    return working_notebook(root, exercise.folder, exercise.notebook)


def exercise_here(root: Path, where: Path) -> Exercise | None:
    """The exercise whose folder (in ``work/``, ``exercises/`` or ``solutions/``) holds *where*, if any."""
    where = where.resolve()
    for exercise in load_manifest(root / MANIFEST).exercises:
        for top in (WORK, RELEASE, SOURCE):
            folder = (root / top / exercise.folder).resolve()
            if where == folder or folder in where.parents:
                return exercise
    return None


def exercise_of(root: Path, notebook: Path) -> Exercise | None:
    """Which exercise a notebook kept away from its folder is: by its file name, or else by its
    nbgrader cells (the grade ids of one exercise's release). None when neither tells."""
    exercises = load_manifest(root / MANIFEST).exercises
    by_name = [e for e in exercises if e.notebook == notebook.name]
    if len(by_name) == 1:
        return by_name[0]
    try:
        ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in read_notebook(notebook)["cells"]}
    except DataFileError:
        return None
    ids.discard(None)
    best, overlap = None, 0
    for exercise in exercises:
        release = root / RELEASE / exercise.folder / exercise.notebook
        try:
            theirs = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in read_notebook(release)["cells"]}
        except DataFileError:
            continue
        shared = len(ids & (theirs - {None, "setup", "intro", "submit"}))
        if shared > overlap:
            best, overlap = exercise, shared
    return best


def _cases_folder(notebook: Path, root: Path | None, exercise: str | None) -> Path | None:
    """Where the cases of *notebook* are: beside it, or in the release of its exercise (None: beside it)."""
    if exercise is None and (notebook.parent / VISIBLE_FILE).is_file():
        return None
    if root is None:
        raise DataFileError(notebook.parent / VISIBLE_FILE, "the checks are not beside this notebook; keep it in "
                            "its exercise folder, or run the check inside the course folder")
    found = load_manifest(root / MANIFEST).exercise(exercise) if exercise else exercise_of(root, notebook)
    if found is None:
        raise DataFileError(notebook, f"this notebook is not in an exercise folder (there is no {VISIBLE_FILE} "
                            "beside it), and neither its name nor its cells say which exercise it is. Name the "
                            f"exercise: course check {notebook} --exercise 02-attribution")
    return root / RELEASE / found.folder


def check_notebook(
    notebook: Path,
    *,
    root: Path | None = None,
    with_hidden: bool = False,
    limits: Limits | None = None,
    exercise: str | None = None,
) -> NotebookReport:
    """Run *notebook*'s code in a child process and judge its answers task by task.

    The cases come from the ``cases.yaml`` beside the notebook, or, for a notebook
    kept elsewhere, from the release of its exercise (named by *exercise*, or found
    from the notebook's name or cells), whose files are then set beside a copy of
    the notebook for the run. *with_hidden* adds the course's hidden cases from
    ``solutions/`` (for self-learners with the whole course, under *root*). A
    broken notebook still gets a report: what broke, and a score for the rest.
    """
    cases = _cases_folder(notebook, root, exercise)
    folder = cases or notebook.parent
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
    names: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="who-says-so-check-") as temp:
        scratch = None
        if cases is not None:  # the exercise's files (the article, say) beside the notebook, as in its folder
            scratch = Path(temp) / "exercise"
            shutil.copytree(cases, scratch, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        observations: list[dict[str, Any]] = []
        try:
            cells = read_notebook(notebook)["cells"]
            names = {k: v for c in cells if c.get("cell_type") == "code" and _locked_code(c)
                     for k, v in names_in_source(_source(c)).items()}
            run = run_notebook(notebook, calls, limits or Limits(), scratch=scratch)
            written = tuple(sorted({c.task for c in grade_cells(notebook) if not c.auto and c.task is not None}))
        except DataFileError as error:
            problems.append(f"{error.message[:1].upper()}{error.message[1:]}, so none of its code could run.")
            not_run, written = "the notebook could not be read", ()
        else:
            observations = [observation.to_data() for observation in run.observations]
            found, not_run = describe_run(run)
            problems += found
            if run.grader_problem:
                problems.append(f"The checks could not run this notebook: {run.grader_problem}.")
    tasks = tuple(
        report_task(suite, number, observations, hidden_ran=with_hidden, not_run=not_run, names=names)
        for number in sorted(suite.tasks)
    )
    problems += hang_problems(tasks)
    return NotebookReport(exercise=suite.exercise, notebook=notebook, tasks=tasks, problems=tuple(problems),
                          hidden_ran=with_hidden, written_tasks=written)


def _locked_code(cell: dict[str, Any]) -> bool:
    """A code cell of the course's own (the setup, a table of sentences), not an answer or a check."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("locked")) and not meta.get("grade") and not meta.get("solution")


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)
