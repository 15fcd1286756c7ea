"""``course report``: a class report for instructors, from the results files that ``course grade`` writes.

- :mod:`.load` reads an exercise's results files (defensively: partial, older or missing ones
  get a clear line, and nothing is written);
- :mod:`.problems` names the kinds of problem a run can have;
- :mod:`.items` is the item analysis: scores per task, failures, wrong answers and
  discrimination per case;
- :mod:`.attention` is who needs help;
- :mod:`.written` reads written answers, model answers, rubrics and the state of manual grading;
- :mod:`.similarity` finds pairs of similar answer code (with copydetect);
- :mod:`.plots` draws the histograms; :mod:`.page` writes the HTML; :mod:`.terminal` the terminal summary;
- :mod:`.build` puts them together and writes the pages and the data files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import REPORTS, ExerciseReport, build_exercise, write_reports
    from .terminal import summary

__all__ = ["REPORTS", "ExerciseReport", "build_exercise", "summary", "write_reports"]


def __getattr__(name: str) -> Any:
    if name == "summary":
        from .terminal import summary

        return summary
    if name in __all__:
        from . import build

        return getattr(build, name)
    raise AttributeError(name)
