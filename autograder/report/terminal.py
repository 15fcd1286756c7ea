"""The short summary ``course report`` prints in the terminal."""

from __future__ import annotations

from pathlib import Path

from .build import ExerciseReport

__all__ = ["summary"]


def summary(reports: list[ExerciseReport], out: Path) -> str:
    """A few lines per exercise: what was graded, the checks failed most, who needs help, and where the pages are."""
    lines = []
    for r in reports:
        a = r.analysis
        for note in r.notes():
            lines.append(f"{r.exercise}: {note}" if not note.startswith(r.exercise) else note)
        if not a.graded:
            continue
        lines.append(f"{r.exercise}: {a.graded} graded; mean {a.mean:.2f} of {a.possible:g}, median {a.median:g}.")
        hardest = [c for c in a.cases() if c.failed][:3]
        if hardest:
            lines.append("  failed most: " + "; ".join(f"{c.id} ({c.failed} of {c.answered})" for c in hardest))
        flagged = [c.id for c in a.cases() if c.flag == "hard"]
        if flagged:
            lines.append(f"  nearly everyone fails {len(flagged)} check{'s' if len(flagged) > 1 else ''}: "
                         + ", ".join(flagged[:5]) + (" …" if len(flagged) > 5 else ""))
        problems = sorted({s for items in r.help.problems.values() for s, _ in items})
        if problems:
            lines.append(f"  {len(problems)} submission{'s' if len(problems) > 1 else ''} with problems; "
                         f"{len(r.help.unanswered)} with tasks not answered")
        if r.pairs:
            lines.append(f"  {len(r.pairs)} similar pair{'s' if len(r.pairs) > 1 else ''} to look at (similar, "
                         "not necessarily copied)")
        if r.written and not r.marking.note:
            lines.append(f"  {len(r.to_mark())} written answer{'s' if len(r.to_mark()) != 1 else ''} still to mark")
    lines.append(f"Pages: {out / 'index.html'} and one per exercise; data: {out}/<exercise>.json and .csv files.")
    return "\n".join(lines)
