"""Build the class report: read each exercise's results, analyse them, write the pages and the data.

``course report EX …`` calls :func:`write_reports`. Every input is only read: results files,
submitted notebooks and nbgrader's gradebook are never written.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks.cases import HIDDEN_FILE, load_suite
from ..layout import MANIFEST, RELEASE, SOURCE
from ..manifest import load_manifest
from .attention import NeedsHelp, needs_help
from .items import ItemAnalysis, analyse
from .load import ClassResults, load_class
from .plots import Plot, score_histogram
from .similarity import Answer, SimilarPair, answer_code, similar_pairs
from .written import Marking, WrittenAnswer, WrittenTask, marking_state, written_answers, written_tasks

__all__ = ["ExerciseReport", "REPORTS", "build_exercise", "write_reports"]

REPORTS = "reports"
"""Where the pages and data go by default: ``reports/`` in the course folder."""


@dataclass(kw_only=True)
class ExerciseReport:
    """Everything the page, the data files and the terminal summary say about one exercise."""

    exercise: str
    title: str
    loaded: ClassResults
    analysis: ItemAnalysis
    help: NeedsHelp
    pairs: list[SimilarPair]
    written: list[WrittenTask]
    answers: list[WrittenAnswer]
    marking: Marking
    total_plot: Plot
    task_plots: dict[int, Plot] = field(default_factory=dict)

    def notes(self) -> list[str]:
        lines = self.loaded.notes()
        if self.marking.note and self.loaded.results:
            lines.append(self.marking.note)
        return lines

    def to_mark(self) -> list[tuple[str, str]]:
        graded = {r.student for r in self.loaded.results}
        return [k for k in self.marking.to_mark({t.grade_id for t in self.written}) if k[0] in graded]

    def to_data(self) -> dict[str, Any]:
        """The report as plain data (the JSON file)."""
        a = self.analysis
        return {
            "exercise": self.exercise,
            "title": self.title,
            "notes": self.notes(),
            "submissions": len(set(self.loaded.submitted) | {r.student for r in self.loaded.results}),
            "graded": a.graded,
            "possible": a.possible,
            "mean": round(a.mean, 4),
            "median": a.median,
            "tasks": [
                {"task": t.task, "title": t.title, "function": t.function, "points": t.points,
                 "mean": round(t.mean, 4), "full_marks": t.full_marks, "unanswered": list(t.unanswered),
                 "scores": dict(sorted(_tally(t.scores).items()))}
                for t in a.tasks
            ],
            "cases": [
                {"id": c.id, "task": c.task, "hidden": c.hidden, "points": c.points, "call": c.call,
                 "expected": c.expected, "rule": c.rule, "answered": c.answered, "failed": c.failed,
                 "share_failed": round(c.share_failed, 4), "flag": c.flag,
                 "discrimination": None if c.discrimination is None else round(c.discrimination, 4),
                 "wrong_answers": [{"returned": r, "count": n} for r, n in c.wrong_answers],
                 "wrong_answers_not_recorded": c.unrecorded, "in_current_checks": c.known}
                for c in a.cases()
            ],
            "students": [
                {"student": r.student, "earned": r.earned, "possible": r.possible,
                 "tasks": {str(t.task): t.earned for t in r.tasks},
                 "unanswered": self.help.unanswered.get(r.student, []),
                 "problems": [{"kind": p.kind, "text": p.text} for p in r.problems],
                 "older_grader": r.older}
                for r in sorted(self.loaded.results, key=lambda r: r.student)
            ],
            "not_graded": [{"student": s, "why": why} for s, why in self.help.not_graded],
            "similar_pairs": [
                {"first": p.first, "second": p.second, "shared": p.shared,
                 "share_first": round(p.share_first, 4), "share_second": round(p.share_second, 4)}
                for p in self.pairs
            ],
            "written": {
                "tasks": [{"grade_id": t.grade_id, "points": t.points} for t in self.written],
                "to_mark": [{"student": s, "grade_id": g} for s, g in self.to_mark()],
                "unanswered": [{"student": w.student, "grade_id": w.grade_id} for w in self.answers if not w.answered],
            },
        }


def _tally(scores: tuple[float, ...]) -> dict[str, int]:
    tally: dict[str, int] = {}
    for score in scores:
        tally[f"{score:g}"] = tally.get(f"{score:g}", 0) + 1
    return tally


def build_exercise(root: Path, exercise: str) -> ExerciseReport:
    """The report of one exercise, from its results files, its cases and its submissions."""
    manifest = load_manifest(root / MANIFEST)
    info = manifest.exercise(exercise)
    suite = load_suite(root / RELEASE / exercise, hidden_file=root / SOURCE / exercise / HIDDEN_FILE)
    loaded = load_class(root, exercise, info.notebook)
    analysis = analyse(suite, loaded)
    written = written_tasks(root / SOURCE / exercise / info.notebook)
    students = sorted({r.student for r in loaded.results})
    answers = written_answers(root, exercise, info.notebook, written, students)
    marking = marking_state(root, exercise, {t.grade_id for t in written}) if loaded.results else Marking()
    pairs = similar_pairs(_answers(root, exercise, info.notebook, students), _stub(root, exercise, info.notebook))
    total_plot = score_histogram(list(analysis.totals), analysis.possible,
                                 title=f"{exercise}: auto-graded totals")
    task_plots = {t.task: score_histogram(list(t.scores), t.points, title=f"Task {t.task} · {t.function}")
                  for t in analysis.tasks}
    return ExerciseReport(exercise=exercise, title=info.title, loaded=loaded, analysis=analysis,
                          help=needs_help(loaded, answers), pairs=pairs, written=written, answers=answers,
                          marking=marking, total_plot=total_plot, task_plots=task_plots)


def _answers(root: Path, exercise: str, notebook: str, students: list[str]) -> list[Answer]:
    from ..grading.submissions import SUBMITTED

    answers = []
    for student in students:
        try:
            data = json.loads((root / SUBMITTED / student / exercise / notebook).read_text("utf-8"))
        except (OSError, ValueError, RecursionError):
            continue
        answers.append(Answer(student=student, code=answer_code(data)))
    return answers


def _stub(root: Path, exercise: str, notebook: str) -> str:
    try:
        return answer_code(json.loads((root / RELEASE / exercise / notebook).read_text("utf-8")))
    except (OSError, ValueError):
        return ""


def write_reports(root: Path, exercises: list[str], out: Path) -> list[ExerciseReport]:
    """Write ``<out>/<exercise>.html``, ``.json`` and two CSV files per exercise, and the course's
    ``<out>/index.html`` and ``<out>/course.json``. Returns the exercises' reports."""
    from .page import course_page, exercise_page

    manifest = load_manifest(root / MANIFEST)
    for name in exercises:
        manifest.exercise(name)  # refuses an unknown exercise, naming those there are
    out.mkdir(parents=True, exist_ok=True)
    reports = []
    for name in exercises:
        report = build_exercise(root, name)
        data = report.to_data()
        (out / f"{name}.html").write_text(exercise_page(report, course=manifest.title), "utf-8")
        (out / f"{name}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), "utf-8")
        _write_csv(out / f"{name}-cases.csv", [
            {k: v for k, v in case.items() if k != "wrong_answers"}
            | {"wrong_answers": "; ".join(f"{w['returned']} ×{w['count']}" for w in case["wrong_answers"])}
            for case in data["cases"]])
        _write_csv(out / f"{name}-students.csv", [
            {"student": s["student"], "earned": s["earned"], "possible": s["possible"]}
            | {f"task{k}": v for k, v in s["tasks"].items()}
            | {"unanswered": "; ".join(s["unanswered"]), "problems": "; ".join(p["text"] for p in s["problems"])}
            for s in data["students"]])
        reports.append(report)
    (out / "index.html").write_text(course_page(reports, course=manifest.title), "utf-8")
    summary = [{"exercise": r.exercise, "graded": r.analysis.graded, "possible": r.analysis.possible,
                "mean": round(r.analysis.mean, 4), "median": r.analysis.median,
                "checks_nearly_everyone_fails": sum(1 for c in r.analysis.cases() if c.flag == "hard"),
                "submissions_with_problems": len({s for items in r.help.problems.values() for s, _ in items}),
                "not_graded": len(r.help.not_graded), "similar_pairs": len(r.pairs), "written_to_mark": len(r.to_mark()),
                "notes": r.notes()} for r in reports]
    (out / "course.json").write_text(json.dumps({"course": manifest.title, "exercises": summary}, indent=1,
                                                ensure_ascii=False), "utf-8")
    return reports


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields or ["note"], restval="")
        writer.writeheader()
        writer.writerows(rows)
