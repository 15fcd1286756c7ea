"""The child process that runs a learner's code: ``python -m autograder.runner.worker CALLS_FD ANSWERS_FD`` (the
grader starts it as ``python -c`` code, see :func:`.launch.worker_command`).

The grader created both descriptors (pipes) and owns the other ends: nothing in the
submission's folder is a channel, and no path leads to one. The talk is in lockstep,
one JSON line at a time:

1. the grader sends the job (the code cells, the time allowed, the limits, a nonce);
   the worker applies the limits and answers ``ready``, before any learner's code runs;
2. the worker runs the cells in one namespace, sending a ``cell`` record for each that
   failed, then ``cells_done``;
3. the worker reads one call at a time (each with a fresh nonce) and answers it with an
   ``observation`` before it reads the next; the grader sends a hidden case's call only
   once the call before it has been answered, so the worker never holds the hidden calls
   to come (the visible ones, which the student has in cases.yaml, it sends together);
4. the grader sends ``end``; the worker answers ``done``.

A record the grader did not ask for, one with the wrong nonce, a second answer or one
after ``done`` is evidence of tampering. The worker never sees an expected value.

Every submission pays for the worker's start, so before it is ready it imports only what it runs:
no ``typing``, ``dataclasses``, ``json`` package, ``re``, ``enum`` (so ``_signal``, not ``signal``),
``contextlib`` or ``linecache``; what only a failure needs is imported when it happens.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()
"""When this worker's Python began running its code (the clock is the grader's too), for the grader's timings."""

import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402

from ..checks.run import CappedText, Captured, StopLearnerCode, error_frames, observe_data  # noqa: E402
from ..record_checks import CHANNEL_RECORD_LIMIT, MAX_VALUE_DEPTH, RecordError, observation_fields  # noqa: E402
from ..record_checks import value_depth  # noqa: E402
from .jsonlines import dumps, loads  # noqa: E402
from .sources import remember  # noqa: E402

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal as _signal  # the same functions and numbers, as typed
    from typing import IO, Any, NoReturn
else:
    import _signal  # what the signal module wraps, without the enum module it imports for its names

__all__ = ["main"]


class OutOfTime(StopLearnerCode):
    """Raised in the learner's code when a cell or a call has used its time."""


def _alarm(signum: int, frame: Any) -> None:
    raise OutOfTime()


def apply_limits(limits: dict[str, Any]) -> None:
    """Limit this process (and what it starts) before any learner's code runs."""
    cpu = int(limits["cpu_seconds"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = int(limits["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    written = int(limits.get("file_mb") or 64) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (written, written))
    if limits.get("processes"):
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))


class Channel:
    """The worker's ends of the grader's two pipes: calls come in on one, records go out on the other."""

    def __init__(self, calls_fd: int, answers_fd: int) -> None:
        for fd in (calls_fd, answers_fd):
            os.set_inheritable(fd, False)  # programs the learner's code starts do not get them
        self.calls: IO[bytes] = os.fdopen(calls_fd, "rb")
        self.answers_fd = answers_fd

    def receive(self) -> dict[str, Any]:
        line = self.calls.readline()
        if not line:
            raise SystemExit(0)  # the grader has gone: nothing more to do
        message = loads(line)
        if not isinstance(message, dict):
            raise SystemExit("the grader sent something that is not a message")
        return message

    def send(self, record: dict[str, Any]) -> None:
        data = (dumps(record) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(self.answers_fd, view)
            view = view[written:]


def checked(observation: dict[str, Any]) -> dict[str, Any]:
    """*observation*, or a ``too_large`` one in its place when its value is too big or too deep to send."""
    value = observation.get("value")
    if observation.get("status") == "returned":
        if value_depth(value) > MAX_VALUE_DEPTH:
            return {"case": observation["case"], "function": observation["function"], "status": "too_large",
                    "reason": "nested too deeply", "printed": observation.get("printed", "")}
        if isinstance(value, str) and value.isascii() and len(value) > CHANNEL_RECORD_LIMIT:
            size = len(value)  # too large already, and measured without copying it twice more
        else:
            size = len(dumps(value).encode("utf-8"))
        if size > CHANNEL_RECORD_LIMIT - 64 * 1024:
            return {"case": observation["case"], "function": observation["function"], "status": "too_large",
                    "bytes": size, "printed": observation.get("printed", "")}
    try:
        observation_fields(observation)  # the grader's own check (records.Observation.from_data)
    except RecordError as error:  # never expected: the worker itself made it
        return {"case": observation.get("case", ""), "function": observation.get("function", ""),
                "status": "raised", "error": "GraderError", "message": str(error)}
    return observation


def _installed_packages(folders: list[str]) -> None:
    """Put the installed packages' folders on the path (after the standard library, where ``site`` puts them) and
    give the learner's code the few names ``site`` defines (``exit``, ``quit``, ``help``…): the worker starts
    without ``site`` (see :func:`autograder.runner.launch.worker_command`)."""
    sys.path.extend(folder for folder in folders if folder not in sys.path)
    import builtins

    if not hasattr(builtins, "exit"):
        import site

        site.setquit()
        site.setcopyright()
        site.sethelper()


def main() -> int:
    _installed_packages(sys.argv[3:])
    channel = Channel(int(sys.argv[1]), int(sys.argv[2]))
    job = channel.receive()
    apply_limits(job["limits"])
    folder = job["folder"]
    if job.get("copy_from"):
        import shutil  # only here: it is slow to import, and most sandboxes copy their files themselves

        for name in sorted(os.listdir(job["copy_from"])):
            shutil.copyfile(os.path.join(job["copy_from"], name), os.path.join(folder, name))
    os.chdir(folder)
    sys.path.insert(0, folder)
    _signal.signal(_signal.SIGALRM, _alarm)
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    printed = CappedText(job["output_limit"])
    channel.send({"kind": "ready", "nonce": job["nonce"], "clock": STARTED})
    for cell in job["cells"]:
        problem = _run_cell(cell, namespace, printed, job["cell_seconds"])
        if problem:
            channel.send({"kind": "cell", "nonce": job["nonce"], "cell": cell["number"], "grade_id": cell["grade_id"],
                          **problem})
    channel.send({"kind": "cells_done", "nonce": job["nonce"]})
    while True:
        message = channel.receive()
        if "call" not in message:
            channel.send({"kind": "done", "nonce": message.get("nonce", ""), "dropped": printed.dropped})
            _end_now()
        call = message["call"]
        case_id, function = call["case"], call["function"]
        _signal.setitimer(_signal.ITIMER_REAL, job["call_seconds"])
        try:
            observation = observe_data(namespace, call)
        except OutOfTime:
            observation = {"case": case_id, "function": function, "status": "timed_out",
                           "seconds": job["call_seconds"]}
        finally:
            _signal.setitimer(_signal.ITIMER_REAL, 0)
        channel.send({"kind": "observation", "nonce": message.get("nonce", ""), **checked(observation)})


def _end_now() -> NoReturn:
    """Exit at once, once the grader has its answers: without the interpreter's clean-up, which costs a few
    milliseconds a run and could only run the learner's code again (its exit handlers and finalizers), after
    the end. What was written to the standard output and error is flushed first."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # the learner's code may have replaced or closed them
            pass
    os._exit(0)


def _run_cell(cell: dict[str, Any], namespace: dict[str, Any], printed: CappedText, seconds: float) -> dict[str, Any]:
    try:
        name = f"<cell {cell['number']}>"
        remember(name, cell["source"])  # the cell's lines, for tracebacks
        code = compile(cell["source"], name, "exec")
    except SyntaxError as error:
        return {"problem": "syntax", "error": type(error).__name__, "message": str(error.msg), "line": error.lineno}
    _signal.setitimer(_signal.ITIMER_REAL, seconds)
    try:
        with Captured(printed):
            exec(code, namespace)
    except OutOfTime:
        return {"problem": "timed_out", "seconds": seconds}
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the learner's error is a result, not the end of the run
        line = _line_in_cell(error, cell["number"])
        result: dict[str, Any] = {"problem": "error", "error": type(error).__name__, "message": _short(error)}
        if line is not None:
            result["line"] = line
        return result
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
    return {}


def _line_in_cell(error: BaseException, number: int) -> int | None:
    frames = [f for f in error_frames(error) if f.filename == f"<cell {number}>"]
    return frames[-1].lineno if frames else None


def _short(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:
        text = ""
    return text[:300]


if __name__ == "__main__":
    sys.exit(main())
