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

import jsonschema
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
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
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
    validator = jsonschema.Draft202012Validator(schema(schema_name))
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        first = jsonschema.exceptions.best_match(errors)
        raise DataFileError(path, _explain(first), line=_line_of_error(root, first))
    return data, root


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


def _explain(error: jsonschema.ValidationError) -> str:
    where = dotted(list(error.absolute_path))
    value = error.instance
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
        return f"{where}: unknown key {', '.join(repr(k) for k in extra)}; expected only: {', '.join(allowed)}"
    if error.validator == "required":
        missing = [k for k in error.validator_value if isinstance(value, dict) and k not in value]
        return f"{where}: the key {', '.join(repr(k) for k in missing)} is missing"
    if error.validator == "type":
        wanted = error.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return f"{where} must be {_article(wanted)} {wanted} (got {value!r}, {_article(type(value).__name__)} {type(value).__name__})"
    if error.validator == "enum":
        return f"{where} must be one of {', '.join(repr(v) for v in error.validator_value)} (got {value!r})"
    if error.validator == "pattern":
        hint = error.schema.get("description", f"text matching {error.validator_value}")
        return f"{where} must be {hint} (got {value!r})"
    if error.validator in {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}:
        return f"{where} is out of range: {error.message}"
    if error.validator == "oneOf" and all(set(sub) == {"required"} for sub in error.validator_value):
        keys = [key for sub in error.validator_value for key in sub["required"]]
        return f"{where} must have exactly one of the keys {', '.join(repr(k) for k in keys)}"
    if error.validator in {"minItems", "minLength"}:
        return f"{where} must not be empty"
    return f"{where}: {error.message}"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _line_of_error(root: yaml.Node, error: jsonschema.ValidationError) -> int | None:
    where = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        node = _node_at(root, where)
        allowed = set(error.schema.get("properties", {}))
        if isinstance(node, yaml.MappingNode):
            for key, _ in node.value:
                if key.value not in allowed:
                    return key.start_mark.line + 1
    while where:
        line = line_of(root, where)
        if line is not None:
            return line
        where = where[:-1]
    return line_of(root, [])
