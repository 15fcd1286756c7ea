"""A ramp a novice can climb: no graded docstring is a specification to transcribe, no hint needs untaught Python."""

from __future__ import annotations

import ast
import re

import pytest

from autograder.checks import load_suite
from autograder.manifest import load_manifest
from autograder.nbgrader_bridge.cells import read_notebook

from .conftest import ROOT

MANIFEST = load_manifest(ROOT / "course.yaml")
MAX_WORDS = 180
UNTAUGHT = {
    "a lookahead or lookbehind": re.compile(r"\(\?<?[=!]|lookahead|lookbehind"),
    "match.lastindex": re.compile(r"lastindex"),
    "re.DOTALL": re.compile(r"DOTALL"),
    "NamedTuple": re.compile(r"NamedTuple"),
    "__post_init__": re.compile(r"__post_init__"),
}
"""Python that no lesson teaches, so no hint may rely on it."""
HINTS_CHECKED = ("01-provenance", "02-attribution", "03-statements")
"""The exercises whose hints this test holds to UNTAUGHT (add an exercise once its hints are rewritten)."""


def docstrings(notebook: dict) -> dict[str, str]:
    """The docstring of every function and class that the notebook's code cells define, by name."""
    found: dict[str, str] = {}
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                found[node.name] = ast.get_docstring(node) or ""
    return found


GRADED = [
    (exercise.folder, task.number, task.function)
    for exercise in MANIFEST.exercises
    for task in load_suite(ROOT / "solutions" / exercise.folder).tasks.values()
]


@pytest.mark.parametrize(("exercise", "task", "function"), GRADED, ids=[f"{e}-task{n}-{f}" for e, n, f in GRADED])
def test_each_graded_docstring_has_at_most_180_words(exercise: str, task: int, function: str) -> None:
    notebook = MANIFEST.exercise(exercise).notebook
    found = docstrings(read_notebook(ROOT / "solutions" / exercise / notebook))
    assert function in found, f"{exercise}/{notebook} defines no {function} (task {task})"
    words = len(found[function].split())
    assert 0 < words <= MAX_WORDS, f"{function} (task {task} of {exercise}): its docstring has {words} words"


def test_the_word_count_sees_a_long_docstring() -> None:
    long = {"cells": [{"cell_type": "code", "source": 'def f():\n    """' + "word " * 181 + '"""\n'}]}
    assert len(docstrings(long)["f"].split()) == 181


@pytest.mark.parametrize("exercise", HINTS_CHECKED)
def test_no_hint_relies_on_python_the_lessons_do_not_teach(exercise: str) -> None:
    suite = load_suite(ROOT / "solutions" / exercise)
    found = [
        f"task {number}, hint {index}: {what}"
        for number, task in suite.tasks.items()
        for index, hint in enumerate(task.hints, start=1)
        for what, pattern in UNTAUGHT.items()
        if pattern.search(hint)
    ]
    found += [f"case {case.id}: {what}" for case in suite.cases for what, pattern in UNTAUGHT.items()
              if pattern.search(case.hint)]
    assert found == []
