"""Submissions to grade: nbgrader's ``submitted/<student>/<exercise>/``, or loose notebooks."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..datafiles import DataFileError

__all__ = ["Submission", "find_submissions", "import_loose"]

SUBMITTED = "submitted"


@dataclass(frozen=True, kw_only=True)
class Submission:
    student: str
    exercise: str
    folder: Path
    notebook: Path


def find_submissions(root: Path, exercise: str, notebook: str) -> list[Submission]:
    """Every ``submitted/<student>/<exercise>/`` folder, by student id."""
    found = []
    for folder in sorted((root / SUBMITTED).glob(f"*/{exercise}")):
        if folder.is_dir():
            found.append(Submission(student=folder.parent.name, exercise=exercise, folder=folder,
                                    notebook=folder / notebook))
    return found


def import_loose(root: Path, exercise: str, notebook: str, source: Path) -> list[str]:
    """Copy loose notebooks (a folder or a zip, as an LMS gives them) into nbgrader's layout.

    Each ``*.ipynb`` becomes ``submitted/<student>/<exercise>/<notebook>``, the student id being
    the file name up to the first ``_``, ``-`` or space (``alice_1234_provenance.ipynb`` is
    ``alice``). Returns the student ids. Two files for one student are refused.
    """
    with tempfile.TemporaryDirectory() as scratch:
        if source.is_file() and zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as archive:
                for member in archive.infolist():
                    if member.filename.endswith(".ipynb") and ".." not in Path(member.filename).parts:
                        target = Path(scratch) / Path(member.filename).name
                        target.write_bytes(archive.read(member))
            folder = Path(scratch)
        elif source.is_dir():
            folder = source
        else:
            raise DataFileError(source, "expected a folder or a .zip file of notebooks")
        files = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
        if not files:
            raise DataFileError(source, "there are no notebooks (.ipynb files) here")
        students: dict[str, Path] = {}
        for path in files:
            student = _student_id(path.stem)
            if student in students:
                raise DataFileError(path, f"two notebooks for student {student!r} "
                                    f"({students[student].name} and {path.name}); keep one")
            students[student] = path
        for student, path in students.items():
            target = root / SUBMITTED / student / exercise
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / notebook)
        return sorted(students)


def _student_id(stem: str) -> str:
    first = re.split(r"[_\-\s]+", stem.strip())[0]
    cleaned = re.sub(r"[^A-Za-z0-9.@]+", "", first)
    return cleaned or "unnamed"
