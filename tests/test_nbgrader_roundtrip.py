"""nbgrader's own round trip on the course: generate_assignment, autograde, feedback, export."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.manifest import load_manifest

from .conftest import ROOT, copy_course, run_tool, solved_release

EXERCISES = [exercise.folder for exercise in load_manifest(ROOT / "course.yaml").exercises]


def submit(course: Path, student: str, exercise: str, notebook: str, content: dict) -> None:
    folder = course / "submitted" / student / exercise
    shutil.copytree(course / "exercises" / exercise, folder)
    (folder / notebook).write_text(json.dumps(content), encoding="utf-8")


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the course in which nbgrader graded a reference and an untouched submission of every exercise."""
    course = copy_course(tmp_path_factory.mktemp("roundtrip") / "course")
    manifest = load_manifest(course / "course.yaml")
    for exercise in manifest.exercises:
        run_tool(["nbgrader", "generate_assignment", exercise.folder, "--force"], course)
        release = json.loads((course / "exercises" / exercise.folder / exercise.notebook).read_text("utf-8"))
        submit(course, "reference", exercise.folder, exercise.notebook,
               solved_release(course, exercise.folder, exercise.notebook))
        submit(course, "untouched", exercise.folder, exercise.notebook, release)
        run_tool(["nbgrader", "autograde", exercise.folder], course)
    return course


def auto_scores(course: Path, exercise: str, student: str) -> tuple[float, float]:
    """(points earned, points possible) over the auto-graded cells of a submission."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(exercise, student)
        grades = [g for nb in submission.notebooks for g in nb.grades if g.cell.cell_type == "code"]
        return sum(g.auto_score or 0 for g in grades), sum(g.max_score for g in grades)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_solution_earns_every_auto_point(graded_course: Path, exercise: str) -> None:
    earned, possible = auto_scores(graded_course, exercise, "reference")
    assert possible > 0
    assert earned == possible


@pytest.mark.parametrize("exercise", EXERCISES)
def test_untouched_release_earns_no_auto_points(graded_course: Path, exercise: str) -> None:
    earned, possible = auto_scores(graded_course, exercise, "untouched")
    assert possible > 0
    assert earned == 0


@pytest.mark.parametrize("exercise", EXERCISES)
def test_autograde_ran_the_hidden_checks(graded_course: Path, exercise: str) -> None:
    """The autograded notebook shows hidden checks as run: the source's check cells came back."""
    manifest = load_manifest(graded_course / "course.yaml")
    notebook = graded_course / "autograded" / "reference" / exercise / manifest.exercise(exercise).notebook
    text = notebook.read_text(encoding="utf-8")
    assert "hidden checks passed" in text
    assert "Hidden checks worth" not in text


@pytest.mark.parametrize("exercise", EXERCISES)
def test_feedback_shows_the_check_messages(graded_course: Path, exercise: str) -> None:
    run_tool(["nbgrader", "generate_feedback", exercise], graded_course)
    notebook = load_manifest(graded_course / "course.yaml").exercise(exercise).notebook
    page = graded_course / "feedback" / "untouched" / exercise / notebook.replace(".ipynb", ".html")
    html = page.read_text(encoding="utf-8")
    assert "still the empty starting version" in html
    autograded = json.loads((graded_course / "autograded" / "untouched" / exercise / notebook).read_text("utf-8"))
    outputs = [o for c in autograded["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]


def test_export_lists_every_submission(graded_course: Path) -> None:
    run_tool(["nbgrader", "export"], graded_course)
    with (graded_course / "grades.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    students = {(row["assignment"], row["student_id"]) for row in rows}
    assert students == {(e, s) for e in EXERCISES for s in ("reference", "untouched")}
