"""The capstone's toolkit.py is the reference code of exercises 01 to 03, and passes their checks."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

from autograder.checks import HIDDEN_FILE, check_task, load_suite

from .conftest import ROOT

CAPSTONE = ROOT / "solutions" / "06-ledger"
EARLIER = {"01-provenance": "provenance.ipynb", "02-attribution": "attribution.ipynb", "03-statements": "statements.ipynb"}
BUILD_LEDGER_NEEDS = ("strip_boilerplate", "split_sentences", "classify_statement", "find_attribution", "verb_stance",
                      "hedges")


def load_toolkit() -> ModuleType:
    """toolkit.py as a fresh module, imported from its folder without leaving bytecode in solutions/."""
    spec = importlib.util.spec_from_file_location("capstone_toolkit", CAPSTONE / "toolkit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    writes_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes_bytecode
    return module


@pytest.fixture(scope="module")
def toolkit() -> ModuleType:
    return load_toolkit()


def solution_cells(exercise: str) -> dict[str, str]:
    """The source notebook's solution cells by grade id, without the solution markers."""
    cells = nbformat.read(ROOT / "solutions" / exercise / EARLIER[exercise], as_version=4).cells
    return {
        cell.metadata["nbgrader"]["grade_id"]: "\n".join(
            line for line in cell.source.splitlines() if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
        )
        for cell in cells
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code"
    }


def setup_namespace(exercise: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    """What the source notebook's setup cell defines, run in its exercise folder (it reads article.txt)."""
    folder = ROOT / "solutions" / exercise
    monkeypatch.chdir(folder)
    cell = next(c for c in nbformat.read(folder / EARLIER[exercise], as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    namespace: dict = {}
    exec(compile(cell.source, f"{exercise}:setup", "exec"), namespace)
    return namespace


TASKS = [
    (exercise, number)
    for exercise in EARLIER
    for number in load_suite(ROOT / "solutions" / exercise).tasks
]


def test_the_toolkit_provides_every_function_that_build_ledger_needs(toolkit: ModuleType) -> None:
    missing = [name for name in BUILD_LEDGER_NEEDS if not callable(getattr(toolkit, name, None))]
    assert missing == []
    assert set(BUILD_LEDGER_NEEDS) <= set(toolkit.__all__)


@pytest.mark.parametrize(("exercise", "task"), TASKS, ids=[f"{e}-task{n}" for e, n in TASKS])
def test_the_toolkit_earns_every_visible_and_hidden_point_of_each_task_whose_function_it_provides(
    toolkit: ModuleType, exercise: str, task: int
) -> None:
    folder = ROOT / "solutions" / exercise
    suite = load_suite(folder, hidden_file=folder / HIDDEN_FILE)
    if not hasattr(toolkit, suite.tasks[task].function):
        pytest.skip(f"the toolkit does not provide {suite.tasks[task].function}")
    report = check_task(suite, vars(toolkit), task, hidden_ran=True)
    assert any(result.case.hidden for result in report.results)
    failed = [f"{r.called()} returned {r.got}" for r in report.results if not r.passed]
    assert failed == []
    assert report.earned == suite.tasks[task].points


@pytest.mark.parametrize("exercise", EARLIER)
def test_each_toolkit_function_is_its_solution_cell_without_the_solution_markers(
    toolkit: ModuleType, exercise: str
) -> None:
    for grade_id, source in solution_cells(exercise).items():
        name = source.split("def ", 1)[1].split("(", 1)[0]
        assert inspect.getsource(getattr(toolkit, name)).rstrip() == source.rstrip(), f"{exercise}: {grade_id}"


@pytest.mark.parametrize("exercise", EARLIER)
def test_each_toolkit_constant_has_the_value_of_its_exercise_setup_cell(
    toolkit: ModuleType, exercise: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = setup_namespace(exercise, monkeypatch)
    shared = [name for name in toolkit.__all__ if name.isupper() and name in setup]
    assert shared, f"the toolkit has none of the constants of {exercise}"
    for name in shared:
        assert getattr(toolkit, name) == setup[name], name
