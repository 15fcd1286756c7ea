"""The results file of one submission: every task and case, the problems, and how it was isolated.

Written whole (a temporary file renamed into place), so a grading run that is killed leaves
either the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..checks.judge import CaseResult
from ..checks.report import TaskReport

__all__ = ["RESULTS", "RETURNED_LIMIT", "digest", "read_result", "result_path", "task_record", "write_result"]

RESULTS = "results"
"""Results files live in ``results/<exercise>/<student>.json`` in the course folder."""


def result_path(root: Path, exercise: str, student: str) -> Path:
    return root / RESULTS / exercise / f"{student}.json"


def digest(*paths: Path) -> str:
    """A fingerprint of the submission and of the checks it was graded with."""
    sha = hashlib.sha256()
    for path in paths:
        sha.update(str(path.name).encode())
        sha.update(path.read_bytes() if path.is_file() else b"<missing>")
    return sha.hexdigest()


RETURNED_LIMIT = 200
"""How many characters of what a failed case returned are kept in the results file (for the class report)."""


def task_record(report: TaskReport) -> dict[str, Any]:
    """One task of a results file: its points, and each case's verdict.

    A failed case also keeps, cut to :data:`RETURNED_LIMIT` characters, what came back
    (``returned``: a short literal, ``raised …``, or ``nothing``) and why it failed when that
    is not a wrong value (``problem``), so that the class report can count wrong answers.
    """
    return {
        "task": report.task.number,
        "function": report.task.function,
        "earned": report.earned,
        "possible": report.possible,
        "cases": [_case_record(r) for r in report.results],
        "text": report.to_text(),
        "html": report.to_html(),
    }


def _case_record(result: CaseResult) -> dict[str, Any]:
    record: dict[str, Any] = {"id": result.case.id, "hidden": result.case.hidden, "points": result.case.points,
                              "passed": result.passed}
    if not result.passed:
        record["returned"] = _capped(result.got)
        if result.problem:
            record["problem"] = _capped(result.problem)
    return record


def _capped(text: str) -> str:
    return text if len(text) <= RETURNED_LIMIT else text[: RETURNED_LIMIT - 1] + "…"


def read_result(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_result(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(record, out, indent=1, ensure_ascii=False)
    os.replace(temp, path)
