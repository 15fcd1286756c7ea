"""Grading that cannot be forged: attacks on the channel, the sandbox's borders and the batch, at every isolation.

Each attack is graded by the real `course grade` (nbgrader records the results) on a copy of
the course. The module's main class runs at the strongest isolation this host allows
(bubblewrap as root here); `test_*_without_namespaces` repeats the attacks with namespaces
switched off, and `test_*_as_a_non_root_instructor` as the unprivileged user ``nobody``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from autograder.grading.grade import course_lock
from autograder.sandbox.policy import slot_uids

from . import attacks
from .classgen import submit, with_cell
from .conftest import ROOT, copy_course, run_tool, solved_release, tool_env

EXERCISE, NOTEBOOK = "01-provenance", "provenance.ipynb"
LONG_NAME = "s" * 250
IS_ROOT = os.geteuid() == 0


def hidden_case_points(case_id: str) -> float:
    """The points of one hidden case of exercise 01, as its hidden-cases file states them."""
    import yaml

    data = yaml.safe_load((ROOT / "solutions" / EXERCISE / "hidden-cases.yaml").read_text("utf-8"))
    cases = data["cases"] if isinstance(data, dict) else data
    return float(next(case["points"] for case in cases if case["id"] == case_id))


def check_cell_points(grade_id: str) -> float:
    """The points of a check cell of exercise 01's released notebook."""
    release = json.loads((ROOT / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    return float(next(cell["metadata"]["nbgrader"]["points"] for cell in release["cells"]
                      if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id))


def limited(course: Path, **limits: int) -> None:
    """Set grading limits in the course copy's course.yaml."""
    text = (course / "course.yaml").read_text("utf-8")
    for name, value in limits.items():
        lines = [line for line in text.splitlines() if line.strip().startswith(f"{name}:")]
        text = text.replace(lines[0], f"  {name}: {value}")
    (course / "course.yaml").write_text(text, "utf-8")


def forging_class(course: Path) -> dict[str, Any]:
    """Submit the forging attempts and the reference; returns the reference notebook."""
    reference = solved_release(course, EXERCISE, NOTEBOOK)
    folder = course / "exercises" / EXERCISE
    submit(course, "reference", EXERCISE, NOTEBOOK, reference)
    submit(course, "untouched", EXERCISE, NOTEBOOK, (folder / NOTEBOOK).read_text("utf-8"))
    submit(course, "pre-placed-channel", EXERCISE, NOTEBOOK, attacks.exits_at_once(reference))
    (course / "submitted" / "pre-placed-channel" / EXERCISE / attacks.OLD_CHANNEL).write_text(
        "\n".join(attacks.forged_lines(folder)) + "\n", "utf-8")
    submit(course, "appends-and-exits", EXERCISE, NOTEBOOK, attacks.writes_forged_lines(reference, folder,
                                                                                          exit_after=True))
    submit(course, "appends-and-ends", EXERCISE, NOTEBOOK, attacks.writes_forged_lines(reference, folder,
                                                                                         exit_after=False))
    return reference


LEAK_CHECK = ("import os\nfor _name in ['shadow', 'hidden.yaml', 'environ', 'gradebook', 'hard', 'fifo', 'null']:\n"
              "    if os.path.lexists(_name):\n        raise RuntimeError('leaked ' + _name)\n")


def linking_class(course: Path, reference: dict[str, Any]) -> None:
    """Submissions that are, or hold, links, devices and FIFOs."""
    submit(course, "links-to-the-reference", EXERCISE, NOTEBOOK, reference)
    notebook = course / "submitted" / "links-to-the-reference" / EXERCISE / NOTEBOOK
    notebook.unlink()
    notebook.symlink_to(course / "solutions" / EXERCISE / NOTEBOOK)
    submit(course, "extra-links", EXERCISE, NOTEBOOK, with_cell(reference, LEAK_CHECK))
    folder = course / "submitted" / "extra-links" / EXERCISE
    (folder / "shadow").symlink_to("/etc/shadow")
    (folder / "hidden.yaml").symlink_to(course / "solutions" / EXERCISE / "hidden-cases.yaml")
    (folder / "environ").symlink_to("/proc/self/environ")
    (folder / "gradebook").symlink_to(course / "gradebook.db")
    os.link(course / "course.yaml", folder / "hard")
    os.mkfifo(folder / "fifo")
    if IS_ROOT:
        os.mknod(folder / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))


FILLS_THE_DISK = """
import os
_mib = _files = 0
try:
    for _n in range(32):
        with open(f'big{_n}', 'wb') as _out:
            for _ in range(16):
                _out.write(b'x' * (1024 * 1024))
                _mib += 1
except OSError:
    pass
for _n in range(32):
    try:
        os.remove(f'big{_n}')
    except OSError:
        pass
try:
    for _files in range(1, 20001):
        open(f'f{_files}', 'w').close()
except OSError:
    pass
raise RuntimeError(f'wrote {_mib} MiB and {_files} files')
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    course = copy_course(tmp_path_factory.mktemp("trust") / "course")
    limited(course, cpu_seconds=4, call_seconds=1, wall_seconds=40, scratch_mb=24, scratch_files=500)
    reference = forging_class(course)
    linking_class(course, reference)
    for kind in attacks.BAD_RECORDS:
        submit(course, f"bad-{kind}", EXERCISE, NOTEBOOK, attacks.writes_bad_record(reference, kind))
    submit(course, "huge-return", EXERCISE, NOTEBOOK, attacks.returns_huge(reference, "strip_boilerplate"))
    submit(course, "burns-cpu", EXERCISE, NOTEBOOK, attacks.burns_processor_time(reference, ignore_xcpu=False))
    submit(course, "burns-cpu-deaf", EXERCISE, NOTEBOOK, attacks.burns_processor_time(reference, ignore_xcpu=True))
    submit(course, "loops-on-hidden", EXERCISE, NOTEBOOK, attacks.loops_on_abbreviations(reference))
    submit(course, "fills-the-disk", EXERCISE, NOTEBOOK, with_cell(reference, FILLS_THE_DISK))
    submit(course, LONG_NAME, EXERCISE, NOTEBOOK, reference)
    (course / "submitted" / "folder-is-a-link").symlink_to(course / "submitted" / "reference")
    result = run_tool(["course", "grade", EXERCISE, "--jobs", "2"], course, check=False)
    return course, result


def record(course: Path, student: str) -> dict[str, Any]:
    from autograder.grading.results import result_path

    return json.loads(result_path(course, EXERCISE, student).read_text("utf-8"))


def visible_points(course: Path) -> float:
    from autograder.checks import load_suite

    return sum(c.points for c in load_suite(course / "exercises" / EXERCISE).cases)


def test_the_batch_finishes_and_records_everyone(graded: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    course, result = graded
    assert result.returncode == 0, result.stderr
    students = sorted(os.listdir(course / "submitted"))
    assert all(record(course, s)["recorded"] for s in students)
    assert record(course, "reference")["earned"] == 16


@pytest.mark.parametrize("student", ["pre-placed-channel", "appends-and-exits", "appends-and-ends"])
def test_forged_results_earn_nothing_and_are_reported_as_tampering(
    graded: tuple[Path, subprocess.CompletedProcess[str]], student: str
) -> None:
    course, _ = graded
    result = record(course, student)
    assert result["earned"] == record(course, "untouched")["earned"] == 0
    assert result["earned"] <= visible_points(course)
    assert result["tampering"] or result["refused"], result
    assert any(p.startswith("Suspected tampering") for p in result["problems"]), result["problems"]


def test_suspected_tampering_reaches_the_csv_and_the_feedback(
    graded: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    course, _ = graded
    run_tool(["course", "export", EXERCISE, "--csv", "grades.csv"], course)
    rows = {row["student_id"]: row for row in csv.DictReader((course / "grades.csv").open(encoding="utf-8"))}
    assert "Suspected tampering" in rows["appends-and-ends"]["needs_attention"]
    assert "Suspected tampering" not in rows["reference"]["needs_attention"]
    run_tool(["nbgrader", "generate_feedback", EXERCISE, "--student", "appends-and-exits"], course)
    page = (course / "feedback" / "appends-and-exits" / EXERCISE / "provenance.html").read_text("utf-8")
    assert "Suspected tampering" in page


def test_a_channel_file_in_the_submission_is_refused(graded: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    result = record(graded[0], "pre-placed-channel")
    assert any(attacks.OLD_CHANNEL in reason for reason in result["refused"]), result["refused"]


def test_a_student_folder_that_is_a_link_is_refused(graded: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    result = record(graded[0], "folder-is-a-link")
    assert result["earned"] == 0 and result["status"] == "refused"
    assert "the folder folder-is-a-link is a symbolic link" in result["problems"][0], result["problems"]


def test_a_notebook_that_is_a_link_is_refused(graded: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    result = record(graded[0], "links-to-the-reference")
    assert result["earned"] == 0 and result["status"] == "refused"
    assert any("symbolic link" in p for p in result["problems"]), result["problems"]


def test_links_fifos_and_devices_do_not_enter_the_sandbox(graded: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    result = record(graded[0], "extra-links")
    assert not any("leaked" in p for p in result["problems"]), result["problems"]
    assert result["earned"] == 16
    reasons = " | ".join(result["refused"])
    for name in ["shadow is a symbolic link", "hidden.yaml is a symbolic link", "environ is a symbolic link",
                 "hard is a hard link", "fifo is a FIFO"] + (["null is a device"] if IS_ROOT else []):
        assert name in reasons, reasons


@pytest.mark.parametrize("kind", list(attacks.BAD_RECORDS))
def test_a_malformed_record_is_evidence_not_a_crash(
    graded: tuple[Path, subprocess.CompletedProcess[str]], kind: str
) -> None:
    result = record(graded[0], f"bad-{kind}")
    assert result["earned"] == 16, result["problems"]
    assert result["tampering"], result


def test_an_oversized_return_value_is_named_as_such(graded: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    result = record(graded[0], "huge-return")
    task = result["tasks"][0]
    assert task["earned"] == 0 and result["earned"] == 12
    assert "returned a value too large to check (70.0 MiB)" in task["text"]
    assert not any("exited (status" in p for p in result["problems"]), result["problems"]


@pytest.mark.parametrize("student", ["burns-cpu", "burns-cpu-deaf"])
def test_a_processor_time_kill_is_named_as_such(
    graded: tuple[Path, subprocess.CompletedProcess[str]], student: str
) -> None:
    result = record(graded[0], student)
    assert result["earned"] == 0
    assert any("more than 4 seconds of processor time" in p for p in result["problems"]), result["problems"]
    assert not any("exited (status" in p for p in result["problems"])


def test_a_hang_that_only_hidden_checks_find_is_reported(graded: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    course, _ = graded
    result = record(course, "loops-on-hidden")
    task = result["tasks"][1]
    hung = [c["id"] for c in task["cases"] if c["status"] == "timed_out"]
    assert hung == ["abbreviations"], task["cases"]
    assert result["earned"] == result["possible"] - hidden_case_points("abbreviations")
    message = "A hidden check of task 2 did not finish within 1 seconds."
    assert any(message in p for p in result["problems"]), result["problems"]
    assert "did not finish within 1 seconds" in task["text"] and "did not finish within 1 seconds" in task["html"]
    run_tool(["course", "export", EXERCISE, "--csv", "hangs.csv"], course)
    rows = {row["student_id"]: row for row in csv.DictReader((course / "hangs.csv").open(encoding="utf-8"))}
    assert message in rows["loops-on-hidden"]["needs_attention"]


def test_the_scratch_folder_is_limited_in_size_and_files(graded: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    result = record(graded[0], "fills-the-disk")
    [line] = [p for p in result["problems"] if "wrote " in p]
    wrote = line.split("wrote ")[1]
    mib, files = int(wrote.split(" MiB")[0]), int(wrote.split("and ")[1].split(" files")[0])
    assert mib <= 24, line
    if result["isolation_level"] == "bwrap":
        assert files < 500, line


def test_a_250_character_student_name_is_graded(graded: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    result = record(graded[0], LONG_NAME)
    assert result["student"] == LONG_NAME and result["earned"] == 16 and result["recorded"]


def test_every_results_file_says_which_isolation_held_and_the_grader_version(
    graded: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    course, _ = graded
    for path in (course / "results" / EXERCISE).glob("*.json"):
        data = json.loads(path.read_text("utf-8"))
        assert data["isolation_level"] == ("bwrap" if IS_ROOT else data["isolation_level"])
        assert data["grader_version"] and data["schema"].startswith("who-says-so/results/")


# ----- the batch as a whole ----------------------------------------------------------------------


def test_a_second_course_grade_on_the_same_course_is_refused(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course")
    submit(course, "alice", EXERCISE, NOTEBOOK, solved_release(course, EXERCISE, NOTEBOOK))
    with course_lock(course):
        second = run_tool(["course", "grade", EXERCISE], course, check=False)
    assert second.returncode == 1
    assert "another `course grade` is running on this course" in second.stderr
    assert not (course / "results" / EXERCISE).exists()


def test_two_runs_never_share_sandbox_users() -> None:
    with slot_uids(3) as first, slot_uids(3) as second:
        assert len(set(first)) == 3 and not set(first) & set(second)


def zip_with(tmp_path: Path, name: str, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    archive = tmp_path / name
    with zipfile.ZipFile(archive, "w") as bundle:
        for member, data in members:
            bundle.writestr(member, data)
    return archive


def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize("members, reason", [
    ([(_link("alice_provenance.ipynb"), b"/etc/shadow")], "is a symbolic link"),
    ([("/abs/bob_provenance.ipynb", b"{}")], "has an absolute path"),
    ([("../carol_provenance.ipynb", b"{}")], "points outside the folder"),
    ([(f"s{n}_provenance.ipynb", b"{}") for n in range(2001)], "members, more than the 2,000 allowed"),
    ([("dave_provenance.ipynb", b" " * 10_000_001)], "would unpack to 10,000,001 bytes"),
], ids=["link", "absolute", "dotdot", "too-many", "huge"])
def test_a_zip_is_checked_before_anything_is_extracted(
    tmp_path: Path, members: list[tuple[Any, bytes]], reason: str
) -> None:
    course = copy_course(tmp_path / "course")
    archive = zip_with(tmp_path, "downloads.zip", members)
    result = run_tool(["course", "grade", EXERCISE, "--from", str(archive)], course, check=False)
    assert result.returncode == 1 and reason in result.stderr, result.stderr
    assert not (course / "submitted").exists()


def test_a_sandbox_that_cannot_start_is_a_grader_problem_not_a_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from autograder import cli
    from autograder.sandbox import policy

    course = copy_course(tmp_path / "course")
    submit(course, "alice", EXERCISE, NOTEBOOK, solved_release(course, EXERCISE, NOTEBOOK))
    level = "bwrap" if IS_ROOT else "bwrap-unprivileged"
    monkeypatch.setattr(policy, "BWRAP", str(tmp_path / "no-such-bwrap"))
    monkeypatch.setattr(policy, "detect_isolation", lambda: policy.Isolation(level=level, description="broken"))
    monkeypatch.setattr("autograder.grading.grade.detect_isolation", policy.detect_isolation)
    code = cli.main(["--course", str(course), "grade", EXERCISE])
    err = capsys.readouterr().err
    assert code == 1
    result = record(course, "alice")
    assert result["status"] == "not_graded" and result["recorded"] is False
    assert "no-such-bwrap" in result["grader_problem"], result["grader_problem"]
    assert result["problems"][0].startswith("Not graded (grader problem)")
    assert "1 submission(s) not graded because of a grader problem" in err and "no-such-bwrap" in err


# ----- the other isolation levels ----------------------------------------------------------------


def grade_with(course: Path, env: dict[str, str], *, user: str | None = None) -> subprocess.CompletedProcess[str]:
    command = ["course", "grade", EXERCISE, "--jobs", "2"]
    if user:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, cwd=course, env=tool_env() | env, capture_output=True, text=True, timeout=900)


def check_small_class(course: Path, level: str) -> None:
    for student in ("reference", "untouched", "pre-placed-channel", "appends-and-exits", "appends-and-ends"):
        result = record(course, student)
        assert result["isolation_level"] == level, result["isolation"]
        assert result["status"] == "graded", result
        expected = 16 if student == "reference" else 0
        assert result["earned"] == expected, (student, result["problems"])
        if student.startswith(("pre", "app")):
            assert any(p.startswith("Suspected tampering") for p in result["problems"]), result["problems"]


@pytest.mark.skipif(not IS_ROOT, reason="switching namespaces off as root needs root")
def test_forging_fails_without_namespaces_too(tmp_path: Path) -> None:
    from autograder.sandbox.policy import DESCRIPTIONS, Isolation, _probe

    refused = _probe(Isolation(level="user", description=DESCRIPTIONS["user"]))
    if refused:
        pytest.skip(f"the sandbox's user cannot run this checkout's Python here: {refused}")
    course = copy_course(tmp_path / "course")
    forging_class(course)
    result = grade_with(course, {"WHO_SAYS_SO_NAMESPACES": "0"})
    assert result.returncode == 0, result.stderr
    check_small_class(course, "user")


def nobodys_course(tmp_path: Path) -> Path:
    """A course copy that the unprivileged user nobody owns, in a folder it can reach."""
    place = Path(tempfile.mkdtemp(prefix="who-says-so-nobody-", dir="/tmp"))
    os.chmod(place, 0o755)
    course = copy_course(place / "course")
    forging_class(course)
    for path in [place, *place.rglob("*")]:
        os.lchown(path, 65534, 65534)
    return course


@pytest.mark.skipif(not IS_ROOT or not shutil.which("setpriv"), reason="needs root (to become nobody) and setpriv")
@pytest.mark.parametrize("namespaces, level", [("1", "bwrap-unprivileged"), ("0", "limits")])
def test_forging_fails_for_a_non_root_instructor(tmp_path: Path, namespaces: str, level: str) -> None:
    can_run = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                              "import autograder.cli, nbgrader"], env=tool_env() | {"PYTHONPATH": str(ROOT)},
                             capture_output=True, text=True, cwd="/", timeout=120)
    if can_run.returncode != 0:
        pytest.skip(f"the user nobody cannot run this checkout's Python here: {can_run.stderr.strip()[-300:]}")
    course = nobodys_course(tmp_path)
    try:
        env = {"WHO_SAYS_SO_NAMESPACES": namespaces, "HOME": str(course), "PYTHONPATH": str(ROOT)}
        result = grade_with(course, env, user="65534")
        assert result.returncode == 0, result.stderr
        check_small_class(course, level)
    finally:
        shutil.rmtree(course.parent, ignore_errors=True)


@pytest.mark.skipif(not IS_ROOT, reason="switching namespaces off as root needs root")
def test_the_gradescope_runner_grades_without_namespaces(tmp_path: Path) -> None:
    """Where namespaces are refused (Gradescope's containers), the reference still earns every point."""
    course = copy_course(tmp_path / "course")
    exercise = tmp_path / "source" / "exercise"
    shutil.copytree(course / "exercises" / EXERCISE, exercise)
    shutil.copy(course / "solutions" / EXERCISE / "hidden-cases.yaml", exercise)
    from autograder.manifest import load_manifest
    import dataclasses

    grading = dataclasses.asdict(load_manifest(course / "course.yaml").grading)
    (exercise / "grading.json").write_text(json.dumps({"notebook": NOTEBOOK, "exercise": EXERCISE,
                                                       "grading": grading}), "utf-8")
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / NOTEBOOK).write_text(json.dumps(solved_release(course, EXERCISE, NOTEBOOK)), "utf-8")
    results = tmp_path / "results" / "results.json"
    env = tool_env() | {"WHO_SAYS_SO_NAMESPACES": "0"}
    subprocess.run([sys.executable, "-m", "autograder.grading.gradescope", "--exercise", str(exercise),
                    "--submission", str(submission), "--results", str(results)], env=env, check=True, timeout=300)
    data = json.loads(results.read_text("utf-8"))
    assert data["score"] == 16, data["output"]


def test_nbgrader_autograde_and_course_grade_differ_on_a_hidden_hang_only_as_the_readme_says(tmp_path: Path) -> None:
    """nbgrader runs a check cell whole in its kernel, so a hidden check that never ends stops the cell at
    nbgrader's timeout and the task earns 0; `course grade` stops only that call and keeps the task's other points.
    Every other cell scores the same under both."""
    from .conftest import cell_scores

    theirs, ours = copy_course(tmp_path / "theirs"), copy_course(tmp_path / "ours")
    for course in (theirs, ours):
        reference = solved_release(course, EXERCISE, NOTEBOOK)
        submit(course, "reference", EXERCISE, NOTEBOOK, reference)
        submit(course, "loops-on-hidden", EXERCISE, NOTEBOOK, attacks.loops_on_abbreviations(reference))
    run_tool(["nbgrader", "generate_assignment", EXERCISE, "--force"], theirs)
    run_tool(["nbgrader", "autograde", EXERCISE, "--ExecutePreprocessor.timeout=10"], theirs)
    run_tool(["course", "grade", EXERCISE], ours)
    assert cell_scores(ours, EXERCISE, "reference") == cell_scores(theirs, EXERCISE, "reference")
    nbgrader, course = cell_scores(theirs, EXERCISE, "loops-on-hidden"), cell_scores(ours, EXERCISE, "loops-on-hidden")
    assert {k: v for k, v in nbgrader.items() if k != "task2-check"} == {k: v for k, v in course.items()
                                                                         if k != "task2-check"}
    assert nbgrader["task2-check"] == 0
    assert course["task2-check"] == check_cell_points("task2-check") - hidden_case_points("abbreviations")
    problems = record(ours, "loops-on-hidden")["problems"]
    assert "A hidden check of task 2 did not finish within 5 seconds." in problems, problems
