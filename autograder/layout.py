"""Where things live in a course folder: one place for every folder and file name."""

from __future__ import annotations

from pathlib import Path

__all__ = ["MANIFEST", "LESSONS", "SOURCE", "RELEASE", "DATA", "INSTRUCTOR_NOTES", "find_course_root"]

MANIFEST = "course.yaml"
LESSONS = "lessons"
SOURCE = "solutions"
"""nbgrader's source directory: the notebooks with solutions, and the hidden cases."""
RELEASE = "exercises"
"""nbgrader's release directory: what students receive, generated from SOURCE."""
DATA = "data"
INSTRUCTOR_NOTES = "DESIGN.md"
"""An exercise's design notes for instructors: kept in SOURCE, never released."""


def find_course_root(start: Path) -> Path | None:
    """The nearest folder at or above *start* that holds a course manifest, if any."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MANIFEST).is_file():
            return folder
    return None
