"""`course check`: a learner's notebook checked offline, task by task, whatever state it is in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder.runner import Limits
from autograder.selfcheck import check_notebook

from .classgen import with_cell
from .conftest import ROOT, run_tool, solved_release

FAST = Limits(wall_seconds=30, cpu_seconds=20, memory_mb=512, output_kb=64, cell_seconds=2, call_seconds=0.5)


@pytest.fixture
def exercise(tmp_path: Path) -> Path:
    """A learner's copy of exercise 01, answered as the reference solution does."""
    folder = tmp_path / "01-provenance"
    shutil.copytree(ROOT / "exercises" / "01-provenance", folder)
    (folder / "provenance.ipynb").write_text(json.dumps(solved_release(ROOT, "01-provenance", "provenance.ipynb")))
    return folder / "provenance.ipynb"


def edit_cell(notebook: Path, grade_id: str, source: str) -> None:
    data = json.loads(notebook.read_text("utf-8"))
    for cell in data["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = source
    notebook.write_text(json.dumps(data), "utf-8")


def points(report) -> dict[int, float]:  # type: ignore[no-untyped-def]
    return {task.task.number: task.earned for task in report.tasks}


def test_the_reference_solution_earns_every_visible_point(exercise: Path) -> None:
    report = check_notebook(exercise, limits=FAST)
    assert report.earned == report.possible == 8
    assert report.problems == ()


def test_self_learners_can_run_the_hidden_checks_too(exercise: Path) -> None:
    report = check_notebook(exercise, root=ROOT, with_hidden=True, limits=FAST)
    assert report.earned == report.possible == 16
    assert "all checks, hidden ones included" in report.to_text()


def test_the_untouched_release_scores_zero_and_says_the_functions_are_not_started() -> None:
    report = check_notebook(ROOT / "exercises" / "01-provenance" / "provenance.ipynb", limits=FAST)
    assert report.earned == 0
    assert "still the empty starting version" in report.to_text()


def test_a_notebook_that_is_not_json_gets_a_clear_message_and_zero(exercise: Path) -> None:
    exercise.write_text('{"cells": [', "utf-8")
    report = check_notebook(exercise, limits=FAST)
    assert report.earned == 0
    assert any("This is not a notebook: invalid JSON" in p for p in report.problems)
    assert "This check did not run: the notebook could not be read." in report.to_text()


def test_a_syntax_error_in_one_cell_costs_only_that_task(exercise: Path) -> None:
    edit_cell(exercise, "task2-split-sentences", "def split_sentences(text):\n    return [text\n")
    report = check_notebook(exercise, limits=FAST)
    assert points(report) == {1: 2, 2: 0, 3: 3}
    assert any(p.startswith("Cell ") and "(task 2) has a syntax error on line" in p for p in report.problems)


def test_a_missing_function_is_named_and_the_rest_is_scored(exercise: Path) -> None:
    edit_cell(exercise, "task3-resolve-relative-date", "# I will do this later\n")
    report = check_notebook(exercise, limits=FAST)
    assert points(report) == {1: 2, 2: 3, 3: 0}
    assert "There is no resolve_relative_date yet." in report.to_text()


def test_a_function_that_never_returns_is_stopped_and_the_rest_is_scored(exercise: Path) -> None:
    edit_cell(exercise, "task1-strip-boilerplate", "def strip_boilerplate(text):\n    while True:\n        pass\n")
    report = check_notebook(exercise, limits=FAST)
    assert points(report) == {1: 0, 2: 3, 3: 3}
    assert "did not finish within 0.5 seconds" in report.to_text()


def test_a_cell_that_never_ends_is_stopped_and_the_rest_is_scored(exercise: Path) -> None:
    edit_cell(exercise, "task3-resolve-relative-date", "while True:\n    pass\n")
    report = check_notebook(exercise, limits=FAST)
    assert points(report) == {1: 2, 2: 3, 3: 0}
    assert any("did not finish within 2 seconds" in p for p in report.problems)


def test_megabytes_of_printing_are_cut_and_the_rest_is_scored(exercise: Path) -> None:
    flood = "import os, sys\nprint('x' * 5_000_000)\nos.write(1, b'y' * 5_000_000)\n"
    exercise.write_text(json.dumps(with_cell(json.loads(exercise.read_text("utf-8")), flood)), "utf-8")
    report = check_notebook(exercise, limits=FAST)
    assert report.earned == 8
    assert any("printed a lot" in p for p in report.problems)


def test_a_cell_that_eats_memory_fails_alone(exercise: Path) -> None:
    hog = "hog = bytearray(4 * 1024 ** 3)\n"
    exercise.write_text(json.dumps(with_cell(json.loads(exercise.read_text("utf-8")), hog)), "utf-8")
    report = check_notebook(exercise, limits=FAST)
    assert report.earned == 8
    assert any("raised MemoryError" in p for p in report.problems)


def test_a_notebook_whose_code_exits_says_the_checks_did_not_run(exercise: Path) -> None:
    edit_cell(exercise, "task3-resolve-relative-date", "import os\nos._exit(0)\n")
    report = check_notebook(exercise, limits=FAST)
    assert report.earned == 0  # the checks run after every cell, and the process was gone by then
    assert "The notebook's code did not finish: it exited (status 0) before every check had run." in report.problems
    assert "This check did not run: the notebook's code stopped before this check" in report.to_text()


def test_course_check_takes_an_exercise_name_and_prints_a_table(course_copy: Path) -> None:
    result = run_tool(["course", "check", "01-provenance"], course_copy, check=False)
    assert result.returncode == 1
    assert "Task  Function" in result.stdout
    assert "Total" in result.stdout and "0 / 8" in result.stdout
    assert result.stderr == ""


def test_course_check_names_an_unknown_exercise(course_copy: Path) -> None:
    result = run_tool(["course", "check", "09-nothing"], course_copy, check=False)
    assert result.returncode == 1
    assert "there is no exercise '09-nothing'" in result.stderr
