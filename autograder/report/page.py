"""The report as self-contained HTML pages: no scripts, no network, plots embedded as data URIs."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from .build import ExerciseReport
from .items import HARD, CaseStats
from .problems import KINDS

__all__ = ["course_page", "exercise_page"]

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;
color:#1f2328;line-height:1.45}
h1{font-size:1.6em;margin-bottom:0}h2{margin-top:1.6em;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.sub{color:#57606a;margin-top:2px}
table{border-collapse:collapse;margin:8px 0;font-size:.92em}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
td code{overflow-wrap:anywhere}code.id{overflow-wrap:normal;word-break:normal}
table.fixed{table-layout:fixed;width:100%}ul.wrong{margin:0;padding-left:16px}
.notes{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px 8px 28px;border-radius:6px}
.flag{font-weight:600;white-space:nowrap}.flag-hard{color:#cf222e}.flag-easy{color:#1a7f37}.flag-reversed{color:#9a6700}
.tasks{display:flex;flex-wrap:wrap;gap:16px}.tasks figure{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:8px;width:380px}
figcaption{font-size:.82em;color:#57606a}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}.pair pre{background:#f6f8fa;padding:8px;overflow:auto;
max-height:520px;border:1px solid #d0d7de;white-space:pre-wrap}
mark{background:#ffd8b5}
.written pre,.model{white-space:pre-wrap;background:#f6f8fa;padding:6px 8px;border-radius:4px;margin:0}
.muted{color:#57606a}
@media print{.pair pre{max-height:none}}
"""


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>\n")


def _n(value: float) -> str:
    return f"{value:g}"


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _notes(lines: Iterable[str]) -> str:
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f"<ul class='notes' id='notes' role='note'>{items}</ul>" if items else ""


def _figure(uri: str, title: str, description: str, figure_id: str) -> str:
    """An embedded plot: its alt text names it, and the caption (which screen readers are pointed to) describes it."""
    return (f"<figure id='{figure_id}'><img src='{uri}' alt='{escape(title, quote=True)}: histogram' width='380' "
            f"height='200' aria-describedby='{figure_id}-text'>"
            f"<figcaption id='{figure_id}-text'>{escape(description)}</figcaption></figure>")


def exercise_page(report: ExerciseReport, *, course: str) -> str:
    """The page of one exercise: scores, item analysis, who needs help, similar pairs, written answers."""
    a = report.analysis
    parts = [f"<h1>{escape(report.exercise)} · {escape(report.title)}</h1>",
             f"<p class='sub'>Class report of {escape(course)} · <a href='index.html'>all exercises</a></p>",
             _notes(report.notes())]
    if not a.graded:
        parts.append("<p id='empty'>There are no graded submissions to report on.</p>")
        return _page(f"{report.exercise} · class report", "".join(parts))
    submissions = len(set(report.loaded.submitted) | {r.student for r in report.loaded.results})
    parts.append(
        "<h2 id='scores'>Scores</h2>"
        f"<table id='summary'><tr><th scope='row'>Submissions</th><td class='n'>{submissions}</td></tr>"
        f"<tr><th scope='row'>Graded</th><td class='n'>{a.graded}</td></tr>"
        f"<tr><th scope='row'>Mean auto-graded score</th><td class='n'>{a.mean:.2f} of {_n(a.possible)}</td></tr>"
        f"<tr><th scope='row'>Median</th><td class='n'>{_n(a.median)} of {_n(a.possible)}</td></tr></table>"
        "<p class='muted'>Auto-graded points only: written answers are marked by hand in formgrader.</p>"
    )
    parts.append("<div class='tasks'>" + _figure(report.total_plot.uri, report.total_plot.title, report.total_plot.description, "plot-total"))
    for task in a.tasks:
        plot = report.task_plots[task.task]
        parts.append(_figure(plot.uri, plot.title, plot.description, f"plot-task{task.task}"))
    parts.append("</div>")
    rows = "".join(
        f"<tr data-task='{t.task}'><td>Task {t.task} · <code>{escape(t.function)}</code></td>"
        f"<td class='n'>{_n(t.points)}</td><td class='n'>{t.mean:.2f}</td><td class='n'>{t.full_marks}</td>"
        f"<td class='n'>{len(t.unanswered)}</td></tr>" for t in a.tasks)
    parts.append("<table id='tasks'><tr><th>Task</th><th>Points</th><th>Mean</th><th>Full marks</th>"
                 f"<th>Not answered</th></tr>{rows}</table>")
    parts.append(_cases(report))
    parts.append(_help(report))
    parts.append(_similar(report))
    parts.append(_written(report))
    return _page(f"{report.exercise} · class report", "".join(parts))


def _flag(case: CaseStats) -> str:
    words = {"hard": "nearly everyone fails", "easy": "nobody fails", "reversed": "weaker work passes it more"}
    return f"<span class='flag flag-{case.flag}'>{words[case.flag]}</span>" if case.flag else ""


def _cases(report: ExerciseReport) -> str:
    rows = []
    for case in report.analysis.cases():
        wrong = "".join(f"<li><code>{escape(text)}</code> × {count}</li>" for text, count in case.wrong_answers)
        if case.unrecorded:
            wrong += f"<li class='muted'>{case.unrecorded} not recorded (older grader)</li>"
        discrimination = "—" if case.discrimination is None else f"{case.discrimination:+.2f}"
        known = "" if case.known else "<br><span class='muted'>not in the current cases files</span>"
        rows.append(
            f"<tr data-case='{escape(case.id, quote=True)}'><td><code class='id'>{escape(case.id)}</code><br>"
            f"<span class='muted'>task {case.task} · {'hidden' if case.hidden else 'visible'}</span>{known}</td>"
            f"<td class='n'>{case.failed} of {case.answered}</td><td class='n'>{_pct(case.share_failed)}</td>"
            f"<td>{_flag(case)}</td><td class='n'>{discrimination}</td>"
            f"<td><code>{escape(case.call)}</code></td><td><code>{escape(case.expected)}</code></td>"
            f"<td>{escape(case.rule)}</td><td><ul class='wrong'>{wrong}</ul></td></tr>")
    widths = (12, 6, 5, 8, 7, 18, 14, 13, 17)
    columns = "".join(f"<col style='width:{w}%'>" for w in widths)
    return (
        "<h2 id='item-analysis'>Which checks the class fails</h2>"
        "<p>Every check, visible and hidden, the most failed first. Shares are of the submissions that answered the "
        "task; a task left unanswered is listed under <a href='#help'>who needs help</a>. "
        f"<span class='flag flag-hard'>Nearly everyone fails</span> marks a check that {_pct(HARD)} or more fail: "
        "a rule that was badly taught, or a check that is wrong. Discrimination is the pass rate of the top 27% "
        "(by total) minus that of the bottom 27%: near 0 the check does not separate strong work from weak.</p>"
        f"<table id='cases' class='fixed'><colgroup>{columns}</colgroup><tr><th>Check</th><th>Failed</th><th>Share</th>"
        "<th>Flag</th><th>Discrimi&shy;nation</th><th>Input</th><th>Expected</th><th>Rule it tests (its hint)</th>"
        f"<th>Most common wrong answers</th></tr>{''.join(rows)}</table>")


def _help(report: ExerciseReport) -> str:
    h = report.help
    parts = ["<h2 id='help'>Who needs help</h2>", "<h3>Lowest scores</h3>"]
    rows = "".join(
        f"<tr data-student='{escape(r.student, quote=True)}'><td>{escape(r.student)}</td>"
        f"<td class='n'>{_n(r.earned)} of {_n(r.possible)}</td>"
        f"<td>{escape(', '.join(h.unanswered.get(r.student, [])))}</td>"
        f"<td>{escape('; '.join(p.text for p in r.problems))}</td></tr>" for r in h.lowest)
    parts.append("<table id='lowest'><tr><th>Student</th><th>Auto score</th><th>Not answered</th><th>Problems</th></tr>"
                 f"{rows}</table>")
    parts.append("<h3>Submissions with problems</h3>")
    if h.problems:
        rows = "".join(
            f"<tr data-kind='{kind}' data-student='{escape(student, quote=True)}'><td>{escape(KINDS[kind])}</td>"
            f"<td>{escape(student)}</td><td>{escape(text)}</td></tr>"
            for kind, items in h.problems.items() for student, text in items)
        parts.append(f"<table id='problems'><tr><th>Kind</th><th>Student</th><th>What happened</th></tr>{rows}</table>")
    else:
        parts.append("<p id='problems'>No submission had a problem running.</p>")
    parts.append("<h3>Tasks not answered</h3>")
    if h.unanswered:
        rows = "".join(f"<tr data-student='{escape(s, quote=True)}'><td>{escape(s)}</td><td>{escape(', '.join(t))}</td></tr>"
                       for s, t in sorted(h.unanswered.items()))
        parts.append(f"<table id='unanswered'><tr><th>Student</th><th>Tasks</th></tr>{rows}</table>")
    else:
        parts.append("<p id='unanswered'>Every graded submission answered every task.</p>")
    if h.not_graded:
        rows = "".join(f"<tr><td>{escape(s)}</td><td>{escape(why)}</td></tr>" for s, why in h.not_graded)
        parts.append(f"<h3>Not graded</h3><table id='not-graded'><tr><th>Student</th><th>Why</th></tr>{rows}</table>")
    to_mark = report.to_mark()
    parts.append("<h3>Manual grading</h3>")
    if report.marking.note:
        parts.append(f"<p id='marking'>{escape(report.marking.note)}</p>")
    elif report.written:
        total = sum(1 for key in report.marking.marks if key[1] in {t.grade_id for t in report.written}
                    and key[0] in {r.student for r in report.loaded.results})
        parts.append(f"<p id='marking'>{len(to_mark)} of {total} written answers are still to mark in formgrader "
                     "(see <a href='#written'>written answers</a>).</p>")
    else:
        parts.append("<p id='marking'>This exercise has no written answers.</p>")
    return "".join(parts)


def _similar(report: ExerciseReport) -> str:
    parts = ["<h2 id='similar'>Similar answer code</h2>",
             "<p>Pairs whose answer code is unusually alike once names, strings, whitespace and comments are set aside, "
             "and after discounting the released stub and code that many in the class share. Similar is not copied: "
             "people converge on the same answer, work together as allowed, or use the same source. It is evidence "
             "for you to weigh, with the students, before any conclusion.</p>"]
    if not report.pairs:
        parts.append("<p id='pairs'>No pair of submissions is unusually similar.</p>")
        return "".join(parts)
    rows = "".join(
        f"<tr data-pair='{escape(p.first, quote=True)}|{escape(p.second, quote=True)}'><td>{escape(p.first)}</td>"
        f"<td>{escape(p.second)}</td><td class='n'>{_pct(p.share_first)}</td><td class='n'>{_pct(p.share_second)}</td>"
        f"<td class='n'>{p.shared}</td><td><a href='#pair{i}'>side by side</a></td></tr>"
        for i, p in enumerate(report.pairs, start=1))
    parts.append("<table id='pairs'><tr><th>First</th><th>Second</th><th>Of the first's uncommon code, in the second</th>"
                 "<th>Of the second's, in the first</th><th>Shared stretches (k-grams)</th><th></th></tr>"
                 f"{rows}</table>")
    for i, p in enumerate(report.pairs, start=1):
        parts.append(
            f"<details id='pair{i}' class='side-by-side'{' open' if i == 1 else ''}><summary>{escape(p.first)} and "
            f"{escape(p.second)}: similar parts marked</summary><div class='pair'>"
            f"<div><h4>{escape(p.first)}</h4><pre>{p.marked_first}</pre></div>"
            f"<div><h4>{escape(p.second)}</h4><pre>{p.marked_second}</pre></div></div></details>")
    return "".join(parts)


def _written(report: ExerciseReport) -> str:
    if not report.written:
        return ""
    parts = ["<h2 id='written'>Written answers, for marking</h2>"]
    answers = {(w.student, w.grade_id): w for w in report.answers}
    students = sorted({r.student for r in report.loaded.results})
    for task in report.written:
        parts.append(f"<section class='written' data-grade-id='{escape(task.grade_id, quote=True)}'>"
                     f"<h3>{escape(task.grade_id)} ({_n(task.points)} points)</h3>"
                     f"<div class='model'>{escape(task.question)}</div>"
                     f"<h4>Model answer</h4><div class='model'>{escape(task.model_answer)}</div>"
                     f"<h4>Rubric</h4><div class='model'>{escape(task.rubric)}</div>")
        rows = []
        for student in students:
            answer = answers.get((student, task.grade_id))
            mark = report.marking.marks.get((student, task.grade_id), "unknown")
            state = ("not answered" if answer is None or not answer.answered else
                     "to mark" if mark is None else "state unknown" if mark == "unknown" else
                     f"marked: {_n(float(mark))} of {_n(task.points)}")
            if answer is not None and answer.repeats(task):
                state += "; it contains the model answer word for word"
            text = answer.text if answer and answer.answered else ""
            rows.append(f"<tr data-student='{escape(student, quote=True)}'><td>{escape(student)}</td>"
                        f"<td>{escape(state)}</td><td><pre>{escape(text)}</pre></td></tr>")
        parts.append("<table class='answers'><tr><th>Student</th><th>State</th><th>Answer</th></tr>"
                     f"{''.join(rows)}</table></section>")
    return "".join(parts)


def course_page(reports: list[ExerciseReport], *, course: str) -> str:
    """The course page: each exercise in a line, the hardest checks across them, and who needs help most."""
    parts = [f"<h1>{escape(course)} · class report</h1>", "<p class='sub'>Every exercise reported on, with links to "
             "its page.</p>", _notes(line for r in reports for line in r.notes())]
    rows = []
    for r in reports:
        a = r.analysis
        flagged = sum(1 for c in a.cases() if c.flag == "hard")
        problems = len({s for items in r.help.problems.values() for s, _ in items})
        rows.append(
            f"<tr data-exercise='{escape(r.exercise, quote=True)}'><td><a href='{escape(r.exercise)}.html'>"
            f"{escape(r.exercise)}</a></td><td class='n'>{a.graded}</td>"
            f"<td class='n'>{a.mean:.2f} of {_n(a.possible)}</td><td class='n'>{_n(a.median)}</td>"
            f"<td class='n'>{flagged}</td><td class='n'>{problems}</td><td class='n'>{len(r.help.not_graded)}</td>"
            f"<td class='n'>{len(r.pairs)}</td><td class='n'>{len(r.to_mark())}</td></tr>")
    parts.append("<h2>Exercises</h2><table id='exercises'><tr><th>Exercise</th><th>Graded</th><th>Mean</th>"
                 "<th>Median</th><th>Checks nearly everyone fails</th><th>Submissions with problems</th>"
                 "<th>Not graded</th><th>Similar pairs</th><th>Written answers to mark</th></tr>"
                 f"{''.join(rows)}</table>")
    parts.append("<div class='tasks'>" + "".join(_figure(r.total_plot.uri, r.total_plot.title, r.total_plot.description,
                                                          f"plot-{r.exercise}") for r in reports if r.analysis.graded)
                 + "</div>")
    hardest = sorted(((r.exercise, c) for r in reports for c in r.analysis.cases() if c.failed),
                     key=lambda item: (-item[1].share_failed, -item[1].failed, item[0], item[1].id))[:10]
    if hardest:
        hard_rows = "".join(
            f"<tr><td><a href='{escape(e)}.html#item-analysis'>{escape(e)}</a></td><td><code>{escape(c.id)}</code></td>"
            f"<td class='n'>{c.failed} of {c.answered}</td><td>{escape(c.rule)}</td></tr>" for e, c in hardest)
        parts.append("<h2>The checks failed most</h2><table id='hardest'><tr><th>Exercise</th><th>Check</th>"
                     f"<th>Failed</th><th>Rule it tests</th></tr>{hard_rows}</table>")
    low: dict[str, list[str]] = {}
    for r in reports:
        for result in r.help.lowest:
            low.setdefault(result.student, []).append(f"{r.exercise} ({_n(result.earned)} of {_n(result.possible)})")
    repeated = sorted(((s, e) for s, e in low.items() if len(e) > 1), key=lambda item: (-len(item[1]), item[0]))
    if repeated:
        low_rows = "".join(f"<tr><td>{escape(s)}</td><td>{escape('; '.join(e))}</td></tr>" for s, e in repeated)
        parts.append("<h2>Among the lowest scores in more than one exercise</h2>"
                     f"<table id='repeated'><tr><th>Student</th><th>Exercises</th></tr>{low_rows}</table>")
    return _page(f"{course} · class report", "".join(parts))
