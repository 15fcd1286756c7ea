"""Plain data: what a student's function returned, made safe to carry and compare.

:func:`encode` turns a returned value into JSON-compatible data without calling
any method the student could have overridden (no ``__eq__``, ``__str__``,
``__iter__`` of a subclass), so the comparison in :mod:`autograder.checks.judge`
can run in another process and trusts nothing but data. :func:`same` compares
two encoded values; :func:`show` writes one as a short Python-like literal for
feedback messages.
"""

from __future__ import annotations

import math
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for the annotations only: the sandboxed worker imports this module before it is ready
    from collections.abc import Mapping
    from types import ModuleType
    from typing import Any

__all__ = ["BuildError", "MissingName", "decode", "encode", "from_yaml", "same", "show", "show_pair"]


class BuildError(Exception):
    """Building an object of the student's class for a check's arguments failed."""

    def __init__(self, name: str, error: BaseException) -> None:
        super().__init__(name)
        self.name, self.error = name, error


class MissingName(LookupError):
    """A case needs a class or function that the student's namespace does not have."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

_MAX_DEPTH = 40
_MAX_ITEMS = 20_000


def encode(value: Any) -> Any:
    """*value* as JSON-compatible data; containers and dates become tagged dicts."""
    budget = [_MAX_ITEMS]
    return _encode(value, 0, budget)


def _encode(value: Any, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if depth > _MAX_DEPTH or budget[0] < 0:
        return {"$too_large": True}
    kind = type(value)
    if value is None or kind is bool:
        return value
    if isinstance(value, int):
        return int.__add__(0, value)
    if isinstance(value, float):
        number = float.__add__(0.0, value)
        return number if math.isfinite(number) else {"$float": repr(number)}
    if isinstance(value, str):
        return "".join((value,))
    dates = _loaded_dates()  # here, each time: the learner's code may load it while its value is encoded
    if dates is not None and isinstance(value, dates.datetime):
        return {"$datetime": dates.datetime.isoformat(value)}
    if dates is not None and isinstance(value, dates.date):
        return {"$date": dates.date.isoformat(value)}
    if isinstance(value, tuple):
        encoded = {"$seq": [_encode(item, depth + 1, budget) for item in tuple.__iter__(value)], "$tuple": True}
        if any("_fields" in vars(cls) for cls in kind.__mro__ if cls is not tuple):
            encoded["$class"] = str(type.__dict__["__name__"].__get__(kind))  # a NamedTuple: keep its class name
        return encoded
    if isinstance(value, list):
        return {"$seq": [_encode(item, depth + 1, budget) for item in list.__iter__(value)]}
    if isinstance(value, (set, frozenset)):
        items = set.__iter__(value) if isinstance(value, set) else frozenset.__iter__(value)
        return {"$set": [_encode(item, depth + 1, budget) for item in items]}
    if isinstance(value, dict):
        return {
            "$dict": [
                [_encode(key, depth + 1, budget), _encode(item, depth + 1, budget)]
                for key, item in dict.items(value)
            ]
        }
    if hasattr(value if isinstance(value, type) else kind, "__dataclass_fields__") and not isinstance(value, type):
        import dataclasses  # loaded already: the learner's class was made with it (dataclasses.is_dataclass's test)

        fields = {
            field.name: _encode(object.__getattribute__(value, field.name), depth + 1, budget)
            for field in dataclasses.fields(value)
        }
        return {"$object": kind.__name__, "fields": fields}
    return {"$other": kind.__name__}


def _loaded_dates() -> ModuleType | None:
    """The datetime module once anything has loaded it (or its C half), else None: until then no value can be one
    of its dates. The sandboxed worker does not import it before it is ready (it is slow to import)."""
    dates = sys.modules.get("datetime")
    if dates is None and ("_datetime" in sys.modules or "_pydatetime" in sys.modules):
        import datetime

        dates = datetime
    return dates


def same(got: Any, expected: Any, *, tolerance: float = 0.0) -> bool:
    """Whether two encoded values are equal: numbers within *tolerance*, dicts and sets in any order."""
    if isinstance(expected, bool) or isinstance(got, bool) or expected is None or got is None:
        return type(got) is type(expected) and got == expected
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, expected, rel_tol=0.0, abs_tol=tolerance) if tolerance else got == expected
    if isinstance(expected, str) or isinstance(got, str):
        return type(got) is type(expected) and got == expected
    if not (isinstance(expected, dict) and isinstance(got, dict)):
        return False
    if "$seq" in expected and "$seq" in got:
        a, b = got["$seq"], expected["$seq"]
        return len(a) == len(b) and all(same(x, y, tolerance=tolerance) for x, y in zip(a, b))
    if expected.keys() != got.keys():
        return False
    if "$seq" in expected:
        a, b = got["$seq"], expected["$seq"]
        return len(a) == len(b) and all(same(x, y, tolerance=tolerance) for x, y in zip(a, b))
    if "$set" in expected:
        return _same_unordered(got["$set"], expected["$set"], tolerance)
    if "$dict" in expected:
        pairs_got = [{"$seq": pair} for pair in got["$dict"]]
        pairs_expected = [{"$seq": pair} for pair in expected["$dict"]]
        return _same_unordered(pairs_got, pairs_expected, tolerance)
    if "$object" in expected:
        return got["$object"] == expected["$object"] and same(
            {"$dict": sorted(got["fields"].items())},
            {"$dict": sorted(expected["fields"].items())},
            tolerance=tolerance,
        )
    return bool(got == expected)


def _same_unordered(got: list[Any], expected: list[Any], tolerance: float) -> bool:
    if len(got) != len(expected):
        return False
    left = list(got)
    for item in expected:
        match = next((i for i, candidate in enumerate(left) if same(candidate, item, tolerance=tolerance)), None)
        if match is None:
            return False
        left.pop(match)
    return True


def show(value: Any, *, limit: int = 160) -> str:
    """An encoded value as a short Python-like literal, cut with '…' past *limit* characters."""
    text = _show(value)
    if len(text) > limit:
        keep = limit - 1
        text = text[: keep * 2 // 3] + "…" + text[-(keep - keep * 2 // 3) :]
    return text


def show_pair(got: Any, expected: Any, *, limit: int = 160) -> tuple[str, str]:
    """Two encoded values shown side by side; when they are long, both are cut around their first difference."""
    left, right = _show(got), _show(expected)
    if len(left) <= limit and len(right) <= limit:
        return left, right
    first = next((i for i, (a, b) in enumerate(zip(left, right)) if a != b), min(len(left), len(right)))
    start = max(0, first - limit // 3)

    def window(text: str) -> str:
        piece = text[start : start + limit]
        return ("…" if start else "") + piece + ("…" if start + limit < len(text) else "")

    return window(left), window(right)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return _quote(value)
    if not isinstance(value, dict):
        return repr(value)
    if "$seq" in value:
        items = ", ".join(_show(item) for item in value["$seq"])
        if "$class" in value:
            return f"{value['$class']}({items})"
        if value.get("$tuple"):
            return f"({items}{',' if len(value['$seq']) == 1 else ''})"
        return f"[{items}]"
    if "$set" in value:
        return "{" + ", ".join(_show(item) for item in value["$set"]) + "}" if value["$set"] else "set()"
    if "$dict" in value:
        return "{" + ", ".join(f"{_show(k)}: {_show(v)}" for k, v in value["$dict"]) + "}"
    if "$date" in value:
        import datetime

        day = datetime.date.fromisoformat(value["$date"])
        return f"date({day.year}, {day.month}, {day.day})"
    if "$datetime" in value:
        return f"datetime.fromisoformat({value['$datetime']!r})"
    if "$float" in value:
        return f"float({value['$float']!r})"
    if "$object" in value:
        fields = ", ".join(f"{name}={_show(item)}" for name, item in value["fields"].items())
        return f"{value['$object']}({fields})"
    if "$other" in value:
        kind = str(value["$other"])
        return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind} object"
    if "$too_large" in value:
        return "a value too large or too deeply nested to show"
    return repr(value)


def _quote(text: str) -> str:
    """A string literal in double quotes, as students mostly write them."""
    import json

    return json.dumps(text, ensure_ascii=False)


def from_yaml(value: Any) -> Any:
    """A value written in a cases file, encoded; three one-key mappings are special.

    ``{$set: [...]}`` is a set, ``{$tuple: [...]}`` a tuple, and
    ``{$new: Name, fields: {...}}`` an object of the student's class ``Name``
    (built with those keyword arguments when it is an argument, compared field by
    field when it is an expected value).
    """
    if isinstance(value, dict):
        if set(value) == {"$set"}:
            return {"$set": [from_yaml(item) for item in value["$set"]]}
        if set(value) == {"$tuple"}:
            return {"$seq": [from_yaml(item) for item in value["$tuple"]], "$tuple": True}
        if set(value) == {"$new", "fields"}:
            return {"$object": str(value["$new"]), "fields": {k: from_yaml(v) for k, v in value["fields"].items()}}
        return {"$dict": [[from_yaml(k), from_yaml(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return {"$seq": [from_yaml(item) for item in value]}
    return encode(value)


def decode(value: Any, namespace: Mapping[str, Any] | None = None) -> Any:
    """Encoded data back as Python values, for calling a function.

    Sequences become lists (tuples where the case asked for one); an object is
    built by calling the class of that name in *namespace* with its fields.
    """
    if not isinstance(value, dict):
        return value
    if "$seq" in value:
        items = [decode(item, namespace) for item in value["$seq"]]
        return tuple(items) if value.get("$tuple") else items
    if "$set" in value:
        return {decode(item, namespace) for item in value["$set"]}
    if "$dict" in value:
        return {decode(key, namespace): decode(item, namespace) for key, item in value["$dict"]}
    if "$object" in value:
        cls = (namespace or {}).get(value["$object"])
        if cls is None:
            raise MissingName(value["$object"])
        fields = {name: decode(item, namespace) for name, item in value["fields"].items()}
        try:
            return cls(**fields)
        except Exception as error:  # the student's class: its error is a result, not a crash
            raise BuildError(value["$object"], error) from error
    if "$date" in value or "$datetime" in value:
        import datetime  # only for a case that has a date

        if "$date" in value:
            return datetime.date.fromisoformat(value["$date"])
        return datetime.datetime.fromisoformat(value["$datetime"])
    if "$float" in value:
        return float(value["$float"])
    raise ValueError(f"cannot rebuild a value from {value!r}")
