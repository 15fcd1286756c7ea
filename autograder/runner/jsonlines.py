"""The JSON of the worker and the sandbox's entry: the :mod:`json` package's own C parts, without the package.

``import json`` compiles regular expressions (and imports :mod:`re` and :mod:`enum` to do so), which
costs the sandboxed worker (and the sandbox's entry) more than all the rest of its start. :func:`loads`
and :func:`dumps` give exactly what ``json.loads(line)`` and ``json.dumps(value, ensure_ascii=False)``
give: they call the same C scanner and encoder, set up as those functions set them up, and hand anything
they do not finish (a malformed line, a value that is not JSON) to the :mod:`json` package itself, which
then returns or raises as it always does. Where the C parts are missing or take other arguments, the
package does it all.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["dumps", "loads"]

_SPACE = " \t\n\r"  # what JSON counts as white space around a value (json.decoder.WHITESPACE)


class _Decoding:
    """The settings ``json.JSONDecoder()`` gives its C scanner by default."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


def _not_json(value: object) -> object:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


_scan: Callable[[str, int], tuple[Any, int]] | None = None
_encode_text: Callable[[str], str] | None = None
_make_encoder: Callable[..., Any] | None = None
try:
    import _json

    _scan = _json.make_scanner(_Decoding())  # type: ignore[arg-type]  # it reads the settings' attributes
    _encode_text = _json.encode_basestring
    _make_encoder = _json.make_encoder
    _make_encoder({}, _not_json, _encode_text, None, ": ", ", ", False, False, True)  # the arguments it takes
except (ImportError, AttributeError, TypeError):  # another Python: the json package does it all
    _scan = _encode_text = _make_encoder = None


def loads(line: bytes | str) -> Any:
    """``json.loads(line)``, for text or a line of UTF-8 (the grader's)."""
    if _scan is not None:
        try:
            text = line if isinstance(line, str) else line.decode("utf-8", "surrogatepass")
            start = len(text) - len(text.lstrip(_SPACE))
            value, end = _scan(text, start)
            if not text[end:].strip(_SPACE):
                return value
        except (ValueError, StopIteration, RecursionError):
            pass  # the json package says what is wrong with it
    import json

    return json.loads(line)


def dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)``."""
    if _make_encoder is not None and _encode_text is not None:
        try:
            if isinstance(value, str):
                return _encode_text(value)
            chunks = _make_encoder({}, _not_json, _encode_text, None, ": ", ", ", False, False, True)(value, 0)
            return "".join(chunks)
        except (ValueError, TypeError, RecursionError):
            pass  # the json package raises what it raises for such a value
    import json

    return json.dumps(value, ensure_ascii=False)
