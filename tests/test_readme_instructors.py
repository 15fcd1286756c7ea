"""The README's instructor commands, run exactly as written, on a fresh copy of the course."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from .classgen import half_right, submit
from .conftest import ROOT, auto_scores, copy_course, solved_release

EXERCISE, NOTEBOOK = "01-provenance", "provenance.ipynb"
COLLECT = "# … collect submissions into submitted/<student>/01-provenance/ …"


def instructor_commands() -> str:
    """The first shell block of the README's "For instructors" section."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("\n## For instructors\n", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the instructor section has a shell block"
    return block.group(1)


def run_shell(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """*script* in bash, stopping at the first command that fails, with this environment's tools off PATH."""
    scripts = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != scripts)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | {"PATH": path}
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"{script}\nfailed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def test_the_readmes_nbgrader_path_works_as_written_on_a_fresh_copy(tmp_path: Path) -> None:
    """No `course release` first: exercises/ is there as committed, and there is no gradebook yet."""
    course = copy_course(tmp_path / "course")
    assert not (course / "gradebook.db").exists()
    (course / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)  # the README's `.venv`
    commands = instructor_commands()
    lines = [line.split("#")[0].strip() for line in commands.splitlines()]
    generate, autograde = lines.index("nbgrader generate_assignment 01-provenance"), lines.index(
        "nbgrader autograde 01-provenance")
    assert generate < lines.index("") < autograde and COLLECT in commands, "submissions are collected in between"
    assert lines[autograde + 1:] == ["nbgrader generate_feedback 01-provenance", "nbgrader export"]
    # The collecting is done first (the release the students copy is the committed one), so the
    # block runs whole, in one shell, as an instructor would paste it.
    submit(course, "ada", EXERCISE, NOTEBOOK, solved_release(course, EXERCISE, NOTEBOOK))
    submit(course, "bea", EXERCISE, NOTEBOOK, (course / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    run_shell(commands, course)

    earned, possible = auto_scores(course, EXERCISE, "ada")
    assert possible > 0 and earned == possible
    assert auto_scores(course, EXERCISE, "bea") == (0, possible)
    for student in ("ada", "bea"):
        assert (course / "feedback" / student / EXERCISE / "provenance.html").is_file()
    with (course / "grades.csv").open(newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"ada", "bea"}
    assert float(rows["ada"]["raw_score"]) == earned and float(rows["bea"]["raw_score"]) == 0


def test_the_readmes_course_grade_commands_work_as_written_on_a_fresh_copy(tmp_path: Path) -> None:
    """The block under "Grading a class with `course grade`", run whole with the environment active."""
    course = copy_course(tmp_path / "course")
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("\n### Grading a class with `course grade`\n", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block
    reference = solved_release(course, EXERCISE, NOTEBOOK)
    submit(course, "ada", EXERCISE, NOTEBOOK, reference)
    submit(course, "bea", EXERCISE, NOTEBOOK, (course / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    submit(course, "ada", "02-attribution", "attribution.ipynb",
           solved_release(course, "02-attribution", "attribution.ipynb"))
    with zipfile.ZipFile(course / "downloads.zip", "w") as downloads:  # what an LMS hands out
        downloads.writestr("carl_1234_provenance.ipynb", json.dumps(half_right(reference, "split_sentences")))
    active = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block.group(1)], cwd=course, capture_output=True,
                            text=True, timeout=900, env=dict(os.environ, PATH=active))
    assert result.returncode == 0, f"{block.group(1)}\nfailed ({result.returncode}):\n{result.stdout}\n{result.stderr}"

    records = {p.stem: json.loads(p.read_text("utf-8")) for p in (course / "results" / EXERCISE).glob("*.json")}
    assert sorted(records) == ["ada", "bea", "carl"] and all(r["recorded"] for r in records.values())
    assert records["ada"]["earned"] == records["ada"]["possible"] > records["carl"]["earned"] > 0
    assert (course / "results" / "02-attribution" / "ada.json").is_file()
    assert (course / "feedback" / "carl" / EXERCISE / "provenance.html").is_file()
    with (course / "grades.csv").open(newline="") as handle:
        assert sorted(row["student_id"] for row in csv.DictReader(handle)) == ["ada", "bea", "carl"]
    assert json.loads((course / "out" / "carl" / "results.json").read_text("utf-8"))["score"] == records["carl"]["earned"]
    assert "setup.sh" in zipfile.ZipFile(course / "01-provenance-gradescope.zip").namelist()
