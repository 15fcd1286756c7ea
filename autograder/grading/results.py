"""The results file of one submission: every task and case, the problems, and how it was isolated.

Written whole (a temporary file renamed into place), so a grading run that is killed leaves
either the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from ..checks.report import TaskReport
from ..datafiles import _validator
from ..records import CaseOutcome, ResultRecord, TaskResult

__all__ = ["RESULTS", "digest", "read_result", "result_path", "task_record", "write_result"]

RESULTS = "results"
"""Results files live in ``results/<exercise>/<student>.json`` in the course folder."""


def result_path(root: Path, exercise: str, student: str) -> Path:
    """Where *student*'s results file is; a name too long for a file name is shortened and made unique."""
    name = student
    if len(f"{name}.json".encode("utf-8")) > 200 or name.startswith("."):
        tag = hashlib.sha256(student.encode("utf-8")).hexdigest()[:16]
        name = f"{student.encode('utf-8')[:120].decode('utf-8', 'ignore').lstrip('.')}-{tag}"
    return root / RESULTS / exercise / f"{name}.json"


def digest(*paths: Path) -> str:
    """A fingerprint of the submission and of the checks it was graded with."""
    sha = hashlib.sha256()
    for path in paths:
        sha.update(str(path.name).encode())
        try:
            info = os.lstat(path)
        except OSError:
            sha.update(b"<missing>")
            continue
        if stat.S_ISREG(info.st_mode):  # never follows a link, never opens a FIFO
            sha.update(path.read_bytes())
        else:
            sha.update(f"<not a plain file: {info.st_mode:o} {info.st_ino}>".encode())
    return sha.hexdigest()


def task_record(report: TaskReport) -> TaskResult:
    """The results file's account of one task."""
    return TaskResult(
        task=report.task.number, function=report.task.function, earned=report.earned, possible=report.possible,
        cases=tuple(CaseOutcome(id=r.case.id, hidden=r.case.hidden, points=r.case.points, passed=r.passed,
                                status=r.status or "not_run") for r in report.results),
        text=report.to_text(), html=report.to_html(),
    )


def read_result(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_result(path: Path, record: dict[str, Any] | ResultRecord) -> None:
    """Write *record* to *path* whole: a temporary file renamed into place."""
    if isinstance(record, ResultRecord):
        record = record.to_data()
        _validator("results")(record)  # the versioned schema in autograder/schemas/results.schema.json
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(record, out, indent=1, ensure_ascii=False)
    os.replace(temp, path)
