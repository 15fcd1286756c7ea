"""`course grade`: the same scores as nbgrader's autograde on honest work, recorded where nbgrader looks."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from autograder.manifest import load_manifest

from .conftest import ROOT, cell_scores, copy_course, run_tool

EXERCISES = [e.folder for e in load_manifest(ROOT / "course.yaml").exercises]


@pytest.fixture(scope="module")
def ours(graded_course: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The class that nbgrader graded, graded again by `course grade` in a fresh copy of the course."""
    course = copy_course(tmp_path_factory.mktemp("ours") / "course")
    shutil.copytree(graded_course / "submitted", course / "submitted")
    result = run_tool(["course", "grade", *EXERCISES, "--jobs", "2"], course)
    assert result.stderr.count("█") > 0, "a progress bar is shown"
    return course


def students(course: Path, exercise: str) -> list[str]:
    return sorted(p.parent.name for p in (course / "submitted").glob(f"*/{exercise}"))


@pytest.mark.parametrize("exercise", EXERCISES)
def test_honest_submissions_score_exactly_as_under_nbgrader_autograde(graded_course: Path, ours: Path, exercise: str) -> None:
    names = students(graded_course, exercise)
    assert len(names) >= 4
    for student in names:
        assert cell_scores(ours, exercise, student) == cell_scores(graded_course, exercise, student), student


@pytest.mark.parametrize("exercise", EXERCISES)
def test_each_submission_has_a_results_file_with_every_case_and_the_isolation_used(ours: Path, exercise: str) -> None:
    for student in students(ours, exercise):
        record = json.loads((ours / "results" / exercise / f"{student}.json").read_text("utf-8"))
        assert record["recorded"] is True
        assert record["isolation"]
        cases = [case for task in record["tasks"] for case in task["cases"]]
        assert any(case["hidden"] for case in cases) and any(not case["hidden"] for case in cases)
        assert record["earned"] == sum(task["earned"] for task in record["tasks"])


def test_feedback_and_export_work_on_what_course_grade_recorded(ours: Path) -> None:
    run_tool(["nbgrader", "generate_feedback", "01-provenance"], ours)
    page = (ours / "feedback" / "half-strip_boilerplate" / "01-provenance" / "provenance.html").read_text("utf-8")
    assert "Task 1 · strip_boilerplate" in page
    assert re.search(r"hidden checks? of task 1 failed\.", page), "the feedback says a hidden check failed"
    run_tool(["nbgrader", "export"], ours)
    with (ours / "grades.csv").open(newline="") as handle:
        rows = {(r["assignment"], r["student_id"]): float(r["raw_score"]) for r in csv.DictReader(handle)}
    assert rows[("01-provenance", "reference")] == 16
    assert rows[("01-provenance", "untouched")] == 0


def test_a_second_run_regrades_nothing_that_has_not_changed(ours: Path) -> None:
    result = run_tool(["course", "grade", "01-provenance"], ours)
    assert "graded 0, unchanged since the last run 4" in result.stdout
