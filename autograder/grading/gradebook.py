"""Record results in nbgrader: its gradebook and its autograded notebooks.

nbgrader's own ``Autograde`` converter does the work, with one step replaced: where
it would execute the notebook, :class:`InjectResults` writes each check cell's
outputs from the results file (the feedback table and the points earned). So
nbgrader restores locked cells, reads the points as partial credit, applies late
penalties and fills its gradebook exactly as after its own autograde, and
``generate_feedback``, ``export`` and formgrader work as usual.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode

from ..layout import RELEASE
from ..nbgrader_bridge.cells import task_of
from ..nbgrader_bridge.tools import NbgraderError, captured_log, put_own_tools_on_path
from .merge import merged_notebook
from .results import read_result, result_path, write_result
from .submissions import SUBMITTED, find_submissions, plain_files, read_plain

__all__ = ["record_pending", "record_results"]


class InjectResults(NbGraderPreprocessor):  # type: ignore[misc]
    """Fill each check cell's outputs from the submission's results file, in place of running it."""

    results_root = Unicode("", help="the course folder whose results/ holds the results files").tag(config=True)

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        info = resources["nbgrader"]
        record = json.loads(result_path(Path(self.results_root), info["assignment"], info["student"]).read_text("utf-8"))
        tasks = {task["task"]: task for task in record.get("tasks", [])}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            task = tasks.get(task_of(str(meta.get("grade_id", ""))))
            if task is None:
                continue
            cell.outputs = [
                new_output("display_data", data={"text/plain": task["text"], "text/html": task["html"]}),  # type: ignore[no-untyped-call]
                new_output("execute_result", data={"text/plain": f"{task['earned']:g}"}, execution_count=None),  # type: ignore[no-untyped-call]
            ]
        notes = list(record.get("problems", []))
        if notes:
            text = "**Notes from grading** (for you and your instructor):\n\n" + "\n".join(f"- {n}" for n in notes)
            nb.cells.insert(0, new_markdown_cell(text, metadata={"who_says_so": "grading-notes"}))  # type: ignore[no-untyped-call]
        return nb, resources


def record_pending(root: Path, exercise: str, notebook: str) -> list[str]:
    """Record every result of *exercise* that is not in the gradebook yet; returns the students recorded."""
    students = [s.student for s in find_submissions(root, exercise, notebook)]
    records = {s: read_result(result_path(root, exercise, s)) or {} for s in students}
    # A submission the grader could not run is not recorded: a 0 there would blame the student.
    pending = [s for s, r in records.items() if r and not r.get("recorded") and r.get("status") != "not_graded"]
    return record_results(root, exercise, notebook, pending)


def record_results(root: Path, exercise: str, notebook: str, students: list[str]) -> list[str]:
    """Record the results of *students* in nbgrader; returns those recorded.

    A student whose results could not be recorded keeps the results file unmarked, and
    is recorded on the next run. A submission that could not be read is recorded as
    the untouched release (0 points) with the reason as a note.
    """
    if not students:
        return []
    put_own_tools_on_path()
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import CheckCellMetadata, Execute
    from traitlets.config import Config

    from ..nbgrader_bridge.config import configure

    defaults = Autograde.class_traits()
    # What nbgrader stages here is the released notebook with the student's answers in it (see
    # merge.merged_notebook), so its cell metadata is the release's own: no need to check it again.
    sanitize = [step for step in defaults["sanitize_preprocessors"].default() if step is not CheckCellMetadata]
    steps = [InjectResults if step is Execute else step for step in defaults["autograde_preprocessors"].default()
             if step is not CheckCellMetadata]
    if InjectResults not in steps:
        raise NbgraderError("this nbgrader has no Execute step to replace; the course needs nbgrader 0.9")

    class RecordAutograde(Autograde):  # type: ignore[misc]
        sanitize_preprocessors = List(sanitize)
        autograde_preprocessors = List(steps)

    _ensure_assignment(root, exercise)
    with tempfile.TemporaryDirectory(prefix="who-says-so-record-") as staging:
        for student in students:
            _stage(root, exercise, notebook, student, Path(staging))
        config = configure(Config(), root=root)
        config.CourseDirectory.submitted_directory = staging
        config.CourseDirectory.assignment_id = exercise
        config.InjectResults.results_root = str(root)
        log, text = captured_log()
        app = RecordAutograde(coursedir=CourseDirectory(config=config), config=config, log=log)
        app.force = True
        try:
            with warnings.catch_warnings(), _one_engine_per_database():
                warnings.simplefilter("ignore")  # nbgrader's database layer warns about its own models
                app.start()
        except Exception as error:
            raise NbgraderError(f"nbgrader could not record {exercise}: {error}\n{text.getvalue()}") from None
    for student in students:  # nbgrader raises above unless it recorded every one of them
        path = result_path(root, exercise, student)
        record = json.loads(path.read_text("utf-8"))
        record["recorded"] = True
        write_result(path, record)
    return students


@contextlib.contextmanager
def _one_engine_per_database() -> Iterator[None]:
    """Let nbgrader reuse one database engine while recording a class.

    nbgrader opens its gradebook about nine times per notebook, and each opening creates a
    new SQLAlchemy engine; sharing one engine per database halves the time it takes to record
    a class, and changes nothing it writes.
    """
    import nbgrader.api

    original = nbgrader.api.create_engine
    engines: dict[str, Any] = {}

    def shared(url: str, **options: Any) -> Any:
        if url not in engines:
            engines[url] = original(url, **options)
        return engines[url]

    nbgrader.api.create_engine = shared
    try:
        yield
    finally:
        nbgrader.api.create_engine = original
        for engine in engines.values():
            engine.dispose()


def _ensure_assignment(root: Path, exercise: str) -> None:
    """nbgrader grades only exercises its gradebook knows: record the release there if it is missing."""
    from nbgrader.api import Gradebook, MissingEntry

    from ..nbgrader_bridge.config import COURSE_ID
    from ..nbgrader_bridge.release import release

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gradebook:
        try:
            gradebook.find_assignment(exercise)
            return
        except MissingEntry:
            pass
    with tempfile.TemporaryDirectory(prefix="who-says-so-release-") as scratch:
        release(root, [exercise], into=Path(scratch), gradebook=root / "gradebook.db")


def _stage(root: Path, exercise: str, notebook: str, student: str, staging: Path) -> None:
    """The submission as graded: its files, and the released notebook with its answers in it."""
    source = root / SUBMITTED / student / exercise
    target = staging / student / exercise
    target.mkdir(parents=True)
    for path in plain_files(source, skip={notebook})[0]:  # never a link, a FIFO or a device
        shutil.copyfile(path, target / path.name)
    release = json.loads((root / RELEASE / exercise / notebook).read_text("utf-8"))
    record = json.loads(result_path(root, exercise, student).read_text("utf-8"))
    staged = release
    if not record.get("unreadable"):
        staged, _ = merged_notebook(release, json.loads(read_plain(source / notebook).decode("utf-8")))
    (target / notebook).write_text(json.dumps(staged, ensure_ascii=False), "utf-8")
