"""The check engine: cases as data, observed where student code runs, judged elsewhere."""

from __future__ import annotations

from .cases import HIDDEN_FILE, VISIBLE_FILE, Call, Case, Suite, Task, load_suite
from .engine import check_task, report_task
from .judge import CaseResult, judge, judge_all
from .report import TaskReport
from .run import observe, observe_all
from .values import decode, encode, same, show

__all__ = [
    "HIDDEN_FILE",
    "VISIBLE_FILE",
    "Call",
    "Case",
    "CaseResult",
    "Suite",
    "Task",
    "TaskReport",
    "check_task",
    "decode",
    "encode",
    "judge",
    "judge_all",
    "load_suite",
    "observe",
    "observe_all",
    "report_task",
    "same",
    "show",
]
