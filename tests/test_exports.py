"""Exports of graded results: CSV for an LMS, Gradescope's results.json, and a working Gradescope bundle."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .classgen import submit
from .conftest import copy_course, run_tool, solved_release, tool_env

EXERCISE, NOTEBOOK = "01-provenance", "provenance.ipynb"


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = copy_course(tmp_path_factory.mktemp("exports") / "course")
    submit(course, "ada", EXERCISE, NOTEBOOK, solved_release(course, EXERCISE, NOTEBOOK))
    submit(course, "bea", EXERCISE, NOTEBOOK, (course / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    run_tool(["course", "grade", EXERCISE], course)
    return course


def test_the_csv_has_a_row_per_student_with_task_points_and_the_gradebook_total(graded: Path) -> None:
    run_tool(["course", "export", EXERCISE, "--csv", "out/grades.csv"], graded)
    with (graded / "out" / "grades.csv").open(newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"ada", "bea"}
    assert float(rows["ada"]["auto_score"]) == 16 and float(rows["ada"]["total_max"]) == 22
    assert [float(rows["ada"][f"task{n}"]) for n in (1, 2, 3)] == [4, 6, 6]
    assert float(rows["bea"]["total_score"]) == 0


def test_gradescope_results_show_visible_checks_and_hide_hidden_ones_until_the_due_date(graded: Path) -> None:
    run_tool(["course", "export", EXERCISE, "--gradescope", "out/gradescope"], graded)
    results = json.loads((graded / "out" / "gradescope" / "ada" / "results.json").read_text("utf-8"))
    assert results["score"] == 16
    tests = {t["number"]: t for t in results["tests"]}
    assert sorted(tests) == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4"]
    for task, points in [(1, 4), (2, 6), (3, 6)]:
        visible, hidden = tests[f"{task}.1"], tests[f"{task}.2"]
        assert visible["visibility"] == "visible" and hidden["visibility"] == "after_due_date"
        assert visible["score"] + hidden["score"] == points == visible["max_score"] + hidden["max_score"]
        assert "hidden" not in visible["output"], "the visible test says nothing about the hidden checks"
    assert tests["1.2"]["name"] == "Task 1 · strip_boilerplate: hidden checks"
    written = tests["4"]
    assert "score" not in written and written["tags"] == ["pending manual grading"]
    release = json.loads((graded / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    answer_points = next(cell["metadata"]["nbgrader"]["points"] for cell in release["cells"]
                         if cell["metadata"].get("nbgrader", {}).get("grade_id") == "task4-answer")
    assert written["extra_data"] == {"grade_id": "task4-answer", "points": answer_points, "pending": True}
    assert f"Its {answer_points:g} points are added when it has been marked" in written["output"]
    assert "16" not in results["output"], "the total is not shown before the due date"
    assert "after the due date" in results["output"]

    bea = json.loads((graded / "out" / "gradescope" / "bea" / "results.json").read_text("utf-8"))
    assert bea["score"] == 0 and all(t.get("score", 0) == 0 for t in bea["tests"])
    assert "still the empty starting version" in bea["tests"][0]["output"]


def test_hidden_checks_can_be_shown_at_once_when_the_instructor_chooses(graded: Path) -> None:
    run_tool(["course", "export", EXERCISE, "--gradescope", "out/shown", "--hidden-visibility", "visible"], graded)
    results = json.loads((graded / "out" / "shown" / "ada" / "results.json").read_text("utf-8"))
    assert {t["visibility"] for t in results["tests"]} == {"visible"}
    refused = run_tool(["course", "export", EXERCISE, "--gradescope", "out/x", "--hidden-visibility", "soon"], graded,
                       check=False)
    assert refused.returncode == 2 and "invalid choice: 'soon'" in refused.stderr


def test_the_gradescope_bundle_builds_and_grades_a_submission_with_its_own_copy_of_the_package(
    graded: Path, tmp_path: Path
) -> None:
    run_tool(["course", "bundle", EXERCISE, "--out", str(tmp_path / "bundle.zip")], graded)
    source = tmp_path / "autograder" / "source"
    with zipfile.ZipFile(tmp_path / "bundle.zip") as bundle:
        names = bundle.namelist()
        bundle.extractall(source)
    assert {"setup.sh", "run_autograder", "pyproject.toml", "requirements.txt", "bundle.json",
            "exercise/hidden-cases.yaml"} <= set(names)
    setting = json.loads((source / "exercise" / "grading.json").read_text("utf-8"))
    assert setting["gradescope"] == {"hidden_visibility": "after_due_date"}
    assert (source / "requirements.txt").read_text("utf-8").split() == ["pyyaml>=6", "fastjsonschema>=2.19"]
    assert "autograder/grading/gradescope.py" in names
    assert os.access(source / "run_autograder", os.X_OK) or zipfile.ZipFile(tmp_path / "bundle.zip").getinfo(
        "run_autograder").external_attr >> 16 & 0o111
    submission = tmp_path / "autograder" / "submission"
    submission.mkdir()
    (submission / NOTEBOOK).write_text(json.dumps(solved_release(graded, EXERCISE, NOTEBOOK)), "utf-8")
    env = dict(tool_env(), PYTHONPATH=str(source))
    subprocess.run([sys.executable, "-m", "autograder.grading.gradescope", "--exercise", "exercise", "--submission",
                    str(submission), "--results", str(tmp_path / "results.json")], cwd=source, env=env, check=True)
    results = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert results["score"] == 16
    wheel = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "wheel"),
                            str(source)], capture_output=True, text=True)
    assert wheel.returncode == 0, wheel.stderr
    assert list((tmp_path / "wheel").glob("who_says_so-*.whl"))


def test_the_bundle_can_show_hidden_checks_at_once(graded: Path, tmp_path: Path) -> None:
    run_tool(["course", "bundle", EXERCISE, "--out", str(tmp_path / "b.zip"), "--hidden-visibility", "visible"], graded)
    with zipfile.ZipFile(tmp_path / "b.zip") as bundle:
        assert json.loads(bundle.read("exercise/grading.json"))["gradescope"] == {"hidden_visibility": "visible"}


def test_a_grader_problem_in_a_results_record_is_never_scored_as_the_students() -> None:
    from autograder.grading.exports import GRADER_PROBLEM, gradescope_results

    record = {"student": "ada", "earned": 0, "possible": 16, "tasks": [], "problems": [],
              "grader_problem": "the sandbox could not start: unshare failed", "isolation": "none"}
    results = gradescope_results(record)
    assert results["score"] == 0 and results["tests"] == [] and results["output"] == GRADER_PROBLEM
    assert results["extra_data"]["grader_problem"] == "the sandbox could not start: unshare failed"
