"""Item analysis of one exercise: each task's scores, and each case's failures, wrong answers and discrimination.

Every share here is of the graded submissions that *answered* the task (a case passed, or the
task's code came back with a value or an error): a task left as the stub, or whose code never
ran, is not a wrong answer to any rule, and is listed under who needs help instead.

Discrimination is the classic upper-minus-lower index: among those who answered the task,
rank by the exercise's total, take the top and bottom :data:`GROUP_SHARE` (at least one each),
and subtract the lower group's pass rate on the case from the upper group's (from -1 to 1).
Near 0, the case does not separate strong from weak work; below 0, weaker work passes it more
often, which is worth a look at the case itself.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from ..checks.cases import Case, Suite
from ..checks.values import show
from .load import ClassResults, StudentResult, TaskOutcome

__all__ = ["CaseStats", "GROUP_SHARE", "HARD", "ItemAnalysis", "TaskStats", "analyse", "MIN_FOR_DISCRIMINATION"]

HARD = 0.9
"""A case that at least this share of the class fails is flagged: a rule badly taught, or a case that is wrong."""

GROUP_SHARE = 0.27
"""The share of the class in each of the upper and lower groups of the discrimination index."""

MIN_FOR_DISCRIMINATION = 4
"""Fewer submissions than this answering a task, and no discrimination index is given."""

TOP_WRONG = 3
"""How many of the most common wrong answers each case lists."""


@dataclass(frozen=True, kw_only=True)
class CaseStats:
    """How the class did on one case."""

    id: str
    task: int
    hidden: bool
    points: float
    call: str
    expected: str
    rule: str
    answered: int
    failed: int
    wrong_answers: tuple[tuple[str, int], ...]
    unrecorded: int
    """Failures whose returned value the results file does not record (an older grader)."""
    discrimination: float | None
    known: bool = True
    """Whether the case is in the current cases files (False: the class was graded with other checks)."""

    @property
    def share_failed(self) -> float:
        return self.failed / self.answered if self.answered else 0.0

    @property
    def flag(self) -> str:
        """"hard" (nearly everyone fails), "easy" (nobody fails), "reversed" (weaker work passes more), or ""."""
        if not self.answered:
            return ""
        if self.share_failed >= HARD:
            return "hard"
        if self.failed == 0:
            return "easy"
        if self.discrimination is not None and self.discrimination < 0:
            return "reversed"
        return ""


@dataclass(frozen=True, kw_only=True)
class TaskStats:
    """How the class did on one task: the score of every graded submission, and its cases."""

    task: int
    title: str
    function: str
    points: float
    scores: tuple[float, ...]
    unanswered: tuple[str, ...]
    cases: tuple[CaseStats, ...]

    @property
    def mean(self) -> float:
        return sum(self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def full_marks(self) -> int:
        return sum(1 for s in self.scores if s >= self.points)


@dataclass(frozen=True, kw_only=True)
class ItemAnalysis:
    exercise: str
    graded: int
    possible: float
    totals: tuple[float, ...]
    tasks: tuple[TaskStats, ...] = field(default=())

    @property
    def mean(self) -> float:
        return sum(self.totals) / len(self.totals) if self.totals else 0.0

    @property
    def median(self) -> float:
        ordered = sorted(self.totals)
        if not ordered:
            return 0.0
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2

    def cases(self) -> list[CaseStats]:
        """Every case of every task, the most failed first."""
        return sorted((c for t in self.tasks for c in t.cases), key=lambda c: (-c.share_failed, -c.failed, c.task, c.id))


def analyse(suite: Suite, loaded: ClassResults) -> ItemAnalysis:
    """The item analysis of *loaded* against the exercise's cases (*suite*, hidden cases included)."""
    results = loaded.results
    possible = max((r.possible for r in results), default=sum(t.points for t in suite.tasks.values()))
    numbers = sorted(set(suite.tasks) | {t.task for r in results for t in r.tasks})
    tasks = tuple(_task(suite, number, results) for number in numbers)
    return ItemAnalysis(exercise=loaded.exercise, graded=len(results), possible=possible,
                        totals=tuple(r.earned for r in results), tasks=tasks)


def _task(suite: Suite, number: int, results: list[StudentResult]) -> TaskStats:
    info = suite.tasks.get(number)
    outcomes = [(r, r.task(number)) for r in results]
    scores = tuple(t.earned for _, t in outcomes if t is not None)
    answered = [(r, t) for r, t in outcomes if t is not None and t.answered]
    unanswered = tuple(r.student for r, t in outcomes if t is None or not t.answered)
    known = {c.id: c for c in suite.cases_for(number)}
    order = [c.id for c in suite.cases_for(number)]
    order += sorted({c.id for _, t in answered for c in t.cases} - set(known))
    upper, lower = _groups([r for r, _ in answered])
    cases = tuple(_case(number, case_id, known.get(case_id), answered, upper, lower) for case_id in order)
    points = info.points if info else max((t.possible for _, t in outcomes if t), default=0.0)
    function = info.function if info else next((t.function for _, t in outcomes if t), "")
    return TaskStats(task=number, title=info.title if info else f"Task {number}", function=function, points=points,
                     scores=scores, unanswered=unanswered, cases=cases)


def _groups(results: list[StudentResult]) -> tuple[set[str], set[str]]:
    """The students in the upper and lower groups by total score (ties broken by name), or two empty sets."""
    if len(results) < MIN_FOR_DISCRIMINATION:
        return set(), set()
    size = max(1, math.floor(GROUP_SHARE * len(results) + 0.5))
    ranked = sorted(results, key=lambda r: (-r.earned, r.student))
    return {r.student for r in ranked[:size]}, {r.student for r in ranked[-size:]}


def _case(task: int, case_id: str, case: Case | None, answered: list[tuple[StudentResult, TaskOutcome]],
          upper: set[str], lower: set[str]) -> CaseStats:
    seen, failed, unrecorded = 0, 0, 0
    wrong: Counter[str] = Counter()
    passed_by: dict[str, bool] = {}
    hidden, points = (case.hidden, case.points) if case else (False, 0.0)
    for result, outcome in answered:
        mine = next((c for c in outcome.cases if c.id == case_id), None)
        if mine is None:
            continue
        seen += 1
        passed_by[result.student] = mine.passed
        if case is None:
            hidden, points = mine.hidden, mine.points
        if not mine.passed:
            failed += 1
            if mine.returned is None:
                unrecorded += 1
            else:
                wrong[mine.returned] += 1
    discrimination = None
    if upper and lower:
        up = [passed_by[s] for s in upper if s in passed_by]
        down = [passed_by[s] for s in lower if s in passed_by]
        if up and down:
            discrimination = sum(up) / len(up) - sum(down) / len(down)
    ranked = sorted(wrong.items(), key=lambda item: (-item[1], item[0]))[:TOP_WRONG]
    return CaseStats(
        id=case_id, task=task, hidden=hidden, points=points, call=_call(case) if case else "",
        expected=_expected(case) if case else "", rule=case.hint if case else "", answered=seen, failed=failed,
        wrong_answers=tuple(ranked), unrecorded=unrecorded, discrimination=discrimination, known=case is not None,
    )


def _call(case: Case) -> str:
    parts = [show(arg, limit=120) for arg in case.args]
    parts += [f"{name}={show(value, limit=80)}" for name, value in case.kwargs.items()]
    return f"{case.function}({', '.join(parts)})"


def _expected(case: Case) -> str:
    return f"raises {case.raises}" if case.raises else show(case.expect, limit=200)
