"""Put a submission's answers back among the released cells: locked cells always as released."""

from __future__ import annotations

from typing import Any

from ..runner.cells import CodeCell, is_check_cell

__all__ = ["merged_cells", "merged_notebook"]


def _meta(cell: dict[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    nbgrader = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return nbgrader if isinstance(nbgrader, dict) else {}


def _text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def merged_notebook(release: dict[str, Any], submitted: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The submission as it is graded: the released notebook with the student's answers in it.

    Follows the release's order: a locked cell stays as released (an edited or deleted one is
    noted); an answer cell is the student's (a deleted one stays as released, unanswered); the
    student's own extra cells follow the cell they followed.
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
        elif cell.get("cell_type") in {"code", "markdown"}:
            extras.setdefault(last, []).append(_plain(cell))
    notes: list[str] = []
    out: list[dict[str, Any]] = list(extras.get(None, []))
    for cell in release.get("cells", []):
        meta = _meta(cell)
        grade_id = str(meta.get("grade_id", ""))
        if meta.get("solution"):
            answer = answers.get(grade_id)
            if answer is None or answer.get("cell_type") != cell.get("cell_type"):
                notes.append(f"The answer cell {grade_id} was deleted; it was graded as not answered.")
                out.append(cell)
            else:
                out.append({**cell, "source": _text(answer)})
        else:
            if grade_id:
                mine = locked.get(grade_id)
                if mine is None:
                    notes.append(f"The locked cell {grade_id} was deleted; the released version was used.")
                elif _text(mine) != _text(cell):
                    notes.append(f"The locked cell {grade_id} was changed; the released version was used.")
            out.append(cell)
        if grade_id:
            out += extras.get(grade_id, [])
    notebook = {key: value for key, value in release.items() if key != "cells"}
    notebook["cells"] = out
    return notebook, notes


def merged_cells(release: dict[str, Any], submitted: dict[str, Any]) -> tuple[list[CodeCell], list[str]]:
    """The code to run for a submission (check cells never run), and notes on what was put back."""
    notebook, notes = merged_notebook(release, submitted)
    cells = [
        CodeCell(number=number, source=_text(cell), grade_id=str(_meta(cell).get("grade_id", "")))
        for number, cell in enumerate(notebook["cells"], start=1)
        if cell.get("cell_type") == "code" and not is_check_cell(cell)
    ]
    return cells, notes


def _plain(cell: dict[str, Any]) -> dict[str, Any]:
    """A student's own cell, with nothing but its kind and text."""
    kind = "markdown" if cell.get("cell_type") == "markdown" else "code"
    plain: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": _text(cell)}
    if kind == "code":
        plain.update(outputs=[], execution_count=None)
    if isinstance(cell.get("id"), str):
        plain["id"] = cell["id"]
    return plain
