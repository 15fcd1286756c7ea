"""The graded cells of an nbgrader notebook, read without running it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..datafiles import DataFileError

__all__ = ["GradeCell", "grade_cells", "is_untouched", "read_notebook", "solution_cells", "task_of"]

_TASK_ID = re.compile(r"^task(\d+)-")


def task_of(grade_id: str) -> int | None:
    """The task number in a grade id (``task2-check`` and ``task2-split-sentences`` are task 2)."""
    match = _TASK_ID.match(grade_id)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, kw_only=True)
class GradeCell:
    """A cell that nbgrader gives points to: a check cell (auto) or a written answer (manual)."""

    grade_id: str
    points: float
    auto: bool

    @property
    def task(self) -> int | None:
        return task_of(self.grade_id)


def read_notebook(path: Path) -> dict[str, Any]:
    """The notebook's JSON, or a DataFileError that says what is wrong with the file."""
    try:
        text = path.read_text(encoding="utf-8")
        if not text.strip():
            raise DataFileError(path, "the notebook is empty (the file has nothing in it)")
        data = json.loads(text)
    except FileNotFoundError:
        raise DataFileError(path, "the notebook does not exist") from None
    except json.JSONDecodeError as error:
        raise DataFileError(path, f"this is not a notebook: invalid JSON ({error.msg})", line=error.lineno) from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(path, f"the notebook cannot be read ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise DataFileError(path, "this is not a notebook: expected a JSON object with a list of 'cells'")
    return data


def grade_cells(path: Path) -> list[GradeCell]:
    """Every cell of the notebook at *path* that carries nbgrader points, in order."""
    cells = []
    for cell in read_notebook(path)["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            cells.append(
                GradeCell(
                    grade_id=str(meta.get("grade_id", "")),
                    points=float(meta.get("points", 0)),
                    auto=cell.get("cell_type") == "code" and not meta.get("solution", False),
                )
            )
    return cells


def solution_cells(notebook: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The cells a learner writes in, by grade id."""
    return {
        str(cell["metadata"]["nbgrader"].get("grade_id")): cell
        for cell in notebook["cells"]
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution")
    }


def is_untouched(cell: dict[str, Any]) -> bool:
    """Whether a released cell is as nbgrader released it: its checksum, computed as nbgrader does, still matches."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if "checksum" not in meta:
        return False
    source = "".join(cell["source"]) if isinstance(cell.get("source"), list) else str(cell.get("source", ""))
    grade, solution = bool(meta.get("grade")), bool(meta.get("solution"))
    locked = False if solution else (True if grade else bool(meta.get("locked", False)))
    digest = hashlib.md5()
    for part in (source, cell.get("cell_type", ""), str(grade), str(solution), str(locked), meta.get("grade_id", "")):
        digest.update(str(part).encode("utf-8"))
    if grade:
        digest.update(str(float(meta.get("points", 0))).encode("utf-8"))
    return bool(digest.hexdigest() == meta["checksum"])
