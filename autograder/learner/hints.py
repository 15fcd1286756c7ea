"""``course hint EXERCISE TASK``: one more hint each time, gentlest first."""

from __future__ import annotations

from pathlib import Path

from ..checks import load_suite
from ..datafiles import DataFileError
from ..layout import MANIFEST, RELEASE
from ..manifest import load_manifest
from .state import load_state, save_state

__all__ = ["next_hint"]


def next_hint(root: Path, exercise: str, task: int, *, again: bool = False) -> str:
    """The text for the next hint of *task*, and a record that it was shown.

    With *again*, starts over from the first hint.
    """
    folder = root / RELEASE / load_manifest(root / MANIFEST).exercise(exercise).folder
    suite = load_suite(folder)
    if task not in suite.tasks:
        raise DataFileError(folder / "cases.yaml", f"{exercise} has no task {task}; its checked tasks are "
                            f"{', '.join(str(t) for t in sorted(suite.tasks))}")
    info = suite.tasks[task]
    state = load_state(root)
    seen = state.setdefault("hints", {}).setdefault(exercise, {})
    shown = 0 if again else int(seen.get(str(task), 0))
    total = len(info.hints)
    heading = f"{exercise}, task {task} ({info.function})"
    if shown >= total:
        lines = [f"You have seen all {total} hints for {heading}:"]
        lines += [f"  {n}. {hint}" for n, hint in enumerate(info.hints, start=1)]
        lines.append(f"Stuck still? Compare with the reference: course compare {exercise}")
        return "\n".join(lines)
    seen[str(task)] = shown + 1
    save_state(root, state)
    lines = [f"Hint {shown + 1} of {total} for {heading}:", f"  {info.hints[shown]}"]
    if shown + 1 < total:
        lines.append(f"Run `course hint {exercise} {task}` again for a more specific hint.")
    else:
        lines.append("That was the most specific hint.")
    return "\n".join(lines)
