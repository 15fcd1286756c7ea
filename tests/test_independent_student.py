"""A careful student who works only from the released notebooks can earn full marks.

The released notebook states every rule (its docstrings are the source's), holds no reference code,
and the reference answers, typed into the released notebook, earn every visible and hidden point:
through ``course check --with-hidden`` on a copy of the released folder, and through nbgrader's own
``autograde``. Together with tests/test_mutation.py (every rule a hidden case tests is also tested
by a visible case), this is the independent-student check.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder.checks import HIDDEN_FILE, load_suite
from autograder.manifest import load_manifest
from autograder.nbgrader_bridge.cells import read_notebook
from autograder.runner import Limits
from autograder.selfcheck import check_notebook

from .classgen import submit
from .conftest import ROOT, auto_scores, copy_course, run_tool, solved_release
from .test_docstrings import docstrings

MANIFEST = load_manifest(ROOT / "course.yaml")
EXERCISES = ("01-provenance", "02-attribution", "03-statements", "04-sources", "05-evidence", "06-ledger")
LIMITS = Limits(wall_seconds=120, cpu_seconds=60, cell_seconds=20, call_seconds=5)


def notebook_name(exercise: str) -> str:
    return MANIFEST.exercise(exercise).notebook


def reference_lines(exercise: str) -> list[str]:
    """The lines of code between the solution markers of the source notebook (comments and short lines left out)."""
    lines, inside = [], False
    for cell in read_notebook(ROOT / "solutions" / exercise / notebook_name(exercise))["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for line in source.splitlines():
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside and cell["cell_type"] == "code" and len(line.strip()) >= 25 and not line.strip().startswith("#"):
                lines.append(line.strip())
    return lines


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_released_docstrings_state_every_rule_of_the_source(exercise: str) -> None:
    source = docstrings(read_notebook(ROOT / "solutions" / exercise / notebook_name(exercise)))
    released = docstrings(read_notebook(ROOT / "exercises" / exercise / notebook_name(exercise)))
    for task in load_suite(ROOT / "solutions" / exercise).tasks.values():
        assert released.get(task.function) == source[task.function], f"task {task.number}: {task.function}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_release_holds_no_line_of_the_reference_code(exercise: str) -> None:
    lines = reference_lines(exercise)
    assert len(lines) > 5
    released = ROOT / "exercises" / exercise
    # The hints in cases.yaml may show a line or two on purpose; the notebook and any code file may not.
    text = "\n".join(p.read_text("utf-8") for p in released.rglob("*") if p.is_file() and p.suffix in (".ipynb", ".py"))
    leaked = [line for line in lines if line in text or json.dumps(line)[1:-1] in text]
    assert leaked == []


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_reference_typed_into_the_release_earns_every_visible_and_hidden_point(exercise: str, tmp_path: Path) -> None:
    folder = tmp_path / exercise
    shutil.copytree(ROOT / "exercises" / exercise, folder)
    notebook = folder / notebook_name(exercise)
    notebook.write_text(json.dumps(solved_release(ROOT, exercise, notebook.name)), "utf-8")
    report = check_notebook(notebook, root=ROOT, with_hidden=True, limits=LIMITS)
    assert report.problems == ()
    failed = [f"task {t.task.number}: {r.called()} returned {r.got}" for t in report.tasks for r in t.results if not r.passed]
    assert failed == []
    hidden = load_suite(ROOT / "solutions" / exercise, hidden_file=ROOT / "solutions" / exercise / HIDDEN_FILE)
    assert report.earned == sum(task.points for task in hidden.tasks.values())


@pytest.fixture(scope="module")
def autograded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the course where nbgrader's autograde graded the careful student's 01 to 03."""
    course = copy_course(tmp_path_factory.mktemp("careful") / "course")
    for exercise in EXERCISES:
        run_tool(["nbgrader", "generate_assignment", exercise, "--force"], course)
        submit(course, "careful-student", exercise, notebook_name(exercise),
               solved_release(course, exercise, notebook_name(exercise)))
        run_tool(["nbgrader", "autograde", exercise], course)
    return course


@pytest.mark.parametrize("exercise", EXERCISES)
def test_nbgrader_autograde_gives_the_careful_student_every_auto_point(autograded: Path, exercise: str) -> None:
    earned, possible = auto_scores(autograded, exercise, "careful-student")
    manual = MANIFEST.exercise(exercise).points - possible
    assert possible > 0 and earned == possible
    assert manual >= 0.25 * MANIFEST.exercise(exercise).points, "written points are at least a quarter of the exercise"
