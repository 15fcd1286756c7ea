"""What went wrong in a run of a learner's code, in plain words: one wording for every command."""

from __future__ import annotations

from typing import Any

from ..nbgrader_bridge.cells import task_of
from .launch import NotebookRun

__all__ = ["cell_problem", "describe_run"]


def describe_run(run: NotebookRun) -> tuple[list[str], str]:
    """The problems to report for *run*, and why the checks it never reached did not run ("" if it finished)."""
    problems = [cell_problem(problem) for problem in run.cell_problems]
    not_run = ""
    if run.stopped:
        problems.append(f"The notebook's code did not finish: {run.stopped}.")
        not_run = f"the notebook's code stopped before this check ({run.stopped})"
    if run.output_dropped:
        problems.append(f"Your code printed a lot, so {run.output_dropped:,} characters of its output were left out.")
    return problems, not_run


def cell_problem(problem: dict[str, Any]) -> str:
    """One sentence on a cell that failed: where, and what happened."""
    where = f"Cell {problem.get('cell')}"
    grade_id = str(problem.get("grade_id") or "")
    task = task_of(grade_id)
    if task is not None:
        where += f" (task {task})"
    elif grade_id == "setup":
        where += " (the setup cell)"
    line = f" on line {problem['line']}" if problem.get("line") else ""
    if problem.get("problem") == "syntax":
        return f"{where} has a syntax error{line}: {problem.get('message')}. Fix it and check again."
    if problem.get("error") == "NotImplementedError":
        return f"{where} is still the empty starting version (it raises NotImplementedError)."
    if problem.get("problem") == "timed_out":
        return f"{where} did not finish within {problem.get('seconds'):g} seconds, so it was stopped."
    message = f": {problem['message']}" if problem.get("message") else ""
    return f"{where} raised {problem.get('error')}{line}{message}."
