"""The student side: call the student's functions and record what happened, as plain data.

Nothing here knows what a call should return. An observation is a dict of
JSON-compatible values, so it can be sent from a sandboxed process to the
process that scores it (:mod:`autograder.checks.judge`).
"""

from __future__ import annotations

import io
import itertools
import os
import sys
import warnings

from .values import BuildError, MissingName, decode, encode

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for the annotations only: the sandboxed worker imports this module before it is ready
    from collections.abc import Iterable, Mapping
    from typing import Any

    from .cases import Call

__all__ = ["OUTPUT_LIMIT", "CappedText", "Captured", "Frame", "StopLearnerCode", "crash_site", "error_frames", "observe",
           "observe_all", "observe_data"]


class StopLearnerCode(BaseException):
    """Raised into the learner's code by whoever runs it (a time limit, say); :func:`observe` lets it through."""

OUTPUT_LIMIT = 500
"""How many characters of what a function prints are kept (the rest is cut, and the cut is said)."""


def observe_all(namespace: Mapping[str, Any], calls: Iterable[Call]) -> list[dict[str, Any]]:
    """One observation per call, in order."""
    return [observe(namespace, call) for call in calls]


def observe(namespace: Mapping[str, Any], call: Call) -> dict[str, Any]:
    """Call ``namespace[call.function]`` with the call's arguments and record the outcome (see :func:`observe_data`)."""
    return observe_data(namespace, call.to_data())


def observe_data(namespace: Mapping[str, Any], call: Mapping[str, Any]) -> dict[str, Any]:
    """Call ``namespace[call["function"]]`` with the call's ``args`` and ``kwargs`` (a call as the grader sends it,
    :meth:`~autograder.checks.cases.Call.to_data`) and record the outcome.

    The outcome is one of ``missing`` (no such name), ``not_callable``,
    ``not_implemented`` (the release's stub), ``raised`` (with the exception's
    class names and message) or ``returned`` (with the encoded value). What the
    function prints is captured, never shown on the notebook's stderr.
    """
    case_id, called, call_args, call_kwargs = call["case"], call["function"], call["args"], call["kwargs"]
    record: dict[str, Any] = {"case": case_id, "function": called}
    function = namespace.get(called)
    if function is None:
        return record | {"status": "missing"}
    if not callable(function):
        return record | {"status": "not_callable", "type": type(function).__name__}
    printed = CappedText(OUTPUT_LIMIT)
    try:
        with Captured(printed), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            args = [decode(arg, namespace) for arg in call_args]
            kwargs = {name: decode(value, namespace) for name, value in call_kwargs.items()}
            value = function(*args, **kwargs)
            outcome = {"status": "returned", "value": encode(value)}
    except MissingName as missing:
        outcome = {"status": "missing", "function": missing.name}
    except BuildError as failed:
        outcome = {"status": "build_failed", "class": failed.name, "error": type(failed.error).__name__,
                   "message": _message(failed.error)}
    except NotImplementedError as stub:
        outcome = {"status": "not_implemented", "function": _stub_name(stub, namespace, called)}
    except (KeyboardInterrupt, StopLearnerCode):
        raise
    except BaseException as error:  # a student's SystemExit is a result too, not the end of the check
        outcome = {"status": "raised", "error": type(error).__name__, "bases": _class_names(error),
                   "message": _message(error), **crash_site(error)}
    return record | outcome | {"printed": printed.text()}


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # the course's own code
_LIBRARIES = tuple(p for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, _PACKAGE} if len(p) > 1)


def _stub_name(error: NotImplementedError, namespace: Mapping[str, Any], called: str) -> str:
    """The name of the learner's function that raised *error*: the one called, or a function it calls
    (``Evidence(...)`` runs ``check_evidence``, so an unfinished check_evidence is named, not Evidence)."""
    try:
        frames = error_frames(error)
    except Exception:
        return called
    raiser = frames[-1].name if frames else ""
    return raiser if raiser != called and callable(namespace.get(raiser)) else called


def crash_site(error: BaseException) -> dict[str, Any]:
    """Where *error* was raised in the learner's own code: ``{"line": 4, "code": "i = words.index('said')"}``.

    That is the innermost frame that is neither Python's nor a library's nor the course's, so a
    crash inside ``list.index`` or ``re.sub`` is placed on the learner's line that called it. The
    line number counts from the top of the cell (or file) that holds the code; both are None when
    no frame of the learner's is found.
    """
    try:
        frames = error_frames(error)
        own = [f for f in frames if not f.filename.startswith(_LIBRARIES) and not f.filename.startswith("<frozen")]
        if not own:
            return {"line": None, "code": None}
        frame = own[-1]
        text = frame.line
    except Exception:
        return {"line": None, "code": None}
    return {"line": frame.lineno, "code": _cut(text or "", 200) or None}


class Frame:
    """One frame of an exception's traceback, as :func:`traceback.extract_tb` describes it: its file name, line
    number and function name, and its line of code (looked up when asked for)."""

    __slots__ = ("filename", "lineno", "name", "_globals", "_line")

    def __init__(self, filename: str, lineno: int | None, name: str, globals_: dict[str, Any]) -> None:
        self.filename, self.lineno, self.name, self._globals = filename, lineno, name, globals_
        self._line: str | None = None

    @property
    def line(self) -> str | None:
        """The frame's line of code, without the spaces around it ("" if it cannot be found), as a traceback
        shows it: a cell's own line (see :mod:`autograder.runner.sources`), else the file's, through
        :mod:`linecache` (imported only then)."""
        if self._line is None:
            if self.lineno is None:
                return None
            from ..runner.sources import waiting_line

            line = waiting_line(self.filename, self.lineno)
            if line is None:
                import linecache

                linecache.lazycache(self.filename, self._globals)
                linecache.checkcache(self.filename)
                line = linecache.getline(self.filename, self.lineno)
            self._line = line
        return self._line.strip()


def error_frames(error: BaseException) -> list[Frame]:
    """The frames of *error*'s traceback, outermost first, as :func:`traceback.extract_tb` gives them (the same
    file names, line numbers and names, and the same lines), without importing :mod:`traceback` (and so
    :mod:`linecache`, :mod:`tokenize` and :mod:`re`): most failed calls are a release's stub, and each sandbox
    would pay that import (5 to 11 ms) for a name. Where the learner's code has set ``sys.tracebacklimit``,
    :mod:`traceback` itself reads the frames, as it honours that limit."""
    if hasattr(sys, "tracebacklimit"):
        import traceback

        summary = traceback.extract_tb(error.__traceback__)
        frames = [Frame(f.filename, f.lineno, f.name, {}) for f in summary]
        for frame, described in zip(frames, summary):
            frame._line = described.line  # looked up by traceback already
        return frames
    frames = []
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append(Frame(code.co_filename, _line_number(code, tb.tb_lasti, tb.tb_lineno), code.co_name,
                            tb.tb_frame.f_globals))
        tb = tb.tb_next
    return frames


def _line_number(code: Any, instruction: int, fallback: int | None) -> int | None:
    """The line of the instruction at byte offset *instruction* in *code*, as :mod:`traceback` finds it: from the
    code's positions, or *fallback* (the traceback's line) where they give none."""
    if instruction >= 0:
        line = next(itertools.islice(code.co_positions(), instruction // 2, None))[0]
        if line is not None:
            return int(line)
    return fallback


class Captured:
    """``with Captured(stream):`` sends what is printed to standard output and standard error to *stream*, and puts
    both back after, as ``contextlib.redirect_stdout`` and ``redirect_stderr`` do (importing :mod:`contextlib`
    would cost the sandboxed worker more than the rest of its start)."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.saved: list[tuple[Any, Any]] = []

    def __enter__(self) -> io.TextIOBase:
        self.saved.append((sys.stdout, sys.stderr))
        sys.stdout = sys.stderr = self.stream
        return self.stream

    def __exit__(self, *exception: object) -> None:
        sys.stdout, sys.stderr = self.saved.pop()


class CappedText(io.TextIOBase):
    """A text stream that keeps the first *limit* characters and counts the rest, so a flood of
    printing costs no memory."""

    def __init__(self, limit: int) -> None:
        self.limit, self.kept, self.dropped = limit, io.StringIO(), 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = max(self.limit - self.kept.tell(), 0)
        self.kept.write(text[:room])
        self.dropped += max(len(text) - room, 0)
        return len(text)

    def text(self) -> str:
        cut = f"… [cut: {self.dropped} more characters]" if self.dropped else ""
        return self.kept.getvalue() + cut


def _class_names(error: BaseException) -> list[str]:
    return [cls.__name__ for cls in type(error).__mro__]


def _message(error: BaseException) -> str:
    try:
        return _cut(str(error), 300)
    except Exception:
        return ""


def _cut(text: str, limit: int = OUTPUT_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"… [cut: {len(text) - limit} more characters]"
