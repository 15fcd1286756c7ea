"""Run a task's cases: observe in the student's namespace, then judge.

The two halves are separate functions so that a grader can observe in one
process (where student code runs) and judge in another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .cases import Suite
from .judge import judge_all
from .names import names_in_namespace
from .report import TaskReport
from .run import observe_all

__all__ = ["check_task", "report_task"]


def check_task(suite: Suite, namespace: Mapping[str, Any], task: int, *, hidden_ran: bool) -> TaskReport:
    """Observe and judge every case of *task* in one process (a notebook, a self-check)."""
    calls = [case.call() for case in suite.cases_for(task)]
    return report_task(suite, task, observe_all(namespace, calls), hidden_ran=hidden_ran,
                       names=names_in_namespace(namespace))


def report_task(
    suite: Suite,
    task: int,
    observations: Iterable[Mapping[str, Any]],
    *,
    hidden_ran: bool,
    not_run: str = "",
    names: Mapping[str, str] | None = None,
) -> TaskReport:
    """Judge observations made elsewhere against *task*'s expected values (*not_run*: why some are missing;
    *names*: how the notebook names long texts, see :mod:`autograder.checks.names`)."""
    results = judge_all(suite.cases_for(task), observations, not_run=not_run)
    return TaskReport(task=suite.tasks[task], results=tuple(results), hidden_ran=hidden_ran, names=dict(names or {}))
