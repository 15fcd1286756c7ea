"""The check engine: cases as data, observed where student code runs, judged elsewhere."""

from __future__ import annotations

TYPE_CHECKING = False  # read as typing.TYPE_CHECKING by type checkers; typing itself is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .cases import HIDDEN_FILE as HIDDEN_FILE, VISIBLE_FILE as VISIBLE_FILE, Call as Call, Case as Case
    from .cases import Suite as Suite, Task as Task, load_suite as load_suite
    from .engine import check_task as check_task, report_task as report_task
    from .judge import CaseResult as CaseResult, judge as judge, judge_all as judge_all
    from .report import TaskReport as TaskReport
    from .run import observe as observe, observe_all as observe_all
    from .values import decode as decode, encode as encode, same as same, show as show

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
        from importlib import import_module

        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)
