"""How long does `course report` take, and how much memory, next to `course grade` on the same class?

    python benchmarks/report_speed.py [--size 500] [--jobs N]

Generates a class of SIZE honest submissions across the exercises (the reference, the untouched
release and varied mistakes, as the tests make them), grades it with `course grade`, then builds
the report of every exercise with `course report`. Prints each one's wall time and peak memory
(the largest total resident memory of the command and all its processes, sampled every 0.1 s),
and how the report's time compares with grading's. Run it with the course's environment active.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.manifest import load_manifest  # noqa: E402
from tests.classgen import honest_class, submit  # noqa: E402
from tests.conftest import copy_course  # noqa: E402


def _grade_speed():  # type: ignore[no-untyped-def]
    """The sampling helpers of benchmarks/grade_speed.py (one way of measuring for both benchmarks)."""
    spec = importlib.util.spec_from_file_location("grade_speed", Path(__file__).with_name("grade_speed.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def own_copy(notebook: dict[str, Any], number: int) -> dict[str, Any]:
    """*notebook* with a comment of the student's own in its first answer cell, so no two files are alike."""
    changed = json.loads(json.dumps(notebook))
    for cell in changed["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution") and cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = f"# my work, student {number}\n" + source
            break
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500, help="how many submissions (default 500)")
    parser.add_argument("--jobs", type=int, default=None, help="course grade's workers (default: all cores)")
    args = parser.parse_args()
    measured = _grade_speed().measured
    exercises = load_manifest(ROOT / "course.yaml").exercises
    with tempfile.TemporaryDirectory(prefix="who-says-so-report-bench-") as scratch:
        course = copy_course(Path(scratch) / "course")
        variants = {e.folder: list(honest_class(course, e.folder, e.notebook).values()) for e in exercises}
        for number in range(args.size):
            exercise = exercises[number % len(exercises)]
            notebook = variants[exercise.folder][(number // len(exercises)) % len(variants[exercise.folder])]
            submit(course, f"student{number:03d}", exercise.folder, exercise.notebook, own_copy(notebook, number))
        names = [e.folder for e in exercises]
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        grade_time, grade_peak, _ = measured([["course", "grade", *names, *jobs]], course)
        report_time, report_peak, _ = measured([["course", "report", *names]], course)
        pages = sorted(p.name for p in (course / "reports").glob("*.html"))
    print(f"class: {args.size} submissions across {len(exercises)} exercises, on {os.cpu_count()} cores")
    print(f"course grade:  {grade_time:7.1f} s  peak memory {grade_peak / 2**20:6.0f} MiB")
    print(f"course report: {report_time:7.1f} s  peak memory {report_peak / 2**20:6.0f} MiB  ({len(pages)} pages)")
    print(f"ratio: the report takes {100 * report_time / grade_time:.0f}% of the time of grading the class")
    return 0


if __name__ == "__main__":
    sys.exit(main())
