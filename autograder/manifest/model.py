"""The course manifest as typed records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..datafiles import DataFileError

__all__ = ["Exercise", "Grading", "Lesson", "Manifest"]


@dataclass(frozen=True, kw_only=True)
class Lesson:
    file: str
    title: str
    objectives: tuple[str, ...]
    teaching_minutes: int
    practice_minutes: int
    line: int | None = None

    @property
    def id(self) -> str:
        """The lesson's name, from its file: ``01-provenance``."""
        return Path(self.file).stem


@dataclass(frozen=True, kw_only=True)
class Exercise:
    folder: str
    notebook: str
    title: str
    assesses: str
    points: float
    minutes: int | None = None
    """Minutes a learner needs, as ``course.yaml`` states them (None when it does not)."""
    line: int | None = None

    @property
    def id(self) -> str:
        """The exercise's name, which is also nbgrader's assignment name."""
        return self.folder


@dataclass(frozen=True, kw_only=True)
class Grading:
    """Limits for one submission in the batch grader."""

    wall_seconds: float
    cpu_seconds: float
    memory_mb: int
    output_kb: int
    processes: int
    cell_seconds: float
    call_seconds: float


@dataclass(frozen=True, kw_only=True)
class Manifest:
    path: Path
    title: str
    description: str
    case_study: str | None
    lessons: tuple[Lesson, ...]
    exercises: tuple[Exercise, ...]
    grading: Grading

    @property
    def root(self) -> Path:
        return self.path.parent

    def exercise(self, name: str) -> Exercise:
        """The exercise in folder *name*; a DataFileError naming the exercises there are, if none."""
        for exercise in self.exercises:
            if exercise.folder == name:
                return exercise
        known = ", ".join(e.folder for e in self.exercises)
        raise DataFileError(self.path, f"there is no exercise {name!r}; the exercises are: {known}")
