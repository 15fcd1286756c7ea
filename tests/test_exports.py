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


def test_gradescope_results_have_one_test_per_task(graded: Path) -> None:
    run_tool(["course", "export", EXERCISE, "--gradescope", "out/gradescope"], graded)
    results = json.loads((graded / "out" / "gradescope" / "ada" / "results.json").read_text("utf-8"))
    assert results["score"] == 16
    assert [(t["name"], t["score"], t["max_score"]) for t in results["tests"]] == [
        ("Task 1 · strip_boilerplate", 4, 4), ("Task 2 · split_sentences", 6, 6),
        ("Task 3 · resolve_relative_date", 6, 6)]


def test_the_gradescope_bundle_builds_and_grades_a_submission_with_its_own_copy_of_the_package(
    graded: Path, tmp_path: Path
) -> None:
    run_tool(["course", "bundle", EXERCISE, "--out", str(tmp_path / "bundle.zip")], graded)
    source = tmp_path / "autograder" / "source"
    with zipfile.ZipFile(tmp_path / "bundle.zip") as bundle:
        names = bundle.namelist()
        bundle.extractall(source)
    assert {"setup.sh", "run_autograder", "pyproject.toml", "exercise/hidden-cases.yaml"} <= set(names)
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
