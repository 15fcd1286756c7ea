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


LATE_CONFIG = '\nc.LateSubmissionPlugin.penalty_method = "zero"  # a late submission scores 0\n'
DUE = "2026-11-30 17:00:00 UTC"


def _late_class(course: Path) -> None:
    """Exercise 01 due at DUE, with nbgrader's "zero" late penalty, and submissions on time and late."""
    from nbgrader.api import Gradebook

    from .classgen import half_right, submit
    from .conftest import solved_release

    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(LATE_CONFIG)
    run_tool(["nbgrader", "generate_assignment", "01-provenance", "--force"], course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "who-says-so") as gradebook:
        gradebook.update_or_create_assignment("01-provenance", duedate=DUE)
    reference = solved_release(course, "01-provenance", "provenance.ipynb")
    times = {"on-time": "2026-11-30 16:59:00 UTC", "late": "2026-12-01 09:30:00 UTC",
             "late-half": "2026-12-02 08:00:00 UTC"}
    for student, stamp in times.items():
        work = half_right(reference, "strip_boilerplate") if student == "late-half" else reference
        submit(course, student, "01-provenance", "provenance.ipynb", work)
        (course / "submitted" / student / "01-provenance" / "timestamp.txt").write_text(stamp + "\n", "utf-8")


def _late_rows(course: Path) -> dict[str, tuple[object, ...]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        rows = {}
        for submission in gradebook.assignment_submissions("01-provenance"):
            notebook = submission.notebooks[0]
            rows[submission.student.id] = (str(submission.timestamp), submission.total_seconds_late,
                                           notebook.late_submission_penalty, notebook.score)
        return rows


def test_late_penalties_are_recorded_as_nbgrader_autograde_records_them(tmp_path: Path) -> None:
    theirs, ours = copy_course(tmp_path / "theirs"), copy_course(tmp_path / "ours")
    for course in (theirs, ours):
        _late_class(course)
    run_tool(["nbgrader", "autograde", "01-provenance"], theirs)
    run_tool(["course", "grade", "01-provenance"], ours)
    expected = _late_rows(theirs)
    assert expected["on-time"][1] == 0 and expected["on-time"][2] is None, "on time: no penalty"
    assert expected["late"][1] > 0 and expected["late"][2] == expected["late"][3] > 0, "late: the whole score"
    assert _late_rows(ours) == expected
    for course in (theirs, ours):
        run_tool(["nbgrader", "export"], course)
    exported = []
    for course in (theirs, ours):
        with (course / "grades.csv").open(newline="") as handle:
            exported.append(sorted((r["student_id"], r["timestamp"], r["raw_score"], r["late_submission_penalty"],
                                    r["score"]) for r in csv.DictReader(handle)))
    assert exported[0] == exported[1]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_each_autograded_folder_holds_what_nbgraders_does(graded_course: Path, ours: Path, exercise: str) -> None:
    """The same files, each read-only; every file but the notebook with the same bytes (the notebooks' outputs differ:
    nbgrader's come from running it, ours from the results)."""
    for student in students(ours, exercise):
        theirs_folder, ours_folder = (c / "autograded" / student / exercise for c in (graded_course, ours))
        theirs = {p.relative_to(theirs_folder): p for p in theirs_folder.rglob("*") if p.is_file()}
        mine = {p.relative_to(ours_folder): p for p in ours_folder.rglob("*") if p.is_file()}
        assert sorted(mine) == sorted(theirs), student
        for relative, path in mine.items():
            assert path.stat().st_mode & 0o777 == theirs[relative].stat().st_mode & 0o777 == 0o444, (student, relative)
            if relative.suffix != ".ipynb":
                assert path.read_bytes() == theirs[relative].read_bytes(), (student, relative)


def test_a_submitted_copy_of_a_course_file_is_replaced_by_the_courses_own(tmp_path: Path) -> None:
    from .classgen import submit
    from .conftest import solved_release

    course = copy_course(tmp_path / "course")
    reference = solved_release(course, "01-provenance", "provenance.ipynb")
    submit(course, "ada", "01-provenance", "provenance.ipynb", reference)
    folder = course / "submitted" / "ada" / "01-provenance"
    (folder / "README.md").write_text("my own notes\n", "utf-8")
    (folder / "notes.txt").write_text("kept\n", "utf-8")
    run_tool(["course", "grade", "01-provenance"], course)
    graded = course / "autograded" / "ada" / "01-provenance"
    assert (graded / "README.md").read_bytes() == (course / "solutions" / "01-provenance" / "README.md").read_bytes()
    assert (graded / "notes.txt").read_text("utf-8") == "kept\n", "the student's own other files stay"
