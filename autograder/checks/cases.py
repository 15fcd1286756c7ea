"""Check cases as data: what to call, what should come back, and what it is worth.

An exercise folder holds ``cases.yaml`` (its tasks, hints and visible cases,
released to students) and, in the nbgrader source only, ``hidden-cases.yaml``
(cases on sentences that are not in the article). Both follow
``schemas/cases.schema.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..datafiles import DataFileError, dotted, line_of, read_yaml
from .values import from_yaml

__all__ = ["HIDDEN_FILE", "VISIBLE_FILE", "Call", "Case", "Suite", "Task", "load_suite"]

VISIBLE_FILE = "cases.yaml"
HIDDEN_FILE = "hidden-cases.yaml"


@dataclass(frozen=True, kw_only=True)
class Call:
    """All that the side running student code needs to know of a case: no expected value."""

    case_id: str
    function: str
    args: list[Any]
    kwargs: dict[str, Any]
    public: bool = False  # a visible case, whose arguments (and expected value) the student has in cases.yaml

    def to_data(self) -> dict[str, Any]:
        """The call as the grader sends it to the worker (see :func:`autograder.checks.run.observe_data`)."""
        return {"case": self.case_id, "function": self.function, "args": self.args, "kwargs": self.kwargs}

    @cached_property
    def encoded(self) -> str:
        """:meth:`to_data` as JSON (non-ASCII text as it is), encoded once: a call is sent to every submission."""
        return json.dumps(self.to_data(), ensure_ascii=False)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Call:
        """The call in *data*, as :meth:`to_data` wrote it."""
        return cls(case_id=data["case"], function=data["function"], args=data["args"], kwargs=data["kwargs"])


@dataclass(frozen=True, kw_only=True)
class Task:
    """One numbered task of an exercise: the function it asks for and its hints, gentle first."""

    number: int
    title: str
    function: str
    points: float
    hints: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Case:
    """One check: a call, what it should return (encoded) or raise, its points and hint."""

    id: str
    task: int
    function: str
    args: list[Any]
    kwargs: dict[str, Any]
    expect: Any = None
    raises: str | None = None
    tolerance: float = 0.0
    points: float
    hint: str
    hidden: bool = False
    practice: bool = False
    """A practice case: an invented example of one docstring rule, shown as practice in the report."""

    def call(self) -> Call:
        return Call(case_id=self.id, function=self.function, args=self.args, kwargs=self.kwargs, public=not self.hidden)


@dataclass(frozen=True, kw_only=True)
class Suite:
    """Every task and case of one exercise."""

    exercise: str
    tasks: dict[int, Task]
    cases: tuple[Case, ...] = field(default=())

    def cases_for(self, task: int, *, hidden: bool | None = None) -> list[Case]:
        """The cases of *task*; only visible or only hidden ones when *hidden* is given."""
        return [c for c in self.cases if c.task == task and (hidden is None or c.hidden == hidden)]

    def points_for(self, task: int) -> float:
        return sum(c.points for c in self.cases_for(task))

    @cached_property
    def calls(self) -> tuple[Call, ...]:
        """Every case's call, in the suite's order (made once, and sent to every submission)."""
        return tuple(case.call() for case in self.cases)

    def with_hidden(self, hidden: Suite) -> Suite:
        return Suite(exercise=self.exercise, tasks=self.tasks, cases=self.cases + hidden.cases)


def load_suite(folder: Path, *, hidden_file: Path | None = None) -> Suite:
    """The suite in *folder*'s ``cases.yaml``, with the cases of *hidden_file* added if given.

    Raises :class:`DataFileError` for a file that breaks the schema, a case whose
    task is not listed, a repeated case id, or a hidden file of another exercise.
    """
    path = folder / VISIBLE_FILE
    data, root = read_yaml(path, "cases")
    if "tasks" not in data:
        raise DataFileError(path, "the key 'tasks' is missing; the visible cases file lists the tasks", line=1)
    tasks: dict[int, Task] = {}
    for index, item in enumerate(data["tasks"]):
        if item["task"] in tasks:
            raise DataFileError(
                path, f"task {item['task']} is listed twice", line=line_of(root, ["tasks", index, "task"])
            )
        tasks[item["task"]] = Task(
            number=item["task"],
            title=item["title"],
            function=item["function"],
            points=float(item["points"]),
            hints=tuple(item["hints"]),
        )
    suite = Suite(exercise=data["exercise"], tasks=tasks, cases=_cases(path, data, root, tasks, hidden=False))
    if hidden_file is None:
        return suite
    hidden_data, hidden_root = read_yaml(hidden_file, "cases")
    if hidden_data["exercise"] != suite.exercise:
        raise DataFileError(
            hidden_file,
            f"exercise is {hidden_data['exercise']!r} but {path} says {suite.exercise!r}",
            line=line_of(hidden_root, ["exercise"]),
        )
    hidden = Suite(
        exercise=suite.exercise,
        tasks=tasks,
        cases=_cases(hidden_file, hidden_data, hidden_root, tasks, hidden=True, taken={c.id for c in suite.cases}),
    )
    return suite.with_hidden(hidden)


def _cases(
    path: Path, data: dict[str, Any], root: Any, tasks: dict[int, Task], *, hidden: bool, taken: set[str] | None = None
) -> tuple[Case, ...]:
    seen = set(taken or ())
    cases = []
    for index, item in enumerate(data["cases"]):
        where: list[str | int] = ["cases", index]
        if item["id"] in seen:
            raise DataFileError(
                path, f"{dotted(where)}: the case id {item['id']!r} is used twice", line=line_of(root, where + ["id"])
            )
        seen.add(item["id"])
        if item["task"] not in tasks:
            raise DataFileError(
                path,
                f"{dotted(where)}: task {item['task']} is not one of the tasks {sorted(tasks)}",
                line=line_of(root, where + ["task"]),
            )
        cases.append(
            Case(
                id=item["id"],
                task=item["task"],
                function=item.get("function", tasks[item["task"]].function),
                args=[from_yaml(arg) for arg in item["args"]],
                kwargs={name: from_yaml(value) for name, value in item.get("kwargs", {}).items()},
                expect=from_yaml(item.get("expect")),
                raises=item.get("raises"),
                tolerance=float(item.get("tolerance", 0.0)),
                points=float(item["points"]),
                hint=item["hint"],
                hidden=hidden,
                practice=bool(item.get("practice", False)),
            )
        )
    return tuple(cases)
