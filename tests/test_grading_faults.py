"""Faulty submissions get a score and a reason, never stop the batch; killed runs and failed writes lose nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .classgen import submit, with_cell
from .conftest import copy_course, run_tool, solved_release, tool_env

EXERCISE, NOTEBOOK = "01-provenance", "provenance.ipynb"


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = copy_course(tmp_path_factory.mktemp("faults") / "course")
    reference = solved_release(course, EXERCISE, NOTEBOOK)
    grading = (course / "course.yaml").read_text("utf-8")
    (course / "course.yaml").write_text(grading.replace("wall_seconds: 60", "wall_seconds: 8")
                                        .replace("cell_seconds: 10", "cell_seconds: 3"), "utf-8")
    cases = {
        "reference": reference,
        "crashes": with_cell(reference, "import ctypes\nctypes.string_at(0)\n"),
        "hangs": with_cell(reference, "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass\n"),
        "eats-memory": with_cell(reference, "hog = bytearray(8 * 1024 ** 3)\n"),
        "floods-output": with_cell(reference, "import os\nfor _ in range(200):\n    os.write(1, b'x' * 1_000_000)\n"),
        "invalid-json": '{"cells": [',
        "empty": "",
    }
    for student, content in cases.items():
        submit(course, student, EXERCISE, NOTEBOOK, content)
    locked = json.loads(json.dumps(reference))
    for cell in locked["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "setup":
            cell["source"] += "\nABBREVIATIONS = ()\n"
    submit(course, "edits-locked-cells", EXERCISE, NOTEBOOK, locked)
    run_tool(["course", "grade", EXERCISE, "--jobs", "2"], course)
    return course


def record(course: Path, student: str) -> dict:
    return json.loads((course / "results" / EXERCISE / f"{student}.json").read_text("utf-8"))


@pytest.mark.parametrize("student, earned, reason", [
    ("reference", 16, None),
    ("crashes", 0, "The notebook's code did not finish: it was stopped by the signal SIGSEGV"),
    ("hangs", 0, "The notebook's code did not finish: it was still running after 8 seconds"),
    ("eats-memory", 16, "raised MemoryError"),
    ("floods-output", 16, "printed a lot"),
    ("invalid-json", 0, "provenance.ipynb: this is not a notebook: invalid JSON"),
    ("empty", 0, "provenance.ipynb: the notebook is empty"),
    ("edits-locked-cells", 16, "The locked cell setup was changed; the released version was used."),
])
def test_each_fault_gets_a_score_and_a_reason(faulty: Path, student: str, earned: float, reason: str | None) -> None:
    result = record(faulty, student)
    assert result["earned"] == earned
    if reason:
        assert any(reason in problem for problem in result["problems"]), result["problems"]
    else:
        assert result["problems"] == []


def test_every_faulty_submission_is_in_the_gradebook_with_its_reason_in_the_feedback(faulty: Path) -> None:
    run_tool(["nbgrader", "generate_feedback", EXERCISE], faulty)
    page = (faulty / "feedback" / "invalid-json" / EXERCISE / "provenance.html").read_text("utf-8")
    assert "this is not a notebook: invalid JSON" in page
    assert all(record(faulty, s)["recorded"] for s in ("reference", "crashes", "hangs", "empty"))


def test_a_failed_write_to_the_gradebook_loses_nothing_and_the_next_run_records_it(faulty: Path, tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course")
    submit(course, "alice", EXERCISE, NOTEBOOK, solved_release(course, EXERCISE, NOTEBOOK))
    (course / "gradebook.db").mkdir()  # a gradebook that cannot be opened
    first = run_tool(["course", "grade", EXERCISE], course, check=False)
    assert first.returncode == 1
    assert "the gradebook was not updated" in first.stderr
    kept = json.loads((course / "results" / EXERCISE / "alice.json").read_text("utf-8"))
    assert kept["earned"] == 16 and kept["recorded"] is False
    (course / "gradebook.db").rmdir()
    second = run_tool(["course", "grade", EXERCISE], course)
    assert "graded 0, unchanged since the last run 1; recorded in the gradebook 1" in second.stdout


def test_a_killed_run_resumes_without_regrading_finished_submissions(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course")
    slow = with_cell(solved_release(course, EXERCISE, NOTEBOOK), "import time\ntime.sleep(1)\n")
    for number in range(8):
        submit(course, f"student{number}", EXERCISE, NOTEBOOK, slow)
    process = subprocess.Popen(["course", "grade", EXERCISE, "--jobs", "1"], cwd=course, env=tool_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    results = course / "results" / EXERCISE
    deadline = time.monotonic() + 60
    while len(list(results.glob("*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = len(list(results.glob("*.json")))
    assert 2 <= finished < 8
    again = run_tool(["course", "grade", EXERCISE, "--jobs", "2"], course)
    assert f"graded {8 - finished}, unchanged since the last run {finished}" in again.stdout
    assert all(json.loads(p.read_text("utf-8"))["earned"] == 16 for p in results.glob("*.json"))


def test_loose_notebooks_from_an_lms_zip_are_graded(tmp_path: Path) -> None:
    import zipfile

    course = copy_course(tmp_path / "course")
    archive = tmp_path / "downloads.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("alice_1234_provenance.ipynb", json.dumps(solved_release(course, EXERCISE, NOTEBOOK)))
        bundle.writestr("bob_5678_provenance.ipynb", (course / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    result = run_tool(["course", "grade", EXERCISE, "--from", str(archive)], course)
    assert "Copied 2 notebooks into submitted/" in result.stdout
    assert record(course, "alice")["earned"] == 16 and record(course, "bob")["earned"] == 0
    shutil.rmtree(course / "results")
