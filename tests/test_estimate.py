"""The minutes course.yaml states for every lesson and exercise are close to a measured estimate,
the lessons and the README state the same, and the estimate grows with what a notebook asks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from autograder.datafiles import DataFileError
from autograder.manifest import load_manifest
from autograder.manifest.estimate import (
    CASE_MINUTES,
    CODE_CELL_MINUTES,
    PRACTICE_MINUTES,
    READING_WPM,
    SPEC_WPM,
    TASK_MINUTES,
    TOLERANCE,
    WRITTEN_MINUTES,
    estimate_exercise,
    estimate_lesson,
    main,
)

from .conftest import ROOT

MANIFEST = load_manifest(ROOT / "course.yaml")


@pytest.mark.parametrize("lesson", MANIFEST.lessons, ids=lambda lesson: lesson.id)
def test_each_lessons_stated_minutes_are_within_a_quarter_of_the_estimate(lesson) -> None:  # type: ignore[no-untyped-def]
    estimate = estimate_lesson(ROOT / lesson.file).total
    stated = lesson.teaching_minutes + lesson.practice_minutes
    assert abs(stated - estimate) <= TOLERANCE * estimate, (
        f"course.yaml gives {lesson.id} {stated} minutes; the estimate is {estimate:.0f} "
        "(python -m autograder.manifest.estimate prints the table)")


@pytest.mark.parametrize("exercise", MANIFEST.exercises, ids=lambda exercise: exercise.folder)
def test_each_exercises_stated_minutes_are_within_a_quarter_of_the_estimate(exercise) -> None:  # type: ignore[no-untyped-def]
    assert exercise.minutes is not None, f"course.yaml gives exercise {exercise.folder} no minutes"
    estimate = estimate_exercise(ROOT, exercise).total
    assert abs(exercise.minutes - estimate) <= TOLERANCE * estimate, (
        f"course.yaml gives exercise {exercise.folder} {exercise.minutes} minutes; the estimate is {estimate:.0f}")


@pytest.mark.parametrize("lesson", MANIFEST.lessons, ids=lambda lesson: lesson.id)
def test_each_lesson_states_the_minutes_of_course_yaml(lesson) -> None:  # type: ignore[no-untyped-def]
    overview = "".join(json.loads((ROOT / lesson.file).read_text("utf-8"))["cells"][0]["source"])
    assert f"**Teaching:** {lesson.teaching_minutes} min" in overview
    assert f"**Practice:** {lesson.practice_minutes} min" in overview


def test_the_readme_states_the_total_hours_of_course_yaml() -> None:
    total = sum(l.teaching_minutes + l.practice_minutes for l in MANIFEST.lessons)
    total += sum(e.minutes or 0 for e in MANIFEST.exercises)
    readme = (ROOT / "README.md").read_text("utf-8")
    match = re.search(r"takes about (\d+) hours \((\d+) minutes", readme)
    assert match, "the README does not say how long the course takes ('takes about N hours (M minutes')"
    assert int(match[2]) == total and int(match[1]) == round(total / 60)
    start_here = (ROOT / MANIFEST.lessons[0].file).read_text("utf-8")
    assert f"takes about {round(total / 60)} hours" in start_here, "lesson 00 states another total"


def test_the_readme_states_the_rates_the_estimator_uses() -> None:
    readme = " ".join((ROOT / "README.md").read_text("utf-8").split())
    for phrase in [f"read carefully at {READING_WPM} words a minute", f"runs and reads: {CODE_CELL_MINUTES:g} minutes",
                   f"to reveal): {PRACTICE_MINUTES} minutes", f"of an exercise: {TASK_MINUTES} minutes",
                   f"specification at {SPEC_WPM} words a minute", f"plus {CASE_MINUTES:g} minute for each visible check",
                   f"each written answer: {WRITTEN_MINUTES} minutes", f"within {TOLERANCE:.0%} of this estimate"]:
        assert phrase in readme, f"the README does not say {phrase!r}"


def _notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    path.write_text(json.dumps({"cells": [
        {"cell_type": kind, "metadata": {}, "source": text, **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, text in cells]}), "utf-8")
    return path


def test_the_estimate_counts_words_code_cells_and_practice_items(tmp_path: Path) -> None:
    words = " ".join(["word"] * READING_WPM)                    # one minute of reading
    plain = _notebook(tmp_path / "a.ipynb", [("markdown", words), ("code", "print(1)")])
    estimate = estimate_lesson(plain)
    assert estimate.teaching == pytest.approx(1 + CODE_CELL_MINUTES) and estimate.practice == 0
    practised = _notebook(tmp_path / "b.ipynb", [
        ("markdown", words), ("code", "print(1)"), ("markdown", "## Practice"), ("code", "x = ..."),
        ("markdown", "<details><summary>Show</summary> x = 1 </details>")])
    more = estimate_lesson(practised)
    assert more.teaching == pytest.approx(estimate.teaching)
    assert more.practice > PRACTICE_MINUTES + CODE_CELL_MINUTES   # the item, its code cell and its words


def test_the_estimate_of_an_exercise_grows_with_its_docstrings(course_copy: Path) -> None:
    exercise = load_manifest(course_copy / "course.yaml").exercise("03-statements")
    before = estimate_exercise(course_copy, exercise).total
    path = course_copy / "solutions" / "03-statements" / "statements.ipynb"
    notebook = json.loads(path.read_text("utf-8"))
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if '"""Return the hedge cues' in source:
            cell["source"] = source.replace('"""Return the hedge cues', '"""' + "More words here. " * 140 + "Return the hedge cues")
    path.write_text(json.dumps(notebook), "utf-8")
    assert estimate_exercise(course_copy, exercise).total > before + 15      # 420 more words to read


def test_an_exercise_without_minutes_still_loads_and_the_table_flags_it(course_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = course_copy / "course.yaml"
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"(?m)^    minutes: \d+\n", "", text, count=1), "utf-8")
    first = load_manifest(path).exercises[0]
    assert first.minutes is None
    assert main([str(course_copy)]) == 1
    assert "more than 25% off" in capsys.readouterr().out


def test_minutes_that_are_not_a_whole_number_are_refused_with_the_line(course_copy: Path) -> None:
    path = course_copy / "course.yaml"
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"(?m)^    minutes: \d+$", "    minutes: ninety", text, count=1), "utf-8")
    with pytest.raises(DataFileError) as caught:
        load_manifest(path)
    assert "minutes must be an integer" in str(caught.value) and "course.yaml:" in str(caught.value)
