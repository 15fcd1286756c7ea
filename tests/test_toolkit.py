"""The capstone's toolkit.py is a plain baseline of its own: it keeps the contract of the functions the
ledger needs, and it is not the reference solution of exercises 01 to 03."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

from autograder.checks import HIDDEN_FILE, check_task, load_suite

from .conftest import ROOT

CAPSTONE = ROOT / "solutions" / "06-ledger"
EARLIER = {"01-provenance": "provenance.ipynb", "02-attribution": "attribution.ipynb", "03-statements": "statements.ipynb"}
BUILD_LEDGER_NEEDS = ("strip_boilerplate", "split_sentences", "classify_statement", "find_attribution", "verb_stance",
                      "hedges")
STANCES = {"neutral", "accusing", "denying", "distancing"}
KINDS = {"denial", "attributed", "hedged", "unattributed"}


def load_toolkit(folder: Path = CAPSTONE) -> ModuleType:
    """toolkit.py of *folder* as a fresh module, imported without leaving bytecode behind."""
    spec = importlib.util.spec_from_file_location("capstone_toolkit", folder / "toolkit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    writes_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes_bytecode
    return module


@pytest.fixture(scope="module")
def toolkit() -> ModuleType:
    return load_toolkit()


def solution_bodies(exercise: str) -> dict[str, list[str]]:
    """The lines between the solution markers of each solution cell of *exercise*, by grade id."""
    cells = nbformat.read(ROOT / "solutions" / exercise / EARLIER[exercise], as_version=4).cells
    bodies: dict[str, list[str]] = {}
    for cell in cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
            inside = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
            bodies[meta["grade_id"]] = [line.strip() for line in inside.splitlines() if line.strip()]
    return bodies


TASKS = [(exercise, number) for exercise in EARLIER for number in load_suite(ROOT / "solutions" / exercise).tasks]


def test_the_toolkit_provides_every_function_that_build_ledger_needs(toolkit: ModuleType) -> None:
    missing = [name for name in BUILD_LEDGER_NEEDS if not callable(getattr(toolkit, name, None))]
    assert missing == []
    assert set(BUILD_LEDGER_NEEDS) <= set(toolkit.__all__)


def test_the_released_toolkit_is_the_one_in_solutions() -> None:
    released = ROOT / "exercises" / "06-ledger" / "toolkit.py"
    assert released.read_text("utf-8") == (CAPSTONE / "toolkit.py").read_text("utf-8")


def test_each_toolkit_function_keeps_the_contract_on_every_sentence_of_the_article(toolkit: ModuleType) -> None:
    article = (ROOT / "data" / "article.txt").read_text("utf-8")
    story = toolkit.strip_boilerplate(article)
    assert isinstance(story, str) and "Leave a Reply" not in story and "Akismet" not in story
    sentences = toolkit.split_sentences(story)
    assert len(sentences) == 15 and all(isinstance(s, str) and s == s.strip() and s for s in sentences)
    for sentence in sentences:
        attribution = toolkit.find_attribution(sentence)
        if attribution is not None:
            assert isinstance(attribution, tuple) and attribution._fields == ("source", "verb")
            assert attribution.source and attribution.verb in sentence
            assert toolkit.verb_stance(attribution.verb) in STANCES
        found = toolkit.hedges(sentence)
        assert isinstance(found, list) and all(isinstance(cue, str) and cue == cue.lower() for cue in found)
        assert toolkit.classify_statement(sentence) in KINDS


@pytest.mark.parametrize("exercise", EARLIER)
def test_no_toolkit_function_is_a_reference_solution_of_exercises_01_to_03(toolkit: ModuleType, exercise: str) -> None:
    source = inspect.getsource(toolkit)
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    windows = {tuple(lines[i : i + 3]) for i in range(len(lines) - 2)}
    for grade_id, body in solution_bodies(exercise).items():
        if len(body) < 3:
            assert "\n".join(body) not in "\n".join(lines), f"{exercise}: {grade_id}"
            continue
        shared = [window for window in (tuple(body[i : i + 3]) for i in range(len(body) - 2)) if window in windows]
        assert shared == [], f"{exercise}: {grade_id} shares {shared[0]}"


@pytest.mark.parametrize(("exercise", "task"), TASKS, ids=[f"{e}-task{n}" for e, n in TASKS])
def test_the_toolkit_does_not_earn_full_marks_on_a_task_of_exercises_01_to_03(
    toolkit: ModuleType, exercise: str, task: int
) -> None:
    folder = ROOT / "solutions" / exercise
    suite = load_suite(folder, hidden_file=folder / HIDDEN_FILE)
    if not hasattr(toolkit, suite.tasks[task].function):
        pytest.skip(f"the toolkit does not provide {suite.tasks[task].function}")
    report = check_task(suite, vars(toolkit), task, hidden_ran=True)
    assert report.earned < suite.tasks[task].points
