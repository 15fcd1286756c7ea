"""Start the worker on a notebook under limits, talk to it in lockstep, and check all it says.

The grader creates the channel (two pipes, handed to the worker by descriptor; see
:mod:`.worker`), sends one call at a time with a fresh nonce and waits for its answer,
so the worker never holds a call ahead of time. Every record is type-checked
(:func:`autograder.records.parse_record`); one that no honest worker sends is kept as
evidence of tampering and never stops the batch.
"""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks.cases import Call
from ..nbgrader_bridge.cells import read_notebook
from ..records import CHANNEL_RECORD_LIMIT, CellProblem, ChannelRecord, Observation, RecordError, parse_record
from .cells import CodeCell, code_cells

__all__ = ["Limits", "NotebookRun", "Wrapped", "Wrapper", "run_notebook"]

GRACE_SECONDS = 10.0
"""How long past a call's own limit the grader waits before it stops a worker whose timer was silenced."""


@dataclass(frozen=True, kw_only=True)
class Limits:
    """What one run of a notebook may use."""

    wall_seconds: float = 60.0
    cpu_seconds: float = 30.0
    memory_mb: int = 512
    output_kb: int = 64
    processes: int = 16
    cell_seconds: float = 10.0
    call_seconds: float = 5.0
    scratch_mb: int = 64
    scratch_files: int = 2000

    @classmethod
    def from_grading(cls, grading: Any) -> Limits:
        """The limits in a manifest's ``grading`` section."""
        return cls(**{name: getattr(grading, name) for name in cls.__dataclass_fields__ if hasattr(grading, name)})


@dataclass(frozen=True, kw_only=True)
class Wrapped:
    """A worker's command as a sandbox runs it, and where the worker's folder is as it sees it."""

    argv: list[str]
    folder: str
    copy_from: str | None = None  # a folder the worker copies into *folder* before any learner's code runs
    signal_status: bool = False  # the wrapper reports a child killed by signal N as exit status 128 + N
    uid: int | None = None  # the sandbox's own user, whose every process is ended after the run (no namespace does)


Wrapper = Callable[[list[str]], Wrapped]


@dataclass(kw_only=True)
class NotebookRun:
    """What came back from one run: observations, cell problems, and how the run ended."""

    observations: list[Observation] = field(default_factory=list)
    cell_problems: list[CellProblem] = field(default_factory=list)
    started: bool = False  # the worker said it was ready: from here on, what happens is the submission's doing
    finished: bool = False
    stopped: str = ""  # why the run ended early, in plain words
    output_dropped: int = 0
    tampering: list[str] = field(default_factory=list)  # records no honest worker sends, in the instructor's words
    grader_problem: str = ""  # the sandbox or the worker failed before any learner's code ran
    cpu_seconds: float = 0.0
    moments: dict[str, float] = field(default_factory=dict)  # when each step began or ended (monotonic clock)


def run_notebook(
    notebook: Path,
    calls: Sequence[Call],
    limits: Limits,
    *,
    cells: Sequence[CodeCell] | None = None,
    wrap: Wrapper | None = None,
    scratch: Path | None = None,
) -> NotebookRun:
    """Run *notebook*'s code cells (or *cells*), then *calls*, in a child process under *limits*.

    *scratch* is the child's working copy of the notebook's folder (default: the folder
    itself); *wrap* turns the child's command into a sandboxed one. Raises DataFileError
    when the notebook cannot be read. Never raises for what the child does or says.
    """
    if cells is None:
        cells = code_cells(read_notebook(notebook))
    compile_package()
    folder = scratch or notebook.parent
    calls_read, calls_write = os.pipe()
    answers_read, answers_write = os.pipe()
    command = worker_command(calls_read, answers_write)
    run = NotebookRun()
    run.moments["launch"] = time.monotonic()
    try:
        wrapped = wrap(command) if wrap else Wrapped(argv=command, folder=str(folder.resolve()))
        process = subprocess.Popen(
            wrapped.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=folder,
            start_new_session=True, env=child_env(), pass_fds=(calls_read, answers_write),
        )
    except OSError as error:
        for fd in (calls_read, calls_write, answers_read, answers_write):
            os.close(fd)
        run.grader_problem = f"the sandbox could not be started: {error}"
        return run
    os.close(calls_read)  # the worker's ends: only the worker (and its sandbox) holds them now
    os.close(answers_write)
    session = _Session(process, calls_write, answers_read, limits, wrapped)
    try:
        session.talk(cells, calls, run)
    finally:
        session.close(run)
        run.moments["closed"] = time.monotonic()
    return run


def worker_command(calls_fd: int, answers_fd: int) -> list[str]:
    """The worker's command line: a Python that starts without the ``site`` module's scan of the environment
    (its ``.pth`` files import the editable install's finder), with the same packages importable (see
    :func:`site_packages`), and without the user's own site folder."""
    return [sys.executable, *FAST_START, "-c", run_module("autograder.runner.worker"), str(calls_fd),
            str(answers_fd), *site_packages()]


def run_module(name: str) -> str:
    """The code for ``python -c`` that runs the module *name*'s ``main()`` and exits with what it returns, with the
    arguments after it in ``sys.argv[1:]`` as ``python -m`` would give them: ``-m`` costs each start the import of
    ``importlib.util`` and ``contextlib``, which these modules do not use."""
    return f"import sys; from {name} import main; sys.exit(main())"


FAST_START = ("-s", "-S", "-P")
"""Python's start-up flags for the processes of a sandboxed run: no user site folder, no ``site`` scan, and no
working folder on the path (``-m`` would put it first, and that folder holds the submission's files: a submitted
``json.py`` would run in place of the standard library's, in the sandbox's entry as root, or in the worker before
its limits)."""


@functools.cache
def compile_package() -> None:
    """Write the course package's bytecode beside its sources, once per process, so that each worker (which may
    not write it: its copy of the package is read-only) loads its modules instead of compiling them; a package
    that cannot be written to is left as it is."""
    import compileall

    with contextlib.suppress(OSError):
        compileall.compile_dir(str(Path(__file__).resolve().parents[1]), quiet=2)


def site_packages() -> list[str]:
    """The folders of installed packages that the grader's own Python has on its path, in order."""
    import site

    known = set(site.getsitepackages())
    return [path for path in sys.path if path in known]


class _Session:
    """One lockstep conversation with a worker."""

    def __init__(self, process: subprocess.Popen[bytes], calls_fd: int, answers_fd: int, limits: Limits,
                 wrapped: Wrapped) -> None:
        self.process, self.limits, self.wrapped = process, limits, wrapped
        self.deadline = time.monotonic() + limits.wall_seconds
        self.records: queue.Queue[ChannelRecord | str | None] = queue.Queue()
        self.outbox: queue.Queue[bytes | None] = queue.Queue()
        self.output = _Output(limits.output_kb * 1024)
        self.calls_fd = calls_fd
        self.cpu_used = 0.0
        self.running = True
        self.ended = threading.Event()  # the worker has exited, or the session is closing
        self.threads = [
            threading.Thread(target=self._measure, daemon=True),
            threading.Thread(target=_read_records, args=(answers_fd, self.records), daemon=True),
            threading.Thread(target=_write_messages, args=(calls_fd, self.outbox), daemon=True),
            threading.Thread(target=self.output.drain, args=(process.stdout,), daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def send(self, message: dict[str, Any]) -> None:
        import json

        self.outbox.put((json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8"))

    def next(self, until: float) -> ChannelRecord | str | None | bool:
        """The next record, a reason (str) for a bad one, None at the end of the channel, False on time-out."""
        try:
            return self.records.get(timeout=max(min(until, self.deadline) - time.monotonic(), 0.0))
        except queue.Empty:
            return False

    def talk(self, cells: Sequence[CodeCell], calls: Sequence[Call], run: NotebookRun) -> None:
        limits, nonce = self.limits, secrets.token_hex(8)
        self.send({
            "nonce": nonce, "folder": self.wrapped.folder, "copy_from": self.wrapped.copy_from,
            "cells": [{"number": c.number, "source": c.source, "grade_id": c.grade_id} for c in cells],
            "cell_seconds": limits.cell_seconds, "call_seconds": limits.call_seconds,
            "output_limit": limits.output_kb * 1024,
            "limits": {"cpu_seconds": limits.cpu_seconds, "memory_mb": limits.memory_mb,
                       "file_mb": limits.scratch_mb, "processes": limits.processes if _own_user(self.wrapped) else None},
        })
        first = self.next(self.deadline)
        if not (isinstance(first, ChannelRecord) and first.kind == "ready" and first.nonce == nonce):
            run.grader_problem = self._start_failure(first)
            return
        run.started = True
        run.moments["ready"] = time.monotonic()
        clock = first.clock if isinstance(first, ChannelRecord) else None
        if clock is not None and run.moments["launch"] <= clock <= run.moments["ready"]:
            run.moments["python"] = clock
        while True:  # the cells
            item = self.next(self.deadline)
            if item is None or item is False:
                return self._ended(item, run)
            if isinstance(item, ChannelRecord) and item.nonce == nonce and item.kind == "cells_done":
                run.moments["cells_done"] = time.monotonic()
                break
            if isinstance(item, ChannelRecord) and item.nonce == nonce and item.kind == "cell" and item.cell:
                run.cell_problems.append(item.cell)
            else:
                run.tampering.append(_unasked(item, "while the notebook's cells ran"))
        for call in calls:
            asked = secrets.token_hex(8)
            self.send({"call": call.to_data(), "nonce": asked})
            until = time.monotonic() + limits.call_seconds + GRACE_SECONDS
            while True:
                item = self.next(until)
                if item is False and time.monotonic() < self.deadline:
                    run.observations.append(Observation(case=call.case_id, function=call.function, status="timed_out",
                                                        seconds=limits.call_seconds))
                    run.stopped = (f"a call did not stop when its {limits.call_seconds:g} seconds were up, "
                                   "so the run was stopped")
                    return
                if item is None or item is False:
                    return self._ended(item, run)
                observation = item.observation if isinstance(item, ChannelRecord) else None
                if (isinstance(item, ChannelRecord) and item.kind == "observation" and item.nonce == asked
                        and observation is not None and observation.case == call.case_id):
                    run.observations.append(observation)
                    break
                run.tampering.append(_unasked(item, f"while case {call.case_id!r} was being checked"))
        run.moments["calls_done"] = time.monotonic()
        ending = secrets.token_hex(8)
        self.send({"end": True, "nonce": ending})
        while True:
            item = self.next(time.monotonic() + GRACE_SECONDS)
            if item is None or item is False:
                return self._ended(item, run)
            if isinstance(item, ChannelRecord) and item.kind == "done" and item.nonce == ending:
                run.finished = True
                run.output_dropped += item.dropped
                break
            run.tampering.append(_unasked(item, "after the last call"))
        end = time.monotonic() + 5
        while (item := self.next(end)) not in (None, False):  # the worker exits; nothing more may come
            run.tampering.append(_unasked(item, "after the worker said it was done"))

    def _start_failure(self, first: ChannelRecord | str | None | bool) -> str:
        code = self._wait(5)
        self.threads[-1].join(timeout=5)  # the output reader: all the worker said before it ended
        said = self.output.head().strip()
        if first is False:
            what = f"it did not start within {self.limits.wall_seconds:g} seconds"
        elif first is None:
            what = f"it exited (status {code}) before it was ready" if code is not None else "it closed its channel"
        else:
            what = "its first message was not the one it sends when it is ready"
        return f"the sandboxed worker failed before running any of the submission's code: {what}" + (
            f"; it said: {said[-1500:]}" if said else "")

    def _ended(self, item: None | bool, run: NotebookRun) -> None:
        if item is False:
            run.stopped = f"it was still running after {self.limits.wall_seconds:g} seconds, so it was stopped"
            return
        code = self._wait(5)
        run.stopped = _why(code, self.limits, self.wrapped, self.cpu_used)

    def _measure(self) -> None:
        """Sample the processor time of the worker's whole process tree (a sandbox may not pass it back)."""
        # Most runs end before the first sample: scanning /proc costs more than a whole short run.
        while not self.ended.wait(0.25) and self.running:
            self.cpu_used = max(self.cpu_used, _tree_cpu_seconds(self.process.pid))

    def _wait(self, seconds: float) -> int | None:
        end = time.monotonic() + seconds
        pause = 0.001  # a worker that has said it is done exits within milliseconds: look soon, then less often
        while time.monotonic() < end:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.running = False
                self.ended.set()
                self.cpu_used = max(self.cpu_used, usage.ru_utime + usage.ru_stime)
                self.process.returncode = os.waitstatus_to_exitcode(status)
                return self.process.returncode
            time.sleep(pause)
            pause = min(pause * 2, 0.02)
        return None

    def close(self, run: NotebookRun) -> None:
        self.running = False
        self.ended.set()
        self.outbox.put(None)
        _kill_group(self.process)
        if self.process.returncode is None and self._wait(10) is None:
            self.process.wait()
        _kill_group(self.process)  # anything it started in the background goes too
        if self.wrapped.uid is not None:
            _kill_user(self.wrapped.uid)
        for thread in self.threads:
            thread.join(timeout=5)
        run.output_dropped += self.output.dropped
        run.cpu_seconds = self.cpu_used


class _Output:
    """The worker's standard output and error: the first part kept (for a start that failed), the rest counted."""

    def __init__(self, limit: int) -> None:
        self.limit, self.kept, self.dropped = limit, bytearray(), 0

    def drain(self, stream: Any) -> None:
        if stream is None:
            return
        while chunk := stream.read(65536):
            room = max(self.limit - len(self.kept), 0)
            self.kept += chunk[: min(room, 4096)]
            self.dropped += max(len(chunk) - room, 0)

    def head(self) -> str:
        return self.kept.decode("utf-8", errors="replace")


def _tree_cpu_seconds(root: int) -> float:
    """The processor time (user + system) used so far by *root* and every process below it, from /proc."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        names = os.listdir("/proc")
    except OSError:
        return 0.0
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(name)] = int(fields[1])
        times[int(name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(times.get(pid, 0.0) for pid in tree)


def _read_records(fd: int, records: queue.Queue[ChannelRecord | str | None]) -> None:
    """Read the worker's channel: each line a checked record, or the reason it is not one; None at the end."""
    buffer = bytearray()
    skipping = False
    with os.fdopen(fd, "rb", buffering=0) as stream:
        while chunk := stream.read(1 << 16):
            buffer += chunk
            while (end := buffer.find(b"\n")) >= 0:
                line, buffer = bytes(buffer[:end]), buffer[end + 1:]
                if skipping:
                    skipping = False
                    continue
                try:
                    records.put(parse_record(line))
                except RecordError as error:
                    records.put(str(error))
            if len(buffer) > CHANNEL_RECORD_LIMIT and not skipping:
                records.put(f"a record larger than {CHANNEL_RECORD_LIMIT // (1024 * 1024)} MiB, larger than any the "
                            "worker sends")
                skipping = True
            if skipping:
                buffer.clear()
    if buffer.strip() and not skipping:
        records.put("a record cut off at the end of the channel")
    records.put(None)


def _write_messages(fd: int, outbox: queue.Queue[bytes | None]) -> None:
    with os.fdopen(fd, "wb", buffering=0) as stream:
        while (message := outbox.get()) is not None:
            try:
                stream.write(message)
            except (BrokenPipeError, OSError):
                return


def _unasked(item: ChannelRecord | str | bool | None, when: str) -> str:
    """One piece of tampering evidence, in the instructor's words."""
    if isinstance(item, str):
        return f"{item} ({when})"
    if isinstance(item, ChannelRecord):
        what = f"an answer for case {item.observation.case!r}" if item.observation else f"a {item.kind!r} record"
        return f"{what} that the grader had not asked for ({when})"
    return f"an unexpected event ({when})"


def _own_user(wrapped: Wrapped) -> bool:
    # RLIMIT_NPROC counts per user, so it is set only where the child runs as a user of its own.
    unwrapped = [sys.executable, *FAST_START, "-c", run_module("autograder.runner.worker")]
    return _is_root() and wrapped.argv[:len(unwrapped)] != unwrapped


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def child_env() -> dict[str, str]:
    """The environment of a sandboxed run's processes: a few plain variables, and the course package on
    PYTHONPATH (the processes start without ``site``, so an installed package is found only through it)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8", PYTHONHASHSEED="0", MPLBACKEND="Agg")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_user(uid: int) -> None:
    """End every process of the sandbox's user *uid* (as root): what a run started in a session of its own too."""
    script = f"import os, signal\nos.setgid({uid})\nos.setuid({uid})\ntry:\n    os.kill(-1, signal.SIGKILL)\n" \
             "except ProcessLookupError:\n    pass\n"
    subprocess.run([sys.executable, "-c", script], check=False, timeout=30, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _why(code: int | None, limits: Limits, wrapped: Wrapped, cpu_used: float) -> str:
    """Why a run that did not finish its checks ended, from its exit status and the processor time it used."""
    if code is None:
        return "it stopped answering, so it was stopped"
    if wrapped.signal_status and code > 128 and (code - 128) in {s.value for s in signal.Signals}:
        code = -(code - 128)
    if code == -signal.SIGXCPU or (code in (-signal.SIGKILL, 1) and cpu_used >= limits.cpu_seconds):
        return f"it used more than {limits.cpu_seconds:g} seconds of processor time, so it was stopped"
    if code == -signal.SIGKILL:
        return "it was killed (its own code killed it, or it ran out of memory)"
    if code < 0:
        return f"it was stopped by the signal {signal.Signals(-code).name}"
    return f"it exited (status {code}) before every check had run"


