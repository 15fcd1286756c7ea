"""Recording into nbgrader's gradebook: the shortcuts it takes give exactly what nbgrader's own steps give, and a
class is committed whole or not at all."""

from __future__ import annotations

import copy
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from autograder.grading.gradebook import _read_data, _reads, _round_trip, _writes
from autograder.grading.results import _encoded, mark_recorded, write_result

from .classgen import half_right, submit
from .conftest import ROOT, copy_course, run_tool, solved_release, tool_env

EXERCISE, NOTEBOOK = "01-provenance", "provenance.ipynb"


def _odd_notebook() -> dict[str, Any]:
    """A notebook with the metadata and text that JSON encoders are most likely to treat differently."""
    text = "line one\r\nline two\rline three\u2028line four\x0cform feed\n\ttab é ü 中文 😀 \\ \" '\n"
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "odd": {"floats": [0.1, 1e-07, 1e+300, -0.0, 2.0, 3], "empty": {}, "list": [], "none": None,
                             "nested": [[{"b": 1, "a": [True, False]}]], "unicode key é": text,
                             "Z": 1, "a": 2, "_": 3, "10": 4, "9": 5},
                     "signature": "sha256:dropped", "orig_nbformat": 3},
        "cells": [
            {"id": "a-1", "cell_type": "markdown", "metadata": {"trusted": True, "tags": ["x", "é"]},
             "source": text, "attachments": {"img.png": {"image/png": "iVBORw0KGgo=\n", "text/plain": text}}},
            {"id": "b_2", "cell_type": "code", "execution_count": 3, "metadata": {"collapsed": True, "scrolled": "auto"},
             "source": ["def f():\n", "    return 1\n"],
             "outputs": [{"output_type": "stream", "name": "stdout", "text": ["a\n", "b"]},
                         {"output_type": "execute_result", "execution_count": 3, "metadata": {"x": {"y": 1.5}},
                          "data": {"text/plain": text, "application/json": {"k": [1, 2.5, "s"]},
                                   "image/svg+xml": "<svg>\n</svg>\n", "text/html": ["<b>\n", "x</b>"]}},
                         {"output_type": "error", "ename": "E", "evalue": text, "traceback": [text, ""]}]},
            {"id": "c3", "cell_type": "raw", "metadata": {"format": "text/x-rst"}, "source": ""},
        ],
    }


def _notebooks() -> list[tuple[str, str]]:
    """(name, text) of real notebooks (every release, solution and lesson) and of odd ones."""
    found = [(str(path.relative_to(ROOT)), path.read_text("utf-8"))
             for folder in ("exercises", "solutions", "lessons") for path in sorted((ROOT / folder).rglob("*.ipynb"))
             if ".ipynb_checkpoints" not in path.parts]
    odd = _odd_notebook()
    older = copy.deepcopy(odd)  # nbformat 4.4: no cell ids
    older["nbformat_minor"] = 4
    for cell in older["cells"]:
        del cell["id"]
    found += [("odd", json.dumps(odd)), ("odd-4.4", json.dumps(older))]
    return found


def _shape(value: Any) -> Any:
    """*value*'s types, all the way down, with its keys sorted: what == on the values alone would not see."""
    if isinstance(value, dict):
        return (type(value).__name__, sorted((key, _shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return (type(value).__name__, [_shape(item) for item in value])
    return type(value).__name__


@pytest.mark.parametrize("name,text", _notebooks(), ids=[name for name, _ in _notebooks()])
def test_the_round_trip_is_what_nbgrader_reads_back_after_writing(name: str, text: str) -> None:
    assert len(_notebooks()) > 10, "the release, solution and lesson notebooks are there"
    theirs = _reads(nbformat, nbformat.versions[4].writes_json(_reads(nbformat, text)))  # nbgrader's write, read back
    ours = _round_trip(nbformat, _reads(nbformat, text))
    assert ours == theirs
    # The same values of the same types, all the way down; only the order of keys may differ, and the autograded
    # file is written with sorted keys.
    assert json.dumps(ours, sort_keys=True) == json.dumps(theirs, sort_keys=True)
    assert _shape(ours) == _shape(theirs)
    assert nbformat.versions[4].writes_json(ours) == nbformat.versions[4].writes_json(theirs)
    if name == "odd":
        assert "signature" not in ours.metadata and "trusted" not in ours.cells[0].metadata, "transient keys dropped"
        assert ours.cells[0].source == _odd_notebook()["cells"][0]["source"], "split lines joined again"


@pytest.mark.parametrize("name,text", _notebooks(), ids=[name for name, _ in _notebooks()])
def test_a_notebook_is_read_from_its_data_as_from_its_text(name: str, text: str) -> None:
    data = json.loads(text)
    unchanged = copy.deepcopy(data)
    ours, theirs = _read_data(nbformat, data), _reads(nbformat, json.dumps(data, ensure_ascii=False))
    assert data == unchanged, "the data is left as it was"
    assert ours == theirs and json.dumps(ours) == json.dumps(theirs), "the same keys, in the same order"
    assert _shape(ours) == _shape(theirs)


def test_a_sanitised_notebook_holds_notebook_nodes_where_nbgrader_reading_it_back_would() -> None:
    """Sanitising puts new values into the notebook: each is of the type nbformat's reader would give it."""
    from autograder.grading.gradebook import ExerciseRecording

    release = json.loads((ROOT / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    twice = copy.deepcopy(release)  # with a graded cell twice, under a new cell id (so no id is repaired)
    copied = copy.deepcopy(next(c for c in release["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id")))
    twice["cells"].append(copied | {"id": "copied-cell"})
    recording = object.__new__(ExerciseRecording)  # only what sanitising reads, without a gradebook
    import nbgrader.utils

    recording.nbformat, recording.utils, recording.exercise = nbformat, nbgrader.utils, EXERCISE
    recording.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    recording.source_cells, recording.max_scores = {}, {}
    nb = recording.sanitized(twice)
    assert [c.metadata.get("nbgrader") for c in nb.cells].count({}) == 1, "the first of the two lost its grade id"
    theirs = _reads(nbformat, nbformat.versions[4].writes_json(nb))
    assert _shape(_round_trip(nbformat, nb)) == _shape(theirs)
    assert nb.metadata.kernelspec is not recording.kernelspec, "each notebook has its own copy"


@pytest.mark.parametrize("name,text", _notebooks(), ids=[name for name, _ in _notebooks()])
def test_the_autograded_file_is_the_text_nbformat_writes(name: str, text: str) -> None:
    notebook = _reads(nbformat, text)
    expected = nbformat.versions[4].writes_json(notebook)
    assert _writes(nbformat, notebook, consume=True) == expected


@pytest.fixture(scope="module")
def failed_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """Three graded submissions of which the second cannot be recorded (its submission time is not a time):
    `course grade` grades them all, then tries to record them. Returns the course and its results files' bytes."""
    course = copy_course(tmp_path_factory.mktemp("recording") / "course")
    reference = solved_release(course, EXERCISE, NOTEBOOK)
    for student, work in {"ada": reference, "bea": half_right(reference, "strip_boilerplate"), "carl": reference}.items():
        submit(course, student, EXERCISE, NOTEBOOK, work)
        (course / "submitted" / student / EXERCISE / "timestamp.txt").write_text("2026-11-30 16:00:00 UTC\n", "utf-8")
    (course / "submitted" / "bea" / EXERCISE / "timestamp.txt").write_text("the day before the deadline\n", "utf-8")
    result = run_tool(["course", "grade", EXERCISE], course, check=False)
    assert result.returncode == 1 and "the gradebook was not updated" in result.stderr
    assert "bea" in result.stderr and "timestamp.txt" in result.stderr, "the failure names the file"
    return course, {p.name: p.read_bytes() for p in (course / "results" / EXERCISE).glob("*.json")}


def _submissions(course: Path) -> dict[str, tuple[Any, ...]]:
    with sqlite3.connect(course / "gradebook.db") as db:
        rows = db.execute("select sa.student_id, sa.timestamp, count(g.id), sum(g.auto_score) from submitted_assignment sa"
                          " join submitted_notebook sn on sn.assignment_id = sa.id"
                          " join grade g on g.notebook_id = sn.id group by sa.id")
        return {student: rest for student, *rest in rows}


def test_nothing_of_a_class_is_committed_unless_all_of_it_is_recorded(failed_class: tuple[Path, dict[str, bytes]]) -> None:
    course, results = failed_class
    assert sorted(results) == ["ada.json", "bea.json", "carl.json"]
    assert _submissions(course) == {}, "ada, recorded before bea failed, is not in the gradebook either"
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("select count(*) from student").fetchone() == (0,)
    assert not any(json.loads(data)["recorded"] for data in results.values()), "every result stays to be recorded"


def _said_by(code: str, *args: str) -> Any:
    """What *code*, run in a Python of its own from the project's folder, printed as JSON on its last line."""
    result = subprocess.run([sys.executable, "-c", code, *args], env=tool_env(), cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


RECORDS_ON_ITS_OWN = """
import json, sys
from pathlib import Path
from autograder.grading.gradebook import record_pending
course = Path(sys.argv[1])
recorded = record_pending(course, "01-provenance", "provenance.ipynb")
import jsonschema, nbformat
from autograder.nbgrader_bridge.tools import UNUSED_FORMAT_PACKAGES
notebook = nbformat.read(course / "autograded" / "ada" / "01-provenance" / "provenance.ipynb", as_version=4)
nbformat.validate(notebook)  # nbformat's validation, with jsonschema, works as before
import importlib, importlib.util
imported = sorted(name for name in UNUSED_FORMAT_PACKAGES if sys.modules.get(name) is not None)
installed = [name for name in UNUSED_FORMAT_PACKAGES if importlib.util.find_spec(name) is not None]
later = [importlib.import_module(name).__name__ for name in installed]  # still there for whoever imports them
print(json.dumps({"recorded": recorded, "imported": imported, "formats": sorted(jsonschema.FormatChecker().checkers),
                  "installed": installed, "later": later}))
"""


def test_a_process_that_records_does_not_import_the_format_packages_nbgrader_never_uses(
        failed_class: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    course = shutil.copytree(failed_class[0], tmp_path / "course", symlinks=True)
    (course / "submitted" / "bea" / EXERCISE / "timestamp.txt").write_text("2026-11-30 16:30:00 UTC\n", "utf-8")
    said = _said_by(RECORDS_ON_ITS_OWN, str(course))
    assert said["recorded"] == ["ada", "bea", "carl"] and said["imported"] == []
    assert said["installed"] and said["later"] == said["installed"], "installed here (with jupyterlab), and importable"
    assert not {"iri", "duration", "color", "json-pointer", "date-time", "uri"} & set(said["formats"])
    assert {"email", "ipv4", "regex", "date", "uuid"} <= set(said["formats"]), "the formats of the standard library stay"


def test_the_next_run_records_the_whole_class_once_the_problem_is_mended(
        failed_class: tuple[Path, dict[str, bytes]]) -> None:
    course, _ = failed_class
    (course / "submitted" / "bea" / EXERCISE / "timestamp.txt").write_text("2026-11-30 16:30:00 UTC\n", "utf-8")
    result = run_tool(["course", "grade", EXERCISE], course)
    # bea is graded again (her submission changed), ada and carl are not; all three are recorded.
    assert "graded 1, unchanged since the last run 2; recorded in the gradebook 3" in result.stdout
    rows = _submissions(course)
    assert sorted(rows) == ["ada", "bea", "carl"]
    assert rows["bea"][0].startswith("2026-11-30 16:30:00")
    assert rows["ada"][2] == rows["carl"][2] > rows["bea"][2] > 0
    assert all(json.loads(p.read_text("utf-8"))["recorded"] for p in (course / "results" / EXERCISE).glob("*.json"))


def _rewritten(data: bytes) -> bytes:
    """What marking a results file recorded by reading it, setting the flag and writing it again whole gives."""
    record = json.loads(data)
    record["recorded"] = True
    return _encoded(record).encode("utf-8")


def test_marking_a_result_recorded_gives_the_bytes_a_rewrite_gives(failed_class: tuple[Path, dict[str, bytes]],
                                                                   tmp_path: Path) -> None:
    _, results = failed_class
    odd = json.loads(results["bea.json"])
    odd["problems"] = ['a note quoting a results file:\n "recorded": false,\n', "é 中文 😀"]
    odd["tasks"][0]["text"] += '\n "recorded": false'
    files = {**results, "odd.json": _encoded(odd).encode("utf-8")}
    for name, data in files.items():
        assert json.loads(data)["recorded"] is False
        path = tmp_path / name
        path.write_bytes(data)
        mark_recorded(path)
        assert path.read_bytes() == _rewritten(data), name
        assert path.stat().st_mode & 0o777 == 0o600, "readable by its owner alone, as write_result leaves it"
    assert list(tmp_path.glob(".*")) == [], "no temporary file is left"


@pytest.mark.parametrize("layout", ["compact", "indented by two", "recorded last", "already recorded"])
def test_a_results_file_in_another_layout_is_marked_by_reading_and_writing_it(tmp_path: Path, layout: str) -> None:
    record = {"student": "ada", "recorded": False, "tasks": [{"text": "line\n"}], "earned": 2.5}
    if layout == "recorded last":
        record = {"student": "ada", "earned": 2.5, "recorded": False}
    if layout == "already recorded":
        record["recorded"] = True
    text = {"compact": json.dumps(record), "indented by two": json.dumps(record, indent=2)}.get(
        layout, json.dumps(record, indent=1))
    path = tmp_path / "ada.json"
    path.write_text(text, "utf-8")
    mark_recorded(path)
    assert json.loads(path.read_text("utf-8")) == {**record, "recorded": True}
    assert path.read_bytes() == _rewritten(text.encode("utf-8"))


def test_a_results_file_that_is_not_an_object_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "ada.json"
    path.write_text('[1, 2]', "utf-8")
    with pytest.raises(ValueError, match=r"ada\.json: expected a results file \(a JSON object\), found list"):
        mark_recorded(path)
    assert path.read_text("utf-8") == "[1, 2]", "left as it was"


def test_write_result_writes_a_field_a_line_and_a_task_a_line(tmp_path: Path) -> None:
    record = {"student": "ada", "text": "é 中文\n", "earned": 1e-07, "tasks": [{"a": [1, {}]}, {"b": "\n"}],
              "problems": ["x"], "empty": [], "recorded": False}
    write_result(tmp_path / "ada.json", record)
    text = (tmp_path / "ada.json").read_text("utf-8")
    assert json.loads(text) == record and list(json.loads(text)) == list(record), "the same data, in the same order"
    assert text.splitlines() == ['{', ' "student": "ada",', ' "text": "é 中文\\n",', ' "earned": 1e-07,', ' "tasks": [',
                                 '  {"a": [1, {}]},', '  {"b": "\\n"}', ' ],', ' "problems": ["x"],', ' "empty": [],',
                                 ' "recorded": false', '}']


def test_the_recording_benchmark_prints_its_times_per_submission() -> None:
    result = run_tool([sys.executable, "benchmarks/record_speed.py", "--size", "3", "--runs", "1"], ROOT)
    out = result.stdout
    assert "class: 3 submissions of 02-attribution" in out
    assert re.search(r"in this process, pass 1: 3 recorded; per submission [\d.]+ ms wall, [\d.]+ ms CPU", out)
    assert re.search(r"in a fresh process, pass 1: 3 recorded in [\d.]+ s wall", out)
    assert "import nbgrader.api as it is: median" in out and "import nbgrader.api as recording imports it" in out


SECOND, SECOND_NOTEBOOK = "02-attribution", "attribution.ipynb"


@pytest.fixture(scope="module")
def graded_unrecorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two exercises, two students each, graded in sandboxes (results files written) but not recorded."""
    from autograder.grading.grade import grade_exercises

    course = copy_course(tmp_path_factory.mktemp("unrecorded") / "course")
    for exercise, notebook in ((EXERCISE, NOTEBOOK), (SECOND, SECOND_NOTEBOOK)):
        reference = solved_release(course, exercise, notebook)
        submit(course, "ada", exercise, notebook, reference)
        submit(course, "bea", exercise, notebook, half_right(reference, _first_function(course, exercise)))
    grade_exercises(course, [EXERCISE, SECOND], jobs=2)
    return course


def _first_function(course: Path, exercise: str) -> str:
    from autograder.checks import load_suite

    suite = load_suite(course / "exercises" / exercise)
    return suite.tasks[min(suite.tasks)].function


def _recorded_flags(course: Path, exercise: str) -> dict[str, bool]:
    return {path.stem: json.loads(path.read_text("utf-8"))["recorded"]
            for path in (course / "results" / exercise).glob("*.json")}


def test_exercises_prepared_side_by_side_are_each_committed_whole(graded_unrecorded: Path, tmp_path: Path) -> None:
    from autograder.grading.recorder import RecordingProcess

    course = shutil.copytree(graded_unrecorded, tmp_path / "course", symlinks=True)
    recorder = RecordingProcess(course)
    try:
        # The order a run with two slots may give: the second exercise's first submission graded before the first
        # exercise's last, and the first exercise's last one only then.
        recorder.graded(EXERCISE, NOTEBOOK, "ada")
        recorder.graded(SECOND, SECOND_NOTEBOOK, "ada")
        recorder.graded(EXERCISE, NOTEBOOK, "bea")
        first = recorder.finished(EXERCISE, NOTEBOOK).result(timeout=120)
        assert first.problem == "" and first.students == ["ada", "bea"]
        assert sorted(_submissions(course)) == ["ada", "bea"], "the first exercise only, whole"
        assert _recorded_flags(course, SECOND) == {"ada": False, "bea": False}, "the second is not committed yet"
        recorder.graded(SECOND, SECOND_NOTEBOOK, "bea")
        second = recorder.finished(SECOND, SECOND_NOTEBOOK).result(timeout=120)
        assert second.problem == "" and second.students == ["ada", "bea"]
    finally:
        recorder.close()
    assert _recorded_flags(course, EXERCISE) == _recorded_flags(course, SECOND) == {"ada": True, "bea": True}
    with sqlite3.connect(course / "gradebook.db") as db:
        rows = dict(db.execute("select a.name, count(*) from submitted_assignment sa"
                               " join assignment a on a.id = sa.assignment_id group by a.name"))
    assert rows == {EXERCISE: 2, SECOND: 2}
    # What nbgrader's own reading of the autograded notebooks gives: the reference scores more than bea's.
    from .conftest import auto_scores

    for exercise in (EXERCISE, SECOND):
        assert auto_scores(course, exercise, "ada")[0] > auto_scores(course, exercise, "bea")[0]


def test_an_exercise_told_finished_records_what_an_earlier_run_left_unrecorded(graded_unrecorded: Path,
                                                                                 tmp_path: Path) -> None:
    from autograder.grading.recorder import RecordingProcess

    course = shutil.copytree(graded_unrecorded, tmp_path / "course", symlinks=True)
    recorder = RecordingProcess(course)
    try:
        done = recorder.finished(EXERCISE, NOTEBOOK).result(timeout=120)  # nothing graded in this run
    finally:
        recorder.close()
    assert done.problem == "" and sorted(done.students) == ["ada", "bea"]
    assert _recorded_flags(course, EXERCISE) == {"ada": True, "bea": True}


def test_a_recording_process_that_dies_is_a_gradebook_problem_and_loses_nothing(graded_unrecorded: Path,
                                                                               tmp_path: Path) -> None:
    import os
    import signal

    from autograder.grading.recorder import RecordingProcess

    course = shutil.copytree(graded_unrecorded, tmp_path / "course", symlinks=True)
    before = {p.name: p.read_bytes() for p in (course / "results" / EXERCISE).glob("*.json")}
    recorder = RecordingProcess(course)
    try:
        assert recorder.pid is not None
        os.kill(recorder.pid, signal.SIGKILL)
        recorder.graded(EXERCISE, NOTEBOOK, "ada")  # told after it died: no error here
        done = recorder.finished(EXERCISE, NOTEBOOK).result(timeout=60)
    finally:
        recorder.close()  # returns, although the process is gone
    assert done.students == [] and done.problem == "the recording process failed: it was stopped by the signal SIGKILL"
    assert {p.name: p.read_bytes() for p in (course / "results" / EXERCISE).glob("*.json")} == before
    assert not (course / "gradebook.db").exists() or _submissions(course) == {}


UNPACKS_WITH_THE_STAND_IN = """
import json, sys, zipfile
from pathlib import Path
from autograder.nbgrader_bridge.tools import light_recording_imports
light_recording_imports()
import nbgrader.utils
before = "setuptools" in sys.modules
folder = Path(sys.argv[1])
with zipfile.ZipFile(folder / "work.zip", "w") as archive:
    archive.writestr("inside/answer.txt", "42")
nbgrader.utils.unpack_archive(str(folder / "work.zip"), str(folder / "out"))
print(json.dumps({"before": before, "after": "setuptools" in sys.modules,
                  "unpacked": (folder / "out" / "inside" / "answer.txt").read_text()}))
"""


def test_nbgrader_unpacks_an_archive_in_a_process_that_skipped_setuptools_at_import(tmp_path: Path) -> None:
    said = _said_by(UNPACKS_WITH_THE_STAND_IN, str(tmp_path))
    assert said == {"before": False, "after": True, "unpacked": "42"}, "imported only when first called, and works"


CALLS_THE_WEB_CLIENT_THROUGH_THE_STAND_IN = """
import json, sys
from autograder.nbgrader_bridge.tools import light_recording_imports
light_recording_imports()
import nbgrader.api
from nbgrader.auth import jupyterhub
before = "urllib3" in sys.modules
prepared = jupyterhub.requests.Request("GET", "http://hub.example/hub/api/groups", params={"q": "é"}).prepare()
import requests
print(json.dumps({"before": before, "after": "urllib3" in sys.modules, "url": prepared.url,
                  "same": requests.request is jupyterhub.requests.request and sys.modules["requests"] is requests}))
"""


def test_nbgraders_hub_plugin_gets_the_real_web_client_when_it_first_uses_it() -> None:
    said = _said_by(CALLS_THE_WEB_CLIENT_THROUGH_THE_STAND_IN)
    assert said == {"before": False, "after": True, "url": "http://hub.example/hub/api/groups?q=%C3%A9",
                    "same": True}, "imported only when first used, and the real package"


def test_a_class_stored_in_several_batches_is_stored_as_in_one(graded_unrecorded: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows are written a batch of submissions at a time: one submission a batch gives the gradebook the same
    rows as the whole class in one."""
    from autograder.grading import gradebook

    stored = {}
    for size in (1, gradebook.STORED_TOGETHER):
        course = shutil.copytree(graded_unrecorded, tmp_path / f"batches-of-{size}", symlinks=True)
        monkeypatch.setattr(gradebook, "STORED_TOGETHER", size)
        assert gradebook.record_pending(course, EXERCISE, NOTEBOOK) == ["ada", "bea"]
        stored[size] = _submissions(course)
    assert stored[1] == stored[gradebook.STORED_TOGETHER] and sorted(stored[1]) == ["ada", "bea"]
    assert stored[1]["ada"][2] > stored[1]["bea"][2] > 0, "each with its own scores"
