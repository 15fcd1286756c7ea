"""The ``course`` command: a thin layer over the package's functions.

    course validate                 check course.yaml against the files
    course start EXERCISE           make your own working copy of an exercise in work/
    course check EXERCISE|NOTEBOOK  check a learner's notebook, task by task, without Jupyter
    course hint EXERCISE TASK       show the next hint for a task
    course progress                 lessons and exercises in order, with their status
    course compare EXERCISE         your answers beside the reference solution
    course grade EXERCISE …         grade a class in sandboxes, into nbgrader's gradebook
    course export EXERCISE … --csv FILE | --gradescope DIR    export graded results
    course bundle EXERCISE          a Gradescope autograder zip for an exercise
    course report EXERCISE …        a class report: item analysis, who needs help, similar code
    course rubric EXERCISE          written answers beside the model answer and rubric, for marking
    course release [EXERCISE …]     make exercises/ from solutions/ with nbgrader
    course release --check          say whether exercises/ differs from a fresh release
    course release --force          release even over a learner's work (copied to safety first)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from pathlib import Path

from .datafiles import DataFileError
from .layout import MANIFEST, RELEASE, SOURCE, WORK, find_course_root
from .manifest import load_manifest, validate_course

if TYPE_CHECKING:
    from .grading.recorder import RecordingProcess

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``course`` command; the exit status (0 when all is well). Output cut short by the
    reader (``course check … | head``) ends the command quietly."""
    try:
        code = _main(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped reading: say nothing more, and let Python's exit not write to the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    root = _course_root(args.course)
    if root is None:
        print(f"course: no {MANIFEST} here or in any folder above; run the command inside the course folder, "
              "or name it with --course DIR.", file=sys.stderr)
        return 2
    try:
        code: int = args.run(root, args)
    except DataFileError as error:
        print(f"course: {error}", file=sys.stderr)
        return 1
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description="Work with the Who Says So? course.")
    parser.add_argument("--course", type=Path, default=None, help="the course folder (default: found from here)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    validate = commands.add_parser("validate", help=f"check {MANIFEST} against the course's files")
    validate.set_defaults(run=_validate)

    start = commands.add_parser("start", help=f"make your own working copy of an exercise in {WORK}/")
    start.add_argument("exercise", metavar="EXERCISE")
    start.set_defaults(run=_start)

    check = commands.add_parser("check", help="check a notebook's answers task by task (offline, no Jupyter)")
    check.add_argument("target", metavar="EXERCISE|NOTEBOOK", nargs="?", default=None,
                       help="an exercise such as 02-attribution, or a notebook (default: the exercise folder you are in)")
    check.add_argument("--with-hidden", action="store_true", help=f"also run the hidden checks in {SOURCE}/")
    check.add_argument("--exercise", default=None, metavar="EXERCISE",
                       help="which exercise a notebook kept outside its exercise folder is")
    check.set_defaults(run=_check)

    hint = commands.add_parser("hint", help="show the next hint for a task, one more each time")
    hint.add_argument("exercise", metavar="EXERCISE")
    hint.add_argument("task", metavar="TASK", type=_task_number)
    hint.add_argument("--again", action="store_true", help="start again from the first hint")
    hint.set_defaults(run=_hint)

    progress = commands.add_parser("progress", help="your progress through the lessons and exercises")
    progress.set_defaults(run=_progress)

    compare = commands.add_parser("compare", help="your answers beside the reference solution, task by task")
    compare.add_argument("exercise", metavar="EXERCISE")
    compare.add_argument("--task", type=_task_number, default=None, metavar="N", help="only task N")
    compare.set_defaults(run=_compare)

    grade = commands.add_parser("grade", help="grade submissions (sandboxed, in parallel) into nbgrader's gradebook")
    grade.add_argument("exercises", nargs="+", metavar="EXERCISE")
    grade.add_argument("--jobs", type=int, default=None, help="parallel workers (default: all cores)")
    grade.add_argument("--from", dest="source", type=Path, default=None,
                       help="a folder or .zip of loose notebooks (one exercise): copied into submitted/ first")
    grade.add_argument("--timings", type=Path, default=None, metavar="FILE",
                       help="write how long each submission's steps took to FILE, one JSON object a line")
    grade.set_defaults(run=_grade)

    export = commands.add_parser("export", help="export graded results: CSV for an LMS, Gradescope results.json")
    export.add_argument("exercises", nargs="+", metavar="EXERCISE")
    export.add_argument("--csv", type=Path, default=None, help="write one CSV file for all the exercises")
    export.add_argument("--gradescope", type=Path, default=None, help="write DIR/<student>/results.json")
    export.add_argument("--hidden-visibility", choices=_VISIBILITIES, default="after_due_date",
                        help="when Gradescope shows students the hidden checks (default: after_due_date)")
    export.set_defaults(run=_export)

    bundle = commands.add_parser("bundle", help="make a Gradescope autograder zip for an exercise")
    bundle.add_argument("exercise", metavar="EXERCISE")
    bundle.add_argument("--out", type=Path, default=None, help="the zip to write (default: EXERCISE-gradescope.zip)")
    bundle.add_argument("--hidden-visibility", choices=_VISIBILITIES, default="after_due_date",
                        help="when Gradescope shows students the hidden checks' results and their total "
                             "(default: after_due_date)")
    bundle.set_defaults(run=_bundle)

    report = commands.add_parser("report", help="a class report of graded exercises: HTML pages, CSV and JSON")
    report.add_argument("exercises", nargs="+", metavar="EXERCISE")
    report.add_argument("--out", type=Path, default=None, help="the folder to write (default: reports/)")
    report.set_defaults(run=_report)

    rubric = commands.add_parser("rubric", help="written answers beside the model answer and rubric, for marking")
    rubric.add_argument("exercise", metavar="EXERCISE")
    rubric.add_argument("--student", default=None, help="only this student's answers")
    rubric.set_defaults(run=_rubric)

    release = commands.add_parser("release", help=f"make {RELEASE}/ from {SOURCE}/ with nbgrader")
    release.add_argument("exercises", nargs="*", metavar="EXERCISE", help="exercise folders (default: all)")
    release.add_argument("--check", action="store_true", help=f"only report whether {RELEASE}/ is out of date")
    release.add_argument("--force", action="store_true",
                         help=f"release even over a learner's work in {RELEASE}/ (it is copied to safety first)")
    release.set_defaults(run=_release)
    return parser


_VISIBILITIES = ["after_due_date", "after_published", "hidden", "visible"]  # Gradescope's; see grading.exports


def _course_root(given: Path | None) -> Path | None:
    if given is not None:
        return given.resolve() if (given / MANIFEST).is_file() else None
    return find_course_root(Path.cwd())


def _validate(root: Path, args: argparse.Namespace) -> int:
    problems = validate_course(root)
    if problems:
        for problem in problems:
            print(problem)
        print(f"\n{len(problems)} problem{'s' if len(problems) > 1 else ''} found in the course at {root}.")
        return 1
    manifest = load_manifest(root / MANIFEST)
    points = sum(exercise.points for exercise in manifest.exercises)
    print(f"{MANIFEST} is valid: {len(manifest.lessons)} lessons, {len(manifest.exercises)} exercises, "
          f"{points:g} points; every file it names is in place.")
    return 0


def _task_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a task is a number such as 2, not {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"tasks are numbered from 1, not {number}")
    return number


def _start(root: Path, args: argparse.Namespace) -> int:
    from .learner.workspace import start_exercise

    print(start_exercise(root, args.exercise))
    return 0


def _check(root: Path, args: argparse.Namespace) -> int:
    from .selfcheck import check_notebook, exercise_here, find_notebook

    target = args.target
    if target is None:
        here = exercise_here(root, Path.cwd())
        if here is None:
            names = ", ".join(e.folder for e in load_manifest(root / MANIFEST).exercises)
            flag = " --with-hidden" if args.with_hidden else ""
            print(f"course check: say which exercise to check, for example `course check 02-attribution{flag}`, "
                  f"or run it inside an exercise's folder. The exercises are {names}.", file=sys.stderr)
            return 2
        target = here.folder
    report = check_notebook(find_notebook(root, target), root=root, with_hidden=args.with_hidden,
                            exercise=args.exercise)
    print(report.to_text())
    return 0 if all(task.complete for task in report.tasks) and not report.problems else 1


def _hint(root: Path, args: argparse.Namespace) -> int:
    from .learner.hints import next_hint

    print(next_hint(root, args.exercise, args.task, again=args.again))
    return 0


def _progress(root: Path, args: argparse.Namespace) -> int:
    from .learner.progress import course_progress, render_progress

    print(render_progress(load_manifest(root / MANIFEST).title, course_progress(root)))
    return 0


def _compare(root: Path, args: argparse.Namespace) -> int:
    from .learner.compare import compare

    print(compare(root, args.exercise, task=args.task))
    return 0


def _grade(root: Path, args: argparse.Namespace) -> int:
    from .grading.recorder import RecordingProcess

    # Recording into nbgrader's gradebook runs in a process of its own (see grading.recorder), told of each
    # submission as soon as it is graded and of each exercise as soon as its last one is: both cores stay
    # busy, and recording never holds up the threads that talk to the sandboxes. It is started first, so that
    # it imports nbgrader while this process reads the course; it records nothing until it is told to.
    recorder = RecordingProcess(root)
    try:
        from .grading.grade import course_lock

        manifest = load_manifest(root / MANIFEST)
        for name in args.exercises:
            manifest.exercise(name)  # refuses an unknown exercise, naming those there are
        with course_lock(root):  # one `course grade` at a time on a course: a second is refused, naming the first
            return _grade_locked(root, args, manifest, recorder)
    finally:
        recorder.close()


def _grade_locked(root: Path, args: argparse.Namespace, manifest: Any, recorder: RecordingProcess) -> int:
    from .grading.grade import grade_exercises
    from .grading.recorder import Recorded
    from .grading.results import RESULTS, read_result, result_path
    from .grading.submissions import find_submissions, import_loose

    if args.source is not None:
        if len(args.exercises) != 1:
            raise DataFileError(args.source, "--from takes the notebooks of one exercise; name one exercise")
        students = import_loose(root, args.exercises[0], manifest.exercise(args.exercises[0]).notebook, args.source)
        print(f"Copied {len(students)} notebooks into submitted/ for {args.exercises[0]}.")
    timings: list[dict[str, Any]] | None = [] if args.timings is not None else None
    recording: dict[str, Any] = {}

    def written(exercise: str, student: str) -> None:
        recorder.graded(exercise, manifest.exercise(exercise).notebook, student)

    def finished(result: Any) -> None:
        recording[result.exercise] = recorder.finished(result.exercise, manifest.exercise(result.exercise).notebook)

    results = grade_exercises(root, list(args.exercises), jobs=args.jobs, progress=_ProgressBars(args.exercises),
                              timings=timings, finished=finished, written=written)
    failed = 0
    recordings: dict[str, Recorded] = {}
    for result in results:
        name = result.exercise
        if result.not_graded:
            failed += 1
            print(f"course: {name}: {len(result.not_graded)} submission(s) not graded because of a grader problem "
                  "(not scored, not recorded; they are graded again on the next run):", file=sys.stderr)
            for student, problem in sorted(result.not_graded.items()):
                print(f"  {student}: {problem}", file=sys.stderr)
        recordings[name] = recorded = recording[name].result()
        if recorded.problem:
            print(f"course: {name}: the gradebook was not updated ({recorded.problem}); the results are kept in "
                  f"{RESULTS}/{name}/ and will be recorded on the next run.", file=sys.stderr)
            failed += 1
        students = [s.student for s in find_submissions(root, name, manifest.exercise(name).notebook)]
        records = [read_result(result_path(root, name, s)) or {} for s in students]
        mean = sum(r.get("earned", 0) for r in records) / len(records) if records else 0
        possible = records[0].get("possible", 0) if records else 0
        print(f"{name}: {len(students)} submissions; graded {len(result.graded)}, unchanged since the last run "
              f"{len(result.reused)}; recorded in the gradebook {len(recorded.students)}; mean auto score "
              f"{mean:.2f} of {possible:g}.")
        print(f"  isolation: {result.isolation}")
        print(f"  results files: {RESULTS}/{name}/<student>.json; feedback: nbgrader generate_feedback {name}")
    if timings is not None:
        _write_timings(args.timings, timings, recordings)
    return 1 if failed else 0


def _write_timings(path: Path, timings: list[dict[str, Any]], recordings: dict[str, Any]) -> None:
    """Each graded submission's steps, with its share of recording, one JSON object a line; then one line per
    exercise with the recording process's time on it; then the processor time used by this process and by the
    recording process, in seconds (a sandbox's own is not counted: bubblewrap's processes are not waited for by
    it)."""
    import json
    import resource

    lines = []
    for steps in timings:
        share = recordings[steps["exercise"]].timing.per_submission.get(steps["student"])
        lines.append({**steps, **({"recording": share} if share is not None else {})})
    lines += [{"exercise": name, "recording_pass": r.timing.seconds} for name, r in recordings.items()]
    own = resource.getrusage(resource.RUSAGE_SELF)
    recorder = max((r.cpu for r in recordings.values()), default=0.0)
    lines.append({"cpu": {"grader": own.ru_utime + own.ru_stime, "recording": recorder}})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")


def _export(root: Path, args: argparse.Namespace) -> int:
    from .grading.exports import write_csv, write_gradescope

    manifest = load_manifest(root / MANIFEST)
    for name in args.exercises:
        manifest.exercise(name)  # refuses an unknown exercise, naming those there are
    if args.csv is None and args.gradescope is None:
        print("course export: say what to write: --csv FILE, --gradescope DIR, or both.", file=sys.stderr)
        return 2
    if args.csv is not None:
        rows = write_csv(root, list(args.exercises), args.csv)
        print(f"Wrote {rows} rows to {args.csv}.")
    if args.gradescope is not None:
        for name in args.exercises:
            count = write_gradescope(root, name, args.gradescope / name if len(args.exercises) > 1 else args.gradescope,
                                     hidden_visibility=args.hidden_visibility)
            print(f"Wrote Gradescope results for {count} students of {name}.")
    return 0


def _bundle(root: Path, args: argparse.Namespace) -> int:
    from .grading.exports import make_bundle

    manifest = load_manifest(root / MANIFEST)
    manifest.exercise(args.exercise)
    path = make_bundle(root, args.exercise, args.out or Path(f"{args.exercise}-gradescope.zip"),
                       hidden_visibility=args.hidden_visibility)
    print(f"Wrote {path}: upload it as the autograder of a Gradescope programming assignment "
          f"(Ubuntu 22.04 or 24.04 base image). Hidden checks are shown to students: {args.hidden_visibility}.")
    return 0


def _report(root: Path, args: argparse.Namespace) -> int:
    from .report import REPORTS, summary, write_reports

    out = args.out if args.out is not None else root / REPORTS
    print(summary(write_reports(root, list(args.exercises), out), out))
    return 0


def _rubric(root: Path, args: argparse.Namespace) -> int:
    from .report.written import rubric_sheet

    print(rubric_sheet(root, args.exercise, student=args.student))
    return 0


class _ProgressBars:
    """A progress bar for each exercise, one after the other: an exercise whose submissions begin while the one
    before is still finishing waits for it to be shown."""

    def __init__(self, exercises: Sequence[str]) -> None:
        self.order = list(exercises)
        self.counts: dict[str, tuple[int, int]] = {}
        self.shown = 0  # exercises whose bar is complete
        self.last = -1

    def __call__(self, name: str, done: int, total: int) -> None:
        self.counts[name] = (done, total)
        while self.shown < len(self.order) and self.order[self.shown] in self.counts:
            current = self.order[self.shown]
            done, total = self.counts[current]
            self._show(current, done, total)
            if done < total:
                return
            self.shown += 1
            self.last = -1

    def _show(self, name: str, done: int, total: int) -> None:
        if total == 0:
            return
        width = 30
        filled = width * done // total
        line = f"\r{name} [{'█' * filled}{'░' * (width - filled)}] {done}/{total}"
        if sys.stderr.isatty():
            print(line, end="" if done < total else "\n", file=sys.stderr, flush=True)
        elif done == total or (10 * done // total) != self.last:
            print(line.strip(), file=sys.stderr, flush=True)
        self.last = 10 * done // total


def _release(root: Path, args: argparse.Namespace) -> int:
    from .nbgrader_bridge.release import release, release_drift  # nbgrader is slow to import

    manifest = load_manifest(root / MANIFEST)
    names = list(args.exercises) or [exercise.folder for exercise in manifest.exercises]
    for name in names:
        manifest.exercise(name)
    if args.check:
        drift = release_drift(root, names)
        for line in drift:
            print(line)
        if drift:
            from .learner.workspace import learner_files

            if any(learner_files(root, name) for name in names):
                print(f"\n{RELEASE}/ holds your own work; nothing is lost if you do as said above.")
            else:
                print(f"\n{RELEASE}/ is out of date: run `course release` and commit the result.")
            return 1
        print(f"{RELEASE}/ matches a fresh release of {', '.join(names)}.")
        return 0
    kept = release(root, names, force=args.force)
    refused = {k.exercise for k in kept if not k.replaced}
    for item in kept:
        print(item.message(root), file=sys.stderr if item.exercise in refused else sys.stdout)
    done = [name for name in names if name not in refused]
    if done:
        print(f"Released {', '.join(done)} into {RELEASE}/ and recorded them in nbgrader's gradebook.")
    return 1 if refused else 0
