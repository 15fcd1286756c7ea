"""The results file of one submission: every task and case, the problems, and how it was isolated.

Written whole (a temporary file renamed into place), so a grading run that is killed leaves
either the old file or the new one, never half of one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks.judge import CaseResult
from ..checks.report import TaskReport
from ..datafiles import _validator
from ..records import GRADER_VERSION, CaseOutcome, ResultRecord, TaskResult

if TYPE_CHECKING:
    from .submissions import Submission

__all__ = ["RESULTS", "RETURNED_LIMIT", "code_fingerprint", "digest", "exercise_fingerprint", "folder_files",
           "grader_version", "grading_fingerprint", "mark_recorded", "read_result", "result_path", "task_record",
           "write_result"]

RESULTS = "results"
"""Results files live in ``results/<exercise>/<student>.json`` in the course folder."""


def result_path(root: Path, exercise: str, student: str) -> Path:
    """Where *student*'s results file is; a name too long for a file name is shortened and made unique."""
    name = student
    if len(f"{name}.json".encode("utf-8")) > 200 or name.startswith("."):
        tag = hashlib.sha256(student.encode("utf-8")).hexdigest()[:16]
        name = f"{student.encode('utf-8')[:120].decode('utf-8', 'ignore').lstrip('.')}-{tag}"
    return root / RESULTS / exercise / f"{name}.json"


def digest(files: Mapping[str, Path], settings: Mapping[str, Any]) -> str:
    """A fingerprint of *files* (a name for each path; a missing file counts as missing) and of *settings*.

    Returns a hex digest that changes when any file's name or content, or any setting, changes.
    """
    sha = hashlib.sha256()
    sha.update(json.dumps(settings, sort_keys=True, default=str).encode("utf-8"))
    for name in sorted(files):
        sha.update(b"\0" + name.encode("utf-8") + b"\0")
        path = files[name]
        try:
            info = os.lstat(path)
        except OSError:
            sha.update(b"<missing>")
            continue
        if stat.S_ISREG(info.st_mode):  # never follows a link, never opens a FIFO
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    sha.update(chunk)
        else:
            sha.update(f"<not a plain file: {info.st_mode:o} {info.st_ino}>".encode())
    return sha.hexdigest()


def folder_files(folder: Path, label: str) -> dict[str, Path]:
    """Every entry under *folder* that is not a folder (links included, never followed), named
    ``label/relative/path``; none when the folder is missing."""
    if not folder.is_dir() or folder.is_symlink():
        return {}
    found: dict[str, Path] = {}
    for parent, folders, files in os.walk(folder):  # os.walk does not follow links to folders
        for name in [*files, *(f for f in folders if os.path.islink(os.path.join(parent, f)))]:
            path = Path(parent) / name
            found[f"{label}/{path.relative_to(folder).as_posix()}"] = path
    return found


@cache
def grader_version() -> str:
    """The grader's version: its release number and a fingerprint of its code and schemas.

    A fix to a check's code changes it even where the release number stays the same (a course's
    own checkout), so that results graded by the old code are graded again.
    """
    return f"{GRADER_VERSION}+{code_fingerprint(Path(__file__).resolve().parents[1])}"


def code_fingerprint(package: Path) -> str:
    """A short fingerprint of the Python modules and JSON schemas in the folder *package*."""
    code = {name: path for name, path in folder_files(package, package.name).items()
            if path.suffix in {".py", ".json"} and "__pycache__" not in path.parts}
    return digest(code, {})[:16]


def grading_fingerprint(submission: Submission, *, exercise: str) -> str:
    """The fingerprint that decides whether a submission's results are still current.

    It covers the notebook and every other file the student submitted, and *exercise*: the
    exercise's own fingerprint (:func:`exercise_fingerprint`), the same for every submission of
    it. Returns a hex digest.
    """
    files = {"notebook": submission.notebook} | folder_files(submission.folder, "submitted")
    return digest(files, {"exercise": exercise})


def exercise_fingerprint(*, release_folder: Path, hidden_file: Path, grading: Any) -> str:
    """What a submission's results depend on besides its own files: the released files (the notebook's locked and
    check cells, the visible cases, the data files put back beside it), the hidden cases, the grading limits
    (*grading*, a dataclass such as the manifest's ``grading``) and the grader's version. Returns a hex digest."""
    files = {"hidden cases": hidden_file} | folder_files(release_folder, "release")
    return digest(files, {"limits": dataclasses.asdict(grading), "grader": grader_version()})


RETURNED_LIMIT = 200
"""How many characters of what a failed case returned are kept in the results file (for the class report)."""


def task_record(report: TaskReport) -> TaskResult:
    """The results file's account of one task: its points, each case's verdict, and its report as
    text and HTML.

    A failed case also keeps, cut to :data:`RETURNED_LIMIT` characters, what came back
    (``returned``: a short literal, ``raised …``, or ``nothing``) and why it failed when that
    is not a wrong value (``problem``), so that the class report can count wrong answers.
    ``visible_text`` is the report on the visible checks alone, for exports that show hidden
    checks separately, or later (Gradescope).
    """
    visible = TaskReport(task=report.task, results=tuple(r for r in report.results if not r.case.hidden),
                         hidden_ran=True)
    return TaskResult(
        task=report.task.number, function=report.task.function, earned=report.earned, possible=report.possible,
        cases=tuple(_case_record(r) for r in report.results), text=report.to_text(), html=report.to_html(),
        visible_text=visible.to_text(),
    )


def _case_record(result: CaseResult) -> CaseOutcome:
    failed = not result.passed
    return CaseOutcome(id=result.case.id, hidden=result.case.hidden, points=result.case.points, passed=result.passed,
                       status=result.status or "not_run", returned=_capped(result.got) if failed else None,
                       problem=_capped(result.problem) if failed and result.problem else None)


def _capped(text: str) -> str:
    return text if len(text) <= RETURNED_LIMIT else text[: RETURNED_LIMIT - 1] + "…"


def read_result(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_result(path: Path, record: dict[str, Any] | ResultRecord) -> None:
    """Write *record* to *path* whole: a temporary file renamed into place."""
    if isinstance(record, ResultRecord):
        record = record.to_data()
        _validator("results")(record)  # the versioned schema in autograder/schemas/results.schema.json
    _replace(path, _encoded(record))


def mark_recorded(path: Path) -> None:
    """Set ``"recorded": true`` in the results file at *path*, which stays otherwise as it was.

    The file is rewritten whole, as :func:`write_result` writes it: the same bytes as reading it,
    setting the flag and writing it again, without encoding it again. In the layout
    :func:`write_result` writes, the top-level ``"recorded"`` is the one on a line of its own one
    space in (a line break in a string is written ``\\n``): that one word is changed. A file in
    any other layout is read and written again. Raises ValueError when the file holds no JSON object.
    """
    text = path.read_text("utf-8")
    marked = text.replace(_UNRECORDED, _RECORDED) if text.count(_UNRECORDED) == 1 else None
    if marked is None or json.loads(marked).get("recorded") is not True:
        record = json.loads(text)
        if not isinstance(record, dict):
            raise ValueError(f"{path}: expected a results file (a JSON object), found {type(record).__name__}")
        record["recorded"] = True
        marked = _encoded(record)
    _replace(path, marked)


_UNRECORDED, _RECORDED = '\n "recorded": false', '\n "recorded": true'


def _encoded(record: dict[str, Any]) -> str:
    """A results file's text, in the record's own key order, non-ASCII text as it is: each top-level field on a
    line of its own, one space in, and each item of a list of objects (a task, with its cases) on a line of its
    own, two spaces in. Each line is made by the json module's C encoder (an indented file would need its
    Python one, several times slower: a file is written for every submission graded)."""
    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    fields = []
    for key, value in record.items():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            text = "[\n" + ",\n".join(f"  {compact(item)}" for item in value) + "\n ]"
        else:
            text = compact(value)
        fields.append(f" {compact(key)}: {text}")
    return "{\n" + ",\n".join(fields) + "\n}"


def _replace(path: Path, text: str) -> None:
    """Write *text* to *path* whole: a temporary file (readable by its owner alone) renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise
