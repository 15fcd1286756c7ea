"""Checks that mean what they say: the contract's types, crash lines, and feedback a student can act on."""

from __future__ import annotations

import datetime
import io
import json
import os
import sys
import types
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from autograder.checks import check_task, load_suite
from autograder.checks.cases import HIDDEN_FILE
from autograder.notebook import check

from .conftest import ROOT

PROVENANCE = ROOT / "solutions" / "01-provenance"
ATTRIBUTION = ROOT / "solutions" / "02-attribution"
STATEMENTS = ROOT / "solutions" / "03-statements"
EVIDENCE = ROOT / "solutions" / "05-evidence"


class Attribution(NamedTuple):
    source: str
    verb: str


def task_of(folder: Path, function: str) -> int:
    """The number of the task whose graded function is *function*, as the exercise's cases file has it."""
    return next(task.number for task in load_suite(folder).tasks.values() if task.function == function)


def reference(exercise: str, notebook: str, *names: str) -> dict[str, Any]:
    """The reference solution's functions (and the setup cell's names), run from the source notebook."""
    data = json.loads((ROOT / "solutions" / exercise / notebook).read_text("utf-8"))
    module = types.ModuleType(f"reference_{exercise.replace('-', '_')}")  # a dataclass looks its module up
    sys.modules[module.__name__] = module
    namespace: dict[str, Any] = module.__dict__
    here = Path.cwd()
    os.chdir(ROOT / "solutions" / exercise)
    try:
        for cell in data["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if cell["cell_type"] == "code" and not meta.get("grade"):  # setup, tables and answers; no checks
                exec("".join(cell["source"]), namespace)
    finally:
        os.chdir(here)
    return namespace


def test_a_plain_list_where_the_contract_names_an_attribution_fails_and_says_so() -> None:
    ns = reference("02-attribution", "attribution.ipynb")

    def as_list(sentence: str) -> list[str] | None:
        found = ns["find_attribution"](sentence)
        return None if found is None else list(found)

    def as_tuple(sentence: str) -> tuple[str, str] | None:
        found = ns["find_attribution"](sentence)
        return None if found is None else tuple(found)

    suite, task = load_suite(ATTRIBUTION), task_of(ATTRIBUTION, "find_attribution")
    right = check_task(suite, ns, task, hidden_ran=False)
    assert right.complete
    for wrong, kind in ((as_list, "a list"), (as_tuple, "a tuple")):
        report = check_task(suite, {**ns, "find_attribution": wrong}, task, hidden_ran=False)
        returned_something = [r for r in report.results if r.case.expect is not None]
        assert returned_something and all(not r.passed for r in returned_something)
        text = report.to_text()
        assert f"Problem:  find_attribution returned {kind}; expected an Attribution or None." in text
        assert 'Expected: Attribution("' in text


def test_a_list_of_dates_where_the_contract_names_a_tuple_of_two_dates_fails() -> None:
    ns = reference("01-provenance", "provenance.ipynb")

    def as_list(phrase: str, published: datetime.date) -> list[datetime.date]:
        return list(ns["resolve_relative_date"](phrase, published))

    suite = load_suite(PROVENANCE)
    assert check_task(suite, {"resolve_relative_date": ns["resolve_relative_date"]}, 3, hidden_ran=False).complete
    report = check_task(suite, {"resolve_relative_date": as_list}, 3, hidden_ran=False)
    assert [r for r in report.results if r.passed] == [r for r in report.results if r.case.raises]
    assert "resolve_relative_date returned a list; expected a tuple of two dates." in report.to_text()


def test_a_crash_names_the_exception_the_line_of_the_cell_and_its_text() -> None:
    source = "def verb_stance(verb):\n    words = verb.split()\n    where = words.index('said')\n    return 'neutral'\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<cell 7>", "exec"), namespace)
    import linecache

    linecache.cache["<cell 7>"] = (len(source), None, source.splitlines(True), "<cell 7>")
    report = check_task(load_suite(ATTRIBUTION), namespace, task_of(ATTRIBUTION, "verb_stance"), hidden_ran=False)
    text = report.to_text()
    assert "Returned: raised ValueError: 'said' is not in list" in text
    assert "Where:    line 3 of your cell: where = words.index('said')" in text


def test_markdown_code_marks_are_dropped_in_plain_text_and_set_as_code_in_html() -> None:
    def strip_boilerplate(text: str) -> str:
        raise NotImplementedError()

    report = check_task(load_suite(PROVENANCE), {"strip_boilerplate": strip_boilerplate}, 1, hidden_ran=False)
    assert "`" not in report.to_text()
    assert "replace raise NotImplementedError() with your own code" in report.to_text()
    assert "<code>raise NotImplementedError()</code>" in report.to_html()


def test_the_same_problem_is_told_once_for_all_the_checks_it_fails() -> None:
    def strip_boilerplate(text: str) -> str:
        raise NotImplementedError()

    report = check_task(load_suite(PROVENANCE), {"strip_boilerplate": strip_boilerplate}, 1, hidden_ran=False)
    failed = len(report.failures(hidden=False))
    assert failed > 1
    for text in (report.to_text(), report.to_html()):
        assert text.count("still the empty starting version") == 1
    assert f"the same for {failed - 1} more check" in report.to_text()


def test_a_long_article_sentence_is_named_by_its_key_not_cut() -> None:
    ns = reference("03-statements", "statements.ipynb")
    sentences = ns["ARTICLE_SENTENCES"]
    namespace = {"ARTICLE_SENTENCES": sentences, "classify_statement": lambda sentence: "unattributed"}
    report = check_task(load_suite(STATEMENTS), namespace, task_of(STATEMENTS, "classify_statement"), hidden_ran=False)
    called = [r.called(report.names) for r in report.failures(hidden=False)]
    assert any('classify_statement(ARTICLE_SENTENCES["s' in c for c in called)
    assert not any("…" in c for c in called)
    assert 'Called:   classify_statement(ARTICLE_SENTENCES["s' in report.to_text()


def test_visible_checks_alone_never_say_well_done() -> None:
    ns = reference("01-provenance", "provenance.ipynb")
    visible = check_task(load_suite(PROVENANCE), ns, 1, hidden_ran=False)
    assert visible.summary() == f"All {len(visible.results)} visible checks passed."
    everything = check_task(load_suite(PROVENANCE, hidden_file=PROVENANCE / HIDDEN_FILE), ns, 1, hidden_ran=True)
    assert everything.summary().endswith("Well done!")


def test_failing_hidden_checks_are_spelled_out_only_when_asked() -> None:
    def split_on_full_stops(text: str) -> list[str]:
        return [part.strip() + "." for part in text.split(".") if part.strip()]

    suite = load_suite(PROVENANCE, hidden_file=PROVENANCE / HIDDEN_FILE)
    report = check_task(suite, {"split_sentences": split_on_full_stops}, 2, hidden_ran=True)
    hidden = report.failures(hidden=True)
    graded = report.to_text()
    assert not any(r.case.hint in graded for r in hidden)
    mine = report.to_text(hidden=True)
    assert mine.count("✗ hidden Called:") == len({r.problem or r.case.id for r in hidden})
    for result in hidden:
        assert result.case.hint in mine


@pytest.mark.parametrize("validating", [False, True])
def test_check_under_validate_answers_whether_every_visible_check_passed(
    validating: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if validating:
        monkeypatch.setenv("NBGRADER_VALIDATING", "1")
        monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    else:
        monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ns = reference("01-provenance", "provenance.ipynb")
    task = load_suite(PROVENANCE).tasks[1]
    errors = io.StringIO()
    with redirect_stderr(errors):
        right = check(1, ns, folder=PROVENANCE)
        wrong = check(1, {"strip_boilerplate": lambda text: text}, folder=PROVENANCE)
    if validating:
        assert right == task.points  # nbgrader passes the cell
        assert wrong < task.points
        assert errors.getvalue().startswith("Task 1 · strip_boilerplate: ")
        assert "Called:" in errors.getvalue()
    else:
        assert right == load_suite(PROVENANCE).points_for(1) < task.points  # per-case credit, visible half
        assert errors.getvalue() == ""


def test_an_article_sentence_is_shown_whole_or_by_the_name_the_notebook_gives_it() -> None:
    ns = reference("02-attribution", "attribution.ipynb")
    tables = [name for name, value in ns.items() if name.isupper() and isinstance(value, dict)]
    suite, task = load_suite(ATTRIBUTION), task_of(ATTRIBUTION, "find_attribution")
    without_names = check_task(suite, {"find_attribution": lambda sentence: None}, task, hidden_ran=False)
    calls = [r.called() for r in without_names.failures(hidden=False)]
    assert calls and not any("…" in call for call in calls)
    assert any(case.args[0] in calls[i] for i, case in enumerate(r.case for r in without_names.failures(hidden=False)))
    named = check_task(suite, {**ns, "find_attribution": lambda sentence: None}, task, hidden_ran=False)
    text = named.to_text()
    assert any(f'Called:   find_attribution({table}["s' in text for table in tables), text


def test_an_evidence_class_that_is_not_a_dataclass_is_told_so() -> None:
    class Evidence:  # the fields are right, but it is a plain class, not the dataclass the task asks for
        def __init__(self, claim: str, source: str, kind: str, independent: bool, firsthand: bool,
                     supports: bool = True) -> None:
            self.claim, self.source, self.kind = claim, source, kind
            self.independent, self.firsthand, self.supports = independent, firsthand, supports

    task = task_of(EVIDENCE, "check_evidence")
    report = check_task(load_suite(EVIDENCE), {"Evidence": Evidence}, task, hidden_ran=False)
    made = [r for r in report.results if not r.case.raises]
    assert made and not any(r.passed for r in made)
    assert "Evidence returned an Evidence object; expected an Evidence dataclass." in report.to_text()
    assert "an Evidence object" in report.to_text() and "a Evidence" not in report.to_text()


def test_an_unfinished_check_evidence_is_named_when_evidence_runs_it() -> None:
    import linecache

    ns = reference("05-evidence", "evidence.ipynb")
    task = task_of(EVIDENCE, "check_evidence")
    for stub, crash in (("def check_evidence(piece):\n    raise NotImplementedError()\n", False),
                        ("def check_evidence(piece):\n    known = {}\n    return known[piece.kind]\n", True)):
        exec(compile(stub, "<cell 3>", "exec"), ns)
        linecache.cache["<cell 3>"] = (len(stub), None, stub.splitlines(True), "<cell 3>")
        text = check_task(load_suite(EVIDENCE), ns, task, hidden_ran=False).to_text()
        if crash:  # the crash is placed in check_evidence's cell, though the check called Evidence
            assert "Returned: raised KeyError: 'document'" in text
            assert "Where:    line 3 of your cell: return known[piece.kind]" in text
        else:
            assert "check_evidence is still the empty starting version" in text
            assert "Evidence is still" not in text


def test_every_function_a_case_expects_a_value_from_has_a_kind_in_the_contract() -> None:
    from autograder.checks.contract import RETURNS

    folders = sorted(p.parent for p in (ROOT / "solutions").glob("*/cases.yaml"))
    assert folders
    for folder in folders:
        suite = load_suite(folder, hidden_file=folder / HIDDEN_FILE)
        expecting = {case.function for case in suite.cases if not case.raises and case.expect is not None}
        assert expecting and not expecting - set(RETURNS), (folder.name, sorted(expecting - set(RETURNS)))
