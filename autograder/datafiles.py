"""Read the course's YAML data files and check them against their JSON schemas.

Every data file (course.yaml, an exercise's cases, the annotations) goes through
:func:`read_yaml`, so that every mistake in one is reported the same way: the
file, the line where it is known, and what was expected.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema
import yaml

__all__ = ["DataFileError", "dotted", "line_of", "read_yaml", "schema"]


class DataFileError(Exception):
    """A data file that cannot be used, with where and why."""

    def __init__(self, path: Path | str, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.path = Path(path)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON schema called *name* (``course``, ``cases``, ``annotations``)."""
    text = resources.files("autograder.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator(name: str) -> Any:
    return fastjsonschema.compile(schema(name))


def read_yaml(path: Path, schema_name: str) -> tuple[Any, yaml.Node]:
    """Load *path* with ``yaml.safe_load`` and validate it against a schema.

    Returns the data and the composed node tree, whose marks give the line of
    any value (see :func:`line_of`). Raises :class:`DataFileError` naming the
    file and line for a missing or unreadable file, a YAML syntax error, a
    repeated key, or the first value that breaks the schema.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(path, "the file does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(path, f"the file cannot be read as UTF-8 text ({error})") from None
    try:
        root, data = _load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "unreadable YAML"
        raise DataFileError(
            path, f"this is not valid YAML: {problem}", line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as error:
        raise DataFileError(path, f"this is not valid YAML: {error}") from None
    if root is None:
        raise DataFileError(path, "the file is empty; expected a mapping of keys to values")
    _refuse_repeated_keys(path, root)
    try:
        _validator(schema_name)(data)
    except fastjsonschema.JsonSchemaValueException as error:
        raise DataFileError(path, _explain(error), line=_line_of_error(root, error)) from None
    return data, root


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (it reads a file many times faster), else PyYAML's own."""


def _load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree of *text* (for the lines of values) and the data made from it, in one parse, as
    ``yaml.safe_load`` makes it. A file libyaml cannot read is read again by PyYAML's own loader, whose
    messages (and lines) for a mistake are the ones a course author sees."""
    try:
        return _parse(text, _SafeLoader)
    except yaml.YAMLError:
        if _SafeLoader is yaml.SafeLoader:
            raise
    return _parse(text, yaml.SafeLoader)


def _parse(text: str, loader_class: Any) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def line_of(root: yaml.Node, where: list[str | int]) -> int | None:
    """The 1-based line of the value at *where* (keys and indexes) in a node tree."""
    node = _node_at(root, where)
    return node.start_mark.line + 1 if node is not None else None


def dotted(where: list[str | int] | Any) -> str:
    """``['lessons', 2, 'file']`` as ``lessons[2].file``."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level"


def _node_at(root: yaml.Node, where: list[str | int] | Any) -> yaml.Node | None:
    node: yaml.Node | None = root
    for part in where:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return None
    return node


def _refuse_repeated_keys(path: Path, node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                raise DataFileError(
                    path, f"the key '{key.value}' appears twice in one mapping", line=key.start_mark.line + 1
                )
            seen.add(key.value)
            _refuse_repeated_keys(path, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_repeated_keys(path, item)


def _where(error: fastjsonschema.JsonSchemaValueException) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in (error.path or [])[1:]]


def _explain(error: fastjsonschema.JsonSchemaValueException) -> str:
    where = dotted(_where(error))
    value = error.value
    rule, wanted = error.rule, error.rule_definition
    definition = error.definition or {}
    if rule == "additionalProperties":
        allowed = sorted(definition.get("properties", {}))
        extra = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
        return f"{where}: unknown key {', '.join(repr(k) for k in extra)}; expected only: {', '.join(allowed)}"
    if rule == "required":
        missing = [k for k in wanted if isinstance(value, dict) and k not in value]
        return f"{where}: the key {', '.join(repr(k) for k in missing)} is missing"
    if rule == "type":
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        got = type(value).__name__
        return f"{where} must be {_article(wanted)} {wanted} (got {value!r}, {_article(got)} {got})"
    if rule == "enum":
        return f"{where} must be one of {', '.join(repr(v) for v in wanted)} (got {value!r})"
    if rule == "pattern":
        hint = definition.get("description", f"text matching {wanted}")
        return f"{where} must be {hint} (got {value!r})"
    if rule in {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}:
        bound = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most",
                 "exclusiveMaximum": "less than"}[rule]
        return f"{where} must be {bound} {wanted} (got {value!r})"
    if rule == "oneOf" and all(set(sub) == {"required"} for sub in wanted):
        keys = [key for sub in wanted for key in sub["required"]]
        return f"{where} must have exactly one of the keys {', '.join(repr(k) for k in keys)}"
    if rule in {"minItems", "minLength"}:
        return f"{where} must not be empty"
    return f"{where}: {error.message.removeprefix('data').lstrip('. ')}"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _line_of_error(root: yaml.Node, error: fastjsonschema.JsonSchemaValueException) -> int | None:
    where = _where(error)
    if error.rule == "additionalProperties" and isinstance(error.value, dict):
        node = _node_at(root, where)
        allowed = set((error.definition or {}).get("properties", {}))
        if isinstance(node, yaml.MappingNode):
            for key, _ in node.value:
                if key.value not in allowed:
                    first: int = key.start_mark.line + 1
                    return first
    while where:
        line = line_of(root, where)
        if line is not None:
            return line
        where = where[:-1]
    return line_of(root, [])
