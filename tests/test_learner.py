"""A self-learner's commands: course hint, course progress, course compare."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.manifest import load_manifest
from autograder.nbgrader_bridge.cells import is_untouched

from .conftest import ROOT, run_tool, solved_release


def course(args: list[str], root: Path, *, check: bool = True) -> str:
    return run_tool(["course", *args], root, check=check).stdout


def test_hints_come_one_more_each_time_and_are_remembered(course_copy: Path) -> None:
    first = course(["hint", "01-provenance", "2"], course_copy)
    assert first.startswith("Hint 1 of 3 for 01-provenance, task 2 (split_sentences):")
    second = course(["hint", "01-provenance", "2"], course_copy)
    assert second.startswith("Hint 2 of 3")
    other_task = course(["hint", "01-provenance", "1"], course_copy)
    assert other_task.startswith("Hint 1 of 3")
    course(["hint", "01-provenance", "2"], course_copy)
    all_seen = course(["hint", "01-provenance", "2"], course_copy)
    assert all_seen.startswith("You have seen all 3 hints")
    assert all_seen.count("\n  ") == 3
    again = course(["hint", "01-provenance", "2", "--again"], course_copy)
    assert again.startswith("Hint 1 of 3")


def test_a_hint_for_a_task_that_does_not_exist_says_which_do(course_copy: Path) -> None:
    result = run_tool(["course", "hint", "01-provenance", "9"], course_copy, check=False)
    assert result.returncode == 1
    assert "has no task 9; its checked tasks are 1, 2, 3" in result.stderr


def row(output: str, kind: str, number: str) -> str:
    return next(line for line in output.splitlines() if line.split()[:2] == [kind, number])


def test_progress_follows_the_learners_own_notebooks(course_copy: Path) -> None:
    before = course(["progress"], course_copy)
    assert "not started" in row(before, "Exercise", "01")
    manifest = load_manifest(course_copy / "course.yaml")
    steps = len(manifest.lessons) + len(manifest.exercises)
    assert f"0 of {steps} done (0%)" in before

    lesson = course_copy / "lessons" / "00-start-here.ipynb"
    data = json.loads(lesson.read_text("utf-8"))
    for number, cell in enumerate(c for c in data["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = number + 1
    lesson.write_text(json.dumps(data), "utf-8")

    exercise = course_copy / "exercises" / "01-provenance" / "provenance.ipynb"
    solved = solved_release(course_copy, "01-provenance", "provenance.ipynb")
    exercise.write_text(json.dumps(solved), "utf-8")
    done = course(["progress"], course_copy)
    assert row(done, "Lesson", "00").endswith("complete")
    assert row(done, "Exercise", "01").endswith("complete: 8 of 8 visible points")
    assert "█" in done and "2 of" in done

    for cell in solved["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "task3-resolve-relative-date":
            cell["source"] = "def resolve_relative_date(phrase, published):\n    return (published, published)\n"
    exercise.write_text(json.dumps(solved), "utf-8")
    started = course(["progress"], course_copy)
    assert "started: " in row(started, "Exercise", "01")
    assert "of 8 visible points" in row(started, "Exercise", "01")


def test_compare_puts_the_learners_answer_beside_the_reference(course_copy: Path) -> None:
    exercise = course_copy / "exercises" / "01-provenance" / "provenance.ipynb"
    solved = solved_release(course_copy, "01-provenance", "provenance.ipynb")
    for cell in solved["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "task1-strip-boilerplate":
            cell["source"] = "def strip_boilerplate(text: str) -> str:\n    return text\n"
    exercise.write_text(json.dumps(solved), "utf-8")
    output = course(["compare", "01-provenance"], course_copy)
    assert "Task 1 · strip_boilerplate: your code earns 0.875 of 4 points, hidden checks included" in output
    assert "Task 2 · split_sentences: your code earns 6 of 6 points" in output
    assert "≠" in output
    assert "    return text" in output and "kept.append(line)" in output
    assert "BEGIN SOLUTION" not in output


def test_nbgraders_checksum_tells_an_untouched_answer_cell_from_an_edited_one() -> None:
    import nbformat
    from nbgrader.utils import compute_checksum

    release = nbformat.read(ROOT / "exercises" / "01-provenance" / "provenance.ipynb", as_version=4)
    cells = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert cells and all(is_untouched(c) for c in cells)
    for cell in cells:
        assert compute_checksum(cell) == cell.metadata.nbgrader.checksum
        cell.source += "\n# my work"
        assert not is_untouched(cell)
