"""A self-learner's own working copy of an exercise, and the learner's work found anywhere else.

``exercises/`` is the release, made by ``course release`` from ``solutions/`` and replaced whenever
the course changes. A self-learner works in ``work/NN-topic/``, a copy that ``course start`` makes
and no command ever replaces. Work saved in ``exercises/`` is found (:func:`holds_learner_work`)
and copied to safety (:func:`save_learner_work`) before anything could replace it.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from ..datafiles import DataFileError
from ..layout import BACKUPS, MANIFEST, RELEASE, SOURCE, WORK
from ..manifest import load_manifest
from ..nbgrader_bridge.cells import is_untouched, read_notebook

__all__ = ["holds_learner_work", "learner_files", "save_learner_work", "start_exercise", "working_notebook"]


def working_notebook(root: Path, folder: str, notebook: str) -> Path:
    """The learner's notebook of an exercise: the working copy in ``work/`` if there is one, else the release."""
    mine = root / WORK / folder / notebook
    return mine if mine.is_file() else root / RELEASE / folder / notebook


def holds_learner_work(path: Path) -> bool:
    """Whether the notebook at *path* is not as ``course release`` made it: an answer or a locked cell
    edited (nbgrader's checksum no longer matches), a cell added, outputs or run counts saved, or a
    file that is not a readable notebook at all."""
    try:
        cells = read_notebook(path)["cells"]
    except DataFileError:
        return True
    for cell in cells:
        if not isinstance(cell, dict) or "nbgrader" not in cell.get("metadata", {}):
            return True
        if cell.get("outputs") or cell.get("execution_count"):
            return True
        if not is_untouched(cell):
            return True
    return False


def learner_files(root: Path, folder: str) -> list[Path]:
    """The files in ``exercises/<folder>/`` that a fresh release would lose: notebooks holding the
    learner's work, and files the release does not make (a notebook saved under another name, say)."""
    released, source = root / RELEASE / folder, root / SOURCE / folder
    if not released.is_dir():
        return []
    found = []
    for path in sorted(released.rglob("*")):
        if not path.is_file() or ".ipynb_checkpoints" in path.parts or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(released)
        if path.suffix == ".ipynb" and (holds_learner_work(path) or not (source / relative).is_file()):
            found.append(path)
        elif path.suffix != ".ipynb" and not (source / relative).exists():
            found.append(path)
    return found


def save_learner_work(root: Path, folder: str, files: list[Path]) -> Path:
    """Copy *files* (found in ``exercises/<folder>/``) to safety, and return where they went.

    With no working copy yet, the whole exercise folder becomes ``work/<folder>/``, the learner's
    working copy from now on. Otherwise the files go to ``.course/backups/<folder>-<time>/``.
    Nothing is moved or deleted; the copies are checked byte for byte.
    """
    released = root / RELEASE / folder
    work = root / WORK / folder
    if not work.exists():
        shutil.copytree(released, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        target = work
    else:
        target = root / BACKUPS / f"{folder}-{time.strftime('%Y%m%d-%H%M%S')}"
        for path in files:
            copy = target / path.relative_to(released)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
    for path in files:
        if (target / path.relative_to(released)).read_bytes() != path.read_bytes():
            raise DataFileError(path, f"the copy in {target} does not match; nothing was replaced")
    return target


def start_exercise(root: Path, name: str) -> str:
    """Make the learner's working copy of exercise *name* in ``work/`` (or say it is there already).

    The copy has the notebook and every file beside it (the cases, the article). When the release
    already holds the learner's work, that work is what is copied. Returns what to tell the learner.
    """
    exercise = load_manifest(root / MANIFEST).exercise(name)
    released, work = root / RELEASE / exercise.folder, root / WORK / exercise.folder
    notebook = work / exercise.notebook
    if notebook.is_file():
        refreshed = _refresh_course_files(released, work)
        note = f" The course's files beside it were brought up to date: {', '.join(refreshed)}." if refreshed else ""
        return (f"Your working copy of {exercise.folder} is already there: {notebook.relative_to(root)}. "
                f"It was left as it is.{note}")
    if not (released / exercise.notebook).is_file():
        raise DataFileError(released / exercise.notebook, "the released notebook is missing; run `course release`")
    work.mkdir(parents=True, exist_ok=True)
    for path in sorted(released.iterdir()):
        if path.is_file() and not (work / path.name).exists():
            shutil.copy2(path, work / path.name)
    moved = holds_learner_work(released / exercise.notebook)
    lines = [f"Made your working copy of {exercise.folder}: open {notebook.relative_to(root)} in JupyterLab."]
    if moved:
        lines.append(f"It is a copy of your work in {RELEASE}/{exercise.folder}/, which is left as it was.")
    lines.append(f"Work there: `course release` never touches {WORK}/, and `course check {exercise.folder}`, "
                 f"`course progress` and `course compare {exercise.folder}` read your copy.")
    return "\n".join(lines)


def _refresh_course_files(released: Path, work: Path) -> list[str]:
    """Bring the course's own files in a working copy (cases, article) up to date; never a notebook."""
    refreshed = []
    for path in sorted(released.iterdir()):
        if path.is_file() and path.suffix != ".ipynb":
            mine = work / path.name
            if not mine.is_file() or mine.read_bytes() != path.read_bytes():
                shutil.copy2(path, mine)
                refreshed.append(path.name)
    return refreshed
