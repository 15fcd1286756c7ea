"""Notebooks are stored clean, lessons run top to bottom in a real kernel, and shared data stays in step."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.datafiles import read_yaml
from autograder.manifest import load_manifest

from .conftest import ROOT

MANIFEST = load_manifest(ROOT / "course.yaml")


def committed_notebooks() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    on_disk = [p.relative_to(ROOT) for d in ("lessons", "solutions", "exercises") for p in (ROOT / d).rglob("*.ipynb")]
    return sorted({ROOT / p for p in listed} | {ROOT / p for p in on_disk if ".ipynb_checkpoints" not in p.parts})


def committed_text(path: Path) -> str:
    """The notebook as it is committed (git's index), so a learner's saved outputs in lessons/ do not
    count; the file itself where git does not track it."""
    shown = subprocess.run(["git", "show", f":{path.relative_to(ROOT).as_posix()}"], cwd=ROOT, capture_output=True)
    return shown.stdout.decode("utf-8") if shown.returncode == 0 else path.read_text("utf-8")


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_stored_without_outputs(path: Path) -> None:
    notebook = json.loads(committed_text(path))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: a cell has outputs"
            assert cell["execution_count"] is None, f"{path.name}: a cell has an execution count"


@pytest.mark.parametrize("lesson", MANIFEST.lessons, ids=lambda lesson: lesson.id)
def test_each_lesson_runs_top_to_bottom_in_a_fresh_kernel(lesson) -> None:  # type: ignore[no-untyped-def]
    path = ROOT / lesson.file
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"{lesson.file}: {output.get('ename')}: {output.get('evalue')}"
            assert output.get("name") != "stderr", f"{lesson.file}: wrote to stderr: {output.get('text', '')[:300]}"


def test_every_copy_of_a_data_file_in_an_exercise_is_identical_to_data(course_root: Path) -> None:
    data = {p.name: p.read_bytes() for p in (course_root / "data").iterdir() if p.is_file()}
    copies = [p for d in ("solutions", "exercises") for p in (course_root / d).rglob("*") if p.name in data]
    assert copies, "the exercises carry no copy of the article"
    for copy in copies:
        assert copy.read_bytes() == data[copy.name], f"{copy.relative_to(course_root)} differs from data/{copy.name}"


def test_the_article_is_the_case_study_byte_for_byte() -> None:
    shared = ROOT.parent / "shared" / "case" / "article.txt"
    if not shared.exists():
        pytest.skip(f"the course brief's copy of the article is not beside this checkout ({shared})")
    assert (ROOT / "data" / "article.txt").read_bytes() == shared.read_bytes()


def reference_functions(exercise: str, notebook: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The reference solution's functions, from the source notebook's setup and solution cells."""
    folder = ROOT / "solutions" / exercise
    monkeypatch.chdir(folder)
    namespace: dict = {}
    for cell in nbformat.read(folder / notebook, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and (meta.get("grade_id") == "setup" or meta.get("solution")):
            exec(compile(cell.source, f"{exercise}:{meta.get('grade_id')}", "exec"), namespace)
    return namespace


def test_the_annotations_cover_exactly_the_sentences_of_the_story(monkeypatch: pytest.MonkeyPatch) -> None:
    data, _ = read_yaml(ROOT / "data" / "annotations.yaml", "annotations")
    ref = reference_functions("01-provenance", "provenance.ipynb", monkeypatch)
    story = ref["strip_boilerplate"]((ROOT / "data" / "article.txt").read_text("utf-8"))
    assert [s["text"] for s in data["sentences"]] == ref["split_sentences"](story)
    for sentence in data["sentences"]:
        for phrase in [sentence["source"], sentence["verb"], *sentence["hedges"], *sentence["boosters"]]:
            if phrase:
                assert phrase.lower() in sentence["text"].lower(), f"{sentence['id']}: {phrase!r} is not in the sentence"
