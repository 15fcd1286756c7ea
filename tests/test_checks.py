"""The check engine end to end: cases from the exercise's files, students' functions, feedback."""

from __future__ import annotations

import io
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from autograder.checks import check_task, load_suite
from autograder.checks.cases import HIDDEN_FILE
from autograder.datafiles import DataFileError
from autograder.notebook import CheckSetupError, check, check_report

from .conftest import ROOT

EXERCISE = ROOT / "solutions" / "01-provenance"


def split_on_full_stops(text: str) -> list[str]:
    return [part.strip() + "." for part in text.split(".") if part.strip()]


def test_a_failing_case_says_what_was_called_returned_and_expected_with_a_hint() -> None:
    suite = load_suite(EXERCISE)
    report = check_task(suite, {"split_sentences": lambda text: [text]}, 2, hidden_ran=False)
    text = report.to_text()
    assert "Called:   split_sentences(" in text
    assert "Returned: " in text and "Expected: " in text
    assert "Note:     Your list has 1 item; the expected list has 2." in text
    assert "Hint:     A full stop followed by a space and a capital letter ends a sentence." in text
    assert report.earned < report.possible


def test_hidden_cases_are_announced_but_never_reported_as_passed_when_not_run() -> None:
    report = check_task(load_suite(EXERCISE), {"split_sentences": split_on_full_stops}, 2, hidden_ran=False)
    text = report.to_text()
    assert "Hidden checks worth 3 more points run when your work is graded" in text
    assert "hidden checks passed" not in text
    assert all(not r.case.hidden for r in report.results)


def test_a_failing_hidden_case_says_only_that_a_hidden_check_of_the_task_failed() -> None:
    suite = load_suite(EXERCISE, hidden_file=EXERCISE / HIDDEN_FILE)
    report = check_task(suite, {"split_sentences": split_on_full_stops}, 2, hidden_ran=True)
    hidden_failures = report.failures(hidden=True)
    assert hidden_failures
    hidden = [r for r in report.results if r.case.hidden]
    text = report.to_text()
    assert len(hidden_failures) > 1
    assert f"{len(hidden_failures)} of the {len(hidden)} hidden checks of task 2 failed." in text
    for result in hidden_failures:
        assert result.case.hint not in text
        assert result.case.id not in text


def test_a_missing_function_is_reported_in_plain_words() -> None:
    report = check_task(load_suite(EXERCISE), {}, 1, hidden_ran=False)
    assert report.earned == 0
    assert "There is no strip_boilerplate yet." in report.to_text()
    assert "NameError" not in report.to_text()


def test_the_release_stub_is_reported_as_not_started() -> None:
    def strip_boilerplate(text: str) -> str:
        raise NotImplementedError()

    report = check_task(load_suite(EXERCISE), {"strip_boilerplate": strip_boilerplate}, 1, hidden_ran=False)
    assert "still the empty starting version" in report.to_text()


def test_an_exception_is_shown_as_what_came_back() -> None:
    def strip_boilerplate(text: str) -> str:
        return text.splt()  # type: ignore[attr-defined]

    report = check_task(load_suite(EXERCISE), {"strip_boilerplate": strip_boilerplate}, 1, hidden_ran=False)
    assert "Returned: raised AttributeError: 'str' object has no attribute 'splt'" in report.to_text()


def test_a_function_that_prints_and_warns_writes_nothing_to_stderr() -> None:
    import sys
    import warnings

    def strip_boilerplate(text: str) -> str:
        print("debugging", file=sys.stderr)
        warnings.warn("careful")
        return text

    stderr = io.StringIO()
    with redirect_stderr(stderr):
        check_task(load_suite(EXERCISE), {"strip_boilerplate": strip_boilerplate}, 1, hidden_ran=False)
    assert stderr.getvalue() == ""


def test_check_returns_the_points_earned_for_nbgraders_partial_credit() -> None:
    def strip_boilerplate(text: str) -> str:
        return "" if text.startswith("Leave a Reply") else text

    namespace = {"strip_boilerplate": strip_boilerplate}
    report = check_report(1, namespace, folder=EXERCISE)
    assert 0 < report.earned < report.possible
    assert check(1, namespace, folder=EXERCISE) == report.earned
    assert "<table" in report._repr_html_()


def test_check_in_a_notebook_folder_runs_the_hidden_cases_only_when_asked() -> None:
    ns = {"split_sentences": split_on_full_stops}
    visible = check_report(2, ns, folder=EXERCISE)
    with_hidden = check_report(2, ns, folder=EXERCISE, hidden=True)
    assert not any(r.case.hidden for r in visible.results)
    assert any(r.case.hidden for r in with_hidden.results)


def test_check_outside_a_course_cannot_find_hidden_cases_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "cases.yaml").write_text((EXERCISE / "cases.yaml").read_text("utf-8"), "utf-8")
    with pytest.raises(CheckSetupError, match="hidden cases were not found"):
        check(1, {}, folder=tmp_path, hidden=True)


def test_check_without_a_cases_file_explains_where_the_notebook_belongs(tmp_path: Path) -> None:
    with pytest.raises(CheckSetupError, match="Keep the notebook in its exercise folder"):
        check(1, {}, folder=tmp_path)


def test_a_cases_file_with_a_case_for_an_unknown_task_is_refused(tmp_path: Path) -> None:
    text = (EXERCISE / "cases.yaml").read_text("utf-8").replace("  - id: empty-text\n    task: 2", "  - id: empty-text\n    task: 9")
    (tmp_path / "cases.yaml").write_text(text, "utf-8")
    with pytest.raises(DataFileError, match=r"cases\[\d+\]: task 9 is not one of the tasks \[1, 2, 3\]") as error:
        load_suite(tmp_path)
    assert error.value.line is not None


def test_a_hidden_case_may_not_reuse_a_visible_case_id(tmp_path: Path) -> None:
    (tmp_path / "cases.yaml").write_text((EXERCISE / "cases.yaml").read_text("utf-8"), "utf-8")
    hidden = (EXERCISE / HIDDEN_FILE).read_text("utf-8").replace("id: abbreviations", "id: empty-text")
    (tmp_path / HIDDEN_FILE).write_text(hidden, "utf-8")
    with pytest.raises(DataFileError, match="the case id 'empty-text' is used twice"):
        load_suite(tmp_path, hidden_file=tmp_path / HIDDEN_FILE)
