"""A self-learner's work is never lost, and every `course` command reads it where it is."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.checks import check_task, load_suite
from autograder.learner.workspace import holds_learner_work

from .conftest import ROOT, run_tool, solved_release, tool_env

NOTEBOOK = Path("exercises") / "01-provenance" / "provenance.ipynb"
WORK = Path("work") / "01-provenance" / "provenance.ipynb"


def save_work(course: Path, path: Path) -> str:
    """Answer exercise 01 in the notebook at *path* (as the reference does, task 3 left wrong), with outputs."""
    solved = solved_release(course, "01-provenance", "provenance.ipynb")
    for cell in solved["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "task3-resolve-relative-date":
            cell["source"] = "def resolve_relative_date(phrase, published):\n    return (published, published)\n"
            cell["execution_count"] = 7
    text = json.dumps(solved)
    (course / path).parent.mkdir(parents=True, exist_ok=True)
    (course / path).write_text(text, "utf-8")
    return text


def wrong_date(phrase: object, published: object) -> tuple[object, object]:
    """The wrong task 3 that save_work writes, as a function."""
    return (published, published)


def saved_score() -> tuple[str, str]:
    """What save_work's notebook earns from the visible checks, and what they are worth ("5.25", "8").

    The reference earns every visible point of tasks 1 and 2; task 3's share is what the wrong
    answer earns from the exercise's own cases, so the numbers follow the cases file.
    """
    suite = load_suite(ROOT / "solutions" / "01-provenance")
    task = next(t.number for t in suite.tasks.values() if t.function == "resolve_relative_date")
    wrong = check_task(suite, {"resolve_relative_date": wrong_date}, task, hidden_ran=False)
    earned = sum(suite.points_for(t) for t in suite.tasks if t != task) + wrong.earned
    return f"{earned:g}", f"{sum(suite.points_for(t) for t in suite.tasks):g}"


def test_course_start_makes_a_working_copy_that_check_progress_and_compare_read(course_copy: Path) -> None:
    out = run_tool(["course", "start", "01-provenance"], course_copy).stdout
    assert f"open {WORK}" in out
    assert {p.name for p in (course_copy / WORK).parent.iterdir()} >= {"provenance.ipynb", "cases.yaml", "article.txt"}
    mine = save_work(course_copy, WORK)
    check = run_tool(["course", "check", "01-provenance"], course_copy, check=False).stdout
    assert check.startswith(f"Checked {course_copy / WORK} (exercise 01-provenance)")
    earned, possible = saved_score()
    assert f"{earned} / {possible}  (visible checks)" in check
    progress = run_tool(["course", "progress"], course_copy).stdout
    assert f"started: {earned} of {possible} visible points" in progress
    compare = run_tool(["course", "compare", "01-provenance", "--task", "3"], course_copy).stdout
    assert "return (published, published)" in compare
    again = run_tool(["course", "start", "01-provenance"], course_copy).stdout
    assert "already there" in again and "left as it is" in again
    run_tool(["course", "release"], course_copy)  # the release is pristine: released as usual
    assert (course_copy / WORK).read_text("utf-8") == mine
    assert not holds_learner_work(course_copy / NOTEBOOK)


def test_course_release_refuses_to_release_over_work_in_exercises_and_copies_it_first(course_copy: Path) -> None:
    mine = save_work(course_copy, NOTEBOOK)
    result = run_tool(["course", "release", "01-provenance"], course_copy, check=False)
    assert result.returncode == 1
    assert f"{NOTEBOOK} holds your own work, so exercises/01-provenance/ was not released over." in result.stderr
    assert "Carry on in work/01-provenance/, your working copy." in result.stderr
    assert (course_copy / NOTEBOOK).read_text("utf-8") == mine
    assert (course_copy / WORK).read_text("utf-8") == mine

    drift = run_tool(["course", "release", "--check", "01-provenance"], course_copy, check=False)
    assert drift.returncode == 1
    assert "exercises/01-provenance/ holds your own work" in drift.stdout
    assert "Run `course release 01-provenance --force`" in drift.stdout

    forced = run_tool(["course", "release", "01-provenance", "--force"], course_copy)
    backups = list((course_copy / ".course" / "backups").glob("01-provenance-*/provenance.ipynb"))
    assert [b.read_text("utf-8") for b in backups] == [mine]  # work/ was taken, so a backup was made
    assert str(backups[0].parent.relative_to(course_copy)) in forced.stdout
    assert not holds_learner_work(course_copy / NOTEBOOK)
    assert (course_copy / WORK).read_text("utf-8") == mine
    assert run_tool(["course", "release", "--check", "01-provenance"], course_copy).returncode == 0


def test_a_notebook_saved_under_another_name_in_exercises_is_kept_too(course_copy: Path) -> None:
    extra = NOTEBOOK.parent / "provenance-my-try.ipynb"
    mine = save_work(course_copy, extra)
    result = run_tool(["course", "release", "01-provenance"], course_copy, check=False)
    assert result.returncode == 1 and str(extra) in result.stderr
    assert (course_copy / extra).read_text("utf-8") == mine


def test_the_release_as_committed_holds_no_learners_work() -> None:
    for notebook in (ROOT / "exercises").glob("*/*.ipynb"):
        assert not holds_learner_work(notebook), notebook


def test_a_loose_notebook_is_checked_as_the_exercise_its_name_or_cells_say(course_copy: Path, tmp_path: Path) -> None:
    solved = json.dumps(solved_release(course_copy, "01-provenance", "provenance.ipynb"))
    (tmp_path / "provenance.ipynb").write_text(solved, "utf-8")
    (tmp_path / "my copy.ipynb").write_text(solved, "utf-8")
    for name in ("provenance.ipynb", "my copy.ipynb"):
        out = run_tool(["course", "check", str(tmp_path / name)], course_copy).stdout
        assert "(exercise 01-provenance)" in out and "8 / 8" in out  # the article was found too
    (tmp_path / "other.ipynb").write_text('{"cells": [], "metadata": {}}', "utf-8")
    unknown = run_tool(["course", "check", str(tmp_path / "other.ipynb")], course_copy, check=False)
    assert unknown.returncode == 1
    assert "neither its name nor its cells say which exercise it is" in unknown.stderr
    assert f"course check {tmp_path / 'other.ipynb'} --exercise 02-attribution" in unknown.stderr
    named = run_tool(["course", "check", str(tmp_path / "other.ipynb"), "--exercise", "01-provenance"],
                     course_copy, check=False)
    assert "(exercise 01-provenance)" in named.stdout


def test_check_with_hidden_and_no_target_says_what_to_type_or_uses_the_folder_it_is_in(course_copy: Path) -> None:
    bare = run_tool(["course", "check", "--with-hidden"], course_copy, check=False)
    assert bare.returncode == 2
    assert "say which exercise to check, for example `course check 02-attribution --with-hidden`" in bare.stderr
    assert "usage:" not in bare.stderr
    inside = run_tool(["course", "check", "--with-hidden"], course_copy / "exercises" / "02-attribution", check=False)
    assert "(exercise 02-attribution)" in inside.stdout


def test_check_with_hidden_spells_out_each_failing_hidden_check(course_copy: Path) -> None:
    save_work(course_copy, NOTEBOOK)
    out = run_tool(["course", "check", "01-provenance", "--with-hidden"], course_copy, check=False).stdout
    task3 = out[out.index("Task 3 · resolve_relative_date:"):]
    assert "✗ Called:" in task3 and "✗ hidden Called:   resolve_relative_date(" in task3
    hidden = task3.count("✗ hidden Called:")
    assert hidden > 1 and task3.count("Hint:") == hidden + 1 and task3.count("Expected:") == hidden + 1


def test_a_reader_that_stops_early_gets_no_traceback(course_copy: Path) -> None:
    # `true` reads nothing and exits at once, so every write of the command meets a closed pipe.
    for command in ("course check 01-provenance | true", "course progress | true", "course check 01-provenance | head -n 2"):
        result = subprocess.run(command, shell=True, cwd=course_copy, env=tool_env(), capture_output=True, text=True,
                                timeout=300)
        assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, command
        assert result.stderr == "", command


def written_task(course: Path) -> tuple[int, str, float]:
    """Exercise 01's written task in its source notebook: its number, its question's text, its points."""
    cells = json.loads((course / "solutions" / "01-provenance" / "provenance.ipynb").read_text("utf-8"))["cells"]
    meta = [c["metadata"].get("nbgrader", {}) for c in cells]
    answer = next(m for m in meta if m.get("grade") and m.get("solution") and m["grade_id"].endswith("-answer"))
    number = int(answer["grade_id"].removeprefix("task").split("-")[0])
    question = next(c for c, m in zip(cells, meta) if m.get("grade_id") == f"task{number}-question")
    return number, "".join(question["source"]), float(answer["points"])


def test_a_hint_for_the_written_task_says_it_is_written_and_gives_its_guidance(course_copy: Path) -> None:
    number, question, _ = written_task(course_copy)
    out = run_tool(["course", "hint", "01-provenance", str(number)], course_copy, check=True).stdout
    assert out.startswith(f"01-provenance, task {number} is a written answer, marked by your instructor")
    body = question.split("\n", 1)[1]  # the question under its heading
    assert squeezed(body) in squeezed(out)
    assert f"course compare 01-provenance --task {number}" in out


def squeezed(text: str) -> str:
    return "".join(text.replace("↪", "").replace("**", "").replace("`", "").split())


def reference_shown(out: str, columns: int) -> str:
    """The reference's side of a compare: the right column, or the lines under "Reference:", and the prose."""
    column = (columns - 3) // 2
    if column >= 36:
        return "\n".join(line[column + 3:] if line[column + 1: column + 2] in {"│", "≠"} else line
                         for line in out.splitlines())
    return out[out.index("Reference:"):]


def test_compare_fits_the_terminal_and_shows_everything_in_full(course_copy: Path) -> None:
    source = json.loads((course_copy / "solutions" / "01-provenance" / "provenance.ipynb").read_text("utf-8"))
    reference = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in source["cells"]
                 if c["metadata"].get("nbgrader", {}).get("solution")}
    for columns in (60, 120, 200):
        env = dict(tool_env(), COLUMNS=str(columns))
        out = subprocess.run(["course", "compare", "01-provenance"], cwd=course_copy, env=env, capture_output=True,
                             text=True, timeout=300, check=True).stdout
        assert max(len(line) for line in out.splitlines()) <= columns
        shown = squeezed(reference_shown(out, columns))
        for grade_id, text in reference.items():
            kept = "\n".join(line for line in text.splitlines() if "### BEGIN SOLUTION" not in line
                             and "### END SOLUTION" not in line)
            assert squeezed(kept) in shown, (columns, grade_id)
    number, _, points = written_task(course_copy)
    written = run_tool(["course", "compare", "01-provenance", "--task", str(number)], course_copy).stdout
    assert "Model answer" in written and f"Rubric ({points:g} points)" in written and "Task 1" not in written


def test_progress_lines_fit_120_columns_whatever_the_status(course_copy: Path) -> None:
    save_work(course_copy, NOTEBOOK)
    env = dict(tool_env(), COLUMNS="120")
    out = subprocess.run(["course", "progress"], cwd=course_copy, env=env, capture_output=True, text=True,
                         timeout=300, check=True).stdout
    assert max(len(line) for line in out.splitlines()) <= 120
    earned, possible = saved_score()
    assert f"started: {earned} of {possible} visible points" in " ".join(out.split())
    assert "Time left: about" in out


def test_the_test_suite_says_what_to_do_about_work_in_exercises_then_passes(course_copy: Path) -> None:
    shutil.copytree(ROOT / "tests", course_copy / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", course_copy / "pyproject.toml")
    mine = save_work(course_copy, NOTEBOOK)
    drift = ["tests/test_release.py::test_the_committed_release_matches_a_fresh_one", "-p", "no:cacheprovider"]
    stopped = run_tool([sys.executable, "-m", "pytest", "-q", *drift], course_copy, check=False)
    assert stopped.returncode == 4
    said = stopped.stdout + stopped.stderr
    assert f"it holds your own work:\n  {NOTEBOOK}" in said
    assert "course release 01-provenance --force" in said
    run_tool(["course", "release", "01-provenance", "--force"], course_copy)
    assert (course_copy / WORK).read_text("utf-8") == mine
    run_tool([sys.executable, "-m", "pytest", "-q", *drift], course_copy)


def test_course_start_carries_work_already_in_exercises_over_and_never_replaces_a_working_copy(course_copy: Path) -> None:
    mine = save_work(course_copy, NOTEBOOK)
    out = run_tool(["course", "start", "01-provenance"], course_copy).stdout
    assert "It is a copy of your work in exercises/01-provenance/, which is left as it was." in out
    assert (course_copy / WORK).read_text("utf-8") == (course_copy / NOTEBOOK).read_text("utf-8") == mine
    cases = course_copy / WORK.parent / "cases.yaml"
    cases.write_text("an old copy of the checks\n", "utf-8")
    again = run_tool(["course", "start", "01-provenance"], course_copy).stdout
    assert "were brought up to date: cases.yaml" in again
    assert cases.read_bytes() == (course_copy / NOTEBOOK.parent / "cases.yaml").read_bytes()
    assert (course_copy / WORK).read_text("utf-8") == mine
