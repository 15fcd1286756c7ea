"""Submissions to grade: nbgrader's ``submitted/<student>/<exercise>/``, or loose notebooks.

Nothing but plain files crosses into a sandbox: :func:`plain_files` refuses symbolic
links (the notebook itself included), hard links, devices, FIFOs and sockets, each with
a reason, and :func:`import_loose` checks a zip's members before it extracts any.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..datafiles import DataFileError

__all__ = ["Submission", "find_submissions", "import_loose", "plain_files", "read_plain"]

SUBMITTED = "submitted"
MAX_FILE_BYTES = 10_000_000
"""The largest submitted file copied into a sandbox."""
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_BYTES = 500_000_000


@dataclass(frozen=True, kw_only=True)
class Submission:
    student: str
    exercise: str
    folder: Path
    notebook: Path


def find_submissions(root: Path, exercise: str, notebook: str) -> list[Submission]:
    """Every ``submitted/<student>/<exercise>/`` folder, by student id (symbolic links included, to be refused)."""
    found = []
    base = root / SUBMITTED
    if not base.is_dir():
        return []
    for student in sorted(os.listdir(base)):
        folder = base / student / exercise
        if os.path.lexists(folder) and not student.startswith("."):
            found.append(Submission(student=student, exercise=exercise, folder=folder, notebook=folder / notebook))
    return found


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a plain file"


def refusal(path: Path) -> str:
    """Why *path* may not enter the sandbox ("" if it is a plain file of its own)."""
    try:
        info = os.lstat(path)
    except OSError as error:
        return f"{path.name} could not be read ({error.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return f"{path.name} is {_kind(info.st_mode)}; only plain files are graded"
    if info.st_nlink > 1:
        return f"{path.name} is a hard link to another file; only plain files of the submission's own are graded"
    if info.st_size > MAX_FILE_BYTES:
        return f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB"
    return ""


def check_folder(submission: Submission) -> str:
    """Why the submission's folder itself may not be graded ("" if it is a real folder in the course)."""
    for path in (submission.folder.parent, submission.folder):
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            return f"the folder {path.name} is a symbolic link; submit the files themselves"
        if not stat.S_ISDIR(info.st_mode):
            return f"{path.name} is {_kind(info.st_mode)}, not a folder"
    return ""


def plain_files(folder: Path, skip: set[str]) -> tuple[list[Path], list[str]]:
    """The plain files directly in *folder* (but *skip*), and a reason for each entry that was refused (folders are
    left out without one)."""
    files, refused = [], []
    for name in sorted(os.listdir(folder)):
        if name in skip:
            continue
        path = folder / name
        if stat.S_ISDIR(os.lstat(path).st_mode):
            continue  # folders (.ipynb_checkpoints, say) were never copied, and say nothing about the work
        reason = refusal(path)
        if reason:
            refused.append(reason)
        else:
            files.append(path)
    return files, refused


def read_plain(path: Path) -> bytes:
    """The bytes of *path*, which must be a plain file of its own (no link, FIFO or device is opened or followed);
    OSError with a reason otherwise."""
    reason = refusal(path)
    if reason:
        raise OSError(reason)
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
            raise OSError(f"{path.name} changed while it was read")
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(handle)


def check_zip(source: Path, archive: zipfile.ZipFile) -> None:
    """Refuse (DataFileError) a zip with links, absolute paths, ``..``, or too many or too large members."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise DataFileError(source, f"the zip has {len(members):,} members, more than the {MAX_ZIP_MEMBERS:,} allowed")
    total = 0
    for member in members:
        name = member.filename
        mode = member.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise DataFileError(source, f"the zip member {name!r} is a symbolic link; expected notebooks only")
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
            raise DataFileError(source, f"the zip member {name!r} has an absolute path")
        if ".." in re.split(r"[\\/]", name):
            raise DataFileError(source, f"the zip member {name!r} points outside the folder (..)")
        if member.file_size > MAX_FILE_BYTES and name.endswith(".ipynb"):
            raise DataFileError(source, f"the zip member {name!r} would unpack to {member.file_size:,} bytes, more "
                                f"than the {MAX_FILE_BYTES:,} allowed for a notebook")
        total += member.file_size
    if total > MAX_ZIP_BYTES:
        raise DataFileError(source, f"the zip would unpack to {total:,} bytes, more than the {MAX_ZIP_BYTES:,} allowed")


def import_loose(root: Path, exercise: str, notebook: str, source: Path) -> list[str]:
    """Copy loose notebooks (a folder or a zip, as an LMS gives them) into nbgrader's layout.

    Each ``*.ipynb`` becomes ``submitted/<student>/<exercise>/<notebook>``, the student id being
    the file name up to the first ``_``, ``-`` or space (``alice_1234_provenance.ipynb`` is
    ``alice``). Returns the student ids. Two files for one student, and a zip with links,
    absolute paths, ``..`` or huge or too many members, are refused (DataFileError); so is a
    notebook in a folder that is not a plain file.
    """
    with tempfile.TemporaryDirectory() as scratch:
        if source.is_file() and zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as archive:
                check_zip(source, archive)
                for member in archive.infolist():
                    if member.filename.endswith(".ipynb") and not member.is_dir():
                        target = Path(scratch) / Path(member.filename.replace("\\", "/")).name
                        with archive.open(member) as data:
                            target.write_bytes(data.read(MAX_FILE_BYTES + 1))
            folder = Path(scratch)
        elif source.is_dir():
            folder = source
        else:
            raise DataFileError(source, "expected a folder or a .zip file of notebooks")
        files = sorted(folder / name for name in os.listdir(folder) if name.endswith(".ipynb"))
        for path in files:
            reason = refusal(path)
            if reason:
                raise DataFileError(path, f"{reason}; expected the notebooks themselves")
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
    cleaned = re.sub(r"[^A-Za-z0-9.@]+", "", first)[:100].lstrip(".")
    return cleaned or "unnamed"
