"""Generated submissions: honest ones with varied mistakes, for the graders' tests and benchmarks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from autograder.checks import load_suite

from .conftest import solved_release


def _set_answer(notebook: dict[str, Any], function: str, extra: str) -> None:
    """Append *extra* to the answer cell that defines *function*."""
    for cell in notebook["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if meta.get("solution") and cell["cell_type"] == "code" and f"def {function}(" in source:
            cell["source"] = source + "\n\n" + extra
            return
    raise AssertionError(f"no answer cell defines {function}")


def half_right(reference: dict[str, Any], function: str) -> dict[str, Any]:
    """The reference, but *function* answers None for about half of all inputs (an honest slip)."""
    notebook = json.loads(json.dumps(reference))
    _set_answer(notebook, function, (
        f"_first_try_{function} = {function}\n\n"
        f"def {function}(*args, **kwargs):\n"
        f"    result = _first_try_{function}(*args, **kwargs)\n"
        f"    return result if len(repr(args)) % 2 else None\n"))
    return notebook


def failing(reference: dict[str, Any], function: str) -> dict[str, Any]:
    """The reference, but *function* raises an error (a student who gave up on one task)."""
    notebook = json.loads(json.dumps(reference))
    _set_answer(notebook, function, f"def {function}(*args, **kwargs):\n    raise ValueError('not finished')\n")
    return notebook


def with_cell(notebook: dict[str, Any], source: str, *, after_answers: bool = False) -> dict[str, Any]:
    """A copy of *notebook* with a code cell of the student's own, just after the setup cell (or, with
    *after_answers*, at the end, after every answer)."""
    changed = json.loads(json.dumps(notebook))
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}
    if after_answers:
        changed["cells"].append(cell)
    else:
        changed["cells"].insert(2, cell)
    return changed


def honest_class(root: Path, exercise: str, notebook: str) -> dict[str, dict[str, Any]]:
    """Submissions by name: the reference, the untouched release, and mistakes in each function task."""
    reference = solved_release(root, exercise, notebook)
    release = json.loads((root / "exercises" / exercise / notebook).read_text("utf-8"))
    functions = [t.function for t in load_suite(root / "exercises" / exercise).tasks.values()
                 if t.function[:1].islower()]
    submissions = {"reference": reference, "untouched": release}
    submissions[f"half-{functions[0]}"] = half_right(reference, functions[0])
    submissions[f"fails-{functions[-1]}"] = failing(reference, functions[-1])
    return submissions


def submit(root: Path, student: str, exercise: str, notebook: str, content: dict[str, Any] | str) -> None:
    """Put a submission where nbgrader collects them: submitted/<student>/<exercise>/."""
    folder = root / "submitted" / student / exercise
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(root / "exercises" / exercise, folder)
    text = content if isinstance(content, str) else json.dumps(content)
    (folder / notebook).write_text(text, encoding="utf-8")
