"""The grader's records as types: what the worker observes, and what a results file holds.

One path from notebook to results: the sandboxed worker sends :class:`Observation` and
:class:`CellProblem` records over the grader's channel, :func:`parse_record` checks every
one of them (a record that no honest worker sends raises :class:`RecordError`), and the
grader writes a :class:`ResultRecord` per submission, described by
``autograder/schemas/results.schema.json``. ``course check``, ``course grade`` and the
Gradescope runner all go through here.

It needs nothing but the standard library. The sandboxed worker does not import it: the limits and the
field checks it shares with the grader are in :mod:`autograder.record_checks`, re-exported here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from .record_checks import CELL_KINDS, CHANNEL_RECORD_LIMIT, MAX_VALUE_DEPTH, STATUSES, RecordError
from .record_checks import count as _count, number as _number, observation_fields, text as _text, value_depth

__all__ = [
    "CHANNEL_RECORD_LIMIT", "GRADER_VERSION", "MAX_VALUE_DEPTH", "RESULTS_SCHEMA", "STATUSES",
    "CaseOutcome", "CellProblem", "ChannelRecord", "Observation", "RecordError", "ResultRecord", "ResultStatus",
    "Status", "TaskResult", "parse_record", "value_depth",
]

GRADER_VERSION = "0.2.0"
"""The grader's own version: written into every results file, and part of its fingerprint."""

RESULTS_SCHEMA = "who-says-so/results/2"
"""The results file format (``autograder/schemas/results.schema.json``)."""

Status = Literal["missing", "not_callable", "build_failed", "not_implemented", "raised", "returned", "timed_out",
                 "too_large", "not_run"]
"""Every way a call can end: the closed set of observation statuses."""

CellKind = Literal["syntax", "error", "timed_out"]

if frozenset(get_args(Status)) != STATUSES or frozenset(get_args(CellKind)) != CELL_KINDS:
    raise ImportError("autograder.records: Status or CellKind names other values than record_checks checks")

ResultStatus = Literal["graded", "not_graded", "refused"]
"""``not_graded``: the grader itself failed (the sandbox did not start, the worker died before any student code
ran); the submission is not scored and the instructor is told why. ``refused``: the submission's folder or
notebook is not a plain file of its own (a link, say), so it scores 0 with the reason."""


@dataclass(frozen=True, kw_only=True)
class Observation:
    """What one call of a student's function did (never what it should have done)."""

    case: str
    function: str
    status: Status
    value: Any = None  # the encoded return value (see autograder.checks.values), for "returned"
    error: str | None = None  # the exception's class, for "raised" and "build_failed"
    bases: tuple[str, ...] = ()
    message: str | None = None
    printed: str = ""
    build_class: str | None = None  # the class that could not be built, for "build_failed"
    type_name: str | None = None  # what the name was instead, for "not_callable"
    seconds: float | None = None  # the time allowed, for "timed_out"
    size: int | None = None  # the encoded value's size in bytes, for "too_large"
    reason: str | None = None  # why the call was not made, for "not_run"
    line: int | None = None  # the line of the student's code where an exception happened, if known
    code: str | None = None  # that line's text, if known

    def to_data(self) -> dict[str, Any]:
        """The observation as plain data, the form the judge reads (absent fields left out)."""
        data: dict[str, Any] = {"case": self.case, "function": self.function, "status": self.status}
        optional: dict[str, Any] = {
            "error": self.error, "message": self.message, "class": self.build_class, "type": self.type_name,
            "seconds": self.seconds, "bytes": self.size, "reason": self.reason, "line": self.line, "code": self.code,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        if self.status == "returned":
            data["value"] = self.value
        if self.bases:
            data["bases"] = list(self.bases)
        if self.printed:
            data["printed"] = self.printed
        return data

    @classmethod
    def from_data(cls, data: Any) -> Observation:
        """The observation in *data*, checked field by field; RecordError if no honest worker could have sent it."""
        return cls(**observation_fields(data))


@dataclass(frozen=True, kw_only=True)
class CellProblem:
    """A code cell that did not run cleanly: a syntax error, an exception, or out of time."""

    cell: int
    grade_id: str
    problem: CellKind
    error: str | None = None
    message: str | None = None
    line: int | None = None
    seconds: float | None = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"cell": self.cell, "grade_id": self.grade_id, "problem": self.problem}
        optional = {"error": self.error, "message": self.message, "line": self.line, "seconds": self.seconds}
        data.update({key: value for key, value in optional.items() if value is not None})
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CellProblem:
        problem = data.get("problem")
        if problem not in CELL_KINDS:
            raise RecordError(f"a cell problem has no kind {problem!r:.40}")
        cell = _count(data, "cell")
        if cell is None:
            raise RecordError("a cell problem names no cell")
        return cls(cell=cell, grade_id=_text(data, "grade_id") or "", problem=problem, error=_text(data, "error"),
                   message=_text(data, "message"), line=_count(data, "line"), seconds=_number(data, "seconds"))


@dataclass(frozen=True, kw_only=True)
class ChannelRecord:
    """One checked record from the worker: ``ready``, ``cell``, ``cells_done``, ``observation`` or ``done``."""

    kind: Literal["ready", "cell", "cells_done", "observation", "done"]
    nonce: str = ""
    observation: Observation | None = None
    cell: CellProblem | None = None
    dropped: int = 0  # characters of printed output left out, for "done"
    clock: float | None = None  # for "ready": when the worker's Python began (the grader's monotonic clock)


def parse_record(line: bytes) -> ChannelRecord:
    """The record on one channel line, type-checked; RecordError for anything an honest worker never sends."""
    if len(line) > CHANNEL_RECORD_LIMIT:
        raise RecordError(f"a record of {len(line):,} bytes, larger than any the worker sends")
    try:
        data = json.loads(line)
    except RecursionError:
        raise RecordError("a record nested too deeply to read") from None
    except ValueError:
        raise RecordError("a line that is not JSON") from None
    if not isinstance(data, dict):
        raise RecordError(f"a record that is a {type(data).__name__}, not an object")
    kind = data.get("kind")
    nonce = data.get("nonce", "")
    if not isinstance(nonce, str):
        raise RecordError("a record whose nonce is not text")
    if kind == "ready":
        return ChannelRecord(kind=kind, nonce=nonce, clock=_number(data, "clock"))
    if kind == "cells_done":
        return ChannelRecord(kind=kind, nonce=nonce)
    if kind == "cell":
        return ChannelRecord(kind="cell", nonce=nonce, cell=CellProblem.from_data(data))
    if kind == "observation":
        return ChannelRecord(kind="observation", nonce=nonce, observation=Observation.from_data(data))
    if kind == "done":
        return ChannelRecord(kind="done", nonce=nonce, dropped=_count(data, "dropped") or 0)
    raise RecordError(f"a record of an unknown kind {kind!r:.40}")


# ----- results files ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CaseOutcome:
    """One case in a results file: which, worth what, passed or not, and how the call ended."""

    id: str
    hidden: bool
    points: float
    passed: bool
    status: str  # an observation status (see Status)
    returned: str | None = None  # for a failed case: what came back, cut short (for the class report)
    problem: str | None = None  # for a failed case: why, when it is not a wrong value


@dataclass(frozen=True, kw_only=True)
class TaskResult:
    """One task in a results file, with the feedback the student reads (plain text and HTML)."""

    task: int
    function: str
    earned: float
    possible: float
    cases: tuple[CaseOutcome, ...]
    text: str
    html: str
    visible_text: str = ""  # the report on the visible checks alone (Gradescope shows hidden ones later)


@dataclass(kw_only=True)
class ResultRecord:
    """Everything known about one graded submission: ``results/<exercise>/<student>.json``."""

    student: str
    exercise: str
    notebook: str
    status: ResultStatus
    isolation: str  # in words
    isolation_level: str  # "bwrap", "bwrap-unprivileged", "user", "limits"
    graded_at: str
    tasks: list[TaskResult] = field(default_factory=list)
    earned: float = 0.0
    possible: float = 0.0
    problems: list[str] = field(default_factory=list)  # for the student and the instructor (feedback, CSV)
    tampering: list[str] = field(default_factory=list)  # evidence of forging, for the instructor
    refused: list[str] = field(default_factory=list)  # submitted files that were not let into the sandbox
    grader_problem: str | None = None  # what went wrong in the grader itself, for status "not_graded"
    unreadable: str | None = None
    recorded: bool = False
    digest: str = ""
    schema: str = RESULTS_SCHEMA
    grader_version: str = GRADER_VERSION

    def to_data(self) -> dict[str, Any]:
        """The record as the JSON object of a results file."""
        data: dict[str, Any] = {
            "schema": self.schema, "grader_version": self.grader_version, "student": self.student,
            "exercise": self.exercise, "notebook": self.notebook, "status": self.status,
            "isolation": self.isolation, "isolation_level": self.isolation_level, "graded_at": self.graded_at,
            "recorded": self.recorded, "digest": self.digest,
            "tasks": [
                {"task": t.task, "function": t.function, "earned": t.earned, "possible": t.possible,
                 "cases": [_case_data(c) for c in t.cases],
                 "text": t.text, "html": t.html, "visible_text": t.visible_text}
                for t in self.tasks
            ],
            "earned": self.earned, "possible": self.possible, "problems": list(self.problems),
            "tampering": list(self.tampering), "refused": list(self.refused),
            "grader_problem": self.grader_problem,
        }
        if self.unreadable is not None:
            data["unreadable"] = self.unreadable
        return data


def _case_data(case: CaseOutcome) -> dict[str, Any]:
    data: dict[str, Any] = {"id": case.id, "hidden": case.hidden, "points": case.points, "passed": case.passed,
                            "status": case.status}
    if case.returned is not None:
        data["returned"] = case.returned
    if case.problem is not None:
        data["problem"] = case.problem
    return data
