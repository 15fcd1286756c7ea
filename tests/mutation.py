"""Rule mutants of the reference solutions: load them, build each mutated notebook, run the real checks.

The format of the mutant files is described in ``tests/test_mutation.py``. This module holds the
machinery; the scores it records are printed in pytest's terminal summary (see ``conftest.py``).
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from autograder.checks import HIDDEN_FILE, Suite, load_suite, report_task
from autograder.manifest import load_manifest
from autograder.nbgrader_bridge.cells import read_notebook, task_of
from autograder.runner import Limits, run_notebook
from autograder.runner.cells import CodeCell, code_cells
from autograder.runner.explain import cell_problem

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = Path(__file__).resolve().parent / "mutants"
FIELDS = ("id", "task", "rule", "old", "new")
LIMITS = Limits(wall_seconds=120, cpu_seconds=60, cell_seconds=20, call_seconds=5)
"""Generous: a mutant may loop, and the machine may be busy; a slow run is stopped, not failed."""


class MutantFileError(Exception):
    """A mutants file that breaks its format, or a mutant that no longer fits the reference (drift)."""


@dataclass(frozen=True, kw_only=True)
class Mutant:
    """One change to the reference answer of one task that breaks exactly one docstring rule."""

    id: str
    task: int
    rule: str
    old: str
    new: str


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What the checks of the mutated task did: how many visible and hidden cases failed."""

    mutant: Mutant
    visible_failed: int
    hidden_failed: int
    problems: tuple[str, ...] = ()

    @property
    def killed(self) -> bool:
        return self.visible_failed > 0 and self.hidden_failed > 0


@dataclass(frozen=True, kw_only=True)
class Score:
    """An exercise's mutation score: mutants killed by its visible and by its hidden cases."""

    exercise: str
    total: int
    by_visible: int
    by_hidden: int
    by_both: int

    def line(self) -> str:
        return (f"{self.exercise}: {self.total} mutants; killed by visible cases {self.by_visible}/{self.total}, "
                f"by hidden cases {self.by_hidden}/{self.total}, by both {self.by_both}/{self.total}")


SCORES: dict[str, Score] = {}
"""The scores measured in this pytest run, by exercise, for the terminal summary."""


def mutant_files() -> dict[str, Path]:
    """Every mutants file, by the exercise its name gives (``tests/mutants/02-attribution.yaml``)."""
    return {path.stem: path for path in sorted(MUTANTS.glob("*.yaml"))}


def load_mutants(path: Path) -> list[Mutant]:
    """The mutants in *path*, checked against the format; raises MutantFileError naming the file."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as error:
        raise MutantFileError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(data, dict) or data.get("exercise") != path.stem or not isinstance(data.get("mutants"), list):
        raise MutantFileError(f"{path}: expected a mapping with 'exercise: {path.stem}' and a list 'mutants'")
    mutants, seen = [], set()
    for index, item in enumerate(data["mutants"]):
        if not isinstance(item, dict) or set(item) != set(FIELDS):
            raise MutantFileError(f"{path}: mutants[{index}] must have exactly the keys {', '.join(FIELDS)}")
        wrong = [name for name in FIELDS if not isinstance(item[name], int if name == "task" else str)]
        if wrong or not item["old"] or item["old"] == item["new"]:
            raise MutantFileError(f"{path}: mutants[{index}] ({item.get('id')}): task must be a number, the rest "
                                  "text, and 'old' a non-empty text that 'new' changes")
        if item["id"] in seen:
            raise MutantFileError(f"{path}: the mutant id {item['id']!r} is used twice")
        seen.add(item["id"])
        mutants.append(Mutant(**item))
    return mutants


def notebook_of(exercise: str) -> Path:
    return ROOT / "solutions" / exercise / load_manifest(ROOT / "course.yaml").exercise(exercise).notebook


def suite_of(exercise: str) -> Suite:
    folder = ROOT / "solutions" / exercise
    return load_suite(folder, hidden_file=folder / HIDDEN_FILE)


def answer_cell(cells: list[CodeCell], task: int) -> int:
    """The index among *cells* of the reference answer cell of *task* (grade id ``taskN-…``)."""
    found = [i for i, cell in enumerate(cells) if task_of(cell.grade_id) == task and "BEGIN SOLUTION" in cell.source]
    if len(found) != 1:
        raise MutantFileError(f"task {task} has {len(found)} answer cells in the reference notebook; expected one")
    return found[0]


def mutated_cells(exercise: str, mutant: Mutant) -> list[CodeCell]:
    """The reference notebook's code cells with *mutant* applied; MutantFileError when its 'old' drifted."""
    cells = code_cells(read_notebook(notebook_of(exercise)))
    index = answer_cell(cells, mutant.task)
    source = cells[index].source
    count = source.count(mutant.old)
    if count != 1:
        raise MutantFileError(
            f"tests/mutants/{exercise}.yaml: mutant {mutant.id!r}: its 'old' text occurs {count} times in the answer "
            f"cell of task {mutant.task} (expected exactly once); the reference changed, so update the mutant"
        )
    cells[index] = dataclasses.replace(cells[index], source=source.replace(mutant.old, mutant.new))
    return cells


def run_mutant(exercise: str, suite: Suite, mutant: Mutant) -> Outcome:
    """Run the mutated notebook in the course's runner, then judge the mutated task's visible and hidden cases."""
    calls = [case.call() for case in suite.cases_for(mutant.task)]
    run = run_notebook(notebook_of(exercise), calls, LIMITS, cells=mutated_cells(exercise, mutant))
    report = report_task(suite, mutant.task, [o.to_data() for o in run.observations], hidden_ran=True, not_run=run.stopped)
    problems = tuple(cell_problem(problem) for problem in run.cell_problems)
    return Outcome(mutant=mutant, visible_failed=len(report.failures(hidden=False)),
                   hidden_failed=len(report.failures(hidden=True)), problems=problems)


def run_reference(exercise: str) -> list[str]:
    """The cases (visible and hidden, every task) that the unchanged reference fails: none, or the test means nothing."""
    suite = suite_of(exercise)
    notebook = notebook_of(exercise)
    run = run_notebook(notebook, [case.call() for case in suite.cases], LIMITS)
    failed = []
    for number in suite.tasks:
        report = report_task(suite, number, [o.to_data() for o in run.observations], hidden_ran=True, not_run=run.stopped)
        failed += [f"{r.called()} returned {r.got}" for r in report.results if not r.passed]
    return failed


def run_all(exercise: str, mutants: list[Mutant], *, workers: int = 2) -> list[Outcome]:
    """Every mutant's outcome, two runs at a time (each run is its own process)."""
    suite = suite_of(exercise)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda mutant: run_mutant(exercise, suite, mutant), mutants))


def score(exercise: str, outcomes: list[Outcome]) -> Score:
    result = Score(
        exercise=exercise,
        total=len(outcomes),
        by_visible=sum(o.visible_failed > 0 for o in outcomes),
        by_hidden=sum(o.hidden_failed > 0 for o in outcomes),
        by_both=sum(o.killed for o in outcomes),
    )
    SCORES[exercise] = result
    return result


def summary_lines() -> list[str]:
    return [SCORES[name].line() for name in sorted(SCORES)]


def task_functions(exercise: str) -> dict[int, str]:
    """The auto-graded tasks of *exercise* and the function each asks for."""
    return {number: task.function for number, task in suite_of(exercise).tasks.items()}


def describe(outcome: Outcome) -> str:
    missed = [kind for kind, failed in (("visible", outcome.visible_failed), ("hidden", outcome.hidden_failed))
              if not failed]
    extra = f"; problems: {'; '.join(outcome.problems)}" if outcome.problems else ""
    return (f"{outcome.mutant.id} (task {outcome.mutant.task}, rule: {outcome.mutant.rule}) "
            f"passed every {' and every '.join(missed)} case{extra}")
