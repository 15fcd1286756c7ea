"""nbgrader's own Validate agrees with the check cells: the reference passes, a wrong task is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.checks import load_suite

from .conftest import ROOT, copy_course, run_tool, solved_release

EXERCISE, NOTEBOOK = "02-attribution", "attribution.ipynb"
RELEASED = Path("exercises") / EXERCISE / NOTEBOOK
SUITE = load_suite(ROOT / "solutions" / EXERCISE)
CHECKED = {task.number: task.function for task in SUITE.tasks.values()}  # the checked tasks, from cases.yaml


def answer_cells() -> list[dict]:
    """The metadata of the source notebook's answer cells: the functions' cells and the written answers."""
    cells = json.loads((ROOT / "solutions" / EXERCISE / NOTEBOOK).read_text("utf-8"))["cells"]
    return [c["metadata"]["nbgrader"] for c in cells if c["metadata"].get("nbgrader", {}).get("solution")]


WRITTEN = [m["grade_id"] for m in answer_cells() if m.get("grade")]  # answers marked by hand


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_course(tmp_path_factory.mktemp("validate") / "course")


def validate(course: Path, notebook: Path) -> str:
    result = run_tool(["nbgrader", "validate", str(notebook)], course, check=False)
    return result.stdout + result.stderr


def with_answer(course: Path, grade_id: str, source: str) -> dict:
    notebook = solved_release(course, EXERCISE, NOTEBOOK)
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = source
    return notebook


def test_the_reference_solution_passes_validate_in_the_source_and_in_the_release(course: Path, tmp_path: Path) -> None:
    assert "Success! Your notebook passes all the tests." in validate(course, course / "solutions" / EXERCISE / NOTEBOOK)
    folder = course / "work" / "solved"
    folder.mkdir(parents=True)
    for path in (course / RELEASED).parent.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / NOTEBOOK).write_text(json.dumps(solved_release(course, EXERCISE, NOTEBOOK)), "utf-8")
    output = validate(course, folder / NOTEBOOK)
    assert "Success! Your notebook passes all the tests." in output
    assert "Partial credit" not in output


def test_the_untouched_release_fails_validate_on_every_task_in_the_check_tables_words(course: Path) -> None:
    output = validate(course, course / RELEASED)
    assert WRITTEN and len(CHECKED) > 1
    # every checked task fails, and every written answer is not given
    assert f"VALIDATION FAILED ON {len(CHECKED) + len(WRITTEN)} CELL(S)!" in output
    assert output.count("You did not provide a response.") == len(WRITTEN)
    for number, function in CHECKED.items():
        assert f"Task {number} · {function}: 0 of" in output
    assert "is still the empty starting version" in output
    assert "Partial credit" not in output


def test_one_wrong_task_fails_validate_and_only_that_task_is_named(course: Path) -> None:
    folder = course / "work" / "wrong"
    folder.mkdir(parents=True)
    for path in (course / RELEASED).parent.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    number = next(n for n, function in CHECKED.items() if function == "verb_stance")
    cell = next(m["grade_id"] for m in answer_cells() if m["grade_id"].startswith(f"task{number}-"))
    wrong = with_answer(course, cell,
                        "def verb_stance(verb):\n    words = verb.split()\n    where = words.index('said')\n"
                        "    return 'neutral'\n")
    (folder / NOTEBOOK).write_text(json.dumps(wrong), "utf-8")
    output = validate(course, folder / NOTEBOOK)
    assert "VALIDATION FAILED ON 1 CELL(S)!" in output
    assert f"Task {number} · verb_stance: " in output and "visible checks failed" in output
    assert not any(f"Task {other} ·" in output for other in CHECKED if other != number)
    assert "raised ValueError: 'said' is not in list" in output
    assert "line 3 of your cell: where = words.index('said')" in output
