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

from ..checks import TaskReport

__all__ = ["RESULTS", "digest", "read_result", "result_path", "task_record", "write_result"]

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


def task_record(report: TaskReport) -> dict[str, Any]:
    return {
        "task": report.task.number,
        "function": report.task.function,
        "earned": report.earned,
        "possible": report.possible,
        "cases": [
            {"id": r.case.id, "hidden": r.case.hidden, "points": r.case.points, "passed": r.passed}
            for r in report.results
        ],
        "text": report.to_text(),
        "html": report.to_html(),
    }


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
