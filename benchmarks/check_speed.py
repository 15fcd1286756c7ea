"""How much faster is `course check` than `nbgrader validate` on the same notebook?

    python benchmarks/check_speed.py [--runs N] [--exercise 01-provenance]

Both commands check a solved copy of the exercise's released notebook, one after the other, N
times each, from the command line as a learner would run them. Prints the median wall time of each
and the ratio. Run it with the course's environment active (after `python3 bootstrap.py setup`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import solved_release  # noqa: E402  (the tests' way of answering as the reference does)


def timed(command: list[str], cwd: Path) -> float:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--exercise", default="01-provenance")
    args = parser.parse_args()
    from autograder.manifest import load_manifest

    notebook_name = load_manifest(ROOT / "course.yaml").exercise(args.exercise).notebook
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / args.exercise
        shutil.copytree(ROOT / "exercises" / args.exercise, folder)
        notebook = folder / notebook_name
        notebook.write_text(json.dumps(solved_release(ROOT, args.exercise, notebook_name)), "utf-8")
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(timed(["course", "check", str(notebook)], ROOT))
            theirs.append(timed(["nbgrader", "validate", str(notebook)], folder))
    check, validate = statistics.median(ours), statistics.median(theirs)
    print(f"notebook: exercises/{args.exercise}/{notebook_name} (solved), {args.runs} runs each")
    print(f"course check      median {check:.2f} s")
    print(f"nbgrader validate median {validate:.2f} s")
    print(f"ratio: course check is {validate / check:.1f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
