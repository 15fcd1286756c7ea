"""Which processor each grading slot runs on.

A slot's thread in the grader and the sandboxed worker it talks to take turns: the worker answers
a call, the grader judges it and sends the next, one at a time. Where the two run on one
processor, each turn is a switch between two processes on it; where they run on two, each turn
wakes the other processor, which costs several times more (most of all in a virtual machine, where
waking a processor is a trip through the host). So each slot's thread, its warm launcher and,
through it, every sandbox of the slot are kept on one processor of their own, the slots spread over
the processors this process may use. Nothing else is kept anywhere: the recording process and the
grader's other threads run where the system puts them.
"""

from __future__ import annotations

import os

__all__ = ["pin", "slot_processors"]


def slot_processors(count: int) -> list[int | None]:
    """A processor for each of *count* slots, in turn over those this process may use; None for each where there
    is only one, or the system does not say (then nothing is pinned)."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return [None] * count
    if len(allowed) < 2:
        return [None] * count
    return [allowed[index % len(allowed)] for index in range(count)]


def pin(pid: int, processor: int | None) -> None:
    """Keep *pid* (0: the calling thread) on *processor*, and what it starts from now on; nothing for None, or
    where the system refuses."""
    if processor is None:
        return
    try:
        os.sched_setaffinity(pid, {processor})
    except (AttributeError, OSError):
        pass
