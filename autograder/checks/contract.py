"""The kinds of value the graded functions return, as the course's contract names them.

A check compares values, and a plain list ``["Stuart Jones", "said"]`` has the same items as
``Attribution("Stuart Jones", "said")``; the contract asks for the second, and a later cell uses
``.verb``. :func:`type_problem` says so when a function returns another kind of value than its
contract names ("returned a list; expected an Attribution"). It works on encoded data only (see
:mod:`autograder.checks.values`), on the side that never runs student code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Returns", "RETURNS", "describe", "dress", "type_problem"]


@dataclass(frozen=True, kw_only=True)
class Returns:
    """What a function returns: a *kind* (``str``, ``list``, ``namedtuple`` …), a class *name* for
    named tuples and dataclasses, the *items* of a fixed-length tuple, and whether None may come back."""

    kind: str
    name: str = ""
    items: tuple[str, ...] = ()
    optional: bool = False

    def describe(self) -> str:
        """The kind in plain words, with its article: "an Attribution", "a tuple of two dates"."""
        if self.kind == "namedtuple":
            text = _article(self.name)
        elif self.kind == "object":
            text = f"{_article(self.name)} dataclass"
        elif self.kind == "tuple" and self.items:
            same_kind = len(set(self.items)) == 1
            count = {2: "two", 3: "three"}.get(len(self.items), str(len(self.items)))
            text = (f"a tuple of {count} {_PLURAL.get(self.items[0], self.items[0] + 's')}" if same_kind
                    else f"a tuple ({', '.join(self.items)})")
        else:
            text = _WORDS[self.kind]
        return f"{text} or None" if self.optional else text


_WORDS = {
    "str": "a string", "int": "an int (a whole number)", "float": "a number", "bool": "True or False",
    "list": "a list", "dict": "a dict", "set": "a set", "tuple": "a tuple", "date": "a date",
}
_PLURAL = {"date": "dates", "str": "strings", "int": "ints"}


def _article(name: str) -> str:
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _named(name: str, *, optional: bool = False) -> Returns:
    return Returns(kind="namedtuple", name=name, optional=optional)


# The contract of the course's graded functions (the course map): function name -> what it returns.
RETURNS: dict[str, Returns] = {
    # 01-provenance
    "strip_boilerplate": Returns(kind="str"),
    "split_sentences": Returns(kind="list"),
    "resolve_relative_date": Returns(kind="tuple", items=("date", "date")),
    # 02-attribution
    "is_apostrophe": Returns(kind="bool"),
    "extract_quotes": Returns(kind="list"),
    "clean_source": Returns(kind="str"),
    "source_before": Returns(kind="str"),
    "source_after": Returns(kind="str"),
    "find_attribution": _named("Attribution", optional=True),
    "verb_stance": Returns(kind="str"),
    # 03-statements
    "cue_matches": Returns(kind="list"),
    "hedges": Returns(kind="list"),
    "is_negated": Returns(kind="bool"),
    "boosters": Returns(kind="list"),
    "classify_statement": Returns(kind="str"),
    # 04-sources
    "has_cue": Returns(kind="bool"),
    "source_type": Returns(kind="str"),
    "affiliation": Returns(kind="str"),
    "organisation_type": Returns(kind="str"),
    "count_independent": Returns(kind="int"),
    "has_stake": Returns(kind="bool"),
    # 05-evidence (Evidence is the class itself: calling it makes a piece of evidence)
    # check_evidence returns None or raises, so only its raising is checked (through Evidence)
    "Evidence": Returns(kind="object", name="Evidence"),
    "independent_sources": Returns(kind="set"),
    "credibility": Returns(kind="int"),
    "weigh": Returns(kind="float"),
    "verdict": Returns(kind="str"),
    # 06-ledger (check_labels, like check_evidence, returns None or raises)
    "ledger_row": Returns(kind="dict"),
    "build_ledger": Returns(kind="list"),
    "accuracy": Returns(kind="float"),
    "confusion_matrix": Returns(kind="dict"),
    # 07-tracing
    "normalise": Returns(kind="str"),
    "shingles": Returns(kind="set"),
    "similarity": Returns(kind="float"),
    "first_with": _named("Document", optional=True),
    "copy_chain": Returns(kind="list"),
    "credited_to": Returns(kind="dict"),
}


def describe(value: Any) -> str:
    """The kind of an encoded value in plain words: "a list", "an Attribution", "None"."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "a bool (True or False)"
    if isinstance(value, int):
        return "an int"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        if "$class" in value:
            return f"{_article(str(value['$class']))} named tuple"
        if "$seq" in value:
            return "a tuple" if value.get("$tuple") else "a list"
        for tag, words in (("$set", "a set"), ("$dict", "a dict"), ("$date", "a date"), ("$datetime", "a datetime"),
                           ("$float", "a float")):
            if tag in value:
                return words
        if "$object" in value:
            return f"{_article(str(value['$object']))} dataclass"
        if "$other" in value:
            return _article(f"{value['$other']} object")
    return "a value of another kind"


def _fits(value: Any, kind: str) -> bool:
    is_dict = isinstance(value, dict)
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return (isinstance(value, (int, float)) and not isinstance(value, bool)) or (is_dict and "$float" in value)
    if kind == "list":
        return is_dict and "$seq" in value and not value.get("$tuple")
    if kind == "tuple":
        return is_dict and "$seq" in value and bool(value.get("$tuple"))
    if kind == "date":
        return is_dict and "$date" in value
    if kind in {"dict", "set"}:
        return is_dict and f"${kind}" in value
    return False


def type_problem(function: str, value: Any) -> str:
    """A sentence when *value* (encoded) is not the kind of value *function*'s contract names, else ""."""
    returns = RETURNS.get(function)
    if returns is None or (value is None and returns.optional):
        return ""
    if returns.kind == "namedtuple":
        ok = isinstance(value, dict) and value.get("$class") == returns.name
    elif returns.kind == "object":
        ok = isinstance(value, dict) and value.get("$object") == returns.name
    else:
        ok = _fits(value, returns.kind)
        if ok and returns.items:
            items = value["$seq"]
            ok = len(items) != len(returns.items) or all(_fits(v, k) for v, k in zip(items, returns.items))
    if ok:
        return ""
    return f"{function} returned {describe(value)}; expected {returns.describe()}."


def dress(function: str, expected: Any) -> Any:
    """An expected value as the contract's kind, for showing: a list written in a cases file as an Attribution."""
    returns = RETURNS.get(function)
    if returns is None or not (isinstance(expected, dict) and "$seq" in expected):
        return expected
    if returns.kind == "namedtuple":
        return {**expected, "$tuple": True, "$class": returns.name}
    if returns.kind == "tuple":
        return {**expected, "$tuple": True}
    return expected
