"""How much faster is `course grade` than `nbgrader autograde` on the same class, and where does its time go?

    python benchmarks/grade_speed.py [--size 200] [--runs 3] [--jobs N] [--memory-sizes 50,500]

Generates a class of SIZE honest submissions across the exercises (the reference, the untouched
release and varied mistakes, as the tests make them) in fresh copies of the course, and grades
one copy with `nbgrader autograde` and each of the others with `course grade`, one after the other
on this machine. `course grade` takes seconds where nbgrader takes minutes, so a single run of it
would measure whatever the machine's speed was in those seconds (on a virtual machine it drifts
by a quarter within minutes): it grades RUNS copies of the same class, the first just before
nbgrader and the rest just after, and its time is their median. Prints:

- each one's wall time, throughput and peak memory (the largest total memory of the grader and
  all its processes, shared pages counted once, sampled every 0.1 s; for `course grade`, the
  largest of its runs), and the throughput ratio; `course grade`'s time in each run;
- whether the gradebooks hold the same score for every graded cell of every submission (nbgrader's
  against each of `course grade`'s);
- where `course grade`'s time went, per submission (median and 95th percentile of each step,
  from `course grade --timings` in its median run);
- the time `course grade` takes after one submission of the graded class changes, and what it
  said it graded and recorded;
- the peak memory of `course grade` on classes of each of MEMORY_SIZES submissions, and whether
  the largest is within 10% of the smallest.

Run it with the course's environment active.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.manifest import load_manifest  # noqa: E402
from tests.classgen import failing, honest_class, submit  # noqa: E402
from tests.conftest import copy_course  # noqa: E402

STEPS = [
    ("sandbox", "sandbox set-up (staging, namespaces, bubblewrap, to the worker's first line)"),
    ("worker_start", "worker start (its imports and limits, to ready)"),
    ("student_code", "student code (the notebook's cells)"),
    ("calls", "calls (every check, in lockstep)"),
    ("teardown", "teardown (the worker's exit, its files removed)"),
    ("judging", "judging (notebook read, cases judged, results file)"),
    ("recording", "recording into the gradebook (prepared, then stored)"),
]


def tree_memory(pid: int) -> int:
    """Memory, in bytes, of *pid* and every process below it: the sum of their proportional set sizes, so that
    pages two processes share are counted once, not once for each. A child that has not yet run a program of its
    own (its command line is still its parent's: Python starts a program with vfork, and such a child shares its
    parent's memory whole) is not counted again.

    It is called ten times a second while a grader runs, on the same processors, so it reads /proc as plain bytes,
    without the text layer (a sample took 3.4 ms of processor time during a 100-submission run, against 4.8 ms
    with text reads)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(_read(f"/proc/{entry}/stat").rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    total, todo = 0, [pid]
    commands: dict[int, bytes] = {}
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            commands[current] = _read(f"/proc/{current}/cmdline")
        except OSError:
            continue
        parent = parents.get(current)
        if current != pid and parent in commands and commands[parent] == commands[current]:
            continue  # not yet its own program: its memory is its parent's
        try:
            rollup = _read(f"/proc/{current}/smaps_rollup")
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith(b"Pss:"):
                total += int(line.split()[1]) * 1024
    return total


def _read(path: str) -> bytes:
    """A /proc file's bytes, read without the text layer."""
    with open(path, "rb", buffering=0) as handle:
        return handle.read()


def tool_env() -> dict[str, str]:
    return dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))


def measured(commands: list[list[str]], cwd: Path) -> tuple[float, int, str]:
    """Run *commands* one after the other; (wall seconds, peak memory in bytes, what they printed).

    The disk is synced first: files written just before (a class made, the other grader's output) would otherwise
    be written back while the commands run, on the same processors, and slow whichever grader runs next."""
    peak = 0
    printed = []
    os.sync()
    start = time.perf_counter()
    for command in commands:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            process = subprocess.Popen(command, cwd=cwd, env=tool_env(), stdout=out, stderr=err)
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, tree_memory(process.pid))
                    time.sleep(0.1)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            code = process.wait()
            done.set()
            sampler.join()
            out.seek(0)
            printed.append(out.read().decode("utf-8", "replace"))
            if code != 0:
                err.seek(0)
                errors = err.read().decode("utf-8", "replace").strip().splitlines()[-20:]
                raise SystemExit(f"{' '.join(command)} failed ({code}):\n{printed[-1]}\n" + "\n".join(errors))
    return time.perf_counter() - start, peak, "".join(printed)


def make_class(course: Path, size: int, exercises: list[Any], variants: dict[str, list[dict[str, Any]]]) -> None:
    """SIZE submissions, round the exercises, each one of the exercise's honest variants in turn."""
    for number in range(size):
        exercise = exercises[number % len(exercises)]
        notebook = variants[exercise.folder][(number // len(exercises)) % len(variants[exercise.folder])]
        submit(course, f"student{number:03d}", exercise.folder, exercise.notebook, notebook)


def in_class(size: int, exercises: list[Any]) -> list[str]:
    """The folders of the exercises that a class of SIZE made by :func:`make_class` has submissions of (a class
    smaller than the course leaves the last exercises out, and nbgrader refuses an exercise nobody submitted)."""
    return [e.folder for e in exercises[:size]]


def gradebook_scores(course: Path) -> dict[tuple[str, str, str], float | None]:
    """Every graded cell's automatic score in the course's gradebook, by (exercise, student, cell)."""
    import sqlite3

    query = """select a.name, sa.student_id, c.name, g.auto_score from grade g
               join submitted_notebook sn on g.notebook_id = sn.id
               join submitted_assignment sa on sn.assignment_id = sa.id
               join assignment a on sa.assignment_id = a.id join base_cell c on g.cell_id = c.id"""
    with sqlite3.connect(course / "gradebook.db") as db:
        return {(e, s, c): score for e, s, c, score in db.execute(query)}


def breakdown(path: Path) -> list[str]:
    """The per-submission steps in a `course grade --timings` file: median and 95th percentile of each."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    submissions = [row for row in rows if "student" in row]
    lines = [f"course grade, per submission ({len(submissions)} submissions):  median      p95"]
    for key, label in STEPS:
        values = sorted(row[key] for row in submissions if key in row)
        if values:
            p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
            lines.append(f"  {label:<58} {statistics.median(values) * 1000:7.1f} ms {p95 * 1000:7.1f} ms")
    passes = [row["recording_pass"] for row in rows if "recording_pass" in row]
    lines.append(f"  recording, every exercise: {sum(passes):.1f} s of the recording process's work "
                 f"(the gradebook's set-up included; nbgrader's import, as the process starts, not)")
    for row in rows:
        if "cpu" in row:
            cpu = row["cpu"]
            lines.append(f"  processor time of the grader's own process {cpu['grader']:.1f} s "
                         f"({cpu['grader'] / len(submissions) * 1000:.0f} ms per submission), of the recording "
                         f"process {cpu['recording']:.1f} s ({cpu['recording'] / len(submissions) * 1000:.0f} ms)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200, help="how many submissions (default 200)")
    parser.add_argument("--runs", type=int, default=3, help="how many copies of the class course grade grades, "
                        "one before nbgrader and the rest after; its time is their median (default 3)")
    parser.add_argument("--jobs", type=int, default=None, help="course grade's workers (default: all cores)")
    parser.add_argument("--memory-sizes", default="50,500",
                        help="class sizes for the memory comparison of course grade, or 'none' (default 50,500)")
    args = parser.parse_args()
    exercises = load_manifest(ROOT / "course.yaml").exercises
    names = in_class(args.size, exercises)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    memory_sizes = [] if args.memory_sizes == "none" else [int(n) for n in args.memory_sizes.split(",")]
    report = []
    with tempfile.TemporaryDirectory(prefix="who-says-so-bench-") as scratch:
        theirs, ours = copy_course(Path(scratch) / "nbgrader"), copy_course(Path(scratch) / "course-grade")
        for course in (theirs, ours):
            for exercise in exercises:
                subprocess.run(["nbgrader", "generate_assignment", exercise.folder, "--force"], cwd=course,
                               env=tool_env(), check=True, capture_output=True)
        released = (ours / "gradebook.db").read_bytes()  # the exercises as nbgrader recorded their release
        variants = {e.folder: list(honest_class(ours, e.folder, e.notebook).values()) for e in exercises}
        for course in (theirs, ours):
            make_class(course, args.size, exercises, variants)
        copies = [ours] + [Path(shutil.copytree(ours, Path(scratch) / f"course-grade-{run}", symlinks=True))
                           for run in range(2, max(args.runs, 1) + 1)]
        load = os.getloadavg()[0]
        runs: list[tuple[float, int, Path]] = []  # (wall seconds, peak memory, timings file) of each course grade

        def course_grade(copy: Path) -> None:
            timings = copy.parent / f"{copy.name}-timings.jsonl"
            seconds, peak, _ = measured([["course", "grade", *names, *jobs, "--timings", str(timings)]], copy)
            runs.append((seconds, peak, timings))

        course_grade(copies[0])
        nbgrader_time, nbgrader_peak, _ = measured([["nbgrader", "autograde", name] for name in names], theirs)
        for copy in copies[1:]:
            course_grade(copy)
        load = max(load, os.getloadavg()[0])
        course_time = statistics.median(seconds for seconds, _, _ in runs)
        course_peak = max(peak for _, peak, _ in runs)
        timings = min(runs, key=lambda run: abs(run[0] - course_time))[2]  # the run nearest the median
        report.append(f"class: {args.size} submissions across {len(names)} exercises, on {os.cpu_count()} cores "
                      f"(load average {load:.1f} during the run)")
        report.append(f"nbgrader autograde: {nbgrader_time:7.1f} s  {args.size / nbgrader_time:6.2f} submissions/s  "
                      f"peak memory {nbgrader_peak / 2**20:6.0f} MiB")
        report.append(f"course grade:       {course_time:7.1f} s  {args.size / course_time:6.2f} submissions/s  "
                      f"peak memory {course_peak / 2**20:6.0f} MiB  (median of {len(runs)} runs: "
                      + ", ".join(f"{seconds:.1f} s" for seconds, _, _ in runs) + ")")
        report.append(f"ratio: course grade's throughput is {nbgrader_time / course_time:.1f}x nbgrader autograde's")
        theirs_scores = gradebook_scores(theirs)
        submissions = len({key[:2] for key in theirs_scores})
        disagreements = []
        for run, copy in enumerate(copies, start=1):
            ours_scores = gradebook_scores(copy)
            differing = sorted(key for key in theirs_scores.keys() | ours_scores.keys()
                               if theirs_scores.get(key, "missing") != ours_scores.get(key, "missing"))
            if differing:
                disagreements.append(
                    f"scores: in course grade's run {run}, {len(differing)} of {len(theirs_scores)} graded cells "
                    "differ, e.g. " + "; ".join(f"{e}/{s}/{c}: nbgrader {theirs_scores.get((e, s, c))}, course "
                                               f"grade {ours_scores.get((e, s, c))}" for e, s, c in differing[:3]))
        report += disagreements or [f"scores: identical, cell by cell, for all {submissions} submissions "
                                    f"({len(theirs_scores)} graded cells), in each of course grade's {len(runs)} runs"]
        report += breakdown(timings)

        changed = exercises[0]
        student = "student000"
        reference = variants[changed.folder][0]
        submit(ours, student, changed.folder, changed.notebook, failing(reference, _first_function(ours, changed)))
        again_time, _, said = measured([["course", "grade", *names, *jobs]], ours)
        summary = re.search(rf"{changed.folder}: .*", said)
        report.append(f"incremental: after {student}'s {changed.folder} changed, course grade took {again_time:.1f} s "
                      f"and said: {summary.group(0) if summary else said.strip()[:200]}")

        peaks = {}
        for size in memory_sizes:
            course = copy_course(Path(scratch) / f"memory-{size}")
            (course / "gradebook.db").write_bytes(released)
            make_class(course, size, exercises, variants)
            _, peaks[size], _ = measured([["course", "grade", *in_class(size, exercises), *jobs]], course)
        if len(peaks) >= 2:
            small, large = min(peaks), max(peaks)
            growth = peaks[large] / peaks[small] - 1
            report.append("memory: course grade's peak " + ", ".join(f"{peaks[n] / 2**20:.0f} MiB for {n}"
                                                                       for n in sorted(peaks))
                          + f" submissions: {growth:+.1%} from {small} to {large} "
                          + ("(within 10%)" if abs(growth) <= 0.10 else "(NOT within 10%)"))
    print("\n".join(report))
    return 0


def _first_function(course: Path, exercise: Any) -> str:
    from autograder.checks import load_suite

    tasks = load_suite(course / "exercises" / exercise.folder).tasks.values()
    return next(t.function for t in tasks if t.function[:1].islower())


if __name__ == "__main__":
    sys.exit(main())
