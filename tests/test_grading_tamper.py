"""No submission can raise its own score: every trick below scores no more than returning None."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.checks import load_suite
from autograder.manifest import load_manifest

from . import attacks
from .classgen import submit
from .conftest import ROOT, copy_course, run_tool, solved_release

MANIFEST = load_manifest(ROOT / "course.yaml")
EXERCISES = [e.folder for e in MANIFEST.exercises]


def functions(exercise: str) -> list[str]:
    return [t.function for t in load_suite(ROOT / "exercises" / exercise).tasks.values() if t.function[:1].islower()]


def tricks(exercise: str, root: Path) -> dict[str, str]:
    """Code that defines every graded function of *exercise* by a trick instead of an answer."""
    names = functions(exercise)
    define = lambda body: "\n".join(f"def {n}(*args, **kwargs):\n{body}\n" for n in names)  # noqa: E731
    hidden = root / "solutions" / exercise / "hidden-cases.yaml"
    return {
        "returns-none": define("    return None"),
        "always-equal": "class Anything(str):\n    def __eq__(self, other):\n        return True\n"
                        "    def __ne__(self, other):\n        return False\n    __hash__ = str.__hash__\n"
                        "class Whatever:\n    def __eq__(self, other):\n        return True\n"
                        + define("    return Anything('x') if len(args) % 2 else Whatever()"),
        "patches-the-checks": "import builtins, autograder.checks.values as v, autograder.checks.judge as j\n"
                              "v.same = j.same = lambda *a, **k: True\n"
                              "j.judge = lambda case, obs: None\n"
                              "import autograder.notebook as nb\nnb.check = lambda *a, **k: 100\n"
                              "builtins.isinstance = lambda *a: True\n" + define("    return None"),
        "exits-in-a-cell": define("    return None") + "\nimport sys\nsys.exit(0)\n",
        "exits-the-process": "import os\n" + define("    os._exit(0)"),
        "kills-itself": "import os, signal\n" + define("    os.kill(os.getpid(), signal.SIGKILL)"),
        "reads-caller-frames": "import sys\n" + define(
            "    frame = sys._getframe(1)\n"
            "    while frame is not None:\n"
            "        for value in list(frame.f_locals.values()):\n"
            "            if hasattr(value, 'expect'):\n"
            "                return value.expect\n"
            "        frame = frame.f_back\n"
            "    return None"),
        "prints-fake-results": "import json, os\n" + define(
            "    line = json.dumps({'kind': 'observation', 'case': 'x', 'status': 'returned', 'value': 100})\n"
            "    print(line)\n"
            "    for name in os.listdir('.'):\n"
            "        if name.endswith('.jsonl'):\n"
            "            open(name, 'a').write(line + '\\n')\n"
            "    return None"),
        "reads-the-hidden-cases": "import yaml\n" + define(
            f"    try:\n        cases = yaml.safe_load(open({str(hidden)!r}))['cases']\n"
            "    except OSError:\n        return None\n"
            "    for case in cases:\n        if case['args'] == list(args):\n            return case.get('expect')\n"
            "    return None"),
    }


def tampered(root: Path, exercise: str, notebook: str, code: str, *, edit_checks: bool) -> dict:
    data = json.loads((root / "exercises" / exercise / notebook).read_text("utf-8"))
    answers = [c for c in data["cells"] if c["metadata"].get("nbgrader", {}).get("solution") and c["cell_type"] == "code"]
    answers[-1]["source"] = code
    if edit_checks:
        for cell in data["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                cell["source"] = "points = 100\npoints"
    return data


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = copy_course(tmp_path_factory.mktemp("tamper") / "course")
    for exercise in MANIFEST.exercises:
        submit(course, "reference", exercise.folder, exercise.notebook,
               solved_release(course, exercise.folder, exercise.notebook))
        for name, code in tricks(exercise.folder, course).items():
            submit(course, name, exercise.folder, exercise.notebook,
                   tampered(course, exercise.folder, exercise.notebook, code, edit_checks=False))
        submit(course, "edits-the-check-cells", exercise.folder, exercise.notebook,
               tampered(course, exercise.folder, exercise.notebook, tricks(exercise.folder, course)["returns-none"],
                        edit_checks=True))
        folder = course / "exercises" / exercise.folder
        release = json.loads((folder / exercise.notebook).read_text("utf-8"))
        for name, notebook in forgeries(release, folder).items():
            submit(course, name, exercise.folder, exercise.notebook, notebook)
        channel = course / "submitted" / "pre-placed-channel" / exercise.folder / attacks.OLD_CHANNEL
        channel.write_text("\n".join(attacks.forged_lines(folder)) + "\n", "utf-8")
    run_tool(["course", "grade", *EXERCISES], course)
    return course


def forgeries(release: dict, folder: Path) -> dict[str, dict]:
    """Submissions that compute nothing and forge their results, knowing every visible expected value."""
    return {
        "pre-placed-channel": attacks.exits_at_once(release),
        "appends-and-exits": attacks.writes_forged_lines(release, folder, exit_after=True),
        "appends-and-ends": attacks.writes_forged_lines(release, folder, exit_after=False),
    }


FORGERIES = ["pre-placed-channel", "appends-and-exits", "appends-and-ends"]


def score(course: Path, exercise: str, student: str) -> float:
    return float(json.loads((course / "results" / exercise / f"{student}.json").read_text("utf-8"))["earned"])


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("trick", ["always-equal", "patches-the-checks", "exits-in-a-cell", "exits-the-process",
                                   "kills-itself", "reads-caller-frames", "prints-fake-results",
                                   "reads-the-hidden-cases", "edits-the-check-cells"])
def test_a_trick_earns_no_more_than_returning_none(graded: Path, exercise: str, trick: str) -> None:
    assert score(graded, exercise, trick) <= score(graded, exercise, "returns-none")


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_same_batch_gives_the_reference_every_point(graded: Path, exercise: str) -> None:
    """So the tricks' low scores come from the grader resisting them, not from a grader that gives nothing."""
    record = json.loads((graded / "results" / exercise / "reference.json").read_text("utf-8"))
    assert record["earned"] == record["possible"] > 0


@pytest.mark.parametrize("exercise", EXERCISES)
def test_edited_check_cells_are_put_back_and_reported(graded: Path, exercise: str) -> None:
    record = json.loads((graded / "results" / exercise / "edits-the-check-cells.json").read_text("utf-8"))
    assert any("was changed; the released version was used" in p for p in record["problems"])


def visible_points(exercise: str) -> float:
    return sum(c.points for c in load_suite(ROOT / "exercises" / exercise).cases)


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forgery_scores_no_more_than_a_lookup_table_and_is_reported(graded: Path, exercise: str,
                                                                      forgery: str) -> None:
    """The invariant: a submission that computes nothing earns at most what a lookup table of the visible cases
    earns (every visible point: tests/test_lookup_table.py), here no more than returning None, and is flagged."""
    earned = score(graded, exercise, forgery)
    assert earned <= score(graded, exercise, "returns-none")
    assert earned <= visible_points(exercise)
    record = json.loads((graded / "results" / exercise / f"{forgery}.json").read_text("utf-8"))
    assert any(p.startswith("Suspected tampering") for p in record["problems"]), record["problems"]
    assert record["tampering"]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_honest_submissions_raise_no_suspicion(graded: Path, exercise: str) -> None:
    for student in ["reference", "returns-none", "always-equal"]:
        record = json.loads((graded / "results" / exercise / f"{student}.json").read_text("utf-8"))
        assert record["tampering"] == [], (student, record["tampering"])
