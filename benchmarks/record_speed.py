"""How long does recording a graded class into nbgrader's gradebook take, per submission?

    python benchmarks/record_speed.py [--size 30] [--runs 3] [--exercise 02-attribution] [--profile]

Generates SIZE honest submissions of one exercise (the reference, the untouched release and
varied mistakes, as the tests make them; every third one late, with nbgrader's "zero" late
penalty), grades them with `course grade`, and then, RUNS times, puts the gradebook back as it was
before recording (the exercise released, with its due date), marks every results file as not yet
recorded, removes autograded/, and records the class again with `record_pending`:

- in this process (nbgrader already imported): the wall time and CPU time per submission of the
  whole pass, and the median of each submission's own share;
- in a fresh process: the wall and CPU time of importing and recording, as a process of its own
  that records pays them;
- the time to import nbgrader.api in a fresh process, as it is and as recording imports it.

With --profile, the last run in this process is profiled (cProfile) and its top functions printed.
Run it with the course's environment active.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.grading.gradebook import Recording, record_pending  # noqa: E402
from autograder.grading.results import RESULTS, write_result  # noqa: E402
from autograder.manifest import load_manifest  # noqa: E402
from tests.classgen import honest_class, submit  # noqa: E402
from tests.conftest import copy_course, tool_env  # noqa: E402

DUE = "2026-11-30 17:00:00 UTC"
LATE = "2026-12-01 09:30:00 UTC"
LATE_CONFIG = '\nc.LateSubmissionPlugin.penalty_method = "zero"  # a late submission scores 0\n'

FRESH = """
import sys, time
wall, cpu = time.perf_counter(), time.process_time()
from pathlib import Path
from autograder.grading.gradebook import record_pending
done = record_pending(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
print(len(done), time.perf_counter() - wall, time.process_time() - cpu)
"""

IMPORT = """
import sys, time
wall = time.perf_counter()
if sys.argv[1] == "as recording imports it":
    from autograder.nbgrader_bridge.tools import light_recording_imports
    light_recording_imports()
import nbgrader.api
print(time.perf_counter() - wall)
"""


def make_class(course: Path, exercise: str, notebook: str, size: int) -> None:
    """SIZE submissions of *exercise*, each of the honest variants in turn; every third one late."""
    from nbgrader.api import Gradebook

    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(LATE_CONFIG)
    subprocess.run(["nbgrader", "generate_assignment", exercise, "--force"], cwd=course, env=tool_env(), check=True,
                   capture_output=True)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "who-says-so") as gradebook:
        gradebook.update_or_create_assignment(exercise, duedate=DUE)
    variants = list(honest_class(course, exercise, notebook).values())
    for number in range(size):
        student = f"student{number:03d}"
        submit(course, student, exercise, notebook, variants[number % len(variants)])
        stamp = LATE if number % 3 == 0 else "2026-11-30 16:00:00 UTC"
        (course / "submitted" / student / exercise / "timestamp.txt").write_text(stamp + "\n", "utf-8")


def unrecorded(course: Path, exercise: str, released: bytes) -> None:
    """The class as it was before recording: the gradebook as released, results not recorded, no autograded/."""
    (course / "gradebook.db").write_bytes(released)
    autograded = course / "autograded"
    if autograded.exists():
        for folder, _, names in os.walk(autograded):
            for name in names:
                os.chmod(os.path.join(folder, name), 0o644)  # nbgrader's files are read-only
        shutil.rmtree(autograded)
    for path in sorted((course / RESULTS / exercise).glob("*.json")):
        record = json.loads(path.read_text("utf-8"))
        record["recorded"] = False
        write_result(path, record)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30, help="how many submissions (default 30)")
    parser.add_argument("--runs", type=int, default=3, help="how many recording passes of each kind (default 3)")
    parser.add_argument("--exercise", default="02-attribution")
    parser.add_argument("--profile", action="store_true", help="profile the last pass in this process")
    args = parser.parse_args()
    notebook = load_manifest(ROOT / "course.yaml").exercise(args.exercise).notebook
    report = []
    with tempfile.TemporaryDirectory(prefix="who-says-so-record-") as scratch:
        course = copy_course(Path(scratch) / "course")
        make_class(course, args.exercise, notebook, args.size)
        released = (course / "gradebook.db").read_bytes()
        subprocess.run(["course", "grade", args.exercise], cwd=course, env=tool_env(), check=True,
                       capture_output=True)
        report.append(f"class: {args.size} submissions of {args.exercise}, a third of them late; "
                      f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        profile = cProfile.Profile()
        for run in range(args.runs):
            unrecorded(course, args.exercise, released)
            timing = Recording()
            profiled = args.profile and run == args.runs - 1
            if profiled:
                profile.enable()
            wall, cpu = time.perf_counter(), time.process_time()
            done = record_pending(course, args.exercise, notebook, timing=timing)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if profiled:
                profile.disable()
            share = statistics.median(timing.per_submission.values())
            report.append(f"in this process, pass {run + 1}{' (profiled)' if profiled else ''}: {len(done)} recorded; "
                          f"per submission {wall / len(done) * 1000:.1f} ms wall, {cpu / len(done) * 1000:.1f} ms CPU; "
                          f"median share {share * 1000:.1f} ms")
        for run in range(args.runs):
            unrecorded(course, args.exercise, released)
            said = subprocess.run([sys.executable, "-c", FRESH, str(course), args.exercise, notebook], cwd=scratch,
                                  env=dict(tool_env(), PYTHONPATH=str(ROOT)), check=True, capture_output=True,
                                  text=True).stdout.split()
            report.append(f"in a fresh process, pass {run + 1}: {said[0]} recorded in {float(said[1]):.2f} s wall, "
                          f"{float(said[2]):.2f} s CPU (imports included)")
        for how in ("as it is", "as recording imports it"):
            seconds = [float(subprocess.run([sys.executable, "-c", IMPORT, how], cwd=scratch,
                                            env=dict(tool_env(), PYTHONPATH=str(ROOT)), check=True,
                                            capture_output=True, text=True).stdout)
                       for _ in range(args.runs)]
            report.append(f"import nbgrader.api {how}: median {statistics.median(seconds):.2f} s")
    print("\n".join(report))
    if args.profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
