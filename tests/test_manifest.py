"""course.yaml: the real one is valid, and each kind of broken one is refused with its file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.manifest import load_manifest, validate_course

from .conftest import ROOT, run_tool


def test_the_course_manifest_is_valid_and_every_file_it_names_exists() -> None:
    assert [str(p) for p in validate_course(ROOT)] == []


def test_course_validate_says_the_course_is_valid(course_root: Path) -> None:
    result = run_tool(["course", "validate"], course_root)
    assert "course.yaml is valid" in result.stdout


def line_number(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def broken(course: Path, old: str, new: str) -> str:
    path = course / "course.yaml"
    text = path.read_text("utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")
    return text


def problems(course: Path) -> list[str]:
    return [str(problem) for problem in validate_course(course)]


def test_a_yaml_syntax_error_names_the_line(course_copy: Path) -> None:
    text = broken(course_copy, "title: Who Says So?", "title: [Who Says So?")
    [message] = problems(course_copy)
    assert message.startswith(f"{course_copy / 'course.yaml'}:")
    assert "this is not valid YAML" in message
    assert f":{line_number(text, 'description:')}:" in message or f":{line_number(text, 'title: [')}:" in message


def test_an_unknown_key_is_named_with_its_line_and_the_keys_expected(course_copy: Path) -> None:
    first = next(line for line in (course_copy / "course.yaml").read_text("utf-8").splitlines(True)
                 if line.startswith("    minutes: {"))
    text = broken(course_copy, first, first + "    minuts: 5\n")
    [message] = problems(course_copy)
    assert f"course.yaml:{line_number(text, 'minuts')}:" in message
    assert "unknown key 'minuts'" in message
    assert "expected only: file, minutes, objectives, title" in message


def test_a_missing_key_is_named(course_copy: Path) -> None:
    broken(course_copy, "    notebook: provenance.ipynb\n", "")
    [message] = problems(course_copy)
    assert "exercises[0]: the key 'notebook' is missing" in message


def test_a_value_of_the_wrong_type_says_what_was_expected_and_what_arrived(course_copy: Path) -> None:
    text = broken(course_copy, "    points: 22\n", "    points: three\n")
    [message] = problems(course_copy)
    assert f"course.yaml:{line_number(text, 'points: three')}:" in message
    assert "exercises[0].points must be a number (got 'three', a str)" in message


def test_a_lesson_file_that_does_not_exist_is_named(course_copy: Path) -> None:
    text = broken(course_copy, "file: lessons/01-provenance.ipynb", "file: lessons/01-provenanse.ipynb")
    messages = problems(course_copy)
    assert any("the file lessons/01-provenanse.ipynb does not exist" in m for m in messages)
    assert any(f"course.yaml:{line_number(text, '01-provenanse') }:" in m for m in messages)


def test_an_exercise_listed_twice_is_refused_with_both_lines(course_copy: Path) -> None:
    entry = "  - folder: 01-provenance\n    notebook: provenance.ipynb\n"
    text = broken(course_copy, "  - folder: 02-attribution\n    notebook: attribution.ipynb\n", entry)
    [message] = problems(course_copy)
    first = line_number(text, "folder: 01-provenance")
    second = text.index("folder: 01-provenance", text.index("folder: 01-provenance") + 1)
    assert f"course.yaml:{text[:second].count(chr(10)) + 1}:" in message
    assert f"the exercise '01-provenance' is listed twice (first on line {first})" in message


def test_a_repeated_key_is_refused_rather_than_silently_overwritten(course_copy: Path) -> None:
    text = broken(course_copy, "  wall_seconds: 60\n", "  wall_seconds: 60\n  wall_seconds: 6\n")
    [message] = problems(course_copy)
    assert f"course.yaml:{line_number(text, 'wall_seconds: 6' + chr(10))}:" in message
    assert "the key 'wall_seconds' appears twice" in message


def test_points_that_disagree_with_the_notebook_are_refused(course_copy: Path) -> None:
    broken(course_copy, "    points: 22\n", "    points: 25\n")
    messages = problems(course_copy)
    assert any("01-provenance has points: 25, but the graded cells of provenance.ipynb add up to 22" in m for m in messages)


def test_an_exercise_that_assesses_an_unknown_lesson_is_refused(course_copy: Path) -> None:
    broken(course_copy, "    assesses: 01-provenance\n", "    assesses: 01-provenence\n")
    messages = problems(course_copy)
    assert any("assesses '01-provenence', which is not a lesson" in m for m in messages)


def test_course_validate_prints_each_problem_and_fails(course_copy: Path) -> None:
    broken(course_copy, "    points: 22\n", "    points: 25\n")
    result = run_tool(["course", "validate"], course_copy, check=False)
    assert result.returncode == 1
    assert "add up to 22" in result.stdout
    assert "problem" in result.stdout


def test_an_empty_manifest_is_refused(course_copy: Path) -> None:
    (course_copy / "course.yaml").write_text("", "utf-8")
    [message] = problems(course_copy)
    assert "the file is empty" in message


def test_the_manifest_records_lessons_in_course_order() -> None:
    manifest = load_manifest(ROOT / "course.yaml")
    assert [lesson.id for lesson in manifest.lessons] == sorted(lesson.id for lesson in manifest.lessons)
    assert manifest.lessons[0].id == "00-start-here"


def test_every_data_file_reads_as_pyyaml_reads_it_and_a_mistake_gets_pyyamls_own_words(tmp_path: Path) -> None:
    import yaml

    from autograder.datafiles import _load

    files = [p for part in ("course.yaml", "solutions", "exercises", "data", "tests/mutants")
             for p in ([ROOT / part] if part.endswith(".yaml") else sorted((ROOT / part).rglob("*.yaml")))]
    assert len(files) > 20
    for path in files:
        text = path.read_text("utf-8")
        root, data = _load(text)
        assert data == yaml.safe_load(text), path
        assert root is not None and root.end_mark.line == yaml.compose(text, Loader=yaml.SafeLoader).end_mark.line
    broken = "a: [1, 2\nb: 3\n"
    with pytest.raises(yaml.MarkedYAMLError) as ours:
        _load(broken)
    with pytest.raises(yaml.MarkedYAMLError) as theirs:
        yaml.safe_load(broken)
    assert ours.value.problem and ours.value.problem_mark and theirs.value.problem_mark
    assert (ours.value.problem, ours.value.problem_mark.line) == (theirs.value.problem, theirs.value.problem_mark.line)
