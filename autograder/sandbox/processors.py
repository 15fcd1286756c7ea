"""Which processor each grading slot runs on.

A slot's thread in the grader and the sandboxed worker it talks to take turns: the worker answers
a call, the grader judges it and sends the next, one at a time. Where the two run on one
processor, each turn is a switch between two processes on it; where they run on two, each turn
wakes the other processor, which costs several times more (most of all in a virtual machine, where
waking a processor is a trip through the host). So each slot's thread, its warm launcher and,
through it, every sandbox of the slot are kept on one processor of their own. A slot's processor
follows its sandbox user, which no other grading run on the host holds at the same time, so the
slots of two runs at once are spread over the processors as the slots of one run are. Nothing else
is kept anywhere: the recording process and the grader's other threads run where the system puts
them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from .policy import FIRST_UID

__all__ = ["pin", "slot_processors"]


def slot_processors(uids: Sequence[int]) -> dict[int, int | None]:
    """The processor of each slot, by its sandbox user id: in turn over the processors this process may use, from
    the first slot user on; None for each where there is only one, or the system does not say (then nothing is
    pinned)."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        allowed = []
    if len(allowed) < 2:
        return {uid: None for uid in uids}
    return {uid: allowed[(uid - FIRST_UID) % len(allowed)] for uid in uids}


def pin(pid: int, processor: int | None) -> None:
    """Keep *pid* (0: the calling thread) on *processor*, and what it starts from now on; nothing for None, or
    where the system refuses."""
    if processor is None:
        return
    try:
        os.sched_setaffinity(pid, {processor})
    except (AttributeError, OSError):
        pass
