"""Who needs help: the lowest scores, submissions with problems, tasks left unanswered, work not graded."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .load import ClassResults, StudentResult
from .problems import KINDS, classify
from .written import WrittenAnswer

__all__ = ["LOWEST_SHARE", "NeedsHelp", "needs_help"]

LOWEST_SHARE = 0.1
"""The lowest-scoring tenth of the class is listed (at least :data:`LOWEST_MIN` submissions)."""
LOWEST_MIN = 5


@dataclass(kw_only=True)
class NeedsHelp:
    lowest: list[StudentResult] = field(default_factory=list)
    problems: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """By kind (see :data:`problems.KINDS`): (student, what happened)."""
    unanswered: dict[str, list[str]] = field(default_factory=dict)
    """By student: the tasks left unanswered ("task 2", "task 4 (written)")."""
    not_graded: list[tuple[str, str]] = field(default_factory=list)
    """(student, why): no results file, a broken one, or a grader problem."""

    def count(self) -> int:
        """How many different submissions the lists name."""
        names = {r.student for r in self.lowest} | set(self.unanswered) | {s for s, _ in self.not_graded}
        names |= {s for items in self.problems.values() for s, _ in items}
        return len(names)


def needs_help(loaded: ClassResults, written: list[WrittenAnswer]) -> NeedsHelp:
    """Who needs help in *loaded*, with the written answers that were left empty."""
    help_ = NeedsHelp()
    ranked = sorted(loaded.results, key=lambda r: (r.earned, r.student))
    size = max(LOWEST_MIN, math.ceil(LOWEST_SHARE * len(ranked)))
    help_.lowest = ranked[:size]
    for result in loaded.results:
        for problem in result.problems:
            if problem.kind != "stub":  # a stub is listed as an unanswered task
                help_.problems.setdefault(problem.kind, []).append((result.student, problem.text))
        hang = _hidden_hang(result)
        if hang and not any(p.kind == "hidden_hang" for p in result.problems):
            help_.problems.setdefault("hidden_hang", []).append((result.student, hang))
        missing = [f"task {t.task}" for t in result.tasks if not t.answered]
        if missing:
            help_.unanswered[result.student] = missing
    graded = {r.student for r in loaded.results}
    for answer in written:
        if answer.student in graded and not answer.answered:
            help_.unanswered.setdefault(answer.student, []).append(f"{_task_name(answer.grade_id)} (written)")
    help_.problems = {kind: sorted(items) for kind, items in sorted(help_.problems.items(),
                                                                     key=lambda item: list(KINDS).index(item[0]))}
    help_.not_graded = [(s, "submitted, not graded yet") for s in loaded.not_graded]
    help_.not_graded += [(s, "its results file cannot be used") for s, _ in loaded.broken]
    help_.not_graded += [(s, f"the grader failed: {why}") for s, why in loaded.grader_problems]
    return help_


def _hidden_hang(result: StudentResult) -> str:
    """A sentence when only hidden cases of a task ran out of time, or "" (older results never say)."""
    for task in result.tasks:
        hung = [c for c in task.cases if c.hidden and classify(c.problem) == "timeout"]
        visible_hung = [c for c in task.cases if not c.hidden and classify(c.problem) == "timeout"]
        if hung and not visible_hung:
            return (f"{len(hung)} hidden check{'s' if len(hung) > 1 else ''} of task {task.task} did not finish in "
                    "time, though every visible one did.")
    return ""


def _task_name(grade_id: str) -> str:
    head = grade_id.split("-", 1)[0]
    return head.replace("task", "task ") if head.startswith("task") else grade_id
