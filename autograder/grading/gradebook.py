"""Record results in nbgrader: its gradebook and its autograded notebooks, a whole class in one pass.

What ``nbgrader autograde`` writes for a submission, written here directly from the results
files, with one gradebook session for the class and one commit:

- the student and the submission (with its ``timestamp.txt``, so nbgrader sees how late it is);
- the autograded notebook ``autograded/<student>/<exercise>/<notebook>``, made by nbgrader's
  own steps in nbgrader's order: its sanitising (outputs cleared, duplicate ids dropped, the
  kernelspec and every locked cell put back from the gradebook's source cells), then, in place
  of running the notebook, each check cell's outputs from the results file (the feedback
  table and the points earned; see :func:`inject_results`), then nbgrader's own reading of
  each cell's grade and comment (``nbgrader.utils.determine_grade``, its checksums);
- the late penalty, from nbgrader's configured late-submission plugin;
- the submission's own files and the exercise's source files beside the notebook, read-only,
  as nbgrader copies them.

So formgrader, ``generate_feedback`` and ``export`` work as after nbgrader's own autograde
(the tests compare it cell by cell with ``nbgrader autograde``).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..layout import RELEASE, SOURCE
from ..nbgrader_bridge.cells import task_of
from ..nbgrader_bridge.tools import NbgraderError, captured_log, put_own_tools_on_path, skip_unused_format_checks
from .merge import merged_notebook
from .results import mark_recorded, read_result, result_path
from .submissions import SUBMITTED, find_submissions, plain_files, read_plain

__all__ = ["ExerciseRecording", "Recording", "inject_results", "open_gradebook", "pending_results",
           "record_pending", "record_results"]

AUTOGRADED = "autograded"
NOTES_META = "grading-notes"


@dataclass(kw_only=True)
class Recording:
    """How long recording took: the whole pass, and each submission's own share of it (seconds)."""

    seconds: float = 0.0
    per_submission: dict[str, float] = field(default_factory=dict)


def inject_results(nb: Any, record: dict[str, Any]) -> None:
    """Fill each check cell's outputs of *nb* (a NotebookNode) from a results *record*, in place of running it,
    and put the notes from grading first, as a markdown cell."""
    skip_unused_format_checks()
    from nbformat import NotebookNode
    from nbformat.v4 import new_markdown_cell

    tasks = {task["task"]: task for task in record.get("tasks", [])}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        task = tasks.get(task_of(str(meta.get("grade_id", ""))))
        if task is None:
            continue
        # What nbformat.v4.new_output makes, without validating each output again (they are valid by construction).
        cell.outputs = [
            NotebookNode(output_type="display_data", metadata=NotebookNode(),  # type: ignore[no-untyped-call]
                         data={"text/plain": task["text"], "text/html": task["html"]}),
            NotebookNode(output_type="execute_result", metadata=NotebookNode(),  # type: ignore[no-untyped-call]
                         execution_count=None,
                         data={"text/plain": f"{task['earned']:g}"}),
        ]
    notes = list(record.get("problems", []))
    if notes:
        text = "**Notes from grading** (for you and your instructor):\n\n" + "\n".join(f"- {n}" for n in notes)
        nb.cells.insert(0, new_markdown_cell(text, metadata={"who_says_so": NOTES_META}))  # type: ignore[no-untyped-call]


def record_pending(root: Path, exercise: str, notebook: str, *, timing: Recording | None = None,
                   gradebook: Any = None) -> list[str]:
    """Record every result of *exercise* that is not in the gradebook yet; returns the students recorded."""
    return record_results(root, exercise, notebook, pending_results(root, exercise, notebook), timing=timing,
                          gradebook=gradebook)


def pending_results(root: Path, exercise: str, notebook: str, *, besides: Collection[str] = ()) -> list[str]:
    """The students of *exercise* whose results are not in the gradebook yet, but for those *besides* (already
    being recorded: their results files are not read)."""
    students = [s.student for s in find_submissions(root, exercise, notebook) if s.student not in besides]
    records = {s: read_result(result_path(root, exercise, s)) or {} for s in students}
    # A submission the grader could not run is not recorded: a 0 there would blame the student.
    return [s for s, r in records.items() if r and not r.get("recorded") and r.get("status") != "not_graded"]


def record_results(root: Path, exercise: str, notebook: str, students: list[str], *,
                   timing: Recording | None = None, gradebook: Any = None) -> list[str]:
    """Record the results of *students* in nbgrader, in one gradebook transaction; returns those recorded.

    Nothing is committed unless every one of them was recorded; then each results file is
    marked as recorded. Results that could not be recorded stay unmarked, and are recorded
    on the next run (NbgraderError says why). A submission that could not be read is
    recorded as the untouched release (0 points) with the reason as a note. *gradebook* is
    an open nbgrader ``Gradebook`` of the course to use (one is opened for the call otherwise).
    """
    if not students:
        return []
    with ExitStack() as stack:
        if gradebook is None:
            gradebook = stack.enter_context(open_gradebook(root))
        recording = ExerciseRecording(root, exercise, notebook, gradebook, timing=timing)
        for student in students:
            recording.prepare(student)
        return recording.commit()


@contextmanager
def open_gradebook(root: Path) -> Iterator[Any]:
    """nbgrader's gradebook of the course at *root*, open for the duration."""
    skip_unused_format_checks()  # before nbgrader is imported: a second less
    put_own_tools_on_path()
    with _nbgrader_errors(f"nbgrader's gradebook {root / 'gradebook.db'} could not be opened"), _quiet():
        from nbgrader.api import Gradebook

        from ..nbgrader_bridge.config import COURSE_ID

        gradebook = Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID)
    try:
        yield gradebook
    finally:
        gradebook.close()


@contextmanager
def _nbgrader_errors(what: str) -> Iterator[None]:
    """Any failure inside nbgrader, as an NbgraderError that begins with *what* went wrong."""
    try:
        yield
    except NbgraderError:
        raise
    except Exception as error:
        raise NbgraderError(f"{what}: {type(error).__name__}: {error}") from None


@contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's database layer warns about its own models
        yield


@dataclass(frozen=True, kw_only=True)
class _Structure:
    """One notebook of an exercise as a submission mirrors it: the cells that get a grade, and those that get a
    comment (ids of the gradebook's cells)."""

    notebook: str
    grades: list[str]
    comments: list[str]


@dataclass(frozen=True, kw_only=True)
class _SourceCell:
    """A locked or graded cell as the gradebook keeps it from the release."""

    name: str
    cell_type: str
    locked: bool
    checksum: str | None
    source: str


@dataclass(frozen=True, kw_only=True)
class _Prepared:
    """A submission made ready for the gradebook: what nbgrader reads from its autograded notebook."""

    student: str
    timestamp: Any  # a datetime, or None without a timestamp.txt
    scores: dict[str, float | None]  # each graded cell's auto score, by cell name
    comments: dict[str, str | None]  # each answer cell's auto comment, by cell name


class ExerciseRecording:
    """One exercise's recording into the gradebook, in two steps.

    :meth:`prepare` takes a graded submission as soon as it is graded: it makes its autograded
    notebook, writes its autograded folder and keeps what nbgrader reads from the notebook (a
    few numbers and words; the notebook itself is not kept). :meth:`commit` then stores every
    prepared submission in the gradebook in one transaction, commits it and marks their results
    files recorded, so a class is recorded whole or not at all. Either raises NbgraderError,
    naming the exercise; nothing of the exercise is then committed. The gradebook is used
    between the steps only to read, so exercises may be prepared side by side in one session.
    """

    def __init__(self, root: Path, exercise: str, notebook: str, gradebook: Any, *,
                 timing: Recording | None = None) -> None:
        began = time.perf_counter()
        self.root, self.exercise, self.notebook = root, exercise, notebook
        self.timing = timing if timing is not None else Recording()
        self.prepared: list[_Prepared] = []
        with self._nbgrader(), _quiet():
            _ensure_assignment(root, exercise, gradebook)
            self._look_up(root, exercise, notebook, gradebook)
        self.timing.seconds += time.perf_counter() - began

    def _nbgrader(self) -> AbstractContextManager[None]:
        return _nbgrader_errors(f"nbgrader's gradebook could not record {self.exercise}")

    def _look_up(self, root: Path, exercise: str, notebook: str, gradebook: Any) -> None:
        """What recording the exercise needs from nbgrader, looked up once for the whole class."""
        import nbformat
        from nbgrader import utils

        self.notebook_id = Path(notebook).stem
        self.nbformat, self.utils, self.gradebook = nbformat, utils, gradebook
        source = gradebook.find_notebook(self.notebook_id, exercise)
        self.kernelspec = json.loads(source.kernelspec) if source.kernelspec else None
        self.source_cells = {cell.name: _SourceCell(name=cell.name, cell_type=cell.cell_type, locked=bool(cell.locked),
                                                    checksum=cell.checksum, source=cell.source)
                             for cell in source.source_cells}
        self.max_scores = {cell.name: float(cell.max_score) for cell in [*source.grade_cells, *source.task_cells]}
        # A grade's or a comment's cell by id: asking each grade for its cell's name costs a query.
        self.cell_names = {cell.id: cell.name
                           for cell in [*source.grade_cells, *source.solution_cells, *source.task_cells]}
        # What nbgrader's add_submission mirrors for a new submission: every notebook of the exercise, with a
        # grade for each graded cell, a comment for each answer cell, and both for each task cell.
        assignment = gradebook.find_assignment(exercise)
        self.assignment_id = assignment.id
        self.source_notebook = source.id
        self.structure = [_Structure(notebook=nb.id, grades=[c.id for c in [*nb.grade_cells, *nb.task_cells]],
                                     comments=[c.id for c in [*nb.solution_cells, *nb.task_cells]])
                          for nb in assignment.notebooks]
        self.release = json.loads((root / RELEASE / exercise / notebook).read_text("utf-8"))
        self.source_files = _source_files(root / SOURCE / exercise)
        self.late_penalty = _late_penalty_plugin(root)
        self.log, _ = captured_log()

    def prepare(self, student: str) -> None:
        """Make *student*'s autograded notebook and folder, and keep what the gradebook will get from it."""
        began = time.perf_counter()
        with self._nbgrader(), _quiet():
            self.prepared.append(self._prepare(student))
        self.timing.per_submission[student] = time.perf_counter() - began
        self.timing.seconds += time.perf_counter() - began

    def commit(self) -> list[str]:
        """Store every prepared submission in the gradebook, in one transaction, and commit it; then mark their
        results files recorded. Returns the students recorded."""
        began = time.perf_counter()
        db = self.gradebook.db
        with self._nbgrader(), _quiet():
            try:
                self._current_rows()
                shares = self.timing.per_submission
                for start in range(0, len(self.prepared), STORED_TOGETHER):
                    batch = self.prepared[start:start + STORED_TOGETHER]
                    stored = time.perf_counter()
                    self._store(batch)
                    share = (time.perf_counter() - stored) / len(batch)
                    for prepared in batch:
                        shares[prepared.student] = shares.get(prepared.student, 0.0) + share
                db.commit()
            except BaseException:
                db.rollback()
                raise
        students = [prepared.student for prepared in self.prepared]
        for student in students:
            mark_recorded(result_path(self.root, self.exercise, student))
        self.timing.seconds += time.perf_counter() - began
        return students

    def _current_rows(self) -> None:
        """The gradebook's rows that storing changes, read afresh (the session may have served other exercises)."""
        from nbgrader.api import Student, SubmittedAssignment

        db = self.gradebook.db
        db.expunge_all()
        self.assignment = self.gradebook.find_assignment(self.exercise)  # whose due date each lateness reads
        self.students = {student_id for (student_id,) in db.query(Student.id)}
        self.submissions = dict(db.query(SubmittedAssignment.student_id, SubmittedAssignment.id)
                                .filter(SubmittedAssignment.assignment_id == self.assignment_id))

    def sanitized(self, staged: dict[str, Any]) -> Any:
        """nbgrader's sanitising steps, in its order: ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells."""
        nbformat, utils = self.nbformat, self.utils
        nb = _read_data(nbformat, staged)
        for cell in nb.cells:  # ClearOutput
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
                if "metadata" in cell:
                    for name in ("collapsed", "scrolled"):
                        cell.metadata.pop(name, None)
        seen: set[str] = set()
        for cell in reversed(nb.cells):  # DeduplicateIds: the last of two cells with one id keeps it
            if not (utils.is_grade(cell) or utils.is_solution(cell) or utils.is_locked(cell)):
                continue
            grade_id = cell.metadata.nbgrader["grade_id"]
            if grade_id in seen:
                cell.metadata.nbgrader = nbformat.NotebookNode()
            else:
                seen.add(grade_id)
        if self.kernelspec:  # OverwriteKernelspec
            nb.metadata["kernelspec"] = nbformat.from_dict(self.kernelspec)  # the notebook's own copy
        for cell in nb.cells:  # OverwriteCells
            self._overwrite(cell)
        return nb

    def _overwrite(self, cell: Any) -> None:
        utils = self.utils
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", None)
        if grade_id is None:
            return
        source = self.source_cells.get(grade_id)
        if source is None:
            del cell.metadata.nbgrader["grade_id"]
            return
        if cell.cell_type != source.cell_type:
            cell.cell_type = source.cell_type
            if source.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            else:
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
        if utils.is_locked(cell) != source.locked:
            cell.metadata.nbgrader["locked"] = source.locked
        if utils.is_grade(cell) and grade_id in self.max_scores:
            if float(cell.metadata.nbgrader["points"]) != self.max_scores[grade_id]:
                cell.metadata.nbgrader["points"] = self.max_scores[grade_id]
        cell.metadata.nbgrader["checksum"] = source.checksum
        if source.locked and utils.compute_checksum(cell) != source.checksum:
            cell.source = source.source
            if utils.compute_checksum(cell) != source.checksum:
                raise NbgraderError(f"inconsistent checksums for cell {source.name} of {self.exercise}")

    def _prepare(self, student: str) -> _Prepared:
        nbformat, utils = self.nbformat, self.utils
        folder = self.root / SUBMITTED / student / self.exercise
        record = json.loads(result_path(self.root, self.exercise, student).read_text("utf-8"))
        staged = self.release
        if not record.get("unreadable"):
            staged, _ = merged_notebook(self.release, json.loads(read_plain(folder / self.notebook).decode("utf-8")))
        files = [path for path in plain_files(folder, skip={self.notebook})[0]  # never a link, a FIFO or a device
                 if not _ignored(path.name)]
        timestamp = _timestamp(utils, folder, files)
        # nbgrader writes the sanitised notebook, then reads it back to autograde it.
        nb = _round_trip(nbformat, self.sanitized(staged))
        inject_results(nb, record)
        scores: dict[str, float | None] = {}
        comments: dict[str, str | None] = {}
        for cell in nb.cells:  # what SaveAutoGrades reads from each cell
            meta = cell.metadata.get("nbgrader", {})
            if utils.is_grade(cell):
                scores[meta["grade_id"]], _ = utils.determine_grade(cell, self.log)
            if utils.is_solution(cell) or utils.is_task(cell):
                unchanged = meta.get("checksum", None) == utils.compute_checksum(cell) and not utils.is_task(cell)
                comments[meta["grade_id"]] = "No response." if unchanged else None
        self._write(student, files, _writes(nbformat, nb, consume=True))
        return _Prepared(student=student, timestamp=timestamp, scores=scores, comments=comments)

    def _store(self, batch: list[_Prepared]) -> None:
        """SaveAutoGrades and AssignLatePenalties for prepared submissions, in the open transaction: their rows are
        written together (one flush for the batch, not one for each). Each student is prepared once an exercise
        (graded once a run, or left unrecorded by an earlier one), so a batch never holds one student twice."""
        db = self.gradebook.db
        stored = []
        for prepared in batch:
            submission = self._submission(prepared.student, prepared.timestamp)
            submitted = next(n for n in submission.notebooks if n.notebook_id == self.source_notebook)
            grades = {self.cell_names[grade.cell_id]: grade for grade in submitted.grades}
            comments = {self.cell_names[comment.cell_id]: comment for comment in submitted.comments}
            for name, score in prepared.scores.items():
                grade = grades[name]
                grade.auto_score = score
                grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
            for name, text in prepared.comments.items():
                comments[name].auto_comment = text
            submitted.late_submission_penalty = None  # AssignLatePenalties starts from none (see _late_penalty)
            stored.append((prepared.student, submission, submitted))
        # Written to the class's one transaction (committed when the whole class is stored): a new
        # submission's rows are inserted with their grades, comments and penalty in them.
        db.flush()
        for student, submission, submitted in stored:
            self.submissions[student] = submission.id
            self._late_penalty(submission, submitted, student)
        db.flush()
        db.expunge_all()  # the session holds one batch of submissions at a time,
        db.add(self.assignment)  # and the exercise, whose due date each submission's lateness reads

    def _submission(self, student: str, timestamp: Any) -> Any:
        """The student's submission, as nbgrader's ``update_or_create_student`` and ``update_or_create_submission``
        leave it, but without their commits (the class is committed once, when all of it is recorded) and
        with the rows it needs loaded at once: a new one with every notebook, grade and comment row that
        ``add_submission`` makes, or the one there with its timestamp updated when one was submitted."""
        from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook
        from sqlalchemy.orm import selectinload

        db = self.gradebook.db
        if student not in self.students:
            db.add(Student(id=student))
            self.students.add(student)
        timestamp = self.utils.parse_utc(timestamp)  # as nbgrader's methods read the timestamp they are given
        known = self.submissions.get(student)
        if known is not None:
            submission = (db.query(SubmittedAssignment)
                          .options(selectinload(SubmittedAssignment.notebooks).selectinload(SubmittedNotebook.grades),
                                   selectinload(SubmittedAssignment.notebooks).selectinload(SubmittedNotebook.comments))
                          .filter(SubmittedAssignment.id == known).one())
            if timestamp is not None:
                submission.timestamp = timestamp
            return submission
        submission = SubmittedAssignment(assignment_id=self.assignment_id, student_id=student,
                                         **({"timestamp": timestamp} if timestamp is not None else {}))
        for part in self.structure:
            submitted = SubmittedNotebook(notebook_id=part.notebook, assignment=submission)
            for cell in part.grades:
                Grade(cell_id=cell, notebook=submitted)
            for cell in part.comments:
                Comment(cell_id=cell, notebook=submitted)
        db.add(submission)
        return submission

    def _late_penalty(self, submission: Any, submitted: Any, student: str) -> None:
        """AssignLatePenalties: the configured plugin's penalty for a late submission, kept within its score (the
        penalty is None otherwise: set by the caller, before the grades are written)."""
        if submission.total_seconds_late > 0:
            self.gradebook.db.flush()
            self.gradebook.db.refresh(submitted)  # its score, from the grades just set
            penalty = self.late_penalty(student, submitted.score, submission.total_seconds_late)
            if penalty is not None:
                submitted.late_submission_penalty = min(max(penalty, 0), submitted.score)

    def _write(self, student: str, files: list[Path], text: str) -> None:
        """The autograded folder, as nbgrader leaves it: the submission's files, the source's, the notebook; read-only."""
        target = self.root / AUTOGRADED / student / self.exercise
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        replaced = {str(relative) for relative, _ in self.source_files}
        for path in files:
            if path.name not in replaced:  # a file the source's own copy replaces is not copied first
                shutil.copyfile(path, target / path.name)
        for relative, path in self.source_files:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)
        (target / self.notebook).write_text(text if text.endswith("\n") else text + "\n", "utf-8")
        for folder, _, names in os.walk(target):
            for name in names:
                os.chmod(os.path.join(folder, name), 0o444)


STORED_TOGETHER = 25
"""How many submissions' rows are written to the gradebook together (see :meth:`ExerciseRecording._store`)."""


def _reads(nbformat: Any, text: str) -> Any:
    """The notebook in *text* as nbconvert's exporter hands it to nbgrader's steps: read, converted to version 4,
    validated and normalised. Validating and normalising change a notebook only where cell ids are missing or
    repeated (they give such cells new, random ids), so only such a notebook goes through them: for any other,
    they would cost more than the rest of recording it and change nothing."""
    nb = nbformat.convert(nbformat.reader.reads(text), 4)
    if not _ids_to_repair(nb):
        return nb
    nb = nbformat.reads(text, as_version=4)
    if hasattr(nbformat.validator, "normalize"):
        _, nb = nbformat.validator.normalize(nb)
        nb = nbformat.from_dict(nb)
    return nb


def _writes(nbformat: Any, nb: Any, *, consume: bool = False) -> str:
    """The notebook's text as nbconvert's exporter writes it (validated only where :func:`_reads` would).

    With *consume*, *nb* is not used again, so it is written as it is, without nbformat's deep
    copy (the copy only keeps the caller's notebook unchanged): the same text, and *nb* is left
    with its text split into lines."""
    if _ids_to_repair(nb):
        return str(nbformat.writes(nb, version=4))
    if not consume:
        return str(nbformat.versions[4].writes_json(nb))
    return _encoded(nbformat, nb)


def _read_data(nbformat: Any, data: dict[str, Any]) -> Any:
    """``_reads(nbformat, json.dumps(data))`` for notebook data read from JSON, without writing and parsing its
    text: nbformat's reader makes its own notebook from *data* (which it leaves as it was). A notebook
    that is not of version 4, or whose cell ids need repair, still goes through its text."""
    major, minor = nbformat.reader.get_version(data)
    if major == 4:
        nb = nbformat.versions[4].to_notebook_json(data, minor=minor)
        if not _ids_to_repair(nb):
            return nb
    return _reads(nbformat, json.dumps(data, ensure_ascii=False))


def _round_trip(nbformat: Any, nb: Any) -> Any:
    """What nbgrader reads back after it writes *nb* (a notebook not used again): ``_reads(_writes(nb))``.

    Where no cell id needs repair, that is *nb* itself: writing splits its text into lines and
    drops its transient keys, and reading joins the lines again, while *nb* (made by
    :func:`_reads` or :func:`_read_data`, then sanitised) has its text whole and no transient
    keys already. Only the order of its keys would change, which nothing reads (the autograded
    file is written with sorted keys). ``tests/test_recording.py`` checks this, value and type,
    on real and odd notebooks."""
    if _ids_to_repair(nb):
        return _reads(nbformat, _writes(nbformat, nb))
    return nb


def _encoded(nbformat: Any, nb: Any) -> str:
    """nbformat's ``writes_json`` of *nb*, but on *nb* itself (its text is split into lines in place, as
    nbformat splits its copy): the same keys, order, values and layout."""
    from nbformat.v4.nbjson import BytesEncoder
    from nbformat.v4.rwbase import split_lines, strip_transient

    data = strip_transient(split_lines(nb))  # type: ignore[no-untyped-call]
    return json.dumps(data, cls=BytesEncoder, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)


def _ids_to_repair(nb: Any) -> bool:
    """Whether nbformat's validation would give some cell of *nb* a new id (missing or repeated ids)."""
    if (nb.get("nbformat", 0), nb.get("nbformat_minor", 0)) < (4, 5):
        return False
    ids = [cell.get("id") for cell in nb.get("cells", [])]
    return None in ids or len(set(ids)) != len(ids)


def _timestamp(utils: Any, folder: Path, files: list[Path]) -> Any:
    """The submission's time from its ``timestamp.txt``, as nbgrader reads it (None without one)."""
    if not any(path.name == "timestamp.txt" for path in files):
        return None
    text = (folder / "timestamp.txt").read_text("utf-8").strip()
    if not text:
        return None
    try:
        return utils.parse_utc(text)
    except ValueError:
        raise NbgraderError(f"{folder / 'timestamp.txt'}: the submission time {text[:60]!r} is not a date and time "
                            "nbgrader can read (expected, for example, 2026-11-30 17:00:00 UTC)") from None


def _ignored(name: str) -> bool:
    """Whether nbgrader leaves a file so named out of an autograded folder (the course's ignore list, notebooks)."""
    from ..nbgrader_bridge.config import IGNORED

    return any(fnmatch.fnmatch(name, pattern) for pattern in [*IGNORED, "*.ipynb"])


def _source_files(source: Path) -> list[tuple[Path, Path]]:
    """The exercise's source files that nbgrader copies beside an autograded notebook (all but notebooks and the
    files it ignores), as (path inside the folder, path)."""
    found = []
    for folder, dirs, names in os.walk(source):
        dirs[:] = [d for d in dirs if not _ignored(d)]
        for name in sorted(names):
            if not _ignored(name):
                path = Path(folder) / name
                found.append((path.relative_to(source), path))
    return sorted(found)


def _late_penalty_plugin(root: Path) -> Callable[[str, float, float], float | None]:
    """The late-submission plugin that nbgrader's configuration for the course names, set up as configured."""
    from nbgrader.plugins import LateSubmissionPlugin
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader
    from traitlets.utils.importstring import import_item

    config = Config()
    if (root / "nbgrader_config.py").is_file():
        config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    chosen = config.get("AssignLatePenalties", {}).get("plugin_class", LateSubmissionPlugin)
    plugin_class = import_item(chosen) if isinstance(chosen, str) else chosen
    plugin = plugin_class(config=config)
    return plugin.late_submission_penalty  # type: ignore[no-any-return]


def _ensure_assignment(root: Path, exercise: str, gradebook: Any) -> None:
    """nbgrader grades only exercises its gradebook knows: record the release there if it is missing."""
    from nbgrader.api import MissingEntry

    from ..nbgrader_bridge.release import release

    try:
        gradebook.find_assignment(exercise)
        return
    except MissingEntry:
        gradebook.db.rollback()  # nothing of this session's stands in the way of the release's own
    with tempfile.TemporaryDirectory(prefix="who-says-so-release-") as scratch:
        release(root, [exercise], into=Path(scratch), gradebook=root / "gradebook.db")
