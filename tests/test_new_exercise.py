"""An instructor adds an exercise by copying a folder and adding one entry to course.yaml, as the README shows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .classgen import submit
from .conftest import run_tool, solved_release


def test_a_copied_exercise_validates_releases_and_grades(course_copy: Path) -> None:
    source = course_copy / "solutions" / "08-dates"
    shutil.copytree(course_copy / "solutions" / "01-provenance", source)
    (source / "provenance.ipynb").rename(source / "dates.ipynb")
    for name in ("cases.yaml", "hidden-cases.yaml"):
        path = source / name
        path.write_text(path.read_text("utf-8").replace("exercise: 01-provenance", "exercise: 08-dates"), "utf-8")
    manifest = course_copy / "course.yaml"
    entry = ("  - folder: 08-dates\n    notebook: dates.ipynb\n    title: \"Dating a story\"\n"
             "    assesses: 01-provenance\n    points: 22\n\n")
    text = manifest.read_text("utf-8")
    manifest.write_text(text.replace("\n# Limits for one run", f"{entry}# Limits for one run", 1), "utf-8")

    missing = run_tool(["course", "validate"], course_copy, check=False)
    assert "exercises/08-dates/dates.ipynb does not exist; run `course release` to make it" in missing.stdout
    run_tool(["course", "release", "08-dates"], course_copy)
    assert "course.yaml is valid: 8 lessons, 8 exercises" in run_tool(["course", "validate"], course_copy).stdout

    submit(course_copy, "ada", "08-dates", "dates.ipynb", solved_release(course_copy, "08-dates", "dates.ipynb"))
    result = run_tool(["course", "grade", "08-dates"], course_copy)
    assert "recorded in the gradebook 1" in result.stdout
    record = json.loads((course_copy / "results" / "08-dates" / "ada.json").read_text("utf-8"))
    assert record["earned"] == record["possible"] == 16
