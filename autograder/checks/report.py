"""Results gathered per task, and written out as plain text or as an HTML table.

The same :class:`TaskReport` feeds a notebook's check cell, the ``course``
command and the batch grader's feedback, so a student reads the same words
wherever a check runs.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from .cases import Task
from .judge import CaseResult

__all__ = ["TaskReport", "MAX_SHOWN", "PRACTICE_NOTE"]

MAX_SHOWN = 3
"""How many failing visible checks a report spells out; the rest are counted."""

PRACTICE_NOTE = "  (practice: an invented example of one rule)"
"""What the report adds after the call of a practice case."""


def _points(value: float) -> str:
    return f"{value:g}"


def _points_word(value: float) -> str:
    return "point" if value == 1 else "points"


@dataclass(frozen=True, kw_only=True)
class TaskReport:
    """How one task fared: every case that ran, and whether the hidden cases were among them."""

    task: Task
    results: tuple[CaseResult, ...]
    hidden_ran: bool

    @property
    def earned(self) -> float:
        return sum(r.earned for r in self.results)

    @property
    def possible(self) -> float:
        """The points at stake in the checks that ran."""
        return sum(r.case.points for r in self.results)

    @property
    def hidden_points_pending(self) -> float:
        """Points of the hidden checks that did not run here."""
        return 0.0 if self.hidden_ran else max(self.task.points - self.possible, 0.0)

    @property
    def complete(self) -> bool:
        return all(r.passed for r in self.results) and bool(self.results)

    def failures(self, *, hidden: bool) -> list[CaseResult]:
        return [r for r in self.results if not r.passed and r.case.hidden == hidden]

    def headline(self) -> str:
        scope = "" if self.hidden_ran else " from the visible checks"
        return (
            f"Task {self.task.number} · {self.task.function}: "
            f"{_points(self.earned)} of {_points(self.possible)} {_points_word(self.possible)}{scope}"
        )

    def summary(self) -> str:
        """One sentence on how it went."""
        visible_failed = self.failures(hidden=False)
        hidden_failed = self.failures(hidden=True)
        if not visible_failed and not hidden_failed:
            ran = len(self.results)
            kind = "" if self.hidden_ran else "visible "
            return f"All {ran} {kind}check{'s' if ran != 1 else ''} passed. Well done!"
        if visible_failed:
            return f"{len(visible_failed)} of {sum(not r.case.hidden for r in self.results)} visible checks failed."
        return "Every visible check passed, but not every hidden one."

    def notes(self, *, max_shown: int = MAX_SHOWN) -> list[str]:
        """What a student should know beyond the failures: hidden checks and extra failures."""
        notes = []
        extra = len(self.failures(hidden=False)) - max_shown
        if extra > 0:
            notes.append(f"{extra} more visible check{'s' if extra > 1 else ''} failed; fixing the "
                         f"one{'s' if max_shown > 1 else ''} above may fix {'them' if extra > 1 else 'it'} too.")
        hidden = [r for r in self.results if r.case.hidden]
        failed = len(self.failures(hidden=True))
        if failed == 1:
            notes.append(f"A hidden check of task {self.task.number} failed.")
        elif failed:
            notes.append(f"{failed} of the {len(hidden)} hidden checks of task {self.task.number} failed.")
        if self.hidden_ran and hidden and not failed:
            notes.append(f"All {len(hidden)} hidden checks passed.")
        if self.hidden_points_pending:
            notes.append(
                f"Hidden checks worth {_points(self.hidden_points_pending)} more "
                f"{_points_word(self.hidden_points_pending)} run when your work "
                "is graded. They try examples that are not in the article, so follow the rules in "
                "the docstring, not just the examples."
            )
        return notes

    def shown_failures(self, max_shown: int = MAX_SHOWN) -> Sequence[CaseResult]:
        return self.failures(hidden=False)[:max_shown]

    # ----- plain text -------------------------------------------------------------------------

    def to_text(self, *, max_shown: int = MAX_SHOWN) -> str:
        lines = [f"{self.headline()}. {self.summary()}"]
        for result in self.shown_failures(max_shown):
            lines.append(f"  ✗ Called:   {result.called()}{PRACTICE_NOTE if result.case.practice else ''}")
            if result.problem:
                lines.append(f"    Problem:  {result.problem}")
            else:
                got, expected = result.returned_and_expected()
                lines.append(f"    Returned: {got}")
                lines.append(f"    Expected: {expected}")
                if result.size_note():
                    lines.append(f"    Note:     {result.size_note()}")
            lines.append(f"    Hint:     {result.case.hint}")
        lines += [f"  {note}" for note in self.notes(max_shown=max_shown)]
        return "\n".join(lines)

    # ----- HTML -------------------------------------------------------------------------------

    def to_html(self) -> str:
        e = html.escape
        ok = self.complete
        colour = "#1a7f37" if ok else "#9a6700"
        rows = []
        for result in self.shown_failures():
            practice = f" <em>{e(PRACTICE_NOTE.strip())}</em>" if result.case.practice else ""
            cells = [("Called", f"<code>{e(result.called())}</code>{practice}")]
            if result.problem:
                cells.append(("Problem", e(result.problem)))
            else:
                got, expected = result.returned_and_expected()
                cells += [("Returned", f"<code>{e(got)}</code>"), ("Expected", f"<code>{e(expected)}</code>")]
                if result.size_note():
                    cells.append(("Note", e(result.size_note())))
            cells.append(("Hint", e(result.case.hint)))
            rows += [
                f"<tr style='vertical-align:top{';border-top:1px solid #d0d7de' if i == 0 else ''}'>"
                f"<th scope='row' style='text-align:left;padding:2px 8px 2px 0'>{label}</th>"
                f"<td style='text-align:left;padding:2px 0'>{value}</td></tr>"
                for i, (label, value) in enumerate(cells)
            ]
        table = f"<table style='border-collapse:collapse;margin:4px 0'>{''.join(rows)}</table>" if rows else ""
        items = "".join(f"<li>{e(note)}</li>" for note in self.notes())
        notes = f"<ul style='margin:4px 0'>{items}</ul>" if items else ""
        return (
            f"<div class='who-says-so-feedback' data-task='{self.task.number}' "
            f"style='border-left:4px solid {colour};padding:4px 10px;margin:4px 0'>"
            f"<div style='font-weight:bold;color:{colour}'>{'✓' if ok else '✗'} {e(self.headline())}</div>"
            f"<div>{e(self.summary())}</div>{table}"
            f"{notes}</div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        printer.text(self.to_text())  # type: ignore[attr-defined]
