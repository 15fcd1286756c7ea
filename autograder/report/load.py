"""Read an exercise's results files for the class report: one loader, defensive about what it finds.

A results file (``results/<exercise>/<student>.json``, written by ``course grade``) is read
into a small typed record that keeps only what the report counts. A file that is not JSON, or
lacks the tasks and cases, is left out with a line that names it and says what was expected; a
file without a recorded grader version is counted and said to be from an older grader; a
submission without a results file is listed as not graded. Nothing is ever written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..grading.results import RESULTS
from ..grading.submissions import SUBMITTED
from .problems import Problem, as_problem

__all__ = ["CaseOutcome", "ClassResults", "StudentResult", "TaskOutcome", "load_class"]

NO_ANSWER = frozenset({"nothing", "NotImplementedError"})
"""What a failed case "returned" when the task's code gave no answer at all (missing, the stub, not run)."""

GRADER_STATUSES = frozenset({"not_graded", "not-graded", "grader_problem", "grader-problem", "grader_error"})


@dataclass(frozen=True, kw_only=True)
class CaseOutcome:
    """One case of one submission: passed or not, and what came back when it failed (None: not recorded)."""

    id: str
    hidden: bool
    points: float
    passed: bool
    returned: str | None = None
    problem: str = ""


@dataclass(frozen=True, kw_only=True)
class TaskOutcome:
    """One task of one submission: its points and its cases."""

    task: int
    function: str
    earned: float
    possible: float
    cases: tuple[CaseOutcome, ...]

    @property
    def answered(self) -> bool:
        """Whether the task's code gave any answer: a case passed, or came back with a value or an error.

        A file from an older grader, which does not record what came back, counts as answered.
        """
        return any(c.passed or c.returned is None or c.returned not in NO_ANSWER for c in self.cases)


@dataclass(frozen=True, kw_only=True)
class StudentResult:
    """What the report needs of one results file."""

    student: str
    path: Path
    earned: float
    possible: float
    tasks: tuple[TaskOutcome, ...]
    problems: tuple[Problem, ...]
    version: str | None
    unreadable: bool = False
    graded_at: str = ""

    @property
    def older(self) -> bool:
        """Written by a grader that recorded no version (before results files were versioned)."""
        return self.version is None

    def task(self, number: int) -> TaskOutcome | None:
        return next((t for t in self.tasks if t.task == number), None)


@dataclass(kw_only=True)
class ClassResults:
    """Every usable results file of one exercise, and clear lines about the ones that are not."""

    exercise: str
    results: list[StudentResult] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)
    not_graded: list[str] = field(default_factory=list)
    """Students with a submission and no results file."""
    broken: list[tuple[str, str]] = field(default_factory=list)
    """(student, the line that says what is wrong with the results file): left out of every count."""
    grader_problems: list[tuple[str, str]] = field(default_factory=list)
    """(student, reason): the grader itself failed on the submission; left out of every count."""

    @property
    def older(self) -> list[str]:
        return [r.student for r in self.results if r.older]

    def notes(self) -> list[str]:
        """Plain lines about missing, partial or older results, for the page and the terminal."""
        lines = []
        folder = f"{RESULTS}/{self.exercise}/"
        if not self.results and not self.broken and not self.grader_problems:
            if self.submitted:
                lines.append(f"{self.exercise}: none of the {len(self.submitted)} submissions in {SUBMITTED}/ has "
                             f"been graded yet (no files in {folder}); run `course grade {self.exercise}` first.")
            else:
                lines.append(f"{self.exercise}: no submissions in {SUBMITTED}/*/{self.exercise}/ and no results in "
                             f"{folder}: there is nothing to report yet.")
            return lines
        if self.not_graded:
            lines.append(f"{len(self.not_graded)} submission{_s(self.not_graded)} in {SUBMITTED}/ "
                         f"{_has(self.not_graded)} no results file in {folder} (not graded yet: "
                         f"{_names(self.not_graded)}); run `course grade {self.exercise}` to grade "
                         f"{_them(self.not_graded)}.")
        for student, line in self.broken:
            lines.append(line)
        if self.grader_problems:
            names = [s for s, _ in self.grader_problems]
            lines.append(f"{len(names)} submission{_s(names)} could not be graded because of a problem in the "
                         f"grader, not in the student's work ({_names(names)}); {_they(names)} {_is(names)} left "
                         "out of the counts.")
        older = self.older
        if older:
            without = [r.student for r in self.results if r.older and _lacks_returned(r)]
            line = (f"{len(older)} results file{_s(older)} in {folder} {_is(older)} from an older grader version "
                    "(no version recorded); their scores are counted as recorded")
            if without:
                line += (f", but {len(without)} of them do not record what failed cases returned, so their wrong "
                         "answers are not in the tables")
            lines.append(line + ".")
        return lines


def load_class(root: Path, exercise: str, notebook: str) -> ClassResults:
    """Every results file of *exercise*, read defensively, and the submissions that have none."""
    loaded = ClassResults(exercise=exercise)
    submitted_root = root / SUBMITTED
    if submitted_root.is_dir():
        loaded.submitted = sorted(p.name for p in submitted_root.iterdir()
                                  if (p / exercise / notebook).is_file() or (p / exercise).is_dir())
    folder = root / RESULTS / exercise
    seen: set[str] = set()
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    for path in files:
        if path.name.startswith("."):
            continue  # a temporary file of a grading run still under way
        student = path.stem
        seen.add(student)
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
            loaded.broken.append((student, f"{_shown(root, path)}: not a results file ({_reason(error)}); "
                                           "expected the JSON that `course grade` writes. It is left out of the "
                                           "counts."))
            continue
        reason = _grader_problem(data)
        if reason:
            loaded.grader_problems.append((student, reason))
            continue
        try:
            loaded.results.append(_student(student, path, data))
        except _Incomplete as incomplete:
            loaded.broken.append((student, f"{_shown(root, path)}: an incomplete results file ({incomplete}); it "
                                           "is left out of the counts. Grading the class again rewrites it."))
    loaded.not_graded = [s for s in loaded.submitted if s not in seen]
    return loaded


class _Incomplete(ValueError):
    """A results file that lacks what the report counts."""


def _student(student: str, path: Path, data: Any) -> StudentResult:
    if not isinstance(data, dict):
        raise _Incomplete(f"expected a JSON object, found {type(data).__name__}")
    tasks_data = data.get("tasks")
    if not isinstance(tasks_data, list) or not tasks_data:
        raise _Incomplete("expected a list of tasks under 'tasks'")
    tasks = tuple(_task(index, item) for index, item in enumerate(tasks_data))
    version = data.get("version", data.get("grader_version"))
    problems = data.get("problems", [])
    return StudentResult(
        student=student,
        path=path,
        earned=_number(data.get("earned", sum(t.earned for t in tasks)), "earned"),
        possible=_number(data.get("possible", sum(t.possible for t in tasks)), "possible"),
        tasks=tasks,
        problems=tuple(as_problem(p) for p in problems) if isinstance(problems, list) else (),
        version=None if version is None else str(version),
        unreadable=bool(data.get("unreadable")),
        graded_at=str(data.get("graded_at", "")),
    )


def _task(index: int, item: Any) -> TaskOutcome:
    where = f"tasks[{index}]"
    if not isinstance(item, dict):
        raise _Incomplete(f"{where} should be an object")
    cases_data = item.get("cases")
    if not isinstance(cases_data, list):
        raise _Incomplete(f"{where} has no list of 'cases'")
    cases = []
    for number, case in enumerate(cases_data):
        passed = _passed(case)
        if not isinstance(case, dict) or not isinstance(case.get("id"), str) or passed is None:
            raise _Incomplete(f"{where}.cases[{number}] should have an 'id' and 'passed' (true or false)")
        returned = case.get("returned")
        cases.append(CaseOutcome(
            id=case["id"], hidden=bool(case.get("hidden")), points=_number(case.get("points", 0), f"{where} points"),
            passed=passed, returned=returned if isinstance(returned, str) else None,
            problem=str(case.get("problem", "")),
        ))
    task = item.get("task")
    if not isinstance(task, int) or isinstance(task, bool):
        raise _Incomplete(f"{where} should have a task number under 'task'")
    return TaskOutcome(task=task, function=str(item.get("function", "")),
                       earned=_number(item.get("earned"), f"{where}.earned"),
                       possible=_number(item.get("possible"), f"{where}.possible"), cases=tuple(cases))


def _passed(case: Any) -> bool | None:
    """Whether a case passed: its ``passed`` flag, or a typed record's ``status`` (None when it says neither)."""
    if not isinstance(case, dict):
        return None
    if isinstance(case.get("passed"), bool):
        return bool(case["passed"])
    status = str(case.get("status", "")).lower()
    if status in {"pass", "passed"}:
        return True
    if status in {"fail", "failed", "error"}:
        return False
    return None


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Incomplete(f"{where} should be a number, found {value!r}"[:120])
    return float(value)


def _grader_problem(data: Any) -> str:
    """Why the grader itself failed on this submission, if the file says so ("" if it did not)."""
    if not isinstance(data, dict):
        return ""
    status = str(data.get("status", "")).lower()
    if status in GRADER_STATUSES or data.get("graded") is False:
        return as_problem(data.get("reason") or data.get("grader_error") or "the grader failed").text
    return ""


def _lacks_returned(result: StudentResult) -> bool:
    return any(not c.passed and c.returned is None for t in result.tasks for c in t.cases)


def _shown(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _reason(error: BaseException) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"it is not JSON: {error.msg} at line {error.lineno}"
    if isinstance(error, RecursionError):
        return "it is nested too deeply to read"
    return type(error).__name__ + (f": {error}" if str(error) else "")


def _names(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _s(items: list[str]) -> str:
    return "" if len(items) == 1 else "s"


def _is(items: list[str]) -> str:
    return "is" if len(items) == 1 else "are"


def _has(items: list[str]) -> str:
    return "has" if len(items) == 1 else "have"


def _them(items: list[str]) -> str:
    return "it" if len(items) == 1 else "them"


def _they(items: list[str]) -> str:
    return "it" if len(items) == 1 else "they"
