"""The code cells of a notebook that hold the learner's code (and the setup), not the checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CodeCell", "code_cells", "is_check_cell"]


@dataclass(frozen=True, kw_only=True)
class CodeCell:
    number: int  # 1-based position among all the notebook's cells, as JupyterLab counts them
    source: str
    grade_id: str


def is_check_cell(cell: dict[str, Any]) -> bool:
    """nbgrader's auto-graded test cells; failing metadata, any cell that calls ``check(``."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta:
        return bool(meta.get("grade")) and not meta.get("solution")
    return "check(" in _text(cell.get("source", ""))


def code_cells(notebook: dict[str, Any]) -> list[CodeCell]:
    """Every code cell to run before checking, in order."""
    cells = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or is_check_cell(cell):
            continue
        grade_id = str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))
        cells.append(CodeCell(number=number, source=_text(cell.get("source", "")), grade_id=grade_id))
    return cells


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source)
