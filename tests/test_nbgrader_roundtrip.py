"""nbgrader's own round trip on the course: generate_assignment, autograde, feedback, export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from autograder.manifest import load_manifest

from .conftest import ROOT, auto_scores, run_tool

EXERCISES = [exercise.folder for exercise in load_manifest(ROOT / "course.yaml").exercises]


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
    for cell in json.loads(text)["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id", "").endswith("-check"):
            kinds = [o["output_type"] for o in cell["outputs"]]
            assert kinds == ["display_data", "execute_result"], "one table (the hidden one replaced the first), then the points"


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
    assert {("01-provenance", "reference"), ("01-provenance", "untouched")} <= students
    assert {e for e, _ in students} == set(EXERCISES)
