"""Running a learner's notebook outside Jupyter: its code in a child process, answers as plain data.

- :mod:`.cells` picks the code cells to run (everything but the check cells);
- :mod:`.worker` is the child: it runs the cells, then each call, and writes observations;
- :mod:`.launch` is the parent: it starts the child under limits and reads what it wrote.
"""

from __future__ import annotations

TYPE_CHECKING = False  # read as typing.TYPE_CHECKING by type checkers; typing itself is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .cells import CodeCell as CodeCell, code_cells as code_cells
    from .launch import Limits as Limits, NotebookRun as NotebookRun, run_notebook as run_notebook

_WHERE = {"CodeCell": "cells", "code_cells": "cells", "Limits": "launch", "NotebookRun": "launch",
          "run_notebook": "launch"}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    # Imported on first use: the worker, which runs in the sandbox, needs none of the launcher.
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)
