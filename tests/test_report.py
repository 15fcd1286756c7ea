"""`course report`: every number on the page is a direct count over the results files.

One class of exercise 01 is graded for real with `course grade` (honest work, each kind of
mistake, faults, a pair of similar answers, written answers), then reported on. The tests count
again, independently, from the results files and the submitted notebooks, and compare with what
the HTML page, the JSON and the CSV files say.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .classgen import failing, half_right, honest_class, submit, with_cell
from .conftest import ROOT, copy_course, run_tool, solved_release

EXERCISE, NOTEBOOK = "01-provenance", "provenance.ipynb"

# An answer of the student's own for task 1 (different from the reference), and the same code
# with other names, comments and spacing: the pair the report must find similar.
OWN_STRIP = '''
def strip_boilerplate(text: str) -> str:
    """Return the story in *text* without the web page's furniture."""
    # go through the lines one at a time and keep the story
    story_lines = []
    previous_blank = True
    for raw_line in text.split("\\n"):
        cleaned = raw_line.strip().lower()
        is_furniture = cleaned.rstrip(":.") in FURNITURE_LINES
        for prefix in FURNITURE_PREFIXES:
            if cleaned.startswith(prefix):
                is_furniture = True
        if is_furniture:
            continue
        if cleaned == "":
            if not previous_blank:
                story_lines.append("")
            previous_blank = True
        else:
            story_lines.append(raw_line)
            previous_blank = False
    while len(story_lines) > 0 and story_lines[-1] == "":
        story_lines = story_lines[:-1]
    return "\\n".join(story_lines)
'''
RENAMED_STRIP = '''
def strip_boilerplate(text: str) -> str:
    """Return the story in *text* without the web page's furniture."""
    kept = []      # the lines of the story
    gap = True
    for line in text.split("\\n"):
        low = line.strip().lower()
        junk = low.rstrip(":.") in FURNITURE_LINES
        for start in FURNITURE_PREFIXES:
            if low.startswith(start):
                junk = True   # furniture at the start of the line
        if junk:
            continue
        if low == "":
            if not gap:
                kept.append("")
            gap = True
        else:
            kept.append(line)
            gap = False

    while len(kept) > 0 and kept[-1] == "":
        kept = kept[:-1]
    return "\\n".join(kept)
'''
# A common slip, made by three students in the same words: common code, never a "similar pair".
KEEPS_BLANKS = '''
def strip_boilerplate(text: str) -> str:
    lines = [l for l in text.splitlines() if l.strip().lower().rstrip(":.") not in FURNITURE_LINES
             and not l.strip().lower().startswith(FURNITURE_PREFIXES)]
    return "\\n".join(lines).strip()
'''
def written_points() -> float:
    """The points of exercise 01's written answer, as its released notebook states them."""
    release = json.loads((ROOT / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    return float(next(cell["metadata"]["nbgrader"]["points"] for cell in release["cells"]
                      if cell["metadata"].get("nbgrader", {}).get("grade_id") == "task4-answer"))


WRITTEN = "The copy has no byline and ends with a comment form, so it came from a blog. I would search a quote."


def _answer(notebook: dict, grade_id: str, text: str) -> dict:
    changed = json.loads(json.dumps(notebook))
    for cell in changed["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = text
            return changed
    raise AssertionError(grade_id)


def _replace_function(notebook: dict, function: str, code: str) -> dict:
    changed = json.loads(json.dumps(notebook))
    for cell in changed["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["metadata"].get("nbgrader", {}).get("solution") and f"def {function}(" in source:
            cell["source"] = code
            return changed
    raise AssertionError(function)


def make_class(course: Path) -> dict[str, dict | str]:
    """Submissions by student: honest work, mistakes, faults, a similar pair and written answers."""
    reference = solved_release(course, EXERCISE, NOTEBOOK)
    release = json.loads((course / "exercises" / EXERCISE / NOTEBOOK).read_text("utf-8"))
    written = _answer(reference, "task4-answer", WRITTEN)
    work: dict[str, dict | str] = dict(honest_class(course, EXERCISE, NOTEBOOK))
    work["reference"] = written
    work["half-split"] = half_right(written, "split_sentences")
    work["fails-split"] = failing(reference, "split_sentences")
    for name in ("slip-a", "slip-b", "slip-c"):
        work[name] = _replace_function(written, "strip_boilerplate", KEEPS_BLANKS)
    work["sim-a"] = _replace_function(written, "strip_boilerplate", OWN_STRIP)
    work["sim-b"] = _replace_function(reference, "strip_boilerplate", RENAMED_STRIP)
    work["syntax"] = _replace_function(written, "split_sentences", "def split_sentences(text):\n    return [text\n")
    work["loops"] = with_cell(written, "while True:\n    pass\n")
    tampered = json.loads(json.dumps(written))
    for cell in tampered["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "task1-check":
            cell["source"] = "points = 4"
    work["tampered"] = tampered
    work["garbled"] = "{ this is not a notebook"
    work["stub-only"] = release
    return work


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course where `course grade` graded the class above; one written answer already marked."""
    course = copy_course(tmp_path_factory.mktemp("report") / "course")
    for student, notebook in make_class(course).items():
        submit(course, student, EXERCISE, NOTEBOOK, notebook)
    run_tool(["course", "grade", EXERCISE, "--jobs", "2"], course)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "who-says-so") as gradebook:
        grade = gradebook.find_grade("task4-answer", NOTEBOOK[:-6], EXERCISE, "reference")
        grade.manual_score = 3
        gradebook.db.commit()
    return course


@pytest.fixture(scope="module")
def reported(graded: Path) -> Path:
    result = run_tool(["course", "report", EXERCISE], graded)
    assert "Traceback" not in result.stdout + result.stderr
    (graded / "summary.txt").write_text(result.stdout, "utf-8")
    return graded


# ----- an independent count over the results files -------------------------------------------------

def results(course: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted((course / "results" / EXERCISE).glob("*.json"))}


def answered(task: dict) -> bool:
    return any(c["passed"] or c.get("returned") not in {"nothing", "NotImplementedError"} for c in task["cases"])


def expected_cases(course: Path) -> dict[str, dict]:
    """By case id: answered, failed, wrong answers, discrimination, counted straight from the files."""
    records = results(course)
    out: dict[str, dict] = {}
    for number in sorted({t["task"] for r in records.values() for t in r["tasks"]}):
        pool = [(s, r, next(t for t in r["tasks"] if t["task"] == number)) for s, r in records.items()]
        pool = [(s, r, t) for s, r, t in pool if answered(t)]
        upper = lower = set()
        if len(pool) >= 4:
            size = max(1, math.floor(0.27 * len(pool) + 0.5))
            by_total = sorted(pool, key=lambda item: (-item[1]["earned"], item[0]))
            upper = {s for s, _, _ in by_total[:size]}
            lower = {s for s, _, _ in by_total[-size:]}
        for case_id in [c["id"] for c in pool[0][2]["cases"]] if pool else []:
            outcomes = {s: next(c for c in t["cases"] if c["id"] == case_id) for s, _, t in pool}
            failed = [c for c in outcomes.values() if not c["passed"]]
            wrong = Counter(c["returned"] for c in failed)
            rate = lambda group: sum(outcomes[s]["passed"] for s in group) / len(group)  # noqa: E731
            out[case_id] = {
                "answered": len(outcomes), "failed": len(failed),
                "wrong": sorted(wrong.items(), key=lambda item: (-item[1], item[0]))[:3],
                "discrimination": rate(upper) - rate(lower) if upper else None,
            }
    return out


class Tables(HTMLParser):
    """The text of every cell of every table with an id, row by row, and each row's data attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[dict[str, str], list[str]]]] = {}
        self.images: list[dict[str, str]] = []
        self._table: str | None = None
        self._depth = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "table":
            self._depth += 1
            if attributes.get("id"):
                self._table = attributes["id"]
                self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append((attributes, []))
        elif tag in {"td", "th"} and self._table:
            self._cell = []
        elif tag == "li" and self._cell is not None:
            self._cell.append("\n")
        elif tag == "img":
            self.images.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None and self._table:
            self.tables[self._table][-1][1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._depth -= 1
            if self._depth == 0:
                self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page(course: Path, name: str = EXERCISE) -> Tables:
    parser = Tables()
    parser.feed((course / "reports" / f"{name}.html").read_text("utf-8"))
    return parser


# ----- the tests ----------------------------------------------------------------------------------

def test_the_class_has_every_kind_of_submission(graded: Path) -> None:
    records = results(graded)
    assert len(records) == len(make_class(graded))
    assert records["reference"]["earned"] == 16 and records["stub-only"]["earned"] == 0
    assert any("syntax error" in p for p in records["syntax"]["problems"])
    assert any("locked cell task1-check was changed" in p for p in records["tampered"]["problems"])
    assert records["garbled"].get("unreadable")
    failed = [c for t in records["slip-a"]["tasks"] for c in t["cases"] if not c["passed"]]
    assert failed and all(isinstance(c["returned"], str) and len(c["returned"]) <= 200 for c in failed)


def test_the_scores_and_every_task_count_match_the_results_files(reported: Path) -> None:
    records = results(reported)
    tables = page(reported).tables
    summary = {row[1][0]: row[1][1] for row in tables["summary"]}
    totals = sorted(r["earned"] for r in records.values())
    assert summary["Graded"] == str(len(records))
    assert summary["Mean auto-graded score"] == f"{sum(totals) / len(totals):.2f} of 16"
    middle = len(totals) // 2
    median = totals[middle] if len(totals) % 2 else (totals[middle - 1] + totals[middle]) / 2
    assert summary["Median"] == f"{median:g} of 16"
    for attributes, cells in tables["tasks"][1:]:
        number = int(attributes["data-task"])
        tasks = [next(t for t in r["tasks"] if t["task"] == number) for r in records.values()]
        scores = [t["earned"] for t in tasks]
        assert cells[2] == f"{sum(scores) / len(scores):.2f}", cells
        assert cells[3] == str(sum(1 for t in tasks if t["earned"] == t["possible"]))
        assert cells[4] == str(sum(1 for t in tasks if not answered(t)))


def test_every_case_row_matches_a_direct_count_and_the_rows_are_sorted(reported: Path) -> None:
    expected = expected_cases(reported)
    rows = page(reported).tables["cases"][1:]
    assert {a["data-case"] for a, _ in rows} == set(expected), "every case, visible and hidden, has a row"
    shares = []
    for attributes, cells in rows:
        want = expected[attributes["data-case"]]
        assert cells[1] == f"{want['failed']} of {want['answered']}", attributes
        share = want["failed"] / want["answered"]
        assert cells[2] == f"{100 * share:.0f}%"
        shares.append(share)
        if want["discrimination"] is None:
            assert cells[4] == "—"
        else:
            assert cells[4] == f"{want['discrimination']:+.2f}"
        wrong = [line.rsplit(" × ", 1) for line in cells[8].split("\n") if line.strip()]
        assert [(text.strip(), int(count)) for text, count in wrong] == want["wrong"], attributes
        flag = cells[3]
        assert (flag == "nearly everyone fails") == (share >= 0.9)
        assert (flag == "nobody fails") == (want["failed"] == 0)
    assert shares == sorted(shares, reverse=True)


def test_the_common_slip_is_counted_as_one_wrong_answer_given_three_times(reported: Path) -> None:
    data = json.loads((reported / "reports" / f"{EXERCISE}.json").read_text("utf-8"))
    slips = {s["student"] for s in data["students"] if s["student"].startswith("slip-")}
    assert slips == {"slip-a", "slip-b", "slip-c"}
    by_id = {c["id"]: c for c in data["cases"]}
    record = results(reported)["slip-a"]
    slipped = [c for c in record["tasks"][0]["cases"] if not c["passed"]]
    assert slipped
    for case in slipped:
        counts = {w["returned"]: w["count"] for w in by_id[case["id"]]["wrong_answers"]}
        assert counts.get(case["returned"], 0) >= 3, case["id"]
        assert by_id[case["id"]]["rule"], "the rule comes from the case's hint"


def test_who_needs_help_lists_the_lowest_scores_problems_and_unanswered_tasks(reported: Path) -> None:
    records = results(reported)
    tables = page(reported).tables
    ranked = sorted(records, key=lambda s: (records[s]["earned"], s))
    lowest = [a["data-student"] for a, _ in tables["lowest"][1:]]
    assert lowest == ranked[:max(5, math.ceil(0.1 * len(records)))]
    for attributes, cells in tables["lowest"][1:]:
        record = records[attributes["data-student"]]
        assert cells[1] == f"{record['earned']:g} of {record['possible']:g}"
    kinds = {(a["data-kind"], a["data-student"]) for a, _ in tables["problems"][1:]}
    assert ("syntax", "syntax") in kinds
    assert ("tampering", "tampered") in kinds
    assert ("unreadable", "garbled") in kinds
    assert ("timeout", "loops") in kinds
    assert not any(student in {"reference", "sim-a", "slip-a"} for _, student in kinds)
    unanswered = {a["data-student"]: cells[1] for a, cells in tables["unanswered"][1:]}
    expected = {s for s, r in records.items() if not all(answered(t) for t in r["tasks"])}
    assert expected <= set(unanswered)
    assert "task 1" in unanswered["stub-only"] and "task 4 (written)" in unanswered["stub-only"]
    assert "reference" not in unanswered


def test_the_similar_pair_is_found_and_the_common_slip_and_the_reference_are_not(reported: Path) -> None:
    tables = page(reported).tables
    pairs = [a["data-pair"] for a, _ in tables["pairs"][1:]]
    assert pairs == ["sim-a|sim-b"]
    text = (reported / "reports" / f"{EXERCISE}.html").read_text("utf-8")
    assert "<mark>" in text and "Similar is not copied" in text
    assert "copied" not in text.replace("Similar is not copied", "").replace("not necessarily copied", "")


def test_written_answers_are_shown_with_the_model_answer_rubric_and_marking_state(reported: Path) -> None:
    text = (reported / "reports" / f"{EXERCISE}.html").read_text("utf-8")
    rubric = f"Rubric ({written_points():g} points)"
    assert "Model answer" in text and rubric in text and WRITTEN in text
    data = json.loads((reported / "reports" / f"{EXERCISE}.json").read_text("utf-8"))
    to_mark = {item["student"] for item in data["written"]["to_mark"]}
    answered_written = {s for s, n in make_class(reported).items() if isinstance(n, dict) and any(
        c["metadata"].get("nbgrader", {}).get("grade_id") == "task4-answer" and WRITTEN in "".join(c["source"])
        for c in n["cells"])}
    assert "reference" not in to_mark, "the answer marked in the gradebook is not listed as to mark"
    assert to_mark <= set(results(reported))
    assert answered_written - {"reference"} <= to_mark
    assert f"marked: 3 of {written_points():g}" in text
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{reported / 'gradebook.db'}", "who-says-so") as gradebook:
        grades = [gradebook.find_grade("task4-answer", NOTEBOOK[:-6], EXERCISE, student) for student in results(reported)]
        waiting = sorted(g.student.id for g in grades if g.needs_manual_grade and g.manual_score is None)
    assert sorted(to_mark) == waiting
    assert f"{len(waiting)} of {len(grades)} written answers are still to mark" in text
    sheet = run_tool(["course", "rubric", EXERCISE, "--student", "sim-b"], reported).stdout
    assert rubric in sheet and "── sim-b (to mark; it contains the model answer word for word)" in sheet
    sheet = run_tool(["course", "rubric", EXERCISE, "--student", "sim-a"], reported).stdout
    assert f"── sim-a (to mark)\n{WRITTEN}" in sheet


def test_the_csv_and_json_carry_the_same_numbers(reported: Path) -> None:
    data = json.loads((reported / "reports" / f"{EXERCISE}.json").read_text("utf-8"))
    expected = expected_cases(reported)
    with (reported / "reports" / f"{EXERCISE}-cases.csv").open(newline="", encoding="utf-8") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    for case in data["cases"]:
        assert (case["failed"], case["answered"]) == (expected[case["id"]]["failed"], expected[case["id"]]["answered"])
        assert int(rows[case["id"]]["failed"]) == case["failed"]
    with (reported / "reports" / f"{EXERCISE}-students.csv").open(newline="", encoding="utf-8") as handle:
        students = {row["student"]: float(row["earned"]) for row in csv.DictReader(handle)}
    assert students == {s: r["earned"] for s, r in results(reported).items()}


def test_the_plots_are_embedded_with_a_description(reported: Path) -> None:
    images = page(reported).images
    assert len(images) == 1 + 3, "the totals and one histogram per auto-graded task"
    text = (reported / "reports" / f"{EXERCISE}.html").read_text("utf-8")
    for image in images:
        assert image["src"].startswith("data:image/svg+xml;base64,")
        assert image["alt"].endswith(": histogram")
        caption = text.split(f"id='{image['aria-describedby']}'>", 1)[1].split("</figcaption>", 1)[0]
        assert "Bar chart of how many of the" in caption
    records = results(reported)
    for number in (1, 2, 3):
        caption = text.split(f"id='plot-task{number}-text'>", 1)[1].split("</figcaption>", 1)[0]
        shown = dict(item.rsplit(": ", 1) for item in caption.split(": ", 1)[1].rstrip(".").split("; "))
        scores = Counter(next(t for t in r["tasks"] if t["task"] == number)["earned"] for r in records.values())
        assert shown == {f"{score:g} points": str(n) for score, n in sorted(scores.items())}, number
    assert "http://" not in text and "https://" not in text and "<script" not in text


def test_the_terminal_summary_and_the_course_page(reported: Path) -> None:
    summary = (reported / "summary.txt").read_text("utf-8")
    assert f"{EXERCISE}: {len(results(reported))} graded" in summary
    assert "1 similar pair" in summary
    course = Tables()
    course.feed((reported / "reports" / "index.html").read_text("utf-8"))
    row = course.tables["exercises"][1][1]
    records = results(reported)
    totals = sorted(r["earned"] for r in records.values())
    assert row[0] == EXERCISE and row[1] == str(len(records))
    assert row[2] == f"{sum(totals) / len(totals):.2f} of 16"
    assert row[4] == str(sum(1 for c in expected_cases(reported).values() if c["failed"] / c["answered"] >= 0.9))
    assert row[7] == "1"
    summary = json.loads((reported / "reports" / "course.json").read_text("utf-8"))["exercises"]
    assert [(e["exercise"], e["graded"], e["similar_pairs"]) for e in summary] == [(EXERCISE, len(records), 1)]


# ----- bad input ----------------------------------------------------------------------------------

def fingerprint(course: Path) -> dict[str, str]:
    files = sorted((course / "results").rglob("*")) + [course / "gradebook.db"]
    return {str(p.relative_to(course)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


def test_missing_partial_and_older_results_get_a_clear_line_and_nothing_is_changed(
    reported: Path, tmp_path: Path
) -> None:
    course = tmp_path / "course"
    shutil.copytree(reported, course)
    folder = course / "results" / EXERCISE
    (folder / "half-strip_boilerplate.json").write_text('{"student": "half-strip_boilerplate", "tasks": [', "utf-8")
    partial = json.loads((folder / "sim-b.json").read_text("utf-8"))
    del partial["tasks"][0]["cases"]
    (folder / "sim-b.json").write_text(json.dumps(partial), "utf-8")
    older = json.loads((folder / "slip-a.json").read_text("utf-8"))
    for task in older["tasks"]:
        for case in task["cases"]:
            case.pop("returned", None)
    for key in ("version", "grader_version", "schema"):  # an older grader recorded none of them
        older.pop(key, None)
    (folder / "slip-a.json").write_text(json.dumps(older), "utf-8")
    newer = json.loads((folder / "slip-b.json").read_text("utf-8"))
    newer["version"] = 2
    (folder / "slip-b.json").write_text(json.dumps(newer), "utf-8")
    typed = json.loads((folder / "syntax.json").read_text("utf-8"))
    typed["version"] = 2
    typed["problems"] = [{"kind": "syntax_error", "message": "Cell 7 (task 2) has a syntax error on line 2."}]
    (folder / "syntax.json").write_text(json.dumps(typed), "utf-8")
    hung = json.loads((folder / "sim-a.json").read_text("utf-8"))
    hidden = next(c for c in hung["tasks"][1]["cases"] if c["hidden"])
    hidden.update(passed=False, returned="nothing",
                  problem="split_sentences did not finish within 5 seconds, so it was stopped.")
    (folder / "sim-a.json").write_text(json.dumps(hung), "utf-8")
    (folder / "crashed.json").write_text(json.dumps({"student": "crashed", "status": "not_graded",
                                                      "reason": "the sandbox could not start"}), "utf-8")
    submit(course, "late", EXERCISE, NOTEBOOK, solved_release(course, EXERCISE, NOTEBOOK))
    before = fingerprint(course)
    result = run_tool(["course", "report", EXERCISE], course)
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    assert "results/01-provenance/half-strip_boilerplate.json: not a results file (it is not JSON" in out
    assert "results/01-provenance/sim-b.json: an incomplete results file (tasks[0] has no list of 'cases')" in out
    assert "1 submission in submitted/ has no results file in results/01-provenance/ (not graded yet: late)" in out
    assert "from an older grader version" in out and "do not record what failed cases returned" in out
    notes = "\n".join(json.loads((course / "reports" / f"{EXERCISE}.json").read_text("utf-8"))["notes"])
    assert "late" in notes and "sim-b.json" in notes
    text = (course / "reports" / f"{EXERCISE}.html").read_text("utf-8")
    assert "half-strip_boilerplate.json: not a results file" in text
    assert fingerprint(course) == before, "nothing in results/ or the gradebook changed"
    assert "could not be graded because of a problem in the grader, not in the student's work (crashed)" in out
    tables = page(course).tables
    assert dict((c[0], c[1]) for _, c in tables["summary"])["Graded"] == str(len(results(reported)) - 2)
    assert ("syntax", "syntax") in {(a["data-kind"], a["data-student"]) for a, _ in tables["problems"][1:]}
    hangs = {a["data-student"]: cells[2] for a, cells in tables["problems"][1:] if a["data-kind"] == "hidden_hang"}
    assert hangs == {"sim-a": "1 hidden check of task 2 did not finish in time, though every visible one did."}
    not_graded = {cells[0]: cells[1] for _, cells in tables["not-graded"][1:]}
    assert not_graded["late"] == "submitted, not graded yet"
    assert not_graded["crashed"] == "the grader failed: the sandbox could not start"


def test_an_exercise_with_no_submissions_gets_a_clear_line(reported: Path) -> None:
    result = run_tool(["course", "report", "02-attribution", "--out", "reports-empty"], reported)
    assert "02-attribution: no submissions in submitted/*/02-attribution/ and no results" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    text = (reported / "reports-empty" / "02-attribution.html").read_text("utf-8")
    assert "there is nothing to report yet" in text


def test_an_unknown_exercise_is_refused_with_the_names_there_are(reported: Path) -> None:
    result = run_tool(["course", "report", "99-nothing"], reported, check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "01-provenance" in result.stderr
