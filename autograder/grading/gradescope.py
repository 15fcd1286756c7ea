"""Grade one Gradescope submission: ``python -m autograder.grading.gradescope``.

Run by the bundle's ``run_autograder`` (see :func:`~autograder.grading.exports.make_bundle`):
the exercise folder holds the released files, the hidden cases and ``grading.json``. It always
writes a results file: when the grader itself fails, one that gives zero points and says that
the autograder, not the student, is at fault.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

from .exports import HIDDEN_VISIBILITY, grader_failure_results, gradescope_results, written_cells

__all__ = ["grade_for_gradescope", "main"]


def grade_for_gradescope(exercise: Path, submission: Path) -> dict[str, Any]:
    """Grade the notebook in the folder *submission* with the checks in *exercise*; Gradescope's results data."""
    from ..checks import HIDDEN_FILE, load_suite
    from ..runner import Limits
    from ..sandbox.policy import detect_isolation, slot_uids
    from .grade import grade_submission
    from .submissions import Submission

    setting = json.loads((exercise / "grading.json").read_text("utf-8"))
    notebooks = sorted(submission.glob("*.ipynb"))
    wanted = submission / setting["notebook"]
    notebook = wanted if wanted.is_file() else (notebooks[0] if notebooks else wanted)
    student = Submission(student="gradescope", exercise=setting["exercise"], folder=submission, notebook=notebook)
    release = json.loads((exercise / setting["notebook"]).read_text("utf-8"))
    suite = load_suite(exercise, hidden_file=exercise / HIDDEN_FILE)
    isolation = detect_isolation()
    scratch = Path(tempfile.mkdtemp(prefix="who-says-so-gs-"))
    try:
        # mkdtemp makes it 0700: the sandbox's user must be able to pass through to its own folder inside.
        os.chmod(scratch, 0o711)
        with slot_uids(1) as [uid]:
            record = grade_submission(
                student, release_folder=exercise, release=release, suite=suite, limits=Limits(**setting["grading"]),
                isolation=isolation, uid=uid, scratch_root=scratch,
            ).to_data()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    visibility = setting.get("gradescope", {}).get("hidden_visibility", HIDDEN_VISIBILITY)
    return gradescope_results(record, written=written_cells(exercise / setting["notebook"]),
                              hidden_visibility=visibility)


def main(argv: list[str] | None = None) -> int:
    """Grade one submission and write its results.json; returns 0, or 1 when the grader itself failed."""
    parser = argparse.ArgumentParser(description="Grade one Gradescope submission.")
    parser.add_argument("--exercise", type=Path, required=True)
    parser.add_argument("--submission", type=Path, required=True)
    parser.add_argument("--results", type=Path, required=True)
    args = parser.parse_args(argv)
    failed = False
    try:
        results = grade_for_gradescope(args.exercise, args.submission)
    except Exception as error:  # the grader's own failure: never the student's
        failed = True
        reason = f"{type(error).__name__}: {error}"
        print(f"who-says-so: GRADER PROBLEM (not the student's work): {reason}", flush=True)
        traceback.print_exc(file=sys.stdout)
        print("who-says-so: the submission got a zero-score result that says so; fix the autograder, then regrade.")
        results = grader_failure_results(reason)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    partial = args.results.with_name(f".{args.results.name}.partial")
    partial.write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")
    os.replace(partial, args.results)
    extra = results.get("extra_data", {})
    if not failed:
        possible = extra.get("auto_points", 0)
        print(f"who-says-so: graded: {results['score']:g} of {possible:g} automatic points; "
              f"isolation: {extra.get('isolation', 'unknown')}")
        for problem in extra.get("problems", []):
            print(f"who-says-so: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
