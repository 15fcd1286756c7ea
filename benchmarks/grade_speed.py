"""How much faster is `course grade` than `nbgrader autograde` on the same class?

    python benchmarks/grade_speed.py [--size 200] [--jobs N]

Generates a class of SIZE honest submissions across the exercises (the reference, the untouched
release and varied mistakes, as the tests make them), copies it into two fresh copies of the
course, and grades one copy with `nbgrader autograde` and the other with `course grade`, one
after the other on this machine. Prints each one's wall time, throughput and peak memory (the
largest total resident memory of the grader and all its processes, sampled every 0.1 s), then
the throughput ratio. Run it with the course's environment active.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.manifest import load_manifest  # noqa: E402
from tests.classgen import honest_class, submit  # noqa: E402
from tests.conftest import copy_course  # noqa: E402


def tree_rss(pid: int) -> int:
    """Resident memory, in bytes, of *pid* and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
        todo += children.get(current, [])
    return total


def measured(commands: list[list[str]], cwd: Path) -> tuple[float, int]:
    """Run *commands* one after the other; (wall seconds, peak memory in bytes)."""
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    peak = 0
    start = time.perf_counter()
    for command in commands:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(process.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        if process.wait() != 0:
            raise SystemExit(f"{' '.join(command)} failed")
        done.set()
        sampler.join()
    return time.perf_counter() - start, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200, help="how many submissions (default 200)")
    parser.add_argument("--jobs", type=int, default=None, help="course grade's workers (default: all cores)")
    args = parser.parse_args()
    exercises = load_manifest(ROOT / "course.yaml").exercises
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    with tempfile.TemporaryDirectory(prefix="who-says-so-bench-") as scratch:
        theirs, ours = copy_course(Path(scratch) / "nbgrader"), copy_course(Path(scratch) / "course-grade")
        for course in (theirs, ours):
            for exercise in exercises:
                subprocess.run(["nbgrader", "generate_assignment", exercise.folder, "--force"], cwd=course, env=env,
                               check=True, capture_output=True)
        variants = {e.folder: list(honest_class(ours, e.folder, e.notebook).values()) for e in exercises}
        for number in range(args.size):
            exercise = exercises[number % len(exercises)]
            notebook = variants[exercise.folder][(number // len(exercises)) % len(variants[exercise.folder])]
            for course in (theirs, ours):
                submit(course, f"student{number:03d}", exercise.folder, exercise.notebook, notebook)
        names = [e.folder for e in exercises]
        nbgrader_time, nbgrader_peak = measured([["nbgrader", "autograde", name] for name in names], theirs)
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        course_time, course_peak = measured([["course", "grade", *names, *jobs]], ours)
    print(f"class: {args.size} submissions across {len(exercises)} exercises, on {os.cpu_count()} cores")
    print(f"nbgrader autograde: {nbgrader_time:7.1f} s  {args.size / nbgrader_time:6.2f} submissions/s  "
          f"peak memory {nbgrader_peak / 2**20:6.0f} MiB")
    print(f"course grade:       {course_time:7.1f} s  {args.size / course_time:6.2f} submissions/s  "
          f"peak memory {course_peak / 2**20:6.0f} MiB")
    print(f"ratio: course grade's throughput is {nbgrader_time / course_time:.1f}x nbgrader autograde's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
