"""nbgrader's settings for a course folder, in one place.

The course's ``nbgrader_config.py`` calls :func:`configure`; the ``course``
command builds the same settings for its own runs of nbgrader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..checks import HIDDEN_FILE
from ..layout import INSTRUCTOR_NOTES, RELEASE, SOURCE

__all__ = ["COURSE_ID", "IGNORED", "configure"]

COURSE_ID = "who-says-so"
IGNORED = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", HIDDEN_FILE, INSTRUCTOR_NOTES]
"""Files nbgrader never copies from the source: its defaults, the hidden cases and the instructors' notes."""


def configure(c: Any, *, root: Path | None = None) -> Any:
    """Point nbgrader at this course's folders; *root* defaults to the current folder."""
    if root is not None:
        c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.source_directory = SOURCE
    c.CourseDirectory.release_directory = RELEASE
    c.CourseDirectory.ignore = list(IGNORED)
    # Students keep their own copy of the exercise's data files; nothing else is theirs to overwrite.
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    return c
