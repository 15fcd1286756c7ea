"""The scoring side: compare observations with the expected values of the cases.

Everything here works on plain data (see :mod:`autograder.checks.values`) and
never calls student code, so it can run in a process that student code never
touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .cases import Case
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
    status: str = ""  # how the call ended (an observation status: returned, raised, timed_out, ...)
    seconds: float | None = None  # the time the call was allowed, when it did not finish

    @property
    def earned(self) -> float:
        return self.case.points if self.passed else 0.0

    def called(self) -> str:
        """The call as the student would write it: ``split_sentences("He said no.")``."""
        parts = [show(arg, limit=80) for arg in self.case.args]
        parts += [f"{name}={show(value, limit=60)}" for name, value in self.case.kwargs.items()]
        return f"{self.case.function}({', '.join(parts)})"

    def expected(self) -> str:
        if self.case.raises:
            return f"to raise {self.case.raises}"
        return show(self.case.expect)

    def returned_and_expected(self) -> tuple[str, str]:
        """What came back and what was expected, cut around their first difference when long."""
        if self.value is None or self.case.raises:
            return self.got, self.expected()
        return show_pair(self.value, self.case.expect)

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
    return replace(_judge(case, observation), status=str(status or "not_run"),
                   seconds=float(seconds) if isinstance(seconds, (int, float)) else None)


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
        return _fail(case, "NotImplementedError", f"{name} is still the empty starting version: replace "
                     "`raise NotImplementedError()` with your own code.")
    if status == "raised":
        error = str(observation.get("error", "an error"))
        if case.raises and case.raises in observation.get("bases", [error]):
            return CaseResult(case=case, passed=True, got=f"raised {error}")
        message = str(observation.get("message", ""))
        got = f"raised {error}" + (f": {message}" if message else "")
        return _fail(case, got, "")
    if status == "returned":
        value = observation.get("value")
        got = show(value)
        if not case.raises and same(value, case.expect, tolerance=case.tolerance):
            return CaseResult(case=case, passed=True, got=got, value=value)
        return CaseResult(case=case, passed=False, got=got, value=value)
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


def _fail(case: Case, got: str, problem: str) -> CaseResult:
    return CaseResult(case=case, passed=False, got=got, problem=problem)
