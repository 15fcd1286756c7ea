"""Names a learner can type for a long text: ``ARTICLE_SENTENCES["s05"]`` instead of 250 characters.

An exercise's setup cell may define a table of the article's sentences. When a check's argument
is one of them, the feedback names the table entry, so that the learner can rerun the call.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

__all__ = ["LONG", "names_in_namespace", "names_in_source"]

LONG = 60
"""Texts shorter than this are shown as they are; longer ones are named when a table holds them."""


def _table(name: str, table: Mapping[Any, Any]) -> dict[str, str]:
    if not (name.isupper() and len(table) >= 2):
        return {}
    if not all(type(k) is str and type(v) is str for k, v in table.items()):
        return {}
    return {value: f'{name}["{key}"]' for key, value in table.items() if len(value) >= LONG}


def names_in_namespace(namespace: Mapping[str, Any]) -> dict[str, str]:
    """Every long text held in a constant of *namespace*: an upper-case name for a text (``ARTICLE``),
    or an entry of an upper-case dict of texts (``ARTICLE_SENTENCES["s05"]``)."""
    names: dict[str, str] = {}
    for name, value in list(namespace.items()):
        if type(value) is str and name.isupper() and len(value) >= LONG:
            names.setdefault(value, name)
        if type(value) is dict:  # exactly a dict: nothing of the learner's is called
            for text, expression in _table(name, value).items():
                names.setdefault(text, expression)
    return names


def names_in_source(source: str) -> dict[str, str]:
    """The same, read from a cell's source without running it (dict literals only)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            if isinstance(value, dict):
                for text, expression in _table(node.targets[0].id, value).items():
                    names.setdefault(text, expression)
    return names
