"""What makes `course grade` grade a submission again: anything that could change its score."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from autograder.grading import grade, results

from .classgen import submit
from .conftest import ROOT, copy_course, solved_release

EXERCISE, NOTEBOOK = "01-provenance", "provenance.ipynb"


@pytest.fixture
def graded_once(tmp_path: Path) -> Path:
    course = copy_course(tmp_path / "course")
    submit(course, "ada", EXERCISE, NOTEBOOK, solved_release(course, EXERCISE, NOTEBOOK))
    first = grade.grade_exercise(course, EXERCISE, jobs=1)
    assert first.graded == ["ada"]
    assert results.read_result(results.result_path(course, EXERCISE, "ada"))["earned"] == 16
    assert grade.grade_exercise(course, EXERCISE, jobs=1).reused == ["ada"], "nothing changed: nothing regraded"
    return course


def test_adding_a_file_to_a_submission_regrades_it(graded_once: Path) -> None:
    (graded_once / "submitted" / "ada" / EXERCISE / "helpers.py").write_text("WORDS = 3\n", "utf-8")
    assert grade.grade_exercise(graded_once, EXERCISE, jobs=1).graded == ["ada"]
    assert grade.grade_exercise(graded_once, EXERCISE, jobs=1).reused == ["ada"]


def test_changing_a_submitted_data_file_regrades_it(graded_once: Path) -> None:
    article = graded_once / "submitted" / "ada" / EXERCISE / "article.txt"
    article.write_text(article.read_text("utf-8") + "\n", "utf-8")
    assert grade.grade_exercise(graded_once, EXERCISE, jobs=1).graded == ["ada"]


def test_raising_a_grading_limit_regrades_every_submission(graded_once: Path) -> None:
    manifest = graded_once / "course.yaml"
    text = manifest.read_text("utf-8")
    assert "  call_seconds: 5\n" in text
    manifest.write_text(text.replace("  call_seconds: 5\n", "  call_seconds: 6\n"), "utf-8")
    assert grade.grade_exercise(graded_once, EXERCISE, jobs=1).graded == ["ada"]


def test_changing_a_hidden_case_regrades(graded_once: Path) -> None:
    hidden = graded_once / "solutions" / EXERCISE / "hidden-cases.yaml"
    hidden.write_text(hidden.read_text("utf-8") + "\n# reviewed\n", "utf-8")
    assert grade.grade_exercise(graded_once, EXERCISE, jobs=1).graded == ["ada"]


def test_changing_a_released_file_regrades_every_submission(graded_once: Path) -> None:
    submit(graded_once, "bea", EXERCISE, NOTEBOOK, solved_release(graded_once, EXERCISE, NOTEBOOK))
    assert grade.grade_exercise(graded_once, EXERCISE, jobs=1).graded == ["bea"]
    released = graded_once / "exercises" / EXERCISE / "article.txt"
    released.write_text(released.read_text("utf-8") + "\n", "utf-8")
    assert grade.grade_exercise(graded_once, EXERCISE, jobs=1).graded == ["ada", "bea"]
    assert grade.grade_exercise(graded_once, EXERCISE, jobs=1).reused == ["ada", "bea"]


def test_a_new_grader_version_regrades(graded_once: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "grader_version", lambda: "99.0.0+new")
    assert grade.grade_exercise(graded_once, EXERCISE, jobs=1).graded == ["ada"]
    assert grade.grade_exercise(graded_once, EXERCISE, jobs=1).reused == ["ada"]


def test_the_grader_version_follows_the_packages_code(tmp_path: Path) -> None:
    package = shutil.copytree(ROOT / "autograder", tmp_path / "autograder",
                              ignore=shutil.ignore_patterns("__pycache__"))
    before = results.code_fingerprint(package)
    assert results.code_fingerprint(package) == before
    judge = package / "checks" / "judge.py"
    judge.write_text(judge.read_text("utf-8") + "\n# a fix to a check\n", "utf-8")
    assert results.code_fingerprint(package) != before
    assert results.grader_version().startswith(f"{__import__('autograder').__version__}+")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["version"] == __import__("autograder").__version__, "pyproject.toml states the grader's release"
