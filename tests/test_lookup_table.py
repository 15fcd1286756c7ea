"""A lookup table of the visible answers cannot pass an exercise: hidden checks test the rules."""

from __future__ import annotations

import collections
import dataclasses
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from autograder.checks import Suite, check_task, decode, load_suite
from autograder.checks.cases import HIDDEN_FILE
from autograder.checks.contract import RETURNS, dress
from autograder.manifest import load_manifest

from .conftest import ROOT

EXERCISES = [exercise.folder for exercise in load_manifest(ROOT / "course.yaml").exercises]


def canonical(value: Any) -> Any:
    """Encoded data with set items in a fixed order, so equal arguments give equal keys."""
    if isinstance(value, dict):
        if "$set" in value:
            return {"$set": sorted((canonical(v) for v in value["$set"]), key=lambda v: json.dumps(v, sort_keys=True))}
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def key_of(args: Any, kwargs: Any) -> str:
    return json.dumps(canonical([args, kwargs]), sort_keys=True, default=str)


def data_classes(suite: Suite) -> dict[str, list[str]]:
    """The classes that visible cases build with ``{$new: Name, fields: {...}}``: name -> field names."""
    found: dict[str, list[str]] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "$object" in value:
                names = found.setdefault(value["$object"], [])
                names += [name for name in value["fields"] if name not in names]
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for case in suite.cases:
        if not case.hidden:
            walk([case.args, case.kwargs, case.expect])
    return found


def of_the_contracts_kind(function: str, value: Any) -> Any:
    """*value* as the kind of value the contract names: a named tuple where it names one (the table
    knows only the items, so its fields are f0, f1, …)."""
    returns = RETURNS.get(function)
    if returns is not None and returns.kind == "namedtuple" and isinstance(value, tuple):
        return collections.namedtuple(returns.name, [f"f{i}" for i in range(len(value))])(*value)
    return value


def lookup_table(suite: Suite) -> dict[str, Callable[..., Any]]:
    """Functions that answer a visible case's exact arguments with its expected value, and otherwise
    give the answer that the visible cases of that function expect most often.

    A class that the cases build with ``{$new: ...}`` holds data and answers nothing: the table
    writes it as a plain dataclass with the fields the visible cases use (it checks no values), so
    that the functions that take its objects can be looked up too."""
    classes: dict[str, Any] = {
        name: dataclasses.make_dataclass(name, fields) for name, fields in data_classes(suite).items()
    }
    table: dict[str, dict[str, Any]] = {}
    for case in suite.cases:
        if case.hidden or case.raises or case.function in classes:
            continue
        key = key_of(case.args, case.kwargs)
        table.setdefault(case.function, {})[key] = case.expect

    def make(function: str) -> Callable[..., Any]:
        answers = table[function]
        counts = Counter(json.dumps(v, sort_keys=True) for v in answers.values())
        guess = json.loads(counts.most_common(1)[0][0])

        def looked_up(*args: Any, **kwargs: Any) -> Any:
            from autograder.checks import encode

            key = key_of([encode(a) for a in args], {k: encode(v) for k, v in kwargs.items()})
            return of_the_contracts_kind(function, decode(dress(function, answers.get(key, guess)), classes))

        return looked_up

    return classes | {function: make(function) for function in table}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_a_lookup_table_earns_every_visible_point_and_at_most_half_the_hidden_ones(exercise: str) -> None:
    folder = ROOT / "solutions" / exercise
    suite = load_suite(folder, hidden_file=folder / HIDDEN_FILE)
    namespace = lookup_table(suite)
    visible_earned = visible_possible = hidden_earned = hidden_possible = 0.0
    for task in suite.tasks:
        report = check_task(suite, namespace, task, hidden_ran=True)
        for result in report.results:
            if result.case.hidden:
                hidden_possible += result.case.points
                hidden_earned += result.earned
            elif not result.case.raises:
                visible_possible += result.case.points
                visible_earned += result.earned
    assert visible_earned == visible_possible
    assert hidden_possible > 0
    assert hidden_earned <= hidden_possible / 2, f"{hidden_earned} of {hidden_possible} hidden points"
