"""Shared fixtures: the course folder, a scratch copy of it, and nbgrader on the command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COURSE_PARTS = ["course.yaml", "nbgrader_config.py", "data", "lessons", "solutions", "exercises"]


@pytest.fixture(scope="session")
def course_root() -> Path:
    return ROOT


def copy_course(target: Path) -> Path:
    """A copy of the course's own files (no gradebook, no student work) in *target*."""
    target.mkdir(parents=True, exist_ok=True)
    for part in COURSE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        elif source.exists():
            shutil.copy2(source, target / part)
    return target


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    return copy_course(tmp_path / "course")


def tool_env() -> dict[str, str]:
    """The environment with this Python's scripts (nbgrader, alembic, course) first on PATH."""
    scripts = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=scripts + os.pathsep + os.environ.get("PATH", ""))


def run_tool(args: list[str], cwd: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command-line tool of this environment (nbgrader, course) in *cwd*."""
    result = subprocess.run(args, cwd=cwd, env=tool_env(), capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def solved_release(course: Path, exercise: str, notebook: str) -> dict:
    """The released notebook with every solution cell answered as the reference solution does."""
    release = json.loads((course / "exercises" / exercise / notebook).read_text(encoding="utf-8"))
    source = json.loads((course / "solutions" / exercise / notebook).read_text(encoding="utf-8"))
    answers = {
        c["metadata"]["nbgrader"]["grade_id"]: c["source"]
        for c in source["cells"]
        if c["metadata"].get("nbgrader", {}).get("solution")
    }
    for cell in release["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            source_text = answers[meta["grade_id"]]
            text = "".join(source_text) if isinstance(source_text, list) else source_text
            cell["source"] = "\n".join(
                line for line in text.splitlines() if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
            )
    return release


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the course where nbgrader's own autograde graded a class for every exercise:
    the reference, the untouched release, and honest mistakes (see classgen.honest_class)."""
    from autograder.manifest import load_manifest

    from .classgen import honest_class, submit

    course = copy_course(tmp_path_factory.mktemp("roundtrip") / "course")
    for exercise in load_manifest(course / "course.yaml").exercises:
        run_tool(["nbgrader", "generate_assignment", exercise.folder, "--force"], course)
        for student, notebook in honest_class(course, exercise.folder, exercise.notebook).items():
            submit(course, student, exercise.folder, exercise.notebook, notebook)
        run_tool(["nbgrader", "autograde", exercise.folder], course)
    return course


def auto_scores(course: Path, exercise: str, student: str) -> tuple[float, float]:
    """(points earned, points possible) over the auto-graded cells of a submission in nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(exercise, student)
        grades = [g for nb in submission.notebooks for g in nb.grades if g.cell.cell_type == "code"]
        return sum(g.auto_score or 0 for g in grades), sum(g.max_score for g in grades)


def cell_scores(course: Path, exercise: str, student: str) -> dict[str, float | None]:
    """Every graded cell's automatic score, by grade id, in nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(exercise, student)
        return {g.name: g.auto_score for nb in submission.notebooks for g in nb.grades}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the mutation scores measured in this run (see tests/test_mutation.py)."""
    from .mutation import summary_lines

    lines = summary_lines()
    if lines:
        terminalreporter.section("mutation score")
        for line in lines:
            terminalreporter.write_line(line)
