"""Grade a class: each submission run in its own sandboxed process, judged here, then recorded."""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks.cases import HIDDEN_FILE, Suite, load_suite
from ..checks.engine import report_task
from ..datafiles import DataFileError
from ..layout import MANIFEST, RELEASE, SOURCE
from ..manifest import load_manifest
from ..nbgrader_bridge.cells import read_notebook
from ..records import ResultRecord
from ..runner.explain import describe_run, hang_problems
from ..runner.launch import Launch, Limits, NotebookRun, run_notebook
from ..sandbox.launchers import launchers
from ..sandbox.policy import ENTERED, Isolation, detect_isolation, slot_uids, staging_folder
from ..sandbox.processors import pin, slot_processors
from .merge import merged_cells
from .results import (RESULTS, exercise_fingerprint, grading_fingerprint, read_result, result_path, task_record,
                      write_result)
from .submissions import Submission, check_folder, find_submissions, plain_files, refusal

__all__ = ["ClassResult", "GradingBusy", "course_lock", "grade_exercise", "grade_exercises", "grade_submission"]

Progress = Callable[[int, int], None]

NOT_GRADED = ("Not graded (grader problem): the grader could not run this notebook, so it has no score yet. "
              "Nothing here is the student's doing; the instructor will grade it again.")
TAMPERING = ("Suspected tampering: the notebook's code sent the grader records it had not asked for "
             "({count}); only the answers to the grader's own calls were scored.")


CHANNEL_PREFIX = ".who-says-so-"
"""Files so named in a submission are refused: the grader's channels once had such names (now it has none)."""


class GradingBusy(DataFileError):
    """Another ``course grade`` is running on this course."""


@dataclass(frozen=True, kw_only=True)
class ClassResult:
    exercise: str
    graded: list[str]
    reused: list[str]
    isolation: str
    not_graded: dict[str, str]  # student -> the grader's problem


@contextmanager
def course_lock(root: Path) -> Iterator[None]:
    """Hold the course's grading lock for the duration; GradingBusy if another run holds it."""
    folder = root / RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".grading.lock"
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(handle, 200, 0).decode("utf-8", "replace").strip()
            raise GradingBusy(path, "another `course grade` is running on this course"
                              + (f" ({holder})" if holder else "") + "; wait for it to finish, then run again") from None
        os.ftruncate(handle, 0)
        stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        os.pwrite(handle, f"process {os.getpid()}, started {stamp}".encode(), 0)
        yield
    finally:
        os.close(handle)


def grade_exercise(
    root: Path, exercise: str, *, jobs: int | None = None, progress: Progress | None = None,
    isolation: Isolation | None = None, timings: list[dict[str, Any]] | None = None,
) -> ClassResult:
    """Grade every submission of *exercise* (see :func:`grade_exercises`)."""
    shown = (lambda name, done, total: progress(done, total)) if progress else None
    return grade_exercises(root, [exercise], jobs=jobs, progress=shown, isolation=isolation, timings=timings)[0]


ExerciseProgress = Callable[[str, int, int], None]


@dataclass(kw_only=True)
class _Plan:
    """One exercise's grading: what it needs, and what is left to do."""

    exercise: str
    release_folder: Path
    release: dict[str, Any]
    suite: Suite
    todo: list[tuple[Submission, str]]
    reused: list[str]
    total: int
    graded: list[str] = field(default_factory=list)
    not_graded: dict[str, str] = field(default_factory=dict)  # student -> the grader's problem

    def result(self, isolation: Isolation) -> ClassResult:
        return ClassResult(exercise=self.exercise, graded=self.graded, reused=self.reused,
                           isolation=isolation.description, not_graded=self.not_graded)


def grade_exercises(
    root: Path, exercises: list[str], *, jobs: int | None = None, progress: ExerciseProgress | None = None,
    isolation: Isolation | None = None, timings: list[dict[str, Any]] | None = None,
    finished: Callable[[ClassResult], None] | None = None, written: Callable[[str, str], None] | None = None,
) -> list[ClassResult]:
    """Grade every submission of each of *exercises*; submissions already graded, unchanged, are not run again.

    All the exercises' submissions go through one set of slots (JOBS sandboxes at a time, each
    slot with its own user and warm launcher, on a processor of its own: see
    :mod:`..sandbox.processors`), in order, so no slot waits for an exercise to
    end before the next one's begin. Results go to ``results/<exercise>/<student>.json`` as
    each submission finishes, so a killed run resumes where it stopped; a submission the grader
    could not run is graded again on the next run. *written* is told (exercise, student) of each
    submission graded as soon as its results file is written, and *finished* of each exercise as
    soon as its last submission is graded, after *written* of it (both in the thread that graded
    it; a submission the grader could not run is not told to *written*); *progress* gets (exercise,
    done, total). With *timings*, each graded submission adds how long its steps took (see
    :func:`grade_submission`). Returns the exercises' results, in order.
    """
    manifest = load_manifest(root / MANIFEST)
    jobs = max(1, jobs or os.cpu_count() or 1)
    # The slots' launchers (as root) start while the isolation is probed and the exercises are planned; they are
    # not used where the isolation found does not enter its sandbox through them.
    with slot_uids(jobs) as uids, launchers(uids, wanted=isolation is None or isolation.level in ENTERED,
                                            processors=(processors := slot_processors(uids))) as warm:
        with ThreadPoolExecutor(max_workers=1) as probing:  # the isolation is probed while the exercises are planned
            chosen = probing.submit(lambda: isolation or detect_isolation())
            plans = [_plan(root, manifest, name) for name in exercises]
            isolation = chosen.result()
        launch = warm if isolation.level in ENTERED else {}
        lock = threading.Lock()
        limits = Limits.from_grading(manifest.grading)
        # Room for each slot's staged files and a margin: a sandbox's scratch holds no more than that.
        staging = staging_folder(isolation, needed=4 * jobs * limits.scratch_mb * 1024 * 1024)
        scratch_root = Path(tempfile.mkdtemp(prefix="who-says-so-grade-", dir=staging))
        os.chmod(scratch_root, 0o711)  # the sandbox's users pass through to their own folders, and see nothing else

        def report(plan: _Plan) -> None:  # with the lock held
            done = len(plan.graded) + len(plan.reused)
            if progress:
                progress(plan.exercise, done, plan.total)
            if done == plan.total and finished:
                finished(plan.result(isolation))

        slots: queue.Queue[int] = queue.Queue()
        for uid in uids:
            slots.put(uid)

        def one(plan: _Plan, submission: Submission, fingerprint: str) -> None:
            uid = slots.get()
            pin(0, processors[uid])  # this thread, on its slot's processor while it talks to the slot's sandbox
            steps: dict[str, Any] = {"exercise": plan.exercise, "student": submission.student}
            try:
                record = grade_submission(submission, release_folder=plan.release_folder, release=plan.release,
                                          suite=plan.suite, limits=limits, isolation=isolation, uid=uid,
                                          scratch_root=scratch_root, timings=steps, launch=launch.get(uid))
            finally:
                slots.put(uid)
            record.digest = fingerprint
            began = time.monotonic()
            write_result(result_path(root, plan.exercise, submission.student), record)
            steps["judging"] = steps.get("judging", 0.0) + time.monotonic() - began
            with lock:
                if timings is not None:
                    timings.append(steps)
                if record.grader_problem:
                    plan.not_graded[submission.student] = record.grader_problem
                elif written:
                    written(plan.exercise, submission.student)
                plan.graded.append(submission.student)
                report(plan)

        try:
            with lock:
                for plan in plans:
                    if not plan.todo:
                        report(plan)
                    elif progress:
                        progress(plan.exercise, len(plan.reused), plan.total)
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(one, plan, submission, fingerprint)
                           for plan in plans for submission, fingerprint in plan.todo]
                for future in futures:
                    future.result()  # the first grader error (a results file that cannot be written) is raised
        finally:
            shutil.rmtree(scratch_root, ignore_errors=True)
    for plan in plans:  # in the order they were asked for, as each was planned
        order = {submission.student: index for index, (submission, _) in enumerate(plan.todo)}
        plan.graded.sort(key=order.__getitem__)
    return [plan.result(isolation) for plan in plans]


def _plan(root: Path, manifest: Any, exercise: str) -> _Plan:
    """What grading *exercise* needs, and which of its submissions must be graded (changed, or never graded)."""
    info = manifest.exercise(exercise)
    source = root / SOURCE / exercise
    release_folder = root / RELEASE / exercise
    suite = load_suite(release_folder, hidden_file=source / HIDDEN_FILE)
    release = json.loads((release_folder / info.notebook).read_text("utf-8"))
    submissions = find_submissions(root, exercise, info.notebook)
    common = exercise_fingerprint(release_folder=release_folder, hidden_file=source / HIDDEN_FILE,
                                  grading=manifest.grading)
    todo, reused = [], []
    for submission in submissions:
        fingerprint = grading_fingerprint(submission, exercise=common)
        previous = read_result(result_path(root, exercise, submission.student))
        if previous and previous.get("digest") == fingerprint and previous.get("status") != "not_graded":
            reused.append(submission.student)
        else:
            todo.append((submission, fingerprint))
    return _Plan(exercise=exercise, release_folder=release_folder, release=release, suite=suite, todo=todo,
                 reused=reused, total=len(submissions))


def grade_submission(
    submission: Submission, *, release_folder: Path, release: dict[str, Any], suite: Suite, limits: Limits,
    isolation: Isolation, uid: int, scratch_root: Path, timings: dict[str, Any] | None = None,
    launch: Launch | None = None,
) -> ResultRecord:
    """Run one submission in the sandbox and judge it here; the record for its results file.

    *release_folder* holds the released files put back beside the notebook, *release* is the
    released notebook (its locked cells are run as released). Only plain files of the
    submission's own enter the sandbox; the rest is refused with a reason. Never raises for
    anything the submission holds or does. *timings*, if given, gets the seconds each step
    took (:func:`run_steps`) and ``judging`` (reading the notebook, judging, the record).
    """
    began = time.monotonic()
    record = ResultRecord(
        student=submission.student, exercise=submission.exercise, notebook=submission.notebook.name,
        status="graded", isolation=isolation.description, isolation_level=isolation.level,
        graded_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    )
    observations: list[dict[str, Any]] = []
    # A notebook that is not there is not refused: reading it says so, as the student's problem.
    missing = not os.path.lexists(submission.notebook)
    refused = check_folder(submission) or ("" if missing else refusal(submission.notebook))
    run: NotebookRun | None = None
    if refused:
        record.status = "refused"
        record.unreadable = refused
        record.refused.append(refused)
        record.problems.append(f"The submission was refused: {refused}. It scores 0.")
        not_run = "the submission was refused"
    else:
        try:
            notebook = read_notebook(submission.notebook)
        except DataFileError as error:
            reason = f"{submission.notebook.name}: {error.message}"
            record.problems.append(f"The submission could not be graded ({reason}). It scores 0.")
            not_run = "the submitted notebook could not be read"
            record.unreadable = reason
        else:
            cells, notes = merged_cells(release, notebook)
            record.problems += notes
            files, record.refused = plain_files(submission.folder, skip={submission.notebook.name})
            for path in [p for p in files if p.name.startswith(CHANNEL_PREFIX)]:
                files.remove(path)
                record.refused.append(f"{path.name} has the name of a grader's channel file, and the grader "
                                      "never reads one")
                record.tampering.append(f"the submission holds a file named like a grader's channel ({path.name})")
            record.problems += [f"A submitted file was not used: {reason}." for reason in record.refused]
            run = _run(submission, files, release_folder, scratch_root, cells, suite, limits, isolation, uid, launch)
            if timings is not None:
                timings.update(run_steps(run))
            observations = [o.to_data() for o in run.observations]
            found, not_run = describe_run(run)  # the same words as `course check`
            record.problems += found
    reports = [report_task(suite, n, observations, hidden_ran=True, not_run=not_run) for n in sorted(suite.tasks)]
    record.tasks = [task_record(r) for r in reports]
    record.earned = sum(r.earned for r in reports)
    record.possible = sum(r.possible for r in reports)
    record.problems += hang_problems(reports)
    if run is not None:
        record.tampering += list(dict.fromkeys(run.tampering))[:20]
    if record.tampering:
        record.problems.append(TAMPERING.format(count=len(record.tampering)))
    if run is not None and run.grader_problem:
        record.status = "not_graded"
        record.grader_problem = run.grader_problem
        record.earned = 0.0
        record.problems = [NOT_GRADED]
    if timings is not None:
        elsewhere = sum(timings.get(step, 0.0) for step in ("sandbox", "worker_start", "student_code", "calls",
                                                             "teardown"))
        timings["judging"] = max(time.monotonic() - began - elsewhere, 0.0)
    return record


def run_steps(run: NotebookRun) -> dict[str, float]:
    """How long each step of a sandboxed run took, in seconds, from the moments the launcher noted:
    ``sandbox`` (staging the files and entering the sandbox, up to the worker's first line), ``teardown``
    (the worker's exit, stopping what is left of it, removing its files), ``worker_start`` (the worker's imports and limits, up to ready), ``student_code`` (the
    notebook's cells) and ``calls`` (every check's call, in lockstep). Steps a run did not reach are left out."""
    moments = run.moments
    steps: dict[str, float] = {}
    if "python" in moments:
        steps["sandbox"] = moments["python"] - moments.get("staging", moments["launch"])
        steps["worker_start"] = moments["ready"] - moments["python"]
    if "cells_done" in moments:
        steps["student_code"] = moments["cells_done"] - moments["ready"]
    if "calls_done" in moments:
        steps["calls"] = moments["calls_done"] - moments["cells_done"]
        steps["teardown"] = moments.get("cleaned", moments["closed"]) - moments["calls_done"]
    return steps


def _run(submission: Submission, files: list[Path], release_folder: Path, scratch_root: Path, cells: Any,
         suite: Suite, limits: Limits, isolation: Isolation, uid: int, launch: Launch | None) -> NotebookRun:
    """Stage the plain files and run the notebook's cells and every call in the sandbox."""
    staged = time.monotonic()
    stage = Path(tempfile.mkdtemp(dir=scratch_root, prefix="s-"))
    run: NotebookRun | None = None
    try:
        for path in files:
            shutil.copyfile(path, stage / path.name)
        for path in release_folder.iterdir():
            if path.is_file() and path.suffix != ".ipynb" and path.name not in {HIDDEN_FILE, "grading.json"}:
                shutil.copyfile(path, stage / path.name)
        run = run_notebook(submission.notebook, suite.calls, limits, cells=cells,
                           wrap=lambda command: isolation.wrap(command, uid=uid, stage=stage, limits=limits),
                           scratch=stage, launch=launch)
        run.moments["staging"] = staged
        return run
    except OSError as error:
        return NotebookRun(grader_problem=f"the submission could not be staged for its sandbox: {error}")
    finally:
        for place in (stage, stage.parent / f"{stage.name}-work", stage.parent / f"{stage.name}-held"):
            shutil.rmtree(place, ignore_errors=True)
        if run is not None:
            run.moments["cleaned"] = time.monotonic()
