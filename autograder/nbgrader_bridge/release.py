"""Make ``exercises/`` (nbgrader's release) from ``solutions/`` (its source), and find drift.

A learner's work is never released over: a notebook in ``exercises/`` that is not as a release
made it (see :func:`autograder.learner.workspace.holds_learner_work`) is copied to safety first,
and the exercise is left alone unless *force* is given.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..layout import RELEASE, WORK
from .tools import generate_assignment

__all__ = ["Kept", "release", "release_drift"]


@dataclass(frozen=True, kw_only=True)
class Kept:
    """An exercise whose release folder held a learner's work: the files, where they were copied,
    and whether the release was still made over them (only with *force*)."""

    exercise: str
    files: tuple[Path, ...]
    saved_in: Path
    replaced: bool

    def message(self, root: Path) -> str:
        names = ", ".join(str(p.relative_to(root)) for p in self.files)
        saved = self.saved_in.relative_to(root)
        if self.replaced:
            return f"{names}: your work was copied to {saved}/ first, then the release was made over it."
        where = (f"Carry on in {saved}/, your working copy." if saved.parts[0] == WORK
                 else f"A copy is in {saved}/.")
        return (f"{names} holds your own work, so {RELEASE}/{self.exercise}/ was not released over. {where} "
                f"To put the fresh release back in {RELEASE}/{self.exercise}/, run "
                f"`course release {self.exercise} --force` (your work stays in {saved}/).")


def release(
    root: Path, exercises: list[str], *, into: Path | None = None, gradebook: Path | None = None, force: bool = False
) -> list[Kept]:
    """Generate the release of each of *exercises* with nbgrader's ``generate_assignment``.

    By default the release goes to the course's ``exercises/`` and the course's
    gradebook records it, as ``nbgrader generate_assignment --force`` would.
    *into* and *gradebook* send both elsewhere (for a dry run). An exercise whose
    release folder holds the learner's work is first copied to safety, and then
    released only with *force*; the returned list says which and where.
    """
    from ..learner.workspace import learner_files, save_learner_work

    overrides: dict[str, str] = {}
    if into is not None:
        overrides["release_directory"] = str(into.resolve())
    if gradebook is not None:
        overrides["db_url"] = f"sqlite:///{gradebook.resolve()}"
    kept = []
    for name in exercises:
        files = learner_files(root, name) if into is None else []
        if files:
            saved = save_learner_work(root, name, files)
            kept.append(Kept(exercise=name, files=tuple(files), saved_in=saved, replaced=force))
            if not force:
                continue
        generate_assignment(root, name, **overrides)
    return kept


def release_drift(root: Path, exercises: list[str]) -> list[str]:
    """The files of ``exercises/`` that differ from a fresh release (empty when there is no drift)."""
    from ..learner.workspace import learner_files

    with tempfile.TemporaryDirectory(prefix="who-says-so-release-") as scratch:
        fresh = Path(scratch) / "release"
        release(root, exercises, into=fresh, gradebook=Path(scratch) / "gradebook.db")
        drift = []
        for name in exercises:
            made = _files(fresh / name)
            kept = _files(root / RELEASE / name)
            for relative in sorted(set(made) | set(kept)):
                if relative not in kept:
                    drift.append(f"{RELEASE}/{name}/{relative} is missing")
                elif relative not in made:
                    drift.append(f"{RELEASE}/{name}/{relative} is not made from the source any more")
                elif _content(made[relative]) != _content(kept[relative]):
                    drift.append(f"{RELEASE}/{name}/{relative} differs from a fresh release")
            if learner_files(root, name):
                drift.append(f"{RELEASE}/{name}/ holds your own work (answers, outputs or files of yours). "
                             f"Run `course release {name} --force`: it first copies your work to {WORK}/{name}/ "
                             "(or, when that folder is taken, to a backup folder it names), then puts the release back.")
        return drift


def _files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): p
        for p in folder.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    }


def _content(path: Path) -> object:
    if path.suffix == ".ipynb":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            return path.read_bytes()
    return path.read_bytes()
