"""The check engine: cases as data, observed where student code runs, judged elsewhere."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cases import HIDDEN_FILE, VISIBLE_FILE, Call, Case, Suite, Task, load_suite
    from .engine import check_task, report_task
    from .judge import CaseResult, judge, judge_all
    from .report import TaskReport
    from .run import observe, observe_all
    from .values import decode, encode, same, show

_WHERE = {
    "Call": "cases",
    "Case": "cases",
    "CaseResult": "judge",
    "HIDDEN_FILE": "cases",
    "Suite": "cases",
    "Task": "cases",
    "TaskReport": "report",
    "VISIBLE_FILE": "cases",
    "check_task": "engine",
    "decode": "values",
    "encode": "values",
    "judge": "judge",
    "judge_all": "judge",
    "load_suite": "cases",
    "observe": "run",
    "observe_all": "run",
    "report_task": "engine",
    "same": "values",
    "show": "values",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    # Imported on first use: the sandboxed worker needs only .run and .values.
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)
