"""course progress says how much time is left, from the minutes course.yaml states."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.learner.progress import Step, render_progress
from autograder.manifest import load_manifest

from .test_learner import course


def test_progress_shows_the_time_left_and_it_falls_when_a_lesson_is_complete(course_copy: Path) -> None:
    manifest = load_manifest(course_copy / "course.yaml")
    lesson = manifest.lessons[0]
    total = sum(l.teaching_minutes + l.practice_minutes for l in manifest.lessons)
    total += sum(e.minutes or 0 for e in manifest.exercises)
    hours = lambda m: f"{m // 60} h {m % 60:02d} min"   # noqa: E731

    before = course(["progress"], course_copy)
    assert f"Time left: about {hours(total)} of {hours(total)}" in before

    path = course_copy / lesson.file
    data = json.loads(path.read_text("utf-8"))
    for number, cell in enumerate(c for c in data["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = number + 1
    path.write_text(json.dumps(data), "utf-8")
    after = course(["progress"], course_copy)
    left = total - lesson.teaching_minutes - lesson.practice_minutes
    assert f"Time left: about {hours(left)} of {hours(total)}" in after


def test_steps_without_minutes_show_no_time_line() -> None:
    steps = [Step(kind="Lesson", number="00", title="Start", status="not started")]
    assert "Time left" not in render_progress("A course", steps)
    timed = [Step(kind="Lesson", number="00", title="Start", status="not started", minutes=40)]
    assert "Time left: about 40 min of 40 min" in render_progress("A course", timed)
