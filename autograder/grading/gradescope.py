"""Grade one Gradescope submission: ``python -m autograder.grading.gradescope``.

Run by the bundle's ``run_autograder`` (see :func:`~autograder.grading.exports.make_bundle`):
the exercise folder holds the released files, the hidden cases and ``grading.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from ..checks import HIDDEN_FILE, load_suite
from ..runner import Limits
from ..sandbox.policy import detect_isolation, slot_uids
from .exports import gradescope_results
from .grade import grade_submission
from .submissions import Submission

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade one Gradescope submission.")
    parser.add_argument("--exercise", type=Path, required=True)
    parser.add_argument("--submission", type=Path, required=True)
    parser.add_argument("--results", type=Path, required=True)
    args = parser.parse_args(argv)
    setting = json.loads((args.exercise / "grading.json").read_text("utf-8"))
    notebooks = sorted(args.submission.glob("*.ipynb"))
    wanted = args.submission / setting["notebook"]
    notebook = wanted if wanted.is_file() else (notebooks[0] if notebooks else wanted)
    submission = Submission(student="gradescope", exercise=setting["exercise"], folder=args.submission,
                            notebook=notebook)
    release = json.loads((args.exercise / setting["notebook"]).read_text("utf-8"))
    suite = load_suite(args.exercise, hidden_file=args.exercise / HIDDEN_FILE)
    with tempfile.TemporaryDirectory(prefix="who-says-so-gs-") as scratch:
        os.chmod(scratch, 0o711)  # the sandbox's user passes through to its own folder
        with slot_uids(1) as [uid]:
            record = grade_submission(
                submission, release_folder=args.exercise, release=release, suite=suite,
                limits=Limits(**setting["grading"]), isolation=detect_isolation(), uid=uid, scratch_root=Path(scratch),
            )
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(gradescope_results(record.to_data()), indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
