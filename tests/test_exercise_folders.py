"""Every exercise folder is complete, as an author copying one would expect (the Exercism habit)."""

from __future__ import annotations

import re
import sys
from collections import Counter

import pytest

from autograder.checks import HIDDEN_FILE, load_suite
from autograder.manifest import load_manifest
from autograder.nbgrader_bridge.cells import grade_cells, read_notebook

from .conftest import ROOT, run_tool

MANIFEST = load_manifest(ROOT / "course.yaml")


@pytest.mark.parametrize("exercise", MANIFEST.exercises, ids=lambda e: e.folder)
def test_the_folder_has_its_notebook_cases_hidden_cases_and_design_note(exercise) -> None:  # type: ignore[no-untyped-def]
    folder = ROOT / "solutions" / exercise.folder
    for name in (exercise.notebook, "cases.yaml", HIDDEN_FILE, "README.md"):
        assert (folder / name).is_file(), f"{exercise.folder} has no {name}"


@pytest.mark.parametrize("exercise", MANIFEST.exercises, ids=lambda e: e.folder)
def test_every_task_has_hints_and_at_least_as_many_hidden_cases_as_visible_ones(exercise) -> None:  # type: ignore[no-untyped-def]
    """Practice cases (invented examples, one rule each) are not counted: the hidden ones match the article's."""
    folder = ROOT / "solutions" / exercise.folder
    suite = load_suite(folder, hidden_file=folder / HIDDEN_FILE)
    for number, task in suite.tasks.items():
        count = Counter(case.hidden for case in suite.cases_for(number) if not case.practice)
        assert count[True] >= count[False] > 0, f"task {number}: {count[False]} visible, {count[True]} hidden"
        assert len(task.hints) >= 2, f"task {number} needs hints from gentle to specific"


@pytest.mark.parametrize("exercise", MANIFEST.exercises, ids=lambda e: e.folder)
def test_one_or_two_written_answers_are_marked_by_hand_with_a_model_answer_and_a_rubric(exercise) -> None:  # type: ignore[no-untyped-def]
    notebook = ROOT / "solutions" / exercise.folder / exercise.notebook
    written = [cell for cell in grade_cells(notebook) if not cell.auto]
    assert 1 <= len(written) <= 2
    text = notebook.read_text("utf-8")
    assert "Model answer" in text or "Model note" in text
    assert "Rubric" in text


def test_python_dash_m_autograder_is_the_course_command() -> None:
    result = run_tool([sys.executable, "-m", "autograder", "validate"], ROOT)
    assert "course.yaml is valid" in result.stdout


RUBRIC_ITEM = re.compile(r"^\s*[-*]\s*(\d+(?:\.\d+)?)\s+points?\b", re.MULTILINE)


@pytest.mark.parametrize("exercise", MANIFEST.exercises, ids=lambda e: e.folder)
def test_each_rubric_adds_up_to_the_points_of_its_written_answer(exercise) -> None:  # type: ignore[no-untyped-def]
    """The rubric's items (``- 1 point (question 2): …``) add up to what the answer cell is worth."""
    notebook = read_notebook(ROOT / "solutions" / exercise.folder / exercise.notebook)
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "markdown" and meta.get("grade") and meta.get("solution"):
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            rubric = text.split("Rubric", 1)[-1]
            items = [float(points) for points in RUBRIC_ITEM.findall(rubric)]
            assert items, f"{meta['grade_id']}: no rubric items such as '- 1 point: …'"
            assert sum(items) == float(meta["points"]), f"{meta['grade_id']}: rubric {items} for {meta['points']} points"
