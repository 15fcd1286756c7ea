"""The course manifest, ``course.yaml``: its records, reading it, and checking it against the files."""

from __future__ import annotations

from .load import load_manifest
from .model import Exercise, Grading, Lesson, Manifest
from .validate import validate_course

__all__ = ["Exercise", "Grading", "Lesson", "Manifest", "load_manifest", "validate_course"]
