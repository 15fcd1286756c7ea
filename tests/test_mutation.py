"""Every docstring rule is checked: a reference that breaks one rule fails a visible and a hidden case.

A *mutant* is a small text substitution in the reference answer of one task that breaks exactly one
rule of that task's docstring. For each mutant the test builds the mutated notebook, runs it with the
course's own runner (as ``course check --with-hidden`` does), judges the mutated task's visible and
hidden cases, and asserts that at least one visible case and at least one hidden case fail. So a
student gets visible feedback on every rule before grading, and the hidden cases test it too.

The mutation score of each exercise (mutants killed by its visible cases, by its hidden cases, by
both) is printed in pytest's terminal summary.

Format of the mutant files
--------------------------
One YAML file per exercise, ``tests/mutants/NN-topic.yaml``, named after the exercise folder::

    exercise: 02-attribution        # the same as the file name
    mutants:
      - id: verb-stance-no-lower-case   # unique in the file; lower case with hyphens
        task: 7                         # the task number, as in cases.yaml and the notebook headings
        rule: "1. read in lower case"   # the docstring rule the change breaks, in a few words
        old: 'verb.lower().split()'     # text of the reference answer cell of that task ...
        new: 'verb.split()'             # ... and what replaces it

``old`` is searched in the answer cell of the task (the solution cell whose grade id starts with
``taskN-``) of ``solutions/NN-topic/<notebook>``, and must occur there exactly once: otherwise the
test fails as drift, naming the mutant. A file has exactly these five keys per mutant; ``task`` is a
number and the other four are text. Every auto-graded task of an exercise that has a mutants file
needs at least one mutant; give each docstring rule its own.
"""

from __future__ import annotations

import pytest

from .mutation import (
    MutantFileError,
    describe,
    load_mutants,
    mutant_files,
    mutated_cells,
    run_all,
    run_reference,
    score,
    task_functions,
)

FILES = mutant_files()


@pytest.mark.parametrize("exercise", sorted(FILES))
def test_every_mutant_file_follows_the_format_and_fits_the_reference(exercise: str) -> None:
    mutants = load_mutants(FILES[exercise])
    assert mutants, f"{FILES[exercise]} lists no mutants"
    tasks = task_functions(exercise)
    for mutant in mutants:
        assert mutant.task in tasks, f"{mutant.id}: task {mutant.task} is not one of the auto-graded tasks {sorted(tasks)}"
        mutated_cells(exercise, mutant)  # raises MutantFileError on drift
    untested = sorted(set(tasks) - {m.task for m in mutants})
    assert untested == [], f"tasks without mutants: {[f'{n} ({tasks[n]})' for n in untested]}"


def test_a_drifted_mutant_is_reported_with_its_name() -> None:
    exercise = sorted(FILES)[0]
    mutant = load_mutants(FILES[exercise])[0]
    drifted = type(mutant)(id="drifted", task=mutant.task, rule="none", old="no such text in any answer", new="x")
    with pytest.raises(MutantFileError, match="mutant 'drifted': its 'old' text occurs 0 times"):
        mutated_cells(exercise, drifted)


@pytest.mark.parametrize("exercise", sorted(FILES))
def test_every_mutant_fails_a_visible_case_and_a_hidden_case(exercise: str) -> None:
    reference = run_reference(exercise)
    assert reference == [], f"the unchanged reference fails: {reference}"
    outcomes = run_all(exercise, load_mutants(FILES[exercise]))
    result = score(exercise, outcomes)
    print(result.line())
    survivors = [describe(outcome) for outcome in outcomes if not outcome.killed]
    assert survivors == [], "\n".join(survivors)
