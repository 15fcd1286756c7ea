"""The child process that runs a learner's code: ``python -m autograder.runner.worker``.

It reads a job from standard input (JSON: the notebook's folder, its code cells,
the calls to make, the time allowed per cell and per call, and where to write),
runs the cells in one namespace, then makes each call, writing one JSON line
per cell problem and per observation as soon as it has it, so that nothing
already learned is lost if the process is stopped. It never sees an expected value.
"""

from __future__ import annotations

import json
import linecache
import os
import resource
import signal
import sys
import traceback
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

from ..checks.run import Call, CappedText, StopLearnerCode, observe

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
    written = 64 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (written, written))
    if limits.get("processes"):
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))


def main() -> int:
    job = json.loads(sys.stdin.read())
    apply_limits(job["limits"])
    results = open(job["results"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115 (kept open to the end)
    os.chdir(job["folder"])
    sys.path.insert(0, job["folder"])
    signal.signal(signal.SIGALRM, _alarm)
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    printed = CappedText(job["output_limit"])

    def write(record: dict[str, Any]) -> None:
        results.write(json.dumps(record, ensure_ascii=False) + "\n")

    for cell in job["cells"]:
        problem = _run_cell(cell, namespace, printed, job["cell_seconds"])
        if problem:
            write({"kind": "cell", "cell": cell["number"], "grade_id": cell["grade_id"], **problem})
    for data in job["calls"]:
        call = Call.from_data(data)
        signal.setitimer(signal.ITIMER_REAL, job["call_seconds"])
        try:
            observation = observe(namespace, call)
        except OutOfTime:
            observation = {"case": call.case_id, "function": call.function, "status": "timed_out",
                           "seconds": job["call_seconds"]}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        write({"kind": "observation", **observation})
    if printed.dropped:
        write({"kind": "output", "kept": printed.limit, "dropped": printed.dropped})
    write({"kind": "done"})
    results.close()
    return 0


def _run_cell(cell: dict[str, Any], namespace: dict[str, Any], printed: CappedText, seconds: float) -> dict[str, Any]:
    try:
        name = f"<cell {cell['number']}>"
        linecache.cache[name] = (len(cell["source"]), None, cell["source"].splitlines(True), name)  # crash lines
        code = compile(cell["source"], name, "exec")
    except SyntaxError as error:
        return {"problem": "syntax", "error": type(error).__name__, "message": str(error.msg), "line": error.lineno}
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with redirect_stdout(printed), redirect_stderr(printed):
            exec(code, namespace)
    except OutOfTime:
        return {"problem": "timed_out", "seconds": seconds}
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the learner's error is a result, not the end of the run
        line = _line_in_cell(error, cell["number"])
        return {"problem": "error", "error": type(error).__name__, "message": _short(error), "line": line}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {}


def _line_in_cell(error: BaseException, number: int) -> int | None:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == f"<cell {number}>"]
    return frames[-1].lineno if frames else None


def _short(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:
        text = ""
    return text[:300]


if __name__ == "__main__":
    sys.exit(main())
