"""Who Says So?: the course's checking and grading tools.

The package's parts, one folder or module each:

- :mod:`autograder.checks`: the check engine (cases as data, observe, judge, report);
- :mod:`autograder.notebook`: ``check(task, globals())`` for a notebook's check cells;
- :mod:`autograder.manifest`: reading and validating ``course.yaml``;
- :mod:`autograder.nbgrader_bridge`: nbgrader's configuration and the release of exercises;
- :mod:`autograder.cli`: the ``course`` command.
"""

from __future__ import annotations

from .datafiles import DataFileError
from .notebook import check

__all__ = ["DataFileError", "check"]
