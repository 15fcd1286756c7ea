"""Exercise 07-tracing keeps the promises of its design: short docstrings, three hints a task, a weighty written task."""

from __future__ import annotations

import ast

import nbformat

from autograder.checks import load_suite
from autograder.manifest import load_manifest
from autograder.nbgrader_bridge.cells import grade_cells

from .conftest import ROOT

FOLDER = ROOT / "solutions" / "07-tracing"
CONTRACT = ["normalise", "shingles", "similarity", "first_with", "copy_chain", "credited_to"]


def test_the_tasks_are_the_contract_functions_in_order_each_with_three_hints() -> None:
    suite = load_suite(FOLDER)
    assert [suite.tasks[n].function for n in sorted(suite.tasks)] == CONTRACT
    assert all(len(task.hints) == 3 for task in suite.tasks.values())


def test_every_graded_docstring_has_at_most_180_words() -> None:
    notebook = nbformat.read(FOLDER / "tracing.ipynb", as_version=4)
    found = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.FunctionDef):
                    found[node.name] = len((ast.get_docstring(node) or "").split())
    assert sorted(found) == sorted(CONTRACT)
    assert all(0 < words <= 180 for words in found.values()), found


def test_the_written_task_is_at_least_a_quarter_of_the_points() -> None:
    exercise = load_manifest(ROOT / "course.yaml").exercise("07-tracing")
    written = [cell for cell in grade_cells(FOLDER / "tracing.ipynb") if not cell.auto]
    assert len(written) == 1
    assert written[0].points >= exercise.points / 4
    assert sum(cell.points for cell in grade_cells(FOLDER / "tracing.ipynb")) == exercise.points
