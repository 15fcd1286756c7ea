"""The recording process of ``course grade``: records into nbgrader's gradebook while submissions are graded.

It is a Python process of its own (started, not forked: it shares nothing with the grader's
threads), so that recording uses the second core instead of holding up the threads that talk to
the sandboxes. It is started first, and imports nbgrader while the first submissions are graded.
Each submission is prepared as soon as its results file is written (its autograded folder
written, its grades read); each exercise is stored in the gradebook, in one transaction, as
soon as its last submission is graded. It uses one gradebook session for the whole run, and
exits at once, without Python's clean-up, when told to stop: all it wrote is then committed.

A recording process that dies (killed, out of memory) is a gradebook problem for every exercise
not yet committed: the results files are kept, and the next run records them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .gradebook import Recording  # imported where one is made: the grader starts this process before it

__all__ = ["Recorded", "RecordingProcess"]


@dataclass(frozen=True, kw_only=True)
class Recorded:
    """What recording did for one exercise: the students recorded, the problem if the gradebook could not be
    written ("" if none), how long it took, and the processor time the recording process had used by then."""

    students: list[str]
    problem: str
    timing: Recording
    cpu: float


class RecordingProcess:
    """The grader's side of the recording process: :meth:`graded` for each submission whose results are written,
    :meth:`finished` once an exercise's last one is, then :meth:`close`. Safe to call from any thread."""

    def __init__(self, root: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self._channel, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, str(root)), daemon=True,
                                        name="who-says-so-recording")
        self._process.start()
        theirs.close()
        self._lock = threading.Lock()  # one message at a time on the channel
        self._waiting: dict[str, Future[Recorded]] = {}
        self._lost = ""  # why the process can no longer be reached, once it cannot
        self._told = False  # whether it was told of a submission or an exercise
        self._reader = threading.Thread(target=self._read, daemon=True, name="who-says-so-recording-answers")
        self._reader.start()

    @property
    def pid(self) -> int | None:
        """The recording process's id."""
        return self._process.pid

    def graded(self, exercise: str, notebook: str, student: str) -> None:
        """*student*'s results for *exercise* are written: prepare them now."""
        self._send(("graded", exercise, notebook, student))

    def finished(self, exercise: str, notebook: str) -> Future[Recorded]:
        """Every submission of *exercise* is graded: store it (and any result an earlier run left unrecorded)."""
        answer: Future[Recorded] = Future()
        with self._lock:
            self._waiting[exercise] = answer
            self._send_locked(("finished", exercise, notebook))
        return answer

    def close(self) -> None:
        """Stop the process (every exercise it was told of is answered first) and wait for it to end."""
        if not self._told:  # it has recorded nothing, and opened nothing: no need to wait for its imports
            self._process.kill()
        self._send(("stop",))
        self._process.join(timeout=60)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._reader.join(timeout=60)
        self._channel.close()

    def _send(self, message: tuple[Any, ...]) -> None:
        with self._lock:
            self._send_locked(message)

    def _send_locked(self, message: tuple[Any, ...]) -> None:
        self._told = self._told or message[0] != "stop"
        if self._lost:
            self._lose(self._lost)  # an exercise told of now is answered at once
            return
        try:
            self._channel.send(message)
        except (OSError, ValueError):  # the process is gone: every exercise waiting is told why
            self._lose(self._ended())

    def _read(self) -> None:
        while True:
            try:
                exercise, recorded = self._channel.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                answer = self._waiting.pop(exercise, None)
            if answer is not None:
                answer.set_result(recorded)
        with self._lock:
            self._lose(self._ended())

    def _ended(self) -> str:
        """How the process ended, in words."""
        self._process.join(timeout=5)
        status = self._process.exitcode
        if status is not None and status < 0:
            try:
                return f"it was stopped by the signal {signal.Signals(-status).name}"
            except ValueError:
                pass
        return "it stopped" + (f" (exit status {status})" if status not in (None, 0) else "")

    def _lose(self, why: str) -> None:
        """With the lock held: the process cannot be reached; every exercise still waiting is a gradebook problem."""
        from .gradebook import Recording

        self._lost = self._lost or why
        for exercise, answer in self._waiting.items():
            answer.set_result(Recorded(students=[], problem=f"the recording process failed: {self._lost}",
                                       timing=Recording(), cpu=0.0))
        self._waiting.clear()


def _serve(channel: Any, root_text: str) -> None:
    """The recording process: prepare, store and answer, in the order told, until told to stop."""
    root = Path(root_text)
    from ..nbgrader_bridge.tools import light_recording_imports

    light_recording_imports()  # before nbformat and nbgrader: see there
    import nbformat  # noqa: F401  # imported now, while the first submissions are graded
    import nbgrader.api  # noqa: F401

    from .gradebook import ExerciseRecording, Recording, open_gradebook, pending_results

    session = ExitStack()  # the gradebook, opened for the first exercise with something to record, kept for the run
    gradebook: Any = None
    exercises: dict[str, ExerciseRecording | str] = {}  # each exercise's recording, or the problem that ended it

    def begun(exercise: str, notebook: str) -> ExerciseRecording:
        nonlocal gradebook
        if gradebook is None:
            gradebook = session.enter_context(open_gradebook(root))
        return ExerciseRecording(root, exercise, notebook, gradebook, timing=Recording())

    while True:
        try:
            message = channel.recv()
        except (EOFError, OSError):  # the grader is gone
            break
        if message[0] == "stop":
            break
        if message[0] == "graded":
            _, exercise, notebook, student = message
            work = exercises.get(exercise)
            if isinstance(work, str):
                continue
            try:
                if work is None:
                    work = exercises[exercise] = begun(exercise, notebook)
                work.prepare(student)
            except Exception as error:  # the exercise is not recorded in this run; its results files stay
                exercises[exercise] = _problem(error)
            continue
        _, exercise, notebook = message
        left = exercises.pop(exercise, None)
        students: list[str] = []
        problem = left if isinstance(left, str) else ""
        timing = Recording()
        work = None if isinstance(left, str) else left
        if not problem:
            try:
                done = set() if work is None else {prepared.student for prepared in work.prepared}
                rest = pending_results(root, exercise, notebook, besides=done)  # what earlier runs left unrecorded
                if work is None and rest:
                    work = begun(exercise, notebook)
                if work is not None:
                    timing = work.timing
                    for student in rest:
                        work.prepare(student)
                    students = work.commit()
            except Exception as error:  # nothing is lost: the results files stay
                problem = _problem(error)
        channel.send((exercise, Recorded(students=students, problem=problem, timing=timing, cpu=time.process_time())))
    session.close()
    channel.close()
    os._exit(0)  # everything is committed: Python's clean-up of nbgrader's modules would only cost time


def _problem(error: Exception) -> str:
    from ..nbgrader_bridge.tools import NbgraderError

    return str(error) if isinstance(error, NbgraderError) else f"{type(error).__name__}: {error}"
