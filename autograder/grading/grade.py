"""Grade a class: each submission run in its own sandboxed process, judged here, then recorded."""

from __future__ import annotations

import datetime
import json
import os
import queue
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks import HIDDEN_FILE, Suite, load_suite, report_task
from ..layout import MANIFEST, RELEASE, SOURCE
from ..manifest import load_manifest
from ..datafiles import DataFileError
from ..nbgrader_bridge.cells import read_notebook
from ..runner import Limits, run_notebook
from ..runner.explain import describe_run
from ..sandbox import Isolation, detect_isolation
from .merge import merged_cells
from .results import grading_fingerprint, read_result, result_path, task_record, write_result
from .submissions import Submission, find_submissions

__all__ = ["ClassResult", "grade_exercise", "grade_submission"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True)
class ClassResult:
    exercise: str
    graded: list[str]
    reused: list[str]
    isolation: str


def grade_exercise(
    root: Path, exercise: str, *, jobs: int | None = None, progress: Progress | None = None,
    isolation: Isolation | None = None,
) -> ClassResult:
    """Grade every submission of *exercise*; submissions already graded, unchanged, are not run again.

    Results go to ``results/<exercise>/<student>.json`` as each submission finishes, so a
    killed run resumes where it stopped.
    """
    manifest = load_manifest(root / MANIFEST)
    info = manifest.exercise(exercise)
    source = root / SOURCE / exercise
    release_folder = root / RELEASE / exercise
    suite = load_suite(release_folder, hidden_file=source / HIDDEN_FILE)
    release = json.loads((release_folder / info.notebook).read_text("utf-8"))
    submissions = find_submissions(root, exercise, info.notebook)
    isolation = isolation or detect_isolation()
    todo, reused = [], []
    for submission in submissions:
        fingerprint = grading_fingerprint(submission, release_folder=release_folder, hidden_file=source / HIDDEN_FILE,
                                          grading=manifest.grading)
        previous = read_result(result_path(root, exercise, submission.student))
        if previous and previous.get("digest") == fingerprint:
            reused.append(submission.student)
        else:
            todo.append((submission, fingerprint))
    jobs = max(1, jobs or os.cpu_count() or 1)
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)
    done = [len(reused)]
    lock = threading.Lock()
    limits = Limits.from_grading(manifest.grading)
    scratch_root = Path(tempfile.mkdtemp(prefix="who-says-so-grade-"))
    os.chmod(scratch_root, 0o711)

    def one(item: tuple[Submission, str]) -> str:
        submission, fingerprint = item
        slot = slots.get()
        try:
            record = grade_submission(submission, release_folder=release_folder, release=release, suite=suite,
                                      limits=limits, isolation=isolation, slot=slot, scratch_root=scratch_root,
                                      hide=[root])
        finally:
            slots.put(slot)
        record["digest"] = fingerprint
        write_result(result_path(root, exercise, submission.student), record)
        with lock:
            done[0] += 1
            if progress:
                progress(done[0], len(submissions))
        return submission.student

    try:
        if progress:
            progress(done[0], len(submissions))
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            graded = list(pool.map(one, todo))
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)
    return ClassResult(exercise=exercise, graded=graded, reused=reused, isolation=isolation.description)


def grade_submission(
    submission: Submission, *, release_folder: Path, release: dict[str, Any], suite: Suite, limits: Limits,
    isolation: Isolation, slot: int, scratch_root: Path, hide: list[Path],
) -> dict[str, Any]:
    """Run one submission in the sandbox and judge it here; the record for its results file.

    *release_folder* holds the released files put back beside the notebook, *release* is the
    released notebook (its locked cells are run as released), *hide* the folders the
    submission must not see.
    """
    problems: list[str] = []
    record: dict[str, Any] = {
        "student": submission.student,
        "exercise": submission.exercise,
        "notebook": submission.notebook.name,
        "isolation": isolation.description,
        "graded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "recorded": False,
    }
    observations: list[dict[str, Any]] = []
    try:
        notebook = read_notebook(submission.notebook)
    except DataFileError as error:
        reason = f"{submission.notebook.name}: {error.message}"
        problems.append(f"The submission could not be graded ({reason}). It scores 0.")
        not_run = "the submitted notebook could not be read"
        record["unreadable"] = reason
    else:
        cells, notes = merged_cells(release, notebook)
        problems += notes
        scratch = _scratch(submission, release_folder, scratch_root, slot)
        wrap = (lambda command: isolation.wrap(command, slot=slot, scratch=scratch, hide=hide, keep=_keep()))
        run = run_notebook(submission.notebook, [c.call() for c in suite.cases], limits, cells=cells, wrap=wrap,
                           scratch=scratch)
        shutil.rmtree(scratch, ignore_errors=True)
        observations = run.observations
        found, not_run = describe_run(run)  # the same words as `course check`
        problems += found
    reports = [report_task(suite, n, observations, hidden_ran=True, not_run=not_run) for n in sorted(suite.tasks)]
    record["tasks"] = [task_record(r) for r in reports]
    record["earned"] = sum(r.earned for r in reports)
    record["possible"] = sum(r.possible for r in reports)
    record["problems"] = problems
    return record


def _scratch(submission: Submission, release_folder: Path, scratch_root: Path, slot: int) -> Path:
    """A private copy of the submission's folder with the released files put back, owned by the slot's user."""
    scratch = Path(tempfile.mkdtemp(dir=scratch_root, prefix=f"{slot}-"))
    for path in submission.folder.iterdir():
        if path.is_file() and path.suffix != ".ipynb" and path.stat().st_size < 10_000_000:
            shutil.copyfile(path, scratch / path.name)
    for path in release_folder.iterdir():
        if path.is_file() and path.suffix != ".ipynb" and path.name not in {HIDDEN_FILE, "grading.json"}:
            shutil.copyfile(path, scratch / path.name)
    from ..sandbox.policy import FIRST_UID

    if hasattr(os, "geteuid") and os.geteuid() == 0:
        for path in [scratch, *scratch.iterdir()]:
            os.chown(path, FIRST_UID + slot, FIRST_UID + slot)
    os.chmod(scratch, 0o700)
    return scratch


def _keep() -> list[Path]:
    """What the sandbox needs to see: Python itself and the course's package, read-only."""
    package = Path(__file__).resolve().parents[1]
    return sorted({Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), package, Path(sys.prefix)})
