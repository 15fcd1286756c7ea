"""Read ``course.yaml`` into a :class:`~autograder.manifest.model.Manifest`."""

from __future__ import annotations

from pathlib import Path

from ..datafiles import DataFileError, line_of, read_yaml
from .model import Exercise, Grading, Lesson, Manifest

__all__ = ["load_manifest"]


def load_manifest(path: Path) -> Manifest:
    """The manifest at *path*, checked against its schema and for repeated names.

    Raises :class:`~autograder.datafiles.DataFileError` with the file and line.
    Whether the files it names exist is :func:`~autograder.manifest.validate.validate_course`'s job.
    """
    data, root = read_yaml(path, "course")
    lessons = tuple(
        Lesson(
            file=item["file"],
            title=item["title"],
            objectives=tuple(item["objectives"]),
            teaching_minutes=item["minutes"]["teaching"],
            practice_minutes=item["minutes"]["practice"],
            line=line_of(root, ["lessons", index]),
        )
        for index, item in enumerate(data["lessons"])
    )
    exercises = tuple(
        Exercise(
            folder=item["folder"],
            notebook=item["notebook"],
            title=item["title"],
            assesses=item["assesses"],
            points=float(item["points"]),
            minutes=item.get("minutes"),
            line=line_of(root, ["exercises", index]),
        )
        for index, item in enumerate(data["exercises"])
    )
    _refuse_repeats(path, "lessons", [(lesson.id, lesson.line) for lesson in lessons], "lesson")
    _refuse_repeats(path, "exercises", [(exercise.folder, exercise.line) for exercise in exercises], "exercise")
    return Manifest(
        path=path,
        title=data["title"],
        description=data["description"],
        case_study=data.get("case_study"),
        lessons=lessons,
        exercises=exercises,
        grading=Grading(**data["grading"]),
    )


def _refuse_repeats(path: Path, section: str, names: list[tuple[str, int | None]], kind: str) -> None:
    seen: dict[str, int | None] = {}
    for name, line in names:
        if name in seen:
            raise DataFileError(
                path,
                f"{section}: the {kind} {name!r} is listed twice (first on line {seen[name]}); "
                f"expected each {kind} once",
                line=line,
            )
        seen[name] = line
