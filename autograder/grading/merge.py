"""Put a submission's answers back among the released cells: locked cells always as released."""

from __future__ import annotations

from typing import Any

from ..nbgrader_bridge.cells import is_untouched
from ..runner.cells import CodeCell, is_check_cell

__all__ = ["merged_cells"]


def _meta(cell: dict[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    nbgrader = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return nbgrader if isinstance(nbgrader, dict) else {}


def _text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def merged_cells(release: dict[str, Any], submitted: dict[str, Any]) -> tuple[list[CodeCell], list[str]]:
    """The code to run for a submission, and plain notes on what was put back.

    Follows the release's order: a locked cell runs as released (an edited or deleted one is
    noted); an answer cell runs as the student wrote it (a deleted one runs as released);
    check cells never run; the student's own extra code cells run after the cell they followed.
    """
    cells_in = [c for c in submitted.get("cells", []) if isinstance(c, dict)]
    answers: dict[str, dict[str, Any]] = {}
    locked: dict[str, dict[str, Any]] = {}
    extras: dict[str | None, list[dict[str, Any]]] = {}
    last: str | None = None
    for cell in cells_in:
        grade_id = _meta(cell).get("grade_id")
        if grade_id:
            (answers if _meta(cell).get("solution") else locked)[str(grade_id)] = cell
            last = str(grade_id)
        elif cell.get("cell_type") == "code":
            extras.setdefault(last, []).append(cell)
    notes: list[str] = []
    out: list[CodeCell] = []

    def add(cell: dict[str, Any], number: int, grade_id: str) -> None:
        if cell.get("cell_type") == "code" and not is_check_cell(cell):
            out.append(CodeCell(number=number, source=_text(cell), grade_id=grade_id))

    for cell in extras.get(None, []):
        add(cell, 0, "")
    for number, cell in enumerate(release.get("cells", []), start=1):
        meta = _meta(cell)
        grade_id = str(meta.get("grade_id", ""))
        if meta.get("solution"):
            answer = answers.get(grade_id)
            if answer is None:
                notes.append(f"The answer cell {grade_id} was deleted; it was graded as not answered.")
                answer = cell
            add(answer, number, grade_id)
        elif grade_id:
            mine = locked.get(grade_id)
            if mine is None:
                notes.append(f"The locked cell {grade_id} was deleted; the released version was used.")
            elif not is_untouched(mine) and _text(mine) != _text(cell):
                notes.append(f"The locked cell {grade_id} was changed; the released version was used.")
            add(cell, number, grade_id)
        else:
            add(cell, number, grade_id)
        for extra in extras.get(grade_id, []) if grade_id else []:
            add(extra, number, "")
    return out, notes
