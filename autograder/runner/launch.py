"""Start the worker on a notebook under limits, talk to it in lockstep, and check all it says.

The grader creates the channel (two pipes, handed to the worker by descriptor; see
:mod:`.worker`) and sends each hidden case's call alone, with a fresh nonce, once the call
before it has been answered, so the worker never holds a hidden call ahead of time; the
visible cases' calls (which the student has, in cases.yaml) go at once, each with its own
nonce, and are answered one by one in the same order. Every record is type-checked
(:func:`autograder.records.parse_record`); one that no honest worker sends is kept as
evidence of tampering and never stops the batch.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import itertools
import os
import selectors
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

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
    entry: dict[str, Any] | None = None  # the sandbox entry's spec and command, for a warm launcher (see Launch)


class Child(Protocol):
    """A started worker, as the session waits for it."""

    pid: int

    def reap(self, block: bool) -> tuple[int, float] | None:
        """(wait status, processor seconds of it and all it waited for) once it has exited, else None;
        OSError when that can no longer be known."""


Launch = Callable[[Wrapped, dict[str, str], Path, int, tuple[int, ...]], Child]
"""Start a wrapped worker with an environment, in a folder, with its output on a descriptor and the channel's
descriptors passed: a warm launcher does it without starting a Python for the sandbox's entry."""


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
    launch: Launch | None = None,
) -> NotebookRun:
    """Run *notebook*'s code cells (or *cells*), then *calls*, in a child process under *limits*.

    *scratch* is the child's working copy of the notebook's folder (default: the folder
    itself); *wrap* turns the child's command into a sandboxed one, which *launch* (a warm launcher) starts where
    it can. Raises DataFileError
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
    output_read, output_write = os.pipe()
    try:
        wrapped = wrap(command) if wrap else Wrapped(argv=command, folder=str(folder.resolve()))
        if launch is not None and wrapped.entry is not None:
            child: Child = launch(wrapped, child_env(), folder, output_write, (calls_read, answers_write))
        else:
            child = _Popened(subprocess.Popen(
                wrapped.argv, stdin=subprocess.DEVNULL, stdout=output_write, stderr=output_write, cwd=folder,
                start_new_session=True, env=child_env(), pass_fds=(calls_read, answers_write),
            ))
    except OSError as error:
        for fd in (calls_read, calls_write, answers_read, answers_write, output_read, output_write):
            os.close(fd)
        run.grader_problem = f"the sandbox could not be started: {error}"
        return run
    for fd in (calls_read, answers_write, output_write):  # the worker's ends: only the worker holds them now
        os.close(fd)
    session = _Session(child, output_read, calls_write, answers_read, limits, wrapped)
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
    """One lockstep conversation with a worker, held in the calling thread: one loop waits on the worker's
    answers and its output (and on the calls pipe while a message is still being written), and samples the
    processor time of its process tree. No thread is started, so a run costs no switching between threads."""

    def __init__(self, child: Child, output_fd: int, calls_fd: int, answers_fd: int, limits: Limits,
                 wrapped: Wrapped) -> None:
        self.child, self.limits, self.wrapped = child, limits, wrapped
        self.returncode: int | None = None
        self.lost = ""  # why the worker's end could not be known (its launcher failed): the grader's problem
        self.deadline = time.monotonic() + limits.wall_seconds
        self.records: collections.deque[ChannelRecord | str | None] = collections.deque()
        self.reader = _RecordReader()
        self.output = _Output(limits.output_kb * 1024)
        self.calls_fd: int | None = calls_fd
        self.answers_fd: int | None = answers_fd
        self.unsent = bytearray()  # what the grader has said and the pipe has not yet taken
        self.cpu_used = 0.0
        self.running = True
        self.next_sample = time.monotonic() + SAMPLE_SECONDS
        self.selector = selectors.DefaultSelector()
        os.set_blocking(calls_fd, False)  # a worker that stops reading never blocks the grader
        self.selector.register(answers_fd, selectors.EVENT_READ)
        self.output_fd: int | None = output_fd
        self.selector.register(output_fd, selectors.EVENT_READ)

    def send(self, message: dict[str, Any]) -> None:
        """Say *message* to the worker, as one line."""
        import json

        self.say(json.dumps(message, ensure_ascii=False) + "\n")

    def send_calls(self, calls: Sequence[tuple[Call, str]]) -> None:
        """Send each (call, nonce) as a call message, ``{"call": …, "nonce": …}``, all in one write where the pipe
        takes it (each call's JSON is encoded once, and serves every submission)."""
        self.say("".join(f'{{"call": {call.encoded}, "nonce": "{nonce}"}}\n' for call, nonce in calls))

    def say(self, lines: str) -> None:
        """Give the worker *lines* (whole JSON lines)."""
        self.unsent += lines.encode("utf-8")
        self._write()

    def _write(self) -> None:
        """Give the calls pipe as much of what is unsent as it takes now; wait on it for the rest."""
        if self.calls_fd is None:
            self.unsent.clear()
            return
        try:
            while self.unsent:
                self.unsent = self.unsent[os.write(self.calls_fd, self.unsent):]
        except BlockingIOError:
            pass
        except OSError:  # the worker has gone: nothing more can be said to it
            self.unsent.clear()
        want = selectors.EVENT_WRITE if self.unsent else 0
        registered = self.calls_fd in self.selector.get_map()
        if want and not registered:
            self.selector.register(self.calls_fd, selectors.EVENT_WRITE)
        elif registered and not want:
            self.selector.unregister(self.calls_fd)

    def _pump(self, timeout: float) -> None:
        """Wait up to *timeout* seconds for the worker's pipes, and take what they hold."""
        for key, _ in self.selector.select(max(timeout, 0.0)):
            fd = key.fd
            if fd == self.calls_fd:
                self._write()
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if fd == self.answers_fd:
                self.records.extend(self.reader.feed(chunk) if chunk else self.reader.end())
            else:
                self.output.take(chunk)
            if not chunk:
                self.selector.unregister(fd)
        if self.running and time.monotonic() >= self.next_sample:
            # Most runs end before the first sample: scanning /proc costs more than a whole short run.
            self.cpu_used = max(self.cpu_used, _tree_cpu_seconds(self.child.pid))
            self.next_sample = time.monotonic() + SAMPLE_SECONDS

    def next(self, until: float) -> ChannelRecord | str | None | bool:
        """The next record, a reason (str) for a bad one, None at the end of the channel, False on time-out."""
        end = min(until, self.deadline)
        while True:
            if self.records:
                return self.records.popleft()
            now = time.monotonic()
            self._pump((min(end, self.next_sample) if self.running else end) - now)
            if not self.records and now >= end:
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
        nonces = [secrets.token_hex(8) for _ in calls]
        for index, (call, asked) in enumerate(zip(calls, nonces)):
            if not call.public:
                self.send_calls([(call, asked)])
            elif index == 0 or not calls[index - 1].public:
                # The visible cases that come next, at once: the student has them already (cases.yaml), so
                # nothing is told early; each is still answered, with its own nonce, before the next is read.
                # A hidden case is sent alone, only once the case before it has been answered.
                public = itertools.takewhile(lambda pair: pair[0].public, zip(calls[index:], nonces[index:]))
                self.send_calls(list(public))
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
        self._drain_output(5)  # all the worker said before it ended
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

    def _wait(self, seconds: float) -> int | None:
        """The worker's exit status once it has exited (its pipes are read meanwhile), None if still running."""
        end = time.monotonic() + seconds
        pause = 0.001  # a worker that has said it is done exits within milliseconds: look soon, then less often
        while True:
            if self._reap(block=False):
                return self.returncode
            if time.monotonic() >= end:
                return None
            self._pump(pause)
            pause = min(pause * 2, 0.02)

    def _reap(self, block: bool) -> bool:
        """Whether the worker has exited (its status and processor time noted)."""
        if not self.running:
            return True
        try:
            ended = self.child.reap(block)
        except OSError as error:
            self.lost = f"the sandbox's launcher failed while the submission ran: {error}"
            ended = (0, 0.0)
        if ended is None:
            return False
        status, cpu = ended
        self.running = False
        self.cpu_used = max(self.cpu_used, cpu)
        self.returncode = os.waitstatus_to_exitcode(status)
        return True

    def _drain_output(self, seconds: float) -> None:
        """Read the worker's output until it ends (every process holding it has gone), for up to *seconds*."""
        end = time.monotonic() + seconds
        while self.output_fd is not None and self.output_fd in self.selector.get_map() and time.monotonic() < end:
            self._pump(end - time.monotonic())

    def close(self, run: NotebookRun) -> None:
        _kill_group(self.child.pid)
        if self._wait(10) is None:
            self._reap(block=True)
        _kill_group(self.child.pid)  # anything it started in the background goes too
        if self.wrapped.uid is not None:
            _kill_user(self.wrapped.uid)
        self._drain_output(5)
        self.selector.close()
        for fd in (self.calls_fd, self.answers_fd):
            if fd is not None:
                os.close(fd)
        if self.output_fd is not None:
            os.close(self.output_fd)
        self.calls_fd = self.answers_fd = self.output_fd = None
        if self.lost:
            run.grader_problem = self.lost
        run.output_dropped += self.output.dropped
        run.cpu_seconds = self.cpu_used


class _Popened:
    """A worker this process started itself, and so waits for itself."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process, self.pid = process, process.pid

    def reap(self, block: bool) -> tuple[int, float] | None:
        pid, status, usage = os.wait4(self.pid, 0 if block else os.WNOHANG)
        if not pid:
            return None
        self.process.returncode = os.waitstatus_to_exitcode(status)  # so that Popen does not wait for it again
        return status, usage.ru_utime + usage.ru_stime


SAMPLE_SECONDS = 0.25
"""How often the processor time of a running worker's process tree is sampled (a sandbox may not pass it back)."""


class _Output:
    """The worker's standard output and error: the first part kept (for a start that failed), the rest counted."""

    def __init__(self, limit: int) -> None:
        self.limit, self.kept, self.dropped = limit, bytearray(), 0

    def take(self, chunk: bytes) -> None:
        room = max(self.limit - len(self.kept), 0)
        self.kept += chunk[: min(room, 4096)]
        self.dropped += max(len(chunk) - room, 0)

    def head(self) -> str:
        return self.kept.decode("utf-8", errors="replace")


class _RecordReader:
    """The worker's channel, cut into lines: each a checked record, or the reason it is not one."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.skipping = False  # inside a record too large to keep: the rest of its line is dropped

    def feed(self, chunk: bytes) -> list[ChannelRecord | str]:
        found: list[ChannelRecord | str] = []
        searched = len(self.buffer)  # the newline is looked for in what is new only
        self.buffer += chunk
        while (end := self.buffer.find(b"\n", searched)) >= 0:
            line = bytes(self.buffer[:end])
            del self.buffer[:end + 1]
            searched = 0
            if self.skipping:
                self.skipping = False
                continue
            try:
                found.append(parse_record(line))
            except RecordError as error:
                found.append(str(error))
        if len(self.buffer) > CHANNEL_RECORD_LIMIT and not self.skipping:
            found.append(f"a record larger than {CHANNEL_RECORD_LIMIT // (1024 * 1024)} MiB, larger than any the "
                         "worker sends")
            self.skipping = True
        if self.skipping:
            self.buffer.clear()
        return found

    def end(self) -> list[ChannelRecord | str | None]:
        """What is left at the end of the channel, then None."""
        left: list[ChannelRecord | str | None] = []
        if self.buffer.strip() and not self.skipping:
            left.append("a record cut off at the end of the channel")
        return [*left, None]


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


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
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


