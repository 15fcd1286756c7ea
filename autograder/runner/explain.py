"""What went wrong in a run of a learner's code, in plain words: one wording for every command."""

from __future__ import annotations

from collections.abc import Iterable

from ..checks.report import TaskReport
from ..nbgrader_bridge.cells import task_of
from ..records import CellProblem
from .launch import NotebookRun

__all__ = ["cell_problem", "describe_run", "hang_problems"]


def describe_run(run: NotebookRun) -> tuple[list[str], str]:
    """The problems to report for *run*, and why the checks it never reached did not run ("" if it finished)."""
    problems = [cell_problem(problem) for problem in run.cell_problems]
    not_run = ""
    if run.grader_problem:
        not_run = "the grader could not run the notebook"
    elif run.stopped:
        problems.append(f"The notebook's code did not finish: {run.stopped}.")
        not_run = f"the notebook's code stopped before this check ({run.stopped})"
    if run.output_dropped:
        problems.append(f"Your code printed a lot, so {run.output_dropped:,} characters of its output were left out.")
    return problems, not_run


def hang_problems(reports: Iterable[TaskReport]) -> list[str]:
    """One sentence per check that did not finish in time (hidden ones by task, visible ones with their call) or
    that got back a value too large to check."""
    problems = []
    for report in reports:
        hidden = [r for r in report.results if r.case.hidden and r.status == "timed_out"]
        for result in report.results:
            if not result.case.hidden and result.status == "timed_out":
                problems.append(f"The check {result.called()} of task {report.task.number} did not finish within "
                                f"{result.seconds or 0:g} seconds.")

        large = [r for r in report.results if r.status == "too_large"]
        if large:
            several = f"{len(large)} checks" if len(large) > 1 else "One check"
            problems.append(f"{several} of task {report.task.number} got back a value too large to check.")
        if len(hidden) == 1:
            problems.append(f"A hidden check of task {report.task.number} did not finish within "
                            f"{hidden[0].seconds or 0:g} seconds.")
        elif hidden:
            problems.append(f"{len(hidden)} hidden checks of task {report.task.number} did not finish within "
                            f"{hidden[0].seconds or 0:g} seconds each.")
    return problems


def cell_problem(problem: CellProblem) -> str:
    """One sentence on a cell that failed: where, and what happened."""
    where = f"Cell {problem.cell}"
    task = task_of(problem.grade_id)
    if task is not None:
        where += f" (task {task})"
    elif problem.grade_id == "setup":
        where += " (the setup cell)"
    line = f" on line {problem.line}" if problem.line else ""
    if problem.problem == "syntax":
        return f"{where} has a syntax error{line}: {problem.message}. Fix it and check again."
    if problem.error == "NotImplementedError":
        return f"{where} is still the empty starting version (it raises NotImplementedError)."
    if problem.problem == "timed_out":
        return f"{where} did not finish within {problem.seconds or 0:g} seconds, so it was stopped."
    message = f": {problem.message}" if problem.message else ""
    return f"{where} raised {problem.error}{line}{message}."
