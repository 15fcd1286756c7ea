"""Golden files: fixed submissions of exercise 01 and the results files `course grade` must write for them.

``tests/golden/submissions/<name>/`` holds each submission (honest ones, each kind of mistake, each
fault, each forging attempt; the notebook is stored as ``provenance.ipynb.golden``, since every
committed ``*.ipynb`` must be a valid notebook without outputs, and is copied to ``provenance.ipynb``
when the test runs; ``links.json`` lists the symbolic links a submission holds, made when
the test runs), and ``tests/golden/expected/<name>.json`` its results file, with what changes from
run to run (times, fingerprints, the host's isolation) normalised. Any change in the grader's
behaviour shows up here as a diff.

To regenerate both after a deliberate change (then read the diff before committing it)::

    GOLDEN_UPDATE=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from . import attacks
from .classgen import failing, half_right, with_cell
from .conftest import ROOT, copy_course, run_tool, solved_release

EXERCISE, NOTEBOOK = "01-provenance", "provenance.ipynb"
STORED_SUFFIX = ".golden"
STORED = NOTEBOOK + STORED_SUFFIX
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"
LIMITS = {"wall_seconds": 45, "cpu_seconds": 4, "cell_seconds": 3, "call_seconds": 1}
VOLATILE = {"graded_at": "<time>", "digest": "<digest>", "isolation": "<isolation>",
            "isolation_level": "<isolation level>"}


def builders(course: Path) -> dict[str, Callable[[], Any]]:
    """How each golden submission is made (used only to regenerate them)."""
    reference = solved_release(course, EXERCISE, NOTEBOOK)
    release = json.loads((course / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    folder = course / "exercises" / EXERCISE
    return {
        "honest-reference": lambda: reference,
        "honest-untouched": lambda: release,
        "mistake-half-split_sentences": lambda: half_right(reference, "split_sentences"),
        "mistake-fails-resolve_relative_date": lambda: failing(reference, "resolve_relative_date"),
        "mistake-syntax-error": lambda: with_cell(reference, "def broken(:\n    pass\n"),
        "mistake-raises-in-a-cell": lambda: with_cell(reference, "value = 1 / 0\n"),
        "fault-crashes": lambda: with_cell(reference, "import ctypes\nctypes.string_at(0)\n"),
        "fault-hangs-deaf-to-its-timer": lambda: with_cell(
            reference, "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nimport time\ntime.sleep(600)\n"),
        "fault-burns-processor-time": lambda: attacks.burns_processor_time(reference, ignore_xcpu=False),
        "fault-huge-return": lambda: attacks.returns_huge(reference, "strip_boilerplate", mib=12),  # over the 8 MiB cap, cheap to make
        "fault-loops-on-an-abbreviation": lambda: attacks.loops_on_abbreviations(reference),
        "fault-invalid-json": lambda: '{"cells": [',
        "forgery-pre-placed-channel": lambda: attacks.exits_at_once(reference),
        "forgery-appends-and-exits": lambda: attacks.writes_forged_lines(reference, folder, exit_after=True),
        "forgery-appends-and-ends": lambda: attacks.writes_forged_lines(reference, folder, exit_after=False),
        "forgery-bad-record-a-list": lambda: attacks.writes_bad_record(reference, "a-list"),
        "forgery-bad-record-deep-json": lambda: attacks.writes_bad_record(reference, "deep-json"),
        "forgery-notebook-links-to-the-reference": lambda: None,
    }


def regenerate_submissions(course: Path) -> None:
    shutil.rmtree(GOLDEN / "submissions", ignore_errors=True)
    for name, build in builders(course).items():
        target = GOLDEN / "submissions" / name
        target.mkdir(parents=True)
        content = build()
        if content is not None:
            (target / STORED).write_text(content if isinstance(content, str) else json.dumps(content, indent=1),
                                           "utf-8")
    channel = GOLDEN / "submissions" / "forgery-pre-placed-channel" / attacks.OLD_CHANNEL
    channel.write_text("\n".join(attacks.forged_lines(course / "exercises" / EXERCISE)) + "\n", "utf-8")
    links = {"forgery-notebook-links-to-the-reference": {NOTEBOOK: f"solutions/{EXERCISE}/{NOTEBOOK}"}}
    (GOLDEN / "links.json").write_text(json.dumps(links, indent=1) + "\n", "utf-8")
    for name in links:
        (GOLDEN / "submissions" / name / "NOTE.txt").write_text(
            "This submission's notebook is a symbolic link, made when the test runs (see ../../links.json).\n", "utf-8")
    (GOLDEN / "names.json").write_text(json.dumps(sorted(builders(course)), indent=1) + "\n", "utf-8")


def normalised(record: dict[str, Any]) -> dict[str, Any]:
    return {key: VOLATILE.get(key, value) for key, value in record.items()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = copy_course(tmp_path_factory.mktemp("golden") / "course")
    text = (course / "course.yaml").read_text("utf-8")
    for name, value in LIMITS.items():
        line = next(line for line in text.splitlines() if line.strip().startswith(f"{name}:"))
        text = text.replace(line, f"  {name}: {value}")
    (course / "course.yaml").write_text(text, "utf-8")
    if UPDATE:
        regenerate_submissions(course)
    links = json.loads((GOLDEN / "links.json").read_text("utf-8"))
    for folder in sorted(GOLDEN / "submissions" / name for name in NAMES):
        target = course / "submitted" / folder.name / EXERCISE
        shutil.copytree(course / "exercises" / EXERCISE, target)
        for path in folder.iterdir():
            shutil.copyfile(path, target / path.name.removesuffix(STORED_SUFFIX))
        for name, pointee in links.get(folder.name, {}).items():
            (target / name).unlink(missing_ok=True)
            (target / name).symlink_to(course / pointee)
    run_tool(["course", "grade", EXERCISE, "--jobs", "2"], course)
    return course


NAMES = sorted(json.loads((GOLDEN / "names.json").read_text("utf-8")))


@pytest.mark.parametrize("name", NAMES)
def test_results_match_the_golden_file(graded: Path, name: str) -> None:
    from autograder.datafiles import _validator

    record = json.loads((graded / "results" / EXERCISE / f"{name}.json").read_text("utf-8"))
    _validator("results")(record)
    got = json.dumps(normalised(record), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    expected_path = GOLDEN / "expected" / f"{name}.json"
    if UPDATE:
        expected_path.parent.mkdir(exist_ok=True)
        expected_path.write_text(got, "utf-8")
    expected = expected_path.read_text("utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True), "expected", "got", n=1))
    assert got == expected, f"{name} differs from its golden file (GOLDEN_UPDATE=1 to regenerate):\n{diff[:6000]}"


def test_every_kind_of_submission_has_a_golden_file(tmp_path: Path) -> None:
    assert sorted(builders(copy_course(tmp_path / "course"))) == NAMES
    kinds = {name.split("-")[0] for name in NAMES}
    assert kinds == {"honest", "mistake", "fault", "forgery"}
    assert {p.stem for p in (GOLDEN / "expected").glob("*.json")} == set(NAMES)


def test_the_golden_submissions_are_what_the_builders_make(tmp_path: Path) -> None:
    """So the regeneration command reproduces the committed submissions (nothing edited by hand)."""
    course = copy_course(tmp_path / "course")
    for name, build in builders(course).items():
        content = build()
        path = GOLDEN / "submissions" / name / STORED
        assert not (GOLDEN / "submissions" / name / NOTEBOOK).exists(), f"{name}: store it as {STORED}"
        if content is None:
            assert not path.exists()
            continue
        text = content if isinstance(content, str) else json.dumps(content, indent=1)
        assert path.read_text("utf-8") == text, name
    assert ROOT.is_dir()
