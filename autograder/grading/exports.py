"""Exports of graded results: a CSV for an LMS, Gradescope's results.json, a Gradescope bundle."""

from __future__ import annotations

import csv
import dataclasses
import json
import zipfile
from pathlib import Path
from typing import Any

from ..checks import HIDDEN_FILE
from ..datafiles import DataFileError
from ..layout import MANIFEST, RELEASE, SOURCE
from ..manifest import load_manifest
from .results import RESULTS, read_result

__all__ = ["gradescope_results", "make_bundle", "write_csv", "write_gradescope"]


def _records(root: Path, exercise: str) -> list[dict[str, Any]]:
    folder = root / RESULTS / exercise
    records = [read_result(path) for path in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    return [r for r in records if r]


def _gradebook_totals(root: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """(score, max score) by (exercise, student) from nbgrader's gradebook: manual marks and penalties included."""
    database = root / "gradebook.db"
    if not database.is_file():
        return {}
    from nbgrader.api import Gradebook

    totals = {}
    with Gradebook(f"sqlite:///{database}") as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                totals[(assignment.name, submission.student.id)] = (submission.score, submission.max_score)
    return totals


def write_csv(root: Path, exercises: list[str], path: Path) -> int:
    """One row per student and exercise: auto points per task, and the gradebook's total. Returns the rows."""
    totals = _gradebook_totals(root)
    rows = []
    for exercise in exercises:
        for record in _records(root, exercise):
            total = totals.get((exercise, record["student"]))
            row = {
                "student_id": record["student"],
                "exercise": exercise,
                "auto_score": record["earned"],
                "auto_max": record["possible"],
                "total_score": total[0] if total else "",
                "total_max": total[1] if total else "",
                "needs_attention": "; ".join(record.get("problems", [])),
            }
            row.update({f"task{t['task']}": t["earned"] for t in record["tasks"]})
            rows.append(row)
    fields = ["student_id", "exercise", "auto_score", "auto_max", "total_score", "total_max"]
    fields += sorted({k for row in rows for k in row if k.startswith("task")}, key=lambda k: int(k[4:]))
    fields.append("needs_attention")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def gradescope_results(record: dict[str, Any]) -> dict[str, Any]:
    """A results record in Gradescope's results.json format: one test per task."""
    tests = [
        {
            "name": f"Task {task['task']} · {task['function']}",
            "score": task["earned"],
            "max_score": task["possible"],
            "output": task["text"],
            "visibility": "visible",
        }
        for task in record.get("tasks", [])
    ]
    output = "\n".join(record.get("problems", [])) or "Graded by Who Says So?'s autograder."
    return {"score": record.get("earned", 0), "output": output, "tests": tests, "visibility": "visible"}


def write_gradescope(root: Path, exercise: str, folder: Path) -> int:
    """``<folder>/<student>/results.json`` for every graded student. Returns how many."""
    records = _records(root, exercise)
    for record in records:
        target = folder / record["student"]
        target.mkdir(parents=True, exist_ok=True)
        (target / "results.json").write_text(json.dumps(gradescope_results(record), indent=1), "utf-8")
    return len(records)


RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission: grade the notebook, write results/results.json.
set -euo pipefail
cd /autograder/source
python3 -m autograder.grading.gradescope --exercise exercise --submission /autograder/submission \\
    --results /autograder/results/results.json
"""

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built.
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3 python3-pip python3-venv util-linux
cd /autograder/source
python3 -m pip install --break-system-packages . || python3 -m pip install .
"""


def make_bundle(root: Path, exercise: str, path: Path) -> Path:
    """A Gradescope autograder zip for *exercise*: setup.sh, run_autograder, the package and the checks."""
    manifest = load_manifest(root / MANIFEST)
    info = manifest.exercise(exercise)
    package = Path(__file__).resolve().parents[1]
    project = package.parent / "pyproject.toml"  # the course's own checkout, installed in development mode
    if not project.is_file():
        raise DataFileError(project, "the bundle packs the course package with its pyproject.toml; install the "
                            "course from its checkout (python3 bootstrap.py setup) to make a bundle")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(_executable("setup.sh"), SETUP)
        bundle.writestr(_executable("run_autograder"), RUN_AUTOGRADER)
        for file in sorted(package.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                bundle.write(file, str(file.relative_to(package.parent)))
        bundle.write(project, "pyproject.toml")
        bundle.writestr("README.md", f"Gradescope autograder for {exercise} of {manifest.title}\n")
        for file in sorted((root / RELEASE / exercise).iterdir()):
            if file.is_file():
                bundle.write(file, f"exercise/{file.name}")
        bundle.write(root / SOURCE / exercise / HIDDEN_FILE, f"exercise/{HIDDEN_FILE}")
        grading = dataclasses.asdict(manifest.grading)
        bundle.writestr("exercise/grading.json", json.dumps({"notebook": info.notebook, "exercise": exercise,
                                                              "grading": grading}, indent=1))
    return path


def _executable(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16
    return info
