"""nbgrader's own Validate agrees with the check cells: the reference passes, a wrong task is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import copy_course, run_tool, solved_release

EXERCISE, NOTEBOOK = "02-attribution", "attribution.ipynb"
RELEASED = Path("exercises") / EXERCISE / NOTEBOOK


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
    assert "VALIDATION FAILED ON 4 CELL(S)!" in output  # three checked tasks, and the written answer not given
    assert output.count("You did not provide a response.") == 1
    for number, function in ((1, "extract_quotes"), (2, "find_attribution"), (3, "verb_stance")):
        assert f"Task {number} · {function}: 0 of" in output
    assert "is still the empty starting version" in output
    assert "Partial credit" not in output


def test_one_wrong_task_fails_validate_and_only_that_task_is_named(course: Path) -> None:
    folder = course / "work" / "wrong"
    folder.mkdir(parents=True)
    for path in (course / RELEASED).parent.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    wrong = with_answer(course, "task3-verb-stance",
                        "def verb_stance(verb):\n    words = verb.split()\n    where = words.index('said')\n"
                        "    return 'neutral'\n")
    (folder / NOTEBOOK).write_text(json.dumps(wrong), "utf-8")
    output = validate(course, folder / NOTEBOOK)
    assert "VALIDATION FAILED ON 1 CELL(S)!" in output
    assert "Task 3 · verb_stance: " in output and "visible checks failed" in output
    assert "Task 1 ·" not in output and "Task 2 ·" not in output
    assert "raised ValueError: 'said' is not in list" in output
    assert "line 3 of your cell: where = words.index('said')" in output
