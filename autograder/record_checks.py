"""The channel's limits and the field-by-field checks of its records, importing nothing.

Both ends use them: the grader (through :mod:`autograder.records`, which re-exports them and builds its
typed records from the checked fields) and the sandboxed worker, which checks its own observations with
the same code before it sends them. The worker imports this module before it is ready, so it needs
nothing but Python itself: no ``typing``, ``dataclasses`` or ``re``, which cost more to import than the
rest of the worker's start.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CELL_KINDS", "CHANNEL_RECORD_LIMIT", "MAX_VALUE_DEPTH", "STATUSES", "RecordError", "count", "number",
    "observation_fields", "text", "value_depth",
]

CHANNEL_RECORD_LIMIT = 8 * 1024 * 1024
"""The largest channel record an honest worker sends (in bytes); a bigger return value is sent as ``too_large``."""

MAX_VALUE_DEPTH = 200
"""How deeply an encoded value may nest; a deeper one is ``too_large`` (no answer of the course nests so deep)."""

STATUSES: frozenset[str] = frozenset({
    "missing", "not_callable", "build_failed", "not_implemented", "raised", "returned", "timed_out", "too_large",
    "not_run",
})
"""Every way a call can end: the closed set of observation statuses (``records.Status`` names the same)."""

CELL_KINDS: frozenset[str] = frozenset({"syntax", "error", "timed_out"})
"""How a code cell can fail to run cleanly (``records.CellKind`` names the same)."""


class RecordError(ValueError):
    """A channel record that no honest worker sends: evidence against the submission, never a crash."""


def value_depth(value: Any, limit: int = MAX_VALUE_DEPTH) -> int:
    """How deeply *value* (plain JSON data) nests, counted without recursion; stops counting past *limit*.

    A value that holds nothing is 1 deep, a list of such values 2, and so on. It is counted one
    level at a time (every call of the checks counts its value, on both sides of the channel).
    """
    depth, level = 0, [value]
    while level:
        depth += 1
        if depth > limit:
            return depth
        inside: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                inside.extend(item.values())
            elif isinstance(item, list):
                inside.extend(item)
        level = inside
    return depth


def text(data: dict[str, Any], key: str, *, optional: bool = True) -> str | None:
    """``data[key]``, which must be text (or absent, when *optional*); RecordError otherwise."""
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{key!r} should be text, not {type(value).__name__}")
    return value


def number(data: dict[str, Any], key: str) -> float | None:
    """``data[key]`` as a number of zero or more, or None when absent; RecordError for anything else."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise RecordError(f"{key!r} should be a number of zero or more, not {value!r:.40}")
    return float(value)


def count(data: dict[str, Any], key: str) -> int | None:
    """``data[key]`` as a whole number of zero or more, or None when absent; RecordError for anything else."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{key!r} should be a whole number of zero or more, not {value!r:.40}")
    return value


def observation_fields(data: Any) -> dict[str, Any]:
    """The fields of the observation in *data*, checked one by one, named as ``records.Observation`` names them;
    RecordError if no honest worker could have sent it."""
    if not isinstance(data, dict):
        raise RecordError(f"an observation should be an object, not {type(data).__name__}")
    status = data.get("status")
    if status not in STATUSES:
        raise RecordError(f"an observation has no status {status!r:.40}")
    bases = data.get("bases", [])
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise RecordError("'bases' should be a list of class names")
    line = count(data, "line")
    value = data.get("value")
    if value_depth(value) > MAX_VALUE_DEPTH:
        raise RecordError(f"a value nests more than {MAX_VALUE_DEPTH} levels deep")
    return dict(
        case=text(data, "case", optional=False) or "", function=text(data, "function", optional=False) or "",
        status=status, value=value, error=text(data, "error"), bases=tuple(bases),
        message=text(data, "message"), printed=text(data, "printed") or "",
        build_class=text(data, "class"), type_name=text(data, "type"), seconds=number(data, "seconds"),
        size=count(data, "bytes"), reason=text(data, "reason"), line=line, code=text(data, "code"),
    )
