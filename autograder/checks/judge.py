"""The scoring side: compare observations with the expected values of the cases.

Everything here works on plain data (see :mod:`autograder.checks.values`) and
never calls student code, so it can run in a process that student code never
touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .cases import Case
from .contract import dress, type_problem
from .values import same, show, show_pair

__all__ = ["CaseResult", "judge", "judge_all"]


@dataclass(frozen=True, kw_only=True)
class CaseResult:
    """The verdict on one case: passed or not, and what to tell the student."""

    case: Case
    passed: bool
    got: str
    value: Any = None
    problem: str = ""
    returned: bool = False
    """Whether the function returned a value (which may be None), so it can be set beside the expected one."""
    where: str = ""
    """For a crash: the line of the learner's code where it happened, and that line's text."""
    status: str = ""  # how the call ended (an observation status: returned, raised, timed_out, ...)
    seconds: float | None = None  # the time the call was allowed, when it did not finish

    @property
    def earned(self) -> float:
        return self.case.points if self.passed else 0.0


    def called(self, names: Mapping[str, str] | None = None) -> str:
        """The call as the student would write it: ``split_sentences("He said no.")``.

        *names* maps a text to the expression that gives it in the notebook (such as
        ``ARTICLE_SENTENCES["s05"]``), so that a long article sentence is named, not cut.
        """
        names = names or {}

        def one(value: Any, limit: int) -> str:
            if isinstance(value, str) and value in names:
                return names[value]
            return show(value, limit=limit)

        parts = [one(arg, 400) for arg in self.case.args]  # an article sentence is shown whole
        parts += [f"{name}={one(value, 200)}" for name, value in self.case.kwargs.items()]
        return f"{self.case.function}({', '.join(parts)})"

    def expected(self) -> str:
        if self.case.raises:
            return f"to raise {self.case.raises}"
        return show(dress(self.case.function, self.case.expect))

    def returned_and_expected(self) -> tuple[str, str]:
        """What came back and what was expected, cut around their first difference when long."""
        if not self.returned or self.case.raises:
            return self.got, self.expected()
        return show_pair(self.value, dress(self.case.function, self.case.expect))

    def size_note(self) -> str:
        """A plain sentence when a list came back with the wrong number of items."""
        got, expected = self.value, self.case.expect
        if isinstance(got, dict) and isinstance(expected, dict) and "$seq" in got and "$seq" in expected:
            n, m = len(got["$seq"]), len(expected["$seq"])
            if n != m:
                return f"Your list has {n} item{'s' if n != 1 else ''}; the expected list has {m}."
        return ""


def judge_all(
    cases: Iterable[Case], observations: Iterable[Mapping[str, Any]], *, not_run: str = ""
) -> list[CaseResult]:
    """A result for every case; a case with no observation did not run (*not_run* says why), and fails."""
    seen = {obs.get("case"): obs for obs in observations}
    missing = {"status": "not_run", "reason": not_run}
    return [judge(case, seen.get(case.id, missing)) for case in cases]


def judge(case: Case, observation: Mapping[str, Any]) -> CaseResult:
    """The verdict on *case* from *observation* (plain data: see :class:`autograder.records.Observation`)."""
    status = observation.get("status")
    seconds = observation.get("seconds") if status == "timed_out" else None
    result = _judge(case, observation)
    # The result is new, and no one holds it yet: how the call ended is set on it in place, as its constructor
    # would (a copy made by dataclasses.replace costs a tenth of judging a class).
    object.__setattr__(result, "status", str(status or "not_run"))
    object.__setattr__(result, "seconds", float(seconds) if isinstance(seconds, (int, float)) else None)
    return result


def _judge(case: Case, observation: Mapping[str, Any]) -> CaseResult:
    status = observation.get("status")
    name = case.function
    if status == "missing":
        name = str(observation.get("function") or name)
        return _fail(case, "nothing", f"There is no {name} yet. Write it in the cell of its task, run "
                     "that cell, then run this check again.")
    if status == "not_callable":
        return _fail(case, "nothing", f"{name} is a {observation.get('type', 'value')}, not a function. "
                     f"Keep the line that starts with `def {name}(` as it was given.")
    if status == "build_failed":
        cls, error = observation.get("class", "the class"), observation.get("error", "an error")
        if error == "NotImplementedError":
            return _fail(case, "nothing", f"This check needs {cls} objects, and {cls} is still the empty "
                         f"starting version. Finish {cls} first, then run this check again.")
        message = observation.get("message") or ""
        return _fail(case, "nothing", f"This check needs {cls} objects, and making one raised {error}"
                     f"{': ' + message if message else ''}. Look at {cls} first.")
    if status == "not_implemented":
        name = str(observation.get("function") or name)
        return _fail(case, "NotImplementedError", f"{name} is still the empty starting version: replace "
                     "`raise NotImplementedError()` with your own code.")
    if status == "raised":
        error = str(observation.get("error", "an error"))
        if case.raises and case.raises in observation.get("bases", [error]):
            return CaseResult(case=case, passed=True, got=f"raised {error}")
        message = str(observation.get("message", ""))
        got = f"raised {error}" + (f": {message}" if message else "")
        return CaseResult(case=case, passed=False, got=got, where=_where(observation))
    if status == "returned":
        value = observation.get("value")
        got = show(value)
        if case.raises:
            return CaseResult(case=case, passed=False, got=got, value=value, returned=True)
        kind = type_problem(case.function, value)
        if not kind and same(value, case.expect, tolerance=case.tolerance):
            return CaseResult(case=case, passed=True, got=got, value=value, returned=True)
        return CaseResult(case=case, passed=False, got=got, value=value, returned=True, problem=kind)
    if status == "timed_out":
        seconds = observation.get("seconds", 0)
        return _fail(case, "nothing", f"{name} did not finish within {seconds:g} seconds, so it was stopped. "
                     "Look for a loop that never ends.")
    if status == "too_large":
        size = observation.get("bytes")
        what = f" ({size / (1024 * 1024):.1f} MiB)" if isinstance(size, int) else f" ({observation.get('reason')})"
        return _fail(case, "a value too large to check", f"{name} returned a value too large to check{what}, so "
                     "this check earns no points. The answer should be small: look at what your function returns.")
    reason = observation.get("reason")
    if reason:
        return _fail(case, "nothing", f"This check did not run: {reason}.")
    return _fail(case, "nothing", "This check did not run to the end, so it earns no points.")


def _where(observation: Mapping[str, Any]) -> str:
    """Where a crash happened in the learner's code: "line 4 of your cell: i = words.index("said")", or ""."""
    line, code = observation.get("line"), observation.get("code")
    if not line:
        return ""
    return f"line {line} of your cell" + (f": {str(code).strip()}" if code else "")


def _fail(case: Case, got: str, problem: str) -> CaseResult:
    return CaseResult(case=case, passed=False, got=got, problem=problem)
