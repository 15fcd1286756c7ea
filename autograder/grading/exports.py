"""Exports of graded results: a CSV for an LMS, Gradescope's results.json, a Gradescope bundle."""

from __future__ import annotations

import csv
import dataclasses
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..checks import HIDDEN_FILE
from ..datafiles import DataFileError
from ..layout import MANIFEST, RELEASE, SOURCE
from ..manifest import load_manifest
from ..nbgrader_bridge.cells import GradeCell, grade_cells
from ..runner.launch import Limits
from .results import RESULTS, read_result

__all__ = ["GRADER_PROBLEM", "HIDDEN_VISIBILITY", "VISIBILITIES", "gradescope_results", "grader_failure_results",
           "make_bundle", "write_csv", "write_gradescope", "written_cells"]


def _records(root: Path, exercise: str) -> list[dict[str, Any]]:
    folder = root / RESULTS / exercise
    records = [read_result(path) for path in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    return [r for r in records if r]


def _gradebook_totals(root: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """(score, max score) by (exercise, student) from nbgrader's gradebook: manual marks and penalties included."""
    database = root / "gradebook.db"
    if not database.is_file():
        return {}
    from nbgrader.api import Gradebook

    totals = {}
    with Gradebook(f"sqlite:///{database}") as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                totals[(assignment.name, submission.student.id)] = (submission.score, submission.max_score)
    return totals


def write_csv(root: Path, exercises: list[str], path: Path) -> int:
    """One row per student and exercise: auto points per task, and the gradebook's total. Returns the rows."""
    totals = _gradebook_totals(root)
    rows = []
    for exercise in exercises:
        for record in _records(root, exercise):
            total = totals.get((exercise, record["student"]))
            row = {
                "student_id": record["student"],
                "exercise": exercise,
                "auto_score": record["earned"],
                "auto_max": record["possible"],
                "total_score": total[0] if total else "",
                "total_max": total[1] if total else "",
                "needs_attention": "; ".join(record.get("problems", [])),
            }
            row.update({f"task{t['task']}": t["earned"] for t in record["tasks"]})
            rows.append(row)
    fields = ["student_id", "exercise", "auto_score", "auto_max", "total_score", "total_max"]
    fields += sorted({k for row in rows for k in row if k.startswith("task")}, key=lambda k: int(k[4:]))
    fields.append("needs_attention")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
"""Gradescope's visibility settings for a test, from never shown to students to always shown."""

HIDDEN_VISIBILITY = "after_due_date"
"""When students see the hidden checks' results (and so their total) on Gradescope, by default."""

GRADER_PROBLEM = (
    "Your notebook could not be graded because of a problem in the autograder, not in your work. "
    "Your instructor has been told; please let them know too. Keep your submission as it is: it will be "
    "graded again once the autograder is fixed."
)
"""What a student reads on Gradescope when the grader itself failed."""


def gradescope_results(
    record: dict[str, Any], *, written: Sequence[GradeCell] = (), hidden_visibility: str = HIDDEN_VISIBILITY,
) -> dict[str, Any]:
    """A results record in Gradescope's results.json format.

    Each task becomes a test of its visible checks (always shown) and, when it has hidden checks,
    a test of those, shown as *hidden_visibility* says (Gradescope hides the total score while
    any test is not shown). Each written answer in *written* is listed as pending manual grading,
    with no points in the autograder's score. A record of a grader problem becomes
    :func:`grader_failure_results`. Returns the JSON data.
    """
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"hidden_visibility must be one of {', '.join(VISIBILITIES)}, not {hidden_visibility!r}")
    if record.get("grader_problem"):
        return grader_failure_results(str(record["grader_problem"]), record=record)
    tests: list[dict[str, Any]] = []
    any_hidden = False
    for task in record.get("tasks", []):
        visible = [c for c in task["cases"] if not c["hidden"]]
        hidden = [c for c in task["cases"] if c["hidden"]]
        name = f"Task {task['task']} · {task['function']}"
        if visible or not hidden:
            tests.append(_test(f"{name}: checks in the notebook", f"{task['task']}.1", visible,
                               task.get("visible_text") if hidden else task["text"], "visible"))
        if hidden:
            any_hidden = True
            passed = sum(c["passed"] for c in hidden)
            text = f"{passed} of the {len(hidden)} hidden checks of task {task['task']} passed."
            if passed < len(hidden):
                text += (" Hidden checks try examples that are not in the article: follow the rules in the "
                         "docstring, not just the examples.")
            tests.append(_test(f"{name}: hidden checks", f"{task['task']}.2", hidden, text, hidden_visibility))
    for cell in written:
        points = f"{cell.points:g} point{'s' if cell.points != 1 else ''}"
        tests.append({
            "name": f"Task {cell.task} · written answer: marked by your instructor",
            "number": str(cell.task),
            "output": f"Your written answer is marked by hand. Its {points} are added when it has been marked; "
                      "they are not part of the autograder's score.",
            "tags": ["pending manual grading"],
            "visibility": "visible",
            "extra_data": {"grade_id": cell.grade_id, "points": cell.points, "pending": True},
        })
    lines = list(record.get("problems", []))
    if any_hidden and hidden_visibility != "visible":
        when = {"after_due_date": "after the due date", "after_published": "when your instructor publishes the grades",
                "hidden": "by your instructor"}[hidden_visibility]
        lines.append(f"Graded automatically. The hidden checks' results and your total are shown {when}.")
    else:
        lines.append("Graded automatically.")
    if written:
        lines.append("Written answers are marked by your instructor.")
    return {
        "score": record.get("earned", 0),
        "output": "\n".join(lines),
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"isolation": record.get("isolation", ""), "auto_points": record.get("possible", 0),
                       "written_points": sum(c.points for c in written), "problems": record.get("problems", [])},
    }


def _test(name: str, number: str, cases: list[dict[str, Any]], output: str | None, visibility: str) -> dict[str, Any]:
    score = sum(c["points"] for c in cases if c["passed"])
    possible = sum(c["points"] for c in cases)
    if output is None:  # a results file from before visible_text was recorded
        output = f"{sum(c['passed'] for c in cases)} of the {len(cases)} checks passed."
    return {"name": name, "number": number, "score": score, "max_score": possible,
            "status": "passed" if score == possible else "failed", "output": output, "visibility": visibility}


def grader_failure_results(reason: str, *, record: dict[str, Any] | None = None) -> dict[str, Any]:
    """Gradescope's results.json when the grader itself failed: zero points, and a message saying so.

    The student reads :data:`GRADER_PROBLEM`; *reason* goes to ``extra_data`` for the instructor.
    """
    extra: dict[str, Any] = {"grader_problem": reason}
    if record:
        extra["isolation"] = record.get("isolation", "")
    return {"score": 0, "output": GRADER_PROBLEM, "stdout_visibility": "hidden", "tests": [], "extra_data": extra}


def written_cells(notebook: Path) -> list[GradeCell]:
    """The answers in *notebook* that are marked by hand (written answers), in order."""
    return [cell for cell in grade_cells(notebook) if not cell.auto]


def write_gradescope(root: Path, exercise: str, folder: Path, *, hidden_visibility: str = HIDDEN_VISIBILITY) -> int:
    """``<folder>/<student>/results.json`` for every graded student. Returns how many."""
    records = _records(root, exercise)
    written = written_cells(root / RELEASE / exercise / load_manifest(root / MANIFEST).exercise(exercise).notebook)
    for record in records:
        target = folder / record["student"]
        target.mkdir(parents=True, exist_ok=True)
        results = gradescope_results(record, written=written, hidden_visibility=hidden_visibility)
        (target / "results.json").write_text(json.dumps(results, indent=1), "utf-8")
    return len(records)


RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission, as /autograder/run_autograder from /autograder: grade
# the notebook in submission/ and write results/results.json. It always writes a valid results.json:
# if the grader fails, a zero-score result that says so. Paths are found from this file's place, so
# the script works the same in a copy of that layout (here, or in source/ beside setup.sh).
set -uo pipefail
exec 2>&1  # Gradescope shows instructors what this prints: keep the grader's errors in it
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -d "$here/source/exercise" ]; then root="$here"; else root="$(dirname "$here")"; fi
source="$root/source"
results="$root/results/results.json"
python="$source/venv/bin/python"
cd "$root" || true  # go on: a results file must be written whatever happens
mkdir -p "$root/results"
rm -f "$results"
"$python" -m autograder.grading.gradescope --exercise "$source/exercise" --submission "$root/submission" \\
    --results "$results"
status=$?
if ! "$python" -c 'import json, sys; assert isinstance(json.load(open(sys.argv[1]))["score"], (int, float))' \\
        "$results" >/dev/null 2>&1; then
    echo "run_autograder: GRADER PROBLEM (not the student's work): the grader stopped (status $status) without"
    echo "writing a valid $results, so a zero-score result saying so was written. See the lines above;"
    echo "fix the autograder (rebuild it with setup.sh if its environment is broken), then regrade."
    cat > "$results" <<'RESULTS'
@FALLBACK@
RESULTS
fi
exit 0
"""

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu 22.04 or 24.04).
# It finds Python 3.11 or newer (on Ubuntu 22.04, whose own python3 is 3.10, it installs Ubuntu's
# python3.11 packages: no PPA), makes a virtual environment in source/venv with an up-to-date pip,
# and installs the course's package there, built in pip's isolated build environment, so that the
# system's setuptools is never used. It stops with a message and a non-zero status at the first
# step that fails, and checks at the end that the installed package imports.
set -euo pipefail
source="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$source/venv"
say() { echo "setup.sh: $*"; }
fail() { echo "setup.sh: FAILED: $*" >&2; exit 1; }
supported() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }
can_make_venvs() { "$1" -c 'import ensurepip, venv' >/dev/null 2>&1; }
find_python() {
    local name found
    for name in python3.13 python3.12 python3.11 python3; do
        found="$(command -v "$name" 2>/dev/null)" || continue
        if supported "$found"; then echo "$found"; return 0; fi
    done
    return 1
}

python="$(find_python)" || python=""
if [ -z "$python" ] || ! can_make_venvs "$python"; then
    if [ -n "$python" ]; then
        packages="python$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
    else
        say "the system's Python is older than 3.11 ($(python3 --version 2>&1 || echo 'no python3'))"
        packages="python3.11 python3.11-venv"
    fi
    command -v apt-get >/dev/null 2>&1 || fail "no Python 3.11 or newer with venv here, and no apt-get to install $packages"
    say "installing $packages with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || fail "apt-get update failed"
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $packages || fail "apt-get could not install $packages"
    python="$(find_python)" || fail "apt-get installed $packages, but there is still no Python 3.11 or newer"
    can_make_venvs "$python" || fail "$python still cannot make virtual environments after installing $packages"
fi
say "using $python ($("$python" --version 2>&1))"

rm -rf "$venv"
"$python" -m venv "$venv" || fail "$python could not make a virtual environment in $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip \\
    || fail "could not upgrade pip in $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$source/requirements.txt" \\
    || fail "could not install the grader's requirements ($source/requirements.txt)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --use-pep517 "$source" \\
    || fail "could not build and install the course's package from $source"

# The checks' hidden cases are for the grader (root) alone: where the host refuses namespaces, the
# sandbox's unprivileged user must not be able to read them.
chmod -R go-rwx "$source/exercise"

cd /  # import the installed package, not the copy in source/
"$venv/bin/python" - "$source/bundle.json" <<'PYTHON' || fail "the installed package does not work (see above)"
import importlib.metadata
import json
import pathlib
import sys

wanted = json.loads(pathlib.Path(sys.argv[1]).read_text("utf-8"))
try:
    version = importlib.metadata.version(wanted["name"])
except importlib.metadata.PackageNotFoundError:
    sys.exit(f"setup.sh: {wanted['name']} is not installed (an empty package, such as UNKNOWN-0.0.0, was built)")
if version != wanted["version"]:
    sys.exit(f"setup.sh: {wanted['name']} {version} is installed, but the bundle holds {wanted['version']}")
import autograder.grading.gradescope  # noqa: E402,F401  (the grader and everything it imports)

place = pathlib.Path(autograder.__file__).resolve()
if pathlib.Path(sys.prefix).resolve() not in place.parents:
    sys.exit(f"setup.sh: autograder was imported from {place}, not from the virtual environment")
print(f"setup.sh: installed {wanted['name']} {version} with Python {sys.version.split()[0]} in {sys.prefix}")
PYTHON
"""

GRADER_NEEDS = ("pyyaml", "fastjsonschema")
"""The course's dependencies that the grader itself imports; the bundle installs only these."""


def make_bundle(root: Path, exercise: str, path: Path, *, hidden_visibility: str = HIDDEN_VISIBILITY) -> Path:
    """A Gradescope autograder zip for *exercise*: setup.sh, run_autograder, the package and the checks.

    *hidden_visibility* says when students see the hidden checks' results (one of
    :data:`VISIBILITIES`). Returns *path*.
    """
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"hidden_visibility must be one of {', '.join(VISIBILITIES)}, not {hidden_visibility!r}")
    manifest = load_manifest(root / MANIFEST)
    info = manifest.exercise(exercise)
    package = Path(__file__).resolve().parents[1]
    project = package.parent / "pyproject.toml"  # the course's own checkout, installed in development mode
    if not project.is_file():
        raise DataFileError(project, "the bundle packs the course package with its pyproject.toml; install the "
                            "course from its checkout (python3 bootstrap.py setup) to make a bundle")
    fallback = json.dumps(grader_failure_results("the grader stopped before writing results.json"), indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(_executable("setup.sh"), SETUP)
        bundle.writestr(_executable("run_autograder"), RUN_AUTOGRADER.replace("@FALLBACK@", fallback))
        for file in sorted(package.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                bundle.write(file, str(file.relative_to(package.parent)))
        bundle.write(project, "pyproject.toml")
        bundle.writestr("requirements.txt", "\n".join(_grader_requirements(project)) + "\n")
        bundle.writestr("bundle.json", json.dumps(_package(project) | {"exercise": exercise}, indent=1))
        bundle.writestr("README.md", f"Gradescope autograder for {exercise} of {manifest.title}\n\n"
                        "setup.sh installs it (Gradescope runs it once); run_autograder grades one submission.\n")
        for file in sorted((root / RELEASE / exercise).iterdir()):
            if file.is_file():
                bundle.write(file, f"exercise/{file.name}")
        bundle.write(root / SOURCE / exercise / HIDDEN_FILE, f"exercise/{HIDDEN_FILE}")
        grading = dataclasses.asdict(Limits.from_grading(manifest.grading))
        bundle.writestr("exercise/grading.json", json.dumps({
            "notebook": info.notebook, "exercise": exercise, "grading": grading,
            "gradescope": {"hidden_visibility": hidden_visibility}}, indent=1))
    return path


def _package(project: Path) -> dict[str, str]:
    """The name and version in pyproject.toml: what setup.sh must find installed."""
    import tomllib

    table = tomllib.loads(project.read_text("utf-8"))["project"]
    return {"name": str(table["name"]), "version": str(table["version"])}


def _grader_requirements(project: Path) -> list[str]:
    """The lines of pyproject.toml's dependencies that name :data:`GRADER_NEEDS`, as written there."""
    import re
    import tomllib

    dependencies = tomllib.loads(project.read_text("utf-8"))["project"]["dependencies"]
    found = {re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower().replace("_", "-"): line for line in dependencies}
    missing = [name for name in GRADER_NEEDS if name not in found]
    if missing:
        raise DataFileError(project, f"the dependencies do not list {', '.join(missing)}, which the grader needs")
    return [found[name] for name in GRADER_NEEDS]


def _executable(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16
    return info
