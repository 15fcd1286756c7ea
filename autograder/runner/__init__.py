"""Running a learner's notebook outside Jupyter: its code in a child process, answers as plain data.

- :mod:`.cells` picks the code cells to run (everything but the check cells);
- :mod:`.worker` is the child: it runs the cells, then each call, and writes observations;
- :mod:`.launch` is the parent: it starts the child under limits and reads what it wrote.
"""

from __future__ import annotations

from .cells import CodeCell, code_cells
from .launch import Limits, NotebookRun, run_notebook

__all__ = ["CodeCell", "Limits", "NotebookRun", "code_cells", "run_notebook"]
