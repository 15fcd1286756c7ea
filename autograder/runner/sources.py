"""The source lines of the learner's cells, for tracebacks: in :mod:`linecache`, without importing it first.

A traceback shows a line of a cell only if ``linecache.cache`` holds that cell's source (a cell has no
file to read it from). Importing :mod:`linecache` costs the worker more than the rest of its start
(it imports :mod:`tokenize`, and so :mod:`re`), and most runs never show a traceback. So
:func:`remember` puts the lines into the cache when :mod:`linecache` is loaded already, and otherwise
keeps them and puts them in the moment something imports it: the worker's own crash report, the
learner's ``traceback.format_exc()``, a warning. Either way the cache holds the same entries whenever
anything can read it.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any

__all__ = ["remember", "waiting_line"]

_WAITING: dict[str, tuple[int, None, list[str], str]] = {}
"""The entries for ``linecache.cache`` that wait for :mod:`linecache` to be imported."""


def remember(name: str, source: str) -> None:
    """Let tracebacks show the lines of *source*, compiled under the file name *name* (``<cell 3>``)."""
    entry = (len(source), None, source.splitlines(True), name)
    linecache = sys.modules.get("linecache")
    if linecache is not None:
        linecache.cache[name] = entry
        return
    _WAITING[name] = entry
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def waiting_line(name: str, number: int) -> str | None:
    """Line *number* of the cell remembered as *name* while its lines wait for :mod:`linecache`, as
    ``linecache.getline`` would give it then ("" past its end); None if no such cell waits."""
    entry = _WAITING.get(name)
    if entry is None:
        return None
    lines = entry[2]
    return lines[number - 1] if 1 <= number <= len(lines) else ""


class _LinecacheFinder:
    """Finds :mod:`linecache` as the import system would, and has it filled with the waiting entries once run."""

    def find_spec(self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
                  ) -> ModuleSpec | None:
        if name != "linecache":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)  # once: the module is being imported now
        spec = next((s for s in (_spec(f, name, path, target) for f in sys.meta_path) if s is not None), None)
        if spec is None:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _FillingLoader(spec.loader)  # type: ignore[assignment]  # a loader by what it does
        return spec


def _spec(finder: object, name: str, path: Sequence[str] | None, target: ModuleType | None) -> ModuleSpec | None:
    find = getattr(finder, "find_spec", None)
    spec: ModuleSpec | None = find(name, path, target) if find is not None else None
    return spec


class _FillingLoader:
    """A loader that runs the module with its own loader, then puts the waiting entries in its cache."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self.loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader  # the module as any import leaves it: its own loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        cache = getattr(module, "cache", None)
        if isinstance(cache, dict):
            cache.update(_WAITING)
        _WAITING.clear()


_FINDER = _LinecacheFinder()
