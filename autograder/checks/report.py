"""Results gathered per task, and written out as plain text or as an HTML table.

The same :class:`TaskReport` feeds a notebook's check cell, the ``course``
command and the batch grader's feedback, so a student reads the same words
wherever a check runs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .cases import Task
from .judge import CaseResult

__all__ = ["TaskReport", "MAX_SHOWN", "PRACTICE_NOTE"]

MAX_SHOWN = 3
"""How many failing visible checks a report spells out; the rest are counted."""

PRACTICE_NOTE = "an invented example of one rule, to practise it"
"""What the report adds after the call of a practice case."""


def _points(value: float) -> str:
    return f"{value:g}"


def _points_word(value: float) -> str:
    return "point" if value == 1 else "points"


_CODE = re.compile(r"`([^`\n]+)`")


def plain(text: str) -> str:
    """Text written with Markdown's `code` marks, for a plain-text screen: the marks dropped."""
    return _CODE.sub(r"\1", text)


def _html(text: str) -> str:
    """Text written with Markdown's `code` marks, as HTML: escaped, the marked parts in <code>."""
    return _CODE.sub(r"<code>\1</code>", html.escape(text))


@dataclass(frozen=True)
class Shown:
    """A failing check to spell out, and how many more failing checks of the task had the same problem."""

    result: CaseResult
    same: int = 0


@dataclass(frozen=True, kw_only=True)
class TaskReport:
    """How one task fared: every case that ran, and whether the hidden cases were among them.

    *names* maps a text used in the checks to the expression that gives it in the notebook
    (``ARTICLE_SENTENCES["s05"]``), so that a call on a long article sentence can be rerun.
    """

    task: Task
    results: tuple[CaseResult, ...]
    hidden_ran: bool
    names: Mapping[str, str] = field(default_factory=dict)

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
            if not self.hidden_ran:
                return f"All {ran} visible check{'s' if ran != 1 else ''} passed."
            return f"All {ran} check{'s' if ran != 1 else ''} passed. Well done!"
        if visible_failed:
            return f"{len(visible_failed)} of {sum(not r.case.hidden for r in self.results)} visible checks failed."
        return "Every visible check passed, but not every hidden one."

    def grouped(self, *, hidden: bool = False) -> list[Shown]:
        """The failing checks, visible ones first, with failures that have the same problem (a
        function not written yet, say) told once. With *hidden*, failing hidden checks too (for a
        self-learner who holds them; graded feedback never spells them out)."""
        failed = self.failures(hidden=False) + (self.failures(hidden=True) if hidden else [])
        entries: list[Shown] = []
        for result in failed:
            twin = next((i for i, e in enumerate(entries) if result.problem and not result.returned
                         and e.result.problem == result.problem and not e.result.returned
                         and e.result.case.hidden == result.case.hidden), None)
            if twin is None:
                entries.append(Shown(result))
            else:
                entries[twin] = Shown(entries[twin].result, entries[twin].same + 1)
        return entries

    def spelled_out(self, max_shown: int = MAX_SHOWN, *, hidden: bool = False) -> list[Shown]:
        """The failures a report spells out: the first *max_shown* visible ones, and with *hidden* every hidden one."""
        entries = self.grouped(hidden=hidden)
        visible = [e for e in entries if not e.result.case.hidden]
        return visible[:max_shown] + [e for e in entries if e.result.case.hidden]

    def notes(self, *, max_shown: int = MAX_SHOWN, hidden: bool = False, pending: bool = True) -> list[str]:
        """What a student should know beyond the failures: hidden checks and extra failures
        (without the note on hidden checks still to run, unless *pending*)."""
        notes = []
        extra = sum(1 + e.same for e in self.grouped()[max_shown:])
        if extra > 0:
            notes.append(f"{extra} more visible check{'s' if extra > 1 else ''} failed; fixing the "
                         f"one{'s' if max_shown > 1 else ''} above may fix {'them' if extra > 1 else 'it'} too.")
        all_hidden = [r for r in self.results if r.case.hidden]
        failed = len(self.failures(hidden=True))
        hung = [r for r in all_hidden if r.status == "timed_out"]
        if hung:
            several = f"{len(hung)} hidden checks" if len(hung) > 1 else "A hidden check"
            notes.append(f"{several} of task {self.task.number} did not finish within {hung[0].seconds or 0:g} "
                         "seconds: look for a loop that never ends on some input.")
        if failed == 1 and not hidden:
            notes.append(f"A hidden check of task {self.task.number} failed.")
        elif failed and not hidden:
            notes.append(f"{failed} of the {len(all_hidden)} hidden checks of task {self.task.number} failed.")
        elif failed:
            notes.append(f"{failed} of the {len(all_hidden)} hidden checks of task {self.task.number} failed "
                         "(marked ✗ hidden above).")
        if self.hidden_ran and all_hidden and not failed:
            notes.append(f"All {len(all_hidden)} hidden checks passed.")
        if self.hidden_points_pending and pending:
            notes.append(
                f"Hidden checks worth {_points(self.hidden_points_pending)} more "
                f"{_points_word(self.hidden_points_pending)} run when your work "
                "is graded. They try examples that are not in the article, so follow the rules in "
                "the docstring, not just the examples."
            )
        return notes

    def shown_failures(self, max_shown: int = MAX_SHOWN) -> Sequence[CaseResult]:
        return [e.result for e in self.spelled_out(max_shown)]

    def _rows(self, entry: Shown) -> list[tuple[str, str, bool]]:
        """(label, text, is code) for one failing check, in the order they are shown."""
        result = entry.result
        rows = [("Called", result.called(self.names), True)]
        if result.case.practice:
            rows.append(("Practice", PRACTICE_NOTE, False))
        if result.problem:
            rows.append(("Problem", result.problem, False))
        if entry.same:
            rows.append(("Also", f"the same for {entry.same} more check{'s' if entry.same > 1 else ''} of this task",
                         False))
        if result.returned or not result.problem:
            got, expected = result.returned_and_expected()
            rows += [("Returned", got, True), ("Expected", expected, True)]
            if result.size_note():
                rows.append(("Note", result.size_note(), False))
        if result.where:
            rows.append(("Where", result.where, False))
        if not (result.problem and entry.same):
            rows.append(("Hint", result.case.hint, False))
        return rows

    # ----- plain text -------------------------------------------------------------------------

    def to_text(self, *, max_shown: int = MAX_SHOWN, hidden: bool = False, pending: bool = True) -> str:
        """The report as plain text; with *hidden*, failing hidden checks are spelled out too
        (*pending*: whether to mention the hidden checks still to run)."""
        lines = [f"{self.headline()}. {self.summary()}"]
        for entry in self.spelled_out(max_shown, hidden=hidden):
            mark = "✗ hidden" if entry.result.case.hidden else "✗"
            for i, (label, text, code) in enumerate(self._rows(entry)):
                lead = f"  {mark} " if i == 0 else " " * (len(mark) + 3)
                lines.append(f"{lead}{label + ':':<9} {text if code else plain(text)}")
        lines += [f"  {plain(note)}" for note in self.notes(max_shown=max_shown, hidden=hidden, pending=pending)]
        return "\n".join(lines)

    # ----- HTML -------------------------------------------------------------------------------

    def to_html(self) -> str:
        e = html.escape
        ok = self.complete
        colour = "#1a7f37" if ok else "#9a6700"
        rows = []
        for entry in self.spelled_out():
            cells = [(label, f"<code>{e(text)}</code>" if code else _html(text))
                     for label, text, code in self._rows(entry)]
            rows += [
                f"<tr style='vertical-align:top{';border-top:1px solid #d0d7de' if i == 0 else ''}'>"
                f"<th scope='row' style='text-align:left;padding:2px 8px 2px 0'>{label}</th>"
                f"<td style='text-align:left;padding:2px 0'>{value}</td></tr>"
                for i, (label, value) in enumerate(cells)
            ]
        table = f"<table style='border-collapse:collapse;margin:4px 0'>{''.join(rows)}</table>" if rows else ""
        items = "".join(f"<li>{_html(note)}</li>" for note in self.notes())
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
